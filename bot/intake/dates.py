"""Dates, times and recurrence in Flemish offer texts -> the offer's `when`.

Focused regexes instead of dateparser: on this kind of text dateparser 1.5 turns "zaterdag 13 maart om 14u"
into the year 2114, misses "za 13/3 van 14u tot 16u30" and "op woensdag 5 mei", and reads "6-12 jaar" as a
date in 2039. The Flemish patterns are few and regular, so they are spelled out here; python-dateutil does the
calendar work (RRULE occurrences, month ends).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday

from .clock import Times, find_times, time_spans

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "febr": 2, "feb": 2, "maart": 3, "mrt": 3, "maa": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
WD_SHORT = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {"eerste": 1, "1ste": 1, "1e": 1, "tweede": 2, "2de": 2, "2e": 2, "derde": 3, "3de": 3, "3e": 3,
            "vierde": 4, "4de": 4, "4e": 4, "laatste": -1}  # fmt: skip

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WD_FULL = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
_WD_ANY = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo)\b\.?"
_PART = r"(?:voormiddag|namiddag|middag|avond|ochtend|morgen|nacht)?(?:en)?"

_TEXTUAL = re.compile(
    rf"\b(?:(?P<wd>{_WD_ANY})\s*,?\s*)?(?P<d>[0-3]?\d)(?:ste|de|e)?\s+(?P<m>{_MONTH})(?![a-z])"
    rf"(?:\s+(?P<y>20\d\d))?",
    re.I,
)
_NUMERIC = re.compile(
    rf"(?<![\d/.,-])(?:(?P<wd>{_WD_ANY})\s*,?\s*)?(?P<d>[0-3]?\d)(?P<sep>[/.-])(?P<m>[01]?\d)"
    rf"(?:(?P=sep)(?P<y>20\d\d|\d\d)(?!\d))?(?![\d/]|[.,-]\d)",
    re.I,
)
# "8 tot 12 februari", "13 en 14 maart": the first day borrows the month of the second.
_SHARED_MONTH = re.compile(
    rf"\b(?:(?P<wd>{_WD_ANY})\s*)?(?P<d1>[0-3]?\d)\s*"
    rf"(?P<conn>tot en met|t\.?\s?e\.?\s?m\.?|t/m|tot|-|–|en|&)\s*"
    rf"(?:{_WD_ANY}\s*)?(?P<d2>[0-3]?\d)\s+(?P<m>{_MONTH})(?![a-z])(?:\s+(?P<y>20\d\d))?",
    re.I,
)
_RELATIVE = re.compile(r"\b(?P<rel>vandaag|vanavond|overmorgen|morgen(?:avond|middag|namiddag|vroeg)?)\b", re.I)
_NEXT_WEEKDAY = re.compile(rf"\b(?P<q>volgende|komende|aanstaande|deze)\s+(?:week\s+)?(?P<wd>{_WD_FULL})", re.I)
_WEEKDAY = re.compile(rf"\b(?P<wd>{_WD_FULL}){_PART}(?![a-z])", re.I)

_CONNECT_RANGE = re.compile(r"^\s*(?:tot en met|t\.?\s?e\.?\s?m\.?|t/m|tot|-|–|→|>)\s*$", re.I)
_CONNECT_AND = re.compile(r"^\s*(?:en|&|,)\s*$", re.I)
_DEADLINE_BEFORE = re.compile(
    rf"(?:vóór|voor|uiterlijk|ten laatste|tegen|deadline:?|inschrijven (?:kan )?tot|ten laatste op|"
    rf"aanmelden tot|sluit op|uiterste datum:?)\s+(?:op\s+)?(?:de\s+)?(?:{_WD_ANY}\s*)?$",
    re.I,
)
_OPENING_HOURS = re.compile(
    rf"(?<!deuren )\b(?:open(?:ingsuren|ingstijden)?|geopend|bereikbaar|zitdag|spreekuur|permanentie)\b"
    rf"\s*:?\s*"
    rf"(?:op|elke|iedere|van|alle)?\s*(?={_WD_ANY}|weekdag|werkdag|\d)[^\n.;]*",
    re.I,
)

_MONTHLY = re.compile(
    rf"\b(?:elke|iedere|op (?:de|elke|iedere)|de|maandelijks op de)\s+(?P<ord>{'|'.join(ORDINALS)})\s+"
    rf"(?P<wd>{_WD_FULL}){_PART}\s+(?:van\s+de|van\s+elke|per|v/d)\s+maand",
    re.I,
)
_INTERVAL = re.compile(
    r"\b(?:om de (?P<n>twee|2|drie|3|vier|4) weken|(?P<w>twee|drie)-?wekelijks|om de (?P<d>14|21) dagen)\b",
    re.I,
)
_WEEKLY = re.compile(
    rf"\b(?:elke|iedere|alle|wekelijks(?:\s+op)?|telkens op|steeds op|op)\s+"
    rf"(?P<days>{_WD_FULL}{_PART}(?:\s*(?:,|en|of|&)\s*{_WD_FULL}{_PART})*)",
    re.I,
)
_WEEKDAYS_ALL = re.compile(
    r"\b(?:elke|iedere|alle|op)\s+(?:week|werk)dag(?:en)?\b|\bvan maandag tot (?:en met )?vrijdag\b"
    r"|\bop weekdagen\b",
    re.I,
)
_DAILY = re.compile(r"\b(?:elke dag|iedere dag|dagelijks|alle dagen)\b", re.I)
_WEEKLY_WORD = re.compile(r"\bwekelijks\b", re.I)
_UNTIL_MONTH_END = re.compile(
    rf"\b(?:tot|t\.?e\.?m\.?|t/m)\s+(?:en met\s+)?(?:het\s+)?(?:eind|einde|eind van|end)\s+(?P<m>{_MONTH})"
    rf"(?:\s+(?P<y>20\d\d))?",
    re.I,
)
_UNTIL_SUMMER = re.compile(r"\btot (?:aan )?de (?:zomer|zomervakantie|grote vakantie)\b", re.I)
_FROM = re.compile(rf"\b(?:vanaf|startend op|start op|eerste keer:?|begint op)\s+(?:{_WD_ANY}\s*,?\s*)?$", re.I)
# "op 7, 14, 21 en 28 oktober", "dinsdag 19 en 26 januari": several days sharing one month.
_DAY_LIST = re.compile(
    rf"\b(?:(?P<wd>{_WD_ANY})\s*)?(?P<list>[0-3]?\d(?:ste|de|e)?(?:\s*,\s*(?:{_WD_ANY}\s*)?[0-3]?\d(?:ste|de|e)?)*"
    rf"\s*(?:,|\ben\b|&)\s*(?:{_WD_ANY}\s*)?[0-3]?\d(?:ste|de|e)?)\s+(?P<m>{_MONTH})(?![a-z])(?:\s+(?P<y>20\d\d))?",
    re.I,
)
_UNTIL_MONTH = re.compile(
    rf"\b(?:t\.?\s?e\.?\s?m\.?|t/m|tot\s+en\s+met)\s+(?:eind\s+|einde\s+)?(?P<m>{_MONTH})(?![a-z])"
    rf"(?:\s+(?P<y>20\d\d))?",
    re.I,
)
_UNTIL_BEFORE = re.compile(rf"(?:tot\s+en\s+met|t\.?\s?e\.?\s?m\.?|t/m|tot|until)\s+(?:{_WD_ANY}\s*,?\s*)?$", re.I)
# "elke woensdag in juli en augustus", "elke dinsdagnamiddag in mei": a habit within some months.
_SEASON = re.compile(
    rf"\b(?:in|tijdens)\s+(?:de\s+maand(?:en)?\s+)?(?P<m1>{_MONTH})(?:\s*(?:en|tot(?:\s+en\s+met)?"
    rf"|t\.?\s?e\.?\s?m\.?|-|–)\s*(?P<m2>{_MONTH}))?(?![a-z])",
    re.I,
)
# Where a clause turns to how to reach someone ("bel 089 ... (ma-vr 9u-12u)", "open van 10u tot 18u"): times after
# it are office or opening hours, not the event.
_SERVICE_CUE = re.compile(
    r"(?<!deuren )\b(?:bel|bellen|telefoneer|telefonisch|tel|telefoon|bereikbaar|open|geopend|openingsuren"
    r"|openingstijden|onthaal|secretariaat|kassa|permanentie|aanvragen|aanvraag)\b"
    r"|(?<![\w+])(?:\+32|0)\d[\d ./]{7,11}\d|[\w.+-]+@[\w-]+\.[\w.]+",
    re.I,
)
_NEXT_WEEK = re.compile(r"\b(?:vanaf|start|begint)\s+(?:er\s+)?(?:volgende|komende)\s+week\b", re.I)
_OPENING_WORD = re.compile(r"\b(?:open|geopend|bereikbaar|openingsuren|openingstijden)\b", re.I)
_PIECES = re.compile(r"[^\n!?;]+?(?:\.(?=\s+[A-Z])|(?=[\n!?;])|$)")


@dataclass
class DateResult:
    """What the date extractor found; `when` is ready for the offer, the rest feeds warnings and titles."""

    when: dict | None = None
    warnings: list[str] = field(default_factory=list)
    confidence: float = 0.0
    opening_hours: str | None = None
    recurring: bool = False
    times: Times = field(default_factory=Times)


@dataclass
class _Mention:
    start: int
    end: int
    date: dt.date
    explicit_year: bool
    weekday: int | None
    kind: str  # "date" | "relative" | "weekday"


def _resolve(day: int, month: int, year: int | None, today: dt.date) -> dt.date | None:
    """A day and month without a year mean the next such date from today (today included)."""
    try:
        if year is not None:
            return dt.date(year, month, day)
        cand = dt.date(today.year, month, day)
        if cand < today:
            cand = dt.date(today.year + 1, month, day)
        return cand
    except ValueError:
        return None


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    y = int(raw)
    return y + 2000 if y < 100 else y


def _weekday_of(raw: str | None) -> int | None:
    if not raw:
        return None
    key = raw.lower().rstrip(".")
    return WEEKDAYS.get(key, WD_SHORT.get(key))


def _next_weekday(today: dt.date, wd: int, *, strictly_after: bool = False) -> dt.date:
    delta = (wd - today.weekday()) % 7
    if delta == 0 and strictly_after:
        delta = 7
    return today + dt.timedelta(days=delta)


def find_date_mentions(text: str, today: dt.date) -> list[_Mention]:
    """All calendar-date mentions (textual, numeric, relative, "volgende vrijdag"), in text order."""
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in _DAY_LIST.finditer(text):
        month = MONTHS[m.group("m").lower().rstrip(".")]
        year = _year(m.group("y"))
        days = list(re.finditer(r"[0-3]?\d", m.group("list")))
        resolved = [r for n in days if (r := _resolve(int(n.group(0)), month, year, today)) is not None]
        if len(days) < 2 or len(resolved) < len(days) or not free(m.start(), m.end()):
            continue
        base = m.start("list")
        for i, (number, day) in enumerate(zip(days, resolved, strict=True)):
            a = m.start() if i == 0 else base + number.start()
            b = m.end() if i == len(days) - 1 else base + number.end()
            wd = _weekday_of(m.group("wd")) if i == 0 else None
            found.append(_Mention(a, b, day, year is not None, wd, "date"))
        taken.append((m.start(), m.end()))
    for m in _SHARED_MONTH.finditer(text):
        if not free(m.start(), m.end()):
            continue
        month = MONTHS[m.group("m").lower().rstrip(".")]
        year = _year(m.group("y"))
        d1 = _resolve(int(m.group("d1")), month, year, today)
        d2 = _resolve(int(m.group("d2")), month, year, today)
        if d1 and d2 and free(m.start(), m.end()):
            if d1 > d2 and year is None:
                d1 = _resolve(int(m.group("d1")), month, d2.year, today) or d1
            mid = m.start("d2")
            found.append(_Mention(m.start(), m.start("conn"), d1, year is not None, _weekday_of(m.group("wd")), "date"))
            found.append(_Mention(mid, m.end(), d2, year is not None, None, "date"))
            taken.append((m.start(), m.end()))
    for m in _TEXTUAL.finditer(text):
        if not free(m.start(), m.end()):
            continue
        month = MONTHS[m.group("m").lower().rstrip(".")]
        year = _year(m.group("y"))
        d = _resolve(int(m.group("d")), month, year, today)
        if d:
            found.append(_Mention(m.start(), m.end(), d, year is not None, _weekday_of(m.group("wd")), "date"))
            taken.append((m.start(), m.end()))
    for m in _NUMERIC.finditer(text):
        if not free(m.start(), m.end()):
            continue
        sep, year = m.group("sep"), _year(m.group("y"))
        if sep != "/" and year is None and not m.group("wd"):
            continue  # "6-12" is an age range, "19.30" a time
        day_nr, month = int(m.group("d")), int(m.group("m"))
        if not (1 <= month <= 12 and 1 <= day_nr <= 31):
            continue
        d = _resolve(day_nr, month, year, today)
        if d:
            found.append(_Mention(m.start(), m.end(), d, year is not None, _weekday_of(m.group("wd")), "date"))
            taken.append((m.start(), m.end()))
    for m in _RELATIVE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        rel = m.group("rel").lower()
        offset = 2 if rel == "overmorgen" else 1 if rel.startswith("morgen") else 0
        found.append(_Mention(m.start(), m.end(), today + dt.timedelta(days=offset), False, None, "relative"))
        taken.append((m.start(), m.end()))
    for m in _NEXT_WEEKDAY.finditer(text):
        if not free(m.start(), m.end()):
            continue
        wd = WEEKDAYS[m.group("wd").lower()]
        q = m.group("q").lower()
        d = _next_weekday(today, wd, strictly_after=q != "deze")
        if "week" in m.group(0).lower() and q != "deze":
            monday = today + dt.timedelta(days=7 - today.weekday())
            d = monday + dt.timedelta(days=wd)
        found.append(_Mention(m.start(), m.end(), d, False, wd, "relative"))
        taken.append((m.start(), m.end()))
    found.sort(key=lambda x: x.start)
    return found


def _is_deadline(text: str, start: int) -> bool:
    return bool(_DEADLINE_BEFORE.search(text[max(0, start - 40) : start]))


def _recurrence(text: str) -> dict | None:
    """The recurrence stated in the text: freq, interval, byday (list of (ordinal|None, weekday))."""
    if m := _MONTHLY.search(text):
        return {
            "freq": MONTHLY,
            "interval": 1,
            "byday": [(ORDINALS[m.group("ord").lower()], WEEKDAYS[m.group("wd").lower()])],
        }
    interval = 1
    if m := _INTERVAL.search(text):
        raw = (m.group("n") or m.group("w") or m.group("d") or "2").lower()
        interval = {"twee": 2, "2": 2, "drie": 3, "3": 3, "vier": 4, "4": 4, "14": 2, "21": 3}[raw]
    if _WEEKDAYS_ALL.search(text):
        return {"freq": WEEKLY, "interval": interval, "byday": [(None, d) for d in range(5)]}
    if _DAILY.search(text):
        return {"freq": DAILY, "interval": 1, "byday": []}
    days: list[int] = []
    for m in _WEEKLY.finditer(text):
        q = m.group(0).split()[0].lower()
        names = re.findall(_WD_FULL, m.group("days"), re.I)
        # "op woensdag" alone is one date, "op maandag, dinsdag en donderdag" is a habit.
        if q == "op" and len(names) < 2 and interval == 1 and not _WEEKLY_WORD.search(text):
            continue
        if q == "op" and _followed_by_day_number(text, m.end()):
            continue
        for name in names:
            d = WEEKDAYS[name.lower()]
            if d not in days:
                days.append(d)
        break
    if not days and (interval > 1 or _WEEKLY_WORD.search(text)):
        for m in _WEEKDAY.finditer(text):
            if not _followed_by_day_number(text, m.end()):
                days.append(WEEKDAYS[m.group("wd").lower()])
                break
    if days:
        return {"freq": WEEKLY, "interval": interval, "byday": [(None, d) for d in sorted(days)]}
    if interval > 1:
        return {"freq": WEEKLY, "interval": interval, "byday": []}  # the day comes from the first date
    return None


def _followed_by_day_number(text: str, pos: int) -> bool:
    return bool(re.match(r"\s*,?\s*[0-3]?\d(?:\s|/|-|\.|e\b|de\b|ste\b)", text[pos : pos + 8]))


def _until(text: str, start: dt.date) -> dt.date | None:
    if m := _UNTIL_MONTH_END.search(text):
        month = MONTHS[m.group("m").lower().rstrip(".")]
        year = _year(m.group("y")) or (start.year if month >= start.month else start.year + 1)
        return dt.date(year, month, 1) + relativedelta(months=1, days=-1)
    if m := _UNTIL_MONTH.search(text):
        month = MONTHS[m.group("m").lower().rstrip(".")]
        year = _year(m.group("y")) or (start.year if month >= start.month else start.year + 1)
        return dt.date(year, month, 1) + relativedelta(months=1, days=-1)
    if _UNTIL_SUMMER.search(text):
        year = start.year if start.month <= 6 else start.year + 1
        return dt.date(year, 6, 30)
    return None


def _rrule_text(rec: dict, until: dt.date | None) -> str:
    freq = {WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", DAILY: "DAILY"}[rec["freq"]]
    parts = [f"FREQ={freq}"]
    if rec["interval"] > 1:
        parts.append(f"INTERVAL={rec['interval']}")
    if rec["byday"]:
        parts.append("BYDAY=" + ",".join(f"{n or ''}{RRULE_DAYS[d]}" for n, d in rec["byday"]))
    if until:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


def _first_occurrence(rec: dict, from_day: dt.date, at: dt.time, until: dt.date | None) -> dt.datetime | None:
    byweekday = [weekday(d, n) if n else weekday(d) for n, d in rec["byday"]] or None
    rule = rrule(
        rec["freq"],
        dtstart=dt.datetime.combine(from_day, at),
        interval=rec["interval"],
        byweekday=byweekday,
        until=dt.datetime.combine(until, dt.time(23, 59, 59)) if until else None,
        count=None if until else 1,
    )
    return next(iter(rule), None)


def _fmt(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M")


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with these spans replaced by spaces (positions stay the same)."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def service_hours(text: str, today: dt.date) -> list[tuple[int, int]]:
    """Spans of office and opening hours: the part of a clause from "bel 089 ...", "open", "aanvragen kan" on,
    when it holds a time or a weekday and no date. "Bel 089 20 17 40 (di-vr 13u-17u)" is when to call, and
    "elke dag open van 10u tot 18u" when the doors are open: neither is when the activity starts."""
    spans: list[tuple[int, int]] = []
    for piece in _PIECES.finditer(text):
        cue = _SERVICE_CUE.search(text, piece.start(), piece.end())
        if cue is None:
            continue
        tail = text[cue.start() : piece.end()]
        if not (time_spans(tail) or _WEEKDAY.search(tail) or re.search(r"\b(?:ma|di|wo|do|vr|za|zo)\s*-", tail, re.I)):
            continue
        if find_date_mentions(tail, today):
            continue
        begin = cue.start()
        head = text[piece.start() : cue.start()]
        if _OPENING_WORD.match(cue.group(0)) and not time_spans(head) and not find_date_mentions(head, today):
            begin = piece.start()  # "elke dag open van 10u tot 18u": the whole clause is opening hours
        spans.append((begin, piece.end()))
    return spans


def _hidden_for_times(text: str, mentions: list[_Mention]) -> list[tuple[int, int]]:
    """Numbers that are no clock time: dates, phone numbers, prices, e-mail and web addresses."""
    spans = [(m.start, m.end) for m in mentions if m.kind == "date"]
    spans += [(m.start(), m.end()) for m in _NOT_CLOCK.finditer(text)]
    return spans


_NOT_CLOCK = re.compile(
    r"(?<![\w+])(?:\+32|0)\d[\d ./]{7,11}\d|[\w.+-]+@[\w-]+\.[\w.]+|\b(?:https?://|www\.)\S+"
    r"|€\s?\d+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?\s?(?:€|euro\b|eur\b)|\b20\d\d\s?-\s?20\d\d\b",
    re.I,
)


def _month_start(month: int, today: dt.date) -> dt.date:
    year = today.year if month >= today.month else today.year + 1
    return today if (month, year) == (today.month, today.year) else dt.date(year, month, 1)


def _month_end(month: int, start: dt.date) -> dt.date:
    year = start.year if month >= start.month else start.year + 1
    return dt.date(year, month, 1) + relativedelta(months=1, days=-1)


def _series(mentions: list[_Mention]) -> tuple[dict, dt.date, dt.date] | None:
    """Three or more dates a week (or two) apart: one weekly habit, from the first to the last."""
    dates = sorted({m.date for m in mentions})
    if len(dates) < 3:
        return None
    gaps = {(b - a).days for a, b in itertools.pairwise(dates)}
    if len(gaps) != 1 or not gaps <= {7, 14}:
        return None
    rec = {"freq": WEEKLY, "interval": gaps.pop() // 7, "byday": [(None, dates[0].weekday())]}
    return rec, dates[0], dates[-1]


def extract_when(text: str, today: dt.date, *, fallback: str | None = None, answer: bool = False) -> DateResult:
    """Build `when` from the body text; `fallback` (a mail subject) is used when the body has no date.

    `answer=True` reads a key figure's reply to "when?": every number there is meant as a time.
    """
    res = DateResult()
    hours = [m.group(0).strip() for m in _OPENING_HOURS.finditer(text)]
    if hours:
        text = _OPENING_HOURS.sub(lambda m: " " * len(m.group(0)), text)
    service = service_hours(text, today)
    hours += [text[a:b].strip(" ,.;()") for a, b in service]
    if hours:
        res.opening_hours = "; ".join(hours)
        text = _blank(text, service)

    all_mentions = find_date_mentions(text, today)
    mentions = [m for m in all_mentions if not _is_deadline(text, m.start)]
    if not mentions and fallback:
        mentions = [m for m in find_date_mentions(fallback, today) if not _is_deadline(fallback, m.start)]
    rec = _recurrence(text)
    times = find_times(text, answer=answer, hidden=_hidden_for_times(text, all_mentions))
    res.times = times

    # A range of dates: "ma 8/2 t.e.m. vr 12/2", "van dinsdag 30 maart tot en met vrijdag 9 april".
    range_end: dt.date | None = None
    anchor: _Mention | None = mentions[0] if mentions else None
    until: dt.date | None = None
    series = _series(mentions) if rec is None else None
    if series is not None:
        rec, first_day, until = series
        anchor = next(m for m in mentions if m.date == first_day)
    elif len(mentions) >= 2:
        a, b = mentions[0], mentions[1]
        between = re.sub(_WD_ANY, " ", text[a.end : b.start], flags=re.I) if a.end <= b.start else "x"
        if (_CONNECT_RANGE.match(between) and b.date >= a.date) or (
            _CONNECT_AND.match(between) and 0 < (b.date - a.date).days <= 3
        ):
            range_end = b.date
        elif rec is not None:
            until = next(
                (m.date for m in mentions[1:] if _UNTIL_BEFORE.search(text[max(0, m.start - 20) : m.start])), None
            )
        elif len({m.date for m in mentions}) > 1:
            res.warnings.append("multiple_dates")
    if anchor and anchor.weekday is not None and anchor.weekday != anchor.date.weekday():
        res.warnings.append("weekday_mismatch")

    start_day: dt.date | None = None
    if rec is None and range_end is not None and anchor is not None:
        named = _named_weekdays(text, mentions)
        if named and (range_end - anchor.date).days >= 7:
            rec = {"freq": WEEKLY, "interval": 1, "byday": [(None, d) for d in named]}  # "6 lessen op woensdag"
        else:
            rec = {"freq": DAILY, "interval": 1, "byday": []}
    if rec is not None and rec["freq"] == WEEKLY and not rec["byday"]:
        rec = {**rec, "byday": [(None, anchor.date.weekday())]} if anchor is not None else None
    if rec is not None and rec["freq"] == DAILY and anchor is None and times.start is None:
        return res  # "elke dag, vanaf nu": always available, not an event
    if (
        rec is None
        and anchor is not None
        and times.start is None
        and len({m.date for m in mentions}) == 1
        and _FROM.search(text[max(0, anchor.start - 25) : anchor.start])
    ):
        return res  # "vanaf 1 maart krijg je korting": from when a deal holds, not an event
    if rec is not None:
        res.recurring = True
        from_day = today
        season = _SEASON.search(text) if anchor is None else None
        if anchor is not None:
            from_day = anchor.date if (anchor.explicit_year or anchor.date >= today) else today
        elif season is not None:
            first_month = MONTHS[season.group("m1").lower().rstrip(".")]
            from_day = _month_start(first_month, today)
        elif _NEXT_WEEK.search(text):
            from_day = today + dt.timedelta(days=7 - today.weekday())  # "vanaf volgende week": next Monday
        until = range_end or until or _until(text, max(from_day, today))
        if until is None and season is not None:
            last = season.group("m2") or season.group("m1")
            until = _month_end(MONTHS[last.lower().rstrip(".")], from_day)
        first = _first_occurrence(rec, from_day, times.start or dt.time(0, 0), until)
        if first is None:
            res.warnings.append("date_in_past")
            first = dt.datetime.combine(from_day, times.start or dt.time(0, 0))
        elif until and until < today:
            res.warnings.append("date_in_past")
        start_day = first.date()
        rrule_text = _rrule_text(rec, until)
        res.confidence = 0.8 if times.start else 0.5
    elif anchor is not None:
        start_day = anchor.date
        res.confidence = 0.9 if times.start else 0.6
        if start_day < today:
            res.warnings.append("date_in_past")
    else:
        weekday_m = next((m for m in _WEEKDAY.finditer(text)), None)
        if weekday_m is None:
            return res
        start_day = _next_weekday(today, WEEKDAYS[weekday_m.group("wd").lower()])
        res.warnings.append("ambiguous_date")
        res.confidence = 0.4

    res.when = when_on(start_day, times)
    if times.start is None:
        res.warnings.append("time_missing")
    if res.recurring:
        res.when["rrule"] = rrule_text
    return res


def when_on(day: dt.date, times: Times) -> dict:
    """`when` on `day` at these times: a stated end, else a stated duration, else two hours. Without a start
    time the whole day (00:00-23:59), which callers must flag as a missing time, never present as read."""
    if times.start is None:
        return {
            "start": _fmt(dt.datetime.combine(day, dt.time(0, 0))),
            "end": _fmt(dt.datetime.combine(day, dt.time(23, 59))),
        }
    start = dt.datetime.combine(day, times.start)
    if times.end is not None:
        end = dt.datetime.combine(day, times.end)
        if end <= start:
            end += dt.timedelta(days=1)
    elif times.duration is not None:
        end = start + times.duration
    else:
        end = start + dt.timedelta(hours=2)
    return {"start": _fmt(start), "end": _fmt(end)}


def _named_weekdays(text: str, mentions: list[_Mention]) -> list[int]:
    """Weekdays named outside the dates themselves ("op woensdag", "4 donderdagen")."""
    rest = _blank(text, [(m.start, m.end) for m in mentions])
    days: list[int] = []
    for m in re.finditer(rf"\b(?P<wd>{_WD_FULL})(?:en\b|{_PART}(?![a-z]))", rest, re.I):
        d = WEEKDAYS[m.group("wd").lower()]
        if d not in days:
            days.append(d)
    return sorted(days)


def date_spans(text: str, today: dt.date) -> list[tuple[int, int]]:
    """Spans of date, weekday and time expressions, for cutting them out of a title."""
    spans = [(m.start, m.end) for m in find_date_mentions(text, today)]
    spans += [(m.start(), m.end()) for m in _WEEKDAY.finditer(text)]
    spans += time_spans(text)
    return sorted(spans)
