"""What the core needs of the messenger (Telegram) to say something unasked: bot/core.py gets one at
construction and hands its parts to the features that send (reminders, key figures' notices).

The terminal chat and the command line have none: then nothing is sent unasked, and the features say
so (the data is in the database either way). The Telegram implementation is handlers/app.py's
TelegramMessenger; the tests have their own.
"""

from __future__ import annotations

from typing import Protocol

from bot.chat.replies import Message


class Messenger(Protocol):
    @property
    def username(self) -> str | None:
        """The bot's username once the messenger knows it (deep links need it), else None."""
        ...

    async def send(self, chat_id: int, message: Message) -> int:
        """Send one message (a reminder, a notice); its message id back. Failures raise the kinds of
        bot.reminders.sending (Blocked, RetryLater, Transient, Rejected), each asking a different reaction."""
        ...

    def wake_in(self, seconds: float) -> None:
        """Wake the reminder sender after `seconds`, replacing the last wake-up (the scheduler side)."""
        ...
