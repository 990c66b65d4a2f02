"""A draft as a key figure sees it, without a database: read from a pasted text, shown as a preview.

The desk (Telegram) and `python -m bot draft` (the command line) both use these, so the preview a
coordinator checks in a terminal is the one key figures get. Nothing here writes anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from bot.chat.cards import card
from bot.chat.replies import join_lines
from bot.intake import extract_offer
from bot.offers.model import Offer
from bot.platform.calendar import next_occurrence
from bot.platform.texts import Texts

# Warnings worth a line in the preview (the others only lower the confidence).
NOTE_WARNINGS = ("text_truncated", "see_attachment", "multiple_dates", "ambiguous_date", "time_missing")


@dataclass(frozen=True)
class DraftRead:
    """The draft read from a text: the offer fields, what is missing (title, when) and the notes to show."""

    data: dict[str, Any]
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_draft(
    text: str, *, today: dt.date, tz: str, texts: Texts, origin: str | None = None, photo: str | None = None
) -> DraftRead:
    """The intake's draft of `text`, with a placeholder title when none was found (it is then asked)."""
    extraction = extract_offer(text, today=today, origin=origin, tz=tz)
    data = dict(extraction.offer)
    missing = list(extraction.missing)
    if not data.get("title"):
        data["title"] = texts.label("keyfigures.draft.no_title")
        if "title" not in missing:
            missing.insert(0, "title")
    if photo:
        data["photo"] = photo
    return DraftRead(data, missing, [w for w in extraction.warnings if w in NOTE_WARNINGS or w == "empty_text"])


def whole_day(offer: Offer) -> bool:
    """A date without a time (00:00 to 23:59): flagged in the preview, never presented as read."""
    when = offer.when
    return when is not None and when.start.time() == dt.time(0, 0) and when.end.time() == dt.time(23, 59)


def offer_card(
    offer: Offer, texts: Texts, now_local: dt.datetime, *, full: bool = True, cancelled: bool = False
) -> Markup:
    """The offer's card as people see it; a past one-off date is still shown (for previews)."""
    start = end = None
    if offer.when is not None:
        found = next_occurrence(offer.when, now_local)
        start, end = found if found is not None else (offer.when.start, offer.when.end)
    return card(offer, texts, next_start=start, next_end=end, today=now_local.date(), full=full, cancelled=cancelled)


def is_past(offer: Offer, now_local: dt.datetime) -> bool:
    return offer.when is not None and next_occurrence(offer.when, now_local) is None


@dataclass(frozen=True)
class Preview:
    """The preview's text, and whether it asks for a date (then the desk adds 📅 Datum aanpassen)."""

    body: Markup
    asks_date: bool


def preview(
    offer: Offer,
    texts: Texts,
    now_local: dt.datetime,
    *,
    notes: list[Markup] | tuple[Markup, ...] = (),
    duplicate: Offer | None = None,
) -> Preview:
    """'Zo ziet je aanbod eruit', the notes, what to check (no date, a past date, no time), the card, and the
    offer it probably duplicates."""
    lines: list[Markup | None] = [texts("keyfigures.preview.intro"), *notes]
    asks_date = True
    if offer.when is None and offer.kind == "activity":
        lines.append(texts("keyfigures.preview.no_date"))
    elif is_past(offer, now_local):
        lines.append(texts("keyfigures.preview.past"))
    elif whole_day(offer):
        if texts("keyfigures.warnings.time_missing") not in notes:
            lines.append(texts("keyfigures.warnings.time_missing"))
    else:
        asks_date = False
    body = join_lines(lines) + Markup("\n\n") + offer_card(offer, texts, now_local)
    if duplicate is not None:
        body += (
            Markup("\n\n")
            + texts("keyfigures.preview.duplicate")
            + Markup("\n")
            + offer_card(duplicate, texts, now_local, full=False)
        )
    return Preview(body, asks_date)


def notes_for(read: DraftRead, texts: Texts, *, pasted: bool) -> list[Markup]:
    """The lines above the preview: the warnings, and for a pasted text that it was read as an offer."""
    notes = [texts(f"keyfigures.warnings.{w}") for w in read.warnings if w in NOTE_WARNINGS]
    if pasted:
        notes.insert(0, texts("keyfigures.draft.read_as_offer"))
    return notes
