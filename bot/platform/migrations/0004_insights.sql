-- The anonymous question log behind the network's evaluation report (bot/insights).
-- Nothing here references people(user_id): no user id, no chat id, no name. Distinct people are
-- counted with keyed hashes (HMAC-SHA256) whose key changes every calendar month and is destroyed
-- once the month is over, after which nobody can tell whose hash is whose.

-- One random key per calendar month. Deleted (with secure_delete) the first day the month is over.
CREATE TABLE insight_keys (
    period     TEXT PRIMARY KEY,               -- 'YYYY-MM'
    secret     BLOB NOT NULL CHECK (length(secret) = 32),
    created_at TEXT NOT NULL                   -- UTC ISO 8601
) WITHOUT ROWID;

-- Who was reached in a month (any message or button), once per person per month. Stored in hash
-- order (WITHOUT ROWID), so not even the order of arrival is kept.
CREATE TABLE insight_visitors (
    period   TEXT NOT NULL,                    -- 'YYYY-MM'
    visitor  TEXT NOT NULL,                    -- HMAC(key of the month, 'visitor:' || user id), hex
    is_new   INTEGER NOT NULL CHECK (is_new IN (0, 1)),  -- first contact with the bot in this month
    previous TEXT,                             -- 'YYYY-MM' of the person's last contact before this month
    PRIMARY KEY (period, visitor)
) WITHOUT ROWID;

-- One row per question: scrubbed text, the hour, what the bot could do with it.
CREATE TABLE question_log (
    id       INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,                    -- local hour 'YYYY-MM-DD HH:00' (Europe/Brussels)
    asker    TEXT NOT NULL,                    -- HMAC(key of the month, 'asker:' || user id), hex
    text     TEXT NOT NULL,                    -- normalised; phone, e-mail, national number, IBAN replaced
    outcome  TEXT NOT NULL CHECK (outcome IN ('answered', 'nothing', 'out_of_scope', 'empty')),
    info     INTEGER NOT NULL DEFAULT 0 CHECK (info IN (0, 1)),      -- led to 'Meer info' on a found offer
    reminder INTEGER NOT NULL DEFAULT 0 CHECK (reminder IN (0, 1))   -- led to a reminder for a found offer
);
CREATE INDEX question_log_by_time ON question_log (asked_at);

-- The offers a question found, best first (the first ten).
CREATE TABLE question_offers (
    question_id INTEGER NOT NULL REFERENCES question_log (id) ON DELETE CASCADE,
    rank        INTEGER NOT NULL CHECK (rank >= 0),
    offer_id    TEXT NOT NULL,                 -- offers.id (kept when the offer is deleted later)
    PRIMARY KEY (question_id, rank)
) WITHOUT ROWID;
CREATE INDEX question_offers_by_offer ON question_offers (offer_id);

-- Counts of what happened with an offer per day: 'info' (Meer info), 'remind' (a reminder planned),
-- 'remind_sent', 'remind_blocked', 'remind_late', 'remind_failed', 'going', 'not_going'.
CREATE TABLE offer_actions (
    day      TEXT NOT NULL,                    -- local date 'YYYY-MM-DD'
    offer_id TEXT NOT NULL,
    action   TEXT NOT NULL,
    n        INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (day, offer_id, action)
) WITHOUT ROWID;
