"""The matcher as an async service, over its own read connection.

SQLite in WAL mode lets this connection read while the bot's main connection writes. Where a search
runs depends on the size of the index. On a town's few hundred offers it takes 1 to 3 ms and runs
on the event loop: in a worker thread it gains nothing under the GIL. Worse, the event loop then
waits for the GIL after each socket call, so at 50 people asking at once the bot used 14 ms of CPU
a question instead of 8 ms (bench/e2e.py). On a large index (p99 about 25 ms at 10k offers) a
search goes to a worker thread, so that the event loop keeps serving other people meanwhile.

The semantic model, when a question needs it and its vector is not cached, always runs in a worker
thread: about 16 ms of C code that releases the GIL, so the event loop serves others meanwhile.

A question in another language (`lang`, bot/lang) is read by the word lists through its Dutch gloss
(bot/lang/gloss.py), which keeps their abstention, dates, ages and prices, while the model reads the
question as it was typed. It never gets a 'bedoelde je': that would be a Dutch word it did not write.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.lang.gloss import Glossary
from bot.lang.languages import DUTCH
from bot.platform.calendar import Clock, Holiday, local_naive
from bot.platform.db import connect_sync
from bot.search.analyzer import Analyzer
from bot.search.matcher import Hit, Matcher, SearchResult
from bot.search.query import Query
from bot.search.semantic.model import Embedder
from bot.search.semantic.offer_index import SemanticIndex

T = TypeVar("T")

INLINE_MAX_OFFERS = 2_000  # up to here a search's p99 is about 12 ms (bench/search_speed.py, 1k offers)


class SearchService:
    def __init__(
        self,
        db_path: Path,
        analyzer: Analyzer,
        *,
        clock: Clock,
        tz: ZoneInfo,
        holidays: Sequence[Holiday] = (),
        town: str = "",
        inline_max_offers: int = INLINE_MAX_OFFERS,
        embedder: Embedder | None = None,
        glossaries: Mapping[str, Glossary] | None = None,
    ) -> None:
        self.inline_max_offers = inline_max_offers
        self.glossaries = dict(glossaries or {})  # language -> its glossary into Dutch (data/glossary)
        self._conn = connect_sync(db_path)
        self.embedder = embedder
        semantic = SemanticIndex(embedder) if embedder is not None and embedder.available else None
        self.matcher = Matcher(self._conn, analyzer, holidays, town=town, semantic=semantic)
        self.clock = clock
        self.tz = tz

    def local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.tz)

    def reading(self, question: str, lang: str = DUTCH) -> tuple[str, str]:
        """What the word lists read and what the model reads: (question, "") in Dutch or a language without
        a glossary; (its Dutch gloss, the question) in another language."""
        glossary = self.glossaries.get(lang) if lang != DUTCH else None
        if glossary is None:
            return question, ""
        return glossary.gloss(question, keep=self.matcher.knows).dutch, question

    def search_sync(
        self, question: str, *, today: dt.date | None = None, any_time: bool = False, lang: str = DUTCH
    ) -> SearchResult:
        """Search now (blocking). With `today`, relative dates refer to that day, from its start."""
        now = dt.datetime.combine(today, dt.time()) if today else self.local_now()
        words, meaning = self.reading(question, lang)
        result = self.matcher.search(words, now=now, today=today, any_time=any_time, meaning=meaning)
        return _without_suggestion(result) if meaning else result

    def parse_sync(self, question: str, *, today: dt.date | None = None) -> Query:
        """The question as the matcher reads it (concepts, corrections, needs), without a search."""
        return self.matcher.parse(question, today=today or self.local_now().date())

    async def search(
        self, question: str, *, today: dt.date | None = None, any_time: bool = False, lang: str = DUTCH
    ) -> SearchResult:
        """Search, on the event loop for a small index and in a worker thread for a large one."""
        now = dt.datetime.combine(today, dt.time()) if today else self.local_now()
        words, meaning = self.reading(question, lang)
        plan = await self._run(self.matcher.plan, words, now=now, today=today, any_time=any_time, meaning=meaning)
        semantic = self.matcher.semantic
        vector = None
        if plan.wants_vector and semantic is not None:
            vector = semantic.cached(plan.vector_text)
            if vector is None:
                vector = await asyncio.to_thread(semantic.vector, plan.vector_text)
        result = await self._run(self.matcher.finish, plan, vector)
        return _without_suggestion(result) if meaning else result

    async def later(
        self, question: str, result: SearchResult, *, today: dt.date | None = None, lang: str = DUTCH
    ) -> SearchResult | None:
        """What comes after the asked period when nothing fits in it ('iets gratis dit weekend').

        "Nothing" is a dead end for someone who wants to go out; the next free things are not.
        None when the question named no period, or nothing comes later either.
        """
        if result.hits or result.reason != "no_match" or result.query.period is None:
            return None
        later = await self.search(question, today=today, any_time=True, lang=lang)
        return later if later.hits else None

    async def browse(self, *, kind: str | None = None, days: int | None = None) -> list[Hit]:
        """Offers to browse by kind, or everything dated within the coming `days`."""
        now = self.local_now()
        until = now + dt.timedelta(days=days) if days else None
        return await self._run(self.matcher.browse, now=now, kind=kind, until=until)

    async def need_offers(self, need: str) -> list[str]:
        """Ids of offers answering a need of the lexicon ('transport', 'childcare', 'company')."""
        return await self._run(self.matcher.need_offers, need, now=self.local_now())

    async def _run(self, work: Callable[..., T], *args: object, **kwargs: object) -> T:
        if 0 < self.matcher.offer_count <= self.inline_max_offers:  # 0: not loaded yet, maybe large
            return work(*args, **kwargs)
        return await asyncio.to_thread(work, *args, **kwargs)

    def close(self) -> None:
        self._conn.close()


def _without_suggestion(result: SearchResult) -> SearchResult:
    """A glossed question's result without 'bedoelde je': the suggestion would be a Dutch word it never wrote."""
    return dataclasses.replace(result, suggestion=None) if result.suggestion else result
