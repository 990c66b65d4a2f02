"""The Telegram application: the map of the bot.

config -> core -> python-telegram-bot Application with its handlers. This is the only module
of `bot/` that imports `telegram`; the handlers live in `handlers/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.config import Settings
from bot.core import Core, open_core
from handlers import errors, insights, keyfigures, media, people, reminders
from handlers.context import BotContext, BotData
from handlers.http import AiohttpRequest

log = logging.getLogger(__name__)
COMMANDS = ("start", "hulp", "privacy", "vergeet", "stop")
CLEANUP_AT = dt.time(3, 30)  # local time of the daily privacy clean-up (retention, monthly keys)


def build_application(core: Core, builder: ApplicationBuilder | None = None) -> Application:
    """The Application with all handlers, on an existing core. Tests pass a builder aimed at a fake server."""
    settings = core.settings
    if builder is None:
        builder = application_builder(settings)
    app = (
        builder.context_types(ContextTypes(bot_data=BotData))
        .rate_limiter(rate_limiter(settings))
        .concurrent_updates(True)
        .build()
    )
    app.bot_data.core = core
    core.keyfigures.shared.sender = keyfigures.make_sender(app.bot, core.people)

    # Key figures and coordinators first: invites, forwards, flyer photos, pastes and field answers.
    # What is not theirs (a question, a sticker) falls through to the groups below.
    app.add_handlers(keyfigures.EARLY_HANDLERS, group=keyfigures.EARLY_GROUP)
    app.add_handlers(keyfigures.HANDLERS, group=keyfigures.GROUP)
    # People looking for something: commands, questions, buttons.
    app.add_handlers(people.HANDLERS)
    # Coordinators: /rapport, the network's evaluation report.
    app.add_handlers(insights.HANDLERS)
    # Reminders: /weekoverzicht here; the sender and its scheduler jobs start with the Application.
    app.add_handlers(reminders.HANDLERS)
    reminders.install(app)
    # Everything else people send (photos, voice, stickers, edits, groups): a friendly pointer.
    app.add_handlers(media.HANDLERS)
    if app.job_queue is not None:
        app.job_queue.run_repeating(keyfigures.weekly, interval=3600, first=300, name="keyfigures-weekly")
    # One error handler: log without personal data, then tell the person.
    app.add_error_handler(errors.on_error)
    schedule_cleanup(app)
    return app


def application_builder(settings: Settings) -> ApplicationBuilder:
    """Token, Bot API address and our HTTP transport (handlers/http.py: aiohttp, a quarter of httpx's CPU
    per call); PTB keeps one connection pool for calls and one for the long poll, as it does by default."""
    return (
        ApplicationBuilder()
        .token(settings.telegram.token or "")
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.file_url)
        .request(AiohttpRequest(256))
        .get_updates_request(AiohttpRequest(1))
    )


def rate_limiter(settings: Settings) -> AIORateLimiter:
    """Telegram's flood limits, kept by PTB for every call with a chat id.

    The overall limit is a bucket of ONE message refilled `messages_per_second` times a second,
    not a bucket of `messages_per_second` refilled once a second: the latter lets a full bucket go
    out at once and the next one right after, so a reminder batch reached about twice the limit in
    a one-second window (measured in bench/reminders.py). Evenly spaced sends stay under it.
    RetryAfter (429) is retried twice after the wait Telegram asks for; then the reminder sender
    takes over (bot/dispatcher.py pauses and tries later).
    """
    rate = settings.reminders.messages_per_second
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / rate,
        group_max_rate=20,
        group_time_period=60,
        max_retries=2,
    )


async def insights_cleanup(context: BotContext) -> None:
    """Delete anonymous question logs past the retention period and destroy keys of months that are over."""
    await context.bot_data.core.insights.cleanup()


def schedule_cleanup(app: Application) -> None:
    """Every day at CLEANUP_AT, local time (`run_bot` also cleans up once at start, in case it was down then)."""
    if app.job_queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    tz = app.bot_data.core.settings.timezone
    app.job_queue.run_daily(insights_cleanup, CLEANUP_AT.replace(tzinfo=tz), name="insights-cleanup")


async def register_commands(app: Application) -> None:
    """The command menu in Telegram, with Dutch descriptions from the texts file."""
    texts = app.bot_data.core.texts
    await app.bot.set_my_commands([BotCommand(c, texts.label(f"commands.{c}")) for c in COMMANDS])


async def run_bot(settings: Settings) -> None:
    """Long polling until SIGINT or SIGTERM, then a clean shutdown."""
    core = await open_core(settings)
    try:
        await core.insights.cleanup()
        app = build_application(core)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        async with app:
            await register_commands(app)
            await app.start()
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
            me = app.bot.username
            log.info("bot @%s is running (long polling); stop with Ctrl-C", me)
            await stop.wait()
            log.info("stopping")
            core.dispatcher.request_stop()  # the message in flight finishes; the rest waits in the outbox
            await app.updater.stop()
            await app.stop()
    finally:
        await core.close()
