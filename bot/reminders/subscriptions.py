"""Reminders: who wants which offer reminded and when, and turning that into planned outbox rows.

- "Herinner mij" on a dated activity: the day before (18:00), some hours before, or both; for a
  recurring activity only the next time or every time (planned a week ahead, topped up daily).
- The weekly overview: every Monday 09:00 (config), optionally only some topics.
- When an offer moves or is cancelled (OfferStore listener), everybody with a reminder gets one
  short notice and their reminders follow the new time.
- "Ik ga" / "Ik ga niet" answers, only from a person who got a reminder for that date, kept without who
  (bot/reminders/answers.py).

No Telegram here: the conversation screens are in bot/reminders/screens.py, the sending in
bot/reminders/dispatcher.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.chat.people import People
from bot.offers.store import OfferStore, StoredOffer
from bot.platform.calendar import Clock, is_occurrence, iter_occurrences, local_naive
from bot.platform.db import Database, Transaction
from bot.reminders.answers import GoingAnswers
from bot.reminders.dispatcher import Alarm
from bot.reminders.kinds import CANCELLED, MOVED, NOTICE_KINDS, REMINDER_KINDS, WEEKLY
from bot.reminders.outbox import (
    Outbox,
    Planned,
    Timing,
    from_utc_text,
    occurrence_text,
    parse_occurrence,
    utc_text,
)

log = logging.getLogger(__name__)

# Recurring "elke keer" reminders are planned this far ahead (and at least the next occurrence).
PLAN_AHEAD = dt.timedelta(days=8)

# Weekly overview topics: key (in button actions) -> what an offer needs to match.
WEEKLY_TOPICS: dict[str, dict[str, frozenset[str]]] = {
    "kids": {"groups": frozenset({"kinderen", "gezinnen"}), "categories": frozenset({"jeugd", "gezin"})},
    "sport": {"categories": frozenset({"sport"})},
    "culture": {"categories": frozenset({"cultuur", "theater", "muziek", "film", "creatief", "bibliotheek"})},
    "outing": {"categories": frozenset({"uitstap", "natuur"})},
    "meet": {"categories": frozenset({"ontmoeting", "senioren", "vorming"})},
}
KIDS_MAX_AGE = 12  # "voor kinderen" also matches offers for ages up to this


class NotRemindable(ValueError):
    """This offer cannot be reminded (gone, not published, undated, or nothing coming)."""


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: int
    offer_pk: int
    day_before: bool
    hours_before: bool
    every_time: bool
    occurrence: dt.datetime | None  # naive local start, for "alleen de volgende keer"
    created_at: dt.datetime

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k, on in zip(REMINDER_KINDS, (self.day_before, self.hours_before), strict=True) if on)


def _subscription(row: sqlite3.Row) -> Subscription:
    r = {key: row[key] for key in row.keys()}  # noqa: SIM118 - a Row iterates over its values
    return Subscription(
        id=r["id"],
        user_id=r["user_id"],
        offer_pk=r["offer_pk"],
        day_before=bool(r["day_before"]),
        hours_before=bool(r["hours_before"]),
        every_time=bool(r["every_time"]),
        occurrence=parse_occurrence(r["occurrence"]) if r["occurrence"] else None,
        created_at=from_utc_text(r["created_at"]),
    )


@dataclass(frozen=True)
class Subscribed:
    """The result of "Herinner mij": what was saved and which reminders are planned."""

    subscription: Subscription | None  # None: nothing could be planned in time, nothing kept
    planned: tuple[Planned, ...]
    new: bool = False  # the person had no reminder for this offer yet (not a changed choice)


def topics_text(topics: Iterable[str]) -> str:
    return "|" + "|".join(sorted(topics)) + "|" if topics else ""


def parse_topics(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split("|") if t in WEEKLY_TOPICS)


def matches_topics(stored: StoredOffer, topics: frozenset[str]) -> bool:
    """Whether an offer belongs to one of the chosen topics (no topics: everything)."""
    if not topics:
        return True
    offer = stored.offer
    categories, groups = set(offer.categories), set(offer.audience.groups)
    for topic in topics:
        rule = WEEKLY_TOPICS[topic]
        if categories & rule.get("categories", frozenset()) or groups & rule.get("groups", frozenset()):
            return True
        if topic == "kids" and offer.audience.max_age is not None and offer.audience.max_age <= KIDS_MAX_AGE:
            return True
    return False


class OfferFollower:
    """Plans reminders from subscriptions and follows offers that change (an OfferStore listener): a new
    time moves the reminders and tells the person, a cancellation tells them and ends the reminder.

    Its own object, without the offer store, because the store is built with its listeners (bot/core.py);
    `Reminders` builds on it with everything else.
    """

    def __init__(self, db: Database, outbox: Outbox, alarm: Alarm, clock: Clock) -> None:
        self.db = db
        self.outbox = outbox
        self.alarm = alarm
        self.clock = clock
        self.timing: Timing = outbox.timing

    def _local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.timing.tz)

    # --- occurrences ---------------------------------------------------------------------------

    def upcoming(self, stored: StoredOffer, *, after: dt.datetime | None = None) -> Iterable[dt.datetime]:
        """Starts (naive local) of the occurrences that have not started yet."""
        when = stored.offer.when
        if when is None:
            return
        after = after or self._local_now()
        for start, _end in iter_occurrences(when, after=after):
            if start > after:
                yield start

    def next_start(self, stored: StoredOffer) -> dt.datetime | None:
        return next(iter(self.upcoming(stored)), None)

    def remindable(self, stored: StoredOffer | None) -> bool:
        """A published, dated activity with an occurrence still to come."""
        return (
            stored is not None
            and stored.status == "published"
            and stored.offer.kind == "activity"
            and stored.offer.when is not None
            and self.next_start(stored) is not None
        )

    def is_occurrence(self, stored: StoredOffer, start: dt.datetime) -> bool:
        """Whether `start` (naive local) is a real occurrence of the offer (button actions are checked)."""
        when = stored.offer.when
        return when is not None and is_occurrence(when, start)

    def plan_items(self, sub: Subscription, stored: StoredOffer, now: dt.datetime, *, catch_up: bool) -> list[Planned]:
        """The reminders a subscription asks for from `now` on.

        A reminder whose time has passed is planned only with `catch_up` (start-up, daily run) and
        only if the subscription existed then: it was missed while the bot was down, and still
        goes out if the activity has not started. Right after "Herinner mij" it is left out.
        """
        if stored.status != "published" or stored.offer.when is None:
            return []
        now_local = local_naive(now, self.timing.tz)
        if sub.every_time:
            starts: list[dt.datetime] = []
            for start in self.upcoming(stored, after=now_local):
                if starts and start > now_local + PLAN_AHEAD:
                    break
                starts.append(start)
        else:
            starts = [sub.occurrence] if sub.occurrence is not None and sub.occurrence > now_local else []
        items = []
        for start in starts:
            for kind in sub.kinds:
                at = self.timing.reminder_at(kind, start)
                if at <= now and not (catch_up and at > sub.created_at):
                    continue
                items.append(Planned(sub.user_id, sub.offer_pk, occurrence_text(start), kind, at))
        return items

    # --- offer changes ---------------------------------------------------------------------------

    def person_next(
        self, sub: Subscription, stored: StoredOffer, now_local: dt.datetime | None = None
    ) -> dt.datetime | None:
        """The occurrence the person is waiting for under this version of the offer."""
        now_local = now_local or self._local_now()
        if not sub.every_time:
            return sub.occurrence if sub.occurrence is not None and sub.occurrence > now_local else None
        return next(iter(self.upcoming(stored, after=now_local)), None)

    def _moved_occurrence(
        self, sub: Subscription, old: StoredOffer, new: StoredOffer, now_local: dt.datetime
    ) -> dt.datetime | None:
        """Where a "once" reminder goes when the offer's time changes: the same date if it still
        is an occurrence, the new start of a one-off offer, else the next occurrence."""
        if sub.occurrence is not None and self.is_occurrence(new, sub.occurrence) and sub.occurrence > now_local:
            return sub.occurrence
        return next(iter(self.upcoming(new, after=now_local)), None)

    async def on_offer_changed(self, old: StoredOffer | None, new: StoredOffer | None) -> None:
        """OfferStore listener: follow a new time, tell people about a move or a cancellation."""
        if old is None or new is None:
            return  # new offers have no reminders; deleted ones lose theirs through the cascade
        rows = await self.db.fetchall("SELECT * FROM reminder_subscriptions WHERE offer_pk = ?", (new.pk,))
        subs = [_subscription(r) for r in rows]
        if not subs:
            return
        now = self.clock.now()
        now_local = local_naive(now, self.timing.tz)
        moved_time = old.offer.when != new.offer.when
        async with self.db.transaction() as tx:
            for sub in subs:
                waiting_for = self.person_next(sub, old, now_local)
                if new.status == "published" and old.status == "published":
                    if not moved_time:
                        continue
                    await self._follow_move(tx, sub, old, new, now, waiting_for)
                elif new.status == "published":  # published again
                    await self.outbox.plan(tx, self.plan_items(sub, new, now, catch_up=False))
                elif new.status == "cancelled" and old.status == "published":
                    await self._cancelled(tx, sub, now, waiting_for)
                else:  # withdrawn to draft or pending: quietly hold the reminders
                    await self.outbox.cancel(tx, offer_pk=new.pk, kinds=REMINDER_KINDS, reason="unpublished")
        await self.alarm.reschedule()

    async def _follow_move(
        self,
        tx: Transaction,
        sub: Subscription,
        old: StoredOffer,
        new: StoredOffer,
        now: dt.datetime,
        waiting_for: dt.datetime | None,
    ) -> None:
        now_local = local_naive(now, self.timing.tz)
        if not sub.every_time:
            target = self._moved_occurrence(sub, old, new, now_local) if waiting_for else None
            if target is None:  # the date the person waited for is gone and nothing comes after
                await self._cancelled(tx, sub, now, waiting_for)
                return
            if target != sub.occurrence:
                await tx.execute(
                    "UPDATE reminder_subscriptions SET occurrence = ? WHERE id = ?", (occurrence_text(target), sub.id)
                )
                sub = dataclasses.replace(sub, occurrence=target)
        await self.outbox.cancel(tx, user_id=sub.user_id, offer_pk=sub.offer_pk, kinds=REMINDER_KINDS, reason="moved")
        await self.outbox.plan(tx, self.plan_items(sub, new, now, catch_up=False))
        now_next = self.person_next(sub, new, now_local)
        if waiting_for is not None and now_next is not None and now_next != waiting_for:
            await self.outbox.cancel(tx, user_id=sub.user_id, offer_pk=sub.offer_pk, kinds=NOTICE_KINDS, reason="moved")
            notice = Planned(sub.user_id, sub.offer_pk, occurrence_text(now_next), MOVED, now)
            await self.outbox.plan(tx, [notice], renew=True)

    async def _cancelled(
        self, tx: Transaction, sub: Subscription, now: dt.datetime, waiting_for: dt.datetime | None
    ) -> None:
        """The offer (or the date the person waited for) is off: one notice, and the reminder ends."""
        await self.outbox.cancel(tx, user_id=sub.user_id, offer_pk=sub.offer_pk, reason="offer_cancelled")
        if waiting_for is not None:
            notice = Planned(sub.user_id, sub.offer_pk, occurrence_text(waiting_for), CANCELLED, now)
            await self.outbox.plan(tx, [notice], renew=True)
        await tx.execute("DELETE FROM reminder_subscriptions WHERE id = ?", (sub.id,))


class Reminders(OfferFollower):
    def __init__(
        self,
        db: Database,
        offers: OfferStore,
        people: People,
        outbox: Outbox,
        alarm: Alarm,
        clock: Clock,
        answers: GoingAnswers,
    ) -> None:
        super().__init__(db, outbox, alarm, clock)
        self.offers = offers
        self.people = people
        self.answers = answers
        self.started = asyncio.Event()  # set once the schedule was rebuilt at start-up

    # --- subscriptions -------------------------------------------------------------------------

    async def subscription(self, user_id: int, offer_pk: int) -> Subscription | None:
        row = await self.db.fetchone(
            "SELECT * FROM reminder_subscriptions WHERE user_id = ? AND offer_pk = ?", (user_id, offer_pk)
        )
        return None if row is None else _subscription(row)

    async def subscriptions(self, user_id: int) -> list[tuple[Subscription, StoredOffer]]:
        """A person's reminders with their offers, soonest occurrence first."""
        rows = await self.db.fetchall("SELECT * FROM reminder_subscriptions WHERE user_id = ? ORDER BY id", (user_id,))
        found = []
        for row in rows:
            sub = _subscription(row)
            stored = await self.offers.get_by_pk(sub.offer_pk)
            if stored is not None:
                found.append((sub, stored))
        far = dt.datetime.max
        found.sort(key=lambda pair: self.person_next(pair[0], pair[1]) or far)
        return found

    async def subscribe(
        self, user_id: int, offer_pk: int, *, day_before: bool, hours_before: bool, every_time: bool
    ) -> Subscribed:
        """Save "Herinner mij" (replacing an earlier choice for this offer) and plan its reminders."""
        if not (day_before or hours_before):
            raise ValueError("choose at least one reminder")
        stored = await self.offers.get_by_pk(offer_pk)
        if stored is None or not self.remindable(stored):
            raise NotRemindable(offer_pk)
        recurring = bool(stored.offer.when and stored.offer.when.rrule)
        every_time = every_time and recurring
        now = self.clock.now()
        occurrence = None if every_time else self.next_start(stored)
        async with self.db.transaction() as tx:
            new = (
                await tx.fetchval(
                    "SELECT 1 FROM reminder_subscriptions WHERE user_id = ? AND offer_pk = ?", (user_id, offer_pk)
                )
                is None
            )
            await tx.execute(
                """INSERT INTO reminder_subscriptions
                   (user_id, offer_pk, day_before, hours_before, every_time, occurrence, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (user_id, offer_pk) DO UPDATE SET day_before = excluded.day_before,
                   hours_before = excluded.hours_before, every_time = excluded.every_time,
                   occurrence = excluded.occurrence, created_at = excluded.created_at""",
                (
                    user_id,
                    offer_pk,
                    int(day_before),
                    int(hours_before),
                    int(every_time),
                    occurrence_text(occurrence) if occurrence else None,
                    utc_text(now),
                ),
            )
            row = await tx.fetchone(
                "SELECT * FROM reminder_subscriptions WHERE user_id = ? AND offer_pk = ?", (user_id, offer_pk)
            )
            assert row is not None  # written just above, in the same transaction
            sub = _subscription(row)
            await self.outbox.cancel(tx, user_id=user_id, offer_pk=offer_pk, kinds=REMINDER_KINDS, reason="replaced")
            items = self.plan_items(sub, stored, now, catch_up=False)
            await self.outbox.plan(tx, items)
            if not items and not every_time:  # too soon for any reminder: keep nothing
                await tx.execute("DELETE FROM reminder_subscriptions WHERE id = ?", (sub.id,))
                await self.outbox.count(tx, "subscription", "too_soon")
                return Subscribed(None, ())
            # The report counts people who asked a reminder, not presses: a changed choice is not a new one.
            await self.outbox.count(tx, "subscription", ("every_time" if every_time else "once") if new else "changed")
        await self.alarm.reschedule()
        return Subscribed(sub, tuple(items), new=new)

    async def unsubscribe(
        self, user_id: int, *, offer_pk: int | None = None, subscription_id: int | None = None
    ) -> bool:
        """ "Herinner me niet meer": forget the choice and cancel what was planned for it."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM reminder_subscriptions WHERE user_id = ? AND (offer_pk = ? OR id = ?)",
                (
                    user_id,
                    offer_pk if offer_pk is not None else -1,
                    subscription_id if subscription_id is not None else -1,
                ),
            )
            if row is None:
                return False
            sub = _subscription(row)
            await tx.execute("DELETE FROM reminder_subscriptions WHERE id = ?", (sub.id,))
            await self.outbox.cancel(tx, user_id=user_id, offer_pk=sub.offer_pk, reason="unsubscribed")
            await self.outbox.count(tx, "subscription", "stopped")
        return True

    # --- planning ------------------------------------------------------------------------------

    async def plan_all(self, *, catch_up: bool = True) -> int:
        """Top up the outbox from all subscriptions (start-up and daily); drop subscriptions that are over."""
        now = self.clock.now()
        now_local = local_naive(now, self.timing.tz)
        rows = await self.db.fetchall(
            """SELECT s.* FROM reminder_subscriptions s JOIN people p USING (user_id)
               WHERE p.stopped_at IS NULL AND p.blocked_at IS NULL ORDER BY s.offer_pk"""
        )
        subs = [_subscription(r) for r in rows]
        stored_by_pk: dict[int, StoredOffer | None] = {}
        for sub in subs:  # read before the transaction: it holds the connection
            if sub.offer_pk not in stored_by_pk:
                stored_by_pk[sub.offer_pk] = await self.offers.get_by_pk(sub.offer_pk)
        planned = 0
        finished: list[int] = []
        async with self.db.transaction() as tx:
            for sub in subs:
                stored = stored_by_pk[sub.offer_pk]
                if stored is None:
                    continue
                if stored.status == "published" and self.person_next(sub, stored, now_local) is None:
                    finished.append(sub.id)  # the date is over, or a recurring offer has no dates left
                    continue
                planned += await self.outbox.plan(tx, self.plan_items(sub, stored, now, catch_up=catch_up))
            if finished:
                await tx.execute(
                    f"DELETE FROM reminder_subscriptions WHERE id IN ({','.join('?' * len(finished))})", finished
                )
            planned += await self._plan_weekly(tx, now)
        return planned

    # --- answers under a reminder --------------------------------------------------------------

    async def answer(self, user_id: int, stored: StoredOffer, occurrence: dt.datetime, *, going: bool) -> bool:
        """ "Ik ga" / "Ik ga niet" for one date; the last answer counts (bot/reminders/answers.py).

        Only a person the bot sent a reminder for that date may answer: anyone else (a forged or passed-on
        button) changes nothing and gets False. Not going drops the reminders still to come for that
        date; going again (a change of mind) plans them back."""
        occ = occurrence_text(occurrence)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            reminded = await tx.fetchval(
                f"""SELECT 1 FROM outbox WHERE user_id = ? AND offer_pk = ? AND occurrence = ?
                    AND kind IN ({",".join("?" * len(REMINDER_KINDS))}) AND state IN ('sent', 'sending') LIMIT 1""",
                (user_id, stored.pk, occ, *REMINDER_KINDS),
            )
            if reminded is None:
                return False
            await self.answers.record(tx, user_id, stored.offer.id, occurrence, going=going)
            if going:
                cursor = await tx.execute(
                    f"""UPDATE outbox SET state = 'planned', reason = NULL WHERE user_id = ? AND offer_pk = ?
                        AND occurrence = ? AND state = 'dropped' AND reason = 'not_going'
                        AND kind IN ({",".join("?" * len(REMINDER_KINDS))}) AND due_at > ?""",
                    (user_id, stored.pk, occ, *REMINDER_KINDS, utc_text(now)),
                )
                planned_again = cursor.rowcount
            else:
                await tx.execute(
                    """UPDATE outbox SET state = 'dropped', reason = 'not_going' WHERE user_id = ? AND offer_pk = ?
                       AND occurrence = ? AND state = 'planned' AND kind IN (?, ?)""",
                    (user_id, stored.pk, occ, *REMINDER_KINDS),
                )
                planned_again = 0
        if planned_again:
            await self.alarm.reschedule()
        return True

    async def going_counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(offer id, date) -> (people going, people not going)."""
        return await self.answers.counts()

    # --- weekly overview -----------------------------------------------------------------------

    async def weekly_topics(self, user_id: int) -> frozenset[str] | None:
        """The person's weekly overview topics (empty: everything), or None when not subscribed."""
        text = await self.db.fetchval("SELECT topics FROM weekly_subscriptions WHERE user_id = ?", (user_id,))
        return None if text is None else parse_topics(text)

    async def weekly_subscribe(self, user_id: int, topics: Iterable[str] = ()) -> dt.datetime:
        """Opt in (or change the topics); returns when the first overview goes out."""
        chosen = topics_text(t for t in topics if t in WEEKLY_TOPICS)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            new = await tx.fetchval("SELECT 1 FROM weekly_subscriptions WHERE user_id = ?", (user_id,)) is None
            await tx.execute(
                """INSERT INTO weekly_subscriptions (user_id, topics, created_at) VALUES (?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET topics = excluded.topics""",
                (user_id, chosen, utc_text(now)),
            )
            if new:
                await self.outbox.count(tx, "subscription", "weekly")
            await self._plan_weekly(tx, now, user_ids=[user_id])
        await self.alarm.reschedule()
        return self.timing.next_weekly(now)[1]

    async def weekly_unsubscribe(self, user_id: int) -> bool:
        async with self.db.transaction() as tx:
            cursor = await tx.execute("DELETE FROM weekly_subscriptions WHERE user_id = ?", (user_id,))
            await self.outbox.cancel(tx, user_id=user_id, kinds=(WEEKLY,), reason="unsubscribed")
        return bool(cursor.rowcount)

    async def _plan_weekly(self, tx: Transaction, now: dt.datetime, *, user_ids: Sequence[int] | None = None) -> int:
        day, at = self.timing.next_weekly(now)
        sql = """SELECT w.user_id FROM weekly_subscriptions w JOIN people p USING (user_id)
                 WHERE p.stopped_at IS NULL AND p.blocked_at IS NULL"""
        params: list[object] = []
        if user_ids is not None:
            sql += f" AND w.user_id IN ({','.join('?' * len(user_ids))})"
            params.extend(user_ids)
        rows = await tx.fetchall(sql, params)
        return await self.outbox.plan(tx, (Planned(r["user_id"], None, day.isoformat(), WEEKLY, at) for r in rows))

    async def week_items(
        self, topics: frozenset[str], *, days: int = 7
    ) -> list[tuple[dt.datetime, dt.datetime, StoredOffer]]:
        """The activities of the coming days matching the topics: (start, end, offer), by start."""
        now_local = self._local_now()
        until = now_local + dt.timedelta(days=days)
        items = []
        for stored in await self.offers.select(kind="activity"):
            if stored.offer.when is None or not matches_topics(stored, topics):
                continue
            for start, end in iter_occurrences(stored.offer.when, after=now_local):
                if start >= until:
                    break
                items.append((start, end, stored))
                break  # the next date is enough for an overview
        items.sort(key=lambda item: (item[0], item[2].offer.title))
        return items

    # --- the bot's daily rounds ----------------------------------------------------------------

    async def startup(self) -> None:
        """Rebuild the schedule from the database: in-flight rows back, missed ones planned."""
        await self.answers.adopt_earlier()
        await self.answers.cleanup()
        await self.outbox.recover()
        await self.plan_all(catch_up=True)
        self.started.set()

    async def daily(self) -> None:
        """Top up recurring reminders and the weekly overview; delete what is over."""
        await self.plan_all(catch_up=True)
        await self.outbox.cleanup(self.clock.now())
        await self.answers.cleanup()
