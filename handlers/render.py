"""Turning the core's plain-data Reply into Telegram messages (HTML, inline keyboards).

Every message passes `split_message` here, so nothing the core says can exceed Telegram's 4096
characters: a long 'Meer info' goes out as two or three messages, the buttons under the last.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.replies import Button, Message, Reply, split_message, text_length

MAX_CAPTION = 1024


def keyboard(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in buttons])


def _button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.text, url=button.url)
    return InlineKeyboardButton(button.text, callback_data=button.action)


async def send_message(bot: Bot, chat_id: int, message: Message) -> TelegramMessage:
    """One message of a reply (several when it is too long; the last is returned, it has the buttons)."""
    *first, last = split_message(message)
    for piece in first:
        await _send_one(bot, chat_id, piece)
    return await _send_one(bot, chat_id, last)


async def _send_one(bot: Bot, chat_id: int, message: Message) -> TelegramMessage:
    """A photo gets the text as caption when it fits, else the text follows in its own message."""
    markup = keyboard(message.buttons)
    if message.photo and text_length(message.plain) <= MAX_CAPTION:
        return await bot.send_photo(
            chat_id, message.photo, caption=str(message.html), parse_mode=ParseMode.HTML, reply_markup=markup
        )
    if message.photo:
        await bot.send_photo(chat_id, message.photo)
    return await bot.send_message(chat_id, str(message.html), parse_mode=ParseMode.HTML, reply_markup=markup)


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, *, pressed: TelegramMessage | None = None, pressed_data: str | None = None
) -> None:
    """Send a reply; with `reply.replace`, its first message replaces the message whose button was pressed,
    with `reply.spent` the row of the pressed button (`pressed_data`) disappears from that message."""
    messages = [piece for message in reply.messages for piece in split_message(message)]
    if reply.replace and pressed is not None and messages and not messages[0].photo and pressed.text is not None:
        first = messages[0]
        edit = pressed.edit_text(str(first.html), parse_mode=ParseMode.HTML, reply_markup=keyboard(first.buttons))
        if await _edited(edit):
            messages.pop(0)
    elif reply.spent and pressed is not None and pressed_data and pressed.reply_markup is not None:
        rows = pressed.reply_markup.inline_keyboard
        kept = [row for row in rows if all(b.callback_data != pressed_data for b in row)]
        if len(kept) != len(rows):
            await _edited(pressed.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None))
    for message in messages:
        await _send_one(bot, chat_id, message)


async def _edited(edit: Awaitable[object]) -> bool:
    """Whether the pressed message shows the edit now. A double press changes nothing (fine); a message
    that is gone or too old to edit is no reason to fail: the caller then sends the text anew."""
    try:
        await edit
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return True
        if "can't be edited" in str(error).lower() or "not found" in str(error).lower():
            return False
        raise
    return True
