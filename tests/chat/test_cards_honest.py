"""Cards that tell the truth: what a price is for and which reduction it is, registration deadlines, childcare
at the activity, full and postponed offers, and the other days of an offer on a few separate days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.chat.cards import card, price_text
from bot.chat.replies import to_plain
from bot.offers.model import Offer
from bot.platform.texts import Texts
from tests.helpers import DATA

TEXTS = Texts.load(DATA / "texts.nl.toml")
TODAY = dt.date(2026, 12, 1)  # a Tuesday
D = dt.datetime


def offer(**fields: Any) -> Offer:
    return Offer.from_dict({"id": "test", "kind": "activity", "title": "Test", **fields})


def price_of(*lines: dict[str, Any]) -> str | None:
    text = price_text(offer(prices=list(lines)), TEXTS)
    return None if text is None else to_plain(text)


@pytest.mark.parametrize(
    ("lines", "shown"),
    [
        # a yearly amount says so, and the reduction is called what it is
        (
            [{"amount": 40, "per": "jaar"}, {"amount": 8, "who": "rap-op-stap", "per": "jaar"}],
            "💶 €40 per jaar, met Rap op Stap €8 per jaar",
        ),
        (
            [{"amount": 8}, {"amount": 6, "who": "kinderen"}, {"amount": 1.6, "who": "uitpas-kansentarief"}],
            "💶 €8; kinderen €6; met UiTPAS kansentarief €1,60",
        ),
        (
            [{"amount": 255, "per": "jaar"}, {"amount": 51, "who": "verhoogde-tegemoetkoming", "per": "jaar"}],
            "💶 €255 per jaar, met verhoogde tegemoetkoming €51 per jaar",
        ),
        # two reductions of the same amount share one segment
        (
            [{"amount": 10}, {"amount": 2, "who": "rap-op-stap"}, {"amount": 2, "who": "uitpas-kansentarief"}],
            "💶 €10, met Rap op Stap of UiTPAS kansentarief €2",
        ),
        ([{"amount": 3, "per": "uur"}, {"amount": 0, "who": "rap-op-stap"}], "💶 €3 per uur, met Rap op Stap gratis"),
        ([{"amount": 0.4, "per": "km"}], "💶 €0,40 per km"),
        ([{"amount": 12}, {"amount": 5, "who": "andere", "label": "Studenten"}], "💶 €12; Studenten €5"),
        ([{"amount": 0}, {"amount": 0, "who": "kinderen"}], "💶 gratis"),
        ([{"amount": 1, "who": "uitpas-kansentarief"}], "💶 met UiTPAS kansentarief €1"),
        ([{"amount": 5}, {"amount": 5, "who": "rap-op-stap"}], "💶 €5"),  # no real reduction: none is shown
    ],
)
def test_price_lines_on_the_card(lines, shown):
    assert price_of(*lines) == shown


def test_many_prices_take_two_short_lines_with_the_reductions_on_the_second():
    shown = price_of(
        {"amount": 12, "per": "ticket"},
        {"amount": 9, "who": "senioren", "per": "ticket"},
        {"amount": 6, "who": "kinderen", "per": "ticket"},
        {"amount": 2.4, "who": "uitpas-kansentarief", "per": "ticket"},
        {"amount": 2.4, "who": "rap-op-stap", "per": "ticket"},
    )
    assert shown == (
        "💶 €12 per ticket; senioren €9 per ticket; kinderen €6 per ticket\n"
        "💶 met UiTPAS kansentarief of Rap op Stap €2,40 per ticket"
    )


def text_of(o: Offer, **kwargs: Any) -> str:
    return to_plain(card(o, TEXTS, today=TODAY, **kwargs))


def test_a_passed_registration_deadline_says_signing_up_is_no_longer_possible():
    o = offer(registration="Bij LDC De Wijzer.", registration_deadline="2026-11-28")
    assert "⛔ Inschrijven kan niet meer." in text_of(o)


@pytest.mark.parametrize(
    ("deadline", "shown"),
    [
        ("2026-12-03", "⏳ Schrijf je in vóór vrijdag 4 december."),  # the whole 3rd is still open
        ("2026-12-01", "⏳ Schrijf je in vóór morgen."),
        ("2026-12-03T12:00", "⏳ Schrijf je in vóór donderdag 3 december, 12:00."),
    ],
)
def test_a_close_deadline_says_until_when(deadline, shown):
    assert shown in text_of(offer(registration_deadline=deadline))


def test_a_far_deadline_is_not_shouted():
    assert "Schrijf je in" not in text_of(offer(registration_deadline="2027-03-01"))


@pytest.mark.parametrize(
    ("childcare", "shown"),
    [
        (True, "🧒 Er is kinderopvang tijdens de activiteit."),
        ({"start": "08:00", "end": "18:30"}, "🧒 Er is kinderopvang tijdens de activiteit, van 8:00 tot 18:30."),
        ({"start": "09:30"}, "🧒 Er is kinderopvang tijdens de activiteit, vanaf 9:30."),
    ],
)
def test_childcare_at_the_activity_shows(childcare, shown):
    assert shown in text_of(offer(childcare=childcare))


def test_full_and_postponed():
    assert text_of(offer(availability="full")).startswith("🚫 Volzet\nTest")
    postponed = text_of(offer(availability="postponed"), cancelled=True)
    assert postponed.startswith("⏸ Uitgesteld: de nieuwe datum is nog niet bekend.") and "Afgelast" not in postponed


def test_an_offer_on_a_few_days_names_the_other_days():
    o = offer(
        when={
            "start": "2026-12-05T14:00",
            "end": "2026-12-05T16:00",
            "dates": [
                {"start": f"2026-12-{day:02d}T14:00", "end": f"2026-12-{day:02d}T16:00"} for day in (6, 12, 13, 19)
            ],
        }
    )
    text = text_of(o, next_start=D(2026, 12, 5, 14), next_end=D(2026, 12, 5, 16))
    assert "🔁 Ook op zondag 6 december, zaterdag 12 december en zondag 13 december, en nog 1 keer" in text
