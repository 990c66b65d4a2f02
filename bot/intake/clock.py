"""Clock times as Flemish people write them, turned into times of day.

"14u", "14u30", "14.30", "14:30", "9 uur", "half 3", "kwart voor 8", "kwart na 9", "drie uur",
"van 2 tot 5", "19.00 - 21.30", "tot 5 uur", "rond half 9 zijn we terug", "de wandeling duurt anderhalf uur".

A spoken or bare hour ("half 3", "van 2 tot 5", "om 8 uur") does not say morning or afternoon. A day-part
word on the same line decides ("'s middags", "avond", "voormiddag"); without one the hours of leisure decide:
1 to 7 is afternoon or evening, 8 to 11 morning, and an end is the first reading after the start
("van 14u tot half 5" ends at 16:30, "van 20u tot 1u" at 1:00 the next night). `Times.guessed` says that such
a choice was made without a day-part word, so a caller can show what it read instead of claiming certainty.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
}  # fmt: skip
_NW = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_NW_HOURS = "|".join(w for w in sorted(_NUMBER_WORDS, key=len, reverse=True) if w not in ("een", "één"))
_TOKEN = re.compile(
    rf"(?:(?P<q>kwart)\s+(?P<dir>voor|na|over)|(?P<half>half))\s+(?P<wh>1[0-2]|[1-9]|{_NW})(?![\d:/]|[.,]\d)"
    rf"(?:\s*(?:uur|u)\b\.?)?"
    rf"|\b(?P<nw>{_NW_HOURS})\s+uur\b"
    r"|(?<![\d/.,€:+])(?P<h>[01]?\d|2[0-4])(?:(?P<sep>:|\.|\s?[uh]\.?\s?)(?P<mi>[0-5]\d))?"
    r"(?P<unit>\s?(?:uur|u|h)\b\.?)?(?!\d|[.,:/]\d)",
    re.I,
)
# Numbers that count something else: "6-12 jaar", "2 euro", "3 lessen", "5 km".
_NOT_A_TIME_AFTER = re.compile(
    r"\s*(?:jaar|jarigen|j\b|euro|eur\b|€|%|km|kilometer|m\b|meter|min\b|minuten|personen|deelnemers|plaatsen"
    r"|kinderen|kids|kindjes|sporten|keer|lessen|les\b|weken|dagen|maanden|stuks|cheques|cm|kg"
    r"|standen|uurtjes|volwassenen|ploegen|spelers|leden|maand|week|dag\b|x\b)|(?:ste|de|e)\b",
    re.I,
)
_RANGE_CONNECT = re.compile(r"^\s*(?:-|–|—|tot(?:\s+en\s+met)?|t\.?\s?e\.?\s?m\.?|t/m|à|>|→|en)\s*$", re.I)
_RANGE_PRE = re.compile(r"(?:\b(?:van|tussen|vanaf)\s*)$", re.I)
_START_PRE = re.compile(
    r"\b(?:om|vanaf|rond|omstreeks|vertrek|start|starten|aanvang|begin|afspraak|verzamelen|deuren open|kom)"
    r"\s*:?\s*(?:om\s+|rond\s+|omstreeks\s+|vanaf\s+)?$",
    re.I,
)
_BARE_PRE = re.compile(r"\b(?:om|rond|omstreeks|tegen)\s+$", re.I)
_END_PRE = re.compile(
    r"\b(?:tot|terug|einde|eindigt|eindigen|gedaan|afsluiten|afgelopen|sluiten|thuis)\s*:?\s*(?:om|rond|tegen"
    r"|omstreeks|voorzien|ten laatste)?\s*:?\s*$",
    re.I,
)
_END_POST = re.compile(
    r"\s*(?:(?:zijn|is|ben|zijn\s+we|zitten)\s+(?:we\s+|wij\s+|iedereen\s+|het\s+|jullie\s+)?)?"
    r"(?:terug|thuis|gedaan|afgelopen)\b",
    re.I,
)
_AGE_CUE = re.compile(
    r"\b(?:kinderen|kids|kindjes|kinders|jongeren|jeugd|leeftijd|tieners|kleuters|baby'?s|leerlingen|meisjes"
    r"|jongens|gasten|jarigen|jaar)\b[^\n]{0,12}$",
    re.I,
)
_TIME_CONTEXT = re.compile(
    r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|\b(?:ma|di|wo|do|vr|za|zo)\b|telkens|elke|iedere"
    r"|middag|avond|ochtend|morgens|\buur\b|\d/\d|januari|februari|maart|april|mei|juni|juli|augustus"
    r"|september|oktober|november|december|vandaag|morgen",
    re.I,
)
# Day-part words, also at the end of a compound ("woensdagnamiddag", "quizavond"), never inside one ("middagmaal").
_PM_CUE = re.compile(r"(?:'|’)?s\s?middags\b|(?:'|’)?s\s?avonds\b|(?:na|(?<!voor))middag(?:en)?\b|avond(?:en)?\b", re.I)
_AM_CUE = re.compile(
    r"voormiddag(?:en)?\b|(?:'|’)?s\s?morgens\b|(?:'|’)?s\s?ochtends\b|ochtend(?:en)?\b|(?:'|’)?s\s?nachts\b", re.I
)
_DURATION = re.compile(
    r"\bduurt\s+(?:ongeveer\s+|zowat\s+|een\s+goed\s+|een\s+|telkens\s+|maar\s+)?"
    r"(?:(?P<ah>anderhalf)\s*uur|(?P<n>\d+(?:[.,]5)?|een|twee|drie|vier|vijf)\s*(?:uur|u)\b"
    r"|(?P<m>\d{2,3})\s*min|(?:een\s+)?half\s?uur(?P<hh>))",
    re.I,
)
MAX_SPAN = dt.timedelta(hours=14)  # longer than this from start to end is another reading, not an event


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    hour: int  # as written, 0-24 ("half 3" is 2:30)
    minute: int
    form: str  # "24h" (14:30, 14.30, 17u, 09u), "u" (9u, 9u30), "spoken" (9 uur, half 3, van 2 tot 5), "bare"

    @property
    def strong(self) -> bool:
        return self.form != "bare"


@dataclass
class Times:
    """What the text says about the clock: start and end (None when not stated), a stated duration, and
    whether a morning/afternoon choice was made without a day-part word."""

    start: dt.time | None = None
    end: dt.time | None = None
    duration: dt.timedelta | None = None
    guessed: bool = False


def _hour_of(m: re.Match) -> int:
    raw = m.group("wh") or m.group("nw")
    return _NUMBER_WORDS[raw.lower()] if raw.lower() in _NUMBER_WORDS else int(raw)


def _token(m: re.Match) -> _Token | None:
    if m.group("q") or m.group("half"):
        h = _hour_of(m)
        if m.group("half"):
            return _Token(m.start(), m.end(), (h - 1) % 12 or 12, 30, "spoken")
        if m.group("dir").lower() == "voor":
            return _Token(m.start(), m.end(), (h - 1) % 12 or 12, 45, "spoken")
        return _Token(m.start(), m.end(), h, 15, "spoken")
    if m.group("nw"):
        return _Token(m.start(), m.end(), _hour_of(m), 0, "spoken")
    h = int(m.group("h"))
    mi = int(m.group("mi") or 0)
    sep = (m.group("sep") or "").strip().lower()
    unit = (m.group("unit") or "").strip().lower().rstrip(".")
    raw_h = m.group("h")
    if h == 24:
        if mi:
            return None
        h = 0
    if sep == ":" or (sep == "." and (unit or m.group("mi") in ("00", "15", "30", "45"))):
        form = "24h"
    elif sep == ".":
        form = "bare"  # "12.03" may be a date or a price
    elif sep.startswith(("u", "h")) or unit in ("u", "h"):
        form = "u"
    elif unit == "uur":
        form = "spoken"
    else:
        form = "bare"
    if form != "bare" and (h >= 13 or h == 0 or (len(raw_h) == 2 and raw_h.startswith("0"))):
        form = "24h"
    if form == "u" and h >= 7:
        form = "24h"  # "7u30", "9u", "11u": written as a 24-hour clock
    return _Token(m.start(), m.end(), h, mi, form)


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        tok = _token(m)
        if tok is None or _NOT_A_TIME_AFTER.match(text, tok.end):
            continue
        out.append(tok)
    return out


def _line_around(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, len(text) if b == -1 else b


def _sentence_around(text: str, pos: int) -> tuple[int, int]:
    a, b = _line_around(text, pos)
    stops = [m.end() for m in re.finditer(r"[.!?](?=\s+[A-Z])", text[a:pos])]
    later = re.search(r"[.!?](?=\s+[A-Z])", text[pos:b])
    return (a + stops[-1] if stops else a), (pos + later.start() if later else b)


def _cue(text: str, tok: _Token) -> str | None:
    """'pm' or 'am' from the nearest day-part word in the token's sentence, else None."""
    a, b = _sentence_around(text, tok.start)
    best: tuple[int, str] | None = None
    for rx, cue in ((_AM_CUE, "am"), (_PM_CUE, "pm")):
        for m in rx.finditer(text, a, b):
            distance = tok.start - m.end() if m.end() <= tok.start else (m.start() - tok.end) * 2
            if best is None or abs(distance) < best[0]:
                best = (abs(distance), cue)
    return best[1] if best else None


def _readings(text: str, tok: _Token) -> tuple[list[int], bool]:
    """Minutes after midnight this token may mean, the likeliest first, and whether that was a guess."""
    base = tok.hour * 60 + tok.minute
    if tok.form == "24h":
        return [base], False
    cue = _cue(text, tok)
    h = tok.hour
    if h == 12:
        return [base, base - 720], False  # noon; midnight only as the end of an evening
    if cue == "pm":
        return ([base + 720] if h < 12 else [base]), False
    if cue == "am":
        return ([base] if h < 12 else [base - 720]), False
    if tok.form == "u":  # 1u-6u: nobody starts leisure at 3 in the night
        return [base + 720, base], False
    if 1 <= h <= 7:
        return [base + 720, base], True
    return [base, base + 720], True


def _time(minutes: int) -> dt.time:
    minutes %= 1440
    return dt.time(minutes // 60, minutes % 60)


def _duration(text: str) -> dt.timedelta | None:
    m = _DURATION.search(text)
    if not m:
        return None
    if m.group("ah"):
        return dt.timedelta(minutes=90)
    if m.group("m"):
        return dt.timedelta(minutes=int(m.group("m")))
    if m.group("hh") is not None:
        return dt.timedelta(minutes=30)
    raw = m.group("n").lower()
    hours = float(_NUMBER_WORDS.get(raw, 0) or raw.replace(",", "."))
    return dt.timedelta(minutes=int(hours * 60))


def _pair(text: str, a: _Token, b: _Token) -> tuple[int, int, bool] | None:
    """Start and end in minutes for a range, choosing the readings that make the shortest real span."""
    starts, guess_a = _readings(text, a)
    ends, guess_b = _readings(text, b)
    for s in starts:
        best: int | None = None
        for e in ends:
            span = (e - s) % 1440
            if 0 < span <= MAX_SPAN.total_seconds() // 60 and (best is None or span < (best - s) % 1440):
                best = e
        if best is not None:
            return s, best, guess_a and guess_b
    return None


def _bare_range_ok(text: str, a: _Token, *, answer: bool) -> bool:
    """Two bare numbers ("van 2 tot 5") are a time only in a time context, never after an age word."""
    if answer:
        return True
    line_a, line_b = _line_around(text, a.start)
    if _AGE_CUE.search(text[max(line_a, a.start - 40) : a.start]):
        return False
    return bool(_TIME_CONTEXT.search(text[line_a:line_b]))


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    first: _Token
    second: _Token | None
    role: str  # "range", "start", "end"


def _scan(text: str, *, answer: bool, hidden: list[tuple[int, int]] | None = None) -> list[_Found]:
    mask = bytearray(len(text) + 1)
    for lo, hi in hidden or ():
        mask[lo:hi] = b"\x01" * (hi - lo)
    tokens = [t for t in _tokens(text) if not any(mask[t.start : t.end])]
    found: list[_Found] = []
    used: set[int] = set()
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        between = text[a.end : b.start]
        if "\n" in between or not _RANGE_CONNECT.match(between):
            continue
        pre = text[max(0, a.start - 12) : a.start]
        conn = between.strip().lower()
        has_pre = bool(_RANGE_PRE.search(pre))
        if conn == "en" and not re.search(r"\btussen\s*$", pre, re.I):
            continue
        if not (a.strong or b.strong):
            if not (has_pre or answer or conn in ("-", "–")) or not _bare_range_ok(text, a, answer=answer):
                continue
        elif not b.strong and b.minute == 0 and not has_pre and not answer:
            continue  # "14u - 3 personen": the second number is something else
        if a.form == "bare" and "." in text[a.start : a.end]:
            continue
        found.append(_Found(a.start, b.end, a, b, "range"))
        used.update((i, i + 1))
    for i, tok in enumerate(tokens):
        if i in used:
            continue
        pre = text[max(0, tok.start - 30) : tok.start]
        role = "end" if _END_POST.match(text, tok.end) or _END_PRE.search(pre) else "start"
        if not tok.strong:
            if not (_BARE_PRE.search(pre) or (answer and re.fullmatch(r"\s*\d{1,2}\s*", text))):
                continue
        elif (
            tok.form == "spoken"
            and not tok.minute
            and not answer
            and not (_START_PRE.search(pre) or _END_PRE.search(pre) or re.search(r"\bvan\s*$", pre, re.I))
        ):
            continue  # "duurt 2 uur", "3 uur per week": an amount of time, not a clock time
        found.append(_Found(tok.start, tok.end, tok, None, role))
    return sorted(found, key=lambda f: f.start)


def find_times(text: str, *, answer: bool = False, hidden: list[tuple[int, int]] | None = None) -> Times:
    """The event's times in `text`: the first range ("van 14u tot 16u30", "19.00 - 21.30", "van 2 tot 5"), else
    the first start time ("om half 3", "vertrek 7u30") and an end after it ("tot 5 uur", "terug om 17u").

    `answer=True` reads a reply to "when?" (a key figure's correction): there every number is meant as a time.
    """
    times = Times(duration=_duration(text))
    found = _scan(text, answer=answer, hidden=hidden or [])
    for f in found:
        if f.role == "range" and f.second is not None:
            pair = _pair(text, f.first, f.second)
            if pair is None:
                continue
            s, e, guessed = pair
            times.start, times.end, times.guessed = _time(s), _time(e), guessed
            return times
    start_minutes: int | None = None
    for f in found:
        readings, guessed = _readings(text, f.first)
        if f.role == "start" and start_minutes is None:
            start_minutes = readings[0]
            times.start, times.guessed = _time(start_minutes), guessed
        elif f.role == "end" and start_minutes is not None and times.end is None:
            spans = [(e, (e - start_minutes) % 1440) for e in readings]
            fitting = [(span, e) for e, span in spans if 0 < span <= MAX_SPAN.total_seconds() // 60]
            if fitting:
                times.end = _time(min(fitting)[1])
        elif f.role == "end" and start_minutes is None and times.end is None:
            times.end = _time(readings[0])  # "tot 5 uur" alone: an end without a start (a correction)
    return times


_SPAN_PRE = re.compile(r"(?:\b(?:van|tussen|vanaf|om|rond|omstreeks|tot|tegen)\s+)$", re.I)


def time_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the clock expressions in `text`, with the word that leads them in ("van 10 tot 12",
    "om half 3"), for cutting them out of a title."""
    spans = []
    for f in _scan(text, answer=False):
        pre = _SPAN_PRE.search(text, 0, f.start)
        spans.append((pre.start() if pre else f.start, f.end))
    return spans
