"""Figures that come from other parts of the bot, read defensively.

Reminders and key figures are built beside this package. Their own tables may not exist (an older
database, a bot without those parts) or may look different from what was assumed here, so every
query first checks that the tables and columns it needs are there, and answers None ("nog geen
gegevens") otherwise instead of failing the whole report.

What is assumed (the shape of the reminders branch as of this writing), best source first:
- Reminders, totals: `reminder_counts(day, kind, outcome, count)`, the reminder part's anonymous
  daily counts: kind 'subscription' with outcome 'once' / 'every_time' is a reminder asked; kinds
  'day_before' / 'hours_before' with 'sent' / 'sent_late', 'dropped:blocked', 'dropped:too_late',
  other 'dropped:...' and 'failed:...' are what became of the messages.
- 'Ik ga' per activity: `going_answers(offer_id, occurrence, person, going)` (migration 0010: each
  person's last answer per date, under a keyed hash), `going_counts(offer_id, occurrence, going,
  not_going)` for dates before that, and rows `reminder_answers` may still hold from before it.
  People, not presses: 'going' / 'not_going' events in `offer_actions` counted presses (and anyone's),
  so they are never read.
- Otherwise the counts the reminder part reported through `Conversation.record_action` ('remind',
  'remind_sent', 'remind_blocked', 'remind_late', 'remind_dropped', 'remind_failed'), kept per offer
  and day in `offer_actions`.
- Per activity, asked and sent, when no event gave them: the live rows of
  `reminder_subscriptions(offer_pk, created_at)` and `outbox(offer_pk, kind, state, sent_at)`.
  /vergeet and the reminder part's own clean-up remove those, so these numbers can only be lower.
- Key figures: the audit trail `offer_events`: a 'created' event with status draft or pending (or by
  an actor 'keyfigure:<n>', or a source 'telegram:...'), then the status changes ('status' events
  with from/to, or 'updated' events with a status pair) up to published. The organisation comes
  from the source 'telegram:sleutelfiguur-<n> (<organisation>)', else from `key_figures(id,
  organisation)` for the actor 'keyfigure:<n>'.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from bot.insights.period import Period
from bot.platform.db import Database
from bot.reminders.kinds import REMINDER_KINDS  # the reminder messages (not the weekly overview or notices)

REMINDER_ACTIONS = (
    "remind",
    "remind_sent",
    "remind_blocked",
    "remind_late",
    "remind_dropped",
    "remind_failed",
)  # fmt: skip  ('going' / 'not_going' events counted presses: the answers themselves are read, _answers)
_KEYFIGURE_SOURCE = re.compile(r"^telegram:sleutelfiguur-(\d+) \((.+)\)$")
_KEYFIGURE_ACTOR = re.compile(r"^keyfigure:(\d+)$")


async def columns(db: Database, table: str) -> set[str]:
    """The column names of a table; empty when there is no such table."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"not a table name: {table!r}")
    return {row["name"] for row in await db.fetchall(f"PRAGMA table_info({table})")}


# --- reminders ------------------------------------------------------------------------------------


@dataclass
class ReminderFigures:
    sources: set[str] = field(default_factory=set)  # 'events', 'counts' (anonymous tables), 'rows' (live rows)
    totals: dict[str, int] = field(default_factory=dict)  # action -> count
    per_offer: dict[str, dict[str, int]] = field(default_factory=dict)  # offer id -> action -> count

    def add(self, source: str, offer_id: str | None, action: str, n: int) -> None:
        if not n:
            return
        self.sources.add(source)
        self.totals[action] = self.totals.get(action, 0) + n
        if offer_id is not None:
            counts = self.per_offer.setdefault(offer_id, {})
            counts[action] = counts.get(action, 0) + n


async def reminder_figures(db: Database, period: Period) -> ReminderFigures | None:
    """Reminders asked, sent, dropped, and 'Ik ga', per activity; None when there is nothing to read.

    Each figure comes from the best source there is: the reminder part's own anonymous counts,
    then the events it reported to the question log, then its live rows (which /vergeet empties).
    """
    events = await db.fetchall(
        f"""SELECT offer_id, action, sum(n) AS n FROM offer_actions
            WHERE day BETWEEN ? AND ? AND action IN ({",".join("?" * len(REMINDER_ACTIONS))})
            GROUP BY offer_id, action""",
        (period.start.isoformat(), period.end.isoformat(), *REMINDER_ACTIONS),
    )
    from_events = ReminderFigures()
    for row in events:
        from_events.add("events", row["offer_id"], row["action"], row["n"])
    figures = ReminderFigures()
    for part in (_daily_counts, _answers, _live_rows):
        try:
            found = await part(db, period)
        except sqlite3.Error:
            continue  # the tables are there but not as assumed: leave this part to the other sources
        _merge(figures, found, from_events)
    # What no table of the reminder part gave, the events give.
    for action in set(from_events.totals) - set(figures.totals):
        figures.sources.add("events")
        figures.totals[action] = from_events.totals[action]
    for offer_id, counts in from_events.per_offer.items():
        mine = figures.per_offer.setdefault(offer_id, {})
        for action, n in counts.items():
            mine.setdefault(action, n)
    figures.per_offer = {o: c for o, c in figures.per_offer.items() if c}
    return figures if figures.totals else None


def _merge(figures: ReminderFigures, found: ReminderFigures, events: ReminderFigures) -> None:
    """Take totals the figures lack yet; per offer likewise (anonymous counts first, live rows last)."""
    for action, n in found.totals.items():
        if action not in figures.totals:
            figures.totals[action] = n
            figures.sources |= found.sources
    for offer_id, counts in found.per_offer.items():
        mine = figures.per_offer.setdefault(offer_id, {})
        for action, n in counts.items():
            if action not in mine and action not in events.per_offer.get(offer_id, {}):
                mine[action] = n


async def _daily_counts(db: Database, period: Period) -> ReminderFigures:
    """`reminder_counts(day, kind, outcome, count)`: anonymous daily counts, no offers."""
    found = ReminderFigures()
    if not {"day", "kind", "outcome", "count"} <= await columns(db, "reminder_counts"):
        return found
    rows = await db.fetchall(
        "SELECT kind, outcome, sum(count) AS n FROM reminder_counts WHERE day BETWEEN ? AND ? GROUP BY 1, 2",
        (period.start.isoformat(), period.end.isoformat()),
    )
    for row in rows:
        kind, outcome, n = row["kind"], str(row["outcome"]), int(row["n"] or 0)
        if kind == "subscription" and outcome in ("once", "every_time"):
            found.add("counts", None, "remind", n)
        elif kind in REMINDER_KINDS:
            if outcome in ("sent", "sent_late"):
                found.add("counts", None, "remind_sent", n)
            elif outcome == "dropped:blocked":
                found.add("counts", None, "remind_blocked", n)
            elif outcome == "dropped:too_late":
                found.add("counts", None, "remind_late", n)
            elif outcome.startswith("dropped:"):
                found.add("counts", None, "remind_dropped", n)
            elif outcome.startswith("failed:"):
                found.add("counts", None, "remind_failed", n)
    return found


async def _answers(db: Database, period: Period) -> ReminderFigures:
    """'Ik ga' / 'Ik ga niet' for dates in the period: people, never presses.

    Per activity and month a person counts once: as going when their last answer for one of its dates
    that month was "Ik ga", else as not going; the totals count each person once per month. Someone who
    answers in several months counts in each (the keys that recognise a person change every month).
    Dates before migration 0010 come from `going_counts`, one answer per person and date already.
    """
    found = ReminderFigures()
    span = (period.start.isoformat(), period.after_last_hour)
    if {"offer_id", "occurrence", "going", "not_going"} <= await columns(db, "going_counts"):
        rows = await db.fetchall(
            "SELECT offer_id, sum(going) AS going, sum(not_going) AS not_going FROM going_counts "
            "WHERE occurrence >= ? AND occurrence < ? GROUP BY offer_id",
            span,
        )
        for row in rows:
            found.add("counts", row["offer_id"], "going", int(row["going"] or 0))
            found.add("counts", row["offer_id"], "not_going", int(row["not_going"] or 0))
    # (offer id, month, person) -> going: the person's answers of that month, "Ik ga" once is going.
    people: dict[tuple[str, str, str], bool] = {}
    if {"offer_id", "occurrence", "person", "going"} <= await columns(db, "going_answers"):
        rows = await db.fetchall(
            """SELECT offer_id, substr(occurrence, 1, 7) AS month, person, max(going) AS going FROM going_answers
               WHERE occurrence >= ? AND occurrence < ? GROUP BY 1, 2, 3""",
            span,
        )
        for row in rows:
            people[(row["offer_id"], row["month"], row["person"])] = bool(row["going"])
    if {"user_id", "offer_pk", "occurrence", "going"} <= await columns(db, "reminder_answers"):
        # Answers kept by user id before migration 0010, until the bot's next start moves them.
        rows = await db.fetchall(
            """SELECT o.id AS offer_id, substr(a.occurrence, 1, 7) AS month, a.user_id, max(a.going) AS going
               FROM reminder_answers a JOIN offers o ON o.pk = a.offer_pk
               WHERE a.occurrence >= ? AND a.occurrence < ? GROUP BY 1, 2, 3""",
            span,
        )
        for row in rows:
            people[(row["offer_id"], row["month"], f"user:{row['user_id']}")] = bool(row["going"])
    by_month: dict[tuple[str, str], bool] = {}
    for (offer_id, month, person), going in people.items():
        counts = found.per_offer.setdefault(offer_id, {})
        action = "going" if going else "not_going"
        counts[action] = counts.get(action, 0) + 1
        by_month[(month, person)] = by_month.get((month, person), False) or going
    for (_, person), going in by_month.items():
        found.add("rows" if person.startswith("user:") else "counts", None, "going" if going else "not_going", 1)
    return found


async def _live_rows(db: Database, period: Period) -> ReminderFigures:
    """Per activity, what is still in the reminder tables: asked (`reminder_subscriptions`), sent (`outbox`)."""
    found = ReminderFigures()
    span = (period.first_hour, period.after_last_hour)
    if {"offer_pk", "created_at"} <= await columns(db, "reminder_subscriptions"):
        rows = await db.fetchall(
            """SELECT o.id AS offer_id, count(*) AS n FROM reminder_subscriptions s JOIN offers o ON o.pk = s.offer_pk
               WHERE s.created_at >= ? AND s.created_at < ? GROUP BY o.id""",
            span,
        )
        for row in rows:
            found.add("rows", row["offer_id"], "remind", row["n"])
    if {"offer_pk", "kind", "state", "sent_at"} <= await columns(db, "outbox"):
        rows = await db.fetchall(
            f"""SELECT o.id AS offer_id, count(*) AS n FROM outbox x JOIN offers o ON o.pk = x.offer_pk
                WHERE x.state = 'sent' AND x.kind IN ({",".join("?" * len(REMINDER_KINDS))})
                AND x.sent_at >= ? AND x.sent_at < ? GROUP BY o.id""",
            (*REMINDER_KINDS, *span),
        )
        for row in rows:
            found.add("rows", row["offer_id"], "remind_sent", row["n"])
    return found


# --- key figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """An offer a key figure added: when it was submitted and what became of it."""

    offer_id: str
    organisation: str | None
    submitted_at: dt.datetime  # UTC; for offers that published at once, the moment they were added
    decided_at: dt.datetime | None = None
    outcome: str = "waiting"  # 'approved', 'direct' (trusted, published at once), 'refused', 'waiting'

    @property
    def hours_to_approval(self) -> float | None:
        if self.outcome != "approved" or self.decided_at is None:
            return None
        return (self.decided_at - self.submitted_at).total_seconds() / 3600


async def submissions(db: Database) -> list[Submission]:
    """Every offer added by a key figure (or submitted for approval), from the audit trail, oldest first."""
    if not {"offer_id", "at", "actor", "action", "details"} <= await columns(db, "offer_events"):
        return []
    organisations = await _organisations(db)
    rows = await db.fetchall("SELECT offer_id, at, actor, action, details FROM offer_events ORDER BY seq")
    events: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in rows:
        events[row["offer_id"]].append(row)
    found = []
    for offer_id, trail in events.items():
        submission = _submission(offer_id, trail, organisations)
        if submission is not None:
            found.append(submission)
    return sorted(found, key=lambda s: s.submitted_at)


async def _organisations(db: Database) -> dict[str, str]:
    """Key figure number -> organisation, when the key figures' table is there."""
    names = await columns(db, "key_figures")
    column = "organisation" if "organisation" in names else "organization" if "organization" in names else None
    if "id" not in names or column is None:
        return {}
    rows = await db.fetchall(f"SELECT id, {column} AS organisation FROM key_figures")
    return {str(r["id"]): r["organisation"] for r in rows if r["organisation"]}


def _details(row: sqlite3.Row) -> dict:
    try:
        details = json.loads(row["details"] or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


def _status_change(row: sqlite3.Row) -> str | None:
    """The status an event moved the offer to, if it did."""
    details = _details(row)
    if row["action"] == "status":
        return details.get("to")
    if row["action"] == "updated" and isinstance(details.get("status"), list) and len(details["status"]) == 2:
        return details["status"][1]
    if row["action"] == "deleted":
        return "deleted"
    return None


def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _submission(offer_id: str, trail: list[sqlite3.Row], organisations: dict[str, str]) -> Submission | None:
    created = next((r for r in trail if r["action"] == "created"), None)
    if created is None:
        return None
    details = _details(created)
    status, source, actor = details.get("status"), str(details.get("source") or ""), str(created["actor"])
    by_key_figure = actor.startswith("keyfigure:") or source.startswith("telegram:")
    if not by_key_figure and (status not in ("draft", "pending") or actor.startswith(("import:", "system"))):
        return None
    organisation = None
    if match := _KEYFIGURE_SOURCE.match(source):
        organisation = match.group(2)
    elif match := _KEYFIGURE_ACTOR.match(actor):
        organisation = organisations.get(match.group(1))
    if status == "published":
        return Submission(offer_id, organisation, _time(created["at"]), _time(created["at"]), "direct")
    submitted = _time(created["at"]) if status == "pending" else None
    for row in trail[trail.index(created) + 1 :]:
        to = _status_change(row)
        if to is None:
            continue
        if submitted is None:
            if to == "pending":
                submitted = _time(row["at"])
            elif to == "published":  # straight from draft to published: approved without a wait
                return Submission(offer_id, organisation, _time(row["at"]), _time(row["at"]), "direct")
            continue
        if to == "published":
            return Submission(offer_id, organisation, submitted, _time(row["at"]), "approved")
        if to in ("cancelled", "deleted", "draft"):
            return Submission(offer_id, organisation, submitted, _time(row["at"]), "refused")
    if submitted is None:
        return None  # a draft that was never submitted
    return Submission(offer_id, organisation, submitted)
