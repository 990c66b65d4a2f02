"""The offers in the database: saving, status changes, the audit trail, and the search index beside them.

Every write goes through here, so the derived columns, the search index and the audit trail can
never disagree with the offer itself: they are all written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.calendar import Clock, last_end, local_naive
from bot.db import Database, Transaction
from bot.offers.model import STATUSES, TIME_FORMAT, Offer
from bot.search.analyzer import Analyzer
from bot.search.index import add_entry, build_entry, bump_generation, clear_index, remove_entry

log = logging.getLogger(__name__)

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


# Called after a write is committed with (before, after); None before = created, None after = deleted.
OfferListener = Callable[["StoredOffer | None", "StoredOffer | None"], Awaitable[None]]
Change = tuple["StoredOffer | None", "StoredOffer | None"]


class UnknownOfferError(LookupError):
    """No offer has this id."""


def _canonical(offer: Offer) -> str:
    return json.dumps(offer.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _bar_list(items: Iterable[str]) -> str:
    items = list(items)
    return "|" + "|".join(items) + "|" if items else ""


def _row_to_stored(row: sqlite3.Row) -> StoredOffer:
    return StoredOffer(
        pk=row["pk"],
        offer=Offer.from_dict(json.loads(row["data"])),
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
        # Other parts (reminders) that must follow changes: called after the commit, in order.
        self.listeners: list[OfferListener] = []

    async def _notify(self, changes: Sequence[Change]) -> None:
        """Tell the listeners what changed. A failing listener is logged: the write itself stands."""
        for old, new in changes:
            for listener in self.listeners:
                try:
                    await listener(old, new)
                except Exception:
                    log.exception("offer change listener failed for offer %s", (new or old).offer.id)  # type: ignore[union-attr]

    async def _before(self, tx: Transaction, offer_id: str) -> StoredOffer | None:
        """The offer as it is before a write, only when someone listens."""
        if not self.listeners:
            return None
        row = await tx.fetchone("SELECT * FROM offers WHERE id = ?", (offer_id,))
        return None if row is None else _row_to_stored(row)

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
        _check_status(status)
        added = updated = unchanged = 0
        before: dict[str, StoredOffer | None] = {}
        async with self.db.transaction() as tx:
            for offer in offers:
                old = await self._before(tx, offer.id)
                result = await self._save(tx, offer, source=source, actor=actor, status=status)
                added += result == "added"
                updated += result == "updated"
                unchanged += result == "unchanged"
                if result != "unchanged" and self.listeners:
                    before[offer.id] = old
            if added or updated:
                await bump_generation(tx)
        if before:
            after = await self.get_many(list(before))
            await self._notify([(old, after.get(offer_id)) for offer_id, old in before.items()])
        return SaveSummary(added=added, updated=updated, unchanged=unchanged)

    async def save(self, offer: Offer, *, source: str, actor: str, status: str) -> StoredOffer:
        """Insert or update one offer with exactly this status."""
        _check_status(status)
        async with self.db.transaction() as tx:
            old = await self._before(tx, offer.id)
            result = await self._save(tx, offer, source=source, actor=actor, status=status, force_status=True)
            await bump_generation(tx)
        stored = await self.get(offer.id)
        assert stored is not None
        if result != "unchanged":
            await self._notify([(old, stored)])
        return stored

    async def _save(
        self,
        tx: Transaction,
        offer: Offer,
        *,
        source: str,
        actor: str,
        status: str,
        force_status: bool = False,
    ) -> str:
        now = self._utc_now()
        old = await tx.fetchone("SELECT pk, data, status FROM offers WHERE id = ?", (offer.id,))
        data = _canonical(offer)
        columns = self._derived_columns(offer)
        if old is None:
            cursor = await tx.execute(
                """INSERT INTO offers (id, kind, status, title, data, source, first_start, last_end, min_age, max_age,
                   groups, categories, price_regular, price_reduced, created_at, updated_at)
                   VALUES (:id, :kind, :status, :title, :data, :source, :first_start, :last_end, :min_age, :max_age,
                   :groups, :categories, :price_regular, :price_reduced, :now, :now)""",
                {**columns, "status": status, "data": data, "source": source, "now": now},
            )
            pk = cursor.lastrowid
            assert pk is not None
            await self._event(tx, offer.id, actor, "created", {"status": status, "source": source})
            if status == SEARCHABLE:
                await add_entry(tx, pk, build_entry(offer, self.analyzer, now=self._local_now()))
            return "added"

        pk, old_status = old["pk"], old["status"]
        new_status = status if force_status else old_status
        if old["data"] == data and new_status == old_status:
            return "unchanged"
        old_offer = Offer.from_dict(json.loads(old["data"]))
        if old_status == SEARCHABLE:
            await remove_entry(tx, pk, build_entry(old_offer, self.analyzer, now=self._local_now()))
        await tx.execute(
            """UPDATE offers SET kind = :kind, status = :status, title = :title, data = :data, source = :source,
               first_start = :first_start, last_end = :last_end, min_age = :min_age, max_age = :max_age,
               groups = :groups, categories = :categories, price_regular = :price_regular,
               price_reduced = :price_reduced, updated_at = :now WHERE pk = :pk""",
            {**columns, "status": new_status, "data": data, "source": source, "now": now, "pk": pk},
        )
        if new_status == SEARCHABLE:
            await add_entry(tx, pk, build_entry(offer, self.analyzer, now=self._local_now()))
        changed = _changed_fields(old_offer.to_dict(), offer.to_dict())
        details: dict[str, Any] = {"fields": changed}
        if new_status != old_status:
            details["status"] = [old_status, new_status]
        await self._event(tx, offer.id, actor, "updated", details)
        return "updated"

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
                    await remove_entry(tx, row["pk"], entry)
                if status == SEARCHABLE:
                    await add_entry(tx, row["pk"], entry)
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
                await remove_entry(tx, row["pk"], entry)
            await tx.execute("DELETE FROM offers WHERE pk = ?", (row["pk"],))
            await self._event(tx, offer_id, actor, "deleted", {"title": json.loads(row["data"])["title"]})
            await bump_generation(tx)
        await self._notify([(_row_to_stored(row), None)])
        return True

    async def rebuild_index(self) -> int:
        """Rebuild the whole search index from the offers (after the word list changed); returns the count."""
        rows = await self.db.fetchall("SELECT pk, data FROM offers WHERE status = ?", (SEARCHABLE,))
        now = self._local_now()
        entries = [
            (row["pk"], build_entry(Offer.from_dict(json.loads(row["data"])), self.analyzer, now=now)) for row in rows
        ]
        async with self.db.transaction() as tx:
            await clear_index(tx)
            for pk, entry in entries:
                await add_entry(tx, pk, entry)
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
