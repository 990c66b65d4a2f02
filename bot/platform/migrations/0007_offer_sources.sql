-- Offers taken from a source (UiTdatabank, an iCal feed), and what the source last said about each.
--
-- `imported` is the offer exactly as the source gave it at the last sync. A field of the offer that differs
-- from it was changed here, by a coordinator (transport help, a Rap op Stap price, keywords): the next sync
-- keeps that field and takes the source's new value for every other one. The rows stay when a coordinator
-- deletes the offer, so that a sync does not bring it back.
CREATE TABLE offer_sources (
    offer_id      TEXT PRIMARY KEY,           -- offers.id, derived from the source's own id
    source        TEXT NOT NULL,              -- 'uit', 'ical:<feed name>'
    external_id   TEXT NOT NULL,              -- the source's own id: the event's @id, the iCal UID
    imported      TEXT NOT NULL CHECK (json_valid(imported)),
    state         TEXT NOT NULL CHECK (state IN ('available', 'cancelled', 'gone')),  -- what the source says
    cancelled_by_sync INTEGER NOT NULL DEFAULT 0 CHECK (cancelled_by_sync IN (0, 1)),  -- the sync cancelled it,
                                              -- so the sync may publish it again when the source does
    seen_at       TEXT NOT NULL,              -- UTC ISO 8601: the last sync that saw it
    UNIQUE (source, external_id)
);
CREATE INDEX offer_sources_by_source ON offer_sources (source, state);
