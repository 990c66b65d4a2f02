"""The first handler every update meets: flood protection per person and size limits on what comes in.

It runs in a group of its own before all others. A person over the limit gets one "even geduld"; what
follows in the same minute stops here (ApplicationHandlerStop), before any database work or search, so
one person sending hundreds of messages costs the others next to nothing. Button data longer than the
64 bytes Telegram allows cannot come from a real client: it is refused and logged, without its content.
Long texts are bounded where they are used (a question is read up to 500 characters, a key figure's
paste up to 20,000, the intake up to 8,000).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.chat.actions import fits
from bot.chat.flood import Verdict
from handlers.context import BotContext

log = logging.getLogger("bot.guard")
GROUP = -10  # before every other group (teaching -2, key figures -1, people 0)


def too_large(update: Update) -> str | None:
    """What is too large in this update, or None."""
    query = update.callback_query
    if query is not None and query.data is not None and not fits(query.data):
        return "button data"
    return None


async def guard(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or (update.message is None and update.edited_message is None and update.callback_query is None):
        return  # membership changes and the like: nothing a person can flood with
    problem = too_large(update)
    if problem is not None:
        log.warning("refused an update: %s longer than Telegram allows", problem)
        raise ApplicationHandlerStop
    core = context.bot_data.core
    verdict = core.flood.check(user.id)
    if verdict is Verdict.ANSWER:
        return
    if verdict is Verdict.SLOW_DOWN:
        log.info("a person sent more than %d messages in a minute: the rest of the minute is dropped", core.flood.limit)
        text = core.texts("errors.slow_down")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text.striptags())
            elif update.effective_chat is not None and update.effective_chat.type == "private":
                await context.bot.send_message(update.effective_chat.id, str(text), parse_mode=ParseMode.HTML)
        except TelegramError as error:
            log.info("could not say 'even geduld': %s", type(error).__name__)
    raise ApplicationHandlerStop


HANDLERS = [TypeHandler(Update, guard)]
