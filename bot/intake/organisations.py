"""Names of organisations the intake does not know by name: clubs, movements, committees, museums.

The partner list (partners.py) knows the Lokaal Netwerk; announcements also come from a chess club, a
Chiro group, the KWB of a village or a museum that joins the UiTPAS. Their names have a recognisable head:
a movement before the name ("Chiro Eigenbilzen", "KWB Rosmeer", "manege De Hoefslag") or a kind of
organisation at the end of a compound ("Schaakclub De Loper", "Feestcomité Hoelbeek", "Heemkundige Kring
Bilzen", "Gallo-Romeins Museum"). Shouted flyer lines and lower-case chats are read through `recase` first.
"""

from __future__ import annotations

import re

from .partners import TOWNS, partner_spans
from .places import recase
from .text import fold

# Movements and kinds of organisation written before the name; local branches of national movements
# ("de gezinsbond" in a Bilzen text is Gezinsbond Bilzen) are marked with True.
_LEADING: dict[str, bool] = {
    "chiro": True, "scouts": True, "ksa": True, "kwb": True, "okra": True, "kvlv": True, "femma": True,
    "ferm": True, "vief": True, "s-plus": True, "natuurpunt": True, "gezinsbond": True, "davidsfonds": True,
    "willemsfonds": True, "markant": True, "jh": False, "jeugdhuis": False, "manege": False, "cinema": False,
    "speelparadijs": False, "stad": True, "gemeente": True, "toerisme": True, "harmonie": False, "fanfare": False,
    "welzijnsschakel": False, "sportclub": False, "voetbalclub": False, "turnclub": False, "vzw": False,
}  # fmt: skip
# Endings of a compound that make it an organisation: "schaakclub", "feestcomité", "seniorenraad".
_TRAILING = (
    "club", "vereniging", "bond", "kring", "raad", "comité", "comite", "schakel", "centrale", "dienst", "museum",
    "academie", "fonds", "gilde", "koor", "werking", "vzw",
)  # fmt: skip
_UPPER = {"kwb": "KWB", "okra": "OKRA", "ksa": "KSA", "kvlv": "KVLV", "jh": "JH", "s-plus": "S-Plus", "vzw": "vzw"}
_NAME_WORD = r"(?:[A-ZÀ-Ý][\w'’&-]*|'t\s+[A-Z][\w-]*|(?:De|Den|Het|The|'t)\s+[A-ZÀ-Ý][\w'’-]*)"
_FOLDED_TOWNS = {fold(t): t for t in TOWNS}
_WORD = re.compile(r"'t\b|[^\W\d_][\w'’-]*|&")
_COMMON = {"stad", "gemeente", "toerisme"}  # "de stad voorziet een bus": a common noun without a name


def _display(word: str) -> str:
    low = word.lower()
    if low in _UPPER:
        return _UPPER[low]
    if word.islower():
        return "-".join(p.capitalize() for p in word.split("-"))
    return word


def _head_kind(word: str) -> str | None:
    """'movement' ("Chiro", "KWB"), 'compound' ("Schaakclub", "Feestcomité", "Museum") or None."""
    low = fold(word)
    if low in _LEADING:
        return "movement"
    if any(low.endswith(t) for t in _TRAILING) and len(low) > 3:
        return "compound"
    return None


def _extend(words: list[re.Match], i: int, text: str) -> int:
    """Index after the name that follows the head at `i`: capitalised words, 'De X', "'t Hok", a town."""
    j = i + 1
    while j < len(words):
        gap = text[words[j - 1].end() : words[j].start()]
        if gap.strip() or "\n" in gap:
            break
        word = words[j].group(0)
        low = fold(word)
        if low in ("de", "den", "het", "the", "'t") and j + 1 < len(words) and words[j + 1].group(0)[:1].isupper():
            j += 2
            continue
        if low in _FOLDED_TOWNS or (word[:1].isupper() and low not in ("in", "op", "van", "voor", "met")):
            j += 1
            continue
        break
    return j


def _starts_clause(text: str, pos: int) -> bool:
    return not text[:pos].strip() or bool(re.search(r"[.!?:]\s*$|^\W*$", text[:pos]))


def find_organisations(text: str, *, alone_ok: bool = False) -> list[tuple[int, str]]:
    """(position, name) of organisation names in `text`, in text order. A bare kind of organisation
    ("de stad", "een breiclub", "de academie") is no name, unless `alone_ok` (a line that is only a name)."""
    found: list[tuple[int, str]] = []
    for line_start, line in _lines(text):
        cased = recase(line)
        words = list(_WORD.finditer(cased))
        i = 0
        while i < len(words):
            word = words[i].group(0)
            kind = _head_kind(word)
            if kind is None:
                i += 1
                continue
            start = i
            if kind == "compound" and word[:1].isupper():
                # Capitalised words before a capitalised head belong to it: "Gallo-Romeins Museum".
                while (
                    start > 0
                    and words[start - 1].group(0)[:1].isupper()
                    and _head_kind(words[start - 1].group(0)) is None
                    and fold(words[start - 1].group(0)) not in ("de", "den", "het", "the", "'t")
                    and cased[words[start - 1].end() : words[start].start()] == " "
                    and not _starts_clause(cased, words[start - 1].start())
                ):
                    start -= 1
            if (
                start == i
                and i > 0
                and re.fullmatch(r"[a-zà-ÿ]{2,}(?:ige|se|e)", words[i - 1].group(0))
                and _starts_clause(cased, words[i - 1].start())
            ):
                start = i - 1  # "heemkundige kring bilzen" at the start of a chat line
            end = _extend(words, i, cased)
            named = end > i + 1 or start < i
            lone_movement = kind == "movement" and _LEADING[fold(word)] and fold(word) not in _COMMON
            if not (named or lone_movement or (alone_ok and word[:1].isupper())):
                i += 1
                continue
            name = " ".join(_display(w.group(0)) for w in words[start:end])
            found.append((line_start + words[start].start(), name))
            i = end
    return found


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def is_local_movement(name: str) -> bool:
    """A national movement named without its place ("Gezinsbond"): the local branch is meant."""
    words = name.split()
    return len(words) == 1 and _LEADING.get(fold(words[0]), False)


def organisation_line(line: str) -> str | None:
    """The line as an organisation when it is nothing else: "STAD BILZEN & SENIORENRAAD", "okra beverst"."""
    cased = recase(line).strip(" -–|:!.")
    if not cased or len(cased) > 60 or re.search(r"\d", cased):
        return None
    parts = [p.strip() for p in re.split(r"\s+(?:&|en)\s+", cased)]
    names = []
    for part in parts:
        partners = partner_spans(part)
        if partners and partners[0][0] == 0 and partners[0][1] >= len(fold(part).rstrip()) - 8:
            names.append(part)  # a known partner, maybe with its town: "Academie voor ... Dans Bilzen"
            continue
        orgs = find_organisations(part, alone_ok=True)
        if not orgs or orgs[0][0] != 0 or len(orgs[0][1]) < len(part) - 1:
            return None
        names.append(orgs[0][1])
    return " & ".join(names)
