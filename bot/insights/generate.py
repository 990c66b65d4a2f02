"""Making a report for a period: the figures from the database, then tables and charts in a worker thread."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.insights.figures import gather
from bot.insights.period import Period
from bot.insights.report import Report, ReportBuilder
from bot.insights.themes import ThemeFinder
from bot.platform.db import Database
from bot.platform.texts import Texts
from bot.search.analyzer import Analyzer


async def make_report(
    db: Database,
    texts: Texts,
    analyzer: Analyzer,
    period: Period,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    town: str = "",
    with_charts: bool = True,
) -> Report:
    """The report for `period`. Drawing the charts takes a second, so it runs off the event loop."""
    figures = await gather(db, period, ThemeFinder(analyzer, town=town), now=now, tz=tz)
    return await asyncio.to_thread(ReportBuilder(texts, with_charts=with_charts).build, figures)
