-- How many people reached out in distress, per month, and where the bot sent them (bot/care/counts.py).
-- Counts only: no user id, no hash, no hour, no text. A message recognised as a crisis is never stored
-- anywhere else either (not in question_log, not scrubbed). People are told apart in memory only, per
-- month, so the database cannot tell who reached out, not even while the month lasts.
CREATE TABLE care_counts (
    period   TEXT NOT NULL,                    -- 'YYYY-MM' (local)
    category TEXT NOT NULL CHECK (category IN ('suicide', 'violence', 'emergency', 'distress', 'material', 'money')),
    topic    TEXT NOT NULL DEFAULT '',         -- for material and money: 'rent', 'food', ...; '' otherwise
    sent_to  TEXT NOT NULL,                    -- the line the answer put first: '1813', '1712', '112', '106', ...
    messages INTEGER NOT NULL DEFAULT 0 CHECK (messages >= 0),
    people   INTEGER NOT NULL DEFAULT 0 CHECK (people >= 0),  -- distinct within the month (see counts.py)
    PRIMARY KEY (period, category, topic, sent_to)
) WITHOUT ROWID;
