"""Turning the core's plain-data Reply into Telegram messages (HTML, inline keyboards)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.replies import Button, Message, Reply

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
    """One message of a reply; a photo gets the text as caption when it fits."""
    markup = keyboard(message.buttons)
    if message.photo and len(message.plain) <= MAX_CAPTION:
        return await bot.send_photo(
            chat_id, message.photo, caption=str(message.html), parse_mode=ParseMode.HTML, reply_markup=markup
        )
    if message.photo:
        await bot.send_photo(chat_id, message.photo)
    return await bot.send_message(
        chat_id, str(message.html), parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=None
    )


async def send_reply(bot: Bot, chat_id: int, reply: Reply, *, pressed: TelegramMessage | None = None) -> None:
    """Send a reply; with `reply.replace`, its first message replaces the message whose button was pressed."""
    messages = list(reply.messages)
    if reply.replace and pressed is not None and messages and not messages[0].photo and pressed.text is not None:
        first = messages.pop(0)
        try:
            await pressed.edit_text(str(first.html), parse_mode=ParseMode.HTML, reply_markup=keyboard(first.buttons))
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
    for message in messages:
        await send_message(bot, chat_id, message)
