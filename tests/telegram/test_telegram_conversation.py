"""The conversation of someone looking for something, as that person sees it: end to end through the real
Application and the fake Bot API server, on a real SQLite file with known offers, the clock in the test's hand.

tests/telegram/test_telegram_people.py covers the basics (welcome, commands, a card, escaping on a card, odd
questions fit); this file walks a first visit exactly, and covers browsing, 'Deze week', did-you-mean,
media, groups, edits, long texts, forged buttons, restarts and blocked people.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from markupsafe import Markup
from telegram.ext import Application

from bot.chat.replies import MAX_ACTION_BYTES
from bot.core import Core
from bot.lang.speaking import speaking
from bot.platform.calendar import ManualClock
from handlers.app import open_bot
from tests.fakebotapi import ChatMessage, FakeBotApi, FakeUser, Replies, html_to_text, running_app
from tests.helpers import brussels, make_settings, telegram_settings
from tests.telegram.conversation_offers import SWIM_LESSON, SWIMMING, publish

MENU = ["🎈 Activiteiten", "💶 Kortingen", "🚌 Vervoer", "🧒 Opvang & hulp", "📅 Deze week", "❓ Hulp"]
ERROR_TEXT = "Oei, er ging iets mis"
SWIM_LESSON_CARD = """Zwemles voor kinderen
Leren zwemmen in kleine groepjes.
Een zwemleraar leert je kind stap voor stap zwemmen. Ouders kijken mee vanaf de tribune.
📅 zaterdag 16 januari, 09:00-09:45
🔁 elke zaterdag tot zaterdag 26 juni
📍 Zwembad Bilzen, Sportlaan 2, 3740 Bilzen
💶 €4, met Rap op Stap €0,80
✅ Korting voor: Kinderen met een Rap op Stap-kaart.
👤 van 5 tot 12 jaar
🚌 Bus 20 stopt voor de deur.
📝 Inschrijven bij de sportdienst.
☎️ 089 00 04 00 · sport@example.be
🤝 Sportdienst Bilzen"""


@pytest.fixture
def settings(tmp_path, fake_api: FakeBotApi):
    """Aimed at the fake server through the settings, so the bot is built as in production."""
    return make_settings(tmp_path, telegram=telegram_settings(fake_api.base_url, token=fake_api.token))


@pytest.fixture
def builder() -> None:
    return None


@pytest.fixture
def load_sample() -> bool:
    return False


@pytest.fixture
async def opened(opened: tuple[Application, Core]) -> tuple[Application, Core]:
    await publish(opened[1].offers)  # the known offers of tests/telegram/conversation_offers.py
    return opened


async def open_test_bot(tmp_path, clock: ManualClock, api: FakeBotApi, **search: Any) -> tuple[Application, Core]:
    """A bot on known offers, its Telegram settings aimed at the fake server: built as in production,
    our HTTP transport included (handlers/http.py)."""
    settings = make_settings(tmp_path, telegram=telegram_settings(api.base_url, token=api.token))
    if search:
        settings = dataclasses.replace(settings, search=dataclasses.replace(settings.search, **search))
    return await open_bot(settings, clock=clock, load_sample=False)


# --- helpers --------------------------------------------------------------------------------------------


def shown(text: Markup) -> str:
    """A text of data/texts.nl.toml as the person sees it in Telegram."""
    return html_to_text(str(text))


def labels(message: ChatMessage) -> list[str]:
    return [label for row in message.button_texts for label in row]


def card_title(message: ChatMessage) -> str:
    """The title of the card in a message (after an intro paragraph, if any)."""
    assert message.text is not None
    return message.text.split("\n\n")[-1].splitlines()[0]


def clean(replies: Replies) -> Replies:
    """The replies, after checking that no call failed and no 'something went wrong' reached the person."""
    assert not replies.errors, [(c.method, c.status, c.error) for c in replies.errors]
    assert all(ERROR_TEXT not in (m.text or "") for m in replies), replies.texts
    return replies


async def forged_press(user: FakeUser, message: ChatMessage, data: str) -> Replies:
    """A button press with callback data the bot never sent (an old client, a tampered one)."""
    api = user.api
    query_id = str(next(api._query_ids))
    query = {
        "id": query_id,
        "from": user.user,
        "message": copy.deepcopy(message.raw),
        "chat_instance": f"ci{user.user_id}",
        "data": data,
    }
    api._callback_queries[query_id] = query
    replies = await user._push_and_wait({"callback_query": query}, f"a forged press {data!r}")
    replies.callback_answer = api.callback_answers.get(query_id)
    return replies


def membership_update(chat: dict, user: dict, bot_user: dict, old: str, new: str) -> dict:
    return {
        "my_chat_member": {
            "chat": chat,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": {"user": bot_user, "status": old},
            "new_chat_member": {"user": bot_user, "status": new, **({"until_date": 0} if new == "kicked" else {})},
        }
    }


# --- a first visit, exactly as the person sees it --------------------------------------------------------


async def test_a_first_visit_start_question_more_info_more_results_and_forget(core, bot, fake_api):
    texts = core.texts
    user = fake_api.user(601, first_name="Mia")

    (welcome,) = clean(await user.send("/start"))
    assert welcome.text == shown(texts("welcome.text", name="Mia"))
    assert [label for label in labels(welcome) if label in MENU] == MENU
    assert welcome.button_texts[-1] == ["❓ Hulp", "🌐 Taal"]  # the language button beside help in /start

    answer = clean(await user.send("zwemmen"))
    assert len(answer.new) == 3, "three cards, one message each"
    assert answer[0].text.startswith("Dit vond ik voor jou. Hier zijn er 3 van de 4:\n\n")
    first_page = [card_title(m) for m in answer]
    assert all("ℹ️ Meer info" in labels(m) for m in answer)
    assert answer[-1].button_texts[-1] == ["Meer resultaten ▶", "⬅️ Menu"]
    assert all("Meer resultaten ▶" not in labels(m) for m in answer[:-1])

    lesson = next(m for m in answer if card_title(m) == "Zwemles voor kinderen")
    info = clean(await user.press(lesson, "ℹ️ Meer info"))
    assert info.callback_answer is not None
    (full,) = info.new
    assert full.text == SWIM_LESSON_CARD
    # The kids' lesson: no 'Wie past op de kinderen?' (the children are the ones going).
    assert full.button_texts[-4:] == [
        ["🚌 Hoe geraak ik er?", "📅 Zet in mijn agenda"],
        ["🤝 Ik wil niet alleen gaan"],
        ["🌐 Website"],
        ["⬅️ Menu"],
    ]
    assert full.buttons[-2][0].data == SWIM_LESSON["contact"]["url"]

    more = clean(await user.press(answer[-1], "Meer resultaten ▶"))
    (second_page,) = more.new
    assert second_page.text.startswith("Meer voor jou (4 tot 4 van 4):\n\n")
    assert sorted([*first_page, card_title(second_page)]) == sorted(SWIMMING)
    assert second_page.button_texts[-1] == ["⬅️ Menu"], "nothing more to page to"
    (old_last,) = more.edited
    assert old_last.message_id == answer[-1].message_id
    assert "Meer resultaten ▶" not in labels(old_last), "the used paging button is gone"
    assert old_last.text == answer[-1].text

    (confirm,) = clean(await user.send("/vergeet"))
    assert confirm.text == shown(texts("forget.confirm"))
    assert confirm.button_texts == [["Ja, wis alles", "Nee, niets wissen"]]
    assert await core.people.get(601) is not None
    done = clean(await user.press(confirm, "Ja, wis alles"))
    assert not done.new
    (forgotten,) = done.edited
    assert forgotten.message_id == confirm.message_id
    assert forgotten.text == shown(texts("forget.done"))
    assert forgotten.buttons == []
    assert await core.people.get(601) is None

    every_button = [b for m in fake_api.sent_to(601) for row in m.buttons for b in row]
    assert every_button and all(len((b.data or "").encode()) <= MAX_ACTION_BYTES for b in every_button)


# --- browsing ----------------------------------------------------------------------------------------------


ACTIVITIES_PAGE_1 = """🎈 Activiteiten die eraan komen (1 tot 5 van 6)

1. <b>Spaghetti & co</b>
📅 morgen, 18:00-21:00
💶 €5, met Rap op Stap €1

2. Zwemles voor kinderen
📅 zaterdag 16 januari, 09:00-09:45
💶 €4, met Rap op Stap €0,80

3. Aquagym voor senioren
📅 dinsdag 19 januari, 10:00-11:00
💶 €3, met Rap op Stap €0,60

4. Buurtfeest in de Kimpel
📅 woensdag 20 januari, 09:00-09:50
💶 gratis

5. Wandeling langs de Demer
📅 woensdag 20 januari, 10:30-11:30
💶 gratis

Tik hieronder op een nummer voor alle info."""

ACTIVITIES_PAGE_2 = """🎈 Activiteiten die eraan komen (6 tot 6 van 6)

6. Zomerzwemmen in de vijver
📅 maandag 5 juli, 14:00-17:00
💶 gratis

Tik hieronder op een nummer voor alle info."""


async def test_a_topic_list_pages_in_place_opens_cards_and_leads_back_to_the_menu(core, bot, fake_api):
    user = fake_api.user(602)
    (welcome,) = await user.send("/start")

    opened = clean(await user.press(welcome, "🎈 Activiteiten"))
    (listing,) = opened.new
    assert listing.text == ACTIVITIES_PAGE_1
    assert listing.button_texts == [
        ["1. <b>Spaghetti & co</b>"],
        ["2. Zwemles voor kinderen"],
        ["3. Aquagym voor senioren"],
        ["4. Buurtfeest in de Kimpel"],
        ["5. Wandeling langs de Demer"],
        ["Volgende ▶"],
        ["⬅️ Menu"],
    ]

    turned = clean(await user.press(listing, "Volgende ▶"))
    assert not turned.new, "the page turns in the same message"
    (page_2,) = turned
    assert page_2.message_id == listing.message_id
    assert page_2.text == ACTIVITIES_PAGE_2
    assert page_2.button_texts == [["6. Zomerzwemmen in de vijver"], ["◀ Vorige"], ["⬅️ Menu"]]

    (back,) = clean(await user.press(page_2, "◀ Vorige"))
    assert (back.message_id, back.text) == (listing.message_id, ACTIVITIES_PAGE_1)

    (card,) = clean(await user.press(back, "2. Zwemles voor kinderen")).new
    assert card.text == SWIM_LESSON_CARD

    (menu,) = clean(await user.press(back, "⬅️ Menu")).new
    assert menu.text == shown(core.texts("menu.text"))
    assert [label for label in labels(menu) if label in MENU] == MENU
    assert fake_api.sent_to(602)[0].text == welcome.text, "the welcome stays as it was"


@pytest.mark.parametrize(
    ("topic", "titles"),
    [
        ("💶 Kortingen", ["Beurtenkaart zwembad aan 20%"]),
        ("🚌 Vervoer", ["Belbus: ophalen aan huis"]),
        ("🧒 Opvang & hulp", ["Oppas voor je kinderen", "Stapmaatje: iemand die met je meegaat"]),
    ],
)
async def test_every_topic_of_the_menu_lists_its_offers(bot, fake_api, topic, titles):
    user = fake_api.user(603)
    (welcome,) = await user.send("/start")
    (listing,) = clean(await user.press(welcome, topic)).new
    assert re.findall(r"(?m)^\d+\. (.+)$", listing.text or "") == titles
    assert listing.button_texts[-1] == ["⬅️ Menu"]


def week_titles(message: ChatMessage) -> list[str]:
    return re.findall(r"(?m)^\d+\. (.+)$", message.text or "")


async def test_this_week_shows_the_coming_seven_days_as_the_clock_moves(core, bot, fake_api, clock):
    user = fake_api.user(604)
    (welcome,) = await user.send("/start")

    (week,) = clean(await user.press(welcome, "📅 Deze week")).new
    assert week.text.startswith("📅 Dit is er de komende 7 dagen\n\n")
    # Until Wednesday 20 January 10:00: the walk at 10:30 that day is one week and a half hour away.
    assert week_titles(week) == [
        "<b>Spaghetti & co</b>",
        "Zwemles voor kinderen",
        "Aquagym voor senioren",
        "Buurtfeest in de Kimpel",
    ]
    assert week.button_texts[-1] == ["⬅️ Menu"]

    clock.set(brussels(2027, 1, 15, 12, 0))
    (week,) = clean(await user.press(welcome, "📅 Deze week")).new
    assert week_titles(week) == [
        "Zwemles voor kinderen",
        "Aquagym voor senioren",
        "Buurtfeest in de Kimpel",
        "Wandeling langs de Demer",
    ]
    assert "📅 morgen, 09:00-09:45" in week.text  # Saturday 16 January: the lesson, tomorrow

    clock.set(brussels(2027, 1, 23, 9, 30))  # Saturday, during the lesson
    (week,) = clean(await user.press(welcome, "📅 Deze week")).new
    assert "📅 vandaag, 09:00-09:45" in week.text
    assert week_titles(week) == ["Zwemles voor kinderen"]

    clock.set(brussels(2027, 12, 1, 10, 0))
    (empty,) = clean(await user.press(welcome, "📅 Deze week")).new
    assert empty.text == shown(core.texts("browse.empty", **core.conversation._contact_values()))
    assert [label for label in labels(empty) if label in MENU] == MENU


async def test_a_long_list_is_split_and_keeps_its_buttons(tmp_path, clock, fake_api):
    """Twenty offers with long titles full of '&': the list goes out in pieces under 4096 characters."""
    app, core = await open_test_bot(tmp_path, clock, fake_api, list_size=20)
    try:
        titles = [(f"Nummer {n}: " + "Koffie & taart & " * 12)[:200] for n in range(1, 21)]
        await publish(core.offers, *({"id": f"lang-{n}", "kind": "discount", "title": t} for n, t in enumerate(titles)))
        async with running_app(app):
            user = fake_api.user(605)
            (welcome,) = await user.send("/start")
            pieces = clean(await user.press(welcome, "💶 Kortingen")).new
    finally:
        await core.close()
    assert len(pieces) >= 2
    assert all(m.buttons == [] for m in pieces[:-1]) and len(pieces[-1].buttons) == 20 + 1
    numbers = [int(n) for m in pieces for n in re.findall(r"(?m)^(\d+)\. ", m.text or "")]
    assert numbers == list(range(1, 21)), "every offer is listed once, in order"
    assert all(len(label) <= 60 for label in labels(pieces[-1]))


# --- nothing found, did you mean --------------------------------------------------------------------------


async def test_nothing_found_offers_the_suggestion_as_a_button_the_topics_and_the_contact(core, bot, fake_api):
    user = fake_api.user(606)
    (answer,) = clean(await user.send("akwagym"))  # ('aquarium' is a real word: never "corrected")
    contact = core.conversation._contact_values()
    assert answer.text == "\n\n".join(
        shown(t)
        for t in (
            core.texts("nothing.text"),
            core.texts("nothing.did_you_mean", suggestion="aquagym"),
            core.texts("nothing.contact", **contact),
        )
    )
    assert answer.button_texts[0] == ["🔎 aquagym"]
    assert [label for label in labels(answer) if label in MENU] == MENU

    followed = clean(await user.press(answer, "🔎 aquagym"))
    assert [card_title(m) for m in followed.new] == ["Aquagym voor senioren"]

    outcomes = [r["outcome"] for r in await core.db.fetchall("SELECT outcome FROM question_log ORDER BY id")]
    assert outcomes == ["nothing", "answered"], "the unanswered question is counted for the network's report"


async def test_nothing_on_the_day_asked_shows_what_comes_later_and_counts_the_question_unanswered(core, bot, fake_api):
    user = fake_api.user(607)
    (answer, *_) = clean(await user.send("iets gratis morgen"))  # Thursday: only the spaghetti evening, not free
    assert answer.text is not None
    assert answer.text.startswith(shown(core.texts("answer.found_later", period="morgen")))
    assert card_title(answer) == "Buurtfeest in de Kimpel"  # free, next Wednesday
    assert "📅 woensdag 20 januari, 09:00-09:50" in answer.text
    outcomes = [r["outcome"] for r in await core.db.fetchall("SELECT outcome FROM question_log ORDER BY id")]
    assert outcomes == ["nothing"], "the network sees that nothing was free that day"


# --- not alone, childcare, how to get there ---------------------------------------------------------------


async def test_not_alone_childcare_and_the_way_there_with_offer_text_escaped(core, bot, fake_api):
    user = fake_api.user(607)
    (card,) = clean(await user.send("spaghetti"))
    assert card_title(card) == "<b>Spaghetti & co</b>"
    assert {"🤝 Ik wil niet alleen gaan", "🧒 Wie past op de kinderen?"} <= set(labels(card))

    (route,) = clean(await user.press(card, "🚌 Hoe geraak ik er?")).new
    assert route.text == (
        "🚌 Zo geraak je bij <b>Spaghetti & co</b>:\n"
        "📍 Zaal <De Kroon> & Zonen, Markt 1, 3740 Bilzen\n"
        "🚌 Neem bus <20> & stap af aan de Markt.\n"
        "Hulp bij vervoer op morgen, 18:00-21:00:"
    )
    assert route.button_texts == [["ℹ️ Belbus: ophalen aan huis"], ["⬅️ Menu"]]

    alone = clean(await user.press(card, "🤝 Ik wil niet alleen gaan")).new
    assert alone[0].text.startswith(shown(core.texts("alone.intro")) + "\n\n")
    assert card_title(alone[0]) == "Stapmaatje: iemand die met je meegaat"
    assert alone[-1].button_texts[-1] == ["⬅️ Menu"]

    childcare = clean(await user.press(card, "🧒 Wie past op de kinderen?")).new
    assert [card_title(m) for m in childcare] == ["Oppas voor je kinderen"]


# --- long texts ------------------------------------------------------------------------------------------


async def test_more_info_with_a_very_long_description_arrives_whole_in_several_messages(core, bot, fake_api):
    words = [f"woord{n}{'🏊' if n % 7 == 0 else ''}{' &' if n % 11 == 0 else ''}" for n in range(700)]
    description = " ".join(words)[:5000]
    long_offer = {
        "id": "lange-uitleg",
        "kind": "activity",
        "title": "Lange uitleg",
        "summary": "Kort gezegd: veel tekst.",
        "description": description,
        "keywords": ["reuzenverhaal"],
        "transport": "Bus & trein. " * 75,
        "registration": "Bel ons. " * 100,
    }
    await publish(core.offers, long_offer)
    user = fake_api.user(608)
    (card,) = clean(await user.send("reuzenverhaal"))
    pieces = clean(await user.press(card, "ℹ️ Meer info")).new
    assert len(pieces) >= 2
    assert all(m.buttons == [] for m in pieces[:-1]), "the buttons sit under the last piece"
    assert pieces[-1].button_texts[-1] == ["⬅️ Menu"]
    seen = " ".join(" ".join((m.text or "").split()) for m in pieces)
    assert " ".join(description.split()) in seen, "nothing of the description is lost"
    assert pieces[0].text.startswith("Lange uitleg\n")


# --- what is not a question -----------------------------------------------------------------------------


MEDIA = [
    ("photo", lambda u: u.send_photo()),
    ("photo", lambda u: u.send_photo(caption="wat is dit?")),
    ("voice", lambda u: u.send_voice(4)),
    ("sticker", lambda u: u.send_sticker("😀")),
    ("location", lambda u: u.send_location(50.87, 5.52)),
    ("document", lambda u: u.send_document()),
    ("other", lambda u: u._say(u.user, {"contact": {"phone_number": "+3289000010", "first_name": "Jan"}}, "x")),
    ("other", lambda u: u._say(u.user, {"dice": {"emoji": "🎲", "value": 3}}, "a dice")),
]


async def test_media_get_a_pointer_and_the_menu(core, bot, fake_api):
    user = fake_api.user(609)
    for kind, send in MEDIA:
        (pointer,) = clean(await send(user))
        assert pointer.text == shown(core.texts(f"media.{kind}")), kind
        assert [label for label in labels(pointer) if label in MENU] == MENU, kind


async def test_service_messages_are_ignored(bot, fake_api):
    user = fake_api.user(610)
    pinned = {"pinned_message": {"message_id": 1, "date": 0, "chat": user.chat}}
    replies = await user._say(user.user, pinned, "a pinned message", expect_reply=False)
    assert not replies


async def test_an_edited_question_is_answered_again_and_other_edits_are_ignored(bot, fake_api):
    user = fake_api.user(611)
    await user.send("zwemen")
    (question,) = user.own_messages
    edited = clean(await user.edit(question, "spaghetti"))
    assert [card_title(m) for m in edited.new] == ["<b>Spaghetti & co</b>"]
    await user.send_photo(caption="affiche")
    photo = user.own_messages[-1]
    stored = fake_api._messages[user.chat_id][photo.message_id]
    stored.raw["caption"], stored.raw["edit_date"] = "andere tekst", int(time.time())
    update = {"edited_message": copy.deepcopy(stored.raw)}
    replies = await user._push_and_wait(update, "a caption edit", expect_reply=False)
    assert not replies, "an edited caption is not a question"


async def test_groups_get_a_pointer_for_commands_and_otherwise_silence(core, bot, fake_api):
    group = fake_api.group(-1001234, title="Buurtgroep")
    pointer = shown(core.texts("media.group"))
    assert clean(await group.send("/start")).texts == [pointer]
    assert clean(await group.send("/hulp@BilzenTestBot")).texts == [pointer]
    assert clean(await group.send("/weekoverzicht")).texts == [pointer]  # every command of the one list
    assert not await group.send("/mijnid", expect_reply=False)  # not meant for groups
    assert not await group.send("zwemmen", expect_reply=False)
    assert not await fake_api.user(612)._push_and_wait(
        {"callback_query": {"id": "1", "from": {"id": 612, "is_bot": False, "first_name": "X"}, "chat_instance": "c"}},
        "a press without a message",
        expect_reply=False,
    )
    joined = membership_update(group.chat, fake_api.user(613).user, fake_api.bot_user, "left", "member")
    assert clean(await group._push_and_wait(joined, "the bot added to the group")).texts == [pointer]
    assert await core.people.get(4242) is None and await core.people.get(613) is None, "nobody stored for a group"


# --- odd questions -------------------------------------------------------------------------------------


ODD_QUESTIONS = [
    ("zwemmen " * 1250, "long"),
    ("x" * 10_000, "long"),
    ("😀" * 50, "nothing.empty"),
    (" " * 30, "nothing.empty"),
    ("\u200f\u200e\u200b", "nothing.empty"),
    ("עברית zwemmen", "cards"),
    ("zwemmen 🏊\u200d♀️", "cards"),
    ("<b>zwemmen</b> & <script>", "any"),
    ("مرحبا كيف حالك", "ar:nothing.empty"),  # last: Arabic is this person's language from now on (bot/lang)
]


async def test_odd_questions_get_an_honest_answer(core, bot, fake_api):
    user = fake_api.user(614)
    for text, expected in ODD_QUESTIONS:
        replies = clean(await user.send(text))
        assert replies.new, text[:20]
        first = replies[0].text or ""
        if expected == "long":
            assert first.startswith(shown(core.texts("answer.question_too_long"))), text[:20]
        elif expected == "any":
            assert first  # markup in a question breaks nothing; what it finds is the matcher's business
        elif expected == "cards":
            assert first.startswith("Dit vond ik voor jou") and "Zwem" in first, text
        elif expected.startswith("ar:"):
            with speaking("ar"):
                assert first.startswith(shown(core.texts(expected[3:]))), text
        else:
            assert first.startswith(shown(core.texts(expected))), text


# --- buttons that are not ours, or too old ---------------------------------------------------------------


FORGED = [  # at most the flood guard's 20 a minute (limits.messages_per_minute)
    "c1:i:99999999999999999999999",
    "c1:i:²",
    "c1:i:٣",
    "c1:i:-1",
    "c1:g:abc",
    "c1:a:",
    "zz:1",
    "",
    "c1:p:nope:3",
    "c1:b:week:abc",
    "c1:b:nope",
    "c1:b:week:999999999999",
    "c1:s:gone",
    "c1:f:maybe",
    "c1:m:extra",
    "c9:i:1",  # a version this bot does not know
    "i:1",  # the version before, still in people's chats
]


async def test_a_forged_button_gets_a_polite_answer(bot, fake_api):
    user = fake_api.user(615)
    (welcome,) = await user.send("/start")
    for data in FORGED:
        replies = clean(await forged_press(user, welcome, data))
        assert replies.callback_answer is not None, f"{data!r}: the spinner stops"
        assert replies and all(m.text for m in replies), data


async def test_an_unknown_button_says_so_and_shows_the_menu(core, bot, fake_api):
    user = fake_api.user(616)
    (welcome,) = await user.send("/start")
    replies = clean(await forged_press(user, welcome, "oud:knopje"))
    assert replies.callback_answer["text"] == core.texts.label("answer.unknown_button")
    (menu,) = replies.new
    assert menu.text == shown(core.texts("menu.text"))


@asynccontextmanager
async def bot_on(tmp_path, clock, api: FakeBotApi) -> AsyncIterator[Core]:
    app, core = await open_test_bot(tmp_path, clock, api)
    try:
        async with running_app(app):
            yield core
    finally:
        await core.close()


async def test_after_a_restart_old_result_pages_ask_to_search_again_and_lists_still_page(tmp_path, clock, fake_api):
    user = fake_api.user(617)
    async with bot_on(tmp_path, clock, fake_api) as core:
        await publish(core.offers)
        answer = await user.send("zwemmen")
        (welcome,) = await user.send("/start")
        (listing,) = (await user.press(welcome, "🎈 Activiteiten")).new
    async with bot_on(tmp_path, clock, fake_api) as core:
        stale = clean(await user.press(answer[-1], "Meer resultaten ▶"))
        assert stale.new[0].text == shown(core.texts("answer.expired"))
        (page_2,) = clean(await user.press(listing, "Volgende ▶"))
        assert page_2.text == ACTIVITIES_PAGE_2


# --- people who leave -------------------------------------------------------------------------------------


async def test_someone_who_blocked_the_bot_breaks_nothing_and_gets_nothing_unasked(core, bot, fake_api):
    user, other = fake_api.user(618), fake_api.user(619)
    await user.send("/start")
    fake_api.block(618)
    refused = await user.send("zwemmen")
    assert [c.status for c in refused.errors] == [403], "one refused message; the rest of the answer is not tried"
    assert all(ERROR_TEXT not in (c.params.get("text") or "") for c in fake_api.calls_to("sendMessage"))
    person = await core.people.get(618)
    assert person is not None and not person.reachable
    assert clean(await other.send("zwemmen")).new, "others are served as before"

    fake_api.unblock(618)
    assert clean(await user.send("zwemmen")).new
    assert (await core.people.get(618)).reachable, "writing again undoes the block"

    blocked = membership_update(user.chat, user.user, fake_api.bot_user, "member", "kicked")
    assert not await user._push_and_wait(blocked, "the block", expect_reply=False)
    assert not (await core.people.get(618)).reachable, "Telegram's notice of the block is enough"


async def test_stop_privacy_and_help(core, bot, fake_api):
    user = fake_api.user(620)
    await user.send("/start")
    (stop,) = clean(await user.send("/stop"))
    assert stop.text == shown(core.texts("stop.text"))
    assert not (await core.people.get(620)).reachable
    await user.send("zwemmen")
    assert (await core.people.get(620)).reachable, "asking something again is coming back"

    (privacy,) = clean(await user.send("/privacy"))
    months = core.settings.privacy.retention_months
    assert privacy.text == shown(core.texts("privacy.text", months=months, **core.conversation._contact_values()))
    assert "sleutelfiguur" in privacy.text and f"Na {months} maanden" in privacy.text
    assert privacy.button_texts == [["⬅️ Menu"]]

    (help_,) = clean(await user.send("/hulp"))
    assert "/vergeet" in help_.text and help_.button_texts == [["⬅️ Menu", "🌐 Taal"]]
    (menu,) = clean(await user.press(help_, "⬅️ Menu")).new
    assert menu.text == shown(core.texts("menu.text"))
