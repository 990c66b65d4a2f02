"""Offers from where partners already publish them: UiTdatabank (JSON-LD) and iCal feeds.

Each importer turns a source's document into `SourceItem`s: a validated offer with a stable id derived
from the source's own id, that id, and whether the source cancelled it. What happens with them (new,
changed, gone, a coordinator's edits kept) is decided in one place, `bot.offers.sync`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.offers.model import Offer


@dataclass(frozen=True)
class SourceItem:
    """One offer as a source gives it."""

    offer: Offer
    external_id: str  # the source's own id: a UiTdatabank event's @id, an iCal event's UID
    cancelled: bool = False  # the source says it does not take place (UiTdatabank status, iCal STATUS:CANCELLED)


@dataclass(frozen=True)
class SourceDocument:
    """What one document of a source held: the offers, and what was left out and why (counts, for the coordinator)."""

    items: tuple[SourceItem, ...]
    skipped: dict[str, int]
    total: int | None = None  # how many the source says it has (UiTdatabank totalItems), to notice a partial fetch


class SourceError(ValueError):
    """A source document cannot be read at all (not JSON-LD of events, not iCalendar)."""


_NOT_ID = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 40) -> str:
    """Lower-case words joined by hyphens, as offer ids are written."""
    return _NOT_ID.sub("-", text.lower()).strip("-")[:limit].strip("-") or "x"


def detect(raw: bytes, suffix: str) -> str | None:
    """'uit' for UiTdatabank JSON-LD, 'ical' for iCalendar, None for the bot's own JSON or CSV."""
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    if suffix in (".ics", ".ical", ".ifb") or head.upper().startswith(b"BEGIN:VCALENDAR"):
        return "ical"
    if head[:1] == b"{" and (b'"@context"' in head or b'"@id"' in head or b'"mainLanguage"' in head):
        return "uit"
    return None
