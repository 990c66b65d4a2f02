"""The scheduled syncs: UiTdatabank and each iCal feed of the config, every `every_hours`, a little after start.

A sync that fails (the source is down, a broken answer) changes nothing and is logged; the next one tries again.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram.ext import Application

from bot.offers.importers import SourceError
from bot.offers.model import OfferError
from bot.offers.sources import sync_feed, sync_uit
from bot.platform import logs
from handlers.context import BotContext

log = logging.getLogger(__name__)
FIRST_SYNC = dt.timedelta(minutes=2)  # after start: the bot answers first, then fetches


async def uit_job(context: BotContext) -> None:
    core = context.bot_data.core
    try:
        await sync_uit(core.offers, core.settings, core.texts)
    except (SourceError, OfferError) as error:
        log.warning("UiTdatabank sync failed, nothing was changed (tried again later): %s", error)


async def feed_job(context: BotContext) -> None:
    core = context.bot_data.core
    name = context.job.data if context.job is not None else None
    feed = next((f for f in core.settings.sync.ical if f.name == name), None)
    if feed is None:
        return
    try:
        await sync_feed(core.offers, core.settings, feed)
    except (SourceError, OfferError) as error:
        log.warning("iCal feed %s: sync failed, nothing was changed (tried again later): %s", feed.name, error)


def schedule(app: Application) -> None:
    """One repeating job per configured source."""
    settings = app.bot_data.core.settings
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
