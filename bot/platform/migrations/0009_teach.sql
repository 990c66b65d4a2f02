-- What coordinators taught the bot from the questions it could not answer (bot/teach, issue 15).
-- The lead renumbers this file at merge (the brief reserved 0012; the loader refuses gaps).
-- Only the taught question texts are stored (scrubbed like the question log) and nothing about who asked them.

-- One step a coordinator took: link questions to offers, refer them elsewhere, mark them as a wish
-- (the offer is missing), or ignore them. A step is never deleted: undo marks it undone.
CREATE TABLE teach_lessons (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('link', 'refer', 'wish', 'ignore')),
    note       TEXT,                           -- the referral (refer) or the coordinator's note (wish)
    created_at TEXT NOT NULL,                  -- UTC ISO 8601
    created_by TEXT NOT NULL,                  -- 'admin:<telegram id>', 'cli', 'import:<file name>'
    undone_at  TEXT,                           -- UTC ISO 8601, when undone
    undone_by  TEXT
);

-- The questions of a step: one, or every wording of a theme.
CREATE TABLE teach_questions (
    lesson_id INTEGER NOT NULL REFERENCES teach_lessons (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    text      TEXT NOT NULL,                   -- scrubbed, lower-case (bot.insights.scrub.normalise)
    PRIMARY KEY (lesson_id, position)
) WITHOUT ROWID;

-- The offers a link step points to, in the coordinator's order (offers.id; kept when an offer goes).
CREATE TABLE teach_offers (
    lesson_id INTEGER NOT NULL REFERENCES teach_lessons (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    offer_id  TEXT NOT NULL,
    PRIMARY KEY (lesson_id, position)
) WITHOUT ROWID;
CREATE INDEX teach_offers_by_offer ON teach_offers (offer_id);

-- The audit trail: who taught or undid what, and when.
CREATE TABLE teach_events (
    seq       INTEGER PRIMARY KEY,
    lesson_id INTEGER NOT NULL,
    at        TEXT NOT NULL,                   -- UTC ISO 8601
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('taught', 'undone', 'imported', 'noted')),
    details   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
CREATE INDEX teach_events_by_lesson ON teach_events (lesson_id, seq);

-- How many later questions a step answered, per local day: counts only, for the report.
CREATE TABLE teach_uses (
    lesson_id INTEGER NOT NULL,
    day       TEXT NOT NULL,                   -- local date 'YYYY-MM-DD'
    n         INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (lesson_id, day)
) WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES ('teach_generation', '0');
