"""Clock times and dates the way Flemish people write them (bot.intake.clock, bot.intake.dates)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intake.clock import find_times
from bot.intake.dates import extract_when

D = dt.date(2027, 1, 4)  # a Monday


def hm(t: dt.time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("om half 3", "14:30", None),
        ("half twee", "13:30", None),
        ("kwart voor 2", "13:45", None),
        ("van kwart voor 8 tot kwart na 9", "19:45", "21:15"),
        ("14u", "14:00", None),
        ("14u30", "14:30", None),
        ("14.30", "14:30", None),
        ("14:30", "14:30", None),
        ("19.00 - 21.30", "19:00", "21:30"),
        ("elke maandag van 2 tot 5", "14:00", "17:00"),
        ("'s middags van half 2 tot 3u", "13:30", "15:00"),
        ("zondag van half 2 tot 5 uur", "13:30", "17:00"),
        ("van 14u tot half 5", "14:00", "16:30"),
        ("om 8 uur 's avonds", "20:00", None),
        ("quizavond om 8 uur", "20:00", None),
        ("vertrek om 9 uur, terug rond 17u30 na het middagmaal", "09:00", "17:30"),
        ("van 20u tot 1u", "20:00", "01:00"),
        ("van 8 tot 14u", "08:00", "14:00"),
        ("elke zaterdag van 10 tot 12", "10:00", "12:00"),
        ("elke woensdagvoormiddag van 10 tot 12 uur", "10:00", "12:00"),
        ("vertrek om half 7, rond half 9 zijn we terug", "18:30", "20:30"),
        ("vertrek om kwart voor 2, we fietsen tot 5 uur", "13:45", "17:00"),
        ("START OM 9U30 - TERUG TEGEN 13U", "09:30", "13:00"),
        ("Vertrek: 9u30. Terug: rond 17u", "09:30", "17:00"),
    ],
)
def test_flemish_clock_times(text, start, end):
    times = find_times(text)
    assert (hm(times.start), hm(times.end)) == (start, end)


@pytest.mark.parametrize(
    "text",
    ["voor kinderen van 3 tot 12, de kleintjes met een volwassene", "voor 6-12 jaar", "2 euro per keer",
     "De wandeling duurt 2 uur", "Kinderen 2,50 / 0,50", "een boekje van 20 cheques"],
)  # fmt: skip
def test_numbers_that_are_not_times(text):
    times = find_times(text)
    assert times.start is None and times.end is None


def test_an_answer_reads_every_number_as_a_time():
    times = find_times("van 2 tot 5", answer=True)
    assert (hm(times.start), hm(times.end)) == ("14:00", "17:00")
    assert find_times("tot 5 uur", answer=True).end == dt.time(17, 0)


def test_a_guess_between_morning_and_afternoon_is_marked():
    assert find_times("elke maandag van 2 tot 5").guessed
    assert not find_times("elke maandagnamiddag van 2 tot 5").guessed
    assert not find_times("van 14u tot 16u").guessed


def test_stated_duration_sets_the_end():
    res = extract_when("Op zondag 23 mei om 14u. De wandeling duurt anderhalf uur.", D)
    assert res.when == {"start": "2027-05-23T14:00", "end": "2027-05-23T15:30"}


@pytest.mark.parametrize(
    ("text", "start", "end", "rrule"),
    [
        (
            "op dinsdag 19 en 26 januari en 2 en 9 februari, telkens van 9u30 tot 10u30",
            "2027-01-19T09:30", "2027-01-19T10:30", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270209T235959",
        ),
        (
            "4 donderdagen, 7, 14, 21 en 28 oktober, van 19.00 - 21.30",
            "2027-10-07T19:00", "2027-10-07T21:30", "FREQ=WEEKLY;BYDAY=TH;UNTIL=20271028T235959",
        ),
        (
            "6 lessen op woensdag, van 5 mei tot en met 9 juni, telkens van half 10 tot 11u",
            "2027-05-05T09:30", "2027-05-05T11:00", "FREQ=WEEKLY;BYDAY=WE;UNTIL=20270609T235959",
        ),
        (
            "vanaf donderdag 4 maart elke donderdag 19.00 - 20.00, loopt t.e.m. 24 juni",
            "2027-03-04T19:00", "2027-03-04T20:00", "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270624T235959",
        ),
        (
            "elke woensdag in juli en augustus, van 14u tot 17u",
            "2027-07-07T14:00", "2027-07-07T17:00", "FREQ=WEEKLY;BYDAY=WE;UNTIL=20270831T235959",
        ),
        (
            "Vanaf vrijdag 10 september is het om de twee weken gamenight. Van 19u tot 23u.",
            "2027-09-10T19:00", "2027-09-10T23:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
        ),
        (
            "elke vrijdag vertrek om kwart voor 2, dit loopt t.e.m. september",
            "2027-01-08T13:45", "2027-01-08T15:45", "FREQ=WEEKLY;BYDAY=FR;UNTIL=20270930T235959",
        ),
    ],
)  # fmt: skip
def test_series_and_seasons(text, start, end, rrule):
    assert extract_when(text, D).when == {"start": start, "end": end, "rrule": rrule}


@pytest.mark.parametrize(
    "text",
    [
        "Bestel via de website of bel 089 20 17 40 (di-vr 13u-17u).",
        "Bel minstens 2 werkdagen op voorhand naar 089 44 12 70 (maandag tot vrijdag, 9u tot 12u).",
        "Opvang aanvragen kan elke werkdag tussen 9u en 16u op 089 77 10 25.",
        "elke dag open in de vakantie van 10u tot 18u",
        "vanaf nu kan je elke dag met korting naar de film",
        "Vanaf 1 maart krijg je 80% korting op een beurtenkaart.",
    ],
)
def test_office_hours_and_deals_are_not_events(text):
    assert extract_when(text, D).when is None


def test_office_hours_do_not_hide_the_event_time():
    text = "Op vrijdag 26 maart om 20u15 in de grote zaal.\nBestel via www.x.be of bel 089 20 17 40 (di-vr 13u-17u)."
    assert extract_when(text, D).when["start"] == "2027-03-26T20:15"
    connect = "Elke vrijdag vanaf 19u is de jongerenruimte open voor iedereen tussen 14 en 24 jaar"
    assert extract_when(connect, D).when["start"] == "2027-01-08T19:00"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 uhalfkwrtvoenamid.:-/'s", max_size=40))
def test_clock_never_raises(text):
    times = find_times(text)
    find_times(text, answer=True)
    assert times.start is None or isinstance(times.start, dt.time)
