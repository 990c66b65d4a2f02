"""'Ik ga' / 'Ik ga niet' (issue 17): one answer per person and date, the last one wins, only from a person
the bot sent a reminder for that date, kept without who (bot/reminders/answers.py), and the report counts
people, not presses."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat.conversation import Who
from bot.insights.generate import make_report
from bot.insights.period import Period
from bot.insights.sources import reminder_figures
from bot.platform.calendar import ManualClock
from bot.reminders.answers import person_hash
from tests.helpers import TZ, brussels, make_settings
from tests.reminders.helpers import FakeSender, FarSide, activity, open_test_core, people, save

QUIZ = dt.datetime(2027, 1, 20, 14, 0)
JANUARY = Period(dt.date(2027, 1, 1), dt.date(2027, 1, 31))


@pytest.fixture
def far() -> FarSide:
    return FarSide()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(2027, 1, 13, 10, 0))


@pytest.fixture
async def core(tmp_path, clock, far):
    opened = await open_test_core(make_settings(tmp_path), clock, FakeSender(far))
    # One message a second per chat, on a clock of its own that sleeping moves (as test_reminders.py does).
    monotonic = [1000.0]

    async def sleep(seconds: float) -> None:
        monotonic[0] += seconds

    opened.dispatcher._monotonic = lambda: monotonic[0]
    opened.dispatcher._sleep = sleep
    yield opened
    await opened.close()


async def reminded(core, clock, *users: int, offer_id: str = "quiz", start: str = "2027-01-20T14:00", **extra):
    """An activity, these people with a reminder for it, and the day-before reminder sent."""
    stored = await save(core, activity(offer_id, start, **extra))
    await people(core, *users)
    for user in users:
        await core.reminders.subscribe(user, stored.pk, day_before=True, hours_before=True, every_time=True)
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    return stored


async def next_week(core, clock) -> None:
    """The daily round plans the reminders for the 27th; the one of the 26th at 18:00 goes out."""
    clock.set(brussels(2027, 1, 26, 3, 30))
    await core.reminders.daily()
    clock.set(brussels(2027, 1, 26, 18, 0))
    await core.dispatcher.run()


async def test_one_answer_per_person_and_date_the_last_one_wins(core, clock):
    stored = await reminded(core, clock, 1, 2, 3)
    for _ in range(3):
        assert await core.reminders.answer(1, stored, QUIZ, going=True)
    assert await core.reminders.answer(2, stored, QUIZ, going=True)
    assert await core.reminders.answer(2, stored, QUIZ, going=False)  # changed their mind
    assert await core.reminders.answer(3, stored, QUIZ, going=False)
    assert await core.reminders.answer(3, stored, QUIZ, going=True)
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (2, 1)}
    assert await core.db.fetchval("SELECT count(*) FROM going_answers") == 3


async def test_only_a_person_who_got_the_reminder_for_that_date_may_answer(core, clock):
    stored = await reminded(core, clock, 1)
    await people(core, 4, 5)
    await core.reminders.subscribe(5, stored.pk, day_before=False, hours_before=True, every_time=False)
    assert not await core.reminders.answer(4, stored, QUIZ, going=True)  # no reminder at all: a forged button
    assert not await core.reminders.answer(5, stored, QUIZ, going=True)  # their reminder has not come yet
    assert await core.reminders.going_counts() == {}
    # Through the conversation, as the button press does: a polite answer, nothing counted.
    reply = await core.conversation.act(Who(4, 4), f"r1:y:{stored.pk}:202701201400")
    assert reply.notice == core.texts.label("reminders.answer_not_yours")
    assert await core.db.fetchval("SELECT count(*) FROM going_answers") == 0
    assert await core.db.fetchval("SELECT count(*) FROM offer_actions WHERE action IN ('going', 'not_going')") == 0
    reply = await core.conversation.act(Who(1, 1), f"r1:y:{stored.pk}:202701201400")
    assert reply.notice == core.texts.label("reminders.going")
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (1, 0)}


async def test_going_again_plans_back_the_reminder_that_not_going_dropped(core, clock, far):
    stored = await reminded(core, clock, 1)
    await core.reminders.answer(1, stored, QUIZ, going=False)
    assert await core.outbox.states() == {"sent": 1, "dropped": 1}
    await core.reminders.answer(1, stored, QUIZ, going=True)
    assert await core.outbox.states() == {"sent": 1, "planned": 1}
    clock.set(brussels(2027, 1, 20, 12, 0))
    await core.dispatcher.run()
    assert far.per_chat() == {1: 2}


async def test_answers_hold_no_user_id_and_become_unlinkable_when_the_month_is_over(core, clock):
    stored = await reminded(core, clock, 4242)
    await core.reminders.answer(4242, stored, QUIZ, going=True)
    columns = {r["name"] for r in await core.db.fetchall("PRAGMA table_info(going_answers)")}
    assert columns == {"offer_id", "occurrence", "person", "going"}
    (row,) = await core.db.fetchall("SELECT person FROM going_answers")
    secret = await core.db.fetchval("SELECT secret FROM going_keys WHERE period = '2027-01'")
    assert row["person"] == person_hash(secret, 4242) and "4242" not in row["person"]
    clock.set(brussels(2027, 1, 31, 23, 0))
    await core.reminders.daily()
    assert await core.db.fetchval("SELECT count(*) FROM going_keys") == 1  # January is not over yet
    clock.set(brussels(2027, 2, 1, 3, 30))
    await core.reminders.daily()
    assert await core.db.fetchval("SELECT count(*) FROM going_keys") == 0
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (1, 0)}


async def test_forget_deletes_answers_still_to_come_and_unlinks_those_that_began(core, clock):
    weekly = await reminded(core, clock, 1, 2, offer_id="zwemmen", start="2027-01-13T14:00", rrule="FREQ=WEEKLY")
    for user in (1, 2):
        assert await core.reminders.answer(user, weekly, QUIZ, going=True)
    await next_week(core, clock)
    for user in (1, 2):
        assert await core.reminders.answer(user, weekly, dt.datetime(2027, 1, 27, 14, 0), going=True)
    clock.set(brussels(2027, 1, 27, 10, 0))  # the 20th is over, the 27th still to come
    secret = await core.db.fetchval("SELECT secret FROM going_keys")
    await core.people.forget(1)
    assert await core.reminders.going_counts() == {
        ("zwemmen", "2027-01-20T14:00"): (2, 0),  # still counted, under a random hash
        ("zwemmen", "2027-01-27T14:00"): (1, 0),
    }
    persons = {r["person"] for r in await core.db.fetchall("SELECT person FROM going_answers")}
    assert person_hash(secret, 1) not in persons and person_hash(secret, 2) in persons


async def test_answers_kept_by_user_id_before_the_upgrade_move_under_the_hash(core, clock):
    stored = await reminded(core, clock, 1, 2)
    await core.db.execute(
        "INSERT INTO reminder_answers (user_id, offer_pk, occurrence, going) VALUES (1, ?, ?, 1), (2, ?, ?, 0)",
        (stored.pk, "2027-01-20T14:00", stored.pk, "2027-01-20T14:00"),
    )
    await core.reminders.startup()
    assert await core.db.fetchval("SELECT count(*) FROM reminder_answers") == 0
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (1, 1)}
    await core.reminders.answer(2, stored, QUIZ, going=True)  # the same person again: still one answer
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (2, 0)}


async def test_the_report_counts_people_not_presses(core, clock):
    stored = await reminded(core, clock, 1, 2, offer_id="zwemmen", start="2027-01-13T14:00", rrule="FREQ=WEEKLY")
    for _ in range(5):
        await core.reminders.answer(1, stored, QUIZ, going=True)
    await core.reminders.answer(2, stored, QUIZ, going=False)
    await next_week(core, clock)
    assert await core.reminders.answer(1, stored, dt.datetime(2027, 1, 27, 14, 0), going=False)  # going to one of two
    assert await core.reminders.answer(2, stored, dt.datetime(2027, 1, 27, 14, 0), going=False)
    figures = await reminder_figures(core.db, JANUARY)
    assert figures is not None
    assert figures.per_offer["zwemmen"]["going"] == 1 and figures.per_offer["zwemmen"]["not_going"] == 1
    assert (figures.totals["going"], figures.totals["not_going"]) == (1, 1)
    report = await make_report(core.db, core.texts, core.analyzer, JANUARY, now=clock.now(), tz=TZ, with_charts=False)
    (row,) = report.table("reminders_per_activity").rows
    assert row[0] == "Activiteit zwemmen" and row[3:] == ("<3", "<3")  # two people stay a small group
    assert "tellen mensen" in report.table("reminders_per_activity").note
