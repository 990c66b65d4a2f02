"""Reminders on Telegram: the sender and the scheduler jobs (/weekoverzicht is in handlers/commands.py).

- handlers/messenger.py sends (turning Telegram's errors into the protocol's four kinds) and wakes.
- `install(app, settings)` sets APScheduler (PTB's JobQueue) to Europe/Brussels and adds the jobs. They only
  wake the dispatcher; what is due is always read from the outbox at `clock.now()`:
    reminders:start  once at start-up: rebuild the schedule from the database, send what is due
    reminders:tick   every minute: a safety net (a lost wake-up costs at most a minute)
    reminders:wake   once, at the next due time (moved whenever the outbox changes)
    reminders:daily  every night: top up recurring reminders and the weekly overview, clean up
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram.ext import Application

from bot.platform.config import Settings
from handlers.context import BotContext
from handlers.messenger import TelegramMessenger

log = logging.getLogger(__name__)

START_JOB, TICK_JOB, DAILY_JOB = "reminders:start", "reminders:tick", "reminders:daily"
TICK_SECONDS = 60
DAILY_AT = dt.time(3, 30)  # local time: planning only, nothing is sent at night
# APScheduler's default misfire grace time is one second: a job that starts later (a busy event
# loop, a suspended machine) would be skipped silently. Our jobs only wake the dispatcher, which
# reads what is due from the outbox and applies the missed-while-down rule itself, so a late
# wake-up is always better than none: no grace limit, and missed runs collapse into one.
# Two instances: a tick that finds the dispatcher busy with a long batch returns at once (instead
# of APScheduler logging a skipped run every minute).
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 2}


async def run_due(context: BotContext) -> None:
    """A wake-up: send what is due now."""
    await context.bot_data.core.dispatcher.run()


async def start_up(context: BotContext) -> None:
    """Once at start-up: the schedule is rebuilt from the database, then what is due goes out."""
    core = context.bot_data.core
    await core.reminders.startup()
    await core.dispatcher.run()
    await core.dispatcher.reschedule()


async def daily(context: BotContext) -> None:
    core = context.bot_data.core
    await core.reminders.daily()
    await core.dispatcher.reschedule()


def install(app: Application, settings: Settings) -> None:
    """The reminder jobs on this Application's job queue (before the Application starts); the sending
    itself goes through handlers/messenger.py, which the core got at construction."""
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("reminders need PTB's job queue: install python-telegram-bot[job-queue]")
    tz = settings.timezone
    # The time zone is set explicitly: PTB's default is UTC, and the daily job runs at local time.
    job_queue.scheduler.configure(**{**job_queue.scheduler_configuration, "timezone": tz})
    job_queue.run_once(start_up, when=0, name=START_JOB, job_kwargs=JOB_KWARGS)
    job_queue.run_repeating(run_due, interval=TICK_SECONDS, first=TICK_SECONDS, name=TICK_JOB, job_kwargs=JOB_KWARGS)
    job_queue.run_daily(daily, time=DAILY_AT.replace(tzinfo=tz), name=DAILY_JOB, job_kwargs=JOB_KWARGS)


def messenger(app: Application) -> TelegramMessenger:
    """The core's messenger on this Application: its bot sends, its job queue wakes the reminder sender."""
    if app.job_queue is None:
        raise RuntimeError("reminders need PTB's job queue: install python-telegram-bot[job-queue]")
    return TelegramMessenger(app, app.job_queue, run_due, JOB_KWARGS)
