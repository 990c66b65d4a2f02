"""The conversation with people, end to end: the real Application against the fake Bot API server."""

from __future__ import annotations

import pytest

from handlers.commands import register_menu


async def test_start_shows_welcome_and_menu(bot, fake_api):
    replies = await fake_api.user(501, first_name="Mia").send("/start")
    (welcome,) = replies
    assert "Dag Mia!" in welcome.text
    assert "Rap op Stap" in welcome.text
    labels = [label for row in welcome.button_texts for label in row]
    assert {"🎈 Activiteiten", "💶 Kortingen", "🚌 Vervoer", "🧒 Opvang & hulp", "📅 Deze week", "❓ Hulp"} <= set(
        labels
    )


async def test_commands_are_registered_in_dutch(opened, fake_api):
    app = opened[0]
    async with app:
        await register_menu(app)
    calls = fake_api.calls_to("setMyCommands")
    dutch = [call for call in calls if not call.params.get("language_code")]
    (call,) = dutch  # for everyone; the other languages only for apps set to them (test_telegram_languages.py)
    commands = {c["command"]: c["description"] for c in call.params["commands"]}
    assert commands["vergeet"] == "Wis alles wat de bot over mij weet"
    assert set(commands) == {"start", "weekoverzicht", "hulp", "taal", "privacy", "vergeet", "stop"}


async def test_question_gets_cards_with_buttons_and_paging(bot, fake_api):
    user = fake_api.user(502)
    replies = await user.send("zwemmen")
    assert replies.texts, "the bot answered"
    first = replies[0]
    assert "Dit vond ik voor jou" in first.text
    assert "zwem" in first.text.lower()
    assert "💶" in first.text  # the price line
    assert "ℹ️ Meer info" in first.button_texts[0]
    info = await user.press(first, "ℹ️ Meer info")
    assert info.callback_answer is not None
    assert info.new and "🤝" in info.new[0].text  # the full card names the organiser


async def test_nothing_found_is_honest_and_gives_the_contact(bot, fake_api):
    replies = await fake_api.user(503).send("ik zoek werk")
    (answer,) = replies
    assert "089 00 01 00" in answer.text  # the network's contact from the config
    assert "🎈 Activiteiten" in [label for row in answer.button_texts for label in row]


async def test_offer_text_is_escaped_as_html(core, bot, fake_api):
    from bot.offers.model import Offer

    offer = Offer.from_dict(
        {"id": "spaghetti-avond", "kind": "activity", "title": "<b>Spaghetti & co</b>",
         "summary": "Samen <i>eten</i> & praten", "keywords": ["spaghetti"],
         "when": {"start": "2027-01-20T18:00", "end": "2027-01-20T21:00"}}
    )  # fmt: skip
    await core.offers.save(offer, source="test", actor="test", status="published")
    (card, *_) = await fake_api.user(504).send("spaghetti")
    assert "<b>Spaghetti & co</b>" in card.text
    assert "Samen <i>eten</i> & praten" in card.text


@pytest.mark.parametrize("text", ["x" * 10_000, "😀😀😀", "   ", "مرحبا كيف حالك", "\u200f\u200e"])
async def test_odd_questions_get_an_answer(bot, fake_api, text):
    replies = await fake_api.user(505).send(text)
    assert replies.texts and all(t for t in replies.texts)
    assert all(len(t) <= 4096 for t in replies.texts)


async def test_forget_asks_first_then_deletes(core, bot, fake_api):
    user = fake_api.user(506)
    await user.send("/start")
    assert await core.people.get(506) is not None
    (confirm,) = await user.send("/vergeet")
    await user.press(confirm, "Nee, niets wissen")
    assert await core.people.get(506) is not None
    (confirm,) = await user.send("/vergeet")
    done = await user.press(confirm, "Ja, wis alles")
    assert "gewist" in done[0].text
    assert await core.people.get(506) is None


async def test_media_and_groups_get_a_pointer(bot, fake_api):
    user = fake_api.user(507)
    (voice,) = await user.send_voice(3)
    assert "spraakberichten" in voice.text
    (sticker,) = await user.send_sticker("👍")
    assert "Typ gerust" in sticker.text
    (location,) = await user.send_location(50.87, 5.52)
    assert "locatie" in location.text


async def test_my_id_tells_a_coordinator_their_telegram_id(bot, fake_api):
    (answer,) = await fake_api.user(5017).send("/mijnid")
    assert answer.text == "5017"
