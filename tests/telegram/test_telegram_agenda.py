"""'Zet in mijn agenda' end to end: the card's date arrives as an .ics file (sendDocument) in the person's chat."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bot.platform.calendar import ManualClock
from tests.helpers import TZ, clock_at


@pytest.fixture
def clock() -> ManualClock:
    return clock_at(2026, 12, 1, 10, 0)  # a Tuesday


async def test_zet_in_mijn_agenda_sends_the_date_of_the_card_as_an_ics_file(bot, fake_api):
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
