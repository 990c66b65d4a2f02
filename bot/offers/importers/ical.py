"""iCalendar feeds (RFC 5545) as offers, with icalendar (parsing, time zones) and recurring-ical-events
(which dates a series really has: RRULE, RDATE, EXDATE, moved and cancelled occurrences, daylight saving).

One offer per UID. A series is kept as the bot's own rule (`rrule` with left-out and extra dates), so its card
says "elke dinsdag"; that form is only used when it gives exactly the dates recurring-ical-events computes for
the coming year. Anything else (several RRULEs, a rule in a time zone whose hours shift against Brussels) is
written out as dates. STATUS:CANCELLED on the event cancels the offer; on one occurrence it leaves that date out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from bot.offers.importers import SourceDocument, SourceError, SourceItem, slug
from bot.offers.model import MAX_DATES, MAX_LENGTH, TIME_FORMAT, Offer, OfferError
from bot.platform.calendar import iter_occurrences

WINDOW = dt.timedelta(days=366)  # the dates of a series are checked, or written out, this far ahead
MAX_OCCURRENCE = dt.timedelta(days=31)
_POSTCODE = re.compile(r"\b\d{4}\b")


def offer_id_for(feed: str, uid: str) -> str:
    """A stable id from the feed's name and the event's UID (UIDs can be any text, so they are hashed)."""
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:12]
    return f"ical-{slug(feed, 30)}-{digest}"


def parse_calendar(raw: bytes | str, *, feed: str, tz: ZoneInfo, now: dt.datetime) -> SourceDocument:
    """The events of an iCalendar document as offers; `now` (naive local) anchors the window of dates."""
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except ValueError as error:
        raise SourceError(f"not an iCalendar file: {error}") from None
    masters: dict[str, Any] = {}
    overrides: dict[str, list[Any]] = defaultdict(list)
    skipped: Counter[str] = Counter()
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID") or "").strip()
        if not uid:
            skipped["without UID"] += 1
            continue
        if event.get("RECURRENCE-ID") is not None:
            overrides[uid].append(event)
        elif uid in masters:
            skipped["UID twice"] += 1
        else:
            masters[uid] = event
    try:
        expanded = recurring_ical_events.of(calendar).between(now - dt.timedelta(days=1), now + WINDOW)
    except Exception as error:  # the library raises its own errors for broken rules
        raise SourceError(f"the dates of the calendar cannot be computed: {error}") from None
    occurrences: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for occurrence in expanded:
        if str(occurrence.get("STATUS") or "").upper() == "CANCELLED":
            continue
        span = _span(occurrence, tz)
        if span is not None:
            occurrences[str(occurrence.get("UID") or "").strip()].append(span)
    items = []
    for number, (uid, event) in enumerate(masters.items(), start=1):
        if not str(event.get("SUMMARY") or "").strip():
            skipped["without SUMMARY"] += 1
            continue
        try:
            items.append(_item(feed, uid, event, overrides[uid], sorted(set(occurrences[uid])), tz))
        except OfferError as error:
            raise error.located(f"event {number} (UID {uid[:60]!r})") from None
    return SourceDocument(tuple(items), dict(skipped))


def _item(
    feed: str, uid: str, event: Any, overrides: list[Any], coming: list[tuple[dt.datetime, dt.datetime]], tz: ZoneInfo
) -> SourceItem:
    name, address = _location(str(event.get("LOCATION") or ""))
    description = str(event.get("DESCRIPTION") or "").strip() or None
    organizer = event.get("ORGANIZER")
    email = str(organizer).removeprefix("mailto:").removeprefix("MAILTO:") if organizer else None
    url = str(event.get("URL") or "").strip() or None
    data: dict[str, Any] = {
        "id": offer_id_for(feed, uid),
        "kind": "activity",
        "title": str(event.get("SUMMARY")).strip()[: MAX_LENGTH["title"]],
        "summary": None,
        "description": description[: MAX_LENGTH["description"]] if description else None,
        "keywords": _categories(event),
        "organizer": str(organizer.params.get("CN")) if organizer is not None and organizer.params.get("CN") else None,
        "location": {"name": name, "address": address} if name or address else None,
        "when": _when(event, overrides, coming, tz),
        "contact": {
            "email": email if email and "@" in email else None,
            "url": url if url and url.lower().startswith(("http://", "https://")) else None,
        },
    }
    cancelled = str(event.get("STATUS") or "").upper() == "CANCELLED"
    return SourceItem(Offer.from_dict(data), uid, cancelled=cancelled)


def _categories(event: Any) -> list[str]:
    found: list[str] = []
    values = event.get("CATEGORIES")
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        for category in getattr(value, "cats", []):
            word = str(category).strip().lower()
            if word and word not in found:
                found.append(word)
    return found[:50]


def _location(text: str) -> tuple[str | None, str | None]:
    """'De Kimpel, Kimpel 5, 3740 Bilzen' -> name 'De Kimpel', address 'Kimpel 5, 3740 Bilzen'."""
    parts = [p.strip() for p in text.replace("\\,", ",").split(",") if p.strip()]
    if not parts:
        return None, None
    if len(parts) >= 3 or (len(parts) == 2 and _POSTCODE.search(parts[1]) and not _POSTCODE.search(parts[0])):
        return parts[0][:200], ", ".join(parts[1:])[:1000]
    return ", ".join(parts)[:200], None


def _local(value: Any, tz: ZoneInfo) -> dt.datetime:
    """A DTSTART-like value as naive local time: aware times converted, floating times kept, dates at 00:00."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz).replace(tzinfo=None)
        return value.replace(second=0, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise OfferError("DTSTART", f"expected a date or a date and time, got {value!r}")


def _span(event: Any, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime] | None:
    """(start, end) of one event or occurrence; a whole-day event lasts until 23:59 of its last day."""
    try:
        start_value, end_value = event.start, event.end
    except (ValueError, KeyError, AttributeError):
        return None
    start = _local(start_value, tz)
    if not isinstance(start_value, dt.datetime):  # a whole day (or days): DTEND is the day after
        last = end_value - dt.timedelta(days=1) if isinstance(end_value, dt.date) else start_value
        end = dt.datetime.combine(max(last, start_value), dt.time(23, 59))
    else:
        end = _local(end_value, tz) if end_value is not None else start
    return start, min(max(end, start), start + MAX_OCCURRENCE)


def _when(
    event: Any, overrides: list[Any], coming: list[tuple[dt.datetime, dt.datetime]], tz: ZoneInfo
) -> dict[str, Any] | None:
    first = _span(event, tz)
    if first is None:
        raise OfferError("DTSTART", "is missing")
    compact = _compact(event, overrides, first, tz)
    if compact is not None and _same_dates(compact, coming):
        return compact
    if not coming:  # nothing in the coming year: the event as it was planned first
        return {"start": first[0].strftime(TIME_FORMAT), "end": first[1].strftime(TIME_FORMAT)}
    (start, end), *rest = coming[: MAX_DATES + 1]
    when: dict[str, Any] = {"start": start.strftime(TIME_FORMAT), "end": end.strftime(TIME_FORMAT)}
    if rest:
        when["dates"] = [{"start": s.strftime(TIME_FORMAT), "end": e.strftime(TIME_FORMAT)} for s, e in rest]
    return when


def _compact(
    event: Any, overrides: list[Any], first: tuple[dt.datetime, dt.datetime], tz: ZoneInfo
) -> dict[str, Any] | None:
    """The series in the bot's own form: its first date, one rule, dates left out and dates added."""
    rules = list(event.rrules)
    if len(rules) > 1:
        return None
    when: dict[str, Any] = {"start": first[0].strftime(TIME_FORMAT), "end": first[1].strftime(TIME_FORMAT)}
    if rules:
        when["rrule"] = _rule_text(rules[0], tz)
    left_out = {_local(moment, tz) for moment in event.exdates}
    added: dict[dt.datetime, dt.datetime] = {}
    duration = first[1] - first[0]
    for moment in event.rdates:
        start = _local(moment[0] if isinstance(moment, tuple) else moment, tz)
        added[start] = start + duration
    for override in overrides:
        original = _local(override.get("RECURRENCE-ID").dt, tz)
        left_out.add(original)
        span = _span(override, tz)
        if span is not None and str(override.get("STATUS") or "").upper() != "CANCELLED":
            added[span[0]] = span[1]
    for start in left_out & set(added):
        left_out.discard(start)  # moved to the same start: only its end or text changed
    if added:
        when["dates"] = [
            {"start": s.strftime(TIME_FORMAT), "end": e.strftime(TIME_FORMAT)} for s, e in sorted(added.items())
        ]
    if left_out:
        when["except"] = [s.strftime(TIME_FORMAT) for s in sorted(left_out)]
    if len(when.get("dates", ())) > MAX_DATES or len(when.get("except", ())) > MAX_DATES:
        return None
    return when


def _rule_text(rule: Any, tz: ZoneInfo) -> str:
    """An RRULE with its UNTIL in local time, as the offer format keeps it."""
    parts: dict[str, Any] = dict(rule)
    if parts.get("UNTIL"):
        until = parts["UNTIL"][0]
        if isinstance(until, dt.datetime):
            until = until.astimezone(tz).replace(tzinfo=None) if until.tzinfo else until
        else:
            until = dt.datetime.combine(until, dt.time(23, 59, 59))
        parts["UNTIL"] = [until]
    return icalendar.vRecur(parts).to_ical().decode()


def _same_dates(when: Mapping[str, Any], coming: Iterable[tuple[dt.datetime, dt.datetime]]) -> bool:
    """Whether the compact form gives exactly the dates recurring-ical-events found for the coming year."""
    coming = list(coming)
    if not coming:
        return True
    try:
        offer = Offer.from_dict({"id": "check", "kind": "activity", "title": "check", "when": dict(when)})
    except OfferError:
        return False
    assert offer.when is not None
    low, high = coming[0][0], coming[-1][0]
    mine = []
    for start, end in iter_occurrences(offer.when, after=low - dt.timedelta(minutes=1)):
        if start > high:
            break
        if start >= low:
            mine.append((start, end))
    return mine == coming
