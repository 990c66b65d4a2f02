"""The offer store: all-or-nothing imports, statuses that survive re-imports, the audit trail and the index."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core import Core, open_core
from bot.offers.fileformat import read_offer_file
from bot.offers.model import Offer
from bot.offers.store import SaveSummary, UnknownOfferError
from bot.platform.calendar import last_end
from tests.helpers import DATA, FIXTURES, clock_at, make_settings

# A made-up word that no other offer uses, so that a search for it finds this offer or nothing.
BALLOON = {
    "id": "ballonvaart-zorgvrij",
    "kind": "activity",
    "title": "Ballonvaart boven Bilzen",
    "summary": "Een luchtballon voor het hele gezin.",
    "categories": ["uitstap", "gezin"],
    "keywords": ["luchtballon"],
    "audience": {"min_age": 6, "max_age": None, "groups": ["gezinnen", "kinderen"]},
    "price": {"regular": 25, "reduced": 5},
    "when": {"start": "2027-03-13T14:00", "end": "2027-03-13T16:00"},
}
WEEKLY = {
    "id": "petanque-dinsdag",
    "kind": "activity",
    "title": "Petanque op dinsdag",
    "categories": ["sport", "senioren"],
    "audience": {"groups": ["senioren"]},
    "when": {
        "start": "2027-01-05T14:00",
        "end": "2027-01-05T16:30",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959",
    },
}
FOREVER = {
    "id": "taalcafe-maandelijks",
    "kind": "activity",
    "title": "Taalcafé",
    "when": {"start": "2027-01-18T19:00", "end": "2027-01-18T21:00", "rrule": "FREQ=MONTHLY;BYDAY=3MO"},
}
DISCOUNT = {"id": "bib-gratis", "kind": "discount", "title": "Gratis lid van de bib", "categories": ["bibliotheek"]}


def offer(data: dict[str, Any], **changes: Any) -> Offer:
    return Offer.from_dict({**data, **changes})


@pytest.fixture
async def core(tmp_path) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 13, 10, 0), load_sample=False)
    yield opened
    await opened.close()


async def indexed_pks(core: Core) -> set[int]:
    return {r[0] for r in await core.db.fetchall("SELECT rowid FROM offer_text")}


async def index_state(core: Core) -> tuple[list[tuple], list[tuple], list[tuple]]:
    text = await core.db.fetchall("SELECT rowid, * FROM offer_text ORDER BY rowid")
    vocabulary = await core.db.fetchall("SELECT word, stem, df FROM vocabulary ORDER BY word")
    occurrences = await core.db.fetchall("SELECT offer_pk, start, end FROM occurrences ORDER BY offer_pk, start")
    return [tuple(r) for r in text], [tuple(r) for r in vocabulary], [tuple(r) for r in occurrences]


async def generation(core: Core) -> int:
    return int(await core.db.fetchval("SELECT value FROM meta WHERE key = 'index_generation'"))


async def found(core: Core, question: str) -> list[str]:
    result = await core.search.search(question, today=dt.date(2027, 1, 13))
    return [hit.offer_id for hit in result.hits]


# --- saving ---------------------------------------------------------------------------------------


async def test_new_offers_are_added_published_and_searchable(core):
    summary = await core.offers.save_many(
        [offer(BALLOON), offer(WEEKLY), offer(DISCOUNT)], source="import:a.json", actor="import:a.json"
    )
    assert summary == SaveSummary(added=3, updated=0, unchanged=0)
    stored = await core.offers.get("ballonvaart-zorgvrij")
    assert stored is not None
    assert stored.offer == offer(BALLOON)
    assert stored.status == "published"
    assert stored.source == "import:a.json"
    assert stored.created_at == stored.updated_at == "2027-01-13T09:00:00+00:00"  # UTC
    assert await core.offers.get_by_pk(stored.pk) == stored
    assert await indexed_pks(core) == {s.pk for s in await core.offers.select()}
    assert await found(core, "luchtballon") == ["ballonvaart-zorgvrij"]


async def test_save_many_is_all_or_nothing(core):
    await core.offers.save_many([offer(DISCOUNT), offer(WEEKLY)], source="first", actor="import:first")
    before_rows = [tuple(r) for r in await core.db.fetchall("SELECT * FROM offers ORDER BY pk")]
    before_events = await core.db.fetchval("SELECT count(*) FROM offer_events")
    before_index = await index_state(core)
    before_generation = await generation(core)
    # The database itself refuses the third offer (its kind fails the table's CHECK), after two were written.
    broken = dataclasses.replace(offer(BALLOON, id="kapot"), kind="evenement")
    batch = [offer(BALLOON), offer(DISCOUNT, title="Bib: lid worden is gratis"), broken]
    with pytest.raises(sqlite3.IntegrityError):
        await core.offers.save_many(batch, source="second", actor="import:second")
    assert [tuple(r) for r in await core.db.fetchall("SELECT * FROM offers ORDER BY pk")] == before_rows
    assert await core.db.fetchval("SELECT count(*) FROM offer_events") == before_events
    assert await index_state(core) == before_index
    assert await generation(core) == before_generation
    assert await found(core, "luchtballon") == []
    # And the store still works afterwards.
    assert (await core.offers.save_many([offer(BALLOON)], source="third", actor="x")).added == 1


async def test_reimport_updates_by_id_and_keeps_the_status_an_admin_set(core):
    await core.offers.save_many([offer(BALLOON), offer(WEEKLY)], source="import:v1.json", actor="import:v1.json")
    await core.offers.set_status("ballonvaart-zorgvrij", "cancelled", actor="admin:an", note="regen")
    pk_before = (await core.offers.get("ballonvaart-zorgvrij")).pk  # type: ignore[union-attr]
    core.clock.advance(dt.timedelta(days=1))  # type: ignore[attr-defined]
    summary = await core.offers.save_many(
        [offer(BALLOON, title="Ballonvaart boven Bilzen (nieuwe datum)"), offer(WEEKLY), offer(DISCOUNT)],
        source="import:v2.json",
        actor="import:v2.json",
    )
    assert summary == SaveSummary(added=1, updated=1, unchanged=1)
    stored = await core.offers.get("ballonvaart-zorgvrij")
    assert stored is not None
    assert stored.pk == pk_before
    assert stored.offer.title == "Ballonvaart boven Bilzen (nieuwe datum)"
    assert stored.status == "cancelled"  # the re-import did not bring it back
    assert stored.source == "import:v2.json"
    assert stored.created_at == "2027-01-13T09:00:00+00:00"
    assert stored.updated_at == "2027-01-14T09:00:00+00:00"
    assert pk_before not in await indexed_pks(core)
    assert await found(core, "luchtballon") == []
    assert await core.offers.count() == 3


async def test_update_of_a_published_offer_replaces_its_index_rows(core):
    await core.offers.save_many([offer(BALLOON)], source="a", actor="a")
    assert await found(core, "luchtballon") == ["ballonvaart-zorgvrij"]
    renamed = offer(BALLOON, title="Zeppelintocht boven Bilzen", keywords=["zeppelin"], summary=None)
    assert (await core.offers.save_many([renamed], source="b", actor="b")).updated == 1
    assert await found(core, "luchtballon") == []
    assert await found(core, "zeppelintocht") == ["ballonvaart-zorgvrij"]
    words = {r[0] for r in await core.db.fetchall("SELECT word FROM vocabulary")}
    assert "luchtballon" not in words and "zeppelin" in words


async def test_unchanged_offers_write_no_audit_event(core):
    await core.offers.save_many([offer(BALLOON), offer(WEEKLY)], source="a", actor="import:a")
    events = await core.db.fetchall("SELECT * FROM offer_events")
    stored = await core.offers.get("ballonvaart-zorgvrij")
    gen = await generation(core)
    core.clock.advance(dt.timedelta(hours=5))  # type: ignore[attr-defined]
    # The same offers, also written differently (spaces, a key order, an explicit null): nothing changed.
    again = Offer.from_dict(json.loads(json.dumps({**BALLOON, "title": f"  {BALLOON['title']} ", "summary": None})))
    summary = await core.offers.save_many(
        [offer(WEEKLY), Offer.from_dict({**again.to_dict(), "summary": BALLOON["summary"]})], source="b", actor="b"
    )
    assert summary == SaveSummary(added=0, updated=0, unchanged=2)
    assert await core.db.fetchall("SELECT * FROM offer_events") == events
    assert await core.offers.get("ballonvaart-zorgvrij") == stored  # not even updated_at moved
    assert await generation(core) == gen


async def test_save_sets_exactly_the_status_given(core):
    draft = await core.offers.save(offer(BALLOON), source="telegram:jan", actor="keyfigure:jan", status="draft")
    assert draft.status == "draft"
    assert await indexed_pks(core) == set()
    pending = await core.offers.save(offer(BALLOON), source="telegram:jan", actor="keyfigure:jan", status="pending")
    assert pending.status == "pending"
    published = await core.offers.save(offer(BALLOON), source="admin", actor="admin:an", status="published")
    assert published.status == "published"
    assert await indexed_pks(core) == {published.pk}
    actions = [(e.action, e.details.get("status")) for e in await core.offers.history(BALLOON["id"])]
    assert actions == [("created", "draft"), ("updated", ["draft", "pending"]), ("updated", ["pending", "published"])]
    with pytest.raises(ValueError, match="unknown status 'live'"):
        await core.offers.save(offer(BALLOON), source="x", actor="x", status="live")
    with pytest.raises(ValueError, match="unknown status"):
        await core.offers.save_many([offer(WEEKLY)], source="x", actor="x", status="gepubliceerd")
    assert await core.offers.get(WEEKLY["id"]) is None


async def test_save_many_with_status_applies_to_new_offers_only(core):
    await core.offers.save_many([offer(BALLOON)], source="a", actor="a")
    await core.offers.save_many([offer(BALLOON, title="Nieuw"), offer(WEEKLY)], source="b", actor="b", status="pending")
    assert (await core.offers.get(BALLOON["id"])).status == "published"  # type: ignore[union-attr]
    assert (await core.offers.get(WEEKLY["id"])).status == "pending"  # type: ignore[union-attr]


# --- statuses and the search index --------------------------------------------------------------------


async def test_status_changes_add_and_remove_the_offer_from_the_index(core):
    stored = await core.offers.save(offer(BALLOON), source="telegram:jan", actor="keyfigure:jan", status="pending")
    assert await indexed_pks(core) == set()
    assert await core.db.fetchval("SELECT count(*) FROM occurrences") == 0
    assert await found(core, "luchtballon") == []

    gen = await generation(core)
    published = await core.offers.set_status(BALLOON["id"], "published", actor="admin:an", expected=("pending",))
    assert published.status == "published"
    assert await indexed_pks(core) == {stored.pk}
    rows = await core.db.fetchall("SELECT start, end FROM occurrences WHERE offer_pk = ?", (stored.pk,))
    assert [tuple(r) for r in rows] == [("2027-03-13T14:00", "2027-03-13T16:00")]
    assert await generation(core) == gen + 1
    assert await found(core, "luchtballon") == [BALLOON["id"]]

    await core.offers.set_status(BALLOON["id"], "cancelled", actor="admin:an", note="te veel wind")
    assert await indexed_pks(core) == set()
    assert await core.db.fetchval("SELECT count(*) FROM occurrences") == 0
    assert await core.db.fetchval("SELECT count(*) FROM vocabulary WHERE word = 'luchtballon'") == 0
    assert await found(core, "luchtballon") == []

    await core.offers.set_status(BALLOON["id"], "published", actor="admin:an")
    assert await found(core, "luchtballon") == [BALLOON["id"]]


async def test_setting_the_same_status_again_changes_nothing(core):
    await core.offers.save_many([offer(BALLOON)], source="a", actor="a")
    events = await core.offers.history(BALLOON["id"])
    gen = await generation(core)
    await core.offers.set_status(BALLOON["id"], "published", actor="admin:an")
    assert await core.offers.history(BALLOON["id"]) == events
    assert await generation(core) == gen
    assert len(await indexed_pks(core)) == 1


async def test_second_approval_is_refused(core):
    await core.offers.save(offer(BALLOON), source="telegram:jan", actor="keyfigure:jan", status="pending")
    await core.offers.set_status(BALLOON["id"], "published", actor="admin:an", expected=("pending",))
    with pytest.raises(ValueError, match="offer ballonvaart-zorgvrij is published, not pending"):
        await core.offers.set_status(BALLOON["id"], "published", actor="admin:piet", expected=("pending",))
    statuses = [e for e in await core.offers.history(BALLOON["id"]) if e.action == "status"]
    assert [(e.actor, e.details) for e in statuses] == [("admin:an", {"from": "pending", "to": "published"})]


async def test_two_admins_approving_at_the_same_moment_publish_once(core):
    await core.offers.save(offer(BALLOON), source="telegram:jan", actor="keyfigure:jan", status="pending")

    async def approve(admin: str) -> str:
        stored = await core.offers.set_status(BALLOON["id"], "published", actor=admin, expected=("pending",))
        return stored.status

    results = await asyncio.gather(approve("admin:an"), approve("admin:piet"), return_exceptions=True)
    assert sorted(map(type, results), key=str) == sorted([str, ValueError], key=str)
    statuses = [e for e in await core.offers.history(BALLOON["id"]) if e.action == "status"]
    assert len(statuses) == 1
    assert await core.db.fetchval("SELECT count(*) FROM offer_text") == 1


async def test_unknown_offer(core):
    with pytest.raises(UnknownOfferError):
        await core.offers.set_status("bestaat-niet", "published", actor="admin:an")
    assert await core.offers.get("bestaat-niet") is None
    assert await core.offers.delete("bestaat-niet", actor="admin:an") is False
    assert await core.offers.history("bestaat-niet") == []


# --- deleting and history ----------------------------------------------------------------------------


async def test_delete_removes_offer_and_index_but_keeps_the_history(core):
    await core.offers.save_many([offer(BALLOON), offer(WEEKLY)], source="a", actor="import:a")
    stored = await core.offers.get(BALLOON["id"])
    assert stored is not None
    assert await core.offers.delete(BALLOON["id"], actor="admin:an") is True
    assert await core.offers.get(BALLOON["id"]) is None
    assert stored.pk not in await indexed_pks(core)
    assert await core.db.fetchval("SELECT count(*) FROM occurrences WHERE offer_pk = ?", (stored.pk,)) == 0
    assert await found(core, "luchtballon") == []
    assert await core.offers.count() == 1
    history = await core.offers.history(BALLOON["id"])
    assert [(e.action, e.actor) for e in history] == [("created", "import:a"), ("deleted", "admin:an")]
    assert history[-1].details == {"title": BALLOON["title"]}
    assert await core.offers.delete(BALLOON["id"], actor="admin:an") is False
    # Importing it again makes a new offer with a fresh history entry.
    assert (await core.offers.save_many([offer(BALLOON)], source="b", actor="import:b")).added == 1
    assert [e.action for e in await core.offers.history(BALLOON["id"])] == ["created", "deleted", "created"]


async def test_history_tells_who_changed_what_and_when(core):
    clock = core.clock
    await core.offers.save_many([offer(BALLOON)], source="import:aanbod.json", actor="import:aanbod.json")
    clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
    await core.offers.save_many(
        [offer(BALLOON, title="Ballonvaart", price={"regular": 25, "reduced": 3})], source="x", actor="admin:an"
    )
    clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
    await core.offers.set_status(BALLOON["id"], "cancelled", actor="admin:piet", note="storm")
    history = await core.offers.history(BALLOON["id"])
    assert [(e.at, e.actor, e.action, e.details) for e in history] == [
        (
            "2027-01-13T09:00:00+00:00",
            "import:aanbod.json",
            "created",
            {"status": "published", "source": "import:aanbod.json"},
        ),
        ("2027-01-13T10:00:00+00:00", "admin:an", "updated", {"fields": ["price", "title"]}),
        (
            "2027-01-13T11:00:00+00:00",
            "admin:piet",
            "status",
            {"from": "published", "to": "cancelled", "note": "storm"},
        ),
    ]


# --- derived columns and reading ----------------------------------------------------------------------


async def test_derived_columns_match_the_offer(core):
    await core.offers.save_many([offer(BALLOON), offer(WEEKLY), offer(FOREVER), offer(DISCOUNT)], source="a", actor="a")
    rows = {r["id"]: r for r in await core.db.fetchall("SELECT * FROM offers")}
    ballon = rows["ballonvaart-zorgvrij"]
    assert (ballon["first_start"], ballon["last_end"]) == ("2027-03-13T14:00", "2027-03-13T16:00")
    assert (ballon["min_age"], ballon["max_age"]) == (6, None)
    assert ballon["groups"] == "|gezinnen|kinderen|"
    assert ballon["categories"] == "|uitstap|gezin|"
    assert (ballon["price_regular"], ballon["price_reduced"]) == (25, 5)
    assert (ballon["kind"], ballon["title"]) == ("activity", "Ballonvaart boven Bilzen")
    weekly = rows["petanque-dinsdag"]
    assert (weekly["first_start"], weekly["last_end"]) == ("2027-01-05T14:00", "2027-06-29T16:30")
    assert weekly["groups"] == "|senioren|"
    forever = rows["taalcafe-maandelijks"]
    assert (forever["first_start"], forever["last_end"]) == ("2027-01-18T19:00", None)
    discount = rows["bib-gratis"]
    assert (discount["first_start"], discount["last_end"], discount["groups"]) == (None, None, "")
    assert discount["price_regular"] is None


@pytest.mark.parametrize("path", [DATA / "offers.json", FIXTURES / "eval" / "offers.json"], ids=["data", "eval"])
async def test_derived_columns_of_every_sample_offer(core, path):
    offers = read_offer_file(path)
    await core.offers.save_many(offers, source="sample", actor="system")
    rows = {r["id"]: r for r in await core.db.fetchall("SELECT * FROM offers")}
    assert set(rows) == {o.id for o in offers}
    for o in offers:
        row = rows[o.id]
        assert json.loads(row["data"]) == o.to_dict()
        expected_start = o.when.start.strftime("%Y-%m-%dT%H:%M") if o.when else None
        ends = last_end(o.when) if o.when else None
        assert row["first_start"] == expected_start, o.id
        assert row["last_end"] == (ends.strftime("%Y-%m-%dT%H:%M") if ends else None), o.id
        assert row["groups"] == ("|" + "|".join(o.audience.groups) + "|" if o.audience.groups else ""), o.id
        assert row["categories"] == ("|" + "|".join(o.categories) + "|" if o.categories else ""), o.id
        assert (row["min_age"], row["max_age"]) == (o.audience.min_age, o.audience.max_age), o.id
        assert (row["price_regular"], row["price_reduced"]) == (o.price.regular, o.price.reduced), o.id
        if o.when and o.when.rrule and "UNTIL" in o.when.rrule:
            assert row["last_end"] is not None and row["last_end"] >= row["first_start"], o.id


async def test_list_count_and_get_many(core):
    await core.offers.save_many([offer(BALLOON), offer(WEEKLY), offer(DISCOUNT)], source="a", actor="a")
    await core.offers.save(offer(FOREVER), source="b", actor="b", status="draft")
    assert [s.offer.id for s in await core.offers.select()] == [
        "ballonvaart-zorgvrij",
        "bib-gratis",
        "petanque-dinsdag",
    ]
    assert [s.offer.id for s in await core.offers.select(statuses=("draft",))] == ["taalcafe-maandelijks"]
    assert [s.offer.id for s in await core.offers.select(kind="discount")] == ["bib-gratis"]
    assert [s.offer.id for s in await core.offers.select(category="sport")] == ["petanque-dinsdag"]
    assert [s.offer.id for s in await core.offers.select(category="spor")] == []  # whole categories only
    assert await core.offers.count() == 4
    assert await core.offers.count("published") == 3
    many = await core.offers.get_many(["bib-gratis", "bestaat-niet", "taalcafe-maandelijks"])
    assert set(many) == {"bib-gratis", "taalcafe-maandelijks"}
    assert await core.offers.get_many([]) == {}


async def test_index_always_equals_a_full_rebuild(core):
    """After any mix of writes, the incremental index is exactly what a rebuild from the offers gives."""
    await core.offers.save_many(read_offer_file(DATA / "offers.json")[:20], source="sample", actor="system")
    await core.offers.save_many([offer(BALLOON), offer(WEEKLY), offer(FOREVER)], source="a", actor="a")
    await core.offers.save_many(
        [offer(BALLOON, keywords=["luchtballon", "mand"]), offer(WEEKLY)], source="b", actor="b"
    )
    await core.offers.set_status(WEEKLY["id"], "cancelled", actor="admin")
    await core.offers.set_status(WEEKLY["id"], "published", actor="admin")
    await core.offers.set_status(FOREVER["id"], "draft", actor="admin")
    await core.offers.delete(BALLOON["id"], actor="admin")
    incremental = await index_state(core)
    assert await core.offers.rebuild_index() == await core.offers.count("published")
    assert await index_state(core) == incremental
