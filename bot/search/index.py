"""Keeping the search index in step with the offers: FTS5 text, vocabulary, occurrences, vector rows.

Index rows are written in the same transaction as the offer itself, so a search never sees an
offer half-indexed, and an import that fails leaves the index as it was. Only published offers
are indexed: drafts, pending and cancelled offers can never be found. An offer's row in
offer_vectors records the fingerprint of the text that is embedded; when that text changes, the
vector is dropped here and computed again later (bot.search.semantic.vectors), outside the write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.offers.model import Offer
from bot.platform.calendar import HORIZON, materialize
from bot.platform.db import Transaction
from bot.search.analyzer import Analyzer
from bot.search.semantic.passages import passage_hash, passage_text

FIELDS = ("title", "keywords", "categories", "summary", "description", "extra")
VOCABULARY_FIELDS = ("title", "keywords", "categories", "summary", "description")
MIN_VOCABULARY_WORD = 3
_POSTCODE_PLACE = re.compile(r"\b\d{4}\s+([^\d,;]+)$")


@dataclass(frozen=True)
class IndexEntry:
    """What the index holds for one offer."""

    columns: tuple[str, ...]  # space-separated stems, one string per field in FIELDS
    words: dict[str, str]  # surface word -> stem, for the typo vocabulary
    occurrences: tuple[tuple[str, str], ...]  # local (start, end) as text
    longest_minutes: int = 0  # the duration of the longest occurrence
    passage_hash: str = ""  # fingerprint of the text the semantic side embeds


def field_texts(offer: Offer) -> dict[str, str]:
    """The text of each indexed field. Streets and contact data are left out: they only add noise.
    The village of the address stays: people ask for 'het speelplein in Beverst'."""
    location = offer.location.name if offer.location and offer.location.name else ""
    village = _village(offer.location.address if offer.location else None)
    extra = " ".join(
        t for t in (offer.organizer, location, village, offer.price.note, offer.eligibility, offer.transport) if t
    )
    return {
        "title": offer.title,
        "keywords": " ; ".join(offer.keywords),
        "categories": " ; ".join(offer.categories),
        "summary": offer.summary or "",
        "description": offer.description or "",
        "extra": extra,
    }


def _village(address: str | None) -> str:
    """'Bosstraat 30, 3740 Beverst' -> 'Beverst': the place after a Belgian postcode, if there is one."""
    found = _POSTCODE_PLACE.search(address or "")
    return found.group(1).strip() if found else ""


def build_entry(offer: Offer, analyzer: Analyzer, *, now: dt.datetime) -> IndexEntry:
    """Analyse an offer into index rows; `now` (naive local) bounds open-ended recurrences."""
    texts = field_texts(offer)
    columns = []
    vocabulary: dict[str, str] = {}
    for name in FIELDS:
        tokens = analyzer.tokens(texts[name])
        terms = analyzer.index_terms(tokens)
        columns.append(" ".join(terms))
        if name in VOCABULARY_FIELDS:
            vocabulary.update(zip(tokens, terms, strict=False))  # terms start with the tokens' own stems
    vocabulary = {w: s for w, s in vocabulary.items() if len(w) >= MIN_VOCABULARY_WORD and not w.isdigit()}
    occurrences: tuple[tuple[str, str], ...] = ()
    if offer.when is not None:
        until = max(now, offer.when.start) + HORIZON
        occurrences = tuple(
            (s.isoformat(timespec="minutes"), e.isoformat(timespec="minutes"))
            for s, e in materialize(offer.when, until=until)
        )
    longest = int(offer.when.longest.total_seconds() // 60) + 1 if offer.when is not None else 0
    return IndexEntry(
        columns=tuple(columns),
        words=vocabulary,
        occurrences=occurrences,
        longest_minutes=longest,
        passage_hash=passage_hash(passage_text(offer)),
    )


async def add_entries(tx: Transaction, entries: Sequence[tuple[int, IndexEntry]]) -> None:
    """Insert the index rows of offers (their previous rows must have been removed), in a few statements."""
    if not entries:
        return
    await tx.executemany(
        f"INSERT INTO offer_text (rowid, {', '.join(FIELDS)}) VALUES (?, {', '.join('?' * len(FIELDS))})",
        [(pk, *entry.columns) for pk, entry in entries],
    )
    counts = Counter(w for _, entry in entries for w in entry.words)
    stems = {w: s for _, entry in entries for w, s in entry.words.items()}
    await tx.executemany(
        "INSERT INTO vocabulary (word, stem, df) VALUES (?, ?, ?) "
        "ON CONFLICT (word) DO UPDATE SET df = df + excluded.df",
        [(word, stems[word], n) for word, n in counts.items()],
    )
    await tx.executemany(
        "INSERT OR IGNORE INTO occurrences (offer_pk, start, end) VALUES (?, ?, ?)",
        [(pk, start, end) for pk, entry in entries for start, end in entry.occurrences],
    )
    # A vector stays as long as the text it was computed from; a changed text waits for a new one.
    await tx.executemany(
        "INSERT INTO offer_vectors (offer_pk, passage_hash) VALUES (?, ?) ON CONFLICT (offer_pk) DO UPDATE "
        "SET passage_hash = excluded.passage_hash, model = NULL, vector = NULL "
        "WHERE offer_vectors.passage_hash != excluded.passage_hash",
        [(pk, entry.passage_hash) for pk, entry in entries],
    )
    longest = max((entry.longest_minutes for _, entry in entries), default=0)
    if longest:
        # The longest occurrence bounds how far back a search must look for one still running.
        await tx.execute(
            "INSERT INTO meta (key, value) VALUES ('longest_occurrence_minutes', ?) ON CONFLICT (key) "
            "DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            (str(longest),),
        )


async def remove_entries(tx: Transaction, entries: Sequence[tuple[int, IndexEntry]]) -> None:
    """Remove the index rows of offers; each entry must be the one that was added for that offer."""
    if not entries:
        return
    await tx.executemany("DELETE FROM offer_text WHERE rowid = ?", [(pk,) for pk, _ in entries])
    counts = Counter(w for _, entry in entries for w in entry.words)
    await tx.executemany("UPDATE vocabulary SET df = df - ? WHERE word = ?", [(n, w) for w, n in counts.items()])
    await tx.execute("DELETE FROM vocabulary WHERE df <= 0")
    await tx.executemany("DELETE FROM occurrences WHERE offer_pk = ?", [(pk,) for pk, _ in entries])


async def bump_generation(tx: Transaction) -> None:
    """Tell running matchers (also in other processes) that the index changed."""
    await tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'index_generation'")


async def clear_index(tx: Transaction) -> None:
    """Empty the whole index, before a full rebuild."""
    await tx.execute("DELETE FROM offer_text")
    await tx.execute("DELETE FROM vocabulary")
    await tx.execute("DELETE FROM occurrences")
