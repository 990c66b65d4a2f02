"""Reminders in the core: planning, exactly-once sending, restarts, quiet hours, DST, offer changes.

Time is a ManualClock moved by hand; the dispatcher is run the way the scheduler job runs it.
The sender is the protocol without Telegram (tests/reminders/helpers.py); the Telegram side has its
own tests in test_telegram_reminders.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.platform.calendar import ManualClock
from bot.reminders.outbox import utc_text
from bot.reminders.sending import Blocked, Rejected, RetryLater, Transient
from tests.helpers import brussels, make_settings
from tests.reminders.helpers import (
    FakeSender,
    FarSide,
    SimulatedCrash,
    activity,
    crash,
    open_test_core,
    people,
    save,
)

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def far():
    return FarSide()


@pytest.fixture
def clock():
    return ManualClock(brussels(2027, 1, 13, 10, 0))


@pytest.fixture
async def core(settings, clock, far):
    opened = await open_test_core(settings, clock, FakeSender(far))
    yield opened
    await opened.close()


async def planned(core) -> list[tuple[int, str, str, str]]:
    rows = await core.db.fetchall(
        "SELECT user_id, kind, occurrence, planned_at FROM outbox WHERE state = 'planned' ORDER BY planned_at, user_id"
    )
    return [(r["user_id"], r["kind"], r["occurrence"], r["planned_at"]) for r in rows]


async def states(core) -> dict[str, int]:
    return await core.outbox.states()


# --- planning -----------------------------------------------------------------------------------


async def test_both_reminders_are_planned_at_local_wall_clock_times(core):
    stored = await save(core, activity("petanque", "2027-01-20T14:00"))
    await people(core, 1)
    result = await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=True, every_time=False)
    assert [p.kind for p in result.planned] == ["day_before", "hours_before"]
    assert await planned(core) == [
        (1, "day_before", "2027-01-20T14:00", utc_text(brussels(2027, 1, 19, 18, 0))),
        (1, "hours_before", "2027-01-20T14:00", utc_text(brussels(2027, 1, 20, 12, 0))),
    ]


async def test_subscribing_twice_plans_nothing_twice(core):
    stored = await save(core, activity("petanque", "2027-01-20T14:00"))
    await people(core, 1)
    for _ in range(3):
        await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=False, every_time=False)
    await core.reminders.plan_all()
    assert len(await planned(core)) == 1
    assert await core.db.fetchval("SELECT count(*) FROM outbox") == 1
    # Changing the choice cancels what is no longer wanted and plans the new one once.
    await core.reminders.subscribe(1, stored.pk, day_before=False, hours_before=True, every_time=False)
    assert [kind for _, kind, _, _ in await planned(core)] == ["hours_before"]


async def test_too_late_for_any_reminder_keeps_nothing(core, clock):
    stored = await save(core, activity("soon", "2027-01-13T11:00"))
    await people(core, 1)
    result = await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=True, every_time=False)
    assert result.subscription is None and result.planned == ()
    assert await core.reminders.subscriptions(1) == []


async def test_every_time_plans_a_week_ahead_and_the_daily_run_tops_up(core, clock):
    stored = await save(core, activity("zwemmen", "2027-01-06T14:00", rrule="FREQ=WEEKLY;BYDAY=WE"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=False, every_time=True)
    assert [occ for _, _, occ, _ in await planned(core)] == ["2027-01-20T14:00"]
    clock.set(brussels(2027, 1, 20, 16, 30))
    await core.reminders.daily()
    assert "2027-01-27T14:00" in [occ for _, _, occ, _ in await planned(core)]


# --- daylight saving ----------------------------------------------------------------------------


async def test_day_before_stays_18h_across_the_spring_change(core, clock, far):
    # Sunday 28 March 2027 clocks go from 02:00 to 03:00: 18:00 that day is 16:00 UTC, not 17:00.
    clock.set(brussels(2027, 3, 26, 10, 0))
    stored = await save(core, activity("quiz", "2027-03-29T14:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=True, every_time=False)
    assert [at for _, _, _, at in await planned(core)] == [
        "2027-03-28T16:00:00+00:00",  # Sunday 18:00 CEST
        "2027-03-29T10:00:00+00:00",  # Monday 12:00 CEST
    ]
    clock.set(utc(2027, 3, 28, 15, 59))  # 17:59 local: the old offset would already send
    await core.dispatcher.run()
    assert far.received == []
    clock.set(utc(2027, 3, 28, 16, 0))  # 18:00 local
    await core.dispatcher.run()
    assert len(far.received) == 1 and "morgen is het zover" in far.received[0][1]


async def test_every_week_reminder_moves_with_the_clock_in_march_and_october(core, clock):
    clock.set(brussels(2027, 3, 20, 10, 0))
    stored = await save(core, activity("yoga", "2027-03-01T14:00", rrule="FREQ=WEEKLY;BYDAY=MO"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=False, every_time=True)
    assert [at for _, _, _, at in await planned(core)] == ["2027-03-21T17:00:00+00:00"]  # Sunday 18:00 CET
    clock.set(brussels(2027, 3, 23, 3, 30))
    await core.reminders.daily()
    assert [at for _, _, _, at in await planned(core)] == [
        "2027-03-21T17:00:00+00:00",
        "2027-03-28T16:00:00+00:00",  # Sunday 18:00 CEST, the day the clocks change
    ]
    # Last Sunday of October 2027 (31 Oct): 18:00 is 17:00 UTC again.
    clock.set(brussels(2027, 10, 20, 3, 30))
    await core.reminders.daily()
    assert ("2027-10-25T14:00", "2027-10-24T16:00:00+00:00") in [(occ, at) for _, _, occ, at in await planned(core)]
    clock.set(brussels(2027, 10, 27, 3, 30))
    await core.reminders.daily()
    assert ("2027-11-01T14:00", "2027-10-31T17:00:00+00:00") in [(occ, at) for _, _, occ, at in await planned(core)]


async def test_hours_before_counts_real_hours_over_the_autumn_change(core, clock, far):
    clock.set(brussels(2027, 10, 30, 10, 0))
    stored = await save(core, activity("brunch", "2027-10-31T11:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=False, hours_before=True, every_time=False)
    assert [at for _, _, _, at in await planned(core)] == ["2027-10-31T08:00:00+00:00"]  # 09:00 CET
    clock.set(brussels(2027, 10, 31, 9, 0))
    await core.dispatcher.run()
    assert len(far.received) == 1 and "straks om 11:00" in far.received[0][1]


# --- exactly once across restarts -----------------------------------------------------------------


async def plan_batch(core, n: int = 5) -> None:
    stored = await save(core, activity("toneel", "2027-01-20T14:00"))
    await people(core, *range(1, n + 1))
    for user in range(1, n + 1):
        await core.reminders.subscribe(user, stored.pk, day_before=True, hours_before=False, every_time=False)


async def test_restart_before_the_batch_loses_nothing(settings, clock, far):
    core = await open_test_core(settings, clock, FakeSender(far))
    await plan_batch(core)
    await crash(core)
    clock.set(brussels(2027, 1, 19, 18, 0))
    core = await open_test_core(settings, clock, FakeSender(far))
    try:
        await core.reminders.startup()
        await core.dispatcher.run()
        assert far.per_chat() == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    finally:
        await core.close()


async def test_crash_between_send_and_mark_repeats_only_the_one_in_flight(settings, clock, far):
    core = await open_test_core(settings, clock, FakeSender(far, die_after_delivering=3))
    await plan_batch(core)
    clock.set(brussels(2027, 1, 19, 18, 0))
    with pytest.raises(SimulatedCrash):
        await core.dispatcher.run()
    await crash(core)
    assert far.per_chat() == {1: 1, 2: 1, 3: 1}  # the third was delivered, but never marked

    clock.set(brussels(2027, 1, 19, 18, 1))
    core = await open_test_core(settings, clock, FakeSender(far))
    try:
        await core.reminders.startup()
        await core.dispatcher.run()
        counts = far.per_chat()
        assert set(counts) == {1, 2, 3, 4, 5}, "nothing lost"
        assert sum(counts.values()) - len(counts) == 1, "exactly the one in flight was repeated"
        assert counts[3] == 2
        assert (await core.outbox.counts())[("all", "recovered")] == 1
    finally:
        await core.close()


async def test_crash_before_sending_repeats_nothing(settings, clock, far):
    core = await open_test_core(settings, clock, FakeSender(far, die_before_sending=3))
    await plan_batch(core)
    clock.set(brussels(2027, 1, 19, 18, 0))
    with pytest.raises(SimulatedCrash):
        await core.dispatcher.run()
    await crash(core)
    core = await open_test_core(settings, clock, FakeSender(far))
    try:
        await core.reminders.startup()
        await core.dispatcher.run()
        assert far.per_chat() == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    finally:
        await core.close()


async def test_restart_after_the_batch_sends_nothing_again(settings, clock, far):
    core = await open_test_core(settings, clock, FakeSender(far))
    await plan_batch(core)
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    await crash(core)
    for minutes in (1, 60):
        clock.set(brussels(2027, 1, 19, 18, 0) + dt.timedelta(minutes=minutes))
        core = await open_test_core(settings, clock, FakeSender(far))
        await core.reminders.startup()
        await core.dispatcher.run()
        await core.close()
    assert far.per_chat() == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}


async def test_two_wake_ups_at_once_send_once(core, clock, far):
    import asyncio

    await plan_batch(core)
    clock.set(brussels(2027, 1, 19, 18, 0))
    await asyncio.gather(core.dispatcher.run(), core.dispatcher.run(), core.dispatcher.run())
    assert far.per_chat() == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}


# --- missed while down, quiet hours ----------------------------------------------------------------


async def test_missed_while_down_is_sent_late_if_not_started_else_dropped_and_counted(settings, clock, far):
    core = await open_test_core(settings, clock, FakeSender(far))
    early = await save(core, activity("vroeg", "2027-01-20T10:00"))
    late = await save(core, activity("laat", "2027-01-20T15:00"))
    await people(core, 1, 2)
    await core.reminders.subscribe(1, early.pk, day_before=False, hours_before=True, every_time=False)
    await core.reminders.subscribe(2, late.pk, day_before=False, hours_before=True, every_time=False)
    await crash(core)
    clock.set(brussels(2027, 1, 20, 14, 0))  # down from 08:00 to 14:00
    core = await open_test_core(settings, clock, FakeSender(far))
    try:
        await core.reminders.startup()
        await core.dispatcher.run()
        assert far.per_chat() == {2: 1}
        assert "wat later dan gepland" in far.texts(2)[0] and "straks om 15:00" in far.texts(2)[0]
        counts = await core.outbox.counts()
        assert counts[("hours_before", "dropped:too_late")] == 1
        assert counts[("hours_before", "sent_late")] == 1
    finally:
        await core.close()


async def test_reminder_in_quiet_hours_moves_to_the_last_minute_before_them(core):
    stored = await save(core, activity("markt", "2027-01-20T09:00"))
    await people(core, 1)
    result = await core.reminders.subscribe(1, stored.pk, day_before=False, hours_before=True, every_time=False)
    (item,) = result.planned
    assert item.at == brussels(2027, 1, 19, 20, 59)  # 07:00 is quiet: the evening before, 20:59


async def test_nothing_is_sent_in_quiet_hours_and_waits_for_the_morning(settings, clock, far):
    core = await open_test_core(settings, clock, FakeSender(far))
    stored = await save(core, activity("ontbijt", "2027-01-20T10:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=False, every_time=False)
    await crash(core)
    clock.set(brussels(2027, 1, 19, 23, 0))  # back up after the 18:00 reminder, in quiet hours
    core = await open_test_core(settings, clock, FakeSender(far))
    try:
        await core.reminders.startup()
        await core.dispatcher.run()
        assert far.received == []
        assert await core.outbox.next_wake(clock.now()) == brussels(2027, 1, 20, 8, 0)
        clock.set(brussels(2027, 1, 20, 7, 59))
        await core.dispatcher.run()
        assert far.received == []
        clock.set(brussels(2027, 1, 20, 8, 0))
        await core.dispatcher.run()
        assert len(far.received) == 1 and "vandaag om 10:00" not in far.texts(1)[0]
        assert "straks om 10:00" in far.texts(1)[0]
    finally:
        await core.close()


async def test_quiet_hours_can_be_switched_off(tmp_path, clock):
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(
        settings, reminders=dataclasses.replace(settings.reminders, quiet_start=dt.time(0), quiet_end=dt.time(0))
    )
    core = await open_test_core(settings, clock)
    try:
        assert not core.outbox.timing.in_quiet(brussels(2027, 1, 13, 3, 0))
    finally:
        await core.close()


# --- offer changes ------------------------------------------------------------------------------------


async def test_cancelled_offer_sends_one_notice_and_nothing_else(core, clock, far):
    stored = await save(core, activity("concert", "2027-01-20T20:00"))
    await people(core, 1, 2)
    for user in (1, 2):
        await core.reminders.subscribe(user, stored.pk, day_before=True, hours_before=True, every_time=False)
    await core.offers.set_status("concert", "cancelled", actor="admin:test")
    await core.dispatcher.run()
    assert far.per_chat() == {1: 1, 2: 1}
    assert "Gaat niet door" in far.texts(1)[0] and "afgelast" in far.texts(1)[0]
    for moment in (brussels(2027, 1, 19, 18, 0), brussels(2027, 1, 20, 18, 0)):
        clock.set(moment)
        await core.dispatcher.run()
    assert far.per_chat() == {1: 1, 2: 1}
    assert await core.reminders.subscriptions(1) == []


async def test_moved_offer_sends_one_notice_and_reminders_follow(core, clock, far):
    stored = await save(core, activity("film", "2027-01-20T14:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=True, every_time=False)
    await save(core, activity("film", "2027-01-22T19:30"))
    await core.dispatcher.run()
    (notice,) = far.texts(1)
    assert "verplaatst" in notice and "19:30" in notice
    assert [(kind, occ, at) for _, kind, occ, at in await planned(core)] == [
        ("day_before", "2027-01-22T19:30", utc_text(brussels(2027, 1, 21, 18, 0))),
        ("hours_before", "2027-01-22T19:30", utc_text(brussels(2027, 1, 22, 17, 30))),
    ]
    # A change that does not touch the time tells nobody anything.
    await save(core, activity("film", "2027-01-22T19:30", summary="Met popcorn"))
    await core.dispatcher.run()
    assert len(far.texts(1)) == 1
    clock.set(brussels(2027, 1, 21, 18, 0))
    await core.dispatcher.run()
    assert len(far.texts(1)) == 2 and "Met popcorn" not in far.texts(1)[1]


async def test_offer_listener_failure_does_not_undo_the_write(core):
    async def broken(old, new):
        raise RuntimeError("boom")

    seen = []

    async def recording(old, new):
        seen.append((old and old.status, new and new.status))

    core.offers.listeners = (broken, *core.offers.listeners, recording)
    await save(core, activity("x", "2027-01-20T14:00"))
    await core.offers.set_status("x", "cancelled", actor="test")
    await core.offers.delete("x", actor="test")
    assert seen == [(None, "published"), ("published", "cancelled"), ("cancelled", None)]


# --- the people side ------------------------------------------------------------------------------------


async def test_blocked_person_gets_nothing_more_and_is_counted(core, clock, far):
    first = await save(core, activity("a", "2027-01-20T14:00"))
    second = await save(core, activity("b", "2027-01-25T14:00"))
    await people(core, 1, 2)
    for user in (1, 2):
        await core.reminders.subscribe(user, first.pk, day_before=True, hours_before=False, every_time=False)
    await core.reminders.subscribe(1, second.pk, day_before=True, hours_before=True, every_time=False)
    core.dispatcher.sender.errors[:] = [Blocked("403")]
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    assert far.per_chat() == {2: 1}
    assert (await core.people.get(1)).blocked_at is not None
    counts = await core.outbox.counts()
    assert counts[("day_before", "dropped:blocked")] == 2  # the refused one and the next one
    assert counts[("hours_before", "dropped:blocked")] == 1
    clock.set(brussels(2027, 1, 25, 12, 0))
    await core.dispatcher.run()
    assert far.per_chat() == {2: 1}


async def test_flood_control_pauses_and_retries_without_counting_an_attempt(core, clock, far):
    await plan_batch(core, 3)
    core.dispatcher.sender.errors[:] = [None, RetryLater(30)]
    clock.set(brussels(2027, 1, 19, 18, 0))
    report = await core.dispatcher.run()
    assert report.sent == 1 and report.retried == 1
    await core.dispatcher.run()
    assert len(far.received) == 1, "paused while Telegram asked to wait"
    clock.set(brussels(2027, 1, 19, 18, 0, 31))
    await core.dispatcher.run()
    assert far.per_chat() == {1: 1, 2: 1, 3: 1}
    assert await core.db.fetchval("SELECT max(attempts) FROM outbox") == 1


async def test_network_errors_back_off_then_give_up_and_count(core, clock, far):
    stored = await save(core, activity("wandeling", "2027-01-20T14:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=False, every_time=False)
    core.dispatcher.sender.errors[:] = [Transient("502")] * 10
    start = brussels(2027, 1, 19, 18, 0)
    clock.set(start)
    waits = []
    for _ in range(5):
        await core.dispatcher.run()
        due = await core.db.fetchval("SELECT due_at FROM outbox")
        waits.append(dt.datetime.fromisoformat(due) - clock.now())
        clock.set(dt.datetime.fromisoformat(due))
    assert waits[:4] == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert await states(core) == {"failed": 1}
    assert (await core.outbox.counts())[("day_before", "failed:gave_up")] == 1
    assert far.received == []


async def test_refused_message_is_not_tried_again(core, clock, far):
    await plan_batch(core, 2)
    core.dispatcher.sender.errors[:] = [Rejected("400 bad")]
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    assert far.per_chat() == {2: 1}
    assert (await core.outbox.counts())[("day_before", "failed:rejected")] == 1


async def test_one_message_a_second_per_chat(core, clock, far):
    monotonic = [1000.0]
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        monotonic[0] += seconds

    core.dispatcher._monotonic = lambda: monotonic[0]
    core.dispatcher._sleep = sleep
    first = await save(core, activity("a", "2027-01-20T14:00"))
    second = await save(core, activity("b", "2027-01-20T16:00"))
    await people(core, 1, 2)
    for pk in (first.pk, second.pk):
        await core.reminders.subscribe(1, pk, day_before=True, hours_before=False, every_time=False)
    await core.reminders.subscribe(2, first.pk, day_before=True, hours_before=False, every_time=False)
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    assert [chat for chat, _ in far.received] == [1, 2, 1]  # person 2 went first while 1 cooled down
    assert slept and sum(slept) <= 1.0


async def test_stopped_person_gets_no_reminders(core, clock, far):
    await plan_batch(core, 2)
    await core.people.stop(1)
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    assert far.per_chat() == {2: 1}
    assert (await core.outbox.counts())[("day_before", "dropped:stopped")] == 1


async def test_forget_removes_every_reminder_of_the_person(core, clock, far):
    stored = await save(core, activity("kamp", "2027-01-20T14:00"))
    await people(core, 1, 2)
    for user in (1, 2):
        await core.reminders.subscribe(user, stored.pk, day_before=True, hours_before=True, every_time=False)
        await core.reminders.weekly_subscribe(user, ["sport"])
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    for user in (1, 2):
        assert await core.reminders.answer(user, stored, dt.datetime(2027, 1, 20, 14, 0), going=True)
    assert await core.people.forget(1)
    for table in ("reminder_subscriptions", "weekly_subscriptions", "outbox"):
        users = {r[0] for r in await core.db.fetchall(f"SELECT DISTINCT user_id FROM {table}")}
        assert users == {2}, table
    # Their answer to a date still to come goes too (the answers hold no user id: bot/reminders/answers.py).
    assert await core.reminders.going_counts() == {("kamp", "2027-01-20T14:00"): (1, 0)}
    clock.set(brussels(2027, 1, 20, 12, 0))
    await core.dispatcher.run()
    assert far.per_chat() == {1: 1, 2: 2}


async def test_not_going_drops_the_rest_of_that_date(core, clock, far):
    stored = await save(core, activity("quiz", "2027-01-20T14:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=True, every_time=False)
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    await core.reminders.answer(1, stored, dt.datetime(2027, 1, 20, 14, 0), going=False)
    await core.reminders.daily()  # the daily top-up does not bring it back
    clock.set(brussels(2027, 1, 20, 12, 0))
    await core.dispatcher.run()
    assert len(far.received) == 1


# --- weekly overview ----------------------------------------------------------------------------


async def test_weekly_overview_goes_out_on_monday_morning_with_the_chosen_topics(core, clock, far):
    await save(core, activity("voetbal", "2027-01-19T14:00", categories=["sport"]))
    await save(core, activity("knutselen", "2027-01-20T14:00", categories=["creatief"]))
    await save(core, activity("later", "2027-02-20T14:00", categories=["sport"]))
    await people(core, 1, 2)
    first = await core.reminders.weekly_subscribe(1, ["sport"])
    await core.reminders.weekly_subscribe(2)
    assert first == brussels(2027, 1, 18, 9, 0)
    clock.set(brussels(2027, 1, 18, 9, 0))
    await core.dispatcher.run()
    await core.dispatcher.run()
    assert far.per_chat() == {1: 1, 2: 1}
    sport, everything = far.texts(1)[0], far.texts(2)[0]
    assert "Activiteit voetbal" in sport and "knutselen" not in sport and "later" not in sport
    assert "Activiteit voetbal" in everything and "Activiteit knutselen" in everything
    await core.reminders.daily()
    assert {occ for _, kind, occ, _ in await planned(core) if kind == "weekly"} == {"2027-01-25"}


# --- buttons from clients are never trusted ---------------------------------------------------------


async def test_forged_reminder_buttons_get_a_polite_answer_and_change_nothing(core):
    from bot.chat.conversation import Who
    from bot.offers.model import Offer

    stored = await save(core, activity("quiz", "2027-01-20T14:00"))
    discount = await save(core, Offer.from_dict({"id": "korting", "kind": "discount", "title": "Korting"}))
    who = Who(7, 7)
    forged = [
        "r1", "r1:r:abc", "r1:r:999999", f"r1:r:{discount.pk}", f"r1:r:{stored.pk}:z", f"r1:r:{stored.pk}:d:x:y",
        f"r1:y:{stored.pk}:notatime", f"r1:y:{stored.pk}:202701201500", "r1:y:abc:202701201400", "r1:x:999",
        "r1:x:abc", f"r1:s:{stored.pk}", "r1:s:", "r1:r:1234567890123456", "r1:w:t:hack", "r1:w:zz", "r1:n",
        f"r1:r:{stored.pk}²", f"r1:x:{stored.pk}٣", "r1:y:1:２０２７０１２０１４００",  # digits that are not ASCII
        f"r:{stored.pk}", "r:l", "w",  # buttons of the version before, still in people's chats
    ]  # fmt: skip
    for action in forged:
        reply = await core.conversation.act(who, action)
        assert reply.messages or reply.notice, action
        assert all(m.plain.strip() for m in reply.messages), action
    assert await core.db.fetchval("SELECT count(*) FROM reminder_subscriptions") == 0
    assert await core.db.fetchval("SELECT count(*) FROM going_answers") == 0
    assert [dict(r) for r in await core.db.fetchall("SELECT * FROM outbox")] == []


async def test_the_remind_button_only_appears_under_dated_activities_still_to_come(core, clock):
    from bot.chat.conversation import Who
    from bot.offers.model import Offer

    future = await save(core, activity("later", "2027-01-20T14:00"))
    past = await save(core, activity("voorbij", "2027-01-02T14:00"))
    undated = await save(core, Offer.from_dict({"id": "altijd", "kind": "activity", "title": "Altijd open"}))
    who = Who(7, 7)
    await people(core, 7)
    hook = core.reminder_chat.card_buttons
    assert [b.action for b in await hook(who, future)] == [f"r1:r:{future.pk}"]
    assert await hook(who, past) == [] and await hook(who, undated) == []
    await core.reminders.subscribe(7, future.pk, day_before=True, hours_before=False, every_time=False)
    assert [b.text for b in await hook(who, future)] == ["⏰ Herinnering staat aan"]


def test_cli_shows_counts_without_people(tmp_path, capsys):
    import asyncio

    from bot.cli import main

    settings = make_settings(tmp_path)

    async def prepare():
        clock = ManualClock(brussels(2027, 1, 13, 10, 0))
        core = await open_test_core(settings, clock, FakeSender(FarSide()))
        stored = await save(core, activity("quiz", "2027-01-20T14:00"))
        await people(core, 4242)
        await core.reminders.subscribe(4242, stored.pk, day_before=True, hours_before=True, every_time=False)
        clock.set(brussels(2027, 1, 19, 18, 0))
        await core.dispatcher.run()
        await core.reminders.answer(4242, stored, dt.datetime(2027, 1, 20, 14, 0), going=True)
        await core.close()

    asyncio.run(prepare())
    assert main(["reminders", "--db", str(settings.database_path)]) == 0
    out = capsys.readouterr().out
    assert "Outbox: planned 1, sent 1" in out
    assert "day_before    planned" in out
    assert "quiz" in out and "1 / 0" in out
    assert "4242" not in out


async def test_the_network_report_gets_anonymous_counts_per_offer(core, clock, far):
    from bot.chat.conversation import Who

    stored = await save(core, activity("quiz", "2027-01-20T14:00"))
    for user in (1, 2):
        await core.conversation.act(Who(user, user), f"r1:r:{stored.pk}:d")  # as the button press does
    core.dispatcher.sender.errors[:] = [None, Blocked("403")]
    clock.set(brussels(2027, 1, 19, 18, 0))
    await core.dispatcher.run()
    for _ in range(3):  # pressed three times: one person, one answer
        await core.conversation.act(Who(1, 1), f"r1:y:{stored.pk}:202701201400")
    await core.conversation.act(Who(1, 1), f"r1:r:{stored.pk}:b")  # a changed choice is not a new reminder
    rows = await core.db.fetchall("SELECT action, sum(n) AS n FROM offer_actions WHERE offer_id = 'quiz' GROUP BY 1")
    # 'Ik ga' is not counted per press: the answers themselves are (one per person and date).
    assert {r["action"]: r["n"] for r in rows} == {"remind": 2, "remind_sent": 1, "remind_blocked": 1}
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (1, 0)}
    assert not await core.db.fetchall("SELECT * FROM offer_actions WHERE offer_id != 'quiz'")


async def test_an_import_that_moves_an_offer_tells_its_subscribers(core, far):
    stored = await save(core, activity("film", "2027-01-20T14:00"))
    await people(core, 1)
    await core.reminders.subscribe(1, stored.pk, day_before=True, hours_before=False, every_time=False)
    moved, new = activity("film", "2027-01-21T19:00"), activity("nieuw", "2027-01-22T14:00")
    summary = await core.offers.save_many([moved, new], source="import:x", actor="import:x")
    assert (summary.added, summary.updated) == (1, 1)
    await core.dispatcher.run()
    (notice,) = far.texts(1)
    assert "verplaatst" in notice and "19:00" in notice
    assert [occ for _, _, occ, _ in await planned(core)] == ["2027-01-21T19:00"]
