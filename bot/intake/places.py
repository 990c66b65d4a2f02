"""Where: an address (street + number, optional postcode and town) and the name of the place.

Flyers write the place as "📍 CC De Kimpel, Kloosterstraat 3, 3740 Bilzen", as a name line above an address
line (Facebook), or inside a sentence: "in Bibliotheek De Kimpel (Kloosterstraat 3, Bilzen)". The address
is found first, the name is then what stands before it on the line, in the sentence or on the line above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .partners import PARTNERS, TOWNS, find_partners
from .text import clean_line, fold, is_shouting

_SUFFIX = (
    r"straat|laan|weg|plein|steenweg|baan|dreef|lei|hof|kaai|markt|berg|veld|pad|ring|singel|dijk|wal"
    r"|gang|park|heide|kouter|beemd|poort|vest|hoek|erf|dal|bos|broek|straatje|weide|akker|kamp|tuin"
)
# Streets named after someone: "Kolonel Dusartplein", "Burgemeester Moonenlaan".
_TITLE = (
    r"Sint|Oude|Nieuwe|Grote|Kleine|Lange|Korte|Hoge|Onze-Lieve-Vrouw|Kolonel|Generaal|Burgemeester|Pastoor"
    r"|Koning|Koningin|Prins|Prinses|Dokter|Kardinaal|Kapitein|Luitenant|Majoor|Commandant|Graaf|Meester"
    r"|Professor|Kanunnik|Deken|Baron|Ridder"
)
_TOWN = "|".join(sorted((re.escape(t) for t in TOWNS), key=len, reverse=True))
_ADDRESS = re.compile(
    rf"(?P<street>(?:(?:{_TITLE})[- ])?"
    rf"[A-ZÀ-Ý][\w'’-]*(?:{_SUFFIX})|[A-ZÀ-Ý][\w'’-]+ (?:Baan|Weg|Straat|Plein|Markt)"
    rf"|(?:Weg|Baan|Steenweg) (?:naar|op) [A-Z][\w-]+"
    rf"|(?:Grote |Oude )?(?:Markt|Plein|Dorp|Ring|Vesten))"
    rf"\s+(?P<nr>\d{{1,4}}(?:\s?[a-zA-Z](?![\w]))?(?:\s?(?:bus|/)\s?\d+)?)(?![\d,.]\d|\s?(?:jaar|uur|u\b|euro|€|%))"
    rf"(?:\s*(?:,|–|-|\||in|te)?\s*(?:(?P<pc>[1-9]\d{{3}})\s+)?(?P<town>{_TOWN}|(?<=\d\d\d\d )[A-Z][\w-]+))?",
)
# A street without a house number is an address only beside a postcode: "Kapelstraat, 3740 Hoelbeek".
_ADDRESS_NO_NUMBER = re.compile(
    rf"(?P<street>(?:(?:{_TITLE})[- ])?[A-ZÀ-Ý][\w'’-]*(?:{_SUFFIX}))\s*,\s*"
    rf"(?P<pc>[1-9]\d{{3}})\s+(?P<town>[A-Z][\w-]+)"
)
_LABEL = re.compile(
    r"^\s*(?:waar|locatie|plaats|adres|place|where|verzamelen|vertrek|afspraak)\s*:\s*|^\s*adres\s+", re.I
)
_PREPOSITIONS = frozenset({
    "op", "aan", "in", "bij", "naar", "achter", "over", "van", "tegenover", "naast", "langs", "rond", "vanaf",
    "tussen", "onder", "boven",
})  # fmt: skip
_SMALL_WORDS = _PREPOSITIONS | {"de", "het", "een", "en", "of", "om", "tot", "met", "voor", "uit", "te", "per", "'t"}
# "bib de kimpel" is the library; "de kimpel" alone could be the library or the cultural centre: kept as written.
_ALIASES = {
    alias: name
    for name, aliases in PARTNERS.items()
    for alias in aliases
    if " " in alias and not alias.startswith("de ")
}
_FOLDED_TOWNS = {fold(t): t for t in TOWNS}
_LOWER_STREET = re.compile(rf"^[a-zà-ÿ][\w'’-]*(?:{_SUFFIX})$")
_PREP = re.compile(r"\b(?:in|aan|naar|bij|op|vanuit|vertrekt aan|verzamelen aan|te)\s+(?-i:het\s+|de\s+|'t\s+)?", re.I)
_VENUE_WORDS = re.compile(
    r"\b(?:zaal|sporthal|sportzaal|zwembad|bib|bibliotheek|cultuurcentrum|cc|ldc|kasteel|kasteelpark|park"
    r"|parochiezaal|ontmoetingscentrum|dienstencentrum|school|speelplein|jeugdhuis|kerk|cafetaria|atelier"
    r"|terrein|lokaal|lokalen|gemeenschapshuis|huis|centrum|museum|domein|bos|chiroheem|heem|jeugdlokaal|clubhuis"
    r"|kantine|feestzaal|manege|speeltuin|grasplein|sportpark|markt|plein|ingang|parking)\b",
    re.I,
)
_IN_PLACE = re.compile(
    r"\b(?:in|op|aan)\s+(?:de\s+|het\s+)?(?P<name>(?:zaal|sporthal|sportzaal|parochiezaal|cafetaria|gemeenschapshuis)"
    r"\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*|(?:CC|LDC|Bibliotheek|Cultuurcentrum|Sporthal|Zaal|Kasteel)"
    r"\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)",
)


# Public places named without an address: "op de Markt in Bilzen", "in het stadspark".
_OPEN_SPACE = re.compile(
    rf"\b(?:in|op|aan)\s+(?:de|het)\s+(?P<name>(?i:markt|stadspark|dorpsplein|kerkplein|park|speeltuin|sportpark"
    rf"|speelplein|sporthal|zwembad))\b(?:\s+(?:in|van|te)\s+(?P<town>{_TOWN}))?",
)


# A building named by its town: "in de kerk van Rijkhoven", "in de sporthal van Beverst".
_BUILDING_IN_TOWN = re.compile(
    rf"\b(?:in|op|aan|bij)\s+(?:de|het)\s+(?P<noun>(?i:kerk|kapel|sporthal|sportzaal|parochiezaal|feestzaal|zaal"
    rf"|ontmoetingscentrum|gemeenschapshuis|school|speeltuin|kasteelpark|kasteel|abdij|jeugdhuis|chiroheem"
    rf"|zwembad|dorpsplein|park))\s+(?P<prep>(?i:van|in|te))\s+(?P<town>{_TOWN})\b"
)
# Where tickets or information are to be had is not where it happens.
_SALES = re.compile(r"\b(?:info|informatie|tickets?|kaarten|inschrijv\w*|reserv\w*|te koop|verkrijgbaar|balie)\b")


@dataclass
class PlaceResult:
    name: str | None = None
    address: str | None = None
    confidence: float = 0.0

    def as_location(self) -> dict | None:
        if not self.name and not self.address:
            return None
        return {"name": self.name, "address": self.address}


_LABEL_WORDS = {"adres", "waar", "locatie", "plaats", "place", "where", "verzamelen", "vertrek", "afspraak", "start"}
_NOT_A_NAME = re.compile(
    r"\d{3,}|\d\d\s\d\d|\b\d{1,2}\s?(?:u|uur|h)\b|\d{1,2}[:u.]\d\d|\b\d{1,2}/\d{1,2}\b|€|\b(?:maandag|dinsdag|woensdag|donderdag"
    r"|vrijdag|zaterdag|zondag|elke|iedere|open|gratis|morgen|vandaag)\b",
    re.I,
)
_ROOM = re.compile(
    r"^(?:grote|kleine|polyvalente|nieuwe)?\s*(?:zaal|cafetaria|foyer|leeszaal|binnenplein|tuin)\b", re.I
)


def _clean_name(raw: str) -> str | None:
    name = _LABEL.sub("", raw)
    name = re.sub(r"^(?:het|de|'t)\s+", "", name.strip())  # lowercase articles only: "De Wiekslag" stays
    name = name.strip(" ,;:–-|()\t")
    parts = re.split(r"\s+[–-]\s+", name)
    named = [bool(find_partners(p) or _VENUE_WORDS.search(p)) for p in parts]
    if len(parts) > 1 and any(named) and not all(named):  # "Marleen – LDC De Wijzer": the part that names a place
        name = next((p for p in parts if find_partners(p) or _VENUE_WORDS.search(p)), name)
    if (
        not name
        or len(name) > 60
        or not re.search(r"[A-Za-zÀ-ÿ]", name)
        or _NOT_A_NAME.search(name)
        or fold(name) in _LABEL_WORDS
    ):
        return None
    if fold(name) in _ALIASES:
        return _ALIASES[fold(name)]  # "bib de kimpel" -> "Bibliotheek De Kimpel"
    return name[0].upper() + name[1:]


def _name_before(prefix: str) -> str | None:
    """The place name in the text before an address: a whole short line, or what follows the last
    preposition of a sentence ("... kan je in Bibliotheek De Kimpel (")."""
    prefix = re.split(r"(?<=[.!?])\s+", prefix.rstrip(" ,(–-|:"))[-1]  # only the sentence the address is in
    if not prefix:
        return None
    label_free = _LABEL.sub("", prefix)
    if (
        len(label_free) <= 45
        and not re.search(r"[.!?]\s", label_free)
        and (not _PREP.search(label_free) or _VENUE_WORDS.search(label_free.split()[0]))
        and (name := _clean_name(label_free))
    ):
        return name
    preps = list(_PREP.finditer(prefix))
    if preps:
        tail = prefix[preps[-1].end() :]
        if tail and (tail[0].isupper() or _VENUE_WORDS.search(tail)) and len(tail) <= 50:
            return _clean_name(tail)
    # "..., elke maandag 20u-21u, zwembad Bilzen (Eikenlaan 27)": the last comma-separated chunk.
    chunk = re.split(r",\s+|\s[–-]\s", prefix)[-1].strip()
    if 0 < len(chunk) <= 40 and _VENUE_WORDS.search(chunk):
        return _clean_name(chunk)
    return None


def recase(line: str) -> str:
    """The same line in ordinary capitals, so names and addresses can be recognised: a shouted flyer line
    ("ZAAL CASINO, MUNSTERSTRAAT 12, 3740 MUNSTERBILZEN") in title case with small words lower, and in a
    lower-case chat line the streets and towns capitalised ("sint-mauritiusplein 1, 3740 bilzen").
    Every character keeps its place, so positions found here hold in the original too."""
    shouting = is_shouting(line)
    words = list(re.finditer(r"[^\W\d_][\w'’-]*", line))
    out = list(line)
    for i, m in enumerate(words):
        word = m.group(0)
        low = word.lower()
        if shouting:
            if not word.isupper():
                continue
            after = line[m.end() : m.end() + 6]
            previous = words[i - 1].group(0).lower() if i else ""
            if low in _SMALL_WORDS and i > 0:
                keep_capital = (
                    low in ("de", "het", "'t") and previous not in _PREPOSITIONS and re.match(r"\s+\w", after)
                )
                new = word.capitalize() if keep_capital else low
            elif len(word) <= 3 and not re.search(r"[aeiouy]", low):
                new = word  # "KWB", "CC", "JH": initials stay
            else:
                new = "-".join(part.capitalize() for part in low.split("-"))
        elif word.islower() and (
            low in _FOLDED_TOWNS
            or (_LOWER_STREET.match(low) and re.match(r"\s+\d", line[m.end() :]))
            or re.search(r"(?<!\d)\d{4}\s+$", line[max(0, m.start() - 6) : m.start()])
        ):
            new = "-".join(part.capitalize() for part in low.split("-"))
        else:
            continue
        out[m.start() : m.end()] = new
    return "".join(out)


def _format_address(m: re.Match) -> str:
    if "nr" not in m.groupdict():
        return f"{m.group('street')}, {m.group('pc')} {m.group('town')}"
    addr = f"{m.group('street')} {m.group('nr').strip()}"
    if m.group("town"):
        addr += ", " + (f"{m.group('pc')} " if m.group("pc") else "") + m.group("town")
    return addr


def extract_place(lines: list[str], extra: list[str] | None = None) -> PlaceResult:
    """Find the first address in `lines` (then `extra`, e.g. a signature) and the place name beside it."""
    res = PlaceResult()
    lines = [recase(clean_line(x)) for x in lines]
    body_venue = None
    for source in (lines, [recase(clean_line(x)) for x in extra or []]):
        if source is not lines and (body_venue := _venue_name(lines, with_address=True)) is not None:
            break  # the body names where it is ("in de kerk van Rijkhoven"): the signature's address is the sender's
        for i, line in enumerate(source):
            m = _ADDRESS.search(line) or _ADDRESS_NO_NUMBER.search(line)
            if not m:
                continue
            res.address = _format_address(m)
            res.confidence = 0.9 if m.group("town") else 0.7
            prefix = line[: m.start()]
            paren = prefix.rfind("(")
            if paren != -1 and ")" not in prefix[paren:]:
                prefix = prefix[:paren]
            res.name = _name_before(prefix)
            if res.name and _ROOM.match(res.name) and (hits := find_partners(line)):
                res.name = f"{hits[0][1]}, {res.name[0].lower()}{res.name[1:]}"  # "CC De Kimpel, grote zaal"
            if res.name is None and not prefix.strip(" :-–📍") and i > 0:
                above = source[i - 1].strip()
                if above and len(above) <= 45 and not re.search(r"\d{1,2}[:u]\d\d|[.!?]$|€", above):
                    res.name = _clean_name(above)
            break
        if res.address:
            break
    building = next((m for line in lines if (m := _BUILDING_IN_TOWN.search(line))), None)
    if building and res.address and building.group("town").lower() not in res.address.lower():
        # "in de kerk van Rijkhoven" in the text, and only the sender's address elsewhere: the church it is.
        return PlaceResult(name=_building_name(building), address=None, confidence=0.6)
    if res.name is None:
        res.name = body_venue or _venue_name(lines, with_address=res.address is not None)
        if res.name and not res.address:
            res.confidence = 0.5
    return res


def _building_name(m: re.Match) -> str:
    return f"{m.group('noun').capitalize()} {m.group('prep').lower()} {m.group('town')}"


def _venue_name(lines: list[str], *, with_address: bool) -> str | None:
    """A name without one beside the address: "in zaal De Schakel", "in het Sociaal Huis", or (only when there
    is no address at all) a short line that is a known venue ("CC De Kimpel, grote zaal")."""
    for line in lines:
        if m := _IN_PLACE.search(line):
            return _clean_name(m.group("name"))
    for line in lines:
        if m := _BUILDING_IN_TOWN.search(line):
            return _building_name(m)
    for line in lines:
        if m := _OPEN_SPACE.search(line):
            name = m.group("name")
            name = name[0].upper() + name[1:]
            return f"{name}, {m.group('town')}" if m.group("town") else name
    for line in lines:
        for pos, partner in find_partners(line):
            before = fold(line)[:pos]
            if re.search(r"\b(?:in|aan|bij|naar)\s+(?:het\s+|de\s+)?$", before) and not _SALES.search(
                re.split(r"[.!?;,]", before)[-1]
            ):
                return partner  # "in het Sociaal Huis"; not "tickets in de bib", where one buys them
    if with_address:
        return None
    for line in lines:
        stripped = line.strip()
        short_venue = _VENUE_WORDS.search(stripped) or stripped.count(" ") <= 4
        if (
            short_venue
            and 0 < len(stripped) <= 40
            and find_partners(stripped)
            and not re.search(r"[.!?]$|\d", stripped)
        ):
            return _clean_name(stripped)
    return None
