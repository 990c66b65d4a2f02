"""/leren end to end through the real Application and the fake Bot API server: a coordinator teaches the bot
from an unanswered question with buttons and typed words, beside the key figures' handlers (which take every
private text they can use: a paste after /nieuw), and the next person who asks it in other words is answered."""

from __future__ import annotations

import dataclasses

import pytest

from tests.fakebotapi import ChatMessage
from tests.helpers import make_settings

ADMIN, PERSON = 910, 810
SURGERY = "ik moet binnenkort geopereerd worden, wie zorgt er dan voor mijn kinderen"
SURGERY_AGAIN = "wie zorgt er voor mijn kinderen als ik binnenkort geopereerd moet worden"
TITLE = "Opvang voor je kinderen als het thuis even niet gaat"  # the sample offer noodopvang-ckg-molenberg
SOUP = """Soepnamiddag in het Sociaal Huis!
Op woensdag 3 februari om 14u schenken we gratis soep en koffie.
Iedereen welkom in de cafetaria, Hospitaalstraat 2, 3740 Bilzen.
Breng gerust je buren mee, er is plaats genoeg voor iedereen die zin heeft in een babbel."""


@pytest.fixture
def settings(tmp_path):
    settings = make_settings(tmp_path)
    return dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, admins=(ADMIN,)))


@pytest.fixture
def words_only(core):
    """The same answers on every machine, and fast: teaching compares by the words alone (no model)."""
    core.teacher.embed = None


def labels(message: ChatMessage) -> list[str]:
    return [label for row in message.button_texts for label in row]


def with_button(replies: list[ChatMessage], label: str) -> ChatMessage:
    found = [m for m in replies if any(label in text for text in labels(m))]
    assert found, f"no message with button {label!r} in {[m.text for m in replies]}"
    return found[-1]


def button_with(message: ChatMessage, part: str) -> str:
    return next(text for text in labels(message) if part in text)


async def test_a_coordinator_teaches_with_typed_words_while_a_paste_waits_and_the_next_person_is_answered(
    core, bot, fake_api, words_only
):
    person = fake_api.user(PERSON)
    for _ in range(2):
        (nothing,) = await person.send(SURGERY)
        assert TITLE not in nothing.text
    admin = fake_api.user(ADMIN, first_name="Coördinator")
    (paste_now,) = await admin.send("/nieuw")  # the key figures' desk now waits for a paste
    assert "Plak nu" in paste_now.text

    (listing,) = await admin.send("/leren")
    assert "geopereerd" in listing.text
    (theme,) = await admin.press(listing, labels(listing)[0])
    (ask_offer,) = await admin.press(theme, "🔗 Hoort bij …")
    assert "Typ een paar woorden" in ask_offer.text
    # What the coordinator types now is the flow's (search words), not a paste for the key figures' desk.
    (choice,) = await admin.send("opvang kinderen")
    assert "✅ Bevestig" not in labels(choice)
    (picked,) = await admin.press(choice, button_with(choice, TITLE[:20]))
    done = with_button(await admin.press(picked, "✅ Klaar"), "↩️ Ongedaan maken")
    assert "✅ Geleerd" in done.text

    # The flow waits for nothing now: the next text is the key figures' again, and becomes a draft.
    preview = with_button(await admin.send(SOUP), "✅ Bevestig")
    assert "Soepnamiddag" in preview.text

    answer = await person.send(SURGERY_AGAIN)
    assert TITLE in " ".join(m.text or "" for m in answer)


async def test_a_person_typing_leren_or_pressing_its_buttons_is_refused_and_can_still_ask(core, bot, fake_api):
    person = fake_api.user(PERSON)
    (refused,) = await person.send("/leren")
    assert refused.text == core.texts.label("teach.not_allowed")
    answer = await person.send("goedkoop zwemmen")
    assert any("zwem" in (m.text or "").lower() for m in answer)
