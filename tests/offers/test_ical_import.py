"""iCal feeds as offers: a weekly series with a left-out date, a moved and a cancelled occurrence, time zones,
whole-day events, a cancelled event; syncing a feed twice changes nothing; broken input is refused cleanly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from bot.core import Core, open_core
from bot.offers.importers import SourceError
from bot.offers.importers.ical import offer_id_for, parse_calendar
from bot.offers.model import OfferError
from bot.platform.calendar import ManualClock, iter_occurrences
from bot.platform.config import IcalFeedSettings
from tests.helpers import brussels, make_settings

TZ = ZoneInfo("Europe/Brussels")
NOW = dt.datetime(2026, 12, 1, 10, 0)
D = dt.datetime
VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Brussels
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE"""
REPAIR = """BEGIN:VEVENT
UID:repaircafe-2027@share-care.example.be
DTSTAMP:20261120T120000Z
SUMMARY:Repair Café
DESCRIPTION:Breng je kapotte spullen mee\\, vrijwilligers herstellen ze.
LOCATION:Share & Care\\, Industrieweg 4\\, 3740 Bilzen
URL:https://www.example.be/repaircafe
ORGANIZER;CN=Share & Care:mailto:shareandcare@example.be
CATEGORIES:herstellen,duurzaam
DTSTART;TZID=Europe/Brussels:20270105T140000
DTEND;TZID=Europe/Brussels:20270105T160000
RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20270330T130000Z
EXDATE;TZID=Europe/Brussels:20270112T140000
END:VEVENT
BEGIN:VEVENT
UID:repaircafe-2027@share-care.example.be
RECURRENCE-ID;TZID=Europe/Brussels:20270119T140000
DTSTART;TZID=Europe/Brussels:20270120T100000
DTEND;TZID=Europe/Brussels:20270120T120000
SUMMARY:Repair Café (op woensdag)
END:VEVENT
BEGIN:VEVENT
UID:repaircafe-2027@share-care.example.be
RECURRENCE-ID;TZID=Europe/Brussels:20270126T140000
DTSTART;TZID=Europe/Brussels:20270126T140000
DTEND;TZID=Europe/Brussels:20270126T160000
SUMMARY:Repair Café
STATUS:CANCELLED
END:VEVENT"""
UTC_SERIES = """BEGIN:VEVENT
UID:utc-series@example.be
SUMMARY:Voorleesuurtje
DTSTART:20270320T090000Z
DTEND:20270320T100000Z
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT"""
WHOLE_DAY = """BEGIN:VEVENT
UID:braderie@example.be
SUMMARY:Braderie
DTSTART;VALUE=DATE:20270508
DTEND;VALUE=DATE:20270510
END:VEVENT"""
CANCELLED = """BEGIN:VEVENT
UID:quiz@example.be
SUMMARY:Quiz
DTSTART;TZID=Europe/Brussels:20270212T200000
DTEND;TZID=Europe/Brussels:20270212T220000
STATUS:CANCELLED
END:VEVENT"""


def calendar(*events: str) -> str:
    body = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bilzen//test//NL", VTIMEZONE, *events])
    return (body + "\nEND:VCALENDAR\n").replace("\n", "\r\n")


def parse(*events: str):
    return parse_calendar(calendar(*events), feed="share-care", tz=TZ, now=NOW)


def starts(when) -> list[dt.datetime]:
    return [start for start, _ in iter_occurrences(when)]


def test_a_weekly_series_keeps_its_rule_with_the_dates_left_out_and_moved():
    (item,) = parse(REPAIR).items
    offer = item.offer
    assert offer.id == offer_id_for("share-care", "repaircafe-2027@share-care.example.be") and not item.cancelled
    assert offer.title == "Repair Café" and offer.keywords == ("herstellen", "duurzaam")
    assert offer.location is not None and offer.location.name == "Share & Care"
    assert offer.location.address == "Industrieweg 4, 3740 Bilzen"
    assert offer.organizer == "Share & Care" and offer.contact.email == "shareandcare@example.be"
    when = offer.when
    assert when is not None and when.rrule == "FREQ=WEEKLY;UNTIL=20270330T150000;BYDAY=TU"  # UNTIL in local time
    got = starts(when)
    assert got[:4] == [D(2027, 1, 5, 14), D(2027, 1, 20, 10), D(2027, 2, 2, 14), D(2027, 2, 9, 14)]
    assert D(2027, 1, 12, 14) not in got and D(2027, 1, 26, 14) not in got  # EXDATE; a cancelled occurrence
    assert got[-1] == D(2027, 3, 30, 14)  # after the change to summer time: still 14:00


def test_a_rule_in_another_time_zone_is_written_out_as_dates():
    (item,) = parse(UTC_SERIES).items
    when = item.offer.when
    assert when is not None and when.rrule is None
    assert starts(when) == [D(2027, 3, 20, 10), D(2027, 3, 27, 10), D(2027, 4, 3, 11)]  # 09:00 UTC, summer time


def test_whole_days_and_a_cancelled_event():
    braderie, quiz = parse(WHOLE_DAY, CANCELLED).items
    assert braderie.offer.when is not None
    assert (braderie.offer.when.start, braderie.offer.when.end) == (D(2027, 5, 8), D(2027, 5, 9, 23, 59))
    assert quiz.cancelled


def test_broken_input_is_refused_with_a_reason_and_never_crashes():
    with pytest.raises(SourceError):
        parse_calendar(b"dit is geen agenda", feed="x", tz=TZ, now=NOW)
    source = calendar(REPAIR, UTC_SERIES, WHOLE_DAY, CANCELLED)
    lines = source.split("\r\n")
    generator = random.Random(16)
    parsed = refused = 0
    for _ in range(60):
        broken = list(lines)
        for _ in range(generator.randint(1, 4)):
            index = generator.randrange(len(broken))
            action = generator.choice(("drop", "cut", "swap"))
            if action == "drop":
                broken.pop(index)
            elif action == "cut":
                broken[index] = broken[index][: generator.randint(0, len(broken[index]))]
            else:
                other = generator.randrange(len(broken))
                broken[index], broken[other] = broken[other], broken[index]
        try:
            document = parse_calendar("\r\n".join(broken), feed="x", tz=TZ, now=NOW)
        except (SourceError, OfferError) as error:
            refused += 1
            assert str(error)  # a reason the coordinator can read
        else:
            parsed += 1
            assert all(item.offer.title and item.external_id for item in document.items)
    assert parsed and refused


@pytest.fixture
async def core(tmp_path) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=ManualClock(brussels(2026, 12, 1, 10)), load_sample=False)
    yield opened
    await opened.close()


async def test_a_feed_syncs_and_syncing_it_again_changes_nothing(core, tmp_path):
    feed_file = tmp_path / "share-care.ics"
    feed_file.write_text(calendar(REPAIR, CANCELLED), encoding="utf-8")
    feed = IcalFeedSettings(name="share-care", url=str(feed_file))
    first = await core.sources.sync_feed(feed)
    assert (first.added, first.cancelled) == (2, 0)
    second = await core.sources.sync_feed(feed)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
    feed_file.write_text(calendar(CANCELLED), encoding="utf-8")  # the series is gone from the feed
    third = await core.sources.sync_feed(dataclasses.replace(feed))
    assert third.cancelled == 1
    stored = await core.offers.get(offer_id_for("share-care", "repaircafe-2027@share-care.example.be"))
    assert stored is not None and stored.status == "cancelled"
