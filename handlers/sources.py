"""The scheduled syncs: UiTdatabank and each iCal feed of the config, every `every_hours`, a little after start.

The jobs are put on the Application's job queue by handlers/app.py (`schedule`); each asks the core's
`sources` (bot/offers/sources.py, built in bot/core.py) to sync. A sync that fails (the source is down, a
broken answer) changes nothing and is logged; the next one tries again.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram.ext import Application

from bot.offers.importers import SourceError
from bot.offers.model import OfferError
from bot.platform import logs
from bot.platform.config import Settings
from handlers.context import BotContext

log = logging.getLogger(__name__)
FIRST_SYNC = dt.timedelta(minutes=2)  # after start: the bot answers first, then fetches


async def uit_job(context: BotContext) -> None:
    try:
        await context.bot_data.core.sources.sync_uit()
    except (SourceError, OfferError) as error:
        log.warning("UiTdatabank sync failed, nothing was changed (tried again later): %s", error)


async def feed_job(context: BotContext) -> None:
    sources = context.bot_data.core.sources
    name = context.job.data if context.job is not None else None
    feed = sources.feed(name) if isinstance(name, str) else None
    if feed is None:
        return
    try:
        await sources.sync_feed(feed)
    except (SourceError, OfferError) as error:
        log.warning("iCal feed %s: sync failed, nothing was changed (tried again later): %s", feed.name, error)


def schedule(app: Application, settings: Settings) -> None:
    """One repeating job per configured source."""
    if app.job_queue is None:
        return
    logs.protect([settings.sync.uit.client_id, settings.sync.uit.api_key])
    if settings.sync.uit.configured:
        every = dt.timedelta(hours=settings.sync.uit.every_hours)
        app.job_queue.run_repeating(uit_job, interval=every, first=FIRST_SYNC, name="sync-uit")
    for feed in settings.sync.ical:
        every = dt.timedelta(hours=feed.every_hours)
        app.job_queue.run_repeating(
            feed_job, interval=every, first=FIRST_SYNC, name=f"sync-ical-{feed.name}", data=feed.name
        )
