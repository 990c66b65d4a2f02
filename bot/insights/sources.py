"""Figures that come from other parts of the bot, read defensively.

Reminders and key figures are built beside this package. Their own tables may not exist (an older
database, a bot without those parts) or may look different from what was assumed here, so every
query first checks that the tables and columns it needs are there, and answers None ("nog geen
gegevens") otherwise instead of failing the whole report.

What is assumed, and preferred:
- Reminders: the counts in `offer_actions` that the reminder part reports through
  `Conversation.record_action` ('remind', 'remind_sent', 'remind_blocked', 'remind_late',
  'remind_failed', 'going', 'not_going'). They are anonymous and survive /vergeet and the
  reminder rows' own clean-up. Only when there are none, the reminder tables are read if they have
  the assumed shape: `reminders(offer_id, created_at)` for what was planned, `outbox(offer_id,
  state, reason, due_at)` for what became of it (state 'sent' / 'dropped' / 'failed'; reason
  'blocked' / 'too_late') and `reminder_answers(offer_id, answer, answered_at)` for 'Ik ga'
  ('going' / 'not_going'). Those rows go with /vergeet, so these counts can only be lower.
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

from bot.db import Database
from bot.insights.period import Period

REMINDER_ACTIONS = ("remind", "remind_sent", "remind_blocked", "remind_late", "remind_failed", "going", "not_going")
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
    source: str  # 'events' (counted as they happened) or 'tables' (read from the reminder tables)
    totals: dict[str, int] = field(default_factory=dict)  # action -> count
    per_offer: dict[str, dict[str, int]] = field(default_factory=dict)  # offer id -> action -> count


async def reminder_figures(db: Database, period: Period) -> ReminderFigures | None:
    """Reminders planned, sent, dropped, and 'Ik ga', per activity; None when there is nothing to read."""
    rows = await db.fetchall(
        f"""SELECT offer_id, action, sum(n) AS n FROM offer_actions
            WHERE day BETWEEN ? AND ? AND action IN ({",".join("?" * len(REMINDER_ACTIONS))})
            GROUP BY offer_id, action""",
        (period.start.isoformat(), period.end.isoformat(), *REMINDER_ACTIONS),
    )
    if rows:
        return _collect("events", [(r["offer_id"], r["action"], r["n"]) for r in rows])
    try:
        found = await _reminder_tables(db, period)
    except sqlite3.Error:
        return None  # the tables are there but not as assumed: say 'no data' rather than fail
    return _collect("tables", found) if found else None


def _collect(source: str, rows: list[tuple[str, str, int]]) -> ReminderFigures:
    figures = ReminderFigures(source)
    for offer_id, action, n in rows:
        figures.totals[action] = figures.totals.get(action, 0) + n
        figures.per_offer.setdefault(offer_id, {})[action] = figures.per_offer.get(offer_id, {}).get(action, 0) + n
    return figures


async def _reminder_tables(db: Database, period: Period) -> list[tuple[str, str, int]]:
    start, after = period.first_hour, period.after_last_hour
    found: list[tuple[str, str, int]] = []
    if {"offer_id", "created_at"} <= await columns(db, "reminders"):
        rows = await db.fetchall(
            "SELECT offer_id, count(*) AS n FROM reminders WHERE created_at >= ? AND created_at < ? GROUP BY offer_id",
            (start, after),
        )
        found += [(r["offer_id"], "remind", r["n"]) for r in rows]
    if {"offer_id", "state", "reason", "due_at"} <= await columns(db, "outbox"):
        rows = await db.fetchall(
            """SELECT offer_id, CASE
                 WHEN state = 'sent' THEN 'remind_sent'
                 WHEN state = 'dropped' AND reason = 'blocked' THEN 'remind_blocked'
                 WHEN state = 'dropped' THEN 'remind_late'
                 WHEN state = 'failed' THEN 'remind_failed' END AS action, count(*) AS n
               FROM outbox WHERE due_at >= ? AND due_at < ? AND offer_id IS NOT NULL
               AND state IN ('sent', 'dropped', 'failed') GROUP BY 1, 2""",
            (start, after),
        )
        found += [(r["offer_id"], r["action"], r["n"]) for r in rows]
    if {"offer_id", "answer", "answered_at"} <= await columns(db, "reminder_answers"):
        rows = await db.fetchall(
            """SELECT offer_id, answer, count(*) AS n FROM reminder_answers
               WHERE answered_at >= ? AND answered_at < ? AND answer IN ('going', 'not_going') GROUP BY 1, 2""",
            (start, after),
        )
        found += [(r["offer_id"], r["answer"], r["n"]) for r in rows]
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
