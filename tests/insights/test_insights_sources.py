"""Reading other parts' tables defensively: the reminder tables as the reminders branch shapes them,
tables of another shape, none at all; and key figures' offers from the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.core import Core, open_core
from bot.insights.generate import make_report
from bot.insights.period import Period
from bot.insights.sources import reminder_figures, submissions
from bot.offers.model import Offer
from tests.helpers import TZ, brussels, clock_at, make_settings

PERIOD = Period(dt.date(2027, 3, 1), dt.date(2027, 3, 31))

# The shape of the reminders branch's tables (bot/migrations/0003_reminders.sql there), columns the report reads.
# The reminder tables (reminder_subscriptions, outbox, reminder_answers, reminder_counts, going_counts) come
# from the reminders part's migration (bot/migrations/0005_reminders.sql), as in a real database.


@pytest.fixture
async def core(tmp_path) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock_at(2027, 3, 10, 10, 0))
    yield opened
    await opened.close()


async def script(core: Core, sql: str) -> None:
    for statement in filter(str.strip, sql.split(";")):
        await core.db.execute(statement)


async def test_no_reminder_data_at_all_says_so(core):
    assert await reminder_figures(core.db, PERIOD) is None
    report = await make_report(core.db, core.texts, core.analyzer, PERIOD, now=core.clock.now(), tz=TZ)
    (section,) = [s for s in report.sections if s.key == "reminders"]
    assert section.intro == "Nog geen gegevens." and section.tables == ()


async def test_the_reminder_tables_of_the_reminders_branch_are_read(core):
    swim = await core.offers.get("zwemlessen-kinderen-zaterdag")
    film = await core.offers.get("seniorenfilm-de-kimpel")
    await script(
        core,
        f"""
        INSERT INTO reminder_counts VALUES ('2027-03-02', 'subscription', 'once', 4), ('2027-03-09', 'subscription',
            'every_time', 1), ('2027-02-27', 'subscription', 'once', 9), ('2027-03-05', 'day_before', 'sent', 3),
            ('2027-03-05', 'hours_before', 'sent_late', 1), ('2027-03-06', 'day_before', 'dropped:blocked', 2),
            ('2027-03-06', 'hours_before', 'dropped:too_late', 1), ('2027-03-07', 'day_before', 'dropped:not_going', 1),
            ('2027-03-07', 'weekly', 'sent', 50), ('2027-03-08', 'day_before', 'failed:gave_up', 1);
        INSERT INTO going_counts VALUES ('zwemlessen-kinderen-zaterdag', '2027-03-06T10:00', 3, 1),
            ('zwemlessen-kinderen-zaterdag', '2027-04-03T10:00', 7, 0);
        INSERT INTO people (user_id, chat_id, first_seen, last_seen) VALUES (1, 1, '2027-03-01', '2027-03-01');
        INSERT INTO reminder_answers VALUES (1, {film.pk}, '2027-03-20T14:00', 1);
        INSERT INTO reminder_subscriptions (user_id, offer_pk, day_before, hours_before, every_time, created_at) VALUES
            (1, {swim.pk}, 1, 0, 1, '2027-03-02T09:00:00+00:00'), (1, {film.pk}, 1, 0, 1, '2027-03-09T09:00:00+00:00');
        INSERT INTO outbox (user_id, offer_pk, occurrence, kind, planned_at, due_at, state, sent_at) VALUES
            (1, {swim.pk}, '2027-03-06T10:00', 'day_before', 'x', 'x', 'sent', '2027-03-05T17:00:00+00:00');
        """,
    )
    figures = await reminder_figures(core.db, PERIOD)
    assert figures is not None
    assert figures.totals == {
        "remind": 5,  # subscriptions in March only
        "remind_sent": 4,  # the weekly overview is not a reminder
        "remind_blocked": 2,
        "remind_late": 1,
        "remind_dropped": 1,
        "remind_failed": 1,
        "going": 4,  # occurrences in March: 3 counted + 1 live answer; April's 7 are outside the period
        "not_going": 1,
    }
    assert figures.per_offer["zwemlessen-kinderen-zaterdag"] == {
        "going": 3,
        "not_going": 1,
        "remind": 1,
        "remind_sent": 1,
    }
    assert figures.per_offer["seniorenfilm-de-kimpel"] == {"going": 1, "remind": 1}
    assert figures.sources == {"counts", "rows"}
    report = await make_report(core.db, core.texts, core.analyzer, PERIOD, now=core.clock.now(), tz=TZ)
    rows = dict(report.table("reminders").rows)
    assert rows["Gevraagd"] == "5" and rows["Verstuurd"] == "4" and rows["Niet verstuurd"] == "5"
    assert "anonieme dagtellingen" in report.table("reminders").note


async def test_tables_of_another_shape_are_ignored_and_events_still_count(core):
    await core.db.execute("DROP TABLE reminder_counts")
    await core.db.execute("DROP TABLE going_counts")
    await core.db.execute("CREATE TABLE reminder_counts (day TEXT, what TEXT)")
    await core.db.execute("CREATE TABLE going_counts (offer_id TEXT)")
    for action in ("remind", "remind", "remind", "remind_sent", "going", "going"):
        await core.conversation.record_action(action, "zwemlessen-kinderen-zaterdag")
    figures = await reminder_figures(core.db, PERIOD)
    assert figures is not None and figures.sources == {"events"}
    # 'going' events counted presses (and anyone's): the report reads the answers, one per person, only.
    assert figures.totals == {"remind": 3, "remind_sent": 1}


async def test_unknown_actions_and_forged_offer_ids_are_refused(core):
    with pytest.raises(ValueError, match="unknown action"):
        await core.conversation.record_action("delete_everything", "zwemlessen-kinderen-zaterdag")
    with pytest.raises(ValueError, match="not an offer id"):
        await core.conversation.record_action("info", "x'; DROP TABLE offers; --")


async def test_key_figure_offers_from_the_audit_trail(core):
    clock = core.clock
    await core.people.seen(4242, 4242)
    await core.db.execute(
        "INSERT INTO key_figures (id, user_id, name, organisation, registered_at, changed_at, changed_by) "
        "VALUES (7, 4242, 'x', 'Buurtwerk Spurk', 'now', 'now', 'invite')"
    )

    def offer(offer_id: str) -> Offer:
        return Offer.from_dict({"id": offer_id, "kind": "activity", "title": offer_id})

    # A draft by key figure 7 (no organisation in the source), submitted later, approved after 4 hours.
    clock.set(brussels(2027, 3, 2, 9, 0))
    await core.offers.save(offer("kf-draft"), source="telegram:draft", actor="keyfigure:7", status="draft")
    clock.set(brussels(2027, 3, 2, 10, 0))
    await core.offers.save(offer("kf-draft"), source="telegram:draft", actor="keyfigure:7", status="pending")
    clock.set(brussels(2027, 3, 2, 14, 0))
    await core.offers.set_status("kf-draft", "published", actor="admin:1", expected=("pending",))
    # A draft never submitted does not count; an import does not either.
    await core.offers.save(offer("kf-never"), source="telegram:x", actor="keyfigure:7", status="draft")
    await core.offers.save(offer("imported"), source="import:a.json", actor="import:a.json", status="published")
    found = {s.offer_id: s for s in await submissions(core.db)}
    assert set(found) == {"kf-draft"}
    draft = found["kf-draft"]
    assert draft.organisation == "Buurtwerk Spurk"
    assert draft.outcome == "approved" and draft.hours_to_approval == 4.0
    assert draft.submitted_at == brussels(2027, 3, 2, 10, 0)
