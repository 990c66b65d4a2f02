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
    """Who sent an update: ids to answer them, the first name to greet (never stored), and the language of
    their Telegram app (the bot's language at first contact, bot/lang/choice.py)."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    return Who(user_id=user.id, chat_id=chat.id, first_name=user.first_name, language_code=user.language_code)


def chat_id(update: Update) -> int:
    """The chat an update came from (every update our handlers take has one)."""
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def message_text(update: Update) -> str:
    """The text of the message in an update ('' for one without text)."""
    message = update.effective_message
    return (message.text or "") if message is not None else ""
