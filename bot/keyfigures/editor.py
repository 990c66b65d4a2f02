"""Field-by-field editing of an offer: what each field is called, and how a typed answer becomes a value.

The answers are parsed with the same intake extractors that read forwarded texts, so "za 13/3 om 14u",
"5 euro, met Rap op Stap 1 euro" or "6-12 jaar" work here exactly as in a flyer. Pure functions:
no database, no Telegram.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from bot.intake.audience import extract_audience
from bot.intake.clock import Times
from bot.intake.contacts import extract_contact
from bot.intake.dates import extract_when, when_on
from bot.intake.places import extract_place
from bot.intake.prices import extract_price
from bot.offers.model import MAX_LENGTH, Offer, OfferError

# Short codes (they go into 64-byte button actions) in the order the edit menu shows them.
FIELDS = ("t", "w", "p", "m", "a", "o", "c", "r", "d", "k")
CLEAR_WORDS = {"leeg", "geen", "-", "niets", "nee"}
# Said on purpose, these make an activity last the whole day; never assumed.
WHOLE_DAY = re.compile(r"\b(?:(?:de |heel de )?hele dag|heel de dag|geen (?:vast )?uur|doorlopend)\b", re.I)


@dataclass(frozen=True)
class FieldUpdate:
    """A parsed answer: the offer fields to change, or the text key that explains what went wrong.

    `ask_time`: the date was read but no time; the changes keep the date and the key figure is asked for
    the time next, instead of the draft silently lasting from 00:00 to 23:59."""

    changes: dict[str, Any] | None = None
    problem: str | None = None
    ask_time: bool = False


def _clear(text: str) -> bool:
    return text.strip().lower().strip(".!") in CLEAR_WORDS


def parse_answer(code: str, text: str, *, today: dt.date, current: Offer) -> FieldUpdate:
    """Turn what someone typed for field `code` into changes of the offer dict."""
    text = text.strip()
    if not text:
        return FieldUpdate(problem="keyfigures.edit.empty")
    if code == "t":
        if _clear(text):
            return FieldUpdate(problem="keyfigures.edit.title_needed")
        return FieldUpdate({"title": text[: MAX_LENGTH["title"]]})
    if code == "w":
        if _clear(text):
            return FieldUpdate({"when": None})
        return _when_answer(text, today, current)
    if code == "p":
        if _clear(text):
            return FieldUpdate({"location": None})
        place = extract_place([text])
        if not place.name and not place.address:
            return FieldUpdate({"location": {"name": text[:200], "address": None}})
        return FieldUpdate({"location": place.as_location()})
    if code == "m":
        if _clear(text):
            return FieldUpdate({"price": {"regular": None, "reduced": None, "note": None}})
        price = extract_price(text)
        if price.regular is None and price.reduced is None:
            return FieldUpdate(problem="keyfigures.edit.bad_price")
        return FieldUpdate({"price": {"regular": price.regular, "reduced": price.reduced, "note": price.note}})
    if code == "a":
        if _clear(text) or text.lower() == "iedereen":
            groups = ["iedereen"] if text.lower() == "iedereen" else []
            return FieldUpdate({"audience": {"min_age": None, "max_age": None, "groups": groups}})
        audience = extract_audience(text)
        if audience.min_age is None and audience.max_age is None and not audience.groups:
            return FieldUpdate(problem="keyfigures.edit.bad_age")
        return FieldUpdate({"audience": audience.as_dict()})
    if code == "c":
        if _clear(text):
            return FieldUpdate({"contact": {"phone": None, "email": None, "url": None}})
        contact = extract_contact(text)
        if not (contact.phone or contact.email or contact.url):
            return FieldUpdate(problem="keyfigures.edit.bad_contact")
        return FieldUpdate({"contact": {"phone": contact.phone, "email": contact.email, "url": contact.url}})
    if code == "k":
        return FieldUpdate(problem="keyfigures.edit.use_buttons")
    simple = {"o": "organizer", "r": "registration", "d": "description"}
    if code in simple:
        name = simple[code]
        limit = MAX_LENGTH["description"] if name == "description" else MAX_LENGTH["other"]
        return FieldUpdate({name: None if _clear(text) else text[:limit]})
    return FieldUpdate(problem="keyfigures.edit.unknown_field")


def _clock_of(offer: Offer) -> Times | None:
    """The offer's times of day, unless it has none (the whole day, 00:00 to 23:59)."""
    if offer.when is None:
        return None
    start, end = offer.when.start, offer.when.end
    if start.time() == dt.time(0, 0) and end.time() == dt.time(23, 59):
        return None
    return Times(start=start.time(), end=end.time())


def _when_answer(text: str, today: dt.date, current: Offer) -> FieldUpdate:
    """A key figure's answer to "when?", applied as written.

    A date and a time ("zondag 20/12 van half 2 tot 5 uur") replace both; a time alone ("13.30 - 17.00",
    "van 2 tot 5", "tot 5 uur") changes the time on the offer's own day (a repeat stays); a date alone
    keeps the offer's time, or, when it had none, is saved and the time asked next. Only "hele dag" makes
    an activity last the whole day. What cannot be read is said, never guessed.
    """
    whole_day = bool(WHOLE_DAY.search(text))
    found = extract_when(text, today, answer=True)
    times = found.times
    if found.when is not None:
        when = dict(found.when)
        if times.start is None and times.end is None and not whole_day:
            day = dt.date.fromisoformat(when["start"][:10])
            kept = _clock_of(current)
            if kept is None:
                return FieldUpdate({"when": when}, ask_time=True)
            when.update(when_on(day, Times(start=kept.start, end=kept.end)))
        elif times.start is None and times.end is not None and current.when is not None:
            day = dt.date.fromisoformat(when["start"][:10])
            when.update(when_on(day, Times(start=current.when.start.time(), end=times.end)))
        return FieldUpdate({"when": when})
    if current.when is None:
        if times.start is not None or times.end is not None or whole_day:
            return FieldUpdate(problem="keyfigures.edit.need_date")
        return FieldUpdate(problem="keyfigures.edit.bad_date")
    day = current.when.start.date()
    if whole_day and times.start is None:
        when = when_on(day, Times())
    elif times.start is not None:
        when = when_on(day, Times(start=times.start, end=times.end, duration=times.duration))
    elif times.end is not None:
        when = when_on(day, Times(start=current.when.start.time(), end=times.end))
    else:
        return FieldUpdate(problem="keyfigures.edit.bad_date")
    if current.when.rrule:
        when["rrule"] = current.when.rrule
    return FieldUpdate({"when": when})


def apply(offer: Offer, changes: dict[str, Any]) -> Offer:
    """The offer with these changes, validated like every offer (OfferError when it does not fit)."""
    data = offer.to_dict()
    data.update(changes)
    return Offer.from_dict(data)


def valid_offer(data: dict[str, Any]) -> Offer:
    """The extracted draft as a valid Offer: a field the extractor got wrong is dropped, not fatal."""
    data = dict(data)
    for _ in range(len(data) + 1):
        try:
            return Offer.from_dict(data)
        except OfferError as error:
            top = error.field.split(".")[0]
            if top in ("id", "kind", "title"):
                raise
            data[top] = None
    return Offer.from_dict(data)
