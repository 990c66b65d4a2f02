"""The buttons under a card that fit the activity on the card's date ("c1:c:<pk>:<YYYYMMDDHHMM>", bot/chat/actions.py):
'Wie past op de kinderen?' offers the childcare at the activity and the help that covers that date, not the next
holiday camp; 'Zet in mijn agenda' sends that date as an .ics file (end to end: tests/telegram/test_telegram_agenda.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.chat import actions
from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.platform.calendar import ManualClock
from tests.helpers import brussels, make_settings

WHO = Who(user_id=601, chat_id=601, first_name="Sara")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(2026, 12, 1, 10, 0))  # a Tuesday


@pytest.fixture
async def core(tmp_path, clock) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock)  # the sample offers of data/offers.json
    yield opened
    await opened.close()


async def childcare(core: Core, offer_id: str, stamp: str) -> str:
    stored = await core.offers.get(offer_id)
    assert stored is not None
    reply = await core.conversation.act(WHO, f"c1:c:{stored.pk}:{stamp}")
    return "\n\n".join(m.plain for m in reply.messages)


async def test_childcare_fits_the_activity_on_its_date_not_the_next_holiday_camp(core):
    # The language table has childcare of its own; on a January Tuesday no holiday camp can help.
    text = await childcare(core, "babbeltafel-nederlands-bib", "202701051000")
    assert text.startswith("🧒 Goed nieuws: bij Babbeltafel")
    assert "Oppas" in text and "kamp" not in text.lower() and "Speelplein" not in text
    # The sewing workshop on a Monday afternoon in July: the playground runs then, all day.
    summer = await childcare(core, "naaiatelier-share-care", "202707051330")
    assert "Speelplein" in summer and "maandag 5 juli" in summer
    winter = await childcare(core, "naaiatelier-share-care", "202701041330")
    assert "Speelplein" not in winter and "Oppas" in winter


async def test_the_buttons_under_a_card_carry_the_date_the_card_shows(core):
    stored = await core.offers.get("naaiatelier-share-care")
    assert stored is not None
    reply = await core.conversation.act(WHO, actions.encode(actions.Info(stored.pk)))
    card = reply.messages[0]
    shown = next(line for line in card.plain.splitlines() if line.startswith("📅"))
    data = [button.action for row in card.buttons for button in row if button.action]
    dated = [a for a in map(actions.decode, data) if isinstance(a, actions.Agenda | actions.Childcare)]
    assert {type(a) for a in dated} == {actions.Agenda, actions.Childcare}
    (on,) = {a.on for a in dated}
    assert on is not None and on.strftime("%H:%M") in shown


async def test_a_forged_or_wrong_date_falls_back_to_the_next_date(core):
    stored = await core.offers.get("naaiatelier-share-care")
    assert stored is not None
    for data in (f"c1:c:{stored.pk}:209912311200", f"c1:c:{stored.pk}", f"c1:g:{stored.pk}:202701041331"):
        reply = await core.conversation.act(WHO, data)  # a date that is not one of the offer's: the next date
        assert reply.notice is None and reply.messages and all(m.plain for m in reply.messages), data
    agenda = await core.conversation.act(WHO, f"c1:k:{stored.pk}:209912311200")
    assert agenda.messages[0].document is not None and agenda.messages[0].document.filename.endswith(".ics")
    # not a date at all, the old unversioned buttons, a date without the agenda's: the friendly 'unknown button'
    for data in (f"c1:c:{stored.pk}:abc", f"c1:k:{stored.pk}:20270104133", f"c1:k:{stored.pk}", f"c:{stored.pk}"):
        reply = await core.conversation.act(WHO, data)
        assert reply.notice == core.texts.label("answer.unknown_button"), data
