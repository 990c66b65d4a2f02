"""The report's numbers for one period, exact and unsuppressed (suppression happens in `report`).

Everything is read from the anonymous tables of migration 0004, the offers and their audit trail,
and (defensively) the reminder tables: see `sources`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.insights.period import Period
from bot.insights.sources import ReminderFigures, Submission, reminder_figures, submissions
from bot.insights.themes import Asked, Theme, ThemeFinder
from bot.platform.db import Database

FOUND_RANK = 3  # an offer counts as found for a question when it was among the first three answers
TOP_OFFERS = 10
CAMPAIGN_WINDOW_DAYS = 28  # questions and reminders this many days before and after a campaign date
UNANSWERED = ("nothing", "out_of_scope")


@dataclass(frozen=True)
class MonthPeople:
    month: str  # 'YYYY-MM'
    people: int
    new: int

    @property
    def returning(self) -> int:
        return self.people - self.new


@dataclass(frozen=True)
class WeekQuestions:
    monday: dt.date
    questions: int
    answered: int


@dataclass(frozen=True)
class OfferCount:
    offer_id: str
    title: str
    kind: str | None
    questions: int = 0
    info: int = 0
    reminders: int = 0


@dataclass(frozen=True)
class Organisation:
    name: str | None
    submitted: int
    approved: int
    direct: int
    refused: int
    waiting: int
    median_hours: float | None
    max_hours: float | None


@dataclass(frozen=True)
class Campaign:
    tag: str
    date: dt.date | None  # None: the offers carry no (valid) campaign_date
    offers: tuple[str, ...]  # titles
    window_days: int  # days compared on each side (0: the date lies outside the period)
    before: dict[str, int] = field(default_factory=dict)  # 'questions', 'info', 'reminders' -> count
    after: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CareCount:
    """How many people wrote in trouble in a month, and where the bot sent them (migration 0008)."""

    period: str  # 'YYYY-MM'
    category: str  # 'suicide', 'violence', 'emergency', 'distress', 'material', 'money'
    sent_to: str  # '1813', '1712 + awel', '112', '106', 'sociaal huis'
    people: int
    messages: int


@dataclass
class Figures:
    period: Period
    generated_at: dt.datetime
    months: list[MonthPeople]
    people: int  # distinct people reached in the period's months
    new_people: int
    weeks: list[WeekQuestions]
    outcomes: dict[str, int]  # outcome -> questions
    led_to_info: int  # answered questions after which 'Meer info' was pressed on an offer found
    led_to_reminder: int
    led_to_either: int
    kinds: dict[str, int]  # offer kind -> answered questions that found an offer of that kind
    categories: dict[str, int]
    top_offers: list[OfferCount]
    unfound_offers: list[OfferCount]
    themes: list[Theme]
    reminders: ReminderFigures | None
    reminder_titles: dict[str, str]
    organisations: list[Organisation]
    campaigns: list[Campaign]
    care: list[CareCount] = field(default_factory=list)  # people in trouble per month (bot.care), counts only
    languages: dict[str, int] = field(default_factory=dict)  # language answered in -> questions (bot.lang)

    @property
    def questions(self) -> int:
        return sum(self.outcomes.values())

    @property
    def answered(self) -> int:
        return self.outcomes.get("answered", 0)

    @property
    def unanswered(self) -> int:
        return sum(self.outcomes.get(o, 0) for o in UNANSWERED)

    @property
    def submitted(self) -> int:
        return sum(o.submitted for o in self.organisations)


async def gather(db: Database, period: Period, finder: ThemeFinder, *, now: dt.datetime, tz: dt.tzinfo) -> Figures:
    """All figures of the report for `period` (local dates, both included)."""
    span = (period.first_hour, period.after_last_hour)
    months, people, new_people = await _people(db, period)
    outcome_rows = await db.fetchall(
        "SELECT substr(asked_at, 1, 10) AS day, outcome, count(*) AS n FROM question_log "
        "WHERE asked_at >= ? AND asked_at < ? GROUP BY 1, 2",
        span,
    )
    outcomes: Counter[str] = Counter()
    per_week: dict[dt.date, list[int]] = {monday: [0, 0] for monday in period.weeks()}
    for row in outcome_rows:
        outcomes[row["outcome"]] += row["n"]
        day = dt.date.fromisoformat(row["day"])
        week = per_week[day - dt.timedelta(days=day.weekday())]
        week[0] += row["n"]
        week[1] += row["n"] if row["outcome"] == "answered" else 0
    follow = await db.fetchone(
        "SELECT coalesce(sum(info), 0) AS info, coalesce(sum(reminder), 0) AS reminder, "
        "coalesce(sum(info OR reminder), 0) AS either FROM question_log "
        "WHERE asked_at >= ? AND asked_at < ? AND outcome = 'answered'",
        span,
    )
    assert follow is not None
    language_rows = await db.fetchall(
        "SELECT lang, count(*) AS n FROM question_log WHERE asked_at >= ? AND asked_at < ? GROUP BY lang", span
    )
    kinds, categories = await _kinds(db, span)
    titles = await _titles(db)
    actions = await _actions(db, period)
    reminders = await reminder_figures(db, period)
    return Figures(
        period=period,
        generated_at=now.astimezone(tz),
        months=months,
        people=people,
        new_people=new_people,
        weeks=[WeekQuestions(monday, n, answered) for monday, (n, answered) in sorted(per_week.items())],
        outcomes=dict(outcomes),
        led_to_info=follow["info"],
        led_to_reminder=follow["reminder"],
        led_to_either=follow["either"],
        kinds=kinds,
        categories=categories,
        top_offers=await _top_offers(db, span, titles, actions),
        unfound_offers=await _unfound(db, period, span),
        themes=await asyncio.to_thread(finder.group, await _unanswered(db, span)),
        reminders=reminders,
        reminder_titles={i: titles.get(i, (i, None))[0] for i in (reminders.per_offer if reminders else {})},
        organisations=_organisations(
            [s for s in await submissions(db) if period.contains(s.submitted_at.astimezone(tz).date())]
        ),
        campaigns=await _campaigns(db, period),
        languages={row["lang"]: row["n"] for row in language_rows},
        care=await _care(db, period),
    )


async def _care(db: Database, period: Period) -> list[CareCount]:
    """Per month, kind of trouble and line: people and messages (topics added up)."""
    months = period.months()
    if not await db.fetchval("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'care_counts'"):
        return []
    rows = await db.fetchall(
        "SELECT period, category, sent_to, sum(people) AS people, sum(messages) AS messages FROM care_counts "
        "WHERE period BETWEEN ? AND ? GROUP BY period, category, sent_to ORDER BY period, category, sent_to",
        (months[0], months[-1]),
    )
    return [CareCount(r["period"], r["category"], r["sent_to"], r["people"], r["messages"]) for r in rows]


async def _people(db: Database, period: Period) -> tuple[list[MonthPeople], int, int]:
    months = period.months()
    rows = await db.fetchall(
        "SELECT period, count(*) AS people, sum(is_new) AS new FROM insight_visitors "
        "WHERE period BETWEEN ? AND ? GROUP BY period",
        (months[0], months[-1]),
    )
    found = {r["period"]: MonthPeople(r["period"], r["people"], r["new"]) for r in rows}
    per_month = [found.get(m, MonthPeople(m, 0, 0)) for m in months]
    # A person counts once: in the first month of the period they were here, where their previous
    # contact lies before the period (or there was none).
    distinct = await db.fetchval(
        "SELECT count(*) FROM insight_visitors WHERE period BETWEEN ? AND ? AND (previous IS NULL OR previous < ?)",
        (months[0], months[-1], months[0]),
    )
    return per_month, int(distinct or 0), sum(m.new for m in per_month)


async def _kinds(db: Database, span: tuple[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    rows = await db.fetchall(
        """SELECT q.id, o.kind, o.categories FROM question_log q
           JOIN question_offers f ON f.question_id = q.id AND f.rank < ?
           LEFT JOIN offers o ON o.id = f.offer_id
           WHERE q.asked_at >= ? AND q.asked_at < ? AND q.outcome = 'answered'""",
        (FOUND_RANK, *span),
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    categories: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        kinds[row["id"]].add(row["kind"] or "")
        categories[row["id"]].update(c for c in (row["categories"] or "").split("|") if c)
    return _count_sets(kinds), _count_sets(categories)


def _count_sets(sets: dict[int, set[str]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for values in sets.values():
        counts.update(values)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


async def _titles(db: Database) -> dict[str, tuple[str, str | None]]:
    """Offer id -> (title, kind), deleted offers included (their title from the audit trail)."""
    titles: dict[str, tuple[str, str | None]] = {}
    for row in await db.fetchall(
        "SELECT offer_id, json_extract(details, '$.title') AS title FROM offer_events WHERE action = 'deleted'"
    ):
        if row["title"]:
            titles[row["offer_id"]] = (row["title"], None)
    for row in await db.fetchall("SELECT id, title, kind FROM offers"):
        titles[row["id"]] = (row["title"], row["kind"])
    return titles


async def _actions(db: Database, period: Period) -> dict[str, Counter[str]]:
    rows = await db.fetchall(
        "SELECT offer_id, action, sum(n) AS n FROM offer_actions WHERE day BETWEEN ? AND ? GROUP BY 1, 2",
        (period.start.isoformat(), period.end.isoformat()),
    )
    actions: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        actions[row["offer_id"]][row["action"]] += row["n"]
    return actions


async def _top_offers(
    db: Database, span: tuple[str, str], titles: dict[str, tuple[str, str | None]], actions: dict[str, Counter[str]]
) -> list[OfferCount]:
    rows = await db.fetchall(
        """SELECT f.offer_id, count(DISTINCT q.id) AS n FROM question_log q
           JOIN question_offers f ON f.question_id = q.id AND f.rank < ?
           WHERE q.asked_at >= ? AND q.asked_at < ? GROUP BY f.offer_id ORDER BY n DESC, f.offer_id LIMIT ?""",
        (FOUND_RANK, *span, TOP_OFFERS),
    )
    found = []
    for r in rows:
        title, kind = titles.get(r["offer_id"], (r["offer_id"], None))
        counts = actions[r["offer_id"]]
        found.append(
            OfferCount(r["offer_id"], title, kind, questions=r["n"], info=counts["info"], reminders=counts["remind"])
        )
    return found


async def _unfound(db: Database, period: Period, span: tuple[str, str]) -> list[OfferCount]:
    """Published offers that could be found in the period, yet no question found them and nobody opened them."""
    rows = await db.fetchall(
        """SELECT id, title, kind FROM offers o
           WHERE status = 'published' AND created_at < ? AND (last_end IS NULL OR last_end >= ?)
           AND NOT EXISTS (SELECT 1 FROM question_offers f JOIN question_log q ON q.id = f.question_id
                           WHERE f.offer_id = o.id AND q.asked_at >= ? AND q.asked_at < ?)
           AND NOT EXISTS (SELECT 1 FROM offer_actions a WHERE a.offer_id = o.id AND a.day BETWEEN ? AND ?)
           ORDER BY kind, title""",
        (span[1], span[0], *span, period.start.isoformat(), period.end.isoformat()),
    )
    return [OfferCount(r["id"], r["title"], r["kind"]) for r in rows]


async def _unanswered(db: Database, span: tuple[str, str]) -> list[Asked]:
    rows = await db.fetchall(
        f"SELECT text, substr(asked_at, 1, 7) AS month, asker FROM question_log "
        f"WHERE asked_at >= ? AND asked_at < ? AND outcome IN ({','.join('?' * len(UNANSWERED))})",
        (*span, *UNANSWERED),
    )
    return [Asked(r["text"], (r["month"], r["asker"])) for r in rows]


def _organisations(found: list[Submission]) -> list[Organisation]:
    by_name: dict[str | None, list[Submission]] = defaultdict(list)
    for submission in found:
        by_name[submission.organisation].append(submission)
    organisations = []
    for name, items in by_name.items():
        hours = [h for s in items if (h := s.hours_to_approval) is not None]
        outcomes = Counter(s.outcome for s in items)
        organisations.append(
            Organisation(
                name=name,
                submitted=len(items),
                approved=outcomes["approved"],
                direct=outcomes["direct"],
                refused=outcomes["refused"],
                waiting=outcomes["waiting"],
                median_hours=statistics.median(hours) if hours else None,
                max_hours=max(hours) if hours else None,
            )
        )
    return sorted(organisations, key=lambda o: (-o.submitted, o.name or "~"))


async def _campaigns(db: Database, period: Period) -> list[Campaign]:
    rows = await db.fetchall(
        "SELECT id, title, json_extract(data, '$.campaign') AS tag, json_extract(data, '$.campaign_date') AS day "
        "FROM offers WHERE json_type(data, '$.campaign') = 'text' ORDER BY id"
    )
    groups: dict[tuple[str, dt.date | None], list[Any]] = defaultdict(list)
    for row in rows:
        tag = row["tag"].strip()
        if tag:
            groups[(tag, _date_or_none(row["day"]))].append(row)
    campaigns = []
    for (tag, day), offers in sorted(groups.items(), key=lambda item: (item[0][1] or dt.date.max, item[0][0])):
        titles = tuple(r["title"] for r in offers)
        ids = [r["id"] for r in offers]
        if day is None or not period.contains(day):
            campaigns.append(Campaign(tag, day, titles, 0))
            continue
        days = min(CAMPAIGN_WINDOW_DAYS, (day - period.start).days, (period.end - day).days + 1)
        before = Period(day - dt.timedelta(days=days), day - dt.timedelta(days=1)) if days else None
        after = Period(day, day + dt.timedelta(days=days - 1)) if days else None
        campaigns.append(
            Campaign(
                tag,
                day,
                titles,
                days,
                await _campaign_counts(db, before, ids) if before else {},
                await _campaign_counts(db, after, ids) if after else {},
            )
        )
    return campaigns


def _date_or_none(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


async def _campaign_counts(db: Database, window: Period, offer_ids: list[str]) -> dict[str, int]:
    marks = ",".join("?" * len(offer_ids))
    questions = await db.fetchval(
        f"""SELECT count(DISTINCT q.id) FROM question_log q JOIN question_offers f ON f.question_id = q.id
            WHERE f.rank < ? AND f.offer_id IN ({marks}) AND q.asked_at >= ? AND q.asked_at < ?""",
        (FOUND_RANK, *offer_ids, window.first_hour, window.after_last_hour),
    )
    rows = await db.fetchall(
        f"""SELECT action, sum(n) AS n FROM offer_actions
            WHERE offer_id IN ({marks}) AND day BETWEEN ? AND ? AND action IN ('info', 'remind') GROUP BY action""",
        (*offer_ids, window.start.isoformat(), window.end.isoformat()),
    )
    counts = {r["action"]: r["n"] for r in rows}
    return {"questions": int(questions or 0), "info": counts.get("info", 0), "reminders": counts.get("remind", 0)}
