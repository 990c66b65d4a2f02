"""Who it is for: an age range and the groups (kinderen, jongeren, volwassenen, senioren, gezinnen,
iedereen)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RANGE = re.compile(
    r"\b(?:van|tussen)?\s*(?P<a>\d{1,2}(?:[.,]5)?)\s*(?:-|–|tot|en|t/m|tot en met|à)\s*"
    r"(?P<b>\d{1,2})\s*jaar\b",
    re.I,
)
_FROM = re.compile(
    r"\b(?:vanaf|ouder dan|minimum|min\.?)\s*(?P<a>\d{1,2})\s*(?:jaar|j\.?\b)|\+\s?(?P<c>\d{2})\b(?!\s?\(?\d)"
    r"|\b(?P<d>\d{2})\s?\+|\b(?P<e>\d{2})\s?-?\s?plus(?:sers?)?\b",
    re.I,
)
# "voor kinderen van 7 tot 12, ook als ...": an age range after the group, without the word "jaar".
_GROUP_RANGE = re.compile(
    r"\b(?:kinderen|kids|kindjes|kinders|jongeren|jeugd|tieners|leerlingen|meisjes|jongens)\s+(?:van|tussen)\s+"
    r"(?P<a>\d{1,2})\s*(?:-|–|tot(?:\s+en\s+met)?|en|t/m)\s*(?P<b>\d{1,2})\b(?!\s*(?:u\b|uur|h\b|[:.]\d))",
    re.I,
)
# "Wie 65 jaar of ouder is", "vanaf 65 jaar en ouder".
_OR_OLDER = re.compile(r"\b(?P<a>\d{2})\s*jaar\s+(?:of|en)\s+ouder\b", re.I)
_TO = re.compile(r"\b(?:tot|jonger dan|onder|t/m|max\.?|maximum)\s*(?P<a>\d{1,2})\s*jaar\b", re.I)
_GROUPS = {
    "kinderen": re.compile(r"\b(kinderen|kind|kids|kleuters?|kleine[nr]?|lagere school|\w*kinderen)\b", re.I),
    "jongeren": re.compile(r"\b(jongeren|tieners?|jeugd|jongvolwassenen|tieners)\b", re.I),
    "volwassenen": re.compile(r"\b(volwassenen?|ouders)\b", re.I),
    "senioren": re.compile(r"\b(senioren|ouderen|gepensioneerden|\d\d-?plussers?|\d\d\+)\b", re.I),
    "gezinnen": re.compile(r"\b(gezin(nen)?|hele gezin|families?|ouder en kind|ouders en kinderen|mama|papa)\b", re.I),
    "iedereen": re.compile(r"\b(iedereen( is)? welkom|voor iedereen|alle leeftijden|jong en oud)\b", re.I),
}
_KLEUTERS = re.compile(r"\bkleuters?\b", re.I)
# "Kinderen onder 3 jaar gratis", "tot 12 jaar: €2": an age that sets a price, not the audience.
_AGE_PRICE = re.compile(
    r"(?:onder|tot|jonger dan|vanaf|t/m)[ \t]*\d{1,2}[ \t]*jaar(?:[ \t]+[^\W\d]+){0,3}[ \t]*:?[ \t]*"
    r"(?:gratis|€[ \t]?\d|\d+(?:[.,]\d\d)?[ \t]?(?:€|euro))"
    # "kinderen onder 12 jaar enkel met een volwassene": a rule for the youngest, not the audience
    r"|(?:onder|jonger dan|tot)[ \t]*\d{1,2}[ \t]*jaar[ \t]+(?:enkel[ \t]+|alleen[ \t]+|uitsluitend[ \t]+)?"
    r"(?:met|onder)[ \t]+(?:een[ \t]+)?(?:volwassene|begeleiding|ouder)",
    re.I,
)


@dataclass
class AudienceResult:
    min_age: int | None = None
    max_age: int | None = None
    groups: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"min_age": self.min_age, "max_age": self.max_age, "groups": list(self.groups)}


def _clauses(text: str) -> list[str]:
    """Clauses of the text with age-bound prices ("kinderen onder 3 jaar gratis") taken out."""
    parts = re.split(r"[.!?\n;]|,\s", _AGE_PRICE.sub(" ", text))
    return [p for p in parts if p.strip()]


def extract_audience(text: str) -> AudienceResult:
    res = AudienceResult()
    clauses = _clauses(text)
    for clause in clauses:
        if m := _RANGE.search(clause):
            a, b = int(float(m.group("a").replace(",", "."))), int(m.group("b"))
            if a < b <= 120:
                res.min_age, res.max_age = a, b
                break
    if res.min_age is None and res.max_age is None:
        for clause in clauses:
            if (m := _GROUP_RANGE.search(clause)) and int(m.group("a")) < int(m.group("b")) <= 25:
                res.min_age, res.max_age = int(m.group("a")), int(m.group("b"))
                break
    if res.min_age is None and res.max_age is None and (m := _OR_OLDER.search(text)):
        res.min_age = int(m.group("a"))
    if res.min_age is None and res.max_age is None:
        for clause in clauses:
            if m := _FROM.search(clause):
                res.min_age = int(next(g for g in m.groups() if g))
                break
        for clause in clauses:
            if m := _TO.search(clause):
                res.max_age = int(m.group("a"))
                break
        if res.min_age is None and res.max_age is None and _KLEUTERS.search(text):
            # Kleuters go to school from 2.5 to 6; ages are whole numbers, rounded down to admit the youngest.
            res.min_age, res.max_age = 2, 6
    for group, rx in _GROUPS.items():
        if rx.search(text):
            res.groups.append(group)
    if res.min_age is not None and res.min_age >= 55 and "senioren" not in res.groups:
        res.groups.append("senioren")
    if res.max_age is not None and res.max_age <= 12 and "kinderen" not in res.groups:
        res.groups.append("kinderen")
    teens = res.min_age is not None and 12 <= res.min_age < 18 and res.max_age and res.max_age <= 26
    if teens and "jongeren" not in res.groups:
        res.groups.append("jongeren")
    return res
