"""'Ik ga' / 'Ik ga niet' under a reminder: one answer per person and date, the last one wins, kept without who.

What is stored (migration 0010) and why:
- Per date of an activity, a keyed hash of the person and their last answer (`going_answers`): no user
  id, no reference to `people`. The hash is HMAC-SHA256(key of the date's month, 'going:' + user id),
  the scheme of the anonymous question log (bot/insights), with keys of its own (`going_keys`).
- While a month's key lives, the same person always gets the same hash for the dates of that month:
  pressing "Ik ga" again, or changing one's mind, replaces the answer instead of adding one, and the
  network's report counts people (per activity and month, each person once), never presses.
- The daily job destroys a month's key once the month is over (with secure_delete): from then on nobody,
  not even someone holding the database and the people table, can tell whose answers they were. An
  activity still running after its month is over is answered under the current month's key.
- /vergeet: the person's answers to dates still to come are deleted; answers to dates that have begun
  stay counted, under a random hash that nobody can link to them.
- Rows older than `privacy.retention_months` are deleted, like the question log.

Who may answer is checked by the caller (bot/reminders/subscriptions.py: only a person the bot sent a
reminder for that date); this module only keeps the answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.platform.calendar import Clock, local_naive
from bot.platform.db import Database, Transaction

log = logging.getLogger(__name__)

PURPOSE = "going"
OCCURRENCE_FORMAT = "%Y-%m-%dT%H:%M"  # as the outbox writes dates (bot/reminders/outbox.py)


def month_of(moment: dt.date | dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def person_hash(secret: bytes, user_id: int) -> str:
    """HMAC-SHA256 of the user id, 128 bits in hex: without the secret nobody can tell whose it is."""
    return hmac.new(secret, f"{PURPOSE}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class AnswersCleanup:
    answers: int = 0  # rows past the retention period, deleted
    keys: int = 0  # keys of months that are over, destroyed


class GoingAnswers:
    """The answers under reminders. Also a `bot.chat.people.PeopleObserver`: /vergeet reaches it."""

    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo, *, retention_months: int = 13) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.retention_months = retention_months

    def _local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.tz)

    async def _secret(self, tx: Transaction, occurrence: dt.datetime) -> bytes:
        """The key of the date's month, made on first use; for a month that is over (its key may be
        destroyed, and is never made again) the key of this month."""
        period, current = month_of(occurrence), month_of(self._local_now())
        if period < current:
            secret = await tx.fetchval("SELECT secret FROM going_keys WHERE period = ?", (period,))
            if secret is not None:
                return bytes(secret)
            period = current
        await tx.execute(
            "INSERT INTO going_keys (period, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (period) DO NOTHING",
            (period, secrets.token_bytes(32), self.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")),
        )
        return bytes(await tx.fetchval("SELECT secret FROM going_keys WHERE period = ?", (period,)))

    async def record(
        self,
        tx: Transaction,
        user_id: int,
        offer_id: str,
        occurrence: dt.datetime,
        *,
        going: bool,
        replace: bool = True,
    ) -> None:
        """The person's answer for this date (naive local start), replacing an earlier one (unless not `replace`)."""
        person = person_hash(await self._secret(tx, occurrence), user_id)
        on_conflict = "DO UPDATE SET going = excluded.going" if replace else "DO NOTHING"
        await tx.execute(
            f"""INSERT INTO going_answers (offer_id, occurrence, person, going) VALUES (?, ?, ?, ?)
                ON CONFLICT (offer_id, occurrence, person) {on_conflict}""",
            (offer_id, occurrence.strftime(OCCURRENCE_FORMAT), person, int(going)),
        )

    async def counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(offer id, date) -> (people going, people not going): the figures of dates before migration 0010
        (`going_counts`, already one per person) plus the answers since."""
        counts: dict[tuple[str, str], tuple[int, int]] = {}
        for r in await self.db.fetchall("SELECT offer_id, occurrence, going, not_going FROM going_counts"):
            counts[(r["offer_id"], r["occurrence"])] = (r["going"], r["not_going"])
        rows = await self.db.fetchall(
            """SELECT offer_id, occurrence, sum(going) AS going, sum(1 - going) AS not_going
               FROM going_answers GROUP BY 1, 2"""
        )
        for r in rows:
            key = (r["offer_id"], r["occurrence"])
            going, not_going = counts.get(key, (0, 0))
            counts[key] = (going + r["going"], not_going + r["not_going"])
        return counts

    # --- people (PeopleObserver) ---------------------------------------------------------------

    async def person_seen(self, user_id: int, *, first_seen: str, previous_seen: str | None) -> None:
        """Nothing to do: answers are only kept when given."""

    async def person_forgotten(self, user_id: int) -> None:
        """/vergeet: answers to dates still to come go; those to dates that have begun get a random hash."""
        now = self._local_now().strftime(OCCURRENCE_FORMAT)
        keys = await self.db.fetchall("SELECT secret FROM going_keys")
        async with self.db.transaction() as tx:
            for row in keys:
                person = person_hash(bytes(row["secret"]), user_id)
                await tx.execute("DELETE FROM going_answers WHERE person = ? AND occurrence >= ?", (person, now))
                await tx.execute(
                    "UPDATE going_answers SET person = ? WHERE person = ?", (secrets.token_hex(16), person)
                )

    # --- the daily rounds ----------------------------------------------------------------------

    async def cleanup(self) -> AnswersCleanup:
        """Destroy the keys of months that are over; delete answers older than the retention period."""
        now = self._local_now()
        cutoff = (now.date() - relativedelta(months=self.retention_months)).isoformat()
        await self.db.execute("PRAGMA secure_delete = ON")  # overwrite deleted rows, keys above all
        async with self.db.transaction() as tx:
            answers = (await tx.execute("DELETE FROM going_answers WHERE occurrence < ?", (cutoff,))).rowcount
            keys = (await tx.execute("DELETE FROM going_keys WHERE period < ?", (month_of(now),))).rowcount
        if keys:
            # The deleted key may still sit in the write-ahead log: fold the log into the file and empty it.
            busy = await self.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
            if busy is not None and busy[0]:
                log.info("write-ahead log still in use; the destroyed key leaves it at the next checkpoint")
        return AnswersCleanup(answers, keys)

    async def adopt_earlier(self) -> int:
        """Answers kept by user id before migration 0010 (`reminder_answers`) move here under the keyed hash,
        so a person who answers again still counts once (an answer given since wins); the old rows go.
        Returns how many moved."""
        rows = await self.db.fetchall(
            """SELECT a.user_id, o.id AS offer_id, a.occurrence, a.going
               FROM reminder_answers a JOIN offers o ON o.pk = a.offer_pk"""
        )
        async with self.db.transaction() as tx:
            for row in rows:
                try:
                    occurrence = dt.datetime.strptime(row["occurrence"], OCCURRENCE_FORMAT)
                except ValueError:
                    continue  # not a date the bot wrote: nothing to count
                await self.record(
                    tx, row["user_id"], row["offer_id"], occurrence, going=bool(row["going"]), replace=False
                )
            await tx.execute("DELETE FROM reminder_answers")
        return len(rows)
