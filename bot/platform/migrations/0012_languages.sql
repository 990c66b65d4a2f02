-- The language the bot speaks with a person (bot/lang): what they chose with /taal, what a question of
-- theirs was clearly written in, or what Telegram said at their first contact. NULL: Dutch, nothing
-- known. Part of the person's row, so /vergeet removes it with everything else.
ALTER TABLE people ADD COLUMN lang TEXT;  -- a code of bot/lang/languages.py LANGUAGES (checked there)

-- The language a question was answered in, for the report's count of questions per language (anonymous,
-- like the rest of the row). Questions logged before this version were all answered in Dutch.
ALTER TABLE question_log ADD COLUMN lang TEXT NOT NULL DEFAULT 'nl';
