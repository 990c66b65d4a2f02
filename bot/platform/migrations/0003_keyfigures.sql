-- Key figures (sleutelfiguren) who forward offers, their invites, the conversation state of their
-- drafts, and their subscriptions. A key figure's row references people(user_id) ON DELETE CASCADE:
-- /vergeet removes name and organisation; their offers stay, attributed to the organisation
-- (offers.source and the audit trail only hold 'sleutelfiguur-<id> (<organisation>)', never a name).

CREATE TABLE key_figures (
    id            INTEGER PRIMARY KEY,          -- pseudonymous number used in sources and the audit trail
    user_id       INTEGER NOT NULL UNIQUE REFERENCES people (user_id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    trusted       INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1)),   -- offers publish without approval
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),    -- 0: revoked by an admin
    registered_at TEXT NOT NULL,                -- UTC ISO 8601
    changed_at    TEXT NOT NULL,
    changed_by    TEXT NOT NULL                 -- 'admin:<telegram id>', 'cli', 'invite'
);

-- One-time invite codes. A code is claimed (used_at) the moment someone opens the link; the key
-- figure row is made once they have given name and organisation.
CREATE TABLE keyfigure_invites (
    code       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER REFERENCES people (user_id) ON DELETE SET NULL
) WITHOUT ROWID;

-- Where a key figure or admin is in a multi-step exchange (registration, editing a field, waiting for
-- a pasted text). In the database, so a restart in the middle loses nothing.
CREATE TABLE keyfigure_sessions (
    user_id    INTEGER PRIMARY KEY REFERENCES people (user_id) ON DELETE CASCADE,
    step       TEXT NOT NULL,                   -- 'reg_name', 'reg_org', 'field', 'paste'
    offer_id   TEXT,
    field      TEXT,
    data       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- Who submitted an offer, so they hear the result. The offer row keeps its source after /vergeet.
CREATE TABLE offer_submissions (
    offer_id      TEXT PRIMARY KEY REFERENCES offers (id) ON DELETE CASCADE,
    key_figure_id INTEGER REFERENCES key_figures (id) ON DELETE SET NULL,
    submitted_by  INTEGER REFERENCES people (user_id) ON DELETE SET NULL,  -- also admins, who have no row
    created_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Newly published offers a key figure wants to hear about: every offer ('each') or a weekly list.
-- category '' means every category.
CREATE TABLE keyfigure_subscriptions (
    user_id  INTEGER NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    category TEXT NOT NULL DEFAULT '',
    mode     TEXT NOT NULL CHECK (mode IN ('each', 'weekly')),
    since    TEXT NOT NULL,                     -- UTC ISO 8601
    PRIMARY KEY (user_id, category)
) WITHOUT ROWID;

-- Notices already sent (per offer, or per weekly list), so nothing is sent twice after a restart.
CREATE TABLE keyfigure_notices (
    user_id INTEGER NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    what    TEXT NOT NULL,                      -- 'offer:<id>' or 'week:<YYYY-Www>'
    sent_at TEXT NOT NULL,
    PRIMARY KEY (user_id, what)
) WITHOUT ROWID;
