"""Who runs the offer: the organiser, from what the text says about itself.

In order of trust: a stated organiser ("georganiseerd door", "een organisatie van"), the forward origin, the
mail's sender, the organisation that acts in a sentence ("Natuurpunt Bilzen nodigt jullie uit", "voor
moederdag organiseert de gezinsbond", "de Minder Mobielen Centrale van Welbi brengt je"), a flyer's
header or footer line that is only a name ("STAD BILZEN & SENIORENRAAD", "chiro schoonbeek"), the one to
call or write, the signature, and else the first organisation the text names that is not just the place.
"""

from __future__ import annotations

import re

from .organisations import find_organisations, is_local_movement, organisation_line
from .partners import TOWNS, canonical_partner, find_partners, partner_spans
from .text import Parsed, clean_line, fold, split_sentences

_ORGANIZER_CUE = re.compile(
    r"\b(?:georganiseerd door|(?:een\s+)?organisatie van|organisatie|organisator|een initiatief van|initiatief van"
    r"|in opdracht van)\s*:?\s*(?:de\s+|het\s+)?(?P<name>[^\n.;]{2,60})",
    re.I,
)
_CONTACT_CLAUSE = re.compile(
    r"\b(bel|contacteer|contact|info|inschrijv\w*|aanmeld\w*|vragen|reserv\w*|kaarten|tickets)\b", re.I
)
_ORG_WORDS = re.compile(
    r"dienst|werk|centrum|huis|vzw|school|club|bib|cultuur|jeugd|sport|welzijn|stad|gemeente|academie|team",
    re.I,
)
_VERB = (
    r"(?:organiseert|organiseren|nodigt|nodigen|start|starten|trekt|trekken|geeft|geven|houdt|houden|heeft|hebben"
    r"|biedt|bieden|brengt|brengen|zet|zetten|doet|doen|speelt|spelen|betaalt|betalen|komt|verzorgt|ontvangt"
    r"|zoekt|voorziet|stelt|plant|viert)"
)
_TOWN = "|".join(re.escape(t) for t in sorted(TOWNS, key=len, reverse=True))
# After the organisation: an optional place ("in Tongeren"), then the verb that makes it the actor.
_ACTS_AFTER = re.compile(rf"\s*(?:(?:in|uit)\s+[\w-]+\s+|(?i:{_TOWN})\s+)?(?:samen\s+)?{_VERB}\b", re.I)
_ACTS_BEFORE = re.compile(rf"\b{_VERB}\s+(?:samen\s+)?(?:de\s+|het\s+|ook\s+)?$", re.I)
_OF = re.compile(r"\s+van\s+(?:de\s+|het\s+)?", re.I)
_AND = re.compile(r"\s+(?:en|&)\s+(?:de\s+|het\s+)?", re.I)


def _candidates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of known partners and other organisation names, in text order."""
    found = partner_spans(text)
    for pos, name in find_organisations(text):
        if not any(a <= pos < b for a, b, _ in found):
            found.append((pos, pos + len(name), name))
    return sorted(found)


def _actor(sentence: str) -> str | None:
    """The organisation that does something in this sentence, as subject or right after the verb."""
    cands = _candidates(sentence)
    i = 0
    while i < len(cands):
        first = cands[i][0]
        j = i
        while j + 1 < len(cands) and _OF.fullmatch(sentence[cands[j][1] : cands[j + 1][0]]):
            j += 1  # "de Minder Mobielen Centrale van Welbi": Welbi runs it
        owner = cands[j][2]
        k, end = j, cands[j][1]
        while k + 1 < len(cands) and _AND.fullmatch(sentence[end : cands[k + 1][0]]):
            k += 1  # "Het Huis van het Kind en het Sociaal Huis organiseren": the first one named
            end = cands[k][1]
        is_subject = sentence[:first].strip(" -–:!?,").count(" ") <= 3
        if (is_subject and _ACTS_AFTER.match(sentence, end)) or _ACTS_BEFORE.search(sentence[:first]):
            return owner
        i = k + 1
    return None


def _edge_lines(lines: list[str]) -> list[str]:
    """Organisation names standing alone on one of the first two or last two lines of a flyer or post."""
    content = [clean_line(x) for x in lines if clean_line(x)]
    edges = content[:2] + content[-2:] if len(content) > 2 else content
    found: list[str] = []
    for line in edges:
        head = re.split(r"\s+[–|]\s+|\s+-\s+", line)[0]
        if (name := organisation_line(head)) and name not in found:
            found.append(name)
    # "JH DE PIT" and "JEUGDHUIS DE PIT – STATIONSLAAN 7": the same house, the longer name says more.
    for name in list(found):
        tail = fold(name).split()[1:]
        longer = [n for n in found if n != name and tail and fold(n).split()[1:] == tail and len(n) > len(name)]
        if longer:
            found.remove(name)
    return found


def _with_town(name: str, place: dict | None) -> str:
    """'Gezinsbond' in a text about Bilzen is its local branch: 'Gezinsbond Bilzen'."""
    if not is_local_movement(name):
        return name
    address = (place or {}).get("address") or ""
    town = next((t for t in TOWNS if re.search(rf"\b{re.escape(t)}\b", address)), None)
    return f"{name} {town}" if town else name


def find_organizer(parsed: Parsed, origin: str | None, body: str, place: dict | None) -> tuple[str | None, float]:
    """The organiser's name and a rough confidence (0-1)."""
    explicit = parsed.fb_organizer
    if not explicit and (m := _ORGANIZER_CUE.search(body)):
        explicit = m.group("name")
    if explicit:
        explicit = re.split(r"\s+(?:i\.?s\.?m\.?|in samenwerking met|en|&amp;)\s+|,\s", explicit)[0]
        return canonical_partner(explicit.strip(" .!")), 0.9
    if origin and find_partners(origin):
        return canonical_partner(origin), 0.9
    sender = parsed.sender_name
    if sender and (find_partners(sender) or _ORG_WORDS.search(sender) or find_organisations(sender)):
        return canonical_partner(sender), 0.8
    for sentence in split_sentences(body):
        if name := _actor(sentence):
            return _with_town(canonical_partner(name) or name, place), 0.8
    if edges := _edge_lines(parsed.body):
        return _with_town(canonical_partner(edges[0]) or edges[0], place), 0.7
    for sentence in split_sentences(body):
        if _CONTACT_CLAUSE.search(sentence) and (cands := _candidates(sentence)):
            return _with_town(cands[0][2], place), 0.7
    signature = "\n".join(parsed.signature)
    if hits := find_partners(signature):
        return hits[0][1], 0.7
    for line in reversed(parsed.signature):
        if name := organisation_line(re.split(r"\s+[–|]\s+", clean_line(line))[-1]):
            return canonical_partner(name) or name, 0.6
    where = canonical_partner((place or {}).get("name")) if place else None
    cands = _candidates(body)
    for _, _, name in cands:
        if name != where:
            return _with_town(name, place), 0.6
    if cands:
        return cands[0][2], 0.5
    if origin:
        return origin.strip(), 0.4
    return None, 0.0
