"""People in trouble, end to end in Telegram: the real Application over HTTP against the fake Bot API server.

A crisis gets the help lines in the text (numbers in bold, which Telegram makes tappable) and the chat pages
as URL buttons, never an offer card or a "bedoelde je"; the anonymous log keeps only the category, and
nothing of the message reaches the database or the log. Also the terminal chat, which shares the core.
"""

from __future__ import annotations

import logging

import pytest
from telegram.ext import Application

from bot.chat.terminal import chat
from bot.core import Core
from bot.platform.calendar import ManualClock
from tests.fakebotapi import ChatMessage, FakeBotApi, Replies
from tests.helpers import brussels, make_settings, telegram_settings
from tests.telegram.conversation_offers import publish

SECRET = "Zwartbergstraatje"  # a word of the message that must never be stored or logged


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(2027, 1, 13, 10, 0))  # a Wednesday, the Sociaal Huis is open


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


def clean(replies: Replies) -> Replies:
    assert not replies.errors, [(c.method, c.status, c.error) for c in replies.errors]
    return replies


def urls(message: ChatMessage) -> list[str]:
    return [b.data for row in message.buttons for b in row if b.data and b.data.startswith("https://")]


async def stored_text(core: Core) -> str:
    """Every text value in every table of the database, to look for a message that must not be there."""
    found: list[str] = []
    tables = await core.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    for table in tables:
        for row in await core.db.fetchall(f'SELECT * FROM "{table["name"]}"'):
            found += [str(value) for value in tuple(row) if isinstance(value, str)]
    return "\n".join(found)


async def test_a_suicidal_message_gets_the_lines_the_chat_button_and_nothing_is_kept(core, bot, fake_api, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")
    user = fake_api.user(701, first_name="Sam")
    (answer,) = clean(await user.send(f"ik woon in het {SECRET} en ik zie het nie meer zitten, ik wil dood"))
    assert answer.text is not None
    assert "Bel 1813, de Zelfmoordlijn" in answer.text and "Bel meteen 112" in answer.text
    assert "<b>1813</b>" in (answer.source_text or "") and "<b>112</b>" in (answer.source_text or "")
    assert "Ik ben een computer" in answer.text  # nobody is alerted, and it says so
    assert urls(answer) == ["https://www.zelfmoord1813.be"]
    assert [b.text for row in answer.buttons for b in row] == ["Chat met de Zelfmoordlijn"]
    assert "Bedoelde je" not in answer.text and "Dit vond ik" not in answer.text
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == 0
    counts = await core.db.fetchall("SELECT period, category, topic, sent_to, messages, people FROM care_counts")
    assert [tuple(r) for r in counts] == [("2027-01", "suicide", "", "1813", 1, 1)]
    assert SECRET.lower() not in (await stored_text(core)).lower()
    assert SECRET not in caplog.text and "zitten" not in caplog.text

    again = clean(await user.send("ik wil er een einde aan maken"))
    assert "1813" in (again[0].text or "")
    counts = await core.db.fetchall("SELECT messages, people FROM care_counts WHERE category = 'suicide'")
    assert [tuple(r) for r in counts] == [(2, 1)], "the same person in the same month counts once"


async def test_a_child_hit_at_home_gets_112_awel_1712_and_the_caw_as_buttons(core, bot, fake_api):
    (answer,) = clean(await fake_api.user(702).send("ik ben 12 en mijn stiefvader slaat mij met zijn riem"))
    text = answer.text or ""
    assert text.index("112") < text.index("102") < text.index("1712"), "danger first, then Awel for a child"
    assert "Chat met Awel" in [b.text for row in answer.buttons for b in row]
    assert set(urls(answer)) == {"https://www.awel.be", "https://www.1712.be", "https://www.caw.be"}
    assert "Speelplein" not in text and "Zwemles" not in text


async def test_an_emergency_gets_112_first_and_nothing_else(core, bot, fake_api):
    (answer,) = clean(await fake_api.user(703).send("mijn man ademt niet meer!!"))
    assert (answer.text or "").startswith("Bel nu meteen 112.")
    assert answer.buttons == []
    assert "1813" not in (answer.text or "")


async def test_despair_gets_tele_onthaal_and_company_and_the_buddy_opens(core, bot, fake_api):
    user = fake_api.user(704)
    (answer,) = clean(await user.send("ik voel me zo alleen, ik heb niemand om mee te praten"))
    assert "Bel 106, Tele-Onthaal" in (answer.text or "")
    assert "https://www.tele-onthaal.be" in urls(answer)
    labels = [b.text for row in answer.buttons for b in row]
    assert any("Stapmaatje" in label for label in labels), labels
    button = next(b for row in answer.buttons for b in row if "Stapmaatje" in b.text)
    card = clean(await user.press(answer, button.text))
    assert "Stapmaatje: iemand die met je meegaat" in (card.new[0].text or "")


async def test_money_worries_get_who_helps_and_no_bike_to_rent(core, bot, fake_api):
    (answer,) = clean(await fake_api.user(705).send("ik kan mijn huur nie betalen"))
    text = answer.text or ""
    assert "Kan je de huur niet betalen?" in text and "089 00 01 00" in text
    assert "Daarmee kan ik je niet helpen" not in text


async def test_loneliness_in_a_leisure_question_keeps_the_answer_with_a_line_to_106(core, bot, fake_api):
    replies = clean(await fake_api.user(706).send("ik ben eenzaam, is er iemand die meegaat naar een activiteit"))
    assert "Stapmaatje" in (replies[0].text or "")
    assert "bel 106" in (replies[-1].text or "")
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == 1  # an ordinary question: logged as ever


async def test_outside_office_hours_the_fallback_says_when_the_sociaal_huis_opens(core, bot, fake_api, clock):
    clock.set(brussels(2027, 1, 15, 19, 0))  # a Friday evening
    (answer,) = clean(await fake_api.user(707).send("xqzwv plorkt"))
    assert "is nu dicht. Het is weer open maandag om 9 uur." in (answer.text or "")
    (crisis,) = clean(await fake_api.user(708).send("ik heb vandaag niks meer om te eten voor mijn kinderen"))
    text = crisis.text or ""
    assert "weer open maandag om 9 uur" in text and "106" in text and "101" in text


async def test_the_terminal_chat_gives_the_same_help(core):
    typed = iter(["ik wil niet meer leven", "stoppen"])
    shown: list[str] = []
    await chat(core.conversation, core.commands, core.texts, read=lambda prompt: next(typed), write=shown.append)
    screen = "\n".join(shown)
    assert "Bel 1813, de Zelfmoordlijn" in screen
    assert "Chat met de Zelfmoordlijn: https://www.zelfmoord1813.be" in screen
