"""The Telegram application: the map of the bot.

settings -> python-telegram-bot Application with its handlers and jobs (`build_application`) -> the core
with this Application's messenger (`open_bot`, bot/core.py) -> run (`run_bot`). The handlers live in
handlers/, one module per audience; `python -m bot run` and `check` find this module through the entry
point `bilzen_bot.frontends: telegram` (pyproject.toml), as the core imports nothing of Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import signal
import time
import urllib.parse

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Updater
from telegram.request import HTTPXRequest

from bot.core import Core, open_core
from bot.ops import backup, runlock
from bot.platform import logs
from bot.platform.calendar import Clock, local_naive
from bot.platform.config import Settings
from bot.platform.frontend import TokenCheck
from handlers import commands, errors, guard, insights, keyfigures, media, people, reminders, sources, teach
from handlers.context import BotContext, BotData
from handlers.http import AiohttpRequest

log = logging.getLogger(__name__)
CLEANUP_AT = dt.time(3, 30)  # local time of the daily privacy clean-up (retention, monthly keys)
BACKUP_CATCH_UP = 300  # seconds after start: a backup when the last one is older than a day (the bot was down)


async def open_bot(
    settings: Settings,
    builder: ApplicationBuilder | None = None,
    *,
    clock: Clock | None = None,
    load_sample: bool = True,
) -> tuple[Application, Core]:
    """The Application and the core behind it: the core gets this Application's messenger (sending,
    waking the reminder sender) at construction. Close the core with `core.close()` after the app stopped.
    Tests pass a builder aimed at the fake Bot API server and a clock."""
    app = build_application(settings, builder)
    core = await open_core(settings, clock=clock, load_sample=load_sample, messenger=reminders.messenger(app))
    app.bot_data.core = core  # PTB makes bot_data itself; every handler reaches the core through it
    return app, core


def build_application(settings: Settings, builder: ApplicationBuilder | None = None) -> Application:
    """The Application with all its handlers and jobs; the handlers find the core in `bot_data` (open_bot)."""
    if builder is None:
        builder = application_builder(settings)
    app = (
        builder.context_types(ContextTypes(bot_data=BotData))
        .rate_limiter(rate_limiter(settings))
        .concurrent_updates(True)
        .build()
    )
    logs.protect([app.bot.token, settings.telegram.webhook_secret])  # also when not started by python -m bot

    # Before anything else: flood protection per person and size limits on what comes in.
    app.add_handlers(guard.HANDLERS, group=guard.GROUP)
    # Coordinators teaching the bot (/leren) before the key figures' catch-all: what they type while the flow
    # waits for it (search words, a referral, a note). Anything else falls through.
    app.add_handlers(teach.HANDLERS, group=teach.GROUP)
    # Key figures and coordinators first: invites, forwards, flyer photos, pastes and field answers.
    # What is not theirs (a question, a sticker) falls through to the groups below.
    app.add_handlers(keyfigures.HANDLERS, group=keyfigures.GROUP)
    # People looking for something: their commands (the one list, bot/chat/commands.py), questions, buttons;
    # the same commands typed in a group get a pointer to the private chat.
    app.add_handlers(commands.PRIVATE_HANDLERS)
    app.add_handlers(commands.GROUP_HANDLERS)
    app.add_handlers(people.HANDLERS)
    # Coordinators: /rapport, the network's evaluation report.
    app.add_handlers(insights.HANDLERS)
    # Reminders: the sender and its scheduler jobs start with the Application.
    reminders.install(app, settings)
    # Everything else people send (photos, voice, stickers, edits, groups): a friendly pointer.
    app.add_handlers(media.HANDLERS)
    if app.job_queue is not None:
        app.job_queue.run_repeating(keyfigures.weekly, interval=3600, first=300, name="keyfigures-weekly")
    # One error handler: log without personal data, then tell the person.
    app.add_error_handler(errors.on_error)
    schedule_cleanup(app, settings)
    schedule_backup(app, settings)
    # Offers from where partners publish them: UiTdatabank and the iCal feeds, on their own schedule.
    sources.schedule(app, settings)
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


SPACING_MARGIN = 1.04  # gaps 4% wider than 1/limit


def rate_limiter(settings: Settings) -> AIORateLimiter:
    """Telegram's flood limits, kept by PTB for every call with a chat id.

    The overall limit is a bucket of ONE message refilled `messages_per_second` times a second,
    not a bucket of `messages_per_second` refilled once a second: the latter lets a full bucket go
    out at once and the next one right after, so a reminder batch reached about twice the limit in
    a one-second window (measured in bench/reminders.py). Evenly spaced sends stay under it, with
    a margin of SPACING_MARGIN: the gap leaves the limiter exact but reaches Telegram with network
    jitter, and at exact spacing one window in a batch of 5,000 held 26 sends for a limit of 25.
    RetryAfter (429) is retried twice after the wait Telegram asks for; then the reminder sender
    takes over (bot/reminders/dispatcher.py pauses and tries later).
    """
    rate = settings.reminders.messages_per_second
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=SPACING_MARGIN / rate,
        group_max_rate=20,
        group_time_period=60,
        max_retries=2,
    )


async def insights_cleanup(context: BotContext) -> None:
    """Delete anonymous question logs past the retention period and destroy keys of months that are over."""
    await context.bot_data.core.insights.cleanup()


def schedule_cleanup(app: Application, settings: Settings) -> None:
    """Every day at CLEANUP_AT, local time (`run_bot` also cleans up once at start, in case it was down then)."""
    if app.job_queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    tz = settings.timezone
    app.job_queue.run_daily(insights_cleanup, CLEANUP_AT.replace(tzinfo=tz), name="insights-cleanup")


async def daily_backup(context: BotContext) -> None:
    """Copy the database into the backup folder (safe while the bot runs) and delete the oldest copies."""
    core = context.bot_data.core
    settings = core.settings
    folder = settings.backup_folder
    assert folder is not None
    now = local_naive(core.clock.now(), settings.timezone)  # the file's name says when, in local time
    try:
        path = await asyncio.to_thread(backup.make_backup, settings.database_path, folder, now=now)
        removed = await asyncio.to_thread(backup.rotate, folder, settings.backup.keep)
    except (backup.BackupError, OSError) as error:
        log.error("daily backup failed (tried again tomorrow; python -m bot backup does it by hand): %s", error)
        return
    log.info("daily backup written: %s (%d older ones deleted)", path.name, len(removed))


def schedule_backup(app: Application, settings: Settings) -> None:
    """Daily at `backup.at`; a few minutes after start as well when the newest backup is over a day old."""
    folder = settings.backup_folder
    if folder is None or app.job_queue is None:
        return
    at = settings.backup.at.replace(tzinfo=settings.timezone)
    app.job_queue.run_daily(daily_backup, at, name="daily-backup")
    newest = backup.list_backups(folder)[-1:]
    if not newest or time.time() - newest[0].stat().st_mtime > 24 * 3600:
        app.job_queue.run_once(daily_backup, BACKUP_CATCH_UP, name="backup-catch-up")


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
    with runlock.hold(settings.database_path):  # one bot per database; AlreadyRunning otherwise
        app, core = await open_bot(settings, builder, clock=clock)
        try:
            await core.insights.cleanup()
            if stop is None:
                stop = asyncio.Event()
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    with contextlib.suppress(NotImplementedError):
                        loop.add_signal_handler(sig, stop.set)
            async with app:
                await commands.register_menu(app)
                await app.start()
                how = await start_updates(app, settings)
                log.info("bot @%s is running (%s); stop with Ctrl-C", app.bot.username, how)
                await stop.wait()
                log.info("stopping")
                core.dispatcher.request_stop()  # the message in flight finishes; the rest waits in the outbox
                await updater(app).stop()
                await app.stop()
        finally:
            await core.close()


def updater(app: Application) -> Updater:
    """The Application's Updater (application_builder always makes one; PTB types it as optional)."""
    if app.updater is None:
        raise RuntimeError("the Application has no Updater")
    return app.updater


async def start_updates(app: Application, settings: Settings) -> str:
    """Start receiving updates the configured way; returns how, for the log."""
    tg = settings.telegram
    if tg.mode == "webhook":
        assert tg.webhook_url is not None  # the config refuses webhook mode without it
        # Without a configured secret a fresh one per start: Telegram learns it through setWebhook.
        secret = tg.webhook_secret or secrets.token_urlsafe(32)
        logs.protect([secret])
        path = urllib.parse.urlsplit(tg.webhook_url).path.strip("/")
        await updater(app).start_webhook(
            listen=tg.webhook_listen,
            port=tg.webhook_port,
            url_path=path,
            webhook_url=tg.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        return f"webhook on {tg.webhook_listen}:{tg.webhook_port}/{path}"
    await updater(app).start_polling(
        allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, error_callback=_polling_error
    )
    return "long polling"


def _polling_error(error: TelegramError) -> None:
    """Polling failed (Telegram or the network is down): one line; PTB retries by itself, waiting longer each time."""
    log.warning("could not fetch updates from Telegram (%s); trying again", type(error).__name__)


async def check_token(settings: Settings, *, seconds: float = 10.0) -> TokenCheck:
    """getMe (and getWebhookInfo) against the configured Bot API, with short timeouts."""
    tg = settings.telegram
    if not tg.token:
        return TokenCheck(problem="no token configured")
    request = HTTPXRequest(connect_timeout=seconds, read_timeout=seconds, write_timeout=seconds, pool_timeout=seconds)
    where = tg.api_base_url.rstrip("/").removesuffix("/bot")
    try:
        bot = Bot(tg.token, base_url=tg.api_base_url, base_file_url=tg.file_url, request=request)
        async with bot:  # initialize() asks getMe
            info = await bot.get_webhook_info()
            return TokenCheck(
                username=bot.username,
                webhook_url=info.url or None,
                webhook_error=info.last_error_message,
            )
    except InvalidToken:
        return TokenCheck(problem="Telegram refused the token (it is wrong or was revoked)")
    except TimedOut:
        return TokenCheck(problem=f"no answer from the Telegram Bot API at {where} within {seconds:g} s")
    except NetworkError as error:
        return TokenCheck(problem=f"could not reach the Telegram Bot API at {where} ({error})")
    except TelegramError as error:
        return TokenCheck(problem=f"the Telegram Bot API answered with an error: {error}")


class TelegramFrontend:
    """The Telegram face as the command line finds it (bot/platform/frontend.py, through the entry point
    `bilzen_bot.frontends: telegram` in pyproject.toml): `python -m bot run` and the token check."""

    async def run(self, settings: Settings) -> None:
        await run_bot(settings)

    async def check_token(self, settings: Settings, *, seconds: float = 10.0) -> TokenCheck:
        return await check_token(settings, seconds=seconds)


FRONTEND = TelegramFrontend()
