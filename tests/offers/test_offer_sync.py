"""Syncing with UiTdatabank through a fake Search API on 127.0.0.1: offers appear with stable ids, the same data
changes nothing, a coordinator's edits survive, cancellations reach people with a reminder once, events gone from
the source are cancelled (unless they are over), and a partial fetch never makes anything gone."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.offers import sources
from bot.offers.importers import SourceError
from bot.offers.importers.uitdatabank import offer_id_for
from bot.platform.calendar import ManualClock
from bot.platform.config import Settings, UitSyncSettings
from tests.helpers import brussels, make_settings
from tests.offers.fakesearchapi import FakeSearchApi
from tests.offers.uitdatabank_examples import ATELIER, CONCERT, FEAST, KIMPEL, QUIZ, WORKSHOP, YOGA, events, response

CONCERT_ID = offer_id_for(CONCERT["@id"])
QUERY = "address.\\*.postalCode:3740"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(2026, 12, 1, 10, 0))


@pytest.fixture
async def api() -> AsyncIterator[FakeSearchApi]:
    async with FakeSearchApi([*events(), KIMPEL]) as server:
        yield server


def uit_settings(tmp_path: Path, api: FakeSearchApi) -> Settings:
    settings = make_settings(tmp_path)
    uit = UitSyncSettings(base_url=api.base_url, client_id="test-client", query=QUERY)
    return dataclasses.replace(settings, sync=dataclasses.replace(settings.sync, uit=uit))


@pytest.fixture
async def core(tmp_path, clock, api) -> AsyncIterator[Core]:
    opened = await open_core(uit_settings(tmp_path, api), clock=clock, load_sample=False)
    yield opened
    await opened.close()


async def sync(core: Core) -> sources.SyncReport:
    return await core.sources.sync_uit()


async def status_of(core: Core, event: dict) -> str | None:
    stored = await core.offers.get(offer_id_for(event["@id"]))
    return None if stored is None else stored.status


async def test_the_events_appear_with_ids_from_their_own_ids(core, api):
    report = await sync(core)
    assert (report.added, report.updated, report.unchanged) == (6, 0, 0)
    assert report.skipped == {"Place (not an event)": 1}
    request = api.requests[0]  # asked as the documentation says
    assert request["embed"] == "true" and request["embedUitpasPrices"] == "true" and request["q"] == QUERY
    assert request["x-client-id"] == "test-client"
    assert [await status_of(core, e) for e in (CONCERT, WORKSHOP, ATELIER, YOGA)] == ["published"] * 4
    assert await status_of(core, FEAST) == "cancelled"  # Unavailable
    assert await status_of(core, QUIZ) == "cancelled"  # TemporarilyUnavailable: postponed
    quiz = await core.offers.get(offer_id_for(QUIZ["@id"]))
    assert quiz is not None and quiz.offer.availability == "postponed"
    found = await core.search.search("kerstconcert")
    assert CONCERT_ID in [h.offer_id for h in found.hits]


async def test_the_same_data_again_changes_nothing(core):
    await sync(core)
    history = await core.offers.history(CONCERT_ID)
    report = await sync(core)
    assert (report.added, report.updated, report.unchanged, report.cancelled) == (0, 0, 6, 0)
    assert await core.offers.history(CONCERT_ID) == history


async def test_a_coordinators_additions_survive_the_next_sync(core, api):
    await sync(core)
    stored = await core.offers.get(CONCERT_ID)
    assert stored is not None
    offer = stored.offer
    edited = dataclasses.replace(
        offer,
        transport="Welbi rijdt je er gratis naartoe: bel 089 00 01 20.",
        price=dataclasses.replace(offer.price, reduced=1.0),  # the Rap op Stap price
        keywords=(*offer.keywords, "kerstmis"),
    )
    await core.offers.save(edited, source="telegram", actor="admin:1", status="published")
    api.events[0]["name"]["nl"] = "Kerstconcert van de harmonie Sint-Cecilia"
    api.events[0]["terms"].append({"id": "0.5.0.0.0", "label": "Festival", "domain": "eventtype"})
    report = await sync(core)
    assert report.updated == 1 and report.kept_edits == 1
    after = await core.offers.get(CONCERT_ID)
    assert after is not None
    assert after.offer.title == "Kerstconcert van de harmonie Sint-Cecilia"  # the source's change
    assert after.offer.transport == edited.transport and after.offer.price.reduced == 1.0  # the coordinator's
    assert "kerstmis" in after.offer.keywords and "festival" in after.offer.keywords  # both
    card = (await core.conversation.act(Who(1, 1), f"c1:i:{after.pk}")).messages[0].plain
    assert "💶 €10; kinderen €6; Studenten €8\n💶 met UiTPAS kansentarief €2; met Rap op Stap €1" in card
    await sync(core)
    assert (await core.offers.get(CONCERT_ID)) == after  # and again: nothing moves


async def test_a_cancellation_at_the_source_reaches_people_with_a_reminder_once(core, api):
    await sync(core)
    stored = await core.offers.get(CONCERT_ID)
    assert stored is not None
    await core.people.seen(777, 777)
    await core.reminders.subscribe(777, stored.pk, day_before=True, hours_before=False, every_time=False)
    api.events[0]["status"] = {"type": "Unavailable", "reason": {"nl": "De dirigent is ziek."}}
    api.events[0]["subEvent"][0]["status"] = {"type": "Unavailable"}
    report = await sync(core)
    assert report.cancelled == 1 and await status_of(core, CONCERT) == "cancelled"
    await sync(core)
    notices = await core.db.fetchall("SELECT kind FROM outbox WHERE user_id = 777 AND kind = 'cancelled'")
    assert len(notices) == 1


async def test_gone_from_the_source_with_dates_to_come_is_cancelled_but_what_is_over_stays(core, api, clock):
    await sync(core)
    api.events = [e for e in api.events if e.get("@id") not in (CONCERT["@id"],)]
    report = await sync(core)
    assert report.cancelled == 1 and await status_of(core, CONCERT) == "cancelled"
    clock.set(brussels(2027, 1, 13, 12, 0))  # the yoga evening of 12 January is over
    api.events = [e for e in api.events if e.get("@id") != YOGA["@id"]]
    report = await sync(core)
    assert report.cancelled == 0 and report.gone_over == 1 and await status_of(core, YOGA) == "published"


async def test_what_the_sync_cancelled_comes_back_but_not_what_a_coordinator_cancelled(core, api):
    await sync(core)
    concert = api.events.pop(0)
    await sync(core)
    assert await status_of(core, CONCERT) == "cancelled"
    await core.offers.set_status(offer_id_for(ATELIER["@id"]), "cancelled", actor="admin:1")
    api.events.insert(0, concert)
    report = await sync(core)
    assert report.republished == 1 and await status_of(core, CONCERT) == "published"
    assert await status_of(core, ATELIER) == "cancelled"


async def test_an_offer_a_coordinator_deleted_is_not_brought_back(core):
    await sync(core)
    assert await core.offers.delete(CONCERT_ID, actor="admin:1")
    report = await sync(core)
    assert report.not_restored == 1 and await core.offers.get(CONCERT_ID) is None


async def test_a_partial_fetch_changes_nothing(core, api, monkeypatch):
    await sync(core)
    monkeypatch.setattr(sources, "PAGE_SIZE", 2)
    api.fail_from_page = 1
    with pytest.raises(SourceError, match="500"):
        await sync(core)
    api.fail_from_page = None
    report = await sync(core)  # paged by two: all of it came, nothing is gone
    assert report.cancelled == 0 and len(api.requests) > 4


async def test_wrong_credentials_say_so(core, api):
    api.client_id = "another-client"
    with pytest.raises(SourceError, match="401: Unauthorized"):
        await sync(core)


async def test_the_coordinators_commands(tmp_path, api, capsys, monkeypatch):
    """`python -m bot sync uit` with the config, and `python -m bot import` of a saved Search API response
    (in a worker thread of this process: the commands start their own event loop)."""
    from bot.cli import main

    for name in ("TELEGRAM_BOT_TOKEN", "BOT_CONFIG", "UITDATABANK_CLIENT_ID", "UITDATABANK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "bot.sqlite3"\n[sync.uit]\nbase_url = "{api.base_url}"\n'
        f"client_id = \"test-client\"\nquery = '{QUERY}'\n",
        encoding="utf-8",
    )
    assert await asyncio.to_thread(main, ["--config", str(config), "sync", "uit"]) == 0
    assert capsys.readouterr().out.startswith("uit: 6 new, 0 updated, 0 unchanged, 0 cancelled.")
    saved = tmp_path / "uit.json"
    saved.write_text(json.dumps(response([CONCERT, WORKSHOP])), encoding="utf-8")
    args = ["--config", str(config), "import", str(saved), "--db", str(tmp_path / "other.sqlite3")]
    assert await asyncio.to_thread(main, args) == 0
    assert (
        capsys.readouterr().out == "Imported 2 offers from uit.json: uit: 2 new, 0 updated, 0 unchanged, 0 cancelled.\n"
    )


async def test_the_bot_syncs_by_itself_on_its_schedule(tmp_path, clock, api, app_builder):
    from handlers.app import open_bot

    app, core = await open_bot(uit_settings(tmp_path, api), app_builder, clock=clock, load_sample=False)
    try:
        assert app.job_queue is not None
        job = next(job for job in app.job_queue.jobs() if job.name == "sync-uit")
        assert job.trigger.interval == dt.timedelta(hours=6)
        async with app:
            await job.run(app)
        assert await status_of(core, CONCERT) == "published"
        api.client_id = "another-client"  # the source refuses: logged, nothing changed, the job does not fail
        async with app:
            await job.run(app)
        assert await status_of(core, CONCERT) == "published"
    finally:
        await core.close()


async def test_a_postponement_at_the_source_says_so_to_people_with_a_reminder(core, api, clock):
    from bot.reminders.outbox import OutboxRow

    await sync(core)
    stored = await core.offers.get(CONCERT_ID)
    assert stored is not None
    await core.people.seen(778, 778)
    await core.reminders.subscribe(778, stored.pk, day_before=True, hours_before=False, every_time=False)
    api.events[0]["status"] = {"type": "TemporarilyUnavailable"}
    api.events[0]["subEvent"][0]["status"] = {"type": "TemporarilyUnavailable"}
    await sync(core)
    row = await core.db.fetchone("SELECT * FROM outbox WHERE user_id = 778 AND kind = 'cancelled'")
    assert row is not None
    now = clock.now()
    outbox_row = OutboxRow(row["id"], 778, 778, row["offer_pk"], row["occurrence"], "cancelled", now, now, "planned",
                           0, None, None)  # fmt: skip
    message = await core.reminder_chat.render(outbox_row, now)
    assert message is not None and message.plain.startswith("⏸ Uitgesteld: Kerstconcert van de harmonie")
