-- Sentence vectors of published offers, the semantic side of the search (bot/search/semantic).
-- The row is written with the offer's index rows, in the same transaction: a changed text keeps its
-- new passage_hash and loses its vector. The vector itself is computed afterwards, outside that
-- transaction (about 60 ms of CPU an offer), and the matcher uses the offers that have one.
CREATE TABLE offer_vectors (
    offer_pk     INTEGER PRIMARY KEY REFERENCES offers (pk) ON DELETE CASCADE,
    passage_hash TEXT NOT NULL,            -- fingerprint of the embedded text (bot.search.semantic.passages)
    model        TEXT,                     -- the model that computed `vector`
    vector       BLOB                      -- float16 little-endian, L2-normalised; NULL: still to compute
);
CREATE INDEX offer_vectors_pending ON offer_vectors (offer_pk) WHERE vector IS NULL;

-- Offers published before this version get their vector at the next start of the bot.
INSERT INTO offer_vectors (offer_pk, passage_hash) SELECT pk, '' FROM offers WHERE status = 'published';

-- Bumped whenever vectors are written, so running matchers (also in other processes) reload them.
INSERT INTO meta (key, value) VALUES ('vector_generation', '0');
