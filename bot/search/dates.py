"""Dates in a question: 'dit weekend', 'morgen', 'zaterdag', '19 juni', 'in april', 'krokusvakantie'.

A general date parser (dateparser) reads a date out of a sentence, but people ask for periods
("dit weekend" is two days, "in april" what is left of the month, "vanavond" from 18:00) and
mix them with other words. This module reads exactly those expressions from the folded words of
the question, relative to the day it is asked, following the rules in the evaluation README.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from bot.platform.calendar import Holiday, Period

WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6,
}  # fmt: skip
MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4, "mei": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
ABBREVIATIONS = {"jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec"}
DAY_PARTS = {  # the part of a day people name, as (from hour, to hour)
    "ochtend": (6, 12), "morgen": (6, 12), "voormiddag": (6, 12), "middag": (12, 18), "namiddag": (12, 18),
    "avond": (18, 24), "nacht": (18, 24),
}  # fmt: skip
TODAY_PARTS = {"vanochtend": "ochtend", "vanmorgen": "ochtend", "vanmiddag": "middag", "vannamiddag": "namiddag",
               "vanavond": "avond", "vannacht": "nacht"}  # fmt: skip
HOLIDAY_ALIASES = {
    "krokus": "krokusvakantie", "carnavalsvakantie": "krokusvakantie", "paas": "paasvakantie",
    "grote": "zomervakantie", "zomer": "zomervakantie", "kerst": "kerstvakantie", "wintervakantie": "kerstvakantie",
    "herfst": "herfstvakantie", "allerheiligenvakantie": "herfstvakantie",
}  # fmt: skip


# Spoken and genitive forms of the day parts: "'s middags", "smiddags", "savonds", "aovend".
DAY_PART_FORMS = {
    "middags": "middag", "namiddags": "namiddag", "voormiddags": "voormiddag", "avonds": "avond",
    "morgens": "ochtend", "ochtends": "ochtend", "nachts": "nacht", "aovend": "avond", "ovend": "avond",
    "aovends": "avond", "middig": "middag", "nomiddag": "namiddag", "nommiddag": "namiddag",
    "veurmiddag": "voormiddag", "vurmiddag": "voormiddag", "achternoen": "namiddag",
}  # fmt: skip
# Only after a day's name: 'zaoterdigmörge' is Saturday morning, but 'morge' alone is tomorrow.
DAY_PART_ENDINGS = {**DAY_PART_FORMS, "morge": "ochtend"}
# Days of the year people name instead of a date: 'op tweede kerstdag', 'met oudejaar'.
NAMED_DAYS = {
    "kerstavond": (12, 24), "kerstdag": (12, 25), "oudejaar": (12, 31), "oudjaar": (12, 31),
    "oudejaarsdag": (12, 31), "oudejaarsavond": (12, 31), "nieuwjaar": (1, 1), "nieuwjaarsdag": (1, 1),
    "valentijn": (2, 14), "valentijnsdag": (2, 14), "allerheiligen": (11, 1), "allerzielen": (11, 2),
}  # fmt: skip
ORDINAL_WEEKS = {"eerste": 0, "tweede": 1, "twee": 1, "derde": 2, "vierde": 3, "laatste": -1}  # 'twee': a lemma
# Limburg and Flemish sound shifts in day names: 'zaoterdig', 'dinsdigaovend', 'maondig', 'vriedig'.
_DATE_SHIFTS = (("dig", "dag"), ("veur", "voor"), ("ao", "aa"), ("ao", "a"), ("oa", "a"), ("ie", "ij"), ("uu", "u"))
MAX_SHIFTS = 3


DATE_WORDS = frozenset(
    {*WEEKDAYS, *MONTHS, *DAY_PARTS, *TODAY_PARTS, *HOLIDAY_ALIASES, *HOLIDAY_ALIASES.values(), *NAMED_DAYS}
    | {"vandaag", "morgen", "overmorgen", "weekend", "week", "maand", "volgende", "volgend", "komende", "vakantie"}
)


@dataclass(frozen=True)
class DateMatch:
    period: Period
    used: frozenset[int]  # positions of the words that named the period


def find_period(tokens: Sequence[str], today: dt.date, holidays: Sequence[Holiday] = ()) -> DateMatch | None:
    """The first period named in the folded words, or None; `used` tells which words named it."""
    tokens = [standard_date_word(t) for t in tokens]
    for i in range(len(tokens)):
        match = _match_at(tokens, i, today, holidays)
        if match is not None:
            return match
    return None


@functools.lru_cache(maxsize=4096)
def standard_date_word(word: str) -> str:
    """The standard form of a spoken day or day-part word ('zaoterdig' -> 'zaterdag',
    'dinsdigaovend' -> 'dinsdagavond', 'smiddags' -> 'middag'); any other word as it is."""
    if _is_date_word(word) or len(word) < 4:
        return word
    if word in DAY_PART_FORMS:
        return DAY_PART_FORMS[word]
    if word.startswith("s") and word[1:] in DAY_PART_FORMS:  # "'s middags" typed without the apostrophe
        return DAY_PART_FORMS[word[1:]]
    if word.endswith("s") and word[:-1] in WEEKDAYS:  # 'zaterdags': on Saturday(s)
        return word[:-1]
    start = word
    for form, part in DAY_PART_ENDINGS.items():  # 'dinsdigaovend': a day with a spoken day part
        if word.endswith(form) and len(word) > len(form):
            start = word[: -len(form)] + part
            break
    frontier, seen = [start], {start}
    for _ in range(MAX_SHIFTS):
        if any(_is_date_word(candidate) for candidate in frontier):
            return next(candidate for candidate in frontier if _is_date_word(candidate))
        frontier = [c.replace(a, b) for c in frontier for a, b in _DATE_SHIFTS if a in c]
        frontier = [c for c in dict.fromkeys(frontier) if c not in seen]
        seen.update(frontier)
    return next((candidate for candidate in frontier if _is_date_word(candidate)), word)


def _is_date_word(word: str) -> bool:
    return word in DATE_WORDS or _weekday_word(word)[0] is not None


def _word(tokens: Sequence[str], i: int) -> str:
    return tokens[i] if 0 <= i < len(tokens) else ""


def _match_at(tokens: Sequence[str], i: int, today: dt.date, holidays: Sequence[Holiday]) -> DateMatch | None:
    word = tokens[i]
    nxt = _word(tokens, i + 1)
    prev = _word(tokens, i - 1)

    def days(first: dt.date, last: dt.date, label: str, *used: int) -> DateMatch:
        return DateMatch(Period.days(first, last, label), frozenset(used))

    if word == "vandaag":
        return days(today, today, "vandaag", i)
    if word == "overmorgen":
        day = today + dt.timedelta(days=2)
        return days(day, day, "overmorgen", i)
    if word == "morgen" and prev not in WEEKDAYS and prev != "deze":
        day = today + dt.timedelta(days=1)
        if nxt in DAY_PARTS:
            return _day_part(day, nxt, f"morgen{nxt}", i, i + 1)
        return days(day, day, "morgen", i)
    if word.startswith("morgen") and word[6:] in DAY_PARTS:  # 'morgenavond', 'morgennamiddag'
        return _day_part(today + dt.timedelta(days=1), word[6:], word, i)
    if word in TODAY_PARTS:
        return _day_part(today, TODAY_PARTS[word], word, i)
    if word == "deze" and nxt in DAY_PARTS:
        return _day_part(today, nxt, f"deze {nxt}", i, i + 1)

    if word in ("weekend", "weekends"):
        if prev in ("volgend", "volgende"):
            saturday = _this_weekend(today)[0] + dt.timedelta(days=7)
            return days(saturday, saturday + dt.timedelta(days=1), "volgend weekend", i - 1, i)
        first, last = _this_weekend(today)
        return days(first, last, "dit weekend", *([i - 1, i] if prev in ("dit", "het", "deze") else [i]))
    if word == "week" and prev in ("deze", "dit"):
        return days(today, today + dt.timedelta(days=6 - today.weekday()), "deze week", i - 1, i)
    if word == "week" and prev in ("volgende", "volgend", "komende"):
        monday = today + dt.timedelta(days=7 - today.weekday())
        return days(monday, monday + dt.timedelta(days=6), "volgende week", i - 1, i)
    if word == "maand" and prev in ("deze", "dit"):
        return days(today, today + relativedelta(day=31), "deze maand", i - 1, i)
    if word == "maand" and prev in ("volgende", "volgend", "komende"):
        first = today + relativedelta(months=1, day=1)
        return days(first, first + relativedelta(day=31), "volgende maand", i - 1, i)

    weekday, part = _weekday_word(word)
    if weekday is not None:
        skip_today = prev in ("volgende", "volgend", "komende")
        offset = (weekday - today.weekday()) % 7
        if skip_today and offset == 0:
            offset = 7
        day = today + dt.timedelta(days=offset)
        used = [i - 1, i] if skip_today else [i]
        if nxt.isdigit() and MONTHS.get(_word(tokens, i + 2)):  # 'zondag 18 april': the date decides
            return None
        if part is None and nxt in DAY_PARTS:
            part = nxt
            used.append(i + 1)
        elif part is None and nxt == "s" and _word(tokens, i + 2) in DAY_PARTS:  # "zaterdag 's avonds"
            part = _word(tokens, i + 2)
            used += [i + 1, i + 2]
        elif part is None:  # 'dinsdag in de voormiddag', 'in den achternoen op woensdag'
            near = _nearby_day_part(tokens, i)
            if near is not None:
                part = tokens[near]
                used.append(near)
        if part is not None:
            return _day_part(day, part, word, *used)
        return days(day, day, word, *used)

    if word.isdigit() and 1 <= int(word) <= 31:
        month = MONTHS.get(nxt)
        if month is not None:
            year_word = _word(tokens, i + 2)
            year = int(year_word) if year_word.isdigit() and len(year_word) == 4 else None
            used = [i, i + 1] + ([i + 2] if year else [])
            if prev in WEEKDAYS:
                used.append(i - 1)
            found = _next_date(today, month, int(word), year)
            if found is not None:
                return days(found, found, f"{int(word)} {nxt}", *used)
        # '19/6' and '19-06-2027' arrive as digits; '4/9' inside a list of ages is no date
        if nxt.isdigit() and 1 <= int(nxt) <= 12 and not _ages_listed(tokens, i):
            year_word = _word(tokens, i + 2)
            year = int(year_word) if year_word.isdigit() and len(year_word) == 4 else None
            found = _next_date(today, int(nxt), int(word), year)
            if found is not None:
                return days(found, found, f"{int(word)}/{int(nxt)}", i, i + 1, *([i + 2] if year else []))

    if word == "week" and prev in ORDINAL_WEEKS and nxt in ("van", "in") and _word(tokens, i + 2) in MONTHS:
        # 'de eerste week van november', 'de laatste week in juni'
        month, ordinal = MONTHS[_word(tokens, i + 2)], ORDINAL_WEEKS[prev]
        for year in (today.year, today.year + 1):  # the first such week that has not passed
            last_day = dt.date(year, month, 1) + relativedelta(day=31)
            first = last_day - dt.timedelta(days=6) if ordinal < 0 else dt.date(year, month, 1 + 7 * ordinal)
            last = min(first + dt.timedelta(days=6), last_day)
            if last >= today:
                label = f"{prev} week van {_word(tokens, i + 2)}"
                return days(max(first, today), last, label, i - 1, i, i + 1, i + 2)

    if word in NAMED_DAYS and "tussen" not in tokens[max(0, i - 4) : i]:  # 'tussen kerst en nieuwjaar': a span
        month, day_of_month = NAMED_DAYS[word]
        ordinal = prev in ("eerste", "tweede", "twee")  # 'twee': 'tweede' after the lemmas
        if word == "kerstdag" and prev != "eerste" and ordinal:  # 'tweede kerstdag' is the 26th
            day_of_month += 1
        found = _next_date(today, month, day_of_month, None)
        if found is not None:
            used = [i - 1, i] if ordinal else [i]
            label = f"{'eerste' if prev == 'eerste' else 'tweede'} {word}" if ordinal else word
            if word.endswith("avond"):
                return _day_part(found, "avond", label, *used)
            return days(found, found, label, *used)

    if word in MONTHS and len(word) >= 3 and word not in ABBREVIATIONS and not prev.isdigit():
        month = MONTHS[word]
        year = today.year if month >= today.month else today.year + 1
        first = dt.date(year, month, 1)
        if first < today:
            first = today
        last = dt.date(year, month, 1) + relativedelta(day=31)
        used = [i] + ([i - 1] if prev in ("in", "begin", "eind", "half") else [])
        return days(first, last, f"in {word}", *used)

    holiday_name = _holiday_name(word, nxt)
    if holiday_name is not None:
        holiday = _next_holiday(holidays, holiday_name, today)
        used = [i, i + 1] if word in HOLIDAY_ALIASES and nxt == "vakantie" else [i]
        if holiday is not None:
            return days(max(holiday.first, today), holiday.last, holiday.name, *used)
    return None


def _nearby_day_part(tokens: Sequence[str], i: int) -> int | None:
    """The position of a day part said near a weekday ('in de voormiddag'), or None. 'morgen' so
    far away is tomorrow, not the morning."""
    for j in (i + 3, i - 3, i + 2, i - 2):
        if 0 <= j < len(tokens) and tokens[j] in DAY_PARTS and tokens[j] != "morgen":
            between = tokens[min(i, j) + 1 : max(i, j)]
            if all(w in _DAY_PART_LINKS for w in between):
                return j
    return None


_DAY_PART_LINKS = {"in", "de", "den", "op", "s", "het"}


def _ages_listed(tokens: Sequence[str], i: int) -> bool:
    """'kinderen van 4, 7 of 9', '3 kinderen 5 8 en 11 jaar': numbers in a list of ages, no '4/7' date."""
    prev, after = _word(tokens, i - 1), _word(tokens, i + 2)
    later = set(tokens[i + 2 : i + 6])
    return prev.isdigit() or prev in ("van", "is", "zijn") or after in ("en", "of") or bool(later & _YEARS)


_YEARS = {"jaar", "jarige", "jaren", "joar", "jaor"}


def _this_weekend(today: dt.date) -> tuple[dt.date, dt.date]:
    """'Dit weekend': the coming Saturday and Sunday; on Saturday both, on Sunday only Sunday."""
    if today.weekday() == 6:
        return today, today
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    return saturday, saturday + dt.timedelta(days=1)


def _weekday_word(word: str) -> tuple[int | None, str | None]:
    """'zaterdag' -> (5, None); 'zaterdagavond' -> (5, 'avond'); anything else -> (None, None)."""
    for name, number in WEEKDAYS.items():
        if word == name or word == name + "en":
            return number, None
        if word.startswith(name) and word[len(name) :] in DAY_PARTS:
            return number, word[len(name) :]
    return None, None


def _day_part(day: dt.date, part: str, label: str, *used: int) -> DateMatch:
    start_hour, end_hour = DAY_PARTS[part]
    start = dt.datetime.combine(day, dt.time(start_hour))
    end = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=end_hour)
    return DateMatch(Period(start, end, label), frozenset(used))


def _next_date(today: dt.date, month: int, day: int, year: int | None) -> dt.date | None:
    """The date with this day and month: in `year`, else the first one from today on."""
    try:
        if year is not None:
            return dt.date(year, month, day)
        candidate = dt.date(today.year, month, day)
        return candidate if candidate >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        return None


def _holiday_name(word: str, nxt: str) -> str | None:
    """'krokusvakantie', 'grote vakantie', 'vakantie', 'zomer' -> the holiday's name (or 'vakantie': any)."""
    if word.endswith("vakantie"):
        return HOLIDAY_ALIASES.get(word, word)
    if word in HOLIDAY_ALIASES and nxt == "vakantie":
        return HOLIDAY_ALIASES[word]
    if word == "zomer":
        return "zomervakantie"
    return None


def _next_holiday(holidays: Sequence[Holiday], name: str, today: dt.date) -> Holiday | None:
    """The holiday with this name that is running or comes next; 'vakantie' alone means any."""
    name = HOLIDAY_ALIASES.get(name, name)
    for holiday in holidays:
        if holiday.last >= today and (name == "vakantie" or holiday.name == name):
            return holiday
    return None
