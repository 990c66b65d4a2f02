"""Key figures in the core, without Telegram: invites, the role check, field answers, merging, concurrent
approvals, long pastes in pieces, refusals, revokes, the command line and the config."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import tomllib
from collections.abc import AsyncIterator

import pytest

from bot.chat.conversation import Who
from bot.chat.replies import Message, Reply
from bot.cli import main
from bot.core import Core, open_core
from bot.keyfigures import Incoming, Role
from bot.keyfigures.desk import LONG_PASTE, merge_offers
from bot.keyfigures.editor import parse_answer
from bot.keyfigures.registry import InviteResult
from bot.offers.model import Offer
from bot.platform.config import ConfigError, parse_settings
from tests.helpers import PROJECT_ROOT, clock_at, make_settings

ADMIN, ADMIN2, KF, PERSON = 900, 901, 700, 800
SOUP = """Soepnamiddag in het Sociaal Huis!
Op woensdag 3 februari om 14u schenken we gratis soep en koffie.
Iedereen welkom in de cafetaria, Hospitaalstraat 2, 3740 Bilzen."""
TODAY = dt.date(2027, 1, 13)


@pytest.fixture
def clock():
    return clock_at(2027, 1, 13, 10, 0)


class RecordingMessenger:
    """What the core sent to others (admins, key figures): the Messenger, recorded."""

    username: str | None = None

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, message: Message) -> int:
        self.sent.append((chat_id, message.plain))
        return len(self.sent)

    def wake_in(self, seconds: float) -> None:
        pass


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture
async def core(tmp_path, clock, messenger, request) -> AsyncIterator[Core]:
    """With a messenger only for tests that look at what was sent (`outbox`); the others run as the
    terminal and the command line do, without one."""
    settings = make_settings(tmp_path)
    telegram = dataclasses.replace(settings.telegram, admins=(ADMIN, ADMIN2), bot_username="BilzenTestBot")
    sending = messenger if "outbox" in request.fixturenames else None
    opened = await open_core(dataclasses.replace(settings, telegram=telegram), clock=clock, messenger=sending)
    yield opened
    await opened.close()


@pytest.fixture
def outbox(messenger) -> list[tuple[int, str]]:
    """What the core sent to others (admins, key figures)."""
    return messenger.sent


async def make_key_figure(core: Core, user_id: int = KF, name: str = "An Peeters", org: str = "CAW Limburg") -> Who:
    who = Who(user_id, user_id)
    link, _ = await core.keyfigures.create_invite("test")
    code = link.rsplit("=", 1)[1]
    await core.keyfigures.start(who, code)
    await core.keyfigures.incoming(who, Incoming(name))
    reply = await core.keyfigures.incoming(who, Incoming(org))
    assert reply is not None and "sleutelfiguur" in reply.messages[0].plain
    return who


def action(reply: Reply, label: str) -> str:
    for message in reply.messages:
        for row in message.buttons:
            for button in row:
                if button.text == label and button.action:
                    return button.action
    raise AssertionError(f"no button {label!r} in {[m.plain for m in reply.messages]}")


async def submit(core: Core, who: Who, text: str = SOUP) -> tuple[str, int]:
    preview = await core.keyfigures.incoming(who, Incoming(text, forwarded=True))
    assert preview is not None
    confirm = action(preview, "✅ Bevestig")
    await core.conversation.act(who, confirm)
    return confirm, int(confirm.rsplit(":", 1)[1])


# ------------------------------------------------------------------------------------------- invites, roles


async def test_invites_work_once_and_expire(core, clock):
    registry = core.keyfigures.registry
    for user in (KF, PERSON):
        await core.people.seen(user, user)
    code, expires = await registry.create_invite(created_by="test", days=7)
    assert expires - clock.now() == dt.timedelta(days=7)
    assert await registry.claim_invite(code, KF) is InviteResult.CLAIMED
    assert await registry.claim_invite(code, KF) is InviteResult.CONTINUE  # the same person may go on
    assert await registry.claim_invite(code, PERSON) is InviteResult.USED
    assert await registry.claim_invite("sf_nope", PERSON) is InviteResult.UNKNOWN
    late, _ = await registry.create_invite(created_by="test", days=7)
    clock.advance(dt.timedelta(days=7))
    assert await registry.claim_invite(late, PERSON) is InviteResult.EXPIRED


async def test_concurrent_claims_of_one_code_let_one_person_in(core):
    registry = core.keyfigures.registry
    users = list(range(1000, 1010))
    for user in users:
        await core.people.seen(user, user)
    code, _ = await registry.create_invite(created_by="test", days=7)
    results = await asyncio.gather(*(registry.claim_invite(code, u) for u in users))
    assert results.count(InviteResult.CLAIMED) == 1 and results.count(InviteResult.USED) == 9


async def test_roles_come_from_config_and_table(core, caplog):
    roles = core.keyfigures.roles
    assert (await roles.of(ADMIN)).role is Role.ADMIN
    assert (await roles.of(PERSON)).role is Role.PERSON
    who = await make_key_figure(core)
    actor = await roles.of(who.user_id)
    assert actor.role is Role.KEY_FIGURE and not actor.trusted
    assert actor.audit == "keyfigure:1" and actor.source == "telegram:sleutelfiguur-1 (CAW Limburg)"
    caplog.set_level(logging.INFO)
    assert await roles.require(PERSON, Role.ADMIN, "ad:ok") is None
    assert any("refused ad:ok" in r.getMessage() for r in caplog.records)
    assert not any(str(PERSON) in r.getMessage() for r in caplog.records)


async def test_revoked_key_figure_is_a_person_again(core, outbox):
    who = await make_key_figure(core)
    reply = await core.keyfigures.command(Who(ADMIN, ADMIN), "sleutelfiguren")
    revoke = action(reply, "🚫 Intrekken: An Peeters")
    await core.conversation.act(Who(ADMIN, ADMIN), revoke)
    assert (await core.keyfigures.roles.of(KF)).role is Role.PERSON
    assert any(chat == KF and "geen sleutelfiguur meer" in text for chat, text in outbox)
    answer = await core.keyfigures.incoming(who, Incoming(SOUP, forwarded=True))
    assert answer is not None and "Alleen sleutelfiguren" in answer.messages[0].plain
    # Revoking is for admins only, whatever the button says.
    forged = await core.conversation.act(who, revoke)
    assert "Dat mag alleen" in forged.messages[0].plain


async def test_registration_needs_the_claimed_code(core):
    who = Who(KF, KF)
    await core.people.seen(KF, KF)
    await core.keyfigures.registry.set_session(KF, "reg_org", data={"code": "sf_forged", "name": "X"})
    reply = await core.keyfigures.incoming(who, Incoming("Mijn organisatie"))
    assert reply is not None and "ken ik niet" in reply.messages[0].plain
    assert (await core.keyfigures.roles.of(KF)).role is Role.PERSON


# ------------------------------------------------------------------------------------------- field answers


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("t", "Filmnamiddag", {"title": "Filmnamiddag"}),
        ("w", "zaterdag 13 maart om 14u", {"when": {"start": "2027-03-13T14:00", "end": "2027-03-13T16:00"}}),
        (
            "w",
            "elke woensdag van 14 tot 16 uur",
            {"when": {"start": "2027-01-13T14:00", "end": "2027-01-13T16:00", "rrule": "FREQ=WEEKLY;BYDAY=WE"}},
        ),
        ("w", "geen", {"when": None}),
        ("m", "5 euro, met Rap op Stap 1 euro", {"price": {"regular": 5, "reduced": 1, "note": None}}),
        ("m", "gratis", {"price": {"regular": 0, "reduced": 0, "note": None}}),
        ("a", "6-12 jaar", {"audience": {"min_age": 6, "max_age": 12, "groups": ["kinderen"]}}),
        ("a", "iedereen", {"audience": {"min_age": None, "max_age": None, "groups": ["iedereen"]}}),
        (
            "p",
            "De Kimpel, Kloosterstraat 5, 3740 Bilzen",
            {"location": {"name": "De Kimpel", "address": "Kloosterstraat 5, 3740 Bilzen"}},
        ),
        ("p", "Sporthal", {"location": {"name": "Sporthal", "address": None}}),
        ("c", "bel 089 12 34 56", {"contact": {"phone": "089 12 34 56", "email": None, "url": None}}),
        ("o", "leeg", {"organizer": None}),
    ],
)
def test_field_answers_are_read_like_flyers(code, text, expected):
    offer = Offer.from_dict({"id": "x", "kind": "activity", "title": "X"})
    update = parse_answer(code, text, today=TODAY, current=offer)
    assert update.problem is None
    changes = update.changes
    if code == "m":
        changes = {"price": {**changes["price"], "note": None}}
    assert changes == expected


@pytest.mark.parametrize(
    ("code", "text", "problem"),
    [
        ("w", "ooit eens", "keyfigures.edit.bad_date"),
        ("m", "niet duur", "keyfigures.edit.bad_price"),
        ("a", "wie zin heeft", "keyfigures.edit.bad_age"),
        ("c", "vraag het aan Jan", "keyfigures.edit.bad_contact"),
        ("t", "leeg", "keyfigures.edit.title_needed"),
        ("t", "   ", "keyfigures.edit.empty"),
        ("zz", "iets", "keyfigures.edit.unknown_field"),
    ],
)
def test_field_answers_that_do_not_fit_get_a_reason(code, text, problem):
    offer = Offer.from_dict({"id": "x", "kind": "activity", "title": "X"})
    assert parse_answer(code, text, today=TODAY, current=offer).problem == problem


def _dated(start: str, end: str, rrule: str | None = None) -> Offer:
    when = {"start": start, "end": end, **({"rrule": rrule} if rrule else {})}
    return Offer.from_dict({"id": "x", "kind": "activity", "title": "X", "when": when})


FEB3 = "2027-02-03T"  # the day of the draft in the time edits below


@pytest.mark.parametrize(
    ("text", "current", "when"),
    [
        ("zondag 19/12 van half 2 tot 5 uur", None, ("2027-12-19T13:30", "2027-12-19T17:00")),
        ("13.30 - 17.00", ("14:00", "16:00"), (FEB3 + "13:30", FEB3 + "17:00")),
        ("van 2 tot 5", ("10:00", "12:00"), (FEB3 + "14:00", FEB3 + "17:00")),
        ("'s middags van 2 tot 5", None, None),
        ("tot 5 uur", ("14:00", "16:00"), (FEB3 + "14:00", FEB3 + "17:00")),
        ("half 3", ("00:00", "23:59"), (FEB3 + "14:30", FEB3 + "16:30")),
        ("zaterdag 13 maart", ("14:00", "16:00"), ("2027-03-13T14:00", "2027-03-13T16:00")),
        ("hele dag", ("14:00", "16:00"), (FEB3 + "00:00", FEB3 + "23:59")),
        ("zaterdag 13 maart, hele dag", None, ("2027-03-13T00:00", "2027-03-13T23:59")),
    ],
)
def test_a_time_edit_is_applied_as_written(text, current, when):
    offer = (
        _dated(FEB3 + current[0], FEB3 + current[1])
        if current
        else Offer.from_dict({"id": "x", "kind": "activity", "title": "X"})
    )
    update = parse_answer("w", text, today=TODAY, current=offer)
    if when is None:
        assert update.problem == "keyfigures.edit.need_date" and update.changes is None
    else:
        assert update.problem is None and not update.ask_time
        assert update.changes == {"when": {"start": when[0], "end": when[1]}}


def test_a_time_edit_keeps_the_repeat():
    offer = _dated("2027-01-13T10:00", "2027-01-13T12:00", "FREQ=WEEKLY;BYDAY=WE")
    update = parse_answer("w", "van 14u tot 16u30", today=TODAY, current=offer)
    assert update.changes == {
        "when": {"start": "2027-01-13T14:00", "end": "2027-01-13T16:30", "rrule": "FREQ=WEEKLY;BYDAY=WE"}
    }


def test_a_date_without_a_time_asks_for_the_time_instead_of_taking_the_whole_day():
    offer = Offer.from_dict({"id": "x", "kind": "activity", "title": "X"})
    update = parse_answer("w", "zaterdag 13 maart", today=TODAY, current=offer)
    assert update.ask_time and update.changes == {"when": {"start": "2027-03-13T00:00", "end": "2027-03-13T23:59"}}


def test_merge_fills_gaps_and_overwrites_nothing():
    existing = Offer.from_dict(
        {"id": "a", "kind": "activity", "title": "Soep", "price": {"regular": 0},
         "contact": {"email": "a@b.be"}, "categories": ["eten"]}
    )  # fmt: skip
    draft = Offer.from_dict(
        {"id": "b", "kind": "activity", "title": "Soepnamiddag", "price": {"regular": 3},
         "contact": {"phone": "089 12 34 56", "email": "x@y.be"}, "categories": ["ontmoeting"],
         "location": {"name": "Sociaal Huis"}, "photo": "file-1"}
    )  # fmt: skip
    merged = merge_offers(existing, draft)
    assert merged.title == "Soep" and merged.price.regular == 0 and merged.contact.email == "a@b.be"
    assert merged.contact.phone == "089 12 34 56" and merged.location.name == "Sociaal Huis"
    assert merged.categories == ("eten", "ontmoeting") and merged.extra["photo"] == "file-1"


# ------------------------------------------------------------------------------------------- the flow


async def test_two_admins_at_once_publish_once(core, outbox):
    who = await make_key_figure(core)
    _, pk = await submit(core, who)
    assert sum("om na te kijken" in text for _, text in outbox) == 2  # both admins
    replies = await asyncio.gather(
        core.conversation.act(Who(ADMIN, ADMIN), f"a1:ok:{pk}"),
        core.conversation.act(Who(ADMIN2, ADMIN2), f"a1:ok:{pk}"),
    )
    texts = [r.messages[0].plain for r in replies]
    assert sum("Goedgekeurd" in t for t in texts) == 1 and sum("is al online" in t for t in texts) == 1
    stored = await core.offers.get_by_pk(pk)
    events = await core.offers.history(stored.offer.id)
    assert [e.details.get("to") for e in events].count("published") == 1
    assert sum("staat nu online" in text for chat, text in outbox if chat == KF) == 1


async def test_refused_offer_goes_back_to_the_key_figure_who_can_fix_and_resend(core, outbox):
    who = await make_key_figure(core)
    _, pk = await submit(core, who)
    refused = await core.conversation.act(Who(ADMIN, ADMIN), f"a1:no:{pk}")
    assert "Geweigerd" in refused.messages[0].plain
    assert (await core.offers.get_by_pk(pk)).status == "draft"
    assert any(chat == KF and "niet goedgekeurd" in text for chat, text in outbox)
    await core.conversation.act(who, f"k1:f:{pk}:t")
    preview = await core.keyfigures.incoming(who, Incoming("Soep en babbel"))
    await core.conversation.act(who, action(preview, "✅ Bevestig"))
    stored = await core.offers.get_by_pk(pk)
    assert stored.status == "pending" and stored.offer.title == "Soep en babbel"


async def test_admin_adjusts_a_pending_offer_and_sees_the_review_again(core, outbox):
    who = await make_key_figure(core)
    _, pk = await submit(core, who)
    admin = Who(ADMIN, ADMIN)
    await core.conversation.act(admin, f"k1:ed:{pk}")
    await core.conversation.act(admin, f"k1:f:{pk}:m")
    review = await core.keyfigures.incoming(admin, Incoming("2 euro, met Rap op Stap 0,50 euro"))
    assert "€2, met Rap op Stap €0,50" in review.messages[0].plain
    action(review, "✅ Goedkeuren")
    # The key figure can no longer change what they sent.
    locked = await core.conversation.act(who, f"k1:f:{pk}:t")
    assert "al doorgestuurd" in locked.messages[0].plain


async def test_a_long_paste_in_pieces_becomes_one_draft(core, clock):
    who = await make_key_figure(core)
    filler = "Er is ook een hoekje om te spelen voor de kinderen en een tafel met boeken om in te lezen. "
    first = (SOUP + "\n" + filler * 60)[:4096]  # Telegram cut the paste at its limit
    second = "Info en inschrijven: 089 12 34 56 of soep@sociaalhuis.example.be. " * 4
    one = await core.keyfigures.incoming(who, Incoming(first))
    clock.advance(dt.timedelta(seconds=2))
    two = await core.keyfigures.incoming(who, Incoming(second))
    assert "samengevoegd" in two.messages[0].plain
    drafts = await core.offers.select(statuses=("draft",))
    assert len(drafts) == 1 and drafts[0].offer.contact.phone == "089 12 34 56"
    assert action(one, "✅ Bevestig") == action(two, "✅ Bevestig")
    clock.advance(dt.timedelta(minutes=5))  # much later: a new offer
    await core.keyfigures.incoming(who, Incoming(second))
    assert len(await core.offers.select(statuses=("draft",))) == 2


async def test_two_whole_pastes_seconds_apart_are_two_drafts(core, clock):
    who = await make_key_figure(core)
    soup = SOUP + "\nBreng gerust je buren mee, er is plaats genoeg voor iedereen die zin heeft in een babbel."
    one = await core.keyfigures.incoming(who, Incoming(soup))
    clock.advance(dt.timedelta(seconds=3))
    quiz = (
        "Quizavond in zaal De Schakel\nVrijdag 16 april om 20u, 5 euro per ploeg, met Rap op Stap 1 euro. "
        "Ploegen van maximum 4 personen. Inschrijven bij Jos op 0476 11 22 99 of quiz@example.be. "
        "Er zijn mooie prijzen voor iedereen."
    )
    assert len(soup) >= LONG_PASTE and len(quiz) >= LONG_PASTE
    two = await core.keyfigures.incoming(who, Incoming(quiz))
    assert "samengevoegd" not in two.messages[0].plain
    drafts = {d.offer.title: d.offer for d in await core.offers.select(statuses=("draft",))}
    assert len(drafts) == 2 and action(one, "✅ Bevestig") != action(two, "✅ Bevestig")
    assert drafts["Soepnamiddag in het Sociaal Huis"].when.start == dt.datetime(2027, 2, 3, 14, 0)


async def test_an_unanswered_question_is_forgotten_after_a_day(core, clock):
    who = await make_key_figure(core)
    asked = await core.keyfigures.incoming(
        who, Incoming("Gratis soep voor iedereen in het Sociaal Huis", forwarded=True)
    )
    assert "Wanneer" in asked.messages[-1].plain
    clock.advance(dt.timedelta(hours=2))
    wrong = await core.keyfigures.incoming(who, Incoming("zwemmen"))
    assert wrong is not None and "begrijp ik niet" in wrong.messages[0].plain  # still waiting for the date
    clock.advance(dt.timedelta(days=1))
    assert await core.keyfigures.incoming(who, Incoming("zwemmen")) is None  # a question again
    assert len(await core.offers.select(statuses=("draft",))) == 1  # the draft is still there


async def test_a_key_figure_cannot_touch_another_ones_draft(core):
    one = await make_key_figure(core)
    other = await make_key_figure(core, 701, "Bart Claes", "OCMW Bilzen")
    preview = await core.keyfigures.incoming(one, Incoming(SOUP, forwarded=True))
    pk = action(preview, "✅ Bevestig").rsplit(":", 1)[1]
    for forged in (f"k1:ok:{pk}", f"k1:x:{pk}", f"k1:f:{pk}:t", f"k1:ed:{pk}"):
        reply = await core.conversation.act(other, forged)
        assert "Dat mag alleen" in reply.messages[0].plain, forged
    assert (await core.offers.get_by_pk(int(pk))).status == "draft"


async def test_without_telegram_nothing_is_lost(core):
    """No sender (terminal, command line): admins are not reached, the key figure is told, the offer waits."""
    who = await make_key_figure(core)
    preview = await core.keyfigures.incoming(who, Incoming(SOUP, forwarded=True))
    reply = await core.conversation.act(who, action(preview, "✅ Bevestig"))
    assert "Ik kon niemand verwittigen" in reply.messages[0].plain
    waiting = await core.keyfigures.command(Who(ADMIN, ADMIN), "nakijken")
    assert "1 aanbod wacht" in waiting.messages[0].plain


# ------------------------------------------------------------------------------------------- CLI, config


def test_cli_invite_prints_a_link(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n[data]\ndir = "{PROJECT_ROOT / "data"}"\n'
        '[telegram]\nbot_username = "@BilzenTestBot"\n',
        encoding="utf-8",
    )
    assert main(["--config", str(config), "invite", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/BilzenTestBot?start=sf_" in out and "works once" in out


def test_config_keys_for_key_figures():
    settings = parse_settings(
        {"telegram": {"bot_username": "BilzenBot"}, "keyfigures": {"invite_days": 3, "weekly_day": "vrijdag"}},
        environ={},
    )
    assert settings.telegram.bot_username == "BilzenBot"
    assert settings.keyfigures.invite_days == 3 and settings.keyfigures.weekly_weekday == 4
    with pytest.raises(ConfigError, match=r"keyfigures\.invite_days"):
        parse_settings({"keyfigures": {"invite_days": 0}}, environ={})
    with pytest.raises(ConfigError, match=r"telegram\.bot_username"):
        parse_settings({"telegram": {"bot_username": "no spaces please"}}, environ={})
    example = (PROJECT_ROOT / "config.example.toml").read_text(encoding="utf-8")
    parse_settings(tomllib.loads(example), environ={})  # the documented example is valid


# ------------------------------------------------------------------------------------------- the whole flow


async def test_forwarded_fixture_texts_arrive_whole_as_drafts(core, clock):
    """Every intake fixture forwarded through the key figure flow: the stored draft scores exactly like the
    extraction itself (validation and storage lose no field), and the floor holds for the stored drafts."""
    from bot.intake import extract_offer
    from tests.intake.test_intake import EXPECTED, FIXTURES, FLOOR, FLOOR_FIELDS, accuracy, score_fields

    who = await make_key_figure(core)
    placeholder = core.texts.label("keyfigures.draft.no_title")
    results = {}
    for name, expected in EXPECTED.items():
        text = (FIXTURES / name).read_text(encoding="utf-8")
        today = dt.date.fromisoformat(expected["today"])
        clock.set(dt.datetime.combine(today, dt.time(10, 0), tzinfo=core.settings.timezone))
        await core.keyfigures.registry.clear_session(KF)
        reply = await core.keyfigures.incoming(who, Incoming(text, forwarded=True))
        assert reply is not None, name
        drafts = {s.offer.id: s for s in await core.offers.select(statuses=("draft",))}
        newest = max(drafts.values(), key=lambda s: s.pk)
        stored = newest.offer.to_dict()
        if stored["title"] == placeholder:
            stored["title"] = None
        results[name] = score_fields(stored, expected)
        direct = score_fields(extract_offer(text, today=today).offer, expected)
        assert results[name] == direct, name
    acc = accuracy(results, list(results))
    low = {f: acc[f] for f in FLOOR_FIELDS if acc[f][0] / acc[f][1] < FLOOR}
    assert not low, low


async def test_share_link_of_a_long_id_uses_the_number_and_opens_the_card(core):
    who = await make_key_figure(core)
    long_id = "zomerkamp-voor-kinderen-van-zes-tot-twaalf-jaar-in-de-sporthal-van-bilzen"
    offer = Offer.from_dict({"id": long_id, "kind": "activity", "title": "Zomerkamp", "keywords": ["kamp"]})
    stored = await core.offers.save(offer, source="test", actor="test", status="published")
    (share,) = core.keyfigures.shared.share_button(stored)
    assert f"start%3Doffer-{stored.pk}&" in share.url and len(f"offer-{long_id}") > 64
    opened = await core.conversation.start(Who(PERSON, PERSON), f"offer-{stored.pk}")
    assert opened.messages[0].plain.startswith("Zomerkamp")
    card = await core.conversation.start(who, f"offer-{stored.pk}")
    assert "📤 Deel" in [b.text for row in card.messages[0].buttons for b in row]


async def test_the_lock_per_person_is_gone_once_their_message_is_handled(core):
    """500 people ask one question each, some two at once: no lock is left behind (it was: all 500)."""
    desk = core.keyfigures.desk
    for user_id in range(1, 501):
        assert await core.keyfigures.incoming(Who(user_id, user_id), Incoming("zwemmen")) is None
    twice = [core.keyfigures.incoming(Who(7, 7), Incoming(text)) for text in ("zwemmen", "film", "yoga")]
    assert await asyncio.gather(*twice) == [None, None, None]
    assert desk._locks == {} and not desk._users
