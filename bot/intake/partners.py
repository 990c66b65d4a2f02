"""Known names of the Lokaal Netwerk Bilzen: partners (for the organizer) and towns (for addresses).

Matching a known name beats guessing from capitals: "Een initiatief van Huis van het Kind Bilzen" and
"HUIS VAN HET KIND" both become the partner "Huis van het Kind".
"""

from __future__ import annotations

import re

from .text import fold

# canonical name -> aliases (folded); the longest alias found in a text wins.
PARTNERS: dict[str, tuple[str, ...]] = {
    "Bibliotheek De Kimpel": (
        "bibliotheek de kimpel",
        "bib de kimpel",
        "bibliotheek bilzen",
        "bib bilzen",
        "de bib",
        "bibliotheek",
    ),
    "CC De Kimpel": ("cultuurcentrum de kimpel", "cc de kimpel", "de kimpel", "cultuurcentrum bilzen"),
    "LDC De Wijzer": (
        "ldc de wijzer",
        "lokaal dienstencentrum de wijzer",
        "dienstencentrum de wijzer",
        "de wijzer",
    ),
    "Welbi": ("welzijnsschakel welbi", "welbi"),
    "Share & Care": ("share & care", "share and care", "share&care", "share en care"),
    "CKG Molenberg": ("ckg molenberg", "centrum voor kinderzorg en gezinsondersteuning molenberg"),
    "Huis van het Kind": ("huis van het kind",),
    "Sociaal Huis": ("sociaal huis", "ocmw bilzen", "ocmw"),
    "Sportdienst": ("sportdienst",),
    "Jeugddienst": ("jeugddienst",),
    "Jeugdwelzijnswerk": ("jeugdwelzijnswerk",),
    "Vrijetijdsdiensten": ("vrijetijdsdiensten", "vrijetijdsdienst", "dienst vrije tijd"),
    "MC Sint-Jozef": ("mc sint-jozef", "medisch centrum sint-jozef", "mc sint jozef"),
    "Horizont vzw": ("horizont vzw", "horizont"),
    "De Wiekslag": ("de wiekslag",),
    "De Brug": ("ontmoetingscentrum de brug",),
    "Academie voor Muziek, Woord en Dans": (
        "academie voor muziek, woord en dans",
        "muziekacademie",
        "academie voor muziek woord en dans",
    ),
    "Minder Mobielen Centrale": ("minder mobielen centrale",),
}

TOWNS = ("Bilzen", "Munsterbilzen", "Eigenbilzen", "Beverst", "Hoelbeek", "Rijkhoven", "Grote-Spouwen",
         "Kleine-Spouwen", "Spouwen", "Mopertingen", "Martenslinde", "Waltwilder", "Hees", "Schoonbeek",
         "Rosmeer", "Merem", "Jongenbos")  # fmt: skip

_ALIAS_TO_NAME = {alias: name for name, aliases in PARTNERS.items() for alias in aliases}
# One alternation, longest alias first, so "bibliotheek de kimpel" wins over "de kimpel" at the same spot.
_PARTNER_RX = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(a) for a in sorted(_ALIAS_TO_NAME, key=len, reverse=True)) + r")(?![\w-])"
)


def find_partners(text: str) -> list[tuple[int, str]]:
    """(position, canonical name) of each known partner named in `text`, in text order."""
    return [(m.start(), _ALIAS_TO_NAME[m.group(1)]) for m in _PARTNER_RX.finditer(fold(text))]


def partner_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of each known partner named in `text`, in text order."""
    return [(m.start(), m.end(), _ALIAS_TO_NAME[m.group(1)]) for m in _PARTNER_RX.finditer(fold(text))]


def canonical_partner(name: str | None) -> str | None:
    """The known partner inside a free-form organizer name, else the name itself (trimmed)."""
    if not name:
        return None
    hits = find_partners(name)
    return hits[0][1] if hits else name.strip(" .,;:-–")
