-- The people who talk to the bot: only what is needed to answer them and send what they asked for.
-- No names, no phone numbers. Every table that holds something of a person references this one
-- with ON DELETE CASCADE, so /vergeet (deleting the row) removes all of it at once.
CREATE TABLE people (
    user_id    INTEGER PRIMARY KEY,            -- Telegram user id (0: the terminal chat)
    chat_id    INTEGER NOT NULL,               -- the private chat messages go to
    first_seen TEXT NOT NULL,                  -- date only (YYYY-MM-DD)
    last_seen  TEXT NOT NULL,                  -- date only
    stopped_at TEXT,                           -- /stop: send nothing the person did not just ask for
    blocked_at TEXT                            -- Telegram answered 403: the person blocked the bot
);
