"""Making a report for a period: the figures from the database, then tables and charts in a worker thread."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from bot.insights.figures import gather
from bot.insights.period import Period
from bot.insights.report import Report, ReportBuilder
from bot.insights.themes import ThemeFinder
from bot.platform.db import Database
from bot.platform.texts import Texts
from bot.search.analyzer import Analyzer
from bot.teach.report import teach_section


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
    report = await asyncio.to_thread(ReportBuilder(texts, with_charts=with_charts).build, figures)
    # 'Wat de bot leerde' (bot/teach): what coordinators taught from the unanswered questions, and what it answered.
    learnt = await teach_section(db, texts, analyzer, period, town=town)
    return dataclasses.replace(report, sections=(*report.sections, learnt))
