"""The Telegram application: the map of the bot.

config -> core -> python-telegram-bot Application with its handlers. This is the only module
of `bot/` that imports `telegram`; the handlers live in `handlers/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import signal
import urllib.parse

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot import logs
from bot.calendar import Clock
from bot.config import Settings
from bot.core import Core, open_core
from handlers import errors, guard, insights, keyfigures, media, people
from handlers.context import BotContext, BotData

log = logging.getLogger(__name__)
COMMANDS = ("start", "hulp", "privacy", "vergeet", "stop")
CLEANUP_AT = dt.time(3, 30)  # local time of the daily privacy clean-up (retention, monthly keys)


def build_application(core: Core, builder: ApplicationBuilder | None = None) -> Application:
    """The Application with all handlers, on an existing core. Tests pass a builder aimed at a fake server."""
    settings = core.settings
    if builder is None:
        builder = (
            ApplicationBuilder()
            .token(settings.telegram.token or "")
            .base_url(settings.telegram.api_base_url)
            .base_file_url(settings.telegram.file_url)
        )
    app = (
        builder.context_types(ContextTypes(bot_data=BotData))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.reminders.messages_per_second,
                overall_time_period=1,
                group_max_rate=20,
                group_time_period=60,
                max_retries=2,
            )
        )
        .concurrent_updates(True)
        .build()
    )
    app.bot_data.core = core
    core.keyfigures.shared.sender = keyfigures.make_sender(app.bot, core.people)

    # Before anything else: flood protection per person and size limits on what comes in.
    app.add_handlers(guard.HANDLERS, group=guard.GROUP)
    # Key figures and coordinators first: invites, forwards, flyer photos, pastes and field answers.
    # What is not theirs (a question, a sticker) falls through to the groups below.
    app.add_handlers(keyfigures.EARLY_HANDLERS, group=keyfigures.EARLY_GROUP)
    app.add_handlers(keyfigures.HANDLERS, group=keyfigures.GROUP)
    # People looking for something: commands, questions, buttons.
    app.add_handlers(people.HANDLERS)
    # Coordinators: /rapport, the network's evaluation report.
    app.add_handlers(insights.HANDLERS)
    # Everything else people send (photos, voice, stickers, edits, groups): a friendly pointer.
    app.add_handlers(media.HANDLERS)
    if app.job_queue is not None:
        app.job_queue.run_repeating(keyfigures.weekly, interval=3600, first=300, name="keyfigures-weekly")
    # One error handler: log without personal data, then tell the person.
    app.add_error_handler(errors.on_error)
    schedule_cleanup(app)
    return app


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


async def run_bot(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    builder: ApplicationBuilder | None = None,
    clock: Clock | None = None,
) -> None:
    """Run until SIGINT or SIGTERM (or until `stop` is set), then shut down cleanly.

    Updates come by long polling or, with `telegram.mode = "webhook"`, by Telegram calling the bot.
    Tests pass `stop`, a `builder` aimed at the fake Bot API server and a clock.
    """
    logs.protect([settings.telegram.token, settings.telegram.webhook_secret])
    core = await open_core(settings, clock=clock)
    try:
        await core.insights.cleanup()
        app = build_application(core, builder)
        if stop is None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
        async with app:
            await register_commands(app)
            await app.start()
            how = await start_updates(app, settings)
            log.info("bot @%s is running (%s); stop with Ctrl-C", app.bot.username, how)
            await stop.wait()
            log.info("stopping")
            await app.updater.stop()
            await app.stop()
    finally:
        await core.close()


async def start_updates(app: Application, settings: Settings) -> str:
    """Start receiving updates the configured way; returns how, for the log."""
    tg = settings.telegram
    if tg.mode == "webhook":
        assert tg.webhook_url is not None  # the config refuses webhook mode without it
        # Without a configured secret a fresh one per start: Telegram learns it through setWebhook.
        secret = tg.webhook_secret or secrets.token_urlsafe(32)
        logs.protect([secret])
        path = urllib.parse.urlsplit(tg.webhook_url).path.strip("/")
        await app.updater.start_webhook(
            listen=tg.webhook_listen,
            port=tg.webhook_port,
            url_path=path,
            webhook_url=tg.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        return f"webhook on {tg.webhook_listen}:{tg.webhook_port}/{path}"
    await app.updater.start_polling(
        allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, error_callback=_polling_error
    )
    return "long polling"


def _polling_error(error: TelegramError) -> None:
    """Polling failed (Telegram or the network is down): one line; PTB retries by itself, waiting longer each time."""
    log.warning("could not fetch updates from Telegram (%s); trying again", type(error).__name__)
