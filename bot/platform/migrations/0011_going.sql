-- "Ik ga" / "Ik ga niet" under a reminder, counted per person without storing who (issue 17).
-- Until now an answer was kept with the user id (reminder_answers) until the date had begun, then
-- added to going_counts per date; the report also counted every press. From now on one row per
-- person and date holds the person's last answer, under a keyed hash whose key lives for one
-- calendar month (like the question log's, migration 0004): bot/reminders/answers.py.

-- One random key per month of the dates answered. Destroyed (with secure_delete) by the daily job
-- once that month is over; from then on nobody can tell whose answers those were.
CREATE TABLE going_keys (
    period     TEXT PRIMARY KEY,               -- 'YYYY-MM' of the dates
    secret     BLOB NOT NULL CHECK (length(secret) = 32),
    created_at TEXT NOT NULL                   -- UTC ISO 8601
) WITHOUT ROWID;

-- A person's last answer for one date of an activity. No user id, no reference to people.
CREATE TABLE going_answers (
    offer_id   TEXT NOT NULL,                  -- the offer's id (kept when the offer is deleted)
    occurrence TEXT NOT NULL,                  -- local start 'YYYY-MM-DDTHH:MM' of the date
    person     TEXT NOT NULL,                  -- HMAC(key of the date's month, 'going:' || user id), hex
    going      INTEGER NOT NULL CHECK (going IN (0, 1)),
    PRIMARY KEY (offer_id, occurrence, person)
) WITHOUT ROWID;
CREATE INDEX going_answers_by_person ON going_answers (person);
CREATE INDEX going_answers_by_date ON going_answers (occurrence);

-- reminder_answers stays for now: the rows it still holds (dates not yet begun when the bot was
-- upgraded) move to going_answers at the next start (Reminders.startup), under the keyed hash.
-- going_counts keeps the figures of dates before this migration; nothing new is added to it.
