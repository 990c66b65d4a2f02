"""What every handler shares: `context.bot_data.core` (the bot's core, set at start-up), who is talking,
and the filter for private chats."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackContext, ExtBot, filters

from bot.chat.conversation import Who
from bot.core import Core

PRIVATE = filters.ChatType.PRIVATE


class BotData:
    """What every handler can reach. Created empty by PTB; `core` is filled in before polling starts."""

    core: Core


BotContext = CallbackContext[ExtBot[None], dict, dict, BotData]


def who(update: Update) -> Who:
    """Who sent an update: ids to answer them, and the first name to greet (never stored)."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    return Who(user_id=user.id, chat_id=chat.id, first_name=user.first_name)
