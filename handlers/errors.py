"""The one error handler: log what broke (never the message text or who sent it), then tell the person."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from handlers.context import BotContext

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    kind = _update_kind(update)
    if isinstance(error, Forbidden):
        log.info("Telegram refused a message (%s): the person blocked the bot", kind)
        await _mark_blocked(update, context)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("network problem while handling a %s: %s", kind, type(error).__name__)
    else:
        log.error("error while handling a %s", kind, exc_info=error)
    if isinstance(update, Update) and update.callback_query is not None:
        # Stop the button's spinner; it may have been answered before the error, or be too old: fine.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if isinstance(update, Update) and update.effective_chat is not None:
        core = context.bot_data.core
        contact = core.settings.contact
        text = core.texts("errors.general", name=contact.name, phone=contact.phone)
        try:
            await context.bot.send_message(update.effective_chat.id, str(text), parse_mode=ParseMode.HTML)
        except TelegramError:
            log.warning("could not tell the person about the error either")


async def _mark_blocked(update: object, context: BotContext) -> None:
    """Send nothing unasked (reminders) to someone who blocked the bot, until they write again."""
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if update.effective_chat.type == ChatType.PRIVATE:
        await context.bot_data.core.people.blocked(update.effective_user.id)


def _update_kind(update: object) -> str:
    """What arrived, without anything personal: 'message', 'callback_query', ..."""
    if not isinstance(update, Update):
        return type(update).__name__
    for name in ("callback_query", "edited_message", "message", "my_chat_member", "chat_member"):
        if getattr(update, name, None) is not None:
            return name
    return "update"
