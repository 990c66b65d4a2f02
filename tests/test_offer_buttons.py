"""The buttons under a card that fit the activity on the card's date: 'Zet in mijn agenda' sends that date as an
.ics file (sendDocument, end to end through the fake Bot API), 'Wie past op de kinderen?' offers the childcare at
the activity and the help that covers that date, not the next holiday camp, and transport that runs then."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import icalendar
import pytest

from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.platform.calendar import ManualClock
from handlers.app import build_application
from tests.helpers import TZ, brussels, make_settings, telegram_settings

WHO = Who(user_id=601, chat_id=601, first_name="Sara")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(2026, 12, 1, 10, 0))  # a Tuesday


@pytest.fixture
async def core(tmp_path, clock, fake_api) -> AsyncIterator[Core]:
    settings = make_settings(tmp_path, telegram=telegram_settings(fake_api.base_url, token=fake_api.token))
    opened = await open_core(settings, clock=clock)  # the sample offers of data/offers.json
    yield opened
    await opened.close()


async def test_zet_in_mijn_agenda_sends_the_date_of_the_card_as_an_ics_file(core, fake_api, running_app):
    async with running_app(build_application(core)):
        user = fake_api.user(601)
        replies = await user.send("soep op donderdag")
        card = next(m for m in replies.new if m.text and "Soep op donderdag" in m.text)
        assert "📅 donderdag 3 december, 12:00-13:30" in card.text
        (sent,) = (await user.press(card, "📅 Zet in mijn agenda")).new
    assert sent.kind == "document" and sent.file is not None
    assert sent.file.filename == "soep-op-donderdag-20261203.ics" and "voor je agenda" in (sent.text or "")
    (event,) = icalendar.Calendar.from_ical(sent.file.data).walk("VEVENT")
    assert event.start == dt.datetime(2026, 12, 3, 12, 0, tzinfo=TZ) and event.end.hour == 13
    assert str(event["SUMMARY"]) == "Soep op donderdag" and "Brugstraat" in str(event["LOCATION"])


async def childcare(core: Core, offer_id: str, stamp: str) -> str:
    stored = await core.offers.get(offer_id)
    assert stored is not None
    reply = await core.conversation.act(WHO, f"c:{stored.pk}:{stamp}")
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


async def test_a_forged_or_wrong_date_falls_back_to_the_next_date(core):
    stored = await core.offers.get("naaiatelier-share-care")
    assert stored is not None
    for data in (f"c:{stored.pk}:209912311200", f"c:{stored.pk}:abc", f"c:{stored.pk}", f"k:{stored.pk}:20270104133"):
        reply = await core.conversation.act(WHO, data)
        assert reply.messages and all(m.plain for m in reply.messages)
