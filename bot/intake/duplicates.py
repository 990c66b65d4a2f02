"""Is this draft an offer we already have? Two key figures often forward the same flyer, worded
differently."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import Stemmer
from dateutil.rrule import rrulestr
from rapidfuzz import fuzz

from .text import fold

_STEM = Stemmer.Stemmer("dutch")
# fmt: off
_STOP = frozenset({
    "de", "het", "een", "en", "of", "in", "op", "aan", "van", "voor", "met", "bij", "naar", "te", "tot",
    "om", "is", "zijn", "je", "jij", "we", "wij", "ons", "onze", "jullie", "u", "dit", "dat", "die", "er",
    "ook", "al", "nog", "maar", "dan", "als", "uit", "over", "door", "per", "elke", "iedere", "wordt",
    "worden", "kan", "kun", "kunnen", "mag", "wil", "jouw",
})
# fmt: on
# Each shared fact closes part of the gap between the text score and 100. A place alone proves little (many
# offers are at the Sociaal Huis); the same day, and even more the same hour, is rarer.
_SAME_DAY = 0.35
_SAME_TIME = 0.2
_SAME_PLACE = 0.25
_OTHER_PLACE_FACTOR = 0.8


def _tokens(text: str | None) -> set[str]:
    words = re.findall(r"[a-z0-9]+", fold(text or ""))
    return {_STEM.stemWord(w) for w in words if w not in _STOP and len(w) > 1}


def _near(word: str, others: set[str]) -> bool:
    """Same stem, or a shared start of 5+ letters: Dutch compounds ("paaseierenraap", "paaseitjes")."""
    if word in others:
        return True
    return len(word) >= 5 and any(len(o) >= 5 and o[:5] == word[:5] for o in others)


def _dice(a: set[str], b: set[str]) -> float:
    """Soft Dice overlap of two stemmed word sets, 0-100."""
    if not a or not b:
        return 0.0
    hits = sum(_near(w, b) for w in a) + sum(_near(w, a) for w in b)
    return 100.0 * hits / (len(a) + len(b))


def _text_score(a: dict, b: dict) -> float:
    # On content words only: "Petanque op de markt" and "Concerten op de markt" share no more than "markt".
    words_a, words_b = _tokens(a.get("title")), _tokens(b.get("title"))
    title = fuzz.token_set_ratio(" ".join(sorted(words_a)), " ".join(sorted(words_b))) if words_a and words_b else 0.0
    title = max(title, _dice(_tokens(a.get("title")), _tokens(b.get("title"))))
    desc_a = " ".join(filter(None, [a.get("title"), a.get("summary"), a.get("description")]))
    desc_b = " ".join(filter(None, [b.get("title"), b.get("summary"), b.get("description")]))
    desc = _dice(_tokens(desc_a), _tokens(desc_b))
    return max(title * 0.85, 0.4 * title + 0.6 * desc) if desc_a and desc_b else title * 0.85


def _start_day(offer: dict) -> str | None:
    when = offer.get("when") or {}
    start = when.get("start") if isinstance(when, dict) else None
    return start[:10] if isinstance(start, str) and len(start) >= 10 else None


def _start(offer: dict) -> str | None:
    when = offer.get("when") or {}
    return when.get("start") if isinstance(when, dict) else None


def _recurring(offer: dict) -> bool:
    when = offer.get("when") or {}
    return bool(isinstance(when, dict) and when.get("rrule"))


def _occurs_on(recurring: dict, day: str) -> bool | None:
    """Does the recurring offer take place on `day` (YYYY-MM-DD)? None when its rule cannot be read."""
    when = recurring.get("when") or {}
    try:
        start = dt.datetime.fromisoformat(when["start"])
        rule = rrulestr(when["rrule"], dtstart=start)
        moment = dt.datetime.fromisoformat(day)
        return bool(rule.between(moment, moment + dt.timedelta(days=1), inc=True))
    except (KeyError, TypeError, ValueError):
        return None


def _address_key(address: str | None) -> str | None:
    m = re.match(r"\s*(.+?\d+[a-z]?)\b", fold(address or ""))
    return re.sub(r"[^a-z0-9]", "", m.group(1)) if m else None


def _same_place(a: dict, b: dict) -> bool | None:
    """True/False when both have a place, None when one of them has none (no evidence either way)."""
    la, lb = a.get("location") or {}, b.get("location") or {}
    ka, kb = _address_key(la.get("address")), _address_key(lb.get("address"))
    if ka and kb:
        return ka == kb
    na, nb = fold(la.get("name") or ""), fold(lb.get("name") or "")
    if na and nb:
        return fuzz.token_set_ratio(na, nb) >= 85
    return None


def duplicate_score(candidate: dict, other: dict) -> float:
    """0-100: how likely `other` describes the same offer as `candidate` (see find_duplicates)."""
    day_a, day_b = _start_day(candidate), _start_day(other)
    if day_a and day_b and day_a != day_b and not (_recurring(candidate) or _recurring(other)):
        return 0.0  # two one-off events on different days are different events, however alike
    if day_a and day_b and _recurring(candidate) != _recurring(other):
        series, single = (candidate, other) if _recurring(candidate) else (other, candidate)
        if _occurs_on(series, _start_day(single) or "") is False:
            return 0.0  # a one-off on a day the series does not meet is something else
    score = _text_score(candidate, other)
    place = _same_place(candidate, other)
    same_day = bool(day_a and day_a == day_b)
    for shared, weight in (
        (same_day, _SAME_DAY),
        (same_day and _start(candidate) == _start(other), _SAME_TIME),
        (place is True, _SAME_PLACE),
    ):
        if shared:
            score += (100.0 - score) * weight
    if place is False:
        score *= _OTHER_PLACE_FACTOR
    return round(min(score, 100.0), 1)


def find_duplicates(candidate: dict, existing: Iterable[dict], *, threshold: float = 70.0) -> list[tuple[str, float]]:
    """Ids of existing offers that are probably the same as `candidate`, best first, with a 0-100 score.

    Why this way: the same flyer forwarded twice gets a different title ("Paaseierenraap in Alden Biesen" vs
    "Paaseitjes zoeken in het kasteelpark"), so the text score takes the best of a fuzzy title match and the
    overlap of stemmed content words of title + summary + description. Facts then weigh in: the same start day
    and the same place (address street+number, else the place name) each move the score part of the way to
    100 (the same hour counts extra), and a known different place lowers it. Two one-off events on different
    days are never duplicates: the same theatre on another night is another offer, not a double.
    """
    cand_id = candidate.get("id")
    scored = []
    for other in existing:
        if not isinstance(other, dict) or not other.get("id") or other.get("id") == cand_id:
            continue
        score = duplicate_score(candidate, other)
        if score >= threshold:
            scored.append((str(other["id"]), score))
    return sorted(scored, key=lambda x: (-x[1], x[0]))
