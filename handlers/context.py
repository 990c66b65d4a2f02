"""Typed shared state for the handlers: `context.bot_data.core` is the bot's core, set at start-up."""

from __future__ import annotations

from telegram.ext import CallbackContext, ExtBot

from bot.core import Core


class BotData:
    """What every handler can reach. Created empty by PTB; `core` is filled in before polling starts."""

    core: Core


BotContext = CallbackContext[ExtBot[None], dict, dict, BotData]
