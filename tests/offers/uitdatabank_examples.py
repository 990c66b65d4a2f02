"""Example UiTdatabank Search API v3 responses, written from cultuurnet's public documentation.

Where each shape comes from (cultuurnet/apidocs, projects/uitdatabank/docs/..., and cultuurnet/udb3-json-schemas):
- the response: a hydra `PagedCollection` with `itemsPerPage`, `totalItems` and `member` (search-api/embedding.md,
  "With embedding"; paging with `start`/`limit`: search-api pagination);
- an event: event.json (required mainLanguage, name, terms, location, calendarType), localized `name` and
  `description` ({"nl": ...}); the place embedded in `location` with a localized `address`
  (common-address.json: {"nl": {addressCountry, addressLocality, postalCode, streetAddress}});
- terms: event-terms.json ({"id", "label", "domain"}: eventtype, theme, facility); the facility 'Kinderopvang'
  3.9.0.0.0 from the taxonomy's list of facilities (voorzieningen); childcare times on a subEvent or an
  openingHours entry: entry-api/shared/calendar-info.md, "Childcare times";
- calendars: entry-api/shared/calendar-info.md (single, multiple with subEvent, periodic with openingHours
  and openingHoursClosedDays, permanent); subEvent items: event-subEvent.json;
- status: entry-api/events/status.md (Available, Unavailable = cancelled, TemporarilyUnavailable = postponed,
  with a `reason`, on the event and on each subEvent);
- bookingAvailability: entry-api/events/booking-availability.md (Unavailable = sold out or fully booked);
- typicalAgeRange: common-typicalAgeRange.json ("6-12", "-12", "6-"); audience: event-audience.json;
- priceInfo: common-priceInfo.json (base, tariff with a name) and search-api/embedding-uitpas-prices.md
  (category "uitpas", name "Kansentarief met UiTPAS ...", with embedUitpasPrices=true);
- bookingInfo: common-bookingInfo.json (phone, email, url, urlLabel, availabilityStarts, availabilityEnds);
- contactPoint: common-offer-contactPoint.json (lists of phone, email, url); organizer: {"@id", "name"}.
The ids are made up; the Bilzen places and prices are the sample's.
"""

from __future__ import annotations

import copy
from typing import Any

IO = "https://io.uitdatabank.be"
KIMPEL_ID = f"{IO}/place/0f4ea9ad-3681-4f3d-9b0c-2a3f8b8c1a10"

KIMPEL: dict[str, Any] = {  # a place as the Search API embeds it (search-api/embedding.md; common-address.json)
    "@id": KIMPEL_ID,
    "@type": "Place",
    "@context": "/contexts/place",
    "mainLanguage": "nl",
    "name": {"nl": "Cultuurcentrum De Kimpel"},
    "address": {
        "nl": {"addressCountry": "BE", "addressLocality": "Bilzen", "postalCode": "3740", "streetAddress": "Kimpel 5"}
    },
    "terms": [{"id": "OyaPaf64AEmEAYXHeLMAtA", "label": "Cultuur- of ontmoetingscentrum", "domain": "eventtype"}],
}

CONCERT: dict[str, Any] = {  # calendarType single, every price line, booking info with a deadline
    "@id": f"{IO}/event/5330a84f-7496-46a1-b60d-fa7d62ec5fb8",
    "@type": "Event",
    "@context": "/contexts/event",
    "mainLanguage": "nl",
    "name": {"nl": "Kerstconcert van de harmonie", "fr": "Concert de Noël"},
    "description": {"nl": "<p>De harmonie speelt kerstmuziek voor jong en oud.</p><p>Met warme chocomelk na.</p>"},
    "terms": [
        {"id": "0.50.4.0.0", "label": "Concert", "domain": "eventtype"},
        {"id": "1.8.1.0.0", "label": "Klassieke muziek", "domain": "theme"},
    ],
    "location": KIMPEL,
    "calendarType": "single",
    "startDate": "2026-12-20T15:00:00+01:00",
    "endDate": "2026-12-20T17:00:00+01:00",
    "subEvent": [
        {
            "id": 0,
            "startDate": "2026-12-20T15:00:00+01:00",
            "endDate": "2026-12-20T17:00:00+01:00",
            "status": {"type": "Available"},
            "bookingAvailability": {"type": "Available"},
        }
    ],
    "status": {"type": "Available"},
    "bookingAvailability": {"type": "Available"},
    "typicalAgeRange": "-",
    "audience": {"audienceType": "everyone"},
    "priceInfo": [
        {
            "category": "base",
            "name": {"nl": "Basistarief", "fr": "Tarif de base", "en": "Base tariff", "de": "Basisrate"},
            "price": 10,
            "priceCurrency": "EUR",
        },
        {"category": "tariff", "name": {"nl": "Kinderen -12"}, "price": 6, "priceCurrency": "EUR"},
        {"category": "tariff", "name": {"nl": "Studenten"}, "price": 8, "priceCurrency": "EUR"},
        {"category": "uitpas", "name": {"nl": "Kansentarief met UiTPAS Bilzen"}, "price": 2, "priceCurrency": "EUR"},
    ],
    "bookingInfo": {
        "phone": "089 00 03 00",
        "email": "tickets@example.be",
        "url": "https://www.example.be/tickets/kerstconcert",
        "urlLabel": {"nl": "Koop tickets"},
        "availabilityStarts": "2026-11-01T09:00:00+01:00",
        "availabilityEnds": "2026-12-18T23:59:00+01:00",
    },
    "contactPoint": {"phone": ["089 00 03 00"], "email": ["dekimpel@example.be"], "url": ["https://www.example.be"]},
    "organizer": {"@id": f"{IO}/organizers/6d5b4a3c-0000-4000-8000-000000000001", "name": {"nl": "Harmonie Bilzen"}},
}

WORKSHOP: dict[str, Any] = {  # calendarType multiple: one date cancelled, childcare times on a date
    "@id": f"{IO}/event/7b1f0c52-3a3d-4c77-9e8e-1f2a3b4c5d6e",
    "@type": "Event",
    "mainLanguage": "nl",
    "name": {"nl": "Dansworkshop voor kinderen"},
    "description": {"nl": "Drie namiddagen dansen op muziek van nu."},
    "terms": [
        {"id": "0.3.1.0.0", "label": "Cursus of workshop", "domain": "eventtype"},
        {"id": "1.51.6.0.0", "label": "Fitness, gymnastiek, dans en vechtsport", "domain": "theme"},
    ],
    "location": {"@id": KIMPEL_ID},  # a reference; the place is a member of the same response
    "calendarType": "multiple",
    "startDate": "2027-01-06T14:00:00+01:00",
    "endDate": "2027-01-20T16:00:00+01:00",
    "subEvent": [
        {
            "id": 0,
            "startDate": "2027-01-06T14:00:00+01:00",
            "endDate": "2027-01-06T16:00:00+01:00",
            "status": {"type": "Available"},
            "childcare": {"start": "13:30", "end": "16:30"},
        },
        {
            "id": 1,
            "startDate": "2027-01-13T14:00:00+01:00",
            "endDate": "2027-01-13T16:00:00+01:00",
            "status": {"type": "Unavailable", "reason": {"nl": "De zaal is niet vrij."}},
        },
        {
            "id": 2,
            "startDate": "2027-01-20T14:00:00+01:00",
            "endDate": "2027-01-20T16:00:00+01:00",
            "status": {"type": "Available"},
        },
    ],
    "status": {"type": "Available"},
    "typicalAgeRange": "6-12",
    "priceInfo": [{"category": "base", "name": {"nl": "Basistarief"}, "price": 15, "priceCurrency": "EUR"}],
}

ATELIER: dict[str, Any] = {  # calendarType periodic: opening hours, a closed day, the facility 'Kinderopvang'
    "@id": f"{IO}/event/9c8d7e6f-5a4b-4c3d-8e2f-0a1b2c3d4e5f",
    "@type": "Event",
    "mainLanguage": "nl",
    "name": {"nl": "Open atelier schilderen"},
    "description": {"nl": "Kom schilderen in het atelier van de academie. Materiaal is er."},
    "terms": [
        {"id": "0.3.1.0.0", "label": "Cursus of workshop", "domain": "eventtype"},
        {"id": "1.42.0.0.0", "label": "Creativiteit", "domain": "theme"},
        {"id": "3.9.0.0.0", "label": "Kinderopvang", "domain": "facility"},
    ],
    "location": {
        "@id": f"{IO}/place/11111111-2222-4333-8444-555555555555",
        "@type": "Place",
        "name": {"nl": "Academie Bilzen"},
        "address": {
            "addressCountry": "BE",
            "addressLocality": "Bilzen",
            "postalCode": "3740",
            "streetAddress": "Kloosterstraat 3",
        },  # the older, not localized address (embedding.md)
    },
    "calendarType": "periodic",
    "startDate": "2027-01-04T00:00:00+01:00",
    "endDate": "2027-03-26T23:59:59+01:00",
    "openingHours": [{"opens": "19:00", "closes": "21:30", "dayOfWeek": ["monday", "thursday"]}],
    "openingHoursClosedDays": [{"startDate": "2027-02-08", "endDate": "2027-02-11", "description": {"nl": "Krokus"}}],
    "typicalAgeRange": "16-",
    "priceInfo": [{"category": "base", "name": {"nl": "Basistarief"}, "price": 3, "priceCurrency": "EUR"}],
    "organizer": {"name": {"nl": "Academie Bilzen"}},
}

FEAST: dict[str, Any] = {  # cancelled: status Unavailable on the event and its only date
    "@id": f"{IO}/event/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    "@type": "Event",
    "mainLanguage": "nl",
    "name": {"nl": "Volkstuinfeest"},
    "terms": [{"id": "0.28.0.0.0", "label": "Kermis of feestelijkheid", "domain": "eventtype"}],
    "location": KIMPEL,
    "calendarType": "single",
    "subEvent": [
        {
            "startDate": "2027-01-09T14:00:00+01:00",
            "endDate": "2027-01-09T18:00:00+01:00",
            "status": {"type": "Unavailable", "reason": {"nl": "Afgelast wegens storm."}},
        }
    ],
    "status": {"type": "Unavailable", "reason": {"nl": "Afgelast wegens storm."}},
}

YOGA: dict[str, Any] = {  # fully booked: bookingAvailability Unavailable
    "@id": f"{IO}/event/12345678-90ab-4cde-8f01-234567890abc",
    "@type": "Event",
    "mainLanguage": "nl",
    "name": {"nl": "Yoga voor beginners"},
    "terms": [{"id": "0.59.0.0.0", "label": "Sport en beweging", "domain": "eventtype"}],
    "location": KIMPEL,
    "calendarType": "single",
    "subEvent": [
        {
            "startDate": "2027-01-12T19:00:00+01:00",
            "endDate": "2027-01-12T20:00:00+01:00",
            "bookingAvailability": {"type": "Unavailable"},
        }
    ],
    "bookingAvailability": {"type": "Unavailable"},
    "typicalAgeRange": "16-",
    "priceInfo": [{"category": "base", "name": {"nl": "Basistarief"}, "price": 5, "priceCurrency": "EUR"}],
}

QUIZ: dict[str, Any] = {  # postponed: status TemporarilyUnavailable
    "@id": f"{IO}/event/fedcba98-7654-4321-8fed-cba987654321",
    "@type": "Event",
    "mainLanguage": "nl",
    "name": {"nl": "Quiz in de bib"},
    "terms": [{"id": "0.50.21.0.0", "label": "Spel of quiz", "domain": "eventtype"}],
    "location": KIMPEL,
    "calendarType": "single",
    "subEvent": [
        {
            "startDate": "2027-01-15T20:00:00+01:00",
            "endDate": "2027-01-15T22:00:00+01:00",
            "status": {"type": "TemporarilyUnavailable"},
        }
    ],
    "status": {"type": "TemporarilyUnavailable", "reason": {"nl": "Nieuwe datum volgt."}},
}


def events() -> list[dict[str, Any]]:
    """A fresh copy of every example event (tests change them)."""
    return copy.deepcopy([CONCERT, WORKSHOP, ATELIER, FEAST, YOGA, QUIZ])


def response(members: list[dict[str, Any]], *, total: int | None = None, per_page: int = 30) -> dict[str, Any]:
    """A Search API response (search-api/embedding.md, "With embedding")."""
    return {
        "@context": "http://www.w3.org/ns/hydra/context.jsonld",
        "@type": "PagedCollection",
        "itemsPerPage": per_page,
        "totalItems": len(members) if total is None else total,
        "member": members,
    }
