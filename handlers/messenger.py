"""The core's Messenger (bot/chat/messenger.py) on python-telegram-bot: send a message unasked (reminders,
notices), wake the reminder sender through PTB's JobQueue, and the bot's username once Telegram told it.

Telegram's errors become the sending protocol's four kinds (bot/reminders/sending.py), because each asks
for a different reaction: blocked, retry later, transient, rejected. PTB's AIORateLimiter paces every call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, JobQueue

from bot.chat.replies import Message
from bot.reminders.sending import Blocked, Rejected, RetryLater, Transient
from handlers.render import send_message

WAKE_JOB = "reminders:wake"
# "chat not found" and "user is deactivated" mean the same for us as a block: nobody to send to.
UNREACHABLE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")


class TelegramMessenger:
    def __init__(
        self,
        app: Application,
        job_queue: JobQueue,
        wake: Callable[[Any], Coroutine[Any, Any, None]],
        job_kwargs: dict[str, Any],
    ) -> None:
        self.app = app
        self.bot = app.bot
        self.job_queue = job_queue
        self._wake = wake  # the job that runs the reminder sender (handlers/reminders.py)
        self._job_kwargs = job_kwargs

    @property
    def username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # PTB raises until initialize() asked getMe
            return None

    async def send(self, chat_id: int, message: Message) -> int:
        if not self.app.running:  # built but not (or no longer) started: nothing goes out, it is tried later
            raise Transient("the Telegram application is not running")
        try:
            sent = await send_message(self.bot, chat_id, message)
        except Forbidden as error:
            raise Blocked(str(error)) from error
        except RetryAfter as error:
            wait = error.retry_after  # a timedelta with PTB_TIMEDELTA (python -m bot sets it), else seconds
            raise RetryLater(wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)) from error
        except BadRequest as error:
            if any(words in error.message.lower() for words in UNREACHABLE):
                raise Blocked(error.message) from error
            raise Rejected(error.message) from error
        except NetworkError as error:  # timeouts, connection errors, 5xx
            raise Transient(str(error)) from error
        except TelegramError as error:  # anything else Telegram answers: try again later
            raise Transient(str(error)) from error
        return sent.message_id

    def wake_in(self, seconds: float) -> None:
        """One pending 'reminders:wake' job at a time."""
        for job in self.job_queue.get_jobs_by_name(WAKE_JOB):
            job.schedule_removal()
        self.job_queue.run_once(self._wake, when=max(seconds, 0.0), name=WAKE_JOB, job_kwargs=self._job_kwargs)
