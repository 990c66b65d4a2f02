"""Reminders end to end: the real Application and JobQueue against the fake Bot API server.

The clock is a ManualClock: a test moves it and then triggers the scheduler's job by hand
(`Job.run`), exactly what APScheduler does when the time comes.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bot.insights.generate import make_report
from bot.insights.period import Period
from handlers.messenger import WAKE_JOB
from handlers.reminders import JOB_KWARGS, TICK_JOB
from tests.helpers import TZ, brussels
from tests.reminders.helpers import activity, save
from tests.telegram.test_telegram_conversation import forged_press


@pytest.fixture
def load_sample() -> bool:
    return False


async def tick(app) -> None:
    """What APScheduler does every minute: wake the sender, which asks the outbox what is due now."""
    (job,) = app.job_queue.get_jobs_by_name(TICK_JOB)
    await job.run(app)


def reminders_in(fake_api, chat: int) -> list:
    return [m for m in fake_api.sent_to(chat) if m.text and m.text.startswith("⏰ Herinnering")]


def labels(message) -> list[str]:
    return [label for row in message.button_texts for label in row]


async def test_press_remind_me_move_the_clock_and_the_reminder_arrives_once(core, bot, fake_api):
    await save(
        core,
        activity("petanque", "2027-01-20T14:00", keywords=["petanque"], registration="Inschrijven via 089 00 00 20"),
    )
    user = fake_api.user(601)
    card, *_ = await user.send("petanque")
    assert "⏰ Herinner mij" in labels(card)

    (question,) = (await user.press(card, "⏰ Herinner mij")).new
    assert "Wanneer wil je een herinnering" in question.text
    assert labels(question)[:3] == ["🌆 De dag ervoor (18:00)", "⏱️ 2 uur op voorhand", "✅ Allebei"]
    (done,) = await user.press(question, "🌆 De dag ervoor (18:00)")
    assert "Ik stuur je een herinnering" in done.text and "dinsdag 19 januari om 18:00" in done.text

    core.clock.set(brussels(2027, 1, 19, 17, 59))
    await tick(bot)
    assert reminders_in(fake_api, 601) == []
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    await tick(bot)
    core.clock.set(brussels(2027, 1, 19, 18, 5))
    await tick(bot)
    (reminder,) = reminders_in(fake_api, 601)
    for part in (
        "morgen is het zover",
        "Activiteit petanque",
        "morgen, 14:00-16:00",
        "Kimpelstraat 1",
        "Bus 20A",
        "€5",
    ):
        assert part in reminder.text
    assert "Inschrijven via 089 00 00 20" in reminder.text
    assert labels(reminder) == ["✅ Ik ga", "❌ Ik ga niet", "🚌 Hoe geraak ik er?", "🔕 Herinner me niet meer"]

    answer = await user.press(reminder, "✅ Ik ga", expect_reply=False)
    assert "Veel plezier" in answer.callback_answer["text"]
    assert await core.reminders.going_counts() == {("petanque", "2027-01-20T14:00"): (1, 0)}
    route = await user.press(reminder, "🚌 Hoe geraak ik er?")
    assert "Zo geraak je bij" in route.new[0].text
    stopped = await user.press(reminder, "🔕 Herinner me niet meer")
    assert "niet meer aan" in stopped.new[0].text
    assert await core.reminders.subscriptions(601) == []


async def test_every_time_my_reminders_and_cancel(core, bot, fake_api):
    await save(core, activity("zwemmen", "2027-01-06T14:00", rrule="FREQ=WEEKLY;BYDAY=WE", keywords=["zwemmen"]))
    user = fake_api.user(602)
    card, *_ = await user.send("zwemmen")
    (question,) = (await user.press(card, "⏰ Herinner mij")).new
    (repeat,) = await user.press(question, "✅ Allebei")
    assert "elke woensdag" in repeat.text
    assert labels(repeat)[:2] == ["1️⃣ Alleen de volgende keer", "🔁 Elke keer"]
    (done,) = await user.press(repeat, "🔁 Elke keer")
    assert "elke keer" in done.text and "om 18:00" in done.text and "om 12:00" in done.text

    (menu,) = await user.send("/start")
    assert "⏰ Mijn herinneringen" in labels(menu)
    (overview,) = (await user.press(menu, "⏰ Mijn herinneringen")).new
    assert "Activiteit zwemmen" in overview.text and "elke keer" in overview.text
    assert "volgende herinnering: vandaag om 12:00" in overview.text  # today is a Wednesday
    pressed = await user.press(overview, "❌ Activiteit zwemmen")
    assert pressed.callback_answer["text"] == "Herinnering gestopt."
    assert "nog geen herinneringen" in pressed[0].text
    assert await core.outbox.states() == {"cancelled": 3}  # today 12:00, next Tuesday 18:00 and Wednesday 12:00

    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    assert reminders_in(fake_api, 602) == []


async def test_weekly_overview_from_this_week_and_the_command(core, bot, fake_api):
    await save(core, activity("voetbal", "2027-01-19T14:00", categories=["sport"]))
    await save(core, activity("toneel", "2027-01-20T20:00", categories=["theater"]))
    user = fake_api.user(603)
    (menu,) = await user.send("/start")
    week = await user.press(menu, "📅 Deze week")
    assert "📬 Stuur me dit elke week" in labels(week.new[-1])
    (offer,) = (await user.press(week.new[-1], "📬 Stuur me dit elke week")).new
    assert "elke maandag om 09:00" in offer.text
    on = await user.press(offer, "✅ Ja, graag")
    assert "maandag 18 januari om 09:00" in on.callback_answer["text"]
    (screen,) = on
    (screen,) = await user.press(screen, "▫️ sport")
    assert "✅ sport" in labels(screen) and "Onderwerpen: sport" in screen.text

    (again,) = await user.send("/weekoverzicht")
    assert "Onderwerpen: sport" in again.text

    core.clock.set(brussels(2027, 1, 18, 9, 0))
    await tick(bot)
    await tick(bot)
    weekly = [m for m in fake_api.sent_to(603) if m.text.startswith("📬 Deze week te doen")]
    assert len(weekly) == 1
    assert "Activiteit voetbal" in weekly[0].text and "toneel" not in weekly[0].text
    assert "ℹ️ Activiteit voetbal" in labels(weekly[0])


async def test_wake_job_is_set_for_the_next_due_time_in_brussels(core, bot, fake_api):
    scheduler = bot.job_queue.scheduler
    assert str(scheduler.timezone) == "Europe/Brussels"
    stored = await save(core, activity("film", "2027-01-13T16:00"))
    await core.people.seen(604, 604)
    before = time.time()
    await core.reminders.subscribe(604, stored.pk, day_before=False, hours_before=True, every_time=False)
    (wake,) = bot.job_queue.get_jobs_by_name(WAKE_JOB)
    delay = wake.next_t.timestamp() - before
    assert 4 * 3600 - 5 < delay < 4 * 3600 + 5  # 14:00 is four hours after the clock's 10:00
    assert wake.job.misfire_grace_time is None and wake.job.coalesce
    assert JOB_KWARGS["misfire_grace_time"] is None


async def subscribed(core, user: int, start: str = "2027-01-20T14:00") -> None:
    stored = await save(core, activity(f"a{user}", start))
    await core.people.seen(user, user)
    await core.reminders.subscribe(user, stored.pk, day_before=True, hours_before=False, every_time=False)


async def test_blocked_user_is_marked_and_counted(core, bot, fake_api):
    await subscribed(core, 605)
    await subscribed(core, 606)
    fake_api.block(605)
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    assert reminders_in(fake_api, 605) == [] and len(reminders_in(fake_api, 606)) == 1
    assert (await core.people.get(605)).blocked_at is not None
    assert (await core.outbox.counts())[("day_before", "dropped:blocked")] == 1
    refused = [c for c in fake_api.calls_to("sendMessage") if c.chat_id == 605]
    assert [c.status for c in refused] == [403]


async def test_429_retry_after_is_honoured(core, bot, fake_api):
    await subscribed(core, 607)
    fake_api.faults.add("sendMessage", chat_id=607, status=429, retry_after=0.3)
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    assert len(reminders_in(fake_api, 607)) == 1
    first, second = [c for c in fake_api.calls_to("sendMessage") if c.chat_id == 607]
    assert first.status == 429 and second.ok
    assert second.at - first.done_at >= 0.3


async def test_429_beyond_the_limiter_pauses_the_sender_until_telegram_allows(core, bot, fake_api):
    await subscribed(core, 608)
    fake_api.faults.add("sendMessage", chat_id=608, status=429, retry_after=0.05, times=3)
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)  # PTB's limiter waits and retries twice, then the sender takes over
    assert reminders_in(fake_api, 608) == []
    await tick(bot)
    assert reminders_in(fake_api, 608) == [], "still paused"
    core.clock.set(brussels(2027, 1, 19, 18, 0, 2))
    await tick(bot)
    assert len(reminders_in(fake_api, 608)) == 1
    assert [c.status for c in fake_api.calls_to("sendMessage") if c.chat_id == 608] == [429, 429, 429, 200]


async def test_500_is_retried_with_backoff(core, bot, fake_api):
    await subscribed(core, 609)
    fake_api.faults.add("sendMessage", chat_id=609, status=500)
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    assert reminders_in(fake_api, 609) == []
    core.clock.set(brussels(2027, 1, 19, 18, 0, 29))
    await tick(bot)
    assert reminders_in(fake_api, 609) == [], "waits for the backoff"
    core.clock.set(brussels(2027, 1, 19, 18, 0, 30))
    await tick(bot)
    assert len(reminders_in(fake_api, 609)) == 1


async def test_500_for_ever_is_given_up_and_counted(core, bot, fake_api):
    await subscribed(core, 610)
    fake_api.faults.add("sendMessage", chat_id=610, status=500, times=None)
    moment = brussels(2027, 1, 19, 18, 0)
    for _ in range(core.settings.reminders.max_attempts + 2):
        core.clock.set(moment)
        await tick(bot)
        moment += dt.timedelta(minutes=10)  # longer than each backoff (30 s, 1, 2, 4 min)
    calls = [c for c in fake_api.calls_to("sendMessage") if c.chat_id == 610]
    assert len(calls) == core.settings.reminders.max_attempts
    assert (await core.outbox.counts())[("day_before", "failed:gave_up")] == 1


async def test_forget_removes_reminders(core, bot, fake_api):
    await subscribed(core, 611)
    user = fake_api.user(611)
    (confirm,) = await user.send("/vergeet")
    await user.press(confirm, "Ja, wis alles")
    assert await core.db.fetchval("SELECT count(*) FROM outbox") == 0
    assert await core.db.fetchval("SELECT count(*) FROM reminder_subscriptions") == 0
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    assert reminders_in(fake_api, 611) == []


async def test_ik_ga_pressed_again_counts_once_and_a_forged_one_counts_nothing(core, bot, fake_api):
    """Issue 17: one answer per person and date (the last one wins), only from a person who got that reminder;
    the report counts people, so one person pressing three times stays '<3'."""
    stored = await save(core, activity("quiz", "2027-01-20T14:00", keywords=["quiz"]))
    user, stranger = fake_api.user(620), fake_api.user(621)
    card, *_ = await user.send("quiz")
    (question,) = (await user.press(card, "⏰ Herinner mij")).new
    await user.press(question, "🌆 De dag ervoor (18:00)")
    core.clock.set(brussels(2027, 1, 19, 18, 0))
    await tick(bot)
    (reminder,) = reminders_in(fake_api, 620)

    for _ in range(3):
        pressed = await user.press(reminder, "✅ Ik ga", expect_reply=False)
        assert "Veel plezier" in pressed.callback_answer["text"]
    await user.press(reminder, "❌ Ik ga niet", expect_reply=False)
    await user.press(reminder, "✅ Ik ga", expect_reply=False)  # changed their mind back: the last one counts
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (1, 0)}

    # Someone without that reminder sends the same button data (a forged or passed-on button).
    (welcome,) = await stranger.send("/start")
    forged = await forged_press(stranger, welcome, f"r1:y:{stored.pk}:202701201400")
    assert forged.callback_answer["text"] == core.texts.label("reminders.answer_not_yours")
    assert not forged.new
    assert await core.reminders.going_counts() == {("quiz", "2027-01-20T14:00"): (1, 0)}

    january = Period(dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    report = await make_report(
        core.db, core.texts, core.analyzer, january, now=core.clock.now(), tz=TZ, with_charts=False
    )
    (row,) = report.table("reminders_per_activity").rows
    assert row[0] == "Activiteit quiz" and row[3:] == ("<3", "0")  # one person going (pressed 4 times), 0 not
    assert dict(report.table("reminders").rows)["Antwoord 'Ik ga'"] == "<3"
