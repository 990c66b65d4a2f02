"""Keeping the search index in step with the offers: FTS5 text, vocabulary and occurrences.

Index rows are written in the same transaction as the offer itself, so a search never sees an
offer half-indexed, and an import that fails leaves the index as it was. Only published offers
are indexed: drafts, pending and cancelled offers can never be found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.calendar import HORIZON, materialize
from bot.db import Transaction
from bot.offers.model import TIME_FORMAT, Offer
from bot.search.analyzer import Analyzer

FIELDS = ("title", "keywords", "categories", "summary", "description", "extra")
VOCABULARY_FIELDS = ("title", "keywords", "categories", "summary", "description")
MIN_VOCABULARY_WORD = 3


@dataclass(frozen=True)
class IndexEntry:
    """What the index holds for one offer."""

    columns: tuple[str, ...]  # space-separated stems, one string per field in FIELDS
    words: dict[str, str]  # surface word -> stem, for the typo vocabulary
    occurrences: tuple[tuple[str, str], ...]  # local (start, end) as text


def field_texts(offer: Offer) -> dict[str, str]:
    """The text of each indexed field. Addresses and contact data are left out: they only add noise."""
    location = offer.location.name if offer.location and offer.location.name else ""
    extra = " ".join(t for t in (offer.organizer, location, offer.price.note, offer.eligibility, offer.transport) if t)
    return {
        "title": offer.title,
        "keywords": " ; ".join(offer.keywords),
        "categories": " ; ".join(offer.categories),
        "summary": offer.summary or "",
        "description": offer.description or "",
        "extra": extra,
    }


def build_entry(offer: Offer, analyzer: Analyzer, *, now: dt.datetime) -> IndexEntry:
    """Analyse an offer into index rows; `now` (naive local) bounds open-ended recurrences."""
    texts = field_texts(offer)
    columns = []
    vocabulary: dict[str, str] = {}
    for name in FIELDS:
        tokens = analyzer.tokens(texts[name])
        columns.append(" ".join(analyzer.index_terms(tokens)))
        if name in VOCABULARY_FIELDS:
            for token in tokens:
                if len(token) >= MIN_VOCABULARY_WORD and not token.isdigit():
                    vocabulary[token] = analyzer.stem(token)
    occurrences: tuple[tuple[str, str], ...] = ()
    if offer.when is not None:
        until = max(now, offer.when.start) + HORIZON
        occurrences = tuple(
            (s.strftime(TIME_FORMAT), e.strftime(TIME_FORMAT)) for s, e in materialize(offer.when, until=until)
        )
    return IndexEntry(columns=tuple(columns), words=vocabulary, occurrences=occurrences)


async def add_entry(tx: Transaction, pk: int, entry: IndexEntry) -> None:
    """Insert an offer's index rows (its previous rows must have been removed)."""
    await tx.execute(
        f"INSERT INTO offer_text (rowid, {', '.join(FIELDS)}) VALUES (?, {', '.join('?' * len(FIELDS))})",
        (pk, *entry.columns),
    )
    await tx.executemany(
        "INSERT INTO vocabulary (word, stem, df) VALUES (?, ?, 1) ON CONFLICT (word) DO UPDATE SET df = df + 1",
        entry.words.items(),
    )
    await tx.executemany(
        "INSERT OR IGNORE INTO occurrences (offer_pk, start, end) VALUES (?, ?, ?)",
        ((pk, start, end) for start, end in entry.occurrences),
    )


async def remove_entry(tx: Transaction, pk: int, entry: IndexEntry) -> None:
    """Remove an offer's index rows; `entry` is the entry that was added for it."""
    await tx.execute("DELETE FROM offer_text WHERE rowid = ?", (pk,))
    await tx.executemany("DELETE FROM vocabulary WHERE word = ? AND df = 1", ((w,) for w in entry.words))
    await tx.executemany("UPDATE vocabulary SET df = df - 1 WHERE word = ?", ((w,) for w in entry.words))
    await tx.execute("DELETE FROM occurrences WHERE offer_pk = ?", (pk,))


async def bump_generation(tx: Transaction) -> None:
    """Tell running matchers (also in other processes) that the index changed."""
    await tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'index_generation'")


async def clear_index(tx: Transaction) -> None:
    """Empty the whole index, before a full rebuild."""
    await tx.execute("DELETE FROM offer_text")
    await tx.execute("DELETE FROM vocabulary")
    await tx.execute("DELETE FROM occurrences")
