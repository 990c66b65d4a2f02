"""UiTdatabank events (JSON-LD, Search API v3) as offers.

The shapes read here are those of cultuurnet's public documentation: the event model and its JSON schemas
(udb3-json-schemas: event.json, event-subEvent.json, common-priceInfo.json, common-bookingInfo.json,
common-offer-contactPoint.json, common-typicalAgeRange.json, common-openingHours.json), the Entry API guides
on calendar info, status and booking availability, and the Search API guides on embedding and UiTPAS prices.

What is taken, and what not (see docs/SOURCES.md for the why):
- name and description in the event's `mainLanguage`; eventtype and theme terms -> categories and keywords
  (data/uitdatabank.toml); the facility 'Kinderopvang' and childcare times -> childcare at the activity;
- location (embedded place, or an @id reference resolved against the places in the same document);
- calendarType single/multiple (subEvents, each with its own status), periodic (openingHours, closed days),
  permanent (no date: always available; its opening hours are not kept);
- status: Unavailable = cancelled, TemporarilyUnavailable = postponed; bookingAvailability Unavailable = full;
- typicalAgeRange and audienceType; every priceInfo line (base, tariff, uitpas);
- bookingInfo (phone, email, url; availabilityEnds is the registration deadline), contactPoint, organizer.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.offers.importers import SourceDocument, SourceError, SourceItem, slug
from bot.offers.model import MAX_DATES, MAX_LENGTH, TIME_FORMAT, Offer, OfferError
from bot.platform.texts import Texts

EVENT_TYPES = ("Event",)
WEEKDAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA",
            "sunday": "SU"}  # fmt: skip
PERIODIC_DAYS_EXPANDED = 366  # several opening hours per week are written out as dates, this far ahead
MAX_OCCURRENCE = dt.timedelta(days=31)  # the offer model's limit for one occurrence
SUMMARY_CHARS = 200
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/li|/div)\s*/?>", re.IGNORECASE)
_SENTENCE = re.compile(r"^(.{20,}?[.!?])(\s|$)", re.DOTALL)


@dataclass(frozen=True)
class TermMapping:
    """data/uitdatabank.toml: taxonomy terms -> categories and keywords; tariff names -> who pays them."""

    terms: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    childcare_facilities: frozenset[str] = frozenset()
    tariffs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TermMapping:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        terms: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for domain in ("eventtype", "theme"):
            for term_id, entry in document.get(domain, {}).items():
                terms[term_id] = (tuple(entry.get("categories", ())), tuple(entry.get("keywords", ())))
        return cls(
            terms=terms,
            childcare_facilities=frozenset(document.get("facility", {}).get("childcare", ())),
            tariffs={who: tuple(words) for who, words in document.get("tariffs", {}).items()},
        )

    def who_pays(self, name: str) -> str | None:
        lowered = f" {name.lower()} "
        for who, words in self.tariffs.items():
            if any(word in lowered for word in words):
                return who
        return None


@dataclass
class _Context:
    mapping: TermMapping
    texts: Texts
    tz: ZoneInfo
    places: dict[str, Mapping[str, Any]]


def parse_document(document: Any, *, mapping: TermMapping, texts: Texts, tz: ZoneInfo) -> SourceDocument:
    """The events of a Search API response (a `member` list) or of a single event, as offers.

    A wrong event raises OfferError naming it; members that are not events, or only links (asked without
    `embed=true`), or for schools only, are counted in `skipped`.
    """
    if isinstance(document, Mapping) and isinstance(document.get("member"), list):
        members = document["member"]
        total = document.get("totalItems") if isinstance(document.get("totalItems"), int) else None
    elif isinstance(document, Mapping) and ("mainLanguage" in document or document.get("@type") in EVENT_TYPES):
        members, total = [document], None
    elif isinstance(document, list):
        members, total = document, None
    else:
        raise SourceError('expected a UiTdatabank Search API response (with "member") or one event')
    places = {
        str(m["@id"]): m for m in members if isinstance(m, Mapping) and m.get("@type") == "Place" and m.get("@id")
    }
    context = _Context(mapping, texts, tz, places)
    skipped: Counter[str] = Counter()
    items: list[SourceItem] = []
    seen: set[str] = set()
    for number, member in enumerate(members, start=1):
        if not isinstance(member, Mapping):
            skipped["not an object"] += 1
            continue
        kind = member.get("@type", "Event")
        if kind not in EVENT_TYPES:
            skipped[f"{kind} (not an event)"] += 1
            continue
        if "name" not in member:
            skipped["only a link (ask with embed=true)"] += 1
            continue
        if _table(member.get("audience")).get("audienceType") == "education":
            skipped["for schools only"] += 1
            continue
        where = f"event {number} ({member.get('@id') or _localized(member.get('name'), 'nl') or '?'})"
        try:
            item = _event(member, context)
        except OfferError as error:
            raise error.located(where) from None
        if item.offer.id in seen:
            skipped["twice in the document"] += 1
            continue
        seen.add(item.offer.id)
        items.append(item)
    return SourceDocument(tuple(items), dict(skipped), total)


def offer_id_for(event_id: str) -> str:
    """'https://io.uitdatabank.be/event/5330a84f-...' -> 'uit-5330a84f-...': stable, from the event's own id."""
    last = event_id.rstrip("/").rsplit("/", 1)[-1]
    return f"uit-{slug(last, 70)}"


# --- one event ------------------------------------------------------------------------------------


def _event(event: Mapping[str, Any], context: _Context) -> SourceItem:
    event_id = event.get("@id")
    if not isinstance(event_id, str) or not event_id.strip():
        raise OfferError("@id", "every event needs its @id: the offer's id is derived from it")
    main = event.get("mainLanguage")
    lang: str = main if isinstance(main, str) else "nl"
    title = _localized(event.get("name"), lang)
    if not title:
        raise OfferError("name", f"has no text in the main language {lang!r}")
    description = _plain(_localized(event.get("description"), lang))
    categories, keywords, childcare_facility = _terms(event.get("terms"), context.mapping)
    when, subevent_childcare = _calendar(event, context.tz)
    status = _status_type(event.get("status"))
    availability = None
    if status == "TemporarilyUnavailable":
        availability = "postponed"
    elif _status_type(event.get("bookingAvailability")) == "Unavailable":
        availability = "full"
    min_age, max_age = _age_range(event.get("typicalAgeRange") or event.get("typicalAgeRangeConverted"))
    raw_booking = event.get("bookingInfo")
    booking: Mapping[str, Any] = raw_booking if isinstance(raw_booking, Mapping) else {}
    contact = _contact(event.get("contactPoint"), booking)
    childcare = subevent_childcare or ({"start": None, "end": None, "note": None} if childcare_facility else None)
    data: dict[str, Any] = {
        "id": offer_id_for(event_id),
        "kind": "activity",
        "title": title[: MAX_LENGTH["title"]],
        "summary": _summary(description),
        "description": description[: MAX_LENGTH["description"]] if description else None,
        "categories": categories,
        "keywords": keywords,
        "organizer": _organizer(event.get("organizer"), lang),
        "location": _location(event.get("location"), lang, context.places),
        "audience": {"min_age": min_age, "max_age": max_age, "groups": _groups(min_age, max_age)},
        "price": {"regular": None, "reduced": None, "note": None},
        "prices": _prices(event.get("priceInfo"), lang, context.mapping),
        "when": when,
        "registration": _registration(booking, context.texts),
        "registration_deadline": _local(booking.get("availabilityEnds"), context.tz),
        "contact": contact,
        "transport": None,
        "eligibility": context.texts.label("import.members_only")
        if _table(event.get("audience")).get("audienceType") == "members"
        else None,
        "childcare": childcare,
        "availability": availability,
    }
    offer = Offer.from_dict({k: v for k, v in data.items() if v is not None or k in ("price",)})
    cancelled = status in ("Unavailable", "TemporarilyUnavailable")
    return SourceItem(offer, event_id, cancelled=cancelled)


def _table(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _localized(value: Any, lang: str) -> str | None:
    """The text in `lang` (else Dutch, else any) of a {"nl": ..., "fr": ...} object; a plain string as it is."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        for key in (lang, "nl", *value.keys()):
            text = value.get(key)
            if isinstance(text, str) and text.strip():
                return text.strip()
    return None


def _plain(text: str | None) -> str | None:
    """UiTdatabank descriptions may hold HTML: the text without tags, a line per paragraph."""
    if not text:
        return None
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", text)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None


def _summary(description: str | None) -> str | None:
    if not description:
        return None
    first = description.split("\n", 1)[0]
    sentence = _SENTENCE.match(first)
    text = sentence.group(1) if sentence else first
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


def _terms(value: Any, mapping: TermMapping) -> tuple[list[str], list[str], bool]:
    categories: list[str] = []
    keywords: list[str] = []
    childcare = False
    for term in value if isinstance(value, list) else []:
        if not isinstance(term, Mapping):
            continue
        term_id = str(term.get("id", ""))
        if term.get("domain") == "facility":
            childcare = childcare or term_id in mapping.childcare_facilities
            continue
        cats, words = mapping.terms.get(term_id, ((), ()))
        label = str(term.get("label") or "").strip().lower()
        for category in cats:
            if category not in categories:
                categories.append(category)
        for word in (*words, label):
            if word and word not in keywords:
                keywords.append(word)
    return categories, keywords[:50], childcare


def _status_type(value: Any) -> str:
    return str(value.get("type", "Available")) if isinstance(value, Mapping) else "Available"


def _organizer(value: Any, lang: str) -> str | None:
    if isinstance(value, Mapping):
        return _localized(value.get("name"), lang)
    return None


def _address(value: Any, lang: str) -> str | None:
    """'Kimpel 5, 3740 Bilzen' from a localized ({"nl": {...}}) or a plain address."""
    if not isinstance(value, Mapping):
        return None
    if "streetAddress" not in value and "addressLocality" not in value:
        value = next((value[k] for k in (lang, "nl", *value.keys()) if isinstance(value.get(k), Mapping)), {})
    street = str(value.get("streetAddress") or "").strip()
    town = " ".join(str(value.get(k) or "").strip() for k in ("postalCode", "addressLocality")).strip()
    return ", ".join(part for part in (street, town) if part) or None


def _location(value: Any, lang: str, places: Mapping[str, Mapping[str, Any]]) -> dict[str, str | None] | None:
    if isinstance(value, str):
        value = {"@id": value}
    if not isinstance(value, Mapping):
        return None
    if "name" not in value and isinstance(value.get("@id"), str):
        value = places.get(value["@id"], value)
    name, address = _localized(value.get("name"), lang), _address(value.get("address"), lang)
    if not name and not address:
        return None
    return {"name": name, "address": address}


def _age_range(value: Any) -> tuple[int | None, int | None]:
    """'6-12' -> (6, 12); '16-' -> (16, None); '-12' -> (None, 12); '-' and '0-' -> all ages."""
    if not isinstance(value, str) or "-" not in value:
        return None, None
    low, _, high = value.partition("-")
    young = int(low) if low.strip().isdigit() and int(low) > 0 else None
    old = int(high) if high.strip().isdigit() and int(high) < 99 else None
    if young is not None and young > 120:
        young = None
    return young, old


def _groups(min_age: int | None, max_age: int | None) -> list[str]:
    if min_age is None and max_age is None:
        return ["iedereen"]
    groups = []
    low, high = min_age or 0, max_age if max_age is not None else 200
    if low < 12:
        groups.append("kinderen")
    if low < 18 and high >= 12:
        groups.append("jongeren")
    if high >= 18:
        groups.append("volwassenen")
    if high >= 65 and low >= 55:
        groups.append("senioren")
    return groups


def _prices(value: Any, lang: str, mapping: TermMapping) -> list[dict[str, Any]] | None:
    """Every priceInfo line: base (for everyone), tariffs (who from the name), uitpas (only a 'kansentarief')."""
    lines = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("price"), int | float):
            continue
        category = entry.get("category")
        name = _localized(entry.get("name"), lang) or ""
        amount = round(float(entry["price"]), 2)
        line: dict[str, Any] = {"amount": int(amount) if amount.is_integer() else amount}
        if category != "base":
            who = mapping.who_pays(name)
            if category == "uitpas" and who != "uitpas-kansentarief":
                who = None  # an UiTPAS price that is no kansentarief keeps its own name
            line["who"] = who or "andere"
            if who is None or who == "uitpas-kansentarief":
                line["label"] = (name or category or "?")[:100]
        lines.append(line)
    return lines[:12] or None


def _registration(booking: Mapping[str, Any], texts: Texts) -> str | None:
    how = [str(booking[k]).strip() for k in ("phone", "email", "url") if isinstance(booking.get(k), str)]
    how = [h for h in how if h]
    return texts.label("import.booking", how=" · ".join(how)) if how else None


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _contact(point: Any, booking: Mapping[str, Any]) -> dict[str, str | None]:
    """Whom to contact: the contact point, completed with the booking info."""
    point = point if isinstance(point, Mapping) else {}
    contact = {}
    for key in ("phone", "email", "url"):
        contact[key] = _first(point.get(key)) or _first(booking.get(key))
    if contact["url"] and not contact["url"].lower().startswith(("http://", "https://")):
        contact["url"] = None
    if contact["email"] and "@" not in contact["email"]:
        contact["email"] = None
    return contact


# --- calendar ---------------------------------------------------------------------------------------


def _moment(value: Any, tz: ZoneInfo) -> dt.datetime | None:
    """An ISO 8601 time with its offset as local wall-clock time (a time without offset is taken as local)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise OfferError("calendar", f"not an ISO 8601 date and time: {value!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def _local(value: Any, tz: ZoneInfo) -> str | None:
    moment = _moment(value, tz)
    return None if moment is None else moment.strftime(TIME_FORMAT)


def _clock(value: Any) -> dt.time | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes[:2].isdigit()):
        return None
    return dt.time(int(hours) % 24, int(minutes[:2]) % 60)


def _childcare_of(entry: Mapping[str, Any]) -> dict[str, str | None] | None:
    care = entry.get("childcare")
    if not isinstance(care, Mapping) or not (care.get("start") or care.get("end")):
        return None
    start, end = _clock(care.get("start")), _clock(care.get("end"))
    return {"start": start.strftime("%H:%M") if start else None, "end": end.strftime("%H:%M") if end else None}


def _calendar(event: Mapping[str, Any], tz: ZoneInfo) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The offer's `when` and the childcare times of the event (of its first date or opening hours)."""
    kind = event.get("calendarType")
    if kind in ("single", "multiple") or (kind is None and event.get("subEvent")):
        return _dated(event, tz)
    if kind == "periodic":
        return _periodic(event, tz)
    care = next((_childcare_of(e) for e in _list(event.get("openingHours")) if isinstance(e, Mapping)), None)
    return None, care  # permanent: always available


def _dated(event: Mapping[str, Any], tz: ZoneInfo) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    subs = [s for s in _list(event.get("subEvent")) if isinstance(s, Mapping)]
    if not subs and event.get("startDate"):
        subs = [{"startDate": event["startDate"], "endDate": event.get("endDate")}]
    occurrences: list[tuple[dt.datetime, dt.datetime]] = []
    taking_place: list[tuple[dt.datetime, dt.datetime]] = []
    care = None
    for sub in subs:
        start = _moment(sub.get("startDate"), tz)
        if start is None:
            continue
        end = _moment(sub.get("endDate"), tz) or start
        occurrence = (start, max(end, start))
        occurrences.append(occurrence)
        if _status_type(sub.get("status")) == "Available":  # a cancelled or postponed date does not take place
            taking_place.append(occurrence)
            care = care or _childcare_of(sub)
    chosen = sorted(taking_place or occurrences)  # all dates off: keep them, the event's status says why
    if not chosen:
        return None, None
    if len(chosen) == 1 and chosen[0][1] - chosen[0][0] > MAX_OCCURRENCE:
        return _daily(*chosen[0]), care
    first, *rest = [(s, min(e, s + MAX_OCCURRENCE)) for s, e in chosen[: MAX_DATES + 1]]
    when: dict[str, Any] = {"start": first[0].strftime(TIME_FORMAT), "end": first[1].strftime(TIME_FORMAT)}
    if rest:
        when["dates"] = [{"start": s.strftime(TIME_FORMAT), "end": e.strftime(TIME_FORMAT)} for s, e in rest]
    return when, care


def _daily(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """One date longer than the model allows (an exhibition of three months): every day from its start hour."""
    day_end = dt.datetime.combine(start.date(), end.time())
    if day_end <= start:
        day_end = dt.datetime.combine(start.date(), dt.time(23, 59))
    until = end.strftime("%Y%m%dT%H%M%S")
    return {"start": start.strftime(TIME_FORMAT), "end": day_end.strftime(TIME_FORMAT),
            "rrule": f"FREQ=DAILY;UNTIL={until}"}  # fmt: skip


def _periodic(event: Mapping[str, Any], tz: ZoneInfo) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A period with weekly opening hours: one rule when all days share their hours, else the dates written out."""
    first_day, last_day = _moment(event.get("startDate"), tz), _moment(event.get("endDate"), tz)
    if first_day is None or last_day is None:
        return None, None
    hours = [h for h in _list(event.get("openingHours")) if isinstance(h, Mapping)]
    care = next((_childcare_of(h) for h in hours if _childcare_of(h)), None)
    closed = _closed_days(event.get("openingHoursClosedDays"))
    if not hours:
        return _daily(first_day, last_day), care
    slots = []  # (weekday number, opens, closes)
    for entry in hours:
        opens, closes = _clock(entry.get("opens")), _clock(entry.get("closes"))
        if opens is None or closes is None:
            continue
        for day in _list(entry.get("dayOfWeek")):
            if day in WEEKDAYS:
                slots.append((list(WEEKDAYS).index(day), opens, closes))
    if not slots:
        return _daily(first_day, last_day), care
    starts = _slot_dates(slots, first_day.date(), last_day.date(), closed)
    if not starts:
        return None, care
    if len({(o, c) for _, o, c in slots}) == 1:
        _, opens, closes = slots[0]
        days = ",".join(WEEKDAYS[list(WEEKDAYS)[d]] for d in sorted({d for d, _, _ in slots}))
        start = starts[0][0]
        end = dt.datetime.combine(start.date(), closes) if closes > opens else start
        when: dict[str, Any] = {
            "start": start.strftime(TIME_FORMAT),
            "end": end.strftime(TIME_FORMAT),
            "rrule": f"FREQ=WEEKLY;BYDAY={days};UNTIL={last_day.date():%Y%m%d}T235959",
        }
        skipped = [s for s in _slot_dates(slots, first_day.date(), last_day.date(), set()) if s[0].date() in closed]
        if skipped:
            when["except"] = [s.strftime(TIME_FORMAT) for s, _ in skipped[:MAX_DATES]]
        return when, care
    horizon = first_day.date() + dt.timedelta(days=PERIODIC_DAYS_EXPANDED)
    starts = [s for s in starts if s[0].date() <= horizon][: MAX_DATES + 1]
    (first_start, first_end), *rest = starts
    when = {"start": first_start.strftime(TIME_FORMAT), "end": first_end.strftime(TIME_FORMAT)}
    if rest:
        when["dates"] = [{"start": s.strftime(TIME_FORMAT), "end": e.strftime(TIME_FORMAT)} for s, e in rest]
    return when, care


def _closed_days(value: Any) -> set[dt.date]:
    days: set[dt.date] = set()
    for entry in value if isinstance(value, list) else []:
        try:
            first = dt.date.fromisoformat(str(entry["startDate"])[:10])
            last = dt.date.fromisoformat(str(entry.get("endDate") or entry["startDate"])[:10])
        except (KeyError, TypeError, ValueError):
            continue
        while first <= last and len(days) < MAX_DATES:
            days.add(first)
            first += dt.timedelta(days=1)
    return days


def _slot_dates(
    slots: Iterable[tuple[int, dt.time, dt.time]], first: dt.date, last: dt.date, closed: set[dt.date]
) -> list[tuple[dt.datetime, dt.datetime]]:
    found: list[tuple[dt.datetime, dt.datetime]] = []
    slots = list(slots)
    day = first
    while day <= last and len(found) <= MAX_DATES * 2:
        if day not in closed:
            for weekday, opens, closes in slots:
                if day.weekday() == weekday:
                    start = dt.datetime.combine(day, opens)
                    found.append((start, dt.datetime.combine(day, closes) if closes > opens else start))
        day += dt.timedelta(days=1)
    return sorted(found)
