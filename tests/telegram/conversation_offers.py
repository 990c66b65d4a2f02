"""The offers of the conversation tests: few, known, and made to test paging, 'Deze week' and escaping.

The clock of those tests stands at Wednesday 13 January 2027, 10:00 (Brussels).
"""

from __future__ import annotations

from typing import Any

from bot.offers.model import Offer
from bot.offers.store import OfferStore

SWIM_LESSON: dict[str, Any] = {
    "id": "zwemles-kinderen",
    "kind": "activity",
    "title": "Zwemles voor kinderen",
    "summary": "Leren zwemmen in kleine groepjes.",
    "description": "Een zwemleraar leert je kind stap voor stap zwemmen. Ouders kijken mee vanaf de tribune.",
    "categories": ["sport", "jeugd"],
    "keywords": ["zwemmen", "zwemles"],
    "organizer": "Sportdienst Bilzen",
    "location": {"name": "Zwembad Bilzen", "address": "Sportlaan 2, 3740 Bilzen"},
    "audience": {"min_age": 5, "max_age": 12, "groups": ["kinderen"]},
    "price": {"regular": 4, "reduced": 0.8},
    "when": {"start": "2027-01-16T09:00", "end": "2027-01-16T09:45", "rrule": "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270626"},
    "registration": "Inschrijven bij de sportdienst.",
    "contact": {"phone": "089 00 04 00", "email": "sport@example.be", "url": "https://example.be/zwemles"},
    "transport": "Bus 20 stopt voor de deur.",
    "eligibility": "Kinderen met een Rap op Stap-kaart.",
}

OFFERS: list[dict[str, Any]] = [
    SWIM_LESSON,
    {
        "id": "zwembad-beurtenkaart",
        "kind": "discount",
        "title": "Beurtenkaart zwembad aan 20%",
        "summary": "Tien keer zwemmen voor minder.",
        "keywords": ["zwemmen", "zwembad"],
        "location": {"name": "Zwembad Bilzen", "address": "Sportlaan 2, 3740 Bilzen"},
        "price": {"regular": 30, "reduced": 6},
    },
    {
        "id": "aquagym-senioren",
        "kind": "activity",
        "title": "Aquagym voor senioren",
        "summary": "Rustig bewegen en zwemmen in het water.",
        "keywords": ["zwemmen", "aquagym"],
        "audience": {"groups": ["senioren"]},
        "price": {"regular": 3, "reduced": 0.6},
        "when": {"start": "2027-01-19T10:00", "end": "2027-01-19T11:00"},
    },
    {
        "id": "zomerzwemmen",
        "kind": "activity",
        "title": "Zomerzwemmen in de vijver",
        "summary": "Zwemmen in open water, met redders.",
        "keywords": ["zwemmen", "zomer"],
        "price": {"regular": 0},
        "when": {"start": "2027-07-05T14:00", "end": "2027-07-05T17:00"},
    },
    {
        "id": "buurtfeest",
        "kind": "activity",
        "title": "Buurtfeest in de Kimpel",
        "summary": "Muziek, soep en spelletjes voor de hele buurt.",
        "keywords": ["feest", "buurt"],
        "price": {"regular": 0},
        "when": {"start": "2027-01-20T09:00", "end": "2027-01-20T09:50"},
    },
    {
        "id": "wandeling",
        "kind": "activity",
        "title": "Wandeling langs de Demer",
        "summary": "Samen wandelen, een uur, op je eigen tempo.",
        "keywords": ["wandelen"],
        "price": {"regular": 0},
        "when": {"start": "2027-01-20T10:30", "end": "2027-01-20T11:30"},
    },
    {
        "id": "spaghetti-avond",
        "kind": "activity",
        "title": "<b>Spaghetti & co</b>",
        "summary": "Samen <i>eten</i> & praten.",
        "keywords": ["spaghetti", "eten"],
        "location": {"name": "Zaal <De Kroon> & Zonen", "address": "Markt 1, 3740 Bilzen"},
        "transport": "Neem bus <20> & stap af aan de Markt.",
        "price": {"regular": 5, "reduced": 1},
        "when": {"start": "2027-01-14T18:00", "end": "2027-01-14T21:00"},
    },
    {
        "id": "stapmaatje",
        "kind": "support",
        "title": "Stapmaatje: iemand die met je meegaat",
        "summary": "Een vrijwilliger gaat samen met jou naar een activiteit.",
        "categories": ["ontmoeting"],
        "keywords": ["stapmaatje", "buddy", "meegaan"],
        "price": {"regular": 0},
        "contact": {"phone": "089 00 01 20"},
    },
    {
        "id": "oppasdienst",
        "kind": "support",
        "title": "Oppas voor je kinderen",
        "summary": "Een vrijwilliger past op je kinderen terwijl jij gaat.",
        "categories": ["opvang"],
        "keywords": ["oppas", "kinderopvang"],
        "price": {"regular": 3, "reduced": 0},
    },
    {
        "id": "belbus",
        "kind": "transport",
        "title": "Belbus: ophalen aan huis",
        "summary": "Bel een dag op voorhand en de belbus haalt je op.",
        "categories": ["vervoer"],
        "keywords": ["vervoer", "belbus", "ophalen"],
        "price": {"regular": 1.5, "reduced": 0},
    },
]

ACTIVITIES = [o["title"] for o in OFFERS if o["kind"] == "activity"]
SWIMMING = [
    "Zwemles voor kinderen",
    "Beurtenkaart zwembad aan 20%",
    "Aquagym voor senioren",
    "Zomerzwemmen in de vijver",
]


async def publish(offers: OfferStore, *data: dict[str, Any]) -> None:
    """Publish these offers; without any, the test offers above."""
    for one in data or OFFERS:
        await offers.save(Offer.from_dict(one), source="test", actor="test", status="published")
