"""The report's section 'Wat de bot leerde': what coordinators taught in the period and what it answered.

- Steps per kind (links, referrals, wishes) taught in the period, and how many later questions each kind
  answered in the period (counted per day, without any text or person: `teach_uses`).
- The steps that answered most, each with its question, what it does and how often it answered.
- Offers that no question found by itself in the period: when coordinators linked questions to such an
  offer, the words people used that the offer does not (yet) contain, as keywords to add.
Small counts follow the report's rule: 1 and 2 read '<3'.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

from bot.insights.period import Period
from bot.insights.report import MIN_GROUP, Section, Table, count
from bot.insights.themes import ThemeFinder
from bot.platform.db import Database
from bot.platform.texts import Texts
from bot.search.analyzer import Analyzer
from bot.search.text import words
from bot.teach.store import Lesson, LessonStore

MAX_ROWS = 10
MAX_WORDS = 6
KINDS = ("link", "refer", "wish")


async def teach_section(db: Database, texts: Texts, analyzer: Analyzer, period: Period, *, town: str = "") -> Section:
    def t(key: str, **values: object) -> str:
        return texts.label(f"report.teach.{key}", **values)

    store = LessonStore(db, None)  # reads only
    lessons = await store.lessons()
    uses = await store.uses_between(period.start, period.end)
    start, end = period.start.isoformat(), period.end.isoformat()
    taught: Counter[str] = Counter(x.kind for x in lessons if start <= x.created_at[:10] <= end and x.kind in KINDS)
    answered: Counter[str] = Counter()
    for lesson in lessons:
        answered[lesson.kind] += uses.get(lesson.id, 0)
    kinds_table = Table(
        "teach_kinds",
        t("kinds_table"),
        (t("col_kind"), t("col_taught"), t("col_answered")),
        tuple((t(f"kind_{k}"), count(taught[k]), count(answered[k])) for k in KINDS),
    )
    # A taught question is shown only when it answered at least MIN_GROUP later questions (the report's rule).
    shown = (x for x in lessons if uses.get(x.id, 0) >= MIN_GROUP and x.kind in KINDS)
    best = sorted(shown, key=lambda x: -uses[x.id])[:MAX_ROWS]
    what = {"link": lambda x: ", ".join(x.offers), "refer": lambda x: x.note or "", "wish": lambda x: x.note or ""}
    steps_table = Table(
        "teach_steps",
        t("steps_table"),
        (t("col_question"), t("col_kind"), t("col_what"), t("col_answered")),
        tuple((x.questions[0], t(f"kind_{x.kind}"), what[x.kind](x), count(uses[x.id])) for x in best),
        empty=t("steps_none"),
    )
    words_table = Table(
        "teach_words",
        t("words_table"),
        (t("col_offer"), t("col_words")),
        tuple(await _missing_words(db, lessons, uses, period, ThemeFinder(analyzer, town=town))),
        note=t("words_note"),
        empty=t("words_none"),
    )
    intro = t("intro", n=count(sum(answered.values())))
    return Section("teach", t("title"), intro, (kinds_table, steps_table, words_table))


async def _missing_words(
    db: Database, lessons: list[Lesson], uses: dict[int, int], period: Period, themes: ThemeFinder
) -> list[tuple[str, str]]:
    """Per linked offer that no question found by itself in the period (every time it was shown, a lesson
    showed it): the words of the questions linked to it that the offer's own text lacks."""
    linked: dict[str, Counter[str]] = defaultdict(Counter)
    taught_finds: Counter[str] = Counter()
    for lesson in lessons:
        if lesson.kind == "link" and lesson.active:
            for offer_id in lesson.offers:
                taught_finds[offer_id] += uses.get(lesson.id, 0)
                for question in lesson.questions:
                    linked[offer_id].update(set(themes.content(question)))
    if not linked:
        return []
    marks = ",".join("?" * len(linked))
    found = await db.fetchall(
        "SELECT o.offer_id, count(*) AS n FROM question_offers o JOIN question_log q ON q.id = o.question_id "
        f"WHERE o.offer_id IN ({marks}) AND q.asked_at >= ? AND q.asked_at < ? GROUP BY o.offer_id",
        (*linked, period.start.isoformat(), (period.end + dt.timedelta(days=1)).isoformat()),
    )
    by_search = {row["offer_id"]: row["n"] - taught_finds[row["offer_id"]] for row in found}
    offers = await db.fetchall(f"SELECT id, title, data FROM offers WHERE id IN ({marks})", tuple(linked))
    by_id = {row["id"]: row for row in offers}
    nobody = sorted(o for o in linked if o in by_id and by_search.get(o, 0) <= 0)
    rows = []
    for offer_id in nobody:
        own = set(words(json.dumps(json.loads(by_id[offer_id]["data"]), ensure_ascii=False)))
        new = [w for w, _ in linked[offer_id].most_common() if w not in own][:MAX_WORDS]
        if new:
            rows.append((by_id[offer_id]["title"], ", ".join(new)))
    return rows[:MAX_ROWS]
