"""Keeping offers in step with where partners publish them (UiTdatabank, iCal feeds).

One rule book for every source and for `python -m bot import` of a source's file:
- an offer's id comes from the source's own id, so the same event is always the same offer;
- the same data again changes nothing (no write, no audit line, no message to anyone);
- what a coordinator changed is kept (bot.offers.merge explains how edits are told apart);
- an event the source cancels, or that is gone from a complete fetch while it still had dates to come, is
  cancelled through the offer store, so people with a reminder are told once, as for any cancellation;
  an event that is gone because it is over is left as it is;
- a source that publishes an event again brings back what the sync cancelled, never what a coordinator did;
- an offer a coordinator deleted is not brought back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.offers.importers import SourceDocument, SourceItem
from bot.offers.merge import edited_fields, merge
from bot.offers.model import Offer, OfferError
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import last_end, local_naive
from bot.platform.db import Transaction

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What a sync did, in counts (for the coordinator and the log)."""

    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0  # cancelled by the source, or gone from it with dates still to come
    republished: int = 0
    gone_over: int = 0  # gone from the source because they are over: left as they are
    kept_edits: int = 0  # offers whose coordinator's changes were kept
    not_restored: int = 0  # deleted by a coordinator: not brought back
    skipped: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        parts = [
            f"{self.added} new",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
            f"{self.cancelled} cancelled",
        ]
        if self.republished:
            parts.append(f"{self.republished} published again")
        if self.gone_over:
            parts.append(f"{self.gone_over} over and gone from the source")
        if self.kept_edits:
            parts.append(f"a coordinator's changes kept in {self.kept_edits}")
        if self.not_restored:
            parts.append(f"{self.not_restored} deleted by a coordinator, not brought back")
        line = f"{self.source}: " + ", ".join(parts) + "."
        if self.skipped:
            line += " Left out: " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())) + "."
        return line


@dataclass(frozen=True)
class _Row:
    offer_id: str
    external_id: str
    imported: dict[str, Any]
    state: str
    cancelled_by_sync: bool


class SourceSync:
    """Applies what a source says to the offers."""

    def __init__(self, offers: OfferStore, *, new_status: str = "published") -> None:
        self.offers = offers
        self.db = offers.db
        self.new_status = new_status

    async def apply(self, source: str, document: SourceDocument, *, complete: bool) -> SyncReport:
        """Apply one fetch of a source. `complete`: the fetch holds everything the source has now (a full sync),
        so what is missing is gone; a file import or a partial fetch never makes anything gone."""
        actor = f"sync:{source}"
        report = SyncReport(source, skipped=dict(document.skipped))
        rows = await self._rows(source)
        items = {item.offer.id: item for item in document.items}
        current = await self.offers.get_many(list(items))
        writes: list[Offer] = []
        new_cancelled: list[Offer] = []
        to_cancel: list[str] = []
        to_publish: list[str] = []
        for offer_id, item in items.items():
            row, stored = rows.get(offer_id), current.get(offer_id)
            if row is not None and stored is None:
                report.not_restored += 1
                continue
            if stored is None:
                (new_cancelled if item.cancelled else writes).append(item.offer)
                continue
            merged = self._merged(row, stored, item)
            if row is not None and edited_fields(row.imported, stored.offer.to_dict()):
                report.kept_edits += 1
            writes.append(merged)
            was = row.state if row is not None else "available"
            if item.cancelled and was != "cancelled" and stored.status == "published":
                to_cancel.append(offer_id)
            elif (
                not item.cancelled
                and was in ("cancelled", "gone")
                and stored.status == "cancelled"
                and row is not None
                and row.cancelled_by_sync  # the sync cancelled it, so the sync may bring it back
            ):
                to_publish.append(offer_id)
        now = self.offers.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")

        async def record(tx: Transaction) -> None:
            await tx.executemany(
                """INSERT INTO offer_sources (offer_id, source, external_id, imported, state, seen_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (offer_id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
                   imported = excluded.imported, state = excluded.state, seen_at = excluded.seen_at""",
                [(i.offer.id, source, i.external_id, _json(i.offer.to_dict()), _state(i), now) for i in items.values()],
            )

        summary = await self.offers.save_many(
            writes, source=f"sync:{source}", actor=actor, status=self.new_status, also=record
        )
        report.added, report.updated, report.unchanged = summary.added, summary.updated, summary.unchanged
        if new_cancelled:  # new and already cancelled: stored as such, nobody can have a reminder for it yet
            extra = await self.offers.save_many(new_cancelled, source=f"sync:{source}", actor=actor, status="cancelled")
            report.added += extra.added
        for offer_id in to_cancel:
            await self._cancel(offer_id, actor, note="cancelled at the source")
            report.cancelled += 1
        for offer_id in to_publish:
            await self.offers.set_status(offer_id, "published", actor=actor, expected=("cancelled",))
            await self.db.execute("UPDATE offer_sources SET cancelled_by_sync = 0 WHERE offer_id = ?", (offer_id,))
            report.republished += 1
        if complete:
            await self._gone(source, rows, set(items), report, actor)
        log.info("sync %s: %s", source, report.text())
        return report

    def _merged(self, row: _Row | None, stored: StoredOffer, item: SourceItem) -> Offer:
        """The source's new version with the coordinator's changes kept; the source's own if they clash."""
        data = merge(row.imported if row else None, stored.offer.to_dict(), item.offer.to_dict())
        try:
            return Offer.from_dict(data)
        except OfferError as error:
            log.warning("sync: offer %s: a kept change no longer fits the source (%s); the source's version wins",
                        item.offer.id, error)  # fmt: skip
            return item.offer

    async def _cancel(self, offer_id: str, actor: str, *, note: str) -> None:
        await self.offers.set_status(offer_id, "cancelled", actor=actor, expected=("published",), note=note)
        await self.db.execute("UPDATE offer_sources SET cancelled_by_sync = 1 WHERE offer_id = ?", (offer_id,))

    async def _gone(self, source: str, rows: dict[str, _Row], seen: set[str], report: SyncReport, actor: str) -> None:
        """Offers this source had before and no longer has: cancelled if they still had dates to come."""
        missing = [row for offer_id, row in rows.items() if offer_id not in seen and row.state != "gone"]
        stored = await self.offers.get_many([row.offer_id for row in missing])
        now = local_naive(self.offers.clock.now(), self.offers.tz)
        for row in missing:
            offer = stored.get(row.offer_id)
            if offer is not None and offer.status == "published":
                when = offer.offer.when
                end = last_end(when) if when is not None else None
                if when is not None and end is not None and end <= now:
                    report.gone_over += 1
                else:
                    await self._cancel(row.offer_id, actor, note="no longer at the source")
                    report.cancelled += 1
            await self.db.execute("UPDATE offer_sources SET state = 'gone' WHERE offer_id = ?", (row.offer_id,))

    async def _rows(self, source: str) -> dict[str, _Row]:
        rows = await self.db.fetchall(
            "SELECT offer_id, external_id, imported, state, cancelled_by_sync FROM offer_sources WHERE source = ?",
            (source,),
        )
        return {
            r["offer_id"]: _Row(
                r["offer_id"], r["external_id"], json.loads(r["imported"]), r["state"], bool(r["cancelled_by_sync"])
            )
            for r in rows
        }

    async def sources(self) -> Counter[str]:
        """How many offers each source has (for `python -m bot check`)."""
        rows = await self.db.fetchall("SELECT source, count(*) AS n FROM offer_sources GROUP BY source")
        return Counter({r["source"]: r["n"] for r in rows})


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _state(item: SourceItem) -> str:
    return "cancelled" if item.cancelled else "available"
