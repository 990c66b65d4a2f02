"""The sending protocol between the core and a messenger: one message out, its message id back.

The core decides what must be sent (bot.reminders.outbox) and when (bot.reminders.dispatcher); the Telegram side
(handlers/reminders.py) only implements `Sender.send` and translates its errors into the four kinds
below, because each asks for a different reaction: a person who blocked the bot gets nothing
more, a flood limit pauses everything, a network hiccup is tried again later, and a refused
message is not tried again.
"""

from __future__ import annotations

from typing import Protocol

from bot.chat.replies import Message


class SendError(Exception):
    """A message did not go out."""


class Blocked(SendError):
    """The person blocked the bot or can no longer be reached (403): stop sending to them."""


class RetryLater(SendError):
    """Flood control (429): nothing may be sent for `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Transient(SendError):
    """The network or the server failed (timeouts, 5xx): the same message may work later."""


class Rejected(SendError):
    """The message itself was refused (400): sending it again will not help."""


class Sender(Protocol):
    """What the messenger side implements: send one message to a chat, return its message id."""

    async def send(self, chat_id: int, message: Message) -> int: ...


class Waker(Protocol):
    """What the scheduler side implements: wake the dispatcher after `seconds` (replacing the last wake-up)."""

    def wake_in(self, seconds: float) -> None: ...
