"""The offers in the database: saving, status changes, the audit trail, and the search index beside them.

Every write goes through here, so the derived columns, the search index and the audit trail can
never disagree with the offer itself: they are all written in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import multiprocessing
import os
import sqlite3
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.offers.model import STATUSES, TIME_FORMAT, Offer
from bot.platform.calendar import Clock, last_end, local_naive
from bot.platform.db import Database, Transaction
from bot.search.analyzer import Analyzer
from bot.search.index import IndexEntry, add_entries, build_entry, bump_generation, clear_index, remove_entries
from bot.search.lexicon import Lexicon

log = logging.getLogger(__name__)

SEARCHABLE = "published"
WRITE_CHUNK = 2000  # offers analysed and written at a time in a big import
PARALLEL_FROM_CHUNKS = 4  # from this many chunks on, worker processes analyse them
MAX_WORKERS = 4


@dataclass(frozen=True)
class StoredOffer:
    pk: int  # short internal number, used in button actions (offer ids can exceed Telegram's 64 bytes)
    offer: Offer
    status: str
    source: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class OfferEvent:
    at: str
    actor: str
    action: str
    details: dict[str, Any]


@dataclass(frozen=True)
class SaveSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class _Prepared:
    """An offer analysed for writing: its JSON, derived columns and index entry."""

    offer: Offer
    data: str
    columns: dict[str, Any]
    entry: IndexEntry


_INSERT_OFFER = """INSERT INTO offers (pk, id, kind, status, title, data, source, first_start, last_end, min_age,
    max_age, groups, categories, price_regular, price_reduced, created_at, updated_at)
    VALUES (:pk, :id, :kind, :status, :title, :data, :source, :first_start, :last_end, :min_age, :max_age,
    :groups, :categories, :price_regular, :price_reduced, :now, :now)"""
_UPDATE_OFFER = """UPDATE offers SET kind = :kind, status = :status, title = :title, data = :data, source = :source,
    first_start = :first_start, last_end = :last_end, min_age = :min_age, max_age = :max_age, groups = :groups,
    categories = :categories, price_regular = :price_regular, price_reduced = :price_reduced, updated_at = :now
    WHERE pk = :pk"""
_INSERT_EVENT = "INSERT INTO offer_events (offer_id, at, actor, action, details) VALUES (?, ?, ?, ?, ?)"


# Called after a write is committed with (before, after); None before = created, None after = deleted.
OfferListener = Callable[["StoredOffer | None", "StoredOffer | None"], Awaitable[None]]
Change = tuple["StoredOffer | None", "StoredOffer | None"]
# Called after a committed change of the search index, without arguments: what changed is in the database.
IndexListener = Callable[[], Awaitable[None]]


def prepare_offers(analyzer: Analyzer, offers: Sequence[Offer], local_now: dt.datetime) -> list[_Prepared]:
    """Analyse offers for writing: canonical JSON, derived columns, index entry (pure CPU work)."""
    return [
        _Prepared(
            offer, _canonical(offer), OfferStore._derived_columns(offer), build_entry(offer, analyzer, now=local_now)
        )
        for offer in offers
    ]


_worker_analyzer: Analyzer | None = None


def _start_worker(lexicon: Lexicon) -> None:
    """In a worker process of a big import: build the analyzer once."""
    global _worker_analyzer
    _worker_analyzer = Analyzer(lexicon)


def _prepare_in_worker(offers: list[Offer], local_now: dt.datetime) -> list[_Prepared]:
    assert _worker_analyzer is not None
    return prepare_offers(_worker_analyzer, offers, local_now)


class UnknownOfferError(LookupError):
    """No offer has this id."""


def _canonical(offer: Offer) -> str:
    return json.dumps(offer.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _bar_list(items: Iterable[str]) -> str:
    items = list(items)
    return "|" + "|".join(items) + "|" if items else ""


@functools.lru_cache(maxsize=2048)
def _offer_from_json(data: str) -> Offer:
    """Parsing and checking an offer was most of the cost of showing it (every card reads its offer). The
    same stored text always gives the same offer, and offers are immutable, so each text is parsed once."""
    return Offer.from_dict(json.loads(data))


def _row_to_stored(row: sqlite3.Row) -> StoredOffer:
    return StoredOffer(
        pk=row["pk"],
        offer=_offer_from_json(row["data"]),
        status=row["status"],
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class OfferStore:
    def __init__(
        self,
        db: Database,
        analyzer: Analyzer,
        clock: Clock,
        tz: ZoneInfo,
        listeners: Sequence[OfferListener] = (),
        index_listeners: Sequence[IndexListener] = (),
    ) -> None:
        self.db = db
        self.analyzer = analyzer
        self.clock = clock
        self.tz = tz
        # Other parts (reminders) that must follow changes: called after the commit, in order.
        self.listeners: tuple[OfferListener, ...] = tuple(listeners)
        # Called after any committed change of what is searchable, the index rebuild included (the semantic
        # side computes the vectors of changed offers then, outside the write: bot.search.semantic.vectors).
        self.index_listeners: tuple[IndexListener, ...] = tuple(index_listeners)

    async def _index_changed(self) -> None:
        for listener in self.index_listeners:
            try:
                await listener()
            except Exception:
                log.exception("index change listener failed")

    async def _notify(self, changes: Sequence[Change]) -> None:
        """Tell the listeners what changed. A failing listener is logged: the write itself stands."""
        for old, new in changes:
            for listener in self.listeners:
                try:
                    await listener(old, new)
                except Exception:
                    changed = new or old
                    log.exception("offer change listener failed for offer %s", changed.offer.id if changed else "?")

    def _utc_now(self) -> str:
        return self.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")

    def _local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.tz)

    # --- writing --------------------------------------------------------------------------

    async def save_many(
        self,
        offers: Sequence[Offer],
        *,
        source: str,
        actor: str,
        status: str = SEARCHABLE,
        also: Callable[[Transaction], Awaitable[None]] | None = None,
    ) -> SaveSummary:
        """Insert or update offers by id, all in one transaction (an import is all or nothing).

        New offers get `status`; existing ones keep theirs, so re-importing an old file does not
        bring back an offer a coordinator cancelled. `also` writes more in the same transaction (a sync
        records what its source said), so the two can never disagree after a crash.
        """
        return await self._write(offers, source=source, actor=actor, status=status, force_status=False, also=also)

    async def save(self, offer: Offer, *, source: str, actor: str, status: str) -> StoredOffer:
        """Insert or update one offer with exactly this status."""
        await self._write([offer], source=source, actor=actor, status=status, force_status=True)
        stored = await self.get(offer.id)
        assert stored is not None
        return stored

    async def _write(
        self,
        offers: Sequence[Offer],
        *,
        source: str,
        actor: str,
        status: str,
        force_status: bool,
        also: Callable[[Transaction], Awaitable[None]] | None = None,
    ) -> SaveSummary:
        _check_status(status)
        local_now = self._local_now()
        prepare = functools.partial(self._prepare, local_now=local_now)
        chunks = [offers[i : i + WRITE_CHUNK] for i in range(0, len(offers), WRITE_CHUNK)]
        # The analysis is CPU work: for a big import it runs in a worker thread. The first chunk is
        # prepared before the database is locked; a big import is written chunk by chunk, inside
        # one transaction (still all or nothing), so memory stays bounded.
        if not chunks:
            if also is not None:
                async with self.db.transaction() as tx:
                    await also(tx)
            return SaveSummary()
        first = await asyncio.to_thread(prepare, chunks[0]) if len(offers) > 50 else prepare(chunks[0])
        now = self._utc_now()
        # offer id -> its row before the write, kept only when someone listens for changes
        written: dict[str, sqlite3.Row | None] | None = {} if self.listeners else None
        write = functools.partial(
            self._write_chunk, source=source, actor=actor, status=status, force_status=force_status, now=now,
            local_now=local_now, written=written,
        )  # fmt: skip
        totals: Counter[str] = Counter()
        async with self.db.transaction() as tx:
            async for prepared in self._prepared_chunks(chunks, first, local_now):
                totals.update(await write(tx, prepared))
            if totals["added"] or totals["updated"]:
                await bump_generation(tx)
            if also is not None:
                await also(tx)
        if totals["added"] or totals["updated"]:
            await self._index_changed()
        if written:
            after = await self.get_many(list(written))
            await self._notify(
                [(None if old is None else _row_to_stored(old), after.get(oid)) for oid, old in written.items()]
            )
        added, updated, unchanged = totals["added"], totals["updated"], totals["unchanged"]
        return SaveSummary(added=added, updated=updated, unchanged=unchanged)

    async def _write_chunk(
        self,
        tx: Transaction,
        prepared: Sequence[_Prepared],
        *,
        source: str,
        actor: str,
        status: str,
        force_status: bool,
        now: str,
        local_now: dt.datetime,
        written: dict[str, sqlite3.Row | None] | None = None,
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        existing = await self._existing(tx, [p.offer.id for p in prepared])
        next_pk = int(await tx.fetchval("SELECT coalesce(max(pk), 0) FROM offers")) + 1
        inserts, changes, events = [], [], []
        index_adds: list[tuple[int, IndexEntry]] = []
        index_removes: list[tuple[int, IndexEntry]] = []
        for item in prepared:
            offer = item.offer
            old = existing.get(offer.id)
            if old is None:
                pk, next_pk = next_pk, next_pk + 1
                inserts.append(
                    {**item.columns, "pk": pk, "status": status, "data": item.data, "source": source, "now": now}
                )
                events.append(self._event_row(offer.id, actor, "created", {"status": status, "source": source}, now))
                if status == SEARCHABLE:
                    index_adds.append((pk, item.entry))
                counts["added"] += 1
                if written is not None:
                    written[offer.id] = None
                continue
            new_status = status if force_status else old["status"]
            if old["data"] == item.data and new_status == old["status"]:
                counts["unchanged"] += 1
                continue
            old_offer = Offer.from_dict(json.loads(old["data"]))
            if old["status"] == SEARCHABLE:
                index_removes.append((old["pk"], build_entry(old_offer, self.analyzer, now=local_now)))
            if new_status == SEARCHABLE:
                index_adds.append((old["pk"], item.entry))
            changes.append(
                {**item.columns, "pk": old["pk"], "status": new_status, "data": item.data, "source": source, "now": now}
            )
            details: dict[str, Any] = {"fields": _changed_fields(old_offer.to_dict(), offer.to_dict())}
            if new_status != old["status"]:
                details["status"] = [old["status"], new_status]
            events.append(self._event_row(offer.id, actor, "updated", details, now))
            counts["updated"] += 1
            if written is not None:
                written[offer.id] = old
        await remove_entries(tx, index_removes)
        await tx.executemany(_INSERT_OFFER, inserts)
        await tx.executemany(_UPDATE_OFFER, changes)
        await tx.executemany(_INSERT_EVENT, events)
        await add_entries(tx, index_adds)
        return counts

    async def _prepared_chunks(
        self, chunks: Sequence[Sequence[Offer]], first: list[_Prepared], local_now: dt.datetime
    ) -> AsyncIterator[list[_Prepared]]:
        """The analysed chunks in order. A big import is analysed by worker processes (one per CPU),
        a few chunks ahead of the writing, so every core works and memory stays bounded."""
        yield first
        rest = chunks[1:]
        if not rest:
            return
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        if len(rest) < PARALLEL_FROM_CHUNKS or workers < 2:
            for chunk in rest:
                yield await asyncio.to_thread(self._prepare, chunk, local_now=local_now)
            return
        loop = asyncio.get_running_loop()
        context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(self.analyzer.lexicon,)
        ) as pool:
            pending: deque[asyncio.Future[list[_Prepared]]] = deque()
            for chunk in rest:
                pending.append(loop.run_in_executor(pool, _prepare_in_worker, list(chunk), local_now))
                if len(pending) > workers:
                    yield await pending.popleft()
            while pending:
                yield await pending.popleft()

    def _prepare(self, offers: Sequence[Offer], *, local_now: dt.datetime) -> list[_Prepared]:
        return prepare_offers(self.analyzer, offers, local_now)

    @staticmethod
    async def _existing(tx: Transaction, ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        found: dict[str, sqlite3.Row] = {}
        for first in range(0, len(ids), 500):
            chunk = ids[first : first + 500]
            rows = await tx.fetchall(f"SELECT * FROM offers WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update((row["id"], row) for row in rows)
        return found

    @staticmethod
    def _event_row(offer_id: str, actor: str, action: str, details: dict[str, Any], at: str) -> tuple[str, ...]:
        return (offer_id, at, actor, action, json.dumps(details, ensure_ascii=False))

    @staticmethod
    def _derived_columns(offer: Offer) -> dict[str, Any]:
        first_start = end = None
        if offer.when is not None:
            first_start = offer.when.start.strftime(TIME_FORMAT)
            ends = last_end(offer.when)
            end = ends.strftime(TIME_FORMAT) if ends else None
        return {
            "id": offer.id,
            "kind": offer.kind,
            "title": offer.title,
            "first_start": first_start,
            "last_end": end,
            "min_age": offer.audience.min_age,
            "max_age": offer.audience.max_age,
            "groups": _bar_list(offer.audience.groups),
            "categories": _bar_list(offer.categories),
            "price_regular": offer.price.regular,
            "price_reduced": offer.price.reduced,
        }

    async def set_status(
        self, offer_id: str, status: str, *, actor: str, expected: Sequence[str] | None = None, note: str = ""
    ) -> StoredOffer:
        """Move an offer to another status; with `expected`, only from one of those (else ValueError).

        `expected` makes approvals safe when two admins press the button at the same moment:
        the second finds the offer already published and nothing happens twice.
        """
        _check_status(status)
        old: StoredOffer | None = None
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM offers WHERE id = ?", (offer_id,))
            if row is None:
                raise UnknownOfferError(offer_id)
            if expected is not None and row["status"] not in expected:
                raise ValueError(f"offer {offer_id} is {row['status']}, not {' or '.join(expected)}")
            if row["status"] != status:
                offer = Offer.from_dict(json.loads(row["data"]))
                entry = build_entry(offer, self.analyzer, now=self._local_now())
                if row["status"] == SEARCHABLE:
                    await remove_entries(tx, [(row["pk"], entry)])
                if status == SEARCHABLE:
                    await add_entries(tx, [(row["pk"], entry)])
                await tx.execute(
                    "UPDATE offers SET status = ?, updated_at = ? WHERE pk = ?",
                    (status, self._utc_now(), row["pk"]),
                )
                details: dict[str, Any] = {"from": row["status"], "to": status}
                if note:
                    details["note"] = note
                await self._event(tx, offer_id, actor, "status", details)
                await bump_generation(tx)
                old = _row_to_stored(row)
        stored = await self.get(offer_id)
        assert stored is not None
        if old is not None:
            await self._index_changed()
            await self._notify([(old, stored)])
        return stored

    async def delete(self, offer_id: str, *, actor: str) -> bool:
        """Remove an offer for good (its audit trail stays); False when there was none."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM offers WHERE id = ?", (offer_id,))
            if row is None:
                return False
            if row["status"] == SEARCHABLE:
                entry = build_entry(Offer.from_dict(json.loads(row["data"])), self.analyzer, now=self._local_now())
                await remove_entries(tx, [(row["pk"], entry)])
            await tx.execute("DELETE FROM offers WHERE pk = ?", (row["pk"],))
            await self._event(tx, offer_id, actor, "deleted", {"title": json.loads(row["data"])["title"]})
            await bump_generation(tx)
        await self._notify([(_row_to_stored(row), None)])
        return True

    async def rebuild_index(self) -> int:
        """Rebuild the whole search index from the offers (after the word list changed); returns the count."""
        rows = await self.db.fetchall("SELECT pk, data FROM offers WHERE status = ?", (SEARCHABLE,))
        now = self._local_now()

        def analyse() -> list[tuple[int, IndexEntry]]:
            return [
                (r["pk"], build_entry(Offer.from_dict(json.loads(r["data"])), self.analyzer, now=now)) for r in rows
            ]

        entries = await asyncio.to_thread(analyse)
        async with self.db.transaction() as tx:
            await clear_index(tx)
            await add_entries(tx, entries)
            await bump_generation(tx)
        await self._index_changed()
        return len(entries)

    async def _event(self, tx: Transaction, offer_id: str, actor: str, action: str, details: dict[str, Any]) -> None:
        await tx.execute(
            "INSERT INTO offer_events (offer_id, at, actor, action, details) VALUES (?, ?, ?, ?, ?)",
            (offer_id, self._utc_now(), actor, action, json.dumps(details, ensure_ascii=False)),
        )

    # --- reading --------------------------------------------------------------------------

    async def get(self, offer_id: str) -> StoredOffer | None:
        row = await self.db.fetchone("SELECT * FROM offers WHERE id = ?", (offer_id,))
        return None if row is None else _row_to_stored(row)

    async def get_by_pk(self, pk: int) -> StoredOffer | None:
        if not 0 < pk < 2**63:  # SQLite integers are 64-bit: a larger number (a forged button) is no offer
            return None
        row = await self.db.fetchone("SELECT * FROM offers WHERE pk = ?", (pk,))
        return None if row is None else _row_to_stored(row)

    async def get_many(self, offer_ids: Sequence[str]) -> dict[str, StoredOffer]:
        """Offers by id, in one query; missing ids are simply absent."""
        if not offer_ids:
            return {}
        marks = ",".join("?" * len(offer_ids))
        rows = await self.db.fetchall(f"SELECT * FROM offers WHERE id IN ({marks})", tuple(offer_ids))
        return {row["id"]: _row_to_stored(row) for row in rows}

    async def select(
        self, *, statuses: Sequence[str] = (SEARCHABLE,), kind: str | None = None, category: str | None = None
    ) -> list[StoredOffer]:
        """Offers with one of these statuses, optionally of one kind or category, by id."""
        sql = f"SELECT * FROM offers WHERE status IN ({','.join('?' * len(statuses))})"
        params: list[Any] = list(statuses)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        if category is not None:
            sql += " AND categories LIKE ?"
            params.append(f"%|{category}|%")
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        return [_row_to_stored(row) for row in rows]

    async def count(self, status: str | None = None) -> int:
        if status is None:
            return int(await self.db.fetchval("SELECT count(*) FROM offers"))
        return int(await self.db.fetchval("SELECT count(*) FROM offers WHERE status = ?", (status,)))

    async def history(self, offer_id: str) -> list[OfferEvent]:
        """The audit trail of an offer, oldest first."""
        rows = await self.db.fetchall(
            "SELECT at, actor, action, details FROM offer_events WHERE offer_id = ? ORDER BY seq", (offer_id,)
        )
        return [OfferEvent(r["at"], r["actor"], r["action"], json.loads(r["details"])) for r in rows]


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
