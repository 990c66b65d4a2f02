"""The matcher as an async service: it runs in a worker thread over its own read connection.

SQLite in WAL mode lets this connection read while the bot's main connection writes, and the
event loop keeps serving other people while a search runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.calendar import Clock, Holiday, local_naive
from bot.db import connect_sync
from bot.search.analyzer import Analyzer
from bot.search.matcher import Hit, Matcher, SearchResult


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
    ) -> None:
        self._conn = connect_sync(db_path)
        self.matcher = Matcher(self._conn, analyzer, holidays, town=town)
        self.clock = clock
        self.tz = tz

    def local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.tz)

    def search_sync(self, question: str, *, today: dt.date | None = None) -> SearchResult:
        """Search now (blocking). With `today`, relative dates refer to that day, from its start."""
        now = dt.datetime.combine(today, dt.time()) if today else self.local_now()
        return self.matcher.search(question, now=now, today=today)

    async def search(self, question: str, *, today: dt.date | None = None) -> SearchResult:
        """Search without blocking the event loop."""
        return await asyncio.to_thread(self.search_sync, question, today=today)

    async def browse(self, *, kind: str | None = None, days: int | None = None) -> list[Hit]:
        """Offers to browse by kind, or everything dated within the coming `days`."""
        now = self.local_now()
        until = now + dt.timedelta(days=days) if days else None
        return await asyncio.to_thread(self.matcher.browse, now=now, kind=kind, until=until)

    async def need_offers(self, need: str) -> list[str]:
        """Ids of offers answering a need of the lexicon ('transport', 'childcare', 'company')."""
        return await asyncio.to_thread(self.matcher.need_offers, need, now=self.local_now())

    def close(self) -> None:
        self._conn.close()
