"""UiTdatabank events as offers, field by field (the examples in tests/offers/uitdatabank_examples.py say where each
shape is documented); broken events are refused with a reason, never with a crash."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.offers.importers import SourceError
from bot.offers.importers.uitdatabank import TermMapping, parse_document
from bot.offers.model import OfferError, PriceLine
from bot.platform.calendar import iter_occurrences
from bot.platform.texts import Texts
from tests.helpers import DATA
from tests.offers.uitdatabank_examples import ATELIER, CONCERT, KIMPEL, WORKSHOP, events, response

MAPPING = TermMapping.load(DATA / "uitdatabank.toml")
TEXTS = Texts.load(DATA / "texts.nl.toml")
TZ = ZoneInfo("Europe/Brussels")
D = dt.datetime


def parse(document: Any):
    return parse_document(document, mapping=MAPPING, texts=TEXTS, tz=TZ)


def test_a_single_event_with_every_price_line_and_its_booking_info():
    (item,) = parse(copy.deepcopy(CONCERT)).items  # a single event, not in a member list
    offer = item.offer
    assert offer.id == "uit-5330a84f-7496-46a1-b60d-fa7d62ec5fb8" and offer.kind == "activity"
    assert offer.title == "Kerstconcert van de harmonie"  # the main language
    assert offer.description == "De harmonie speelt kerstmuziek voor jong en oud.\nMet warme chocomelk na."
    assert offer.categories == ("cultuur", "muziek") and "concert" in offer.keywords
    assert offer.prices == (
        PriceLine(10),
        PriceLine(6, who="kinderen"),
        PriceLine(8, who="andere", label="Studenten"),
        PriceLine(2, who="uitpas-kansentarief", label="Kansentarief met UiTPAS Bilzen"),
    )
    assert (offer.price.regular, offer.price.reduced) == (10, 2)
    assert offer.registration_deadline == D(2026, 12, 18, 23, 59)
    assert offer.contact.phone == "089 00 03 00" and offer.contact.email == "dekimpel@example.be"
    assert offer.organizer == "Harmonie Bilzen" and offer.audience.groups == ("iedereen",)
    assert offer.location is not None and offer.location.address == "Kimpel 5, 3740 Bilzen"


def test_a_multiple_calendar_leaves_out_its_cancelled_date_and_keeps_childcare_times():
    (item,) = parse(response([copy.deepcopy(WORKSHOP), KIMPEL])).items
    offer = item.offer
    assert offer.when is not None
    assert [s for s, _ in iter_occurrences(offer.when)] == [D(2027, 1, 6, 14), D(2027, 1, 20, 14)]
    assert offer.childcare is not None and (offer.childcare.start, offer.childcare.end) == (
        dt.time(13, 30),
        dt.time(16, 30),
    )
    assert offer.location is not None and offer.location.name == "Cultuurcentrum De Kimpel"  # from the @id reference
    assert (offer.audience.min_age, offer.audience.max_age) == (6, 12)


def test_a_periodic_calendar_becomes_a_rule_without_its_closed_days():
    (item,) = parse(copy.deepcopy(ATELIER)).items
    when = item.offer.when
    assert when is not None and when.rrule == "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270326T235959"
    got = [s for s, _ in iter_occurrences(when)]
    assert D(2027, 2, 8, 19) not in got and D(2027, 2, 15, 19) in got and got[-1] == D(2027, 3, 25, 19)
    assert item.offer.childcare is not None  # the facility 'Kinderopvang'


@pytest.mark.parametrize(
    ("age_range", "ages"), [("6-12", (6, 12)), ("16-", (16, None)), ("-12", (None, 12)), ("-", (None, None))]
)
def test_typical_age_ranges(age_range, ages):
    event = copy.deepcopy(CONCERT)
    event["typicalAgeRange"] = age_range
    (item,) = parse(event).items
    assert (item.offer.audience.min_age, item.offer.audience.max_age) == ages


def test_what_cannot_be_read_is_refused_or_left_out():
    with pytest.raises(SourceError):
        parse("geen json-ld")
    document = parse(response([{"@id": CONCERT["@id"], "@type": "Event"}, {"@type": "Organizer", "@id": "x"}]))
    assert document.items == () and set(document.skipped) == {
        "only a link (ask with embed=true)",
        "Organizer (not an event)",
    }
    event = copy.deepcopy(CONCERT)
    del event["@id"]
    with pytest.raises(OfferError, match="@id"):
        parse(response([event]))


def test_broken_events_never_crash_the_import():
    generator = random.Random(16)
    parsed = refused = 0
    for _ in range(150):
        members = events()
        for _ in range(generator.randint(1, 3)):
            event = generator.choice(members)
            key = generator.choice(sorted(event))
            event[key] = generator.choice([None, "", 7, [], {}, "2027-13-45T99:99", [{"x": 1}], {"nl": None}])
        try:
            document = parse(response(members))
        except (SourceError, OfferError) as error:
            refused += 1
            assert str(error)
        else:
            parsed += 1
            assert all(item.offer.id.startswith("uit-") for item in document.items)
    assert parsed and refused
