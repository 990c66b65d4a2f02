-- Offers, their audit trail, and the search index built from them.

-- One row per offer. `data` is the offer in the offer file format (JSON): the source of truth,
-- so an export gives back exactly what was imported. The other columns are derived from it
-- when the offer is written, for filtering and reports.
CREATE TABLE offers (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('activity', 'discount', 'transport', 'support')),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'cancelled')),
    title         TEXT NOT NULL,
    data          TEXT NOT NULL CHECK (json_valid(data)),
    source        TEXT NOT NULL,               -- 'sample', 'import:<file name>', 'telegram:<key figure>'
    first_start   TEXT,                        -- local 'YYYY-MM-DDTHH:MM' of the first occurrence
    last_end      TEXT,                        -- end of the last occurrence; NULL: undated or without end
    min_age       INTEGER,
    max_age       INTEGER,
    groups        TEXT NOT NULL DEFAULT '',    -- '|kinderen|gezinnen|' for LIKE filters
    categories    TEXT NOT NULL DEFAULT '',    -- '|sport|jeugd|'
    price_regular REAL,
    price_reduced REAL,
    created_at    TEXT NOT NULL,               -- UTC ISO 8601
    updated_at    TEXT NOT NULL
);
CREATE INDEX offers_by_status ON offers (status, kind);

-- Who changed what and when: imports, edits, approvals, cancellations.
CREATE TABLE offer_events (
    seq      INTEGER PRIMARY KEY,
    offer_id TEXT NOT NULL,
    at       TEXT NOT NULL,                    -- UTC ISO 8601
    actor    TEXT NOT NULL,                    -- 'import:<file>', 'admin:<name>', 'keyfigure:<name>', 'system'
    action   TEXT NOT NULL,                    -- 'created', 'updated', 'status', 'deleted', ...
    details  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
CREATE INDEX offer_events_by_offer ON offer_events (offer_id, seq);

-- Full-text index of published offers: Snowball stems per field (rowid = offers.pk).
CREATE VIRTUAL TABLE offer_text USING fts5 (
    title, keywords, categories, summary, description, extra,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Document frequency of each indexed stem, read by the matcher to skip very common stems.
CREATE VIRTUAL TABLE offer_terms USING fts5vocab (offer_text, 'row');

-- Surface words of published offers with their stem and in how many offers they occur:
-- the vocabulary that typos in questions are corrected against.
CREATE TABLE vocabulary (
    word TEXT PRIMARY KEY,
    stem TEXT NOT NULL,
    df   INTEGER NOT NULL CHECK (df >= 0)
) WITHOUT ROWID;

-- Occurrences of published dated offers, expanded from their RRULE up to a horizon,
-- so "dit weekend" is one indexed range query.
CREATE TABLE occurrences (
    offer_pk INTEGER NOT NULL REFERENCES offers (pk) ON DELETE CASCADE,
    start    TEXT NOT NULL,                    -- local 'YYYY-MM-DDTHH:MM'
    end      TEXT NOT NULL,
    PRIMARY KEY (offer_pk, start)
) WITHOUT ROWID;
CREATE INDEX occurrences_by_start ON occurrences (start);

-- Small key/value facts about the database, e.g. the search index generation.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('index_generation', '0');

-- BM25 with field weights (title, keywords, categories, summary, description, extra) as the
-- index's own rank, so "ORDER BY rank" ranks inside FTS5.
INSERT INTO offer_text (offer_text, rank) VALUES ('rank', 'bm25(10.0, 8.0, 6.0, 4.0, 2.0, 1.0)');
