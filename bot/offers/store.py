"""The offers in the database: saving, status changes, the audit trail, and the search index beside them.

Every write goes through here, so the derived columns, the search index and the audit trail can
never disagree with the offer itself: they are all written in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.calendar import Clock, last_end, local_naive
from bot.db import Database, Transaction
from bot.offers.model import STATUSES, TIME_FORMAT, Offer
from bot.search.analyzer import Analyzer
from bot.search.index import IndexEntry, add_entries, build_entry, bump_generation, clear_index, remove_entries

SEARCHABLE = "published"


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
    def __init__(self, db: Database, analyzer: Analyzer, clock: Clock, tz: ZoneInfo) -> None:
        self.db = db
        self.analyzer = analyzer
        self.clock = clock
        self.tz = tz

    def _utc_now(self) -> str:
        return self.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")

    def _local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.tz)

    # --- writing --------------------------------------------------------------------------

    async def save_many(
        self, offers: Sequence[Offer], *, source: str, actor: str, status: str = SEARCHABLE
    ) -> SaveSummary:
        """Insert or update offers by id, all in one transaction (an import is all or nothing).

        New offers get `status`; existing ones keep theirs, so re-importing an old file does not
        bring back an offer a coordinator cancelled.
        """
        return await self._write(offers, source=source, actor=actor, status=status, force_status=False)

    async def save(self, offer: Offer, *, source: str, actor: str, status: str) -> StoredOffer:
        """Insert or update one offer with exactly this status."""
        await self._write([offer], source=source, actor=actor, status=status, force_status=True)
        stored = await self.get(offer.id)
        assert stored is not None
        return stored

    async def _write(
        self, offers: Sequence[Offer], *, source: str, actor: str, status: str, force_status: bool
    ) -> SaveSummary:
        _check_status(status)
        local_now = self._local_now()
        # The analysis is CPU work: for a big import it runs in a worker thread, before the database is locked.
        prepare = functools.partial(self._prepare, local_now=local_now)
        prepared = await asyncio.to_thread(prepare, offers) if len(offers) > 50 else prepare(offers)
        now = self._utc_now()
        added = updated = unchanged = 0
        async with self.db.transaction() as tx:
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
                    events.append(
                        self._event_row(offer.id, actor, "created", {"status": status, "source": source}, now)
                    )
                    if status == SEARCHABLE:
                        index_adds.append((pk, item.entry))
                    added += 1
                    continue
                new_status = status if force_status else old["status"]
                if old["data"] == item.data and new_status == old["status"]:
                    unchanged += 1
                    continue
                old_offer = Offer.from_dict(json.loads(old["data"]))
                if old["status"] == SEARCHABLE:
                    index_removes.append((old["pk"], build_entry(old_offer, self.analyzer, now=local_now)))
                if new_status == SEARCHABLE:
                    index_adds.append((old["pk"], item.entry))
                changes.append(
                    {
                        **item.columns,
                        "pk": old["pk"],
                        "status": new_status,
                        "data": item.data,
                        "source": source,
                        "now": now,
                    }
                )
                details: dict[str, Any] = {"fields": _changed_fields(old_offer.to_dict(), offer.to_dict())}
                if new_status != old["status"]:
                    details["status"] = [old["status"], new_status]
                events.append(self._event_row(offer.id, actor, "updated", details, now))
                updated += 1
            await remove_entries(tx, index_removes)
            await tx.executemany(_INSERT_OFFER, inserts)
            await tx.executemany(_UPDATE_OFFER, changes)
            await tx.executemany(_INSERT_EVENT, events)
            await add_entries(tx, index_adds)
            if added or updated:
                await bump_generation(tx)
        return SaveSummary(added=added, updated=updated, unchanged=unchanged)

    def _prepare(self, offers: Sequence[Offer], *, local_now: dt.datetime) -> list[_Prepared]:
        return [
            _Prepared(
                offer, _canonical(offer), self._derived_columns(offer), build_entry(offer, self.analyzer, now=local_now)
            )
            for offer in offers
        ]

    @staticmethod
    async def _existing(tx: Transaction, ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        found: dict[str, sqlite3.Row] = {}
        for first in range(0, len(ids), 500):
            chunk = ids[first : first + 500]
            rows = await tx.fetchall(
                f"SELECT pk, id, data, status FROM offers WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
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
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT pk, data, status FROM offers WHERE id = ?", (offer_id,))
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
        stored = await self.get(offer_id)
        assert stored is not None
        return stored

    async def delete(self, offer_id: str, *, actor: str) -> bool:
        """Remove an offer for good (its audit trail stays); False when there was none."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT pk, data, status FROM offers WHERE id = ?", (offer_id,))
            if row is None:
                return False
            if row["status"] == SEARCHABLE:
                entry = build_entry(Offer.from_dict(json.loads(row["data"])), self.analyzer, now=self._local_now())
                await remove_entries(tx, [(row["pk"], entry)])
            await tx.execute("DELETE FROM offers WHERE pk = ?", (row["pk"],))
            await self._event(tx, offer_id, actor, "deleted", {"title": json.loads(row["data"])["title"]})
            await bump_generation(tx)
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

    async def list(
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
