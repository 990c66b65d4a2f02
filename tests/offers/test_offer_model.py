"""`Offer.from_dict` is the single gate of every offer: each field is checked and a mistake names the field."""

from __future__ import annotations

import copy
import datetime as dt
import time
from typing import Any

import pytest

from bot.offers.model import GROUPS, KINDS, MAX_LENGTH, Offer, OfferError

FULL: dict[str, Any] = {
    "id": "zwemmen-kansentarief",
    "kind": "activity",
    "title": "Zwemmen aan kansentarief",
    "summary": "Goedkoop zwemmen in het stedelijk zwembad.",
    "description": "Met je Rap op Stap-kaart zwem je voor 1 euro.",
    "categories": ["sport", "gezin"],
    "keywords": ["zwembad", "baantjes"],
    "organizer": "Sportdienst Bilzen",
    "location": {"name": "Zwembad De Kimpel", "address": "Eikenlaan 25, 3740 Bilzen"},
    "audience": {"min_age": 6, "max_age": 99, "groups": ["kinderen", "volwassenen"]},
    "price": {"regular": 4.5, "reduced": 1, "note": "Kinderen onder 6 gratis"},
    "when": {
        "start": "2027-03-02T14:00",
        "end": "2027-03-02T16:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959",
    },
    "registration": "Niet nodig",
    "contact": {"phone": "089 00 00 20", "email": "sport@example.be", "url": "https://example.be/zwemmen"},
    "transport": "Bus 20a stopt aan de deur",
    "eligibility": "Mensen met een Rap op Stap-kaart",
}


def offer(**changes: Any) -> dict[str, Any]:
    """The full valid offer with some top-level fields changed (None removes nothing: it sets null)."""
    data = copy.deepcopy(FULL)
    data.update(changes)
    return data


def nested(field: str, **changes: Any) -> dict[str, Any]:
    """The full valid offer with some keys of one nested field changed."""
    data = copy.deepcopy(FULL)
    data[field] = {**data[field], **changes}
    return data


def refused(data: Any) -> OfferError:
    with pytest.raises(OfferError) as caught:
        Offer.from_dict(data)
    error = caught.value
    assert str(error) == f"{error.field}: {error.problem}"  # no location yet: the file reader adds it
    return error


# --- the happy path --------------------------------------------------------------------------------


def test_full_offer_round_trips_through_to_dict():
    parsed = Offer.from_dict(FULL)
    assert parsed.to_dict() == FULL
    assert Offer.from_dict(parsed.to_dict()) == parsed
    assert parsed.when is not None
    assert parsed.when.start == dt.datetime(2027, 3, 2, 14, 0)
    assert parsed.when.duration == dt.timedelta(hours=2)
    assert parsed.audience.admits_age(6) and not parsed.audience.admits_age(5)
    assert not parsed.price.is_free


def test_minimal_offer_fills_in_empty_values():
    parsed = Offer.from_dict({"id": "a", "kind": "support", "title": "Hulp"})
    assert parsed.to_dict() == {
        "id": "a",
        "kind": "support",
        "title": "Hulp",
        "summary": None,
        "description": None,
        "categories": [],
        "keywords": [],
        "organizer": None,
        "location": None,
        "audience": {"min_age": None, "max_age": None, "groups": []},
        "price": {"regular": None, "reduced": None, "note": None},
        "when": None,
        "registration": None,
        "contact": {"phone": None, "email": None, "url": None},
        "transport": None,
        "eligibility": None,
    }


def test_unknown_fields_are_kept_as_they_came():
    extra = {"duplicate_of": "andere-id", "capacity": 20, "tags": {"a": [1, 2]}, "flag": True, "nothing": None}
    parsed = Offer.from_dict({**FULL, **extra})
    assert dict(parsed.extra) == extra
    assert parsed.to_dict() == {**FULL, **extra}


def test_text_is_trimmed_and_blank_means_absent():
    parsed = Offer.from_dict(offer(title="  Zwemmen  ", summary="   ", keywords=[" zwembad ", "", "  "]))
    assert parsed.title == "Zwemmen"
    assert parsed.summary is None
    assert parsed.keywords == ("zwembad",)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_accepted(kind):
    assert Offer.from_dict(offer(kind=kind)).kind == kind


def test_every_group_is_accepted():
    assert Offer.from_dict(nested("audience", groups=list(GROUPS))).audience.groups == GROUPS


def test_when_variants():
    no_end = Offer.from_dict(offer(when={"start": "2027-03-02 14:00"}))
    assert no_end.when is not None and no_end.when.end == no_end.when.start  # a space instead of T is fine
    assert Offer.from_dict(offer(when={})).when is None
    assert Offer.from_dict(offer(when=None)).when is None
    prefixed = Offer.from_dict(nested("when", rrule="RRULE:FREQ=WEEKLY;BYDAY=TU"))
    assert prefixed.when is not None and prefixed.when.rrule == "FREQ=WEEKLY;BYDAY=TU"
    empty_rule = Offer.from_dict(nested("when", rrule=""))
    assert empty_rule.when is not None and empty_rule.when.rrule is None


def test_whole_float_age_is_an_int_and_empty_location_is_none():
    parsed = Offer.from_dict(offer(audience={"min_age": 8.0}, location={"name": None, "address": " "}))
    assert parsed.audience.min_age == 8 and isinstance(parsed.audience.min_age, int)
    assert parsed.location is None


def test_free_offers():
    assert Offer.from_dict(offer(price={"regular": 0})).price.is_free
    assert Offer.from_dict(offer(price={"regular": 5, "reduced": 0})).price.is_free


# --- every mistake names its field --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ([1, 2], "offer", "expected an object with fields"),
        ("zwemmen", "offer", "expected an object with fields"),
        # id
        ({**FULL, "id": None}, "id", "is required"),
        ({k: v for k, v in FULL.items() if k != "id"}, "id", "is required"),
        (offer(id="   "), "id", "is required"),
        (offer(id=12), "id", "expected text, got 12"),
        (offer(id="Zwemmen Kansentarief"), "id", "lower-case words joined by hyphens"),
        (offer(id="zwemmen_kansentarief"), "id", "lower-case words joined by hyphens"),
        (offer(id="-zwemmen"), "id", "lower-case words joined by hyphens"),
        (offer(id="zwemmen--kansen"), "id", "lower-case words joined by hyphens"),
        (offer(id="café-bilzen"), "id", "lower-case words joined by hyphens"),
        (offer(id="a" * 81), "id", "at most 80 are allowed"),
        # kind
        ({k: v for k, v in FULL.items() if k != "kind"}, "kind", "is required: one of activity, discount"),
        (offer(kind=""), "kind", "is required"),
        (offer(kind="event"), "kind", "unknown value 'event'; expected one of activity, discount, transport, support"),
        (offer(kind="Activity"), "kind", "unknown value 'Activity'"),
        (offer(kind=["activity"]), "kind", "unknown value ['activity']"),
        # title and other texts
        ({k: v for k, v in FULL.items() if k != "title"}, "title", "is required and may not be empty"),
        (offer(title=""), "title", "is required and may not be empty"),
        (offer(title="  \n "), "title", "is required and may not be empty"),
        (offer(title=5), "title", "expected text, got 5"),
        (offer(title="x" * 201), "title", "is 201 characters long; at most 200 are allowed"),
        (offer(summary="x" * 501), "summary", "at most 500"),
        (offer(description="x" * 5001), "description", "at most 5000"),
        (offer(description=["a"]), "description", "expected text"),
        (offer(organizer=1), "organizer", "expected text"),
        (offer(registration={"how": "bel"}), "registration", "expected text"),
        (offer(transport=True), "transport", "expected text"),
        (offer(eligibility="x" * 1001), "eligibility", "at most 1000"),
        # lists
        (offer(categories="sport"), "categories", "expected a list of words, got 'sport'"),
        (offer(categories=["sport", 3]), "categories", "expected a list of words"),
        (offer(keywords=["w"] * 51), "keywords", "has 51 items; at most 50 are allowed"),
        (offer(keywords=["x" * 101]), "keywords", "longer than 100 characters"),
        # location
        (offer(location="Zwembad"), "location", "expected an object, got 'Zwembad'"),
        (nested("location", name=5), "location.name", "expected text"),
        (nested("location", address=["Eikenlaan"]), "location.address", "expected text"),
        # audience
        (offer(audience=[6, 12]), "audience", "expected an object"),
        (nested("audience", min_age=-1), "audience.min_age", "expected an age in years (0 to 120) or null, got -1"),
        (nested("audience", min_age="6"), "audience.min_age", "expected an age in years"),
        (nested("audience", min_age=6.5), "audience.min_age", "expected an age in years"),
        (nested("audience", min_age=True), "audience.min_age", "expected an age in years"),
        (nested("audience", max_age=121), "audience.max_age", "expected an age in years"),
        (nested("audience", min_age=12, max_age=6), "audience.max_age", "6 is below min_age 12"),
        (nested("audience", groups="kinderen"), "audience.groups", "expected a list of words"),
        (nested("audience", groups=["kinderen", "ouders"]), "audience.groups", "unknown group 'ouders'"),
        # price
        (offer(price=5), "price", "expected an object, got 5"),
        (nested("price", regular=-5), "price.regular", "may not be negative, got -5"),
        (nested("price", reduced=-0.5), "price.reduced", "may not be negative, got -0.5"),
        (nested("price", regular="5"), "price.regular", "expected an amount in euro (a number) or null, got '5'"),
        (nested("price", regular="€5"), "price.regular", "expected an amount in euro"),
        (nested("price", reduced=True), "price.reduced", "expected an amount in euro"),
        (nested("price", regular=float("nan")), "price.regular", "expected an amount in euro"),
        (nested("price", regular=250_000), "price.regular", "not a plausible price"),
        (nested("price", note=7), "price.note", "expected text"),
        (nested("price", note="x" * 1001), "price.note", "at most 1000"),
        # when
        (offer(when="zaterdag"), "when", "expected an object, got 'zaterdag'"),
        (offer(when={"end": "2027-03-02T16:00"}), "when.start", "is required when 'when' is given"),
        (nested("when", start="2027-02-30T14:00"), "when.start", "is not a date: February 2027 has 28"),
        (nested("when", start="31/04/2027 14:00"), "when.start", "31/04/2027 14:00 is not a date: April 2027 has 30"),
        (nested("when", start="12/13/2027 14:00"), "when.start", "is not a date: there is no month 13"),
        (nested("when", start="02-03-27 14:00"), "when.start", "expected a date and time like"),
        (nested("when", start="2027-03-02"), "when.start", "expected a date and time like"),
        (nested("when", start="2027-03-02T25:00"), "when.start", "is not a time of day"),
        (nested("when", start=20270302), "when.start", "expected a date and time like"),
        (nested("when", end="morgen"), "when.end", "expected a date and time like"),
        (nested("when", end="2027-03-02T13:00"), "when.end", "2027-03-02T13:00 is before the start 2027-03-02T14:00"),
        (nested("when", end="2027-04-05T13:00"), "when.end", "at most 31 days"),
        (nested("when", rrule=5), "when.rrule", "expected an RFC 5545 rule like FREQ=WEEKLY;BYDAY=WE, got 5"),
        (nested("when", rrule="WEEKLY"), "when.rrule", "FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY, got None"),
        (nested("when", rrule="FREQ=HOURLY"), "when.rrule", "FREQ must be one of"),
        (nested("when", rrule="FREQ=WEEKLY;BYDAY=XX"), "when.rrule", "not a valid RFC 5545 rule"),
        (nested("when", rrule="FREQ=WEEKLY;BYDAY=DI"), "when.rrule", "not a valid RFC 5545 rule"),
        (nested("when", rrule="FREQ=WEEKLY;UNTIL=eind-juni"), "when.rrule", "not a valid RFC 5545 rule"),
        (nested("when", rrule="FREQ=WEEKLY;FOO=1"), "when.rrule", "not a valid RFC 5545 rule"),
        (nested("when", rrule="FREQ=WEEKLY;INTERVAL=0"), "when.rrule", "INTERVAL"),
        (nested("when", rrule="FREQ=WEEKLY;INTERVAL=-1"), "when.rrule", "INTERVAL"),
        (nested("when", rrule="FREQ=WEEKLY;COUNT=0"), "when.rrule", "COUNT"),
        (nested("when", rrule="FREQ=WEEKLY;BYDAY=TU\nFREQ=DAILY"), "when.rrule", "one rule"),
        (nested("when", rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101"), "when.rrule", "no date"),
        (nested("when", rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), "when.rrule", "no date"),
        (nested("when", rrule="FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"), "when.rrule", "no date"),
        (nested("when", rrule="FREQ=DAILY;INTERVAL=7;BYDAY=MO"), "when.rrule", "no date"),
        # contact
        (offer(contact="089 00 00 20"), "contact", "expected an object"),
        (nested("contact", phone=89000020), "contact.phone", "expected text"),
        (nested("contact", email="sport at example.be"), "contact.email", "not an e-mail address"),
        (nested("contact", email="sport@example"), "contact.email", "not an e-mail address"),
        (nested("contact", url="www.example.be"), "contact.url", "starting with http:// or https://"),
        (nested("contact", url="javascript:alert(1)"), "contact.url", "starting with http:// or https://"),
    ],
)
def test_mistake_names_field_and_problem(data, field, problem):
    error = refused(data)
    assert error.field == field
    assert problem in error.problem


def test_impossible_rule_is_refused_quickly():
    """A rule without any date made every later computation scan dateutil's calendar up to the year 9999."""
    started = time.perf_counter()
    for rule in ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYMONTH=6;BYMONTHDAY=31"):
        refused(nested("when", rrule=rule))
    assert time.perf_counter() - started < 1.0


def test_rule_whose_first_date_is_later_than_start_is_accepted():
    parsed = Offer.from_dict(
        nested("when", start="2027-02-28T10:00", end="2027-02-28T12:00", rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    )
    assert parsed.when is not None
    first = parsed.when.recurrence().after(parsed.when.start, inc=True)  # type: ignore[union-attr]
    assert first == dt.datetime(2028, 2, 29, 10, 0)


def test_located_error_names_the_offer():
    error = refused(offer(title=""))
    located = error.located("row 4 (id 'zwemmen-kansentarief')")
    assert str(located) == "row 4 (id 'zwemmen-kansentarief'): title: is required and may not be empty"
    assert (located.field, located.where) == ("title", "row 4 (id 'zwemmen-kansentarief')")


def test_long_values_are_shortened_in_messages():
    error = refused(offer(kind="x" * 500))
    assert len(str(error)) < 200
    assert "..." in error.problem


def test_limits_are_inclusive():
    Offer.from_dict(offer(id="a" * MAX_LENGTH["id"], title="t" * MAX_LENGTH["title"], keywords=["k"] * 50))
    Offer.from_dict(nested("audience", min_age=0, max_age=120))
    Offer.from_dict(nested("price", regular=100_000, reduced=0))
    Offer.from_dict(nested("when", start="2027-03-01T10:00", end="2027-04-01T10:00", rrule=None))
