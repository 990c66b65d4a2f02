"""The offer: one thing a person can do, use or ask for, exactly as the offer file format describes it.

`Offer.from_dict` is the single gate every offer passes, whether it comes from a JSON or CSV
import, from the sample data or from a key figure's draft: it checks each field and raises an
`OfferError` that names the field and the problem. `Offer.to_dict` gives the same shape back,
unknown fields included, so an import followed by an export loses nothing.
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
    "audience", "price", "when", "registration", "contact", "transport", "eligibility",
)  # fmt: skip
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
    regular: float | None = None
    reduced: float | None = None
    note: str | None = None

    @property
    def is_free(self) -> bool:
        """Free for everyone, or free with Rap op Stap: what people mean by 'gratis'."""
        return self.regular == 0 or self.reduced == 0


@functools.lru_cache(maxsize=4096)
def _parse_rule(text: str, start: dt.datetime) -> rrule:
    """Parsing an RRULE costs more than expanding it (dateutil parses UNTIL as free text): once each.

    A rule without cache=True keeps no state between iterations, so one object serves every caller.
    """
    return rrulestr(text, dtstart=start)


@dataclass(frozen=True)
class When:
    """When a dated offer takes place. Local (Europe/Brussels) wall-clock times, no time zone attached."""

    start: dt.datetime
    end: dt.datetime
    rrule: str | None = None

    def recurrence(self) -> rrules.rrule | None:
        """The RFC 5545 rule anchored at `start`, or None for a one-off."""
        if not self.rrule:
            return None
        return _parse_rule(self.rrule, self.start)

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


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
    when: When | None = None
    registration: str | None = None
    contact: Contact = field(default_factory=Contact)
    transport: str | None = None
    eligibility: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown fields, kept as they came

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Offer:
        """Validate one offer in the offer file format; raise OfferError naming the field."""
        if not isinstance(data, Mapping):
            raise OfferError("offer", f"expected an object with fields, got {_show(data)}")
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
            price=_price(data.get("price")),
            when=_when(data.get("when")),
            registration=_text("registration", data.get("registration")),
            contact=_contact(data.get("contact")),
            transport=_text("transport", data.get("transport")),
            eligibility=_text("eligibility", data.get("eligibility")),
            extra={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
        )

    def to_dict(self) -> dict[str, Any]:
        """The offer in the offer file format, unknown fields included."""
        when = None
        if self.when is not None:
            when = {
                "start": self.when.start.strftime(TIME_FORMAT),
                "end": self.when.end.strftime(TIME_FORMAT),
            }
            if self.when.rrule:
                when["rrule"] = self.when.rrule
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
            "when": when,
            "registration": self.registration,
            "contact": {"phone": self.contact.phone, "email": self.contact.email, "url": self.contact.url},
            "transport": self.transport,
            "eligibility": self.eligibility,
            **self.extra,
        }


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


def _price(value: Any) -> Price:
    table = _table("price", value)
    return Price(
        regular=_amount("price.regular", table.get("regular")),
        reduced=_amount("price.reduced", table.get("reduced")),
        note=_text("price.note", table.get("note"), MAX_LENGTH["note"]),
    )


def parse_local_time(name: str, value: Any) -> dt.datetime:
    """A local date and time as `YYYY-MM-DDTHH:MM` (a space instead of T is accepted too)."""
    if not isinstance(value, str):
        raise OfferError(name, f"expected a date and time like 2027-03-13T14:00, got {_show(value)}")
    try:
        parsed = dt.datetime.strptime(value.strip().replace(" ", "T", 1), TIME_FORMAT)
    except ValueError:
        raise OfferError(name, f"expected a date and time like 2027-03-13T14:00, got {_show(value)}") from None
    return parsed


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
    if rule in (None, ""):
        return When(start=start, end=end)
    if not isinstance(rule, str):
        raise OfferError("when.rrule", f"expected an RFC 5545 rule like FREQ=WEEKLY;BYDAY=WE, got {_show(rule)}")
    return When(start=start, end=end, rrule=_rrule(rule, start))


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
