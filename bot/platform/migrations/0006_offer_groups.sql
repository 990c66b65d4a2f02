-- The audience groups of each offer, one row per group, so list answers filtered by audience
-- ("iets voor tieners") find their offers through an index instead of reading every offer.
-- Triggers keep it in step with offers.data, whatever code writes the offer.
CREATE TABLE offer_groups (
    grp      TEXT NOT NULL,
    offer_pk INTEGER NOT NULL REFERENCES offers (pk) ON DELETE CASCADE,
    PRIMARY KEY (grp, offer_pk)
) WITHOUT ROWID;
CREATE INDEX offer_groups_by_offer ON offer_groups (offer_pk);

INSERT OR IGNORE INTO offer_groups (grp, offer_pk)
    SELECT value, pk FROM offers, json_each(json_extract(offers.data, '$.audience.groups'));

CREATE TRIGGER offer_groups_after_insert AFTER INSERT ON offers BEGIN
    INSERT OR IGNORE INTO offer_groups (grp, offer_pk)
        SELECT value, NEW.pk FROM json_each(json_extract(NEW.data, '$.audience.groups'));
END;

CREATE TRIGGER offer_groups_after_update AFTER UPDATE OF data ON offers BEGIN
    DELETE FROM offer_groups WHERE offer_pk = NEW.pk;
    INSERT OR IGNORE INTO offer_groups (grp, offer_pk)
        SELECT value, NEW.pk FROM json_each(json_extract(NEW.data, '$.audience.groups'));
END;
