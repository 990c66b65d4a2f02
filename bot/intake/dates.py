"""Dates, times and recurrence in Flemish offer texts -> the offer's `when`.

Focused regexes instead of dateparser: on this kind of text dateparser 1.5 turns "zaterdag 13 maart om 14u"
into the year 2114, misses "za 13/3 van 14u tot 16u30" and "op woensdag 5 mei", and reads "6-12 jaar" as a
date in 2039. The Flemish patterns are few and regular, so they are spelled out here; python-dateutil does the
calendar work (RRULE occurrences, month ends).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday

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
_FROM = re.compile(r"\b(?:vanaf|startend op|start op|start|eerste keer:?|begint op|begint)\s*$", re.I)

# Times. A token is "strong" when it cannot be anything else: 14:00, 14u, 14u30, 9 uur, 19.30 u.
_T = (
    r"(?P<{n}h>[01]?\d|2[0-3])(?:(?P<{n}sep>[:.]|\s?[uh]\.?\s?)(?P<{n}mi>[0-5]\d))?"
    r"(?P<{n}unit>\s?(?:uur|u|h)\b\.?)?"
)
_TIME_RANGE = re.compile(
    r"(?P<pre>\b(?:van|tussen|vanaf)\s+)?(?<![\d/.,€-])"
    + _T.format(n="a")
    + r"\s*(?P<conn>-|–|tot|en|à|>|→)\s*"
    + _T.format(n="b")
    + r"(?!\d|[/.,]\d|\s?(?:jaar|euro|eur|€|%|km|min))",
    re.I,
)
_TIME_SINGLE = re.compile(
    r"(?P<pre>\b(?:om|vanaf|rond|omstreeks|tot|vertrek|start|aanvang|deuren open|begin|terug|einde|eindigt om"
    r"|gedaan|afsluiten)\s*:?\s*(?:om\s+|rond\s+)?)?(?<![\d/.,€-])"
    + _T.format(n="a")
    + r"(?!\d|[/.,]\d|\s?(?:jaar|euro|eur|€|%|km|min|personen|deelnemers|plaatsen|kinderen|sporten))",
    re.I,
)
_END_CUE = re.compile(r"^(?:tot|terug|einde|eindigt om|gedaan|afsluiten)\b", re.I)


@dataclass
class DateResult:
    """What the date extractor found; `when` is ready for the offer, the rest feeds warnings and titles."""

    when: dict | None = None
    warnings: list[str] = field(default_factory=list)
    confidence: float = 0.0
    opening_hours: str | None = None
    recurring: bool = False


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

    for m in _SHARED_MONTH.finditer(text):
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
        day, month = int(m.group("d")), int(m.group("m"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        d = _resolve(day, month, year, today)
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


@dataclass
class _Times:
    start: dt.time | None = None
    end: dt.time | None = None


def _tok_time(m: re.Match, n: str) -> tuple[dt.time, bool] | None:
    h = int(m.group(f"{n}h"))
    mi = int(m.group(f"{n}mi") or 0)
    sep = (m.group(f"{n}sep") or "").strip().lower()
    unit = (m.group(f"{n}unit") or "").strip().lower()
    strong = sep == ":" or bool(unit) or sep.startswith(("u", "h"))
    if sep == "." and not unit:
        strong = False
    return dt.time(h, mi), strong


def find_times(text: str) -> _Times:
    """The first time range ("van 14u tot 16u30", "14:00-16:00", "van 14 tot 17 uur"), else the first
    strong single time ("om 14u", "vanaf 19u", "Vertrek 7u30") plus an end cue ("terug om 19u30")."""
    times = _Times()
    for m in _TIME_RANGE.finditer(text):
        a, b = _tok_time(m, "a"), _tok_time(m, "b")
        if not a or not b:
            continue
        pre = (m.group("pre") or "").strip().lower()
        conn = m.group("conn").lower()
        if conn == "en" and pre != "tussen":
            continue
        a_strong = a[1] or (pre in {"van", "tussen", "vanaf"} and b[1])
        if not (b[1] and (a_strong or conn in {"-", "–"})) and not (a[1] and b[1]):
            continue
        if m.group("bunit") is None and m.group("bsep") in (None, ".") and not a[1]:
            continue
        times.start, times.end = a[0], b[0]
        return times
    singles: list[tuple[str, dt.time]] = []
    for m in _TIME_SINGLE.finditer(text):
        tok = _tok_time(m, "a")
        pre = (m.group("pre") or "").strip().lower()
        if not tok:
            continue
        strong = tok[1] or (pre.startswith(("om", "vanaf", "rond", "omstreeks")) and m.group("asep") == ".")
        if not strong:
            continue
        singles.append((pre, tok[0]))
    for pre, t in singles:
        if _END_CUE.match(pre):
            if times.start is not None and times.end is None:
                times.end = t
        elif times.start is None:
            times.start = t
    return times


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
    return None


def _followed_by_day_number(text: str, pos: int) -> bool:
    return bool(re.match(r"\s*,?\s*[0-3]?\d(?:\s|/|-|\.|e\b|de\b|ste\b)", text[pos : pos + 8]))


def _until(text: str, start: dt.date) -> dt.date | None:
    if m := _UNTIL_MONTH_END.search(text):
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


def extract_when(text: str, today: dt.date, *, fallback: str | None = None) -> DateResult:
    """Build `when` from the body text; `fallback` (a mail subject) is used when the body has no date."""
    res = DateResult()
    hours = [m.group(0).strip() for m in _OPENING_HOURS.finditer(text)]
    if hours:
        res.opening_hours = "; ".join(hours)
        text = _OPENING_HOURS.sub(" ", text)

    mentions = [m for m in find_date_mentions(text, today) if not _is_deadline(text, m.start)]
    if not mentions and fallback:
        mentions = [m for m in find_date_mentions(fallback, today) if not _is_deadline(fallback, m.start)]
    rec = _recurrence(text)
    times = find_times(text)

    # A range of dates: "ma 8/2 t.e.m. vr 12/2", "van dinsdag 30 maart tot en met vrijdag 9 april".
    range_end: dt.date | None = None
    anchor: _Mention | None = mentions[0] if mentions else None
    if len(mentions) >= 2:
        a, b = mentions[0], mentions[1]
        between = re.sub(_WD_ANY, " ", text[a.end : b.start], flags=re.I) if a.end <= b.start else "x"
        if (_CONNECT_RANGE.match(between) and b.date >= a.date) or (
            _CONNECT_AND.match(between) and 0 < (b.date - a.date).days <= 3
        ):
            range_end = b.date
        elif len({m.date for m in mentions}) > 1 and rec is None:
            res.warnings.append("multiple_dates")
    if anchor and anchor.weekday is not None and anchor.weekday != anchor.date.weekday():
        res.warnings.append("weekday_mismatch")

    start_day: dt.date | None = None
    if rec is None and range_end is not None:
        rec = {"freq": DAILY, "interval": 1, "byday": []}
    if rec is not None:
        res.recurring = True
        from_day = today
        if anchor is not None:
            from_day = anchor.date if (anchor.explicit_year or anchor.date >= today) else today
        until = range_end or _until(text, max(from_day, today))
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

    if times.start is None:
        res.warnings.append("time_missing")
        start = dt.datetime.combine(start_day, dt.time(0, 0))
        end = dt.datetime.combine(start_day, dt.time(23, 59))
    else:
        start = dt.datetime.combine(start_day, times.start)
        if times.end is not None:
            end = dt.datetime.combine(start_day, times.end)
            if end <= start:
                end += dt.timedelta(days=1)
        else:
            end = start + dt.timedelta(hours=2)
    res.when = {"start": _fmt(start), "end": _fmt(end)}
    if res.recurring:
        res.when["rrule"] = rrule_text
    return res


def date_spans(text: str, today: dt.date) -> list[tuple[int, int]]:
    """Spans of date, weekday and time expressions, for cutting them out of a title."""
    spans = [(m.start, m.end) for m in find_date_mentions(text, today)]
    spans += [(m.start(), m.end()) for m in _WEEKDAY.finditer(text)]
    spans += [(m.start(), m.end()) for m in _TIME_RANGE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _TIME_SINGLE.finditer(text) if (_tok_time(m, "a") or (None, False))[1]]
    return sorted(spans)
