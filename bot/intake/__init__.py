"""Intake: turn a forwarded flyer, post or e-mail into a draft offer (pure Python, no Telegram, no database).

    extract_offer(text, *, today, origin=None, tz="Europe/Brussels") -> Extraction
        Extraction.offer       all fields of the offer format (OFFER-FORMAT.md); unknown ones None/empty
        Extraction.missing     required things not found: "title", "when" (for what looks like an event)
        Extraction.warnings    text_truncated, empty_text, see_attachment, date_in_past, weekday_mismatch,
                               multiple_dates, ambiguous_date (a bare weekday), time_missing (start at 00:00),
                               bad_timezone
        Extraction.confidence  rough 0-1 per field: title, when, location, price, organizer
    find_duplicates(candidate, existing, *, threshold=70.0) -> [(id, score 0-100), ...], best first

Modules, one job each: text (cleaning, mail/Facebook/WhatsApp noise), clock (Flemish clock times: half 3,
kwart voor 8, 14u30, van 2 tot 5), dates (dates, series, office hours), prices, places, contacts, audience,
partners (known names), organisations (clubs and movements by their form), organizer (who runs it), titles
(the activity in the text's own words), classify (kind, categories, practical sentences), extract
(assembly), duplicates.

How well: `python bench/intake.py` prints the share of drafts with each field right on the studied set and
on a blind set.
"""

from .duplicates import find_duplicates
from .extract import OFFER_FIELDS, Extraction, extract_offer

__all__ = ["OFFER_FIELDS", "Extraction", "extract_offer", "find_duplicates"]
