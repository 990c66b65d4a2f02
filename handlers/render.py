"""Turning the core's plain-data Reply into Telegram messages (HTML, inline keyboards).

Every message passes `split_message` here, so nothing the core says can exceed Telegram's 4096
characters: a long 'Meer info' goes out as two or three messages, the buttons under the last.

A reply that fails on the way (Telegram's 5xx, a dropped connection, a timeout) is tried twice more after
a short pause, so that a hiccup of a few seconds does not cost a person their answer. A refusal (400, 403)
is not retried, and a 429 is already waited out by PTB's rate limiter. Only replies to what a person just
did are retried here: reminders have their own policy (the outbox tries again later, and a timed-out
message that did arrive must not arrive twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError

from bot.chat.replies import Button, Message, Reply, split_message, text_length

MAX_CAPTION = 1024
RETRY_DELAYS = (0.5, 2.0)  # seconds before the second and the third try of one message
log = logging.getLogger("bot.render")
T = TypeVar("T")


async def retrying(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, tried again after RETRY_DELAYS when the network or Telegram's servers fail."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return await call()
        except NetworkError as error:  # includes TimedOut; BadRequest is a NetworkError too, but final
            if isinstance(error, BadRequest) or delay is None:
                raise
            log.info("sending failed (%s); trying again in %g s", type(error).__name__, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def _once(call: Callable[[], Awaitable[T]]) -> T:
    return await call()


def keyboard(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in buttons])


def _button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.text, url=button.url)
    return InlineKeyboardButton(button.text, callback_data=button.action)


async def send_message(bot: Bot, chat_id: int, message: Message, *, retry: bool = False) -> TelegramMessage:
    """One message of a reply (several when it is too long; the last is returned, it has the buttons).
    `retry`: see the module docstring."""
    *first, last = split_message(message)
    for piece in first:
        await _send_one(bot, chat_id, piece, retry=retry)
    return await _send_one(bot, chat_id, last, retry=retry)


async def _send_one(bot: Bot, chat_id: int, message: Message, *, retry: bool = False) -> TelegramMessage:
    """A photo gets the text as caption when it fits, else the text follows in its own message."""
    markup = keyboard(message.buttons)
    attempt = retrying if retry else _once
    if message.document is not None:  # a file (the .ics of 'Zet in mijn agenda') with the text as its caption
        document = message.document
        return await attempt(
            lambda: bot.send_document(
                chat_id,
                InputFile(document.data, filename=document.filename),
                caption=str(message.html),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        )
    photo = message.photo
    if photo and text_length(message.plain) <= MAX_CAPTION:
        return await attempt(
            lambda: bot.send_photo(
                chat_id, photo, caption=str(message.html), parse_mode=ParseMode.HTML, reply_markup=markup
            )
        )
    if photo:
        await attempt(lambda: bot.send_photo(chat_id, photo))
    return await attempt(
        lambda: bot.send_message(chat_id, str(message.html), parse_mode=ParseMode.HTML, reply_markup=markup)
    )


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, *, pressed: TelegramMessage | None = None, pressed_data: str | None = None
) -> None:
    """Send a reply; with `reply.replace`, its first message replaces the message whose button was pressed,
    with `reply.spent` the row of the pressed button (`pressed_data`) disappears from that message."""
    messages = [piece for message in reply.messages for piece in split_message(message)]
    if reply.replace and pressed is not None and messages and not messages[0].photo and pressed.text is not None:
        first = messages[0]
        markup = keyboard(first.buttons)
        if await _edited(lambda: pressed.edit_text(str(first.html), parse_mode=ParseMode.HTML, reply_markup=markup)):
            messages.pop(0)
    elif reply.spent and pressed is not None and pressed_data and pressed.reply_markup is not None:
        rows = pressed.reply_markup.inline_keyboard
        kept = [row for row in rows if all(b.callback_data != pressed_data for b in row)]
        if len(kept) != len(rows):
            await _edited(lambda: pressed.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None))
    for message in messages:
        await _send_one(bot, chat_id, message, retry=True)


async def _edited(edit: Callable[[], Awaitable[object]]) -> bool:
    """Whether the pressed message shows the edit now. A double press changes nothing (fine); a message
    that is gone or too old to edit is no reason to fail: the caller then sends the text anew."""
    try:
        await retrying(edit)
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return True
        if "can't be edited" in str(error).lower() or "not found" in str(error).lower():
            return False
        raise
    return True
