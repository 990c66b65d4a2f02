"""The outbox: every message the bot must send unasked, with its state, in SQLite.

A row is planned once (unique per person, offer, occurrence and kind), claimed just before the
Bot API call (state 'sending', committed), and marked 'sent' together with Telegram's message id
in one statement. So a crash can leave at most the single message in flight unmarked: start-up
(`recover`) puts it back and it goes out again. Nothing lives only in the scheduler's memory.

The time rules live here too, because they decide what is due: quiet hours (nothing is sent
then; a reminder that falls in them moves to the last minute before them), the missed-while-down
rule (a late reminder still goes out while the activity has not started, else it is dropped and
counted), and daylight saving (wall-clock times go through `to_aware`, so 18:00 stays 18:00).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.offers.model import TIME_FORMAT
from bot.platform.calendar import Clock, local_naive, to_aware
from bot.platform.config import ReminderSettings
from bot.platform.db import Database, Transaction
from bot.reminders.kinds import DAY_BEFORE, HOURS_BEFORE, NOTICE_KINDS, REMINDER_KINDS, WEEKLY

log = logging.getLogger(__name__)

FINAL_STATES = ("sent", "dropped", "failed", "cancelled")
# A reminder this much after its planned time says it is late ("straks om 14:00").
LATE_AFTER = dt.timedelta(minutes=10)
# A weekly overview is still worth sending this long after Monday morning; later it is dropped.
WEEKLY_VALID = dt.timedelta(hours=12)
# Sent, dropped and cancelled rows are kept this long after their occurrence, then deleted.
KEEP_AFTER = dt.timedelta(days=2)
CLAIM_BATCH = 20


def utc_text(moment: dt.datetime) -> str:
    """An aware moment as the sortable UTC text stored in the outbox."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def from_utc_text(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def occurrence_text(start: dt.datetime) -> str:
    """A naive local occurrence start as stored ('YYYY-MM-DDTHH:MM')."""
    return start.strftime(TIME_FORMAT)


def parse_occurrence(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, TIME_FORMAT)


class Timing:
    """Wall-clock rules in the bot's time zone: when a reminder is due, and quiet hours."""

    def __init__(self, settings: ReminderSettings, tz: ZoneInfo) -> None:
        self.settings = settings
        self.tz = tz

    @property
    def quiet(self) -> bool:
        """Quiet hours are off when they start and end at the same time."""
        return self.settings.quiet_start != self.settings.quiet_end

    def in_quiet(self, moment: dt.datetime) -> bool:
        if not self.quiet:
            return False
        t = local_naive(moment, self.tz).time()
        start, end = self.settings.quiet_start, self.settings.quiet_end
        return (t >= start or t < end) if start > end else (start <= t < end)

    def _quiet_began(self, local: dt.datetime) -> dt.datetime:
        """The local start of the quiet period that contains `local`."""
        start = self.settings.quiet_start
        day = local.date()
        if start > self.settings.quiet_end and local.time() < start:
            day -= dt.timedelta(days=1)  # after midnight: the period began the evening before
        return dt.datetime.combine(day, start)

    def before_quiet(self, moment: dt.datetime) -> dt.datetime:
        """`moment`, or when it falls in quiet hours the last minute before they began."""
        if not self.in_quiet(moment):
            return moment
        return to_aware(self._quiet_began(local_naive(moment, self.tz)) - dt.timedelta(minutes=1), self.tz)

    def after_quiet(self, moment: dt.datetime) -> dt.datetime:
        """`moment`, or when it falls in quiet hours the moment they end."""
        if not self.in_quiet(moment):
            return moment
        began = self._quiet_began(local_naive(moment, self.tz))
        end = dt.datetime.combine(began.date(), self.settings.quiet_end)
        if end <= began:
            end += dt.timedelta(days=1)
        return to_aware(end, self.tz)

    def start_of(self, occurrence: dt.datetime) -> dt.datetime:
        """A naive local occurrence start as an aware moment."""
        return to_aware(occurrence, self.tz)

    def reminder_at(self, kind: str, occurrence: dt.datetime) -> dt.datetime:
        """When a reminder of this kind for an occurrence (naive local start) goes out, quiet hours applied.

        'day_before' is a wall-clock time (18:00 the day before, also across a DST change);
        'hours_before' is a span of real time before the start.
        """
        if kind == DAY_BEFORE:
            day = occurrence.date() - dt.timedelta(days=1)
            at = to_aware(dt.datetime.combine(day, self.settings.day_before_at), self.tz)
        elif kind == HOURS_BEFORE:
            at = self.start_of(occurrence) - dt.timedelta(hours=self.settings.hours_before)
        else:
            raise ValueError(f"not a reminder kind: {kind!r}")
        return self.before_quiet(at)

    def next_weekly(self, now: dt.datetime) -> tuple[dt.date, dt.datetime]:
        """The next weekly overview after `now`: its day and its (aware) moment."""
        local = local_naive(now, self.tz)
        days_ahead = (self.settings.weekly_weekday - local.weekday()) % 7
        day = local.date() + dt.timedelta(days=days_ahead)
        at = to_aware(dt.datetime.combine(day, self.settings.weekly_at), self.tz)
        if at <= now:
            day += dt.timedelta(days=7)
            at = to_aware(dt.datetime.combine(day, self.settings.weekly_at), self.tz)
        return day, self.after_quiet(at)


@dataclass(frozen=True)
class Planned:
    """A message to plan: for whom, about which offer occurrence, what kind, and when."""

    user_id: int
    offer_pk: int | None
    occurrence: str
    kind: str
    at: dt.datetime


@dataclass(frozen=True)
class OutboxRow:
    id: int
    user_id: int
    chat_id: int
    offer_pk: int | None
    occurrence: str
    kind: str
    planned_at: dt.datetime
    due_at: dt.datetime
    state: str
    attempts: int
    reason: str | None
    message_id: int | None

    def late(self, now: dt.datetime) -> bool:
        """Whether the message goes out clearly later than planned (the bot was down or busy)."""
        return now - self.planned_at > LATE_AFTER


@dataclass(frozen=True)
class Delivered:
    """Telegram's answer to one message: it arrived, with this message id, at this moment."""

    row: OutboxRow
    message_id: int
    at: dt.datetime


def _row(row: sqlite3.Row) -> OutboxRow:
    r = {key: row[key] for key in row.keys()}  # noqa: SIM118 - a Row iterates over its values
    return OutboxRow(
        id=r["id"],
        user_id=r["user_id"],
        chat_id=r["chat_id"],
        offer_pk=r["offer_pk"],
        occurrence=r["occurrence"],
        kind=r["kind"],
        planned_at=from_utc_text(r["planned_at"]),
        due_at=from_utc_text(r["due_at"]),
        state=r["state"],
        attempts=r["attempts"],
        reason=r["reason"],
        message_id=r["message_id"],
    )


class Outbox:
    def __init__(self, db: Database, clock: Clock, timing: Timing) -> None:
        self.db = db
        self.clock = clock
        self.timing = timing
        self.dropped: list[tuple[OutboxRow, str]] = []  # dropped while claiming, for the dispatcher to report

    # --- counting (anonymous) ------------------------------------------------------------------

    async def count(self, tx: Transaction, kind: str, outcome: str, n: int = 1) -> None:
        """Add to the anonymous daily figures for the network's report."""
        if n <= 0:
            return
        day = local_naive(self.clock.now(), self.timing.tz).date().isoformat()
        await tx.execute(
            """INSERT INTO reminder_counts (day, kind, outcome, count) VALUES (?, ?, ?, ?)
               ON CONFLICT (day, kind, outcome) DO UPDATE SET count = count + excluded.count""",
            (day, kind, outcome, n),
        )

    async def counts(self) -> dict[tuple[str, str], int]:
        """(kind, outcome) -> total over all days."""
        rows = await self.db.fetchall("SELECT kind, outcome, sum(count) AS n FROM reminder_counts GROUP BY 1, 2")
        return {(r["kind"], r["outcome"]): int(r["n"]) for r in rows}

    # --- planning ------------------------------------------------------------------------------

    async def plan(self, tx: Transaction, items: Iterable[Planned], *, renew: bool = False) -> int:
        """Plan messages; a message planned before is not planned twice.

        An existing row keeps its state, except: a cancelled row comes back (an offer moved back
        to a time it had), a planned row takes the new time, and with `renew` (change notices,
        each a new event) a finished row is planned again. Returns how many rows were (re)planned.
        """
        revive = "outbox.state != 'sending'" if renew else "outbox.state = 'cancelled'"
        planned = 0
        for item in items:
            at = utc_text(item.at)
            conflict = (
                "(user_id, occurrence, kind) WHERE offer_pk IS NULL"
                if item.offer_pk is None
                else "(user_id, offer_pk, occurrence, kind)"
            )
            cursor = await tx.execute(
                f"""INSERT INTO outbox (user_id, offer_pk, occurrence, kind, planned_at, due_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT {conflict} DO UPDATE SET
                        planned_at = excluded.planned_at, due_at = excluded.due_at, state = 'planned',
                        attempts = 0, reason = NULL, message_id = NULL, sent_at = NULL
                    WHERE {revive} OR (outbox.state = 'planned' AND outbox.planned_at != excluded.planned_at)""",
                (item.user_id, item.offer_pk, item.occurrence, item.kind, at, at),
            )
            if cursor.rowcount:
                planned += 1
                await self.count(tx, item.kind, "planned")
        return planned

    async def cancel(
        self,
        tx: Transaction,
        *,
        user_id: int | None = None,
        offer_pk: int | None = None,
        kinds: Sequence[str] = (*REMINDER_KINDS, *NOTICE_KINDS),
        occurrence: str | None = None,
        reason: str,
    ) -> int:
        """Cancel planned (not yet claimed) messages matching all the given filters."""
        sql = f"UPDATE outbox SET state = 'cancelled', reason = ? WHERE state = 'planned' AND kind IN ({_marks(kinds)})"
        params: list[object] = [reason, *kinds]
        for column, value in (("user_id", user_id), ("offer_pk", offer_pk), ("occurrence", occurrence)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        cursor = await tx.execute(sql, params)
        return cursor.rowcount

    async def planned_for(self, user_id: int) -> list[OutboxRow]:
        """The messages still to come for a person, soonest first ('Mijn herinneringen')."""
        rows = await self.db.fetchall(
            """SELECT o.*, p.chat_id FROM outbox o JOIN people p USING (user_id)
               WHERE o.user_id = ? AND o.state IN ('planned', 'sending') ORDER BY o.due_at, o.id""",
            (user_id,),
        )
        return [_row(r) for r in rows]

    # --- sending -------------------------------------------------------------------------------

    def expired(self, row: OutboxRow, now: dt.datetime) -> bool:
        """Too late to be of use: the activity has started (or the Monday overview is stale)."""
        if row.kind == WEEKLY:
            return now >= row.planned_at + WEEKLY_VALID
        return self.timing.start_of(parse_occurrence(row.occurrence)) <= now

    async def claim_next(
        self, now: dt.datetime, *, skip_chats: Iterable[int] = (), delivered: Delivered | None = None
    ) -> OutboxRow | None:
        """The next due message, marked 'sending' (committed) before it is handed out.

        Due rows of people who stopped or blocked the bot, and rows that are too late, are
        dropped and counted on the way. Nothing is handed out during quiet hours. `skip_chats`
        leaves out chats that just got a message (Telegram: one message a second per chat).
        `delivered`: Telegram's answer to the previous message, recorded in the same transaction
        (one commit per message instead of two; still at most one message sent and not marked).
        """
        if self.timing.in_quiet(now):
            if delivered is not None:
                await self.mark_sent(delivered)
            return None
        skip = list(skip_chats)
        while True:
            async with self.db.transaction() as tx:
                if delivered is not None:
                    await self._record_sent(tx, delivered)
                    delivered = None
                rows = await tx.fetchall(
                    f"""SELECT o.*, p.chat_id, p.stopped_at, p.blocked_at FROM outbox o JOIN people p USING (user_id)
                        WHERE o.state = 'planned' AND o.due_at <= ?
                        {f"AND p.chat_id NOT IN ({_marks(skip)})" if skip else ""}
                        ORDER BY o.due_at, o.id LIMIT {CLAIM_BATCH}""",
                    (utc_text(now), *skip),
                )
                if not rows:
                    return None
                for raw in rows:
                    row = _row(raw)
                    reason = "blocked" if raw["blocked_at"] else "stopped" if raw["stopped_at"] else None
                    if reason is None and self.expired(row, now):
                        reason = "too_late"
                    if reason is not None:
                        await tx.execute(
                            "UPDATE outbox SET state = 'dropped', reason = ? WHERE id = ?", (reason, row.id)
                        )
                        await self.count(tx, row.kind, f"dropped:{reason}")
                        self.dropped.append((row, reason))
                        continue
                    claim = "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?"
                    await tx.execute(claim, (row.id,))
                    return dataclasses.replace(row, state="sending", attempts=row.attempts + 1)

    async def has_due(self, now: dt.datetime) -> bool:
        found = await self.db.fetchval(
            "SELECT 1 FROM outbox WHERE state = 'planned' AND due_at <= ? LIMIT 1", (utc_text(now),)
        )
        return found is not None

    async def mark_sent(self, delivered: Delivered) -> None:
        """Record Telegram's answer: sent, with its message id, in one statement."""
        async with self.db.transaction() as tx:
            await self._record_sent(tx, delivered)

    async def _record_sent(self, tx: Transaction, delivered: Delivered) -> None:
        row, at = delivered.row, delivered.at
        await tx.execute(
            "UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?, reason = NULL WHERE id = ?",
            (delivered.message_id, utc_text(at), row.id),
        )
        await self.count(tx, row.kind, "sent_late" if row.late(at) else "sent")

    async def mark_retry(self, row: OutboxRow, at: dt.datetime, reason: str, *, attempt_counts: bool = True) -> None:
        """Back to planned, to be tried again at `at` (after quiet hours)."""
        attempts = "attempts" if attempt_counts else "max(attempts - 1, 0)"
        async with self.db.transaction() as tx:
            await tx.execute(
                f"UPDATE outbox SET state = 'planned', due_at = ?, reason = ?, attempts = {attempts} WHERE id = ?",
                (utc_text(self.timing.after_quiet(at)), reason, row.id),
            )
            await self.count(tx, row.kind, f"retry:{reason}")

    async def mark_done(self, row: OutboxRow, state: str, reason: str) -> None:
        """Finished without sending: 'dropped' (of no use any more) or 'failed' (given up)."""
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE outbox SET state = ?, reason = ? WHERE id = ?", (state, reason, row.id))
            await self.count(tx, row.kind, f"{state}:{reason}")

    async def drop_person(self, user_id: int, reason: str) -> int:
        """The person cannot be reached (blocked the bot): drop and count all their planned messages."""
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT kind, count(*) AS n FROM outbox WHERE user_id = ? AND state = 'planned' GROUP BY kind",
                (user_id,),
            )
            await tx.execute(
                "UPDATE outbox SET state = 'dropped', reason = ? WHERE user_id = ? AND state = 'planned'",
                (reason, user_id),
            )
            for r in rows:
                await self.count(tx, r["kind"], f"dropped:{reason}", r["n"])
        return sum(r["n"] for r in rows)

    async def recover(self) -> int:
        """At start-up: a row left at 'sending' was in flight when the bot stopped; send it again.

        (Telegram may or may not have delivered it: repeating one message beats losing it.)
        """
        async with self.db.transaction() as tx:
            cursor = await tx.execute("UPDATE outbox SET state = 'planned' WHERE state = 'sending'")
            count = cursor.rowcount
            if count:
                await self.count(tx, "all", "recovered", count)
        if count:
            log.warning("%d message(s) were being sent when the bot stopped: sending again", count)
        return count

    async def next_wake(self, now: dt.datetime) -> dt.datetime | None:
        """When something is due next (not during quiet hours), or None when nothing is planned."""
        due = await self.db.fetchval("SELECT min(due_at) FROM outbox WHERE state = 'planned'")
        if due is None:
            return None
        return self.timing.after_quiet(max(from_utc_text(due), now))

    async def cleanup(self, now: dt.datetime) -> int:
        """Delete finished rows whose occurrence is well over: they hold a user id and serve no purpose."""
        local = local_naive(now - KEEP_AFTER, self.timing.tz)
        return await self.db.execute(
            f"""DELETE FROM outbox WHERE state IN ({_marks(FINAL_STATES)}) AND occurrence < ?""",
            (*FINAL_STATES, occurrence_text(local)),
        )

    async def states(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT state, count(*) AS n FROM outbox GROUP BY state")
        return {r["state"]: int(r["n"]) for r in rows}


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))
