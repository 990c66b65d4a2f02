-- Reminders: who wants which offer reminded and when, the outbox of messages that must go out,
-- and anonymous counts for the network's report. Everything that names a person references
-- people(user_id) ON DELETE CASCADE, so /vergeet removes it all.

-- "Herinner mij" on an offer: one row per person and offer (asking again replaces it).
CREATE TABLE reminder_subscriptions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    offer_pk     INTEGER NOT NULL REFERENCES offers (pk) ON DELETE CASCADE,
    day_before   INTEGER NOT NULL CHECK (day_before IN (0, 1)),    -- "de dag ervoor (18:00)"
    hours_before INTEGER NOT NULL CHECK (hours_before IN (0, 1)),  -- "2 uur op voorhand"
    every_time   INTEGER NOT NULL CHECK (every_time IN (0, 1)),    -- recurring offers: "elke keer"
    occurrence   TEXT,                 -- "alleen de volgende keer": local start 'YYYY-MM-DDTHH:MM' of that one
    created_at   TEXT NOT NULL,        -- UTC ISO 8601
    UNIQUE (user_id, offer_pk),
    CHECK (day_before = 1 OR hours_before = 1),
    CHECK (every_time = 1 OR occurrence IS NOT NULL)
);
CREATE INDEX reminder_subscriptions_by_offer ON reminder_subscriptions (offer_pk);

-- The weekly overview ("wat is er te doen deze week"), optionally only some topics.
CREATE TABLE weekly_subscriptions (
    user_id    INTEGER PRIMARY KEY REFERENCES people (user_id) ON DELETE CASCADE,
    topics     TEXT NOT NULL DEFAULT '',  -- '|kids|sport|'; empty: everything
    created_at TEXT NOT NULL
);

-- The truth of what must be sent. A row is planned once (the UNIQUE keys), claimed ('sending')
-- just before the Bot API call, and marked 'sent' together with Telegram's message id in one
-- statement. A crash leaves at most the one row in flight at 'sending'; start-up sends it again.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    offer_pk   INTEGER REFERENCES offers (pk) ON DELETE CASCADE,  -- NULL: the weekly overview
    occurrence TEXT NOT NULL,     -- local start 'YYYY-MM-DDTHH:MM' of the occurrence; weekly: the day 'YYYY-MM-DD'
    kind       TEXT NOT NULL CHECK (kind IN ('day_before', 'hours_before', 'weekly', 'moved', 'cancelled')),
    planned_at TEXT NOT NULL,     -- UTC: when it should go out (quiet hours applied); lateness is measured from here
    due_at     TEXT NOT NULL,     -- UTC: when it may go out next (later than planned_at after a failed try)
    state      TEXT NOT NULL DEFAULT 'planned'
               CHECK (state IN ('planned', 'sending', 'sent', 'dropped', 'failed', 'cancelled')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    reason     TEXT,              -- why dropped, failed or cancelled ('too_late', 'blocked', 'moved', ...)
    message_id INTEGER,           -- Telegram's answer
    sent_at    TEXT,              -- UTC
    UNIQUE (user_id, offer_pk, occurrence, kind)
);
-- NULLs are distinct in UNIQUE: the weekly overview gets its own once-per-person-and-week key.
CREATE UNIQUE INDEX outbox_weekly_once ON outbox (user_id, occurrence, kind) WHERE offer_pk IS NULL;
CREATE INDEX outbox_due ON outbox (state, due_at);
CREATE INDEX outbox_by_offer ON outbox (offer_pk, state);

-- "Ik ga" / "Ik ga niet" under a reminder, while the occurrence is coming. Folded into the
-- anonymous counts below once it is over.
CREATE TABLE reminder_answers (
    user_id    INTEGER NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    offer_pk   INTEGER NOT NULL REFERENCES offers (pk) ON DELETE CASCADE,
    occurrence TEXT NOT NULL,
    going      INTEGER NOT NULL CHECK (going IN (0, 1)),
    PRIMARY KEY (user_id, offer_pk, occurrence)
) WITHOUT ROWID;

-- Anonymous figures for the network's report: no user ids.
CREATE TABLE reminder_counts (
    day     TEXT NOT NULL,        -- local date 'YYYY-MM-DD'
    kind    TEXT NOT NULL,        -- outbox kind, or 'subscription'
    outcome TEXT NOT NULL,        -- 'planned', 'sent', 'sent_late', 'dropped:too_late', 'dropped:blocked', 'failed:gave_up', ...
    count   INTEGER NOT NULL,
    PRIMARY KEY (day, kind, outcome)
) WITHOUT ROWID;

CREATE TABLE going_counts (
    offer_id   TEXT NOT NULL,     -- the offer's id (kept when the offer is deleted)
    occurrence TEXT NOT NULL,
    going      INTEGER NOT NULL DEFAULT 0,
    not_going  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (offer_id, occurrence)
) WITHOUT ROWID;
