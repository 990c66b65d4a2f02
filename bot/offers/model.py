"""The offer: one thing a person can do, use or ask for, exactly as the offer file format describes it.

`Offer.from_dict` is the single gate every offer passes, whether it comes from a JSON or CSV
import, from UiTdatabank or an iCal feed, from the sample data or from a key figure's draft: it
checks each field and raises an `OfferError` that names the field and the problem. `Offer.to_dict`
gives the same shape back, unknown fields included, so an import followed by an export loses nothing.

Format version 2 adds price lines (`prices`), a registration deadline, childcare at the activity,
availability (full, postponed) and, under `when`, extra dates and dates left out. `to_dict` writes
these only when they hold something, so an offer of version 1 keeps exactly its version 1 shape.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dateutil import rrule as rrules  # the module: When.rrule (a field) hides the name of its class
from dateutil.rrule import rrule, rrulestr

KINDS = ("activity", "discount", "transport", "support")
GROUPS = ("kinderen", "jongeren", "volwassenen", "senioren", "gezinnen", "iedereen")
STATUSES = ("draft", "pending", "published", "cancelled")
KNOWN_FIELDS = (
    "id", "kind", "title", "summary", "description", "categories", "keywords", "organizer", "location",
    "audience", "price", "prices", "when", "registration", "registration_deadline", "contact", "transport",
    "eligibility", "childcare", "availability",
)  # fmt: skip
# Price lines (format version 2): what an amount is for, and who pays it.
PRICE_PER = ("beurt", "les", "dag", "uur", "week", "maand", "jaar", "seizoen", "kamp", "reeks", "rit", "km", "ticket")
PRICE_WHO = (
    "iedereen", "kinderen", "jongeren", "volwassenen", "senioren", "gezinnen",
    "rap-op-stap", "uitpas-kansentarief", "verhoogde-tegemoetkoming", "andere",
)  # fmt: skip
# The reductions people with a small income get: shown after the normal prices, each under its own name.
REDUCTIONS = ("rap-op-stap", "uitpas-kansentarief", "verhoogde-tegemoetkoming")
AVAILABILITY = ("full", "postponed")  # volzet; uitgesteld (the new date is not known yet)
MAX_PRICE_LINES = 12
MAX_DATES = 400  # explicit dates of one offer (a UiTdatabank 'multiple' calendar, an iCal feed expanded)
TIME_FORMAT = "%Y-%m-%dT%H:%M"
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
FIRST_DATE_YEARS = 2  # a repeating offer whose rule gives no date this soon after its start is a mistake

# Limits keep a card readable and a broken file from filling the database.
MAX_LENGTH = {"id": 80, "title": 200, "summary": 500, "description": 5000, "note": 1000, "other": 1000}
MAX_LIST_ITEMS = 50
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OfferError(ValueError):
    """An offer field is missing or wrong. `where` names the offer (id or row), `field` the field."""

    def __init__(self, field: str, problem: str, *, where: str = "") -> None:
        self.field = field
        self.problem = problem
        self.where = where
        super().__init__(self._text())

    def _text(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.field}: {self.problem}"

    def located(self, where: str) -> OfferError:
        """The same error, told where it happened (the offer id or the row of the file)."""
        return OfferError(self.field, self.problem, where=where)


@dataclass(frozen=True)
class Location:
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Audience:
    min_age: int | None = None
    max_age: int | None = None
    groups: tuple[str, ...] = ()

    def admits_age(self, age: int) -> bool:
        """Whether a person of this age may take part."""
        low = self.min_age if self.min_age is not None else 0
        high = self.max_age if self.max_age is not None else 200
        return low <= age <= high


@dataclass(frozen=True)
class Price:
    """The summary the matcher filters on ('gratis', 'goedkoop'): one normal and one reduced amount.

    In format version 2 it is derived from the price lines when the file does not give it."""

    regular: float | None = None
    reduced: float | None = None
    note: str | None = None

    @property
    def is_free(self) -> bool:
        """Free for everyone, or free with Rap op Stap: what people mean by 'gratis'."""
        return self.regular == 0 or self.reduced == 0


@dataclass(frozen=True)
class PriceLine:
    """One amount: what it is for (`per`: beurt, jaar, kamp ...), who pays it (`who`) and a note.

    `label` is the tariff's own name when `who` cannot say it ('Studenten', 'Kansentarief met UiTPAS Leuven').
    """

    amount: float
    who: str = "iedereen"
    per: str | None = None
    label: str | None = None
    note: str | None = None

    @property
    def is_reduction(self) -> bool:
        return self.who in REDUCTIONS

    def to_dict(self) -> dict[str, Any]:
        line: dict[str, Any] = {"amount": self.amount}
        if self.who != "iedereen":  # the default is left out, as a coordinator writes it
            line["who"] = self.who
        for name in ("per", "label", "note"):
            if getattr(self, name) is not None:
                line[name] = getattr(self, name)
        return line


@dataclass(frozen=True)
class Childcare:
    """Childcare at the activity itself (UiTdatabank: childcare times, or the facility 'Kinderopvang')."""

    start: dt.time | None = None
    end: dt.time | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": None if self.start is None else self.start.strftime("%H:%M"),
            "end": None if self.end is None else self.end.strftime("%H:%M"),
            "note": self.note,
        }


@functools.lru_cache(maxsize=4096)
def _parse_rule(text: str, start: dt.datetime) -> rrule:
    """Parsing an RRULE costs more than expanding it (dateutil parses UNTIL as free text): once each.

    A rule without cache=True keeps no state between iterations, so one object serves every caller.
    """
    return rrulestr(text, dtstart=start)


@dataclass(frozen=True)
class When:
    """When a dated offer takes place. Local (Europe/Brussels) wall-clock times, no time zone attached.

    `start`/`end` is the first occurrence; `rrule` repeats it. `dates` are further occurrences with
    their own times (a UiTdatabank event on three separate days), `exdates` starts the rule leaves out
    (an iCal EXDATE, one cancelled date of a series).
    """

    start: dt.datetime
    end: dt.datetime
    rrule: str | None = None
    dates: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    exdates: tuple[dt.datetime, ...] = ()

    def recurrence(self) -> rrules.rrule | None:
        """The RFC 5545 rule anchored at `start`, or None for a one-off."""
        if not self.rrule:
            return None
        return _parse_rule(self.rrule, self.start)

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def longest(self) -> dt.timedelta:
        """The longest occurrence: the explicit dates may last longer than the first one."""
        return max([self.duration, *(end - start for start, end in self.dates)])

    def to_dict(self) -> dict[str, Any]:
        when: dict[str, Any] = {"start": self.start.strftime(TIME_FORMAT), "end": self.end.strftime(TIME_FORMAT)}
        if self.rrule:
            when["rrule"] = self.rrule
        if self.dates:
            when["dates"] = [{"start": s.strftime(TIME_FORMAT), "end": e.strftime(TIME_FORMAT)} for s, e in self.dates]
        if self.exdates:
            when["except"] = [moment.strftime(TIME_FORMAT) for moment in self.exdates]
        return when


@dataclass(frozen=True)
class Contact:
    phone: str | None = None
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Offer:
    id: str
    kind: str
    title: str
    summary: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    organizer: str | None = None
    location: Location | None = None
    audience: Audience = field(default_factory=Audience)
    price: Price = field(default_factory=Price)
    prices: tuple[PriceLine, ...] = ()
    when: When | None = None
    registration: str | None = None
    registration_deadline: dt.datetime | None = None  # local time; after it, signing up is no longer possible
    contact: Contact = field(default_factory=Contact)
    transport: str | None = None
    eligibility: str | None = None
    childcare: Childcare | None = None
    availability: str | None = None  # None: as planned; 'full' (volzet) or 'postponed' (uitgesteld)
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown fields, kept as they came

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Offer:
        """Validate one offer in the offer file format; raise OfferError naming the field."""
        if not isinstance(data, Mapping):
            raise OfferError("offer", f"expected an object with fields, got {_show(data)}")
        prices = _price_lines(data.get("prices"))
        return cls(
            id=_offer_id(data.get("id")),
            kind=_choice("kind", data.get("kind"), KINDS),
            title=_required_text("title", data.get("title"), MAX_LENGTH["title"]),
            summary=_text("summary", data.get("summary"), MAX_LENGTH["summary"]),
            description=_text("description", data.get("description"), MAX_LENGTH["description"]),
            categories=_words("categories", data.get("categories")),
            keywords=_words("keywords", data.get("keywords")),
            organizer=_text("organizer", data.get("organizer")),
            location=_location(data.get("location")),
            audience=_audience(data.get("audience")),
            price=_price(data.get("price"), prices),
            prices=prices,
            when=_when(data.get("when")),
            registration=_text("registration", data.get("registration")),
            registration_deadline=_deadline(data.get("registration_deadline")),
            contact=_contact(data.get("contact")),
            transport=_text("transport", data.get("transport")),
            eligibility=_text("eligibility", data.get("eligibility")),
            childcare=_childcare(data.get("childcare")),
            availability=_availability(data.get("availability")),
            extra={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
        )

    def to_dict(self) -> dict[str, Any]:
        """The offer in the offer file format, unknown fields included; fields of version 2 only when set."""
        when = None if self.when is None else self.when.to_dict()
        location = None
        if self.location is not None:
            location = {"name": self.location.name, "address": self.location.address}
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "description": self.description,
            "categories": list(self.categories),
            "keywords": list(self.keywords),
            "organizer": self.organizer,
            "location": location,
            "audience": {
                "min_age": self.audience.min_age,
                "max_age": self.audience.max_age,
                "groups": list(self.audience.groups),
            },
            "price": {"regular": self.price.regular, "reduced": self.price.reduced, "note": self.price.note},
            **({"prices": [line.to_dict() for line in self.prices]} if self.prices else {}),
            "when": when,
            "registration": self.registration,
            **(
                {"registration_deadline": self.registration_deadline.strftime(TIME_FORMAT)}
                if self.registration_deadline is not None
                else {}
            ),
            "contact": {"phone": self.contact.phone, "email": self.contact.email, "url": self.contact.url},
            "transport": self.transport,
            "eligibility": self.eligibility,
            **({"childcare": self.childcare.to_dict()} if self.childcare is not None else {}),
            **({"availability": self.availability} if self.availability is not None else {}),
            **self.extra,
        }

    @property
    def regular_lines(self) -> tuple[PriceLine, ...]:
        """The price lines, or for an offer of format version 1 the lines its price stands for.

        A summary price that is not the one derived from the lines was set here (a coordinator gave an imported
        offer its Rap op Stap price, in the version 1 sense of `reduced`): it is shown as a line of its own."""
        if not self.prices:
            return lines_from_price(self.price)
        lines = list(self.prices)
        derived_regular, derived_reduced = summary_of(self.prices)
        regular, reduced = self.price.regular, self.price.reduced
        if regular is not None and regular != derived_regular and all(line.is_reduction for line in lines):
            lines.insert(0, PriceLine(regular))
        if reduced is not None and reduced != derived_reduced:
            lines.append(PriceLine(reduced, who="rap-op-stap"))
        return tuple(lines)


# --- field checks -------------------------------------------------------------------------


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(name: str, value: Any, limit: int = MAX_LENGTH["other"]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise OfferError(name, f"expected text, got {_show(value)}")
    value = value.strip()
    if len(value) > limit:
        raise OfferError(name, f"is {len(value)} characters long; at most {limit} are allowed")
    return value or None


def _required_text(name: str, value: Any, limit: int) -> str:
    text = _text(name, value, limit)
    if text is None:
        raise OfferError(name, "is required and may not be empty")
    return text


def _offer_id(value: Any) -> str:
    text = _required_text("id", value, MAX_LENGTH["id"])
    if not _ID_PATTERN.match(text):
        raise OfferError(
            "id", f"expected lower-case words joined by hyphens (like 'zwemmen-kansentarief'), got {text!r}"
        )
    return text


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value is None or value == "":
        raise OfferError(name, f"is required: one of {', '.join(choices)}")
    if value not in choices:
        raise OfferError(name, f"unknown value {_show(value)}; expected one of {', '.join(choices)}")
    return value


def _words(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OfferError(name, f"expected a list of words, got {_show(value)}")
    if len(value) > MAX_LIST_ITEMS:
        raise OfferError(name, f"has {len(value)} items; at most {MAX_LIST_ITEMS} are allowed")
    cleaned = [v.strip() for v in value if v.strip()]
    for item in cleaned:
        if len(item) > 100:
            raise OfferError(name, f"item {_show(item)} is longer than 100 characters")
    return tuple(cleaned)


def _table(name: str, value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise OfferError(name, f"expected an object, got {_show(value)}")
    return value


def _location(value: Any) -> Location | None:
    table = _table("location", value)
    location = Location(
        name=_text("location.name", table.get("name")),
        address=_text("location.address", table.get("address")),
    )
    return None if location == Location() else location


def _age(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
        raise OfferError(name, f"expected an age in years (0 to 120) or null, got {_show(value)}")
    return value


def _audience(value: Any) -> Audience:
    table = _table("audience", value)
    min_age = _age("audience.min_age", table.get("min_age"))
    max_age = _age("audience.max_age", table.get("max_age"))
    if min_age is not None and max_age is not None and min_age > max_age:
        raise OfferError("audience.max_age", f"{max_age} is below min_age {min_age}")
    groups = _words("audience.groups", table.get("groups"))
    for group in groups:
        if group not in GROUPS:
            raise OfferError("audience.groups", f"unknown group {group!r}; expected some of {', '.join(GROUPS)}")
    return Audience(min_age=min_age, max_age=max_age, groups=groups)


def _amount(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise OfferError(name, f"expected an amount in euro (a number) or null, got {_show(value)}")
    if value < 0:
        raise OfferError(name, f"may not be negative, got {value}")
    if value > 100_000:
        raise OfferError(name, f"{value} euro is not a plausible price")
    return value


def _price(value: Any, lines: tuple[PriceLine, ...] = ()) -> Price:
    """The summary price; a missing amount is taken from the price lines (version 2)."""
    table = _table("price", value)
    regular = _amount("price.regular", table.get("regular"))
    reduced = _amount("price.reduced", table.get("reduced"))
    if lines and regular is None and reduced is None:
        regular, reduced = summary_of(lines)
    return Price(regular=regular, reduced=reduced, note=_text("price.note", table.get("note"), MAX_LENGTH["note"]))


def summary_of(lines: tuple[PriceLine, ...]) -> tuple[float | None, float | None]:
    """(normal, reduced) for the matcher: the first price for everyone (else the lowest normal price), and the
    lowest reduction."""
    normal = [line for line in lines if not line.is_reduction]
    everyone = [line.amount for line in normal if line.who == "iedereen"]
    regular = everyone[0] if everyone else min((line.amount for line in normal), default=None)
    reduced = min((line.amount for line in lines if line.is_reduction), default=None)
    return regular, reduced


def lines_from_price(price: Price) -> tuple[PriceLine, ...]:
    """A version 1 price as lines: `regular` is for everyone, `reduced` is the Rap op Stap price (its meaning
    in version 1)."""
    lines = []
    if price.regular is not None:
        lines.append(PriceLine(price.regular))
    if price.reduced is not None and (price.regular is None or price.reduced < price.regular):
        lines.append(PriceLine(price.reduced, who="rap-op-stap"))
    return tuple(lines)


def _price_lines(value: Any) -> tuple[PriceLine, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise OfferError("prices", f"expected a list of price lines, got {_show(value)}")
    if len(value) > MAX_PRICE_LINES:
        raise OfferError("prices", f"has {len(value)} lines; at most {MAX_PRICE_LINES} are allowed")
    lines = []
    for number, item in enumerate(value, start=1):
        name = f"prices[{number}]"
        table = _table(name, item)
        amount = _amount(f"{name}.amount", table.get("amount"))
        if amount is None:
            raise OfferError(f"{name}.amount", "is required: the amount in euro (0 means free)")
        who = table.get("who") or "iedereen"
        if who not in PRICE_WHO:
            raise OfferError(f"{name}.who", f"unknown value {_show(who)}; expected one of {', '.join(PRICE_WHO)}")
        per = table.get("per")
        if per in ("", None):
            per = None
        elif per not in PRICE_PER:
            raise OfferError(f"{name}.per", f"unknown value {_show(per)}; expected one of {', '.join(PRICE_PER)}")
        label = _text(f"{name}.label", table.get("label"), 100)
        if who == "andere" and label is None:
            raise OfferError(f"{name}.label", "is required when who is 'andere': say for whom this price is")
        lines.append(PriceLine(amount, who=who, per=per, label=label, note=_text(f"{name}.note", table.get("note"))))
    return tuple(lines)


def _deadline(value: Any) -> dt.datetime | None:
    """A registration deadline: a date and time, or a date alone (then the end of that day)."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        day = parse_local_date("registration_deadline", value)
        return dt.datetime.combine(day, dt.time(23, 59))
    return parse_local_time("registration_deadline", value)


def _clock(name: str, value: Any) -> dt.time | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _CLOCK.match(value.strip()):
        raise OfferError(name, f"expected a time like 08:00, got {_show(value)}")
    hours, minutes = value.strip().split(":")
    if int(hours) > 23 or int(minutes) > 59:
        raise OfferError(name, f"{value.strip()} is not a time of day")
    return dt.time(int(hours), int(minutes))


def _childcare(value: Any) -> Childcare | None:
    if value in (None, False):
        return None
    if value is True:
        return Childcare()
    table = _table("childcare", value)
    return Childcare(
        start=_clock("childcare.start", table.get("start")),
        end=_clock("childcare.end", table.get("end")),
        note=_text("childcare.note", table.get("note")),
    )


def _availability(value: Any) -> str | None:
    if value in (None, "", "available"):
        return None
    if value not in AVAILABILITY:
        raise OfferError("availability", f"unknown value {_show(value)}; expected one of {', '.join(AVAILABILITY)}")
    return str(value)


_ISO_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$")
# What spreadsheet programs write: 16/12/2026 14:00, 16-12-2026 14:00:00, 16.12.2026 14:00 (day first, as in Belgium).
_SHEET_TIME = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T]+(\d{1,2})[:.u](\d{2})(?::(\d{2}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SHEET_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ONLY = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")


def _real_date(name: str, text: str, year: int, month: int, day: int) -> dt.date:
    """The date, or an error that names the date and says why it does not exist."""
    if not 1 <= month <= 12:
        raise OfferError(name, f"{text} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        month_name = calendar.month_name[month]  # English, like the rest of the error messages
        raise OfferError(name, f"{text} is not a date: {month_name} {year} has {last} days")
    return dt.date(year, month, day)


def parse_local_time(name: str, value: Any) -> dt.datetime:
    """A local date and time: `YYYY-MM-DDTHH:MM` (a space instead of T is accepted too), or as a spreadsheet
    writes it, day first: `16/12/2026 14:00`, `16-12-2026 14:00:00`. An impossible date names the date."""
    if not isinstance(value, str):
        raise OfferError(name, f"expected a date and time like 2027-03-13T14:00, got {_show(value)}")
    text = value.strip()
    found = _ISO_TIME.match(text)
    if found:
        year, month, day, hour, minute = (int(found.group(i)) for i in range(1, 6))
    else:
        found = _SHEET_TIME.match(text)
        if not found:
            expected = "a date and time like 2027-03-13T14:00 or 13/03/2027 14:00"
            raise OfferError(name, f"expected {expected}, got {_show(value)}")
        day, month, year, hour, minute = (int(found.group(i)) for i in range(1, 6))
    date = _real_date(name, text, year, month, day)
    if hour > 23 or minute > 59:
        raise OfferError(name, f"{text} is not a time of day")
    return dt.datetime.combine(date, dt.time(hour, minute))


def parse_local_date(name: str, value: Any) -> dt.date:
    """A date alone: `2026-12-03` or `03/12/2026` (day first)."""
    text = value.strip() if isinstance(value, str) else ""
    iso, sheet = _ISO_DATE.match(text), _SHEET_DATE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif sheet:
        day, month, year = (int(g) for g in sheet.groups())
    else:
        raise OfferError(name, f"expected a date like 2026-12-03 or 03/12/2026, got {_show(value)}")
    return _real_date(name, text, year, month, day)


def _when(value: Any) -> When | None:
    if value is None:
        return None
    table = _table("when", value)
    if not table:
        return None
    if table.get("start") in (None, ""):
        raise OfferError("when.start", "is required when 'when' is given (use null for offers without a date)")
    start = parse_local_time("when.start", table["start"])
    end = start if table.get("end") in (None, "") else parse_local_time("when.end", table["end"])
    if end < start:
        raise OfferError("when.end", f"{table['end']} is before the start {table['start']}")
    if end - start > dt.timedelta(days=31):
        raise OfferError("when.end", "an occurrence may last at most 31 days; use an rrule for repeating dates")
    rule = table.get("rrule")
    dates = _extra_dates(table.get("dates"), start)
    exdates = _exdates(table.get("except"))
    if rule in (None, ""):
        return When(start=start, end=end, dates=dates, exdates=exdates)
    if not isinstance(rule, str):
        raise OfferError("when.rrule", f"expected an RFC 5545 rule like FREQ=WEEKLY;BYDAY=WE, got {_show(rule)}")
    return When(start=start, end=end, rrule=_rrule(rule, start), dates=dates, exdates=exdates)


def _extra_dates(value: Any, first: dt.datetime) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """Further occurrences, each with its own start and end, sorted; the first occurrence itself is left out."""
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise OfferError("when.dates", f"expected a list of {{start, end}}, got {_show(value)}")
    if len(value) > MAX_DATES:
        raise OfferError("when.dates", f"has {len(value)} dates; at most {MAX_DATES} are allowed")
    found: dict[dt.datetime, dt.datetime] = {}
    for number, item in enumerate(value, start=1):
        name = f"when.dates[{number}]"
        table = _table(name, item)
        if table.get("start") in (None, ""):
            raise OfferError(f"{name}.start", "is required")
        start = parse_local_time(f"{name}.start", table["start"])
        end = start if table.get("end") in (None, "") else parse_local_time(f"{name}.end", table["end"])
        if end < start:
            raise OfferError(f"{name}.end", f"{table['end']} is before the start {table['start']}")
        if end - start > dt.timedelta(days=31):
            raise OfferError(f"{name}.end", "an occurrence may last at most 31 days")
        if start != first:
            found[start] = end
    return tuple(sorted(found.items()))


def _exdates(value: Any) -> tuple[dt.datetime, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise OfferError("when.except", f"expected a list of dates and times, got {_show(value)}")
    if len(value) > MAX_DATES:
        raise OfferError("when.except", f"has {len(value)} dates; at most {MAX_DATES} are allowed")
    return tuple(sorted({parse_local_time(f"when.except[{i}]", v) for i, v in enumerate(value, start=1)}))


def _rrule(text: str, start: dt.datetime) -> str:
    """One RFC 5545 RRULE that gives at least one date soon after `start`, as text."""
    rule = text.strip().removeprefix("RRULE:")
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise OfferError(
            "when.rrule", f"FREQ must be one of {', '.join(ALLOWED_FREQUENCIES)}, got {parts.get('FREQ')!r}"
        )
    if len(rule.split()) != 1:
        raise OfferError("when.rrule", f"expected one rule on one line (only the RRULE part), got {_show(rule)}")
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not (parts[name].isdigit() and int(parts[name]) >= 1):
            raise OfferError("when.rrule", f"{name} must be a whole number of 1 or more, got {parts[name]!r}")
    try:
        recurrence = rrulestr(rule, dtstart=start)
    except (ValueError, TypeError) as error:
        raise OfferError("when.rrule", f"not a valid RFC 5545 rule ({error}): {rule!r}") from None
    if not isinstance(recurrence, rrule):
        raise OfferError("when.rrule", f"expected one rule on one line (only the RRULE part), got {_show(rule)}")
    if not _has_date_soon(recurrence, start):
        raise OfferError(
            "when.rrule",
            f"the rule gives no date in the {FIRST_DATE_YEARS} years after the start {start:{TIME_FORMAT}}; "
            f"check BYDAY, BYMONTH, BYMONTHDAY and INTERVAL: {rule!r}",
        )
    if recurrence.after(start, inc=True) is None:
        raise OfferError("when.rrule", f"the rule gives no date between the start and its UNTIL or COUNT: {rule!r}")
    return rule


def _has_date_soon(recurrence: rrule, start: dt.datetime) -> bool:
    """Whether the rule (without UNTIL or COUNT) has a date within FIRST_DATE_YEARS after `start`.

    dateutil looks for the next date period by period up to the year 9999, so a rule without any
    date ("30 February") takes seconds, every time it is used. The search runs instead on the same
    calendar (same weekdays, same leap years) just before the year 9999, where it ends in decades.
    """
    span = FIRST_DATE_YEARS + 1
    year = dt.MAXYEAR - span
    while not (
        dt.date(year, 1, 1).weekday() == dt.date(start.year, 1, 1).weekday()
        and all(calendar.isleap(year + i) == calendar.isleap(start.year + i) for i in range(span + 1))
    ):
        year -= 1  # the Gregorian calendar repeats every 400 years, so this ends
    copy_start = start.replace(year=year)
    copy = recurrence.replace(dtstart=copy_start, until=None, count=None)
    first = next(iter(copy), None)
    return first is not None and first - copy_start < dt.timedelta(days=366 * FIRST_DATE_YEARS)


def _contact(value: Any) -> Contact:
    table = _table("contact", value)
    email = _text("contact.email", table.get("email"))
    if email is not None and not _EMAIL_PATTERN.match(email):
        raise OfferError("contact.email", f"not an e-mail address: {email!r}")
    url = _text("contact.url", table.get("url"))
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise OfferError("contact.url", f"expected a web address starting with http:// or https://, got {url!r}")
    return Contact(phone=_text("contact.phone", table.get("phone")), email=email, url=url)
