"""Hardening: flood protection per person, role checks on every data-changing action (forged button data
included), offer text escaped on every card, and limits on what comes in."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
import sqlite3
import time
from pathlib import Path

import pytest

from bot.chat.conversation import Who
from bot.chat.flood import FloodGuard, Kind, Verdict
from bot.core import Core
from bot.keyfigures import Incoming
from bot.keyfigures import actions as kf_actions
from bot.offers.model import Offer
from bot.reminders import actions as reminder_actions
from handlers.app import open_bot
from handlers.guard import RESUME_JOB
from tests.fakebotapi import FakeBotApi, FakeUser, _text_content
from tests.helpers import eventually, make_settings
from tests.reminders.helpers import activity
from tests.telegram.test_telegram_conversation import shown

ADMIN, KF, PERSON, FLOODER = 900, 700, 800, 666
HOSTILE = '<b>Spaghetti & co</b> <script>alert("x")</script> <a href="javascript:x">klik</a> 5 < 6 > 4 \'&amp;'


@pytest.fixture
def settings(tmp_path):
    settings = make_settings(tmp_path)
    return dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, admins=(ADMIN,)))


def push_text(api: FakeBotApi, user: FakeUser, text: str) -> None:
    """A message from the user, pushed without waiting for the answer (a burst)."""
    stored = api._store(user.chat_id, _text_content(text), sender=user.user, from_bot=False)
    api.push_update({"message": copy.deepcopy(stored.raw)})


def push_press(api: FakeBotApi, user: FakeUser, data: str) -> str:
    """A button press with any callback data (as a modified client could send it); returns the query id."""
    message = api._store(user.chat_id, {"text": "x"}, sender=api.bot_user, from_bot=True)
    query_id = str(next(api._query_ids))
    query = {"id": query_id, "from": user.user, "message": copy.deepcopy(message.raw), "chat_instance": "ci",
             "data": data}  # fmt: skip
    api._callback_queries[query_id] = query
    api.push_update({"callback_query": query})
    return query_id


# --- flood protection ------------------------------------------------------------------------------


def test_flood_guard_counts_per_person_in_a_sliding_minute(clock):
    guard = FloodGuard(3, clock)
    assert [guard.check(1) for _ in range(6)] == [Verdict.ANSWER] * 3 + [Verdict.SLOW_DOWN, Verdict.DROP, Verdict.DROP]
    assert guard.check(2) is Verdict.ANSWER  # another person is not affected
    clock.advance(dt.timedelta(seconds=59))
    assert guard.check(1) is Verdict.DROP
    clock.advance(dt.timedelta(seconds=1))  # the first three leave the window
    assert [guard.check(1) for _ in range(4)] == [Verdict.ANSWER] * 3 + [Verdict.SLOW_DOWN]
    assert guard.dropped == 5  # every message not answered, the one told 'even geduld' included
    # People who went quiet are forgotten: memory follows who is active, not who ever wrote.
    for user_id in range(100, 1100):
        guard.check(user_id)
    clock.advance(dt.timedelta(minutes=2))
    guard.check(5)
    assert len(guard) == 1


async def test_a_flooding_person_gets_one_even_geduld_and_everyone_else_is_served(core, bot, fake_api, clock, caplog):
    caplog.set_level(logging.INFO)
    flooder, other = fake_api.user(FLOODER, first_name="Spam"), fake_api.user(PERSON)
    limit = core.settings.limits.messages_per_minute
    assert limit == 20
    for _ in range(3 * limit):
        push_text(fake_api, flooder, "/hulp")
    answer = await other.send("zwemmen")  # meanwhile another person asks
    assert "Dit vond ik voor jou" in answer[0].text
    await eventually(lambda: len(fake_api.sent_to(FLOODER)) >= limit + 1, what="the flooder's answers")
    await other.send("/hulp")  # one more round trip: everything of the burst has been handled by now
    texts = [m.text or "" for m in fake_api.sent_to(FLOODER)]
    assert len(texts) == limit + 1
    assert sum("Even geduld" in t for t in texts) == 1
    assert sum("Even geduld" not in t for t in texts) == limit
    assert core.flood.dropped == 2 * limit
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.guard"]
    assert "more than 20 messages in a minute" in line and str(FLOODER) not in line
    # A minute later the flooder is answered again.
    clock.advance(dt.timedelta(seconds=61))
    assert "Even geduld" not in (await flooder.send("/hulp"))[0].text


def test_browsing_has_its_own_budget_and_a_press_is_told_apart_from_a_message(clock):
    guard = FloodGuard(2, clock)
    assert [guard.check(1, Kind.BROWSE) for _ in range(6)] == [Verdict.ANSWER] * 6  # three times the limit
    assert guard.check(1, Kind.BROWSE) is Verdict.SLOW_DOWN
    assert [guard.check(1, Kind.MESSAGE), guard.check(1, Kind.PRESS)] == [Verdict.ANSWER] * 2  # untouched by browsing
    assert [guard.check(1, Kind.PRESS), guard.check(1, Kind.PRESS)] == [Verdict.SLOW_DOWN, Verdict.DROP]
    assert [guard.check(1, Kind.MESSAGE), guard.check(1, Kind.MESSAGE)] == [Verdict.SLOW_DOWN, Verdict.DROP]


def test_the_last_message_over_the_limit_is_held_and_released_once_when_the_pause_is_over(clock):
    guard = FloodGuard(2, clock)
    start = clock.now()
    assert guard.check(1) is Verdict.ANSWER
    clock.advance(dt.timedelta(seconds=10))
    assert guard.check(1) is Verdict.ANSWER
    assert guard.check(1, item="third") is Verdict.SLOW_DOWN
    assert guard.hold(1, "third") == start + dt.timedelta(minutes=1)  # when the first answer leaves the minute
    assert guard.check(1, item="fourth") is Verdict.DROP
    assert guard.hold(1, "fourth") is None  # replaces the third; its release is already planned
    clock.advance(dt.timedelta(seconds=50))
    assert guard.release(1) == "fourth" and guard.release(1) is None
    assert guard.dropped == 1  # the third was never answered; the fourth is, now
    assert guard.check(1, item="fourth") is Verdict.ANSWER  # let through without counting it twice
    assert guard.check(1) is Verdict.SLOW_DOWN  # the second answer and the released one fill the minute
    clock.advance(dt.timedelta(minutes=5))
    guard.check(2)
    assert len(guard) == 1  # a held message is never forgotten while waiting, but the rest is


async def test_the_last_question_of_a_flood_is_answered_when_the_pause_is_over(core, bot, fake_api, clock):
    flooder = fake_api.user(FLOODER)
    limit = core.settings.limits.messages_per_minute
    for _ in range(limit + 1):
        push_text(fake_api, flooder, "/hulp")
    await eventually(lambda: len(fake_api.sent_to(FLOODER)) == limit + 1, what="the answers and one 'even geduld'")
    (told,) = [m for m in fake_api.sent_to(FLOODER) if m.text == shown(core.texts("errors.slow_down"))]
    assert "laatste bericht" in told.text
    for n, text in enumerate(("yoga", "petanque", "zwemmen"), start=2):  # one by one: the order is certain
        push_text(fake_api, flooder, text)
        await eventually(lambda n=n: core.flood.dropped == n, what="the guard saw it")
    assert len(fake_api.sent_to(FLOODER)) == limit + 1  # nothing more said during the pause
    (job,) = bot.job_queue.get_jobs_by_name(RESUME_JOB)
    assert 50 < job.next_t.timestamp() - time.time() <= 60  # when the first answer leaves the minute
    clock.advance(dt.timedelta(seconds=60))
    await job.run(bot)  # what APScheduler does when the minute is over
    answered = fake_api.sent_to(FLOODER)[limit + 1 :]
    assert answered and answered[0].text.startswith("Dit vond ik voor jou") and "Zwem" in answered[0].text
    assert core.flood.dropped == 3  # /hulp and the two questions in between: the person was told only the last
    await job.run(bot)
    assert len(fake_api.sent_to(FLOODER)) == limit + 1 + len(answered)  # answered once


async def test_browsing_is_not_a_flood_and_a_press_over_the_limit_says_press_again(tmp_path, fake_api, app_builder,
                                                                                    running_app, clock):  # fmt: skip
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(settings, limits=dataclasses.replace(settings.limits, messages_per_minute=3))
    app, core = await open_bot(settings, app_builder, clock=clock)
    try:
        async with running_app(app):
            user = fake_api.user(PERSON)
            (menu,) = await user.send("/start")  # one of the three
            help_pages = [await user.press(menu, "❓ Hulp") for _ in range(5)]  # browsing: not counted
            assert all(len(p.new) == 1 for p in help_pages)
            cards = await user.send("zwemmen")  # two of the three
            card = next(m for m in cards if "⏰ Herinner mij" in [b for row in m.button_texts for b in row])
            asked = await user.press(card, "⏰ Herinner mij")  # three of three: a press that asks something
            assert len(asked.new) == 1
            over = await user.press(card, "⏰ Herinner mij", expect_answer=False)
            assert over.callback_answer["text"] == core.texts.label("errors.slow_down_press") and not over.new
            dropped = await user.press(card, "⏰ Herinner mij", expect_answer=False, expect_reply=False)
            assert dropped.callback_answer is None and not dropped.new
            info = await user.press(card, "ℹ️ Meer info")  # reading still works during the pause
            assert info and "Even geduld" not in (info[0].text or "")
            assert "Even geduld" not in str(info.callback_answer)
            (told,) = await user.send("nog een vraag")  # the first message over the limit is told on its own
            assert "laatste bericht" in (told.text or "")
    finally:
        await core.close()


# --- roles: every data-changing action asks the database ----------------------------------------------


def admin_actions(*pks: int) -> list[str]:
    """Button data of every coordinator action, for each offer number (and for key figure 1)."""
    data = [kf_actions.encode_admin(cls(pk)) for cls in kf_actions.OFFER_ADMIN_ACTIONS for pk in pks]
    return [*data, kf_actions.encode_admin(kf_actions.Trust(1, True)), kf_actions.encode_admin(kf_actions.Revoke(1))]


def key_figure_actions(draft: int, published: int, *pks: int) -> list[str]:
    """Button data of every key figure action (drafts and notices)."""
    encode = kf_actions.encode
    data = [encode(cls(pk)) for cls in kf_actions.DRAFT_ACTIONS_BY_PK for pk in pks]
    data += [encode(kf_actions.Merge(draft, published)), encode(kf_actions.AskField(draft, "t"))]
    data += [encode(kf_actions.SetKind(draft, "support")), encode(kf_actions.Categories())]
    data += [encode(kf_actions.ChooseCategory("sport")), encode(kf_actions.Subscribe("each"))]
    return [*data, encode(kf_actions.Unsubscribe())]


DATA_TABLES = ("offers", "offer_events", "offer_submissions", "key_figures", "keyfigure_invites",
               "keyfigure_sessions", "keyfigure_subscriptions", "keyfigure_notices", "reminder_subscriptions",
               "outbox", "weekly_subscriptions")  # fmt: skip


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in DATA_TABLES}
    finally:
        conn.close()


def test_every_action_is_listed():
    """The lists above cover every action the codecs know (a new one must be added there)."""
    assert len(admin_actions(1)) == len(kf_actions.OFFER_ADMIN_ACTIONS) + 2 == 10
    kinds = {type(kf_actions.decode(d)) for d in key_figure_actions(1, 2, 3)}
    assert kinds == set(kf_actions.KeyFigureAction.__args__)


async def _key_figure_with_offers(core: Core) -> tuple[Who, int, int, int]:
    """A key figure with a pending offer and a draft, and a published sample offer: pks (pending, draft, published)."""
    who = Who(KF, KF)
    link, _ = await core.keyfigures.create_invite("test")
    await core.keyfigures.start(who, link.rsplit("=", 1)[-1])
    await core.keyfigures.incoming(who, Incoming("An Peeters"))
    await core.keyfigures.incoming(who, Incoming("CAW Limburg"))
    soup = "Soepnamiddag in het Sociaal Huis!\nOp woensdag 3 februari om 14u gratis soep.\nHospitaalstraat 2, Bilzen."
    reply = await core.keyfigures.incoming(who, Incoming(soup, forwarded=True))
    assert reply is not None
    (pending,) = [s for s in await core.offers.select(statuses=("draft",))]
    await core.conversation.act(who, kf_actions.encode(kf_actions.ConfirmAnyway(pending.pk)))
    reply = await core.keyfigures.incoming(
        who, Incoming("Filmavond in de bib op vrijdag 5 februari om 19u.", forwarded=True)
    )
    (draft,) = [s for s in await core.offers.select(statuses=("draft",))]
    published = (await core.offers.select(statuses=("published",)))[0]
    return who, pending.pk, draft.pk, published.pk


async def test_no_admin_or_key_figure_action_works_for_a_person_whatever_the_button_data(core, caplog):
    _, pending, draft, published = await _key_figure_with_offers(core)
    assert (await core.offers.get_by_pk(pending)).status == "pending"
    before = dump(core.settings.database_path)
    person = Who(PERSON, PERSON)
    caplog.set_level(logging.INFO)
    forged = admin_actions(pending, draft, published) + key_figure_actions(draft, published, pending, draft, published)
    for data in forged:
        caplog.clear()
        reply = await core.conversation.act(person, data)
        text = reply.messages[0].plain
        assert "Dat mag alleen" in text or "Alleen sleutelfiguren" in text, (data, text)
        refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
        assert refusals, f"{data}: refused without a log line"
        assert all(str(PERSON) not in line for line in refusals)
    for command in ("uitnodiging", "sleutelfiguren", "nakijken", "nieuw", "abonneren"):
        reply = await core.keyfigures.command(person, command)
        assert "Dat mag alleen" in reply.messages[0].plain or "sleutelfiguren" in reply.messages[0].plain, command
    assert dump(core.settings.database_path) == before


async def test_a_key_figure_cannot_do_what_only_admins_do_nor_merge_into_any_offer(core, caplog):
    who, pending, draft, published = await _key_figure_with_offers(core)
    before = dump(core.settings.database_path)
    caplog.set_level(logging.INFO)
    for data in admin_actions(pending, draft, published):
        reply = await core.conversation.act(who, data)
        assert "Dat mag alleen" in reply.messages[0].plain, data
    # Samenvoegen is only offered for a probable duplicate; forged for an unrelated published offer, it is
    # refused (it would add the draft's keywords and categories to that offer).
    caplog.clear()
    reply = await core.conversation.act(who, kf_actions.encode(kf_actions.Merge(draft, published)))
    assert "Dat mag alleen" in reply.messages[0].plain
    assert any("refused kf:dm" in r.getMessage() for r in caplog.records)
    assert dump(core.settings.database_path) == before


async def test_a_forged_admin_press_through_telegram_is_refused_and_logged(core, bot, fake_api, caplog):
    _, pending, _, _ = await _key_figure_with_offers(core)
    person = fake_api.user(PERSON, first_name="Mia")
    await person.send("/start")
    caplog.set_level(logging.INFO)
    push_press(fake_api, person, kf_actions.encode_admin(kf_actions.DeleteConfirmed(pending)))
    await eventually(lambda: any("Dat mag alleen" in (m.text or "") for m in fake_api.sent_to(PERSON)), what="refusal")
    assert (await core.offers.get_by_pk(pending)).status == "pending"
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.roles"]
    assert line == "refused ad:dey: needs the admin role"


async def test_button_data_longer_than_telegram_allows_is_refused_unread(core, bot, fake_api, caplog):
    person = fake_api.user(PERSON)
    await person.send("/start")
    caplog.set_level(logging.INFO)
    before = len(fake_api.calls)
    push_press(fake_api, person, "c1:i:" + "9" * 200)
    await eventually(lambda: any(r.name == "bot.guard" for r in caplog.records), what="the refusal")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.guard"]
    assert line == "refused an update: button data longer than Telegram allows"
    await person.send("/hulp")  # the bot goes on as before
    assert not [c for c in fake_api.calls[before:] if c.method == "answerCallbackQuery"]


# --- offer text is escaped on every card -------------------------------------------------------------


async def test_offer_text_with_html_arrives_as_written_on_every_card(core, bot, fake_api):
    data = {
        "id": "hostile-offer",
        "kind": "activity",
        "title": f"Zwemmen {HOSTILE}"[:200],
        "summary": HOSTILE,
        "description": HOSTILE,
        "keywords": ["zwemmen"],
        "price": {"regular": 5, "reduced": 1, "note": HOSTILE},
        "eligibility": HOSTILE,
        "transport": HOSTILE,
        "registration": HOSTILE,
        "when": {"start": "2027-01-20T14:00", "end": "2027-01-20T16:00"},
        "location": {"name": HOSTILE, "address": HOSTILE},
        "contact": {"name": HOSTILE, "phone": "089 00 00 00"},
    }
    stored = await core.offers.save(Offer.from_dict(data), source="test", actor="test", status="published")
    person, admin = fake_api.user(PERSON), fake_api.user(ADMIN)
    shown = []
    answer = await person.send("zwemmen spaghetti")
    card = next(m for m in answer if "Spaghetti" in (m.text or ""))
    shown.append(card.text)
    shown += [m.text for m in await person.press(card, "ℹ️ Meer info")]
    manage = await admin.send("zwemmen spaghetti")
    card = next(m for m in manage if "Spaghetti" in (m.text or ""))
    shown += [m.text for m in await admin.press(card, "🛠 Beheer")]
    # The fake server parses every HTML message like Telegram (a stray tag is a 400 error); what people see
    # is the text as it was typed, tags and all.
    assert all(text and '<b>Spaghetti & co</b> <script>alert("x")</script>' in text for text in shown), shown
    assert not [c for c in fake_api.calls if not c.ok and c.method != "getUpdates"]
    assert stored.pk


async def test_reminder_buttons_only_ever_touch_the_presser_s_own_reminders(core):
    stored = await core.offers.save(activity("yoga", "2027-01-20T14:00"), source="t", actor="t", status="published")
    owner, other = Who(601, 601), Who(PERSON, PERSON)
    await core.people.seen(owner.user_id, owner.chat_id)
    await core.reminders.subscribe(owner.user_id, stored.pk, day_before=True, hours_before=True, every_time=False)
    ((sub, _),) = await core.reminders.subscriptions(owner.user_id)
    before = dump(core.settings.database_path), await core.outbox.states()
    stop_sub = reminder_actions.encode(reminder_actions.StopSubscription(sub.id))
    stop_offer = reminder_actions.encode(reminder_actions.StopOffer(stored.pk))
    for data in (stop_sub, stop_offer, "r1:x:1", "r1:x:999", "r1:l"):
        await core.conversation.act(other, data)
    assert (dump(core.settings.database_path), await core.outbox.states()) == before
    assert [s.id for s, _ in await core.reminders.subscriptions(owner.user_id)] == [sub.id]
    # The owner's own button does stop it.
    await core.conversation.act(owner, stop_sub)
    assert await core.reminders.subscriptions(owner.user_id) == []
