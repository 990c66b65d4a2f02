"""Using what was taught: a new question worded like a taught one gets the taught answer.

After the search (and after the care check, which runs before anything else), `Teacher.apply` looks
for the active lesson whose question is most like the new one (see `bot.teach.likeness`):
- a link puts its offers first (those still published and not over), then what the search found;
- a referral answers a question the search found nothing for (or only something a coordinator already
  judged wrong for a question worded like it) with where to go instead;
- a wish adds a note to 'niets gevonden': the network knows this is missing.
When no lesson is worded like it and the search found nothing, a linked offer still answers a question that
its own words and the words its lessons taught it (`bot.teach.learned`) mostly cover, and that means something
like a question linked to it: 'stikken op dinsdag' finds the sewing workshop once 'ik wil leren stikken op een
machine' was linked to it. Ignored questions change nothing. The lessons are read again when they change
(also by another process) and re-read in the matcher's terms when the search index changes, so they survive
`reindex` and upgrades.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from bot.offers.model import TIME_FORMAT
from bot.platform.calendar import Clock, local_naive
from bot.platform.db import Database
from bot.search.index import FIELDS
from bot.search.matcher import Hit, SearchResult
from bot.search.query import Query
from bot.search.service import SearchService
from bot.teach.learned import OfferWords, learn, own_words, reach
from bot.teach.likeness import Embed, Likeness, Wording, likeness, semantic, terms_of
from bot.teach.needspace import NeedSpace
from bot.teach.store import Lesson, LessonStore

log = logging.getLogger(__name__)

# From which likeness a lesson answers a question the search found nothing for (Likeness.score), with the
# model and without it (the words alone must be surer). Measured with bench/teach.py and its --check.
THRESHOLD = 0.60
THRESHOLD_WITHOUT_MODEL = 0.70
# A lesson also changes an answer the search did find only when the new question is nearly the taught one
# (Likeness.sure: the words and the meaning both agree): another word order, an inflection, a typo.
OVERRIDE = 0.85
OVERRIDE_WITHOUT_MODEL = 0.95
# Reaching a linked offer through its own and learned words (Teacher._reach), measured with bench/teach.py
# and its --check 50: with REACH 0.65 one unrelated answer in the other sets changed (with MIN_REACH 0.5 or
# 0.65, with learned words or without), and without the model a coverage of 0.7 did the same.
MIN_REACH = 0.65  # the offer's own and learned words cover at least this much of the question
REACH = 0.7  # with the model: the mean of that coverage and the meaning (as THRESHOLD)
REACH_WITHOUT_MODEL = 0.8  # without it: the coverage, and a learned word counted
# In the need space (bot.teach.needspace) a lesson answers a question, even one the search found something for,
# when it is this alike and ahead by NEED_MARGIN of every lesson with another answer. Measured with
# bench/teach.py: on teach_e/teach_f, held out of the space's training, 4 of the 39 misses fixed and none broken.
NEED_MATCH = 0.6
NEED_MARGIN = 0.05
TAUGHT_SCORE = 100.0
MAX_VECTORS_KEPT = 64


@dataclass(frozen=True)
class Taught:
    """The answer after teaching: the result to show, and what changed it (None: nothing did)."""

    result: SearchResult
    lesson: Lesson | None = None
    likeness: Likeness | None = None
    referral: str | None = None  # the coordinator's text, to show instead of 'niets gevonden'
    wish: Lesson | None = None  # a known gap: 'niets gevonden' says the network knows

    @property
    def changed(self) -> bool:
        return self.lesson is not None


@dataclass(frozen=True)
class Match:
    lesson: Lesson
    likeness: Likeness
    question: str  # the taught wording it was closest to
    by_need: bool = False  # chosen in the need space: it may change an answer the search found


class Teacher:
    def __init__(
        self,
        store: LessonStore,
        search: SearchService,
        db: Database,
        *,
        clock: Clock,
        tz: ZoneInfo,
        embed: Embed | None = None,
        threshold: float | None = None,
        need_space: NeedSpace | None = None,
    ) -> None:
        self.store = store
        self.search = search
        self.db = db
        self.clock = clock
        self.tz = tz
        self.embed = embed
        self.need_space = need_space if embed is not None else None  # it projects the model's vectors
        self._threshold = threshold
        self._key: tuple[str, str] | None = None
        self._taught: list[tuple[Lesson, Wording]] = []
        self._stem_df: dict[str, int] = {}
        self._learned: list[OfferWords] = []  # linked offers with the words their lessons taught them
        self._vectors: OrderedDict[str, np.ndarray | None] = OrderedDict()
        self._lock = asyncio.Lock()

    @property
    def threshold(self) -> float:
        if self._threshold is not None:
            return self._threshold
        return THRESHOLD if self.embed is not None else THRESHOLD_WITHOUT_MODEL

    @property
    def override(self) -> float:
        return OVERRIDE if self.embed is not None else OVERRIDE_WITHOUT_MODEL

    # --- keeping up with the lessons ----------------------------------------------------------

    async def refresh(self) -> None:
        """Read the active lessons again when they or the search index changed since the last time."""
        rows = await self.db.fetchall(
            "SELECT key, value FROM meta WHERE key IN ('teach_generation', 'index_generation')"
        )
        values = {row["key"]: row["value"] for row in rows}
        key = (values.get("teach_generation", "0"), values.get("index_generation", "0"))
        if key == self._key:
            return
        async with self._lock:
            if key == self._key:
                return
            terms = await self.db.fetchall("SELECT term, doc FROM offer_terms")
            self._stem_df = {row["term"]: row["doc"] for row in terms}
            lessons = await self.store.lessons(active_only=True, kinds=("link", "refer", "wish"))
            taught: list[tuple[Lesson, Wording]] = []
            for lesson in lessons:
                for text in lesson.questions:
                    taught.append((lesson, await self.wording(text)))
            self._taught = taught
            self._learned = await self._learn([lesson for lesson in lessons if lesson.kind == "link"])
            self._key = key
            words = sum(len(offer.learned) for offer in self._learned)
            log.info(
                "teaching: %d active lessons with %d questions, %d learned words", len(lessons), len(taught), words
            )

    async def _learn(self, links: Sequence[Lesson]) -> list[OfferWords]:
        """The linked offers with the words of their lessons' questions they lack (bot.teach.learned)."""
        offer_ids = sorted({offer for lesson in links for offer in lesson.offers})
        if not offer_ids:
            return []
        marks = ",".join("?" * len(offer_ids))
        rows = await self.db.fetchall(
            "SELECT o.id, o.kind, o.categories AS kinds, t.* FROM offers o JOIN offer_text t ON t.rowid = o.pk "
            f"WHERE o.id IN ({marks}) AND o.status = 'published'",
            tuple(offer_ids),
        )
        offers = {
            row["id"]: own_words(row["id"], row["kind"], row["kinds"], {name: row[name] for name in FIELDS})
            for row in rows
        }
        today = self._today()
        for lesson in links:
            questions = [(text, self.search.parse_sync(text, today=today)) for text in lesson.questions]
            for offer_id in lesson.offers:
                if offer_id in offers:
                    learn(offers[offer_id], questions, lesson.id, self._stem_df)
        return list(offers.values())

    async def learned_words(self) -> dict[str, tuple[str, ...]]:
        """The stems the active lessons taught each linked offer (offers that learned nothing are left out)."""
        await self.refresh()
        return {offer.offer_id: tuple(sorted(offer.learned)) for offer in self._learned if offer.learned}

    async def wording(self, text: str, query: Query | None = None, *, words_only: bool = False) -> Wording:
        """A question prepared for comparison (parsed now unless the search's reading is passed)."""
        if query is None:
            query = self.search.parse_sync(text, today=self._today())
        vector = None if words_only else await self._vector(text)
        need = self.need_space.project(vector) if vector is not None and self.need_space is not None else None
        return Wording(text, terms_of(query, self._stem_df), vector, need)

    async def _vector(self, text: str) -> np.ndarray | None:
        if self.embed is None:
            return None
        if text in self._vectors:
            self._vectors.move_to_end(text)
            return self._vectors[text]
        try:
            vector = await asyncio.to_thread(self.embed, text)
        except Exception:  # the model is optional: without it the lexical signal still works
            log.exception("the embedding model failed; teaching goes on with words only")
            vector = None
        self._vectors[text] = vector
        while len(self._vectors) > MAX_VECTORS_KEPT:
            self._vectors.popitem(last=False)
        return vector

    def _today(self) -> dt.date:
        return local_naive(self.clock.now(), self.tz).date()

    # --- matching -----------------------------------------------------------------------------

    async def matches(self, question: str, query: Query | None = None, *, words_only: bool = False) -> list[Match]:
        """Active lessons worded like the question, most alike first (only those above the threshold).

        `words_only` compares by the words alone, at their own threshold (fast: for lists of many questions).
        """
        await self.refresh()
        if not self._taught or (query is not None and query.is_empty):
            return []
        wording = await self.wording(question, query, words_only=words_only)
        threshold = THRESHOLD_WITHOUT_MODEL if words_only and self._threshold is None else self.threshold
        if wording.is_empty:
            return []
        best: dict[int, Match] = {}
        for lesson, taught in self._taught:
            alike = likeness(taught, wording)
            if words_only:
                alike = Likeness(alike.words)
            if alike.score >= threshold and (lesson.id not in best or alike.score > best[lesson.id].likeness.score):
                best[lesson.id] = Match(lesson, alike, taught.text)
        found = sorted(best.values(), key=lambda m: (-m.likeness.score, -m.lesson.id))
        by_need = None if words_only else self._by_need(wording)
        if by_need is None:
            return found
        return [by_need, *(m for m in found if m.lesson.id != by_need.lesson.id)]

    def _by_need(self, wording: Wording) -> Match | None:
        """The lesson whose question asks for the same thing in the need space, clearly ahead of every lesson
        with another answer; None when there is no such lesson (or no need space)."""
        if wording.need is None:
            return None
        scored = sorted(
            (
                (float(taught.need @ wording.need), lesson, taught)
                for lesson, taught in self._taught
                if taught.need is not None
            ),
            key=lambda item: (-item[0], -item[1].id),
        )
        if not scored or scored[0][0] < NEED_MATCH:
            return None
        closeness, lesson, taught = scored[0]
        rival = max((c for c, other, _ in scored[1:] if _answer(other) != _answer(lesson)), default=-1.0)
        if closeness - rival < NEED_MARGIN:
            return None
        return Match(lesson, likeness(taught, wording), taught.text, by_need=True)

    async def apply(
        self, question: str, result: SearchResult, *, today: dt.date | None = None, count: bool = True
    ) -> Taught:
        """The answer to show after teaching. `count`: tally the lesson used, for the report."""
        if result.query.is_empty:
            return Taught(result)
        found = await self.matches(question, result.query)
        for match in found:
            lesson = match.lesson
            # The search found something: only a nearly identical question changes that, or a question asking for
            # the same thing as one a coordinator judged outside the offer (a referral in the need space).
            refers_by_need = match.by_need and lesson.kind == "refer"
            if result.hits and match.likeness.sure < self.override and not refers_by_need:
                continue  # the search found something: only a nearly identical question changes that
            taught: Taught | None = None
            if lesson.kind == "link":
                hits = await self._live_hits(lesson.offers, result, today=today)
                if hits:
                    kept = [h for h in result.hits if h.offer_id not in {x.offer_id for x in hits}]
                    changed = dataclasses.replace(result, hits=(*hits, *kept), reason=None, suggestion=None)
                    taught = Taught(changed, lesson, match.likeness)
            elif lesson.kind == "refer" and lesson.note:
                emptied = dataclasses.replace(result, hits=(), reason=result.reason or "out_of_scope")
                taught = Taught(emptied, lesson, match.likeness, referral=lesson.note)
            elif lesson.kind == "wish" and not result.hits:
                taught = Taught(result, lesson, match.likeness, wish=lesson)
            if taught is not None:
                if count:
                    await self.store.record_use(lesson.id, today or self._today())
                return taught
        taught = await self._reach(question, result, today=today)
        if taught is not None and taught.lesson is not None and count:
            await self.store.record_use(taught.lesson.id, today or self._today())
        return taught or Taught(result)

    async def _reach(self, question: str, result: SearchResult, *, today: dt.date | None) -> Taught | None:
        """A question the search found nothing for, about a linked offer: its own and learned words cover
        much of the question, and it means something like a question a coordinator linked to that offer.

        With the model both count (the mean of the coverage and the rescaled cosine, as in `Likeness.score`);
        without it only the words, and a learned word must have counted."""
        if result.hits or not self._learned:
            return None
        reached = [r for offer in self._learned if (r := reach(result.query, offer)) and r.coverage >= MIN_REACH]
        if not reached:
            return None
        vector = await self._vector(question) if self.embed is not None else None
        chosen: list[tuple[float, str, int]] = []  # (score, offer, lesson)
        for found in reached:
            if vector is None:
                if found.lesson_id is not None and found.coverage >= REACH_WITHOUT_MODEL:
                    chosen.append((found.coverage, found.offer_id, found.lesson_id))
                continue
            new = Wording(question, (), vector)
            meaning, lesson_id = max(
                (
                    (semantic(taught, new) or 0.0, lesson.id)
                    for lesson, taught in self._taught
                    if found.offer_id in lesson.offers
                ),
                default=(0.0, 0),
            )
            score = (found.coverage + meaning) / 2
            if score >= REACH:
                chosen.append((score, found.offer_id, lesson_id))
        if not chosen:
            return None
        chosen.sort(key=lambda c: -c[0])
        hits = await self._live_hits([offer_id for _, offer_id, _ in chosen], result, today=today)
        if not hits:
            return None
        lessons = {lesson.id: lesson for lesson, _ in self._taught}
        lesson_id = next(lesson for _, offer_id, lesson in chosen if offer_id == hits[0].offer_id)
        changed = dataclasses.replace(result, hits=tuple(hits), reason=None, suggestion=None)
        return Taught(changed, lessons.get(lesson_id))

    async def _live_hits(self, offer_ids: Sequence[str], result: SearchResult, *, today: dt.date | None) -> list[Hit]:
        """The linked offers that can be shown now: published, and with a next date unless undated."""
        found = {h.offer_id: h for h in result.hits}
        now = dt.datetime.combine(today, dt.time()) if today else local_naive(self.clock.now(), self.tz)
        period = result.query.period
        start = now if period is None else max(period.start, now)
        marks = ",".join("?" * len(offer_ids))
        rows = await self.db.fetchall(
            f"SELECT pk, id, first_start FROM offers WHERE id IN ({marks}) AND status = 'published'", tuple(offer_ids)
        )
        live = {row["id"]: row for row in rows}
        hits: list[Hit] = []
        for offer_id in offer_ids:
            row = live.get(offer_id)
            if row is None:
                continue
            hit = found.get(offer_id)
            if hit is not None:
                hits.append(dataclasses.replace(hit, score=TAUGHT_SCORE))
                continue
            if row["first_start"] is None:
                hits.append(Hit(offer_id, TAUGHT_SCORE))
                continue
            when = await self._next(row["pk"], start, period.end if period is not None else None)
            if when is None and period is not None:
                when = await self._next(row["pk"], now, None)  # nothing in the asked period: the next time
            if when is not None:
                hits.append(Hit(offer_id, TAUGHT_SCORE, *when))
        return hits

    async def _next(
        self, pk: int, start: dt.datetime, end: dt.datetime | None
    ) -> tuple[dt.datetime, dt.datetime] | None:
        row = await self.db.fetchone(
            "SELECT min(start) AS start, end FROM occurrences WHERE offer_pk = ? AND end > ? AND start < ?",
            (pk, start.strftime(TIME_FORMAT), end.strftime(TIME_FORMAT) if end else "9999"),
        )
        if row is None or row["start"] is None:
            return None
        return dt.datetime.fromisoformat(row["start"]), dt.datetime.fromisoformat(row["end"])


def _answer(lesson: Lesson) -> tuple[str, tuple[str, ...], str | None]:
    """What a lesson answers: two lessons with the same answer are no rivals in the need space."""
    return lesson.kind, tuple(sorted(lesson.offers)), lesson.note
