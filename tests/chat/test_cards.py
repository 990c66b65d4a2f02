"""The Dutch offer card, line by line: prices, dates, repetition in words, and offer text that stays text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from markupsafe import Markup

from bot.chat.cards import card, date_text, money, price_text, repeat_text, when_text
from bot.chat.replies import to_plain
from bot.offers.model import Offer
from bot.platform.texts import Texts
from tests.helpers import DATA

TEXTS = Texts.load(DATA / "texts.nl.toml")
TODAY = dt.date(2027, 1, 13)  # a Wednesday
D = dt.datetime


def offer(**fields: Any) -> Offer:
    return Offer.from_dict({"id": "test", "kind": "activity", "title": "Test", **fields})


def plain(text: Markup | None) -> str | None:
    return None if text is None else to_plain(text)


# --- money and prices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(5, "5"), (5.0, "5"), (0.4, "0,40"), (2.5, "2,50"), (12.75, "12,75"), (0, "0"), (1000, "1000")],
)
def test_money(amount, shown):
    assert money(amount) == shown


@pytest.mark.parametrize(
    ("price", "line"),
    [
        ({"regular": 5, "reduced": 1}, "💶 €5, met Rap op Stap €1"),
        ({"regular": 4.5, "reduced": 0.4}, "💶 €4,50, met Rap op Stap €0,40"),
        ({"regular": 0.4}, "💶 €0,40"),
        ({"regular": 0}, "💶 gratis"),
        ({"regular": 0, "reduced": 0}, "💶 gratis"),
        ({"reduced": 0}, "💶 gratis"),
        ({"regular": 8, "reduced": 0}, "💶 €8, met Rap op Stap gratis"),
        ({"reduced": 2}, "💶 met Rap op Stap €2"),
        ({"regular": 3, "reduced": 3}, "💶 €3"),  # no real reduction: do not pretend there is one
        ({"note": "Vrije bijdrage"}, "💶 Vrije bijdrage"),
        ({"regular": 5, "note": "Drankje inbegrepen"}, "💶 €5"),
        ({}, None),
    ],
)
def test_price_line(price, line):
    assert plain(price_text(offer(price=price), TEXTS)) == line


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (dt.date(2027, 3, 6), "zaterdag 6 maart"),
        (dt.date(2027, 1, 13), "vandaag"),
        (dt.date(2027, 1, 14), "morgen"),
        (dt.date(2027, 1, 12), "dinsdag 12 januari"),
        (dt.date(2027, 11, 9), "dinsdag 9 november"),  # within ten months: no year
        (dt.date(2027, 12, 24), "vrijdag 24 december 2027"),  # further ahead: with the year
        (dt.date(2028, 1, 13), "donderdag 13 januari 2028"),
        (dt.date(2026, 10, 1), "donderdag 1 oktober 2026"),  # long past
    ],
)
def test_date_text(day, shown):
    assert plain(date_text(day, TEXTS, today=TODAY)) == shown


def test_date_without_today_has_no_year_and_no_relative_words():
    assert plain(date_text(dt.date(2027, 1, 13), TEXTS)) == "woensdag 13 januari"


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (D(2027, 3, 6, 14), D(2027, 3, 6, 16), "zaterdag 6 maart, 14:00-16:00"),
        (D(2027, 1, 13, 19, 30), D(2027, 1, 13, 21), "vandaag, 19:30-21:00"),
        (D(2027, 1, 14, 9), D(2027, 1, 14, 12), "morgen, 09:00-12:00"),
        (D(2027, 3, 6, 22), D(2027, 3, 7, 2), "zaterdag 6 maart, 22:00-02:00"),  # a party past midnight
        (D(2027, 7, 5, 9), D(2027, 7, 9, 16), "maandag 5 juli 09:00 tot vrijdag 9 juli 16:00"),
    ],
)
def test_when_text(start, end, shown):
    assert plain(when_text(start, end, TEXTS, today=TODAY)) == shown


# --- repetition in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "shown"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "elke dinsdag"),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "elke maandag en donderdag"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "elke maandag, dinsdag, woensdag, donderdag en vrijdag"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "om de twee weken op woensdag"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=SA", "om de 3 weken op zaterdag"),
        ("FREQ=MONTHLY;BYDAY=1SU", "elke eerste zondag van de maand"),
        ("FREQ=MONTHLY;BYDAY=3TU", "elke derde dinsdag van de maand"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "elke laatste vrijdag van de maand"),
        ("FREQ=MONTHLY;BYDAY=+2WE", "elke tweede woensdag van de maand"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "elke maand"),
        ("FREQ=DAILY", "elke dag"),
        ("FREQ=YEARLY", "elk jaar"),
        ("freq=weekly;byday=tu", "elke dinsdag"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959", "elke dinsdag tot dinsdag 29 juni"),
        ("FREQ=MONTHLY;BYDAY=1SU;UNTIL=20280102", "elke eerste zondag van de maand tot zondag 2 januari 2028"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=5", "elke dinsdag"),
    ],
)
def test_repeat_text(rule, shown):
    assert plain(repeat_text(rule, TEXTS, today=TODAY)) == shown


# --- the whole card ------------------------------------------------------------------------------------


FULL = {
    "id": "zwemmen",
    "kind": "activity",
    "title": "Zwemmen aan kansentarief",
    "summary": "Baantjes zwemmen voor 1 euro.",
    "description": "Kom zwemmen in het stedelijk zwembad.",
    "organizer": "Sportdienst Bilzen",
    "location": {"name": "Zwembad De Kimpel", "address": "Eikenlaan 25, 3740 Bilzen"},
    "audience": {"min_age": 6, "max_age": 12},
    "price": {"regular": 4.5, "reduced": 1},
    "when": {"start": "2027-01-05T14:00", "end": "2027-01-05T16:00", "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629"},
    "registration": "Inschrijven niet nodig",
    "contact": {"phone": "089 00 00 20", "email": "sport@example.be"},
    "transport": "Bus 20a stopt aan de deur",
    "eligibility": "Mensen met een Rap op Stap-kaart",
}


def test_full_card_lines_in_order():
    text = card(
        Offer.from_dict(FULL), TEXTS, next_start=D(2027, 1, 19, 14), next_end=D(2027, 1, 19, 16), today=TODAY, full=True
    )
    assert text.startswith("<b>Zwemmen aan kansentarief</b>\n")
    assert to_plain(text).split("\n") == [
        "Zwemmen aan kansentarief",
        "Baantjes zwemmen voor 1 euro.",
        "Kom zwemmen in het stedelijk zwembad.",
        "📅 dinsdag 19 januari, 14:00-16:00",
        "🔁 elke dinsdag tot dinsdag 29 juni",
        "📍 Zwembad De Kimpel, Eikenlaan 25, 3740 Bilzen",
        "💶 €4,50, met Rap op Stap €1",
        "✅ Korting voor: Mensen met een Rap op Stap-kaart",
        "👤 van 6 tot 12 jaar",
        "🚌 Bus 20a stopt aan de deur",
        "📝 Inschrijven niet nodig",
        "☎️ 089 00 00 20 · sport@example.be",
        "🤝 Sportdienst Bilzen",
    ]


def test_short_card_leaves_out_description_age_and_organizer():
    lines = to_plain(card(Offer.from_dict(FULL), TEXTS, today=TODAY)).split("\n")
    assert "Kom zwemmen in het stedelijk zwembad." not in lines
    assert not any(line.startswith(("👤", "🤝", "📅")) for line in lines)  # no next date given: no date line
    assert "🔁 elke dinsdag tot dinsdag 29 juni" in lines


def test_undated_offers():
    activity = to_plain(card(offer(kind="activity"), TEXTS))
    discount = to_plain(card(offer(kind="discount"), TEXTS))
    assert "📅 Altijd, wanneer het jou past" in activity
    assert "📅" not in discount
    assert discount == "Test"


def test_cancelled_card_says_so_first():
    assert to_plain(card(offer(), TEXTS, cancelled=True)).split("\n")[0] == "❌ Afgelast"


@pytest.mark.parametrize(
    ("audience", "line"),
    [
        ({"min_age": 0, "max_age": 3}, "👤 van 0 tot 3 jaar"),
        ({"min_age": 60}, "👤 vanaf 60 jaar"),
        ({"min_age": 0}, None),
        ({"max_age": 12}, "👤 tot 12 jaar"),
        ({}, None),
    ],
)
def test_age_line(audience, line):
    lines = to_plain(card(offer(audience=audience), TEXTS, full=True)).split("\n")
    ages = [x for x in lines if x.startswith("👤")]
    assert ages == ([line] if line else [])


def test_html_in_offer_fields_arrives_escaped():
    evil = "<b>Gratis</b> & <script>alert('x')</script> <a href=\"https://evil.example\">klik</a>"
    o = Offer.from_dict(
        {
            "id": "html",
            "kind": "activity",
            "title": evil,
            "summary": evil,
            "description": evil,
            "organizer": evil,
            "location": {"name": evil, "address": "<i>straat</i>"},
            "price": {"note": evil},
            "registration": evil,
            "contact": {"phone": "<u>089</u>", "email": "a&b@example.be"},
            "transport": evil,
            "eligibility": evil,
        }
    )
    html = str(card(o, TEXTS, full=True))
    assert "<script>" not in html and "<a href" not in html and "<u>" not in html and "<i>straat" not in html
    assert "&lt;script&gt;" in html
    assert html.count("&lt;b&gt;Gratis&lt;/b&gt; &amp; ") == 9
    assert "a&amp;b@example.be" in html
    # Our own markup is still there and the only tags are the template's.
    assert html.startswith("<b>&lt;b&gt;Gratis")
    assert to_plain(html).split("\n")[0] == evil


def test_card_is_markup():
    assert isinstance(card(offer(), TEXTS), Markup)
