"""Newcomers in their own language, end to end: the real Application against the fake Bot API server.

The expected words come from the language files themselves (data/texts.<lang>.toml), so a coordinator's
correction of a translation does not break these tests; what they check is that the right file speaks.
"""

from __future__ import annotations

from bot.lang.speaking import speaking
from bot.platform.texts import Texts
from handlers.commands import register_menu
from tests.fakebotapi import html_to_text
from tests.helpers import DATA

UKRAINIAN = Texts.load(DATA / "texts.uk.toml", lang="uk")
ENGLISH = Texts.load(DATA / "texts.en.toml", lang="en")
ARABIC = Texts.load(DATA / "texts.ar.toml", lang="ar")
MENU_KEYS = ("buttons.activities", "buttons.discounts", "buttons.transport", "buttons.support", "buttons.week")


def labels(message) -> list[str]:
    return [label for row in message.button_texts for label in row]


def plain(markup) -> str:
    return html_to_text(str(markup))


async def test_a_person_whose_telegram_speaks_ukrainian_gets_ukrainian_menus(core, bot, fake_api):
    user = fake_api.user(901, first_name="Оксана", language_code="uk")
    (welcome,) = await user.send("/start")
    assert welcome.text.startswith(plain(UKRAINIAN("welcome.text", name="Оксана")).split("\n")[0])
    assert {UKRAINIAN.label(key) for key in MENU_KEYS} <= set(labels(welcome))
    assert UKRAINIAN.label("buttons.language") in labels(welcome)  # the language button in /start
    (help_,) = await user.send("/hulp")
    assert "/taal" in help_.text and UKRAINIAN.label("buttons.language") in labels(help_)
    assert await core.languages.stored(901) == "uk"  # kept: reminders later are Ukrainian too


async def test_taal_switches_the_language_and_it_stays(core, bot, fake_api):
    user = fake_api.user(902)  # a Dutch app
    (chooser,) = await user.send("/taal")
    names = labels(chooser)
    assert "English" in names and "Українська" in names and "العربية" in names and "✅ Nederlands" in names
    chosen = await user.press(chooser, "English")
    (answer,) = chosen.new or chosen.edited
    assert answer.text == plain(ENGLISH("language.chosen"))
    assert ENGLISH.label("buttons.activities") in labels(answer)
    (menu,) = await user.send("/start")
    assert ENGLISH.label("buttons.help") in labels(menu)
    assert await core.languages.stored(902) == "en"


async def test_the_language_button_in_start_opens_the_chooser(bot, fake_api):
    user = fake_api.user(903)
    (welcome,) = await user.send("/start")
    opened = await user.press(welcome, "🌐 Taal")
    (chooser,) = opened.new
    assert "Français" in labels(chooser) and "Türkçe" in labels(chooser) and "Русский" in labels(chooser)


async def test_an_arabic_question_gets_an_arabic_answer_with_the_right_offer(core, bot, fake_api):
    replies = await fake_api.user(904).send("أريد السباحة مع أولادي")  # 'I want to swim with my children'
    first = replies[0].text
    assert first.startswith(plain(ARABIC("answer.found_one")))
    assert plain(ARABIC("answer.offer_in_dutch")) in first  # said once: the offer's own text stays Dutch
    assert "Leren zwemmen op zaterdag" in first  # the swimming lessons for children, as in Dutch
    assert ARABIC.label("buttons.info") in labels(replies[0])
    assert await core.languages.stored(904) == "ar"


async def test_a_few_dutch_words_do_not_switch_a_newcomer_back(core, bot, fake_api):
    user = fake_api.user(905, language_code="uk")
    await user.send("/start")
    replies = await user.send("zwembad gratis")  # the Dutch words a newcomer knows
    assert plain(UKRAINIAN("answer.offer_in_dutch")) in replies[0].text  # still answered in Ukrainian
    assert await core.languages.stored(905) == "uk"


async def test_vergeet_removes_the_stored_language(core, bot, fake_api):
    user = fake_api.user(906)
    (chooser,) = await user.send("/taal")
    await user.press(chooser, "Türkçe")
    assert await core.languages.stored(906) == "tr"
    with speaking("tr"):
        yes = core.texts.label("buttons.forget_yes")
    (confirm,) = await user.send("/vergeet")
    await user.press(confirm, yes)
    assert await core.people.get(906) is None
    assert await core.db.fetchval("SELECT count(*) FROM people WHERE lang IS NOT NULL AND user_id = 906") == 0
    assert await core.languages.stored(906) is None  # nor in memory


async def test_the_command_menu_is_described_in_every_language(opened, fake_api):
    app = opened[0]
    async with app:
        await register_menu(app)
    by_language = {call.params.get("language_code"): call for call in fake_api.calls_to("setMyCommands")}
    assert set(by_language) == {None, "en", "fr", "uk", "ar", "tr", "ru"}
    english = {c["command"]: c["description"] for c in by_language["en"].params["commands"]}
    assert english["taal"] == ENGLISH.label("commands.taal")
