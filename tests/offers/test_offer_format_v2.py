"""Offer format version 2: price lines, registration deadline, childcare, availability, extra and left-out
dates; version 1 files still read the same, and spreadsheet dates are understood."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.offers.fileformat import dump_csv, dump_json, parse_csv, parse_json
from bot.offers.model import Offer, OfferError, PriceLine
from bot.platform.calendar import is_occurrence, iter_occurrences, last_end, materialize

BASE = {"id": "kerstconcert", "kind": "activity", "title": "Kerstconcert"}
T = dt.datetime


def offer(**fields: object) -> Offer:
    return Offer.from_dict({**BASE, **fields})


def refused(**fields: object) -> OfferError:
    with pytest.raises(OfferError) as caught:
        offer(**fields)
    return caught.value


def test_price_lines_say_what_and_for_whom_and_give_the_matcher_its_summary():
    o = offer(
        prices=[
            {"amount": 8, "per": "beurt"},
            {"amount": 6, "who": "kinderen", "per": "beurt"},
            {"amount": 1.6, "who": "uitpas-kansentarief", "per": "beurt", "label": "Kansentarief met UiTPAS Bilzen"},
        ]
    )
    assert o.prices[0] == PriceLine(8, who="iedereen", per="beurt")
    assert o.prices[2].is_reduction and not o.prices[1].is_reduction
    assert (o.price.regular, o.price.reduced) == (8, 1.6)  # what 'goedkoop' and 'gratis' filter on


def test_an_explicit_summary_price_is_kept_beside_the_lines():
    o = offer(price={"regular": 40, "reduced": 8, "note": "Lidgeld"}, prices=[{"amount": 40, "per": "jaar"}])
    assert (o.price.regular, o.price.reduced, o.price.note) == (40, 8, "Lidgeld")


def test_a_version_1_price_stands_for_everyone_and_rap_op_stap():
    o = offer(price={"regular": 6, "reduced": 1.2})
    assert o.prices == ()
    assert o.regular_lines == (PriceLine(6), PriceLine(1.2, who="rap-op-stap"))


@pytest.mark.parametrize(
    ("fields", "where", "problem"),
    [
        ({"prices": {"amount": 5}}, "prices", "expected a list"),
        ({"prices": [{"per": "jaar"}]}, "prices[1].amount", "is required"),
        ({"prices": [{"amount": -1}]}, "prices[1].amount", "may not be negative"),
        ({"prices": [{"amount": 5, "per": "eeuw"}]}, "prices[1].per", "unknown value"),
        ({"prices": [{"amount": 5, "who": "iedereen"}, {"amount": 1, "who": "arm"}]}, "prices[2].who", "unknown"),
        ({"prices": [{"amount": 5, "who": "andere"}]}, "prices[1].label", "is required"),
        ({"registration_deadline": "31/11/2026"}, "registration_deadline", "November 2026 has 30 days"),
        ({"childcare": {"start": "8 uur"}}, "childcare.start", "expected a time like 08:00"),
        ({"availability": "misschien"}, "availability", "unknown value"),
        ({"when": {"start": "2027-01-05T14:00", "dates": [{"end": "2027-01-06T14:00"}]}}, "when.dates[1].start", ""),
        ({"when": {"start": "2027-01-05T14:00", "except": ["30/02/2027 14:00"]}}, "when.except[1]", "28 days"),
    ],
)
def test_mistakes_in_version_2_fields_name_the_field(fields, where, problem):
    error = refused(**fields)
    assert error.field == where and problem in error.problem


def test_registration_deadline_as_a_date_means_the_end_of_that_day():
    assert offer(registration_deadline="2026-12-03").registration_deadline == T(2026, 12, 3, 23, 59)
    assert offer(registration_deadline="03/12/2026 12:00").registration_deadline == T(2026, 12, 3, 12, 0)


def test_childcare_and_availability():
    assert offer(childcare=True).childcare is not None
    care = offer(childcare={"start": "8:00", "end": "18:30", "note": "Meld je kind aan."}).childcare
    assert care is not None and (care.start, care.end) == (dt.time(8), dt.time(18, 30))
    assert offer(availability="available").availability is None
    assert offer(availability="full").availability == "full"


def test_version_1_offers_keep_their_exact_shape():
    """A version 1 offer is written back without any version 2 key: stored offers do not change on upgrade."""
    data = {
        **BASE,
        "price": {"regular": 5, "reduced": 1, "note": None},
        "when": {"start": "2027-01-05T14:00", "end": "2027-01-05T16:00", "rrule": "FREQ=WEEKLY;BYDAY=TU"},
    }
    written = offer(**data).to_dict()
    for key in ("prices", "registration_deadline", "childcare", "availability"):
        assert key not in written
    assert set(written["when"]) == {"start", "end", "rrule"}


def test_extra_dates_and_left_out_dates_make_the_occurrences():
    o = offer(
        when={
            "start": "2027-01-05T14:00",
            "end": "2027-01-05T16:00",
            "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
            "except": ["2027-01-12T14:00"],
            "dates": [{"start": "2027-01-16T10:00", "end": "2027-01-16T17:00"}],
        }
    )
    assert o.when is not None
    starts = [s for s, _ in iter_occurrences(o.when)]
    assert starts == [T(2027, 1, 5, 14), T(2027, 1, 16, 10), T(2027, 1, 19, 14), T(2027, 1, 26, 14)]
    assert [s for s, _ in materialize(o.when, until=T(2028, 1, 1))] == starts
    assert last_end(o.when) == T(2027, 1, 26, 16)
    assert o.when.longest == dt.timedelta(hours=7)
    assert is_occurrence(o.when, T(2027, 1, 16, 10)) and not is_occurrence(o.when, T(2027, 1, 12, 14))


def test_json_round_trip_of_every_version_2_field():
    o = offer(
        prices=[{"amount": 8, "per": "beurt", "note": "drankje inbegrepen"}, {"amount": 0, "who": "rap-op-stap"}],
        registration_deadline="2026-12-03T12:00",
        childcare={"start": "08:00", "end": "18:00"},
        availability="postponed",
        when={"start": "2027-01-05T14:00", "end": "2027-01-05T16:00", "dates": [{"start": "2027-01-06T14:00"}]},
    )
    text = dump_json([o], town="Bilzen")
    assert json.loads(text)["version"] == 2
    assert parse_json(text) == [o]


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_round_trip_of_every_version_2_field(delimiter):
    plain = offer(prices=[{"amount": 8, "per": "beurt"}, {"amount": 1.6, "who": "uitpas-kansentarief"}])
    labelled = Offer.from_dict(
        {**BASE, "id": "met-label", "prices": [{"amount": 3, "who": "andere", "label": "Studenten"}]}
    )
    dated = Offer.from_dict(
        {
            **BASE,
            "id": "met-data",
            "registration_deadline": "2026-12-03T12:00",
            "childcare": {"start": "08:00"},
            "availability": "full",
            "when": {
                "start": "2027-01-05T14:00",
                "end": "2027-01-05T16:00",
                "rrule": "FREQ=WEEKLY;BYDAY=TU",
                "except": ["2027-01-12T14:00"],
                "dates": [{"start": "2027-01-16T10:00", "end": "2027-01-16T12:00"}],
            },
        }
    )
    text = dump_csv([plain, labelled, dated], delimiter=delimiter)
    assert "8 per beurt | uitpas-kansentarief 1.6" in text  # the short form a coordinator can type
    assert parse_csv(text) == [plain, labelled, dated]


def test_csv_reads_dates_as_spreadsheets_write_them():
    text = (
        "id;kind;title;when.start;when.end;registration_deadline;prices\n"
        "kerst;activity;Kerstmarkt;16/12/2026 14:00;16-12-2026 18:00:00;3/12/2026;8 per beurt | rap-op-stap 1,60\n"
    )
    (o,) = parse_csv(text)
    assert o.when is not None and (o.when.start, o.when.end) == (T(2026, 12, 16, 14), T(2026, 12, 16, 18))
    assert o.registration_deadline == T(2026, 12, 3, 23, 59)
    assert o.prices[1] == PriceLine(1.6, who="rap-op-stap")


def test_csv_names_an_impossible_date_and_its_row():
    text = "id;kind;title;when.start\nkerst;activity;Kerstmarkt;31/11/2026 14:00\n"
    with pytest.raises(OfferError) as caught:
        parse_csv(text)
    problem = "when.start: 31/11/2026 14:00 is not a date: November 2026 has 30 days"
    assert str(caught.value) == f"row 2 (id 'kerst'): {problem}"


def test_csv_price_cell_that_cannot_be_read_says_how_to_write_it():
    text = "id;kind;title;prices\nkerst;activity;Kerstmarkt;acht euro\n"
    with pytest.raises(OfferError) as caught:
        parse_csv(text)
    assert caught.value.field == "prices" and "'8 per beurt'" in caught.value.problem
