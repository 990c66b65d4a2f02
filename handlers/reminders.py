"""Reminders on Telegram: the sender, the scheduler jobs, and /weekoverzicht.

- `TelegramSender` implements bot.reminders.sending.Sender with PTB's Bot, turning Telegram's errors into
  the protocol's four kinds (blocked, retry later, transient, rejected).
- `install(app)` sets APScheduler (PTB's JobQueue) to Europe/Brussels and adds the jobs. They only
  wake the dispatcher; what is due is always read from the outbox at `clock.now()`:
    reminders:start  once at start-up: rebuild the schedule from the database, send what is due
    reminders:tick   every minute: a safety net (a lost wake-up costs at most a minute)
    reminders:wake   once, at the next due time (moved whenever the outbox changes)
    reminders:daily  every night: top up recurring reminders and the weekly overview, clean up
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CommandHandler, JobQueue

from bot.chat.replies import Message
from bot.reminders.sending import Blocked, Rejected, RetryLater, Transient
from handlers.context import BotContext
from handlers.people import PRIVATE, who
from handlers.render import send_message, send_reply

log = logging.getLogger(__name__)

START_JOB, TICK_JOB, WAKE_JOB, DAILY_JOB = "reminders:start", "reminders:tick", "reminders:wake", "reminders:daily"
TICK_SECONDS = 60
DAILY_AT = dt.time(3, 30)  # local time: planning only, nothing is sent at night
# APScheduler's default misfire grace time is one second: a job that starts later (a busy event
# loop, a suspended machine) would be skipped silently. Our jobs only wake the dispatcher, which
# reads what is due from the outbox and applies the missed-while-down rule itself, so a late
# wake-up is always better than none: no grace limit, and missed runs collapse into one.
# Two instances: a tick that finds the dispatcher busy with a long batch returns at once (instead
# of APScheduler logging a skipped run every minute).
JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 2}
# "chat not found" and "user is deactivated" mean the same for us as a block: nobody to send to.
UNREACHABLE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")


class TelegramSender:
    """The sending protocol on PTB's Bot (its AIORateLimiter paces every call)."""

    def __init__(self, bot: object) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: Message) -> int:
        try:
            sent = await send_message(self.bot, chat_id, message)  # type: ignore[arg-type]
        except Forbidden as error:
            raise Blocked(str(error)) from error
        except RetryAfter as error:
            raise RetryLater(error.retry_after.total_seconds()) from error  # type: ignore[union-attr]
        except BadRequest as error:
            if any(words in error.message.lower() for words in UNREACHABLE):
                raise Blocked(error.message) from error
            raise Rejected(error.message) from error
        except NetworkError as error:  # timeouts, connection errors, 5xx
            raise Transient(str(error)) from error
        except TelegramError as error:  # anything else Telegram answers: try again later
            raise Transient(str(error)) from error
        return sent.message_id


class JobQueueWaker:
    """The dispatcher's wake-up on PTB's JobQueue: one pending 'reminders:wake' job at a time."""

    def __init__(self, job_queue: JobQueue) -> None:
        self.job_queue = job_queue

    def wake_in(self, seconds: float) -> None:
        for job in self.job_queue.get_jobs_by_name(WAKE_JOB):
            job.schedule_removal()
        self.job_queue.run_once(run_due, when=max(seconds, 0.0), name=WAKE_JOB, job_kwargs=JOB_KWARGS)


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


def install(app: Application) -> None:
    """Connect the dispatcher to this Application's bot and job queue (before the Application starts)."""
    core = app.bot_data.core
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("reminders need PTB's job queue: install python-telegram-bot[job-queue]")
    tz = core.settings.timezone
    # The time zone is set explicitly: PTB's default is UTC, and the daily job runs at local time.
    job_queue.scheduler.configure(**{**job_queue.scheduler_configuration, "timezone": tz})
    core.dispatcher.sender = TelegramSender(app.bot)
    core.dispatcher.waker = JobQueueWaker(job_queue)
    job_queue.run_once(start_up, when=0, name=START_JOB, job_kwargs=JOB_KWARGS)
    job_queue.run_repeating(run_due, interval=TICK_SECONDS, first=TICK_SECONDS, name=TICK_JOB, job_kwargs=JOB_KWARGS)
    job_queue.run_daily(daily, time=DAILY_AT.replace(tzinfo=tz), name=DAILY_JOB, job_kwargs=JOB_KWARGS)


async def weekly(update: Update, context: BotContext) -> None:
    """/weekoverzicht: opt in to the weekly overview, choose topics, or stop it."""
    reply = await context.bot_data.core.reminder_chat.weekly_command(who(update))
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


HANDLERS = [CommandHandler("weekoverzicht", weekly, filters=PRIVATE)]
