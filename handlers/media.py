"""Everything that is not a text question: photos, voice, stickers, locations, files, edits, groups.

Each gets a short friendly answer that says what the bot can do; nothing here is stored.
(Key figures' forwarded photos are handled by their own handlers, registered before these.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers.context import BotContext
from handlers.people import PRIVATE, question, who
from handlers.render import send_reply

KINDS = (
    (filters.PHOTO, "media.photo"),
    (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE, "media.voice"),
    (filters.Sticker.ALL, "media.sticker"),
    (filters.LOCATION | filters.VENUE, "media.location"),
    (filters.Document.ALL, "media.document"),
)


def _answer(text_key: str) -> Callable[[Update, BotContext], Awaitable[None]]:
    """A handler that answers with one fixed text."""

    async def answer(update: Update, context: BotContext) -> None:
        text = context.bot_data.core.texts(text_key)
        await update.effective_message.reply_text(str(text), parse_mode=ParseMode.HTML)  # type: ignore[union-attr]

    return answer


async def edited(update: Update, context: BotContext) -> None:
    """An edited question is asked again: people fix a typo and expect a new answer."""
    if update.edited_message and update.edited_message.text:
        await question(update, context)


async def unknown_command(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.conversation.menu(who(update))
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


HANDLERS = [
    *(MessageHandler(PRIVATE & kind & ~filters.UpdateType.EDITED, _answer(key)) for kind, key in KINDS),
    MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND, edited),
    MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
    CommandHandler("start", _answer("media.group"), filters=~PRIVATE),
    MessageHandler(PRIVATE & ~filters.UpdateType.EDITED, _answer("media.other")),
]
