"""/rapport: the network's evaluation report for a coordinator, as a short summary and an HTML document."""

from __future__ import annotations

import io
import logging

from telegram import InputFile, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import CommandHandler

from bot.insights.access import may_see_report
from bot.insights.generate import make_report
from bot.insights.period import PeriodError, parse_period
from bot.insights.render import html_page, telegram_summary
from bot.platform.calendar import local_naive
from handlers.context import PRIVATE, BotContext, chat_id, who

log = logging.getLogger(__name__)


async def report(update: Update, context: BotContext) -> None:
    core = context.bot_data.core
    texts = core.texts
    chat = chat_id(update)
    person = who(update)
    if not may_see_report(core.settings, person.user_id):
        log.info("refused /rapport: not an admin")
        await context.bot.send_message(chat, str(texts("insights.not_allowed")), parse_mode=ParseMode.HTML)
        return
    today = local_naive(core.clock.now(), core.settings.timezone).date()
    try:
        period = parse_period(context.args or [], today=today)
    except PeriodError as error:
        problem = texts("insights.bad_date", value=error.value) if error.unreadable_date else texts(error.key)
        if error.key != "insights.usage":
            problem += "\n\n" + texts("insights.usage")
        await context.bot.send_message(chat, str(problem), parse_mode=ParseMode.HTML)
        return
    await context.bot.send_chat_action(chat, ChatAction.UPLOAD_DOCUMENT)
    result = await make_report(
        core.db, texts, core.analyzer, period, now=core.clock.now(), tz=core.settings.timezone, town=core.settings.town
    )
    await context.bot.send_message(chat, str(telegram_summary(result, texts)), parse_mode=ParseMode.HTML)
    page = html_page(result).encode("utf-8")
    await context.bot.send_document(
        chat,
        InputFile(io.BytesIO(page), filename=f"rapport-{period.start}-{period.end}.html"),
        caption=texts.label("insights.document_caption", start=str(period.start), end=str(period.end)),
    )


HANDLERS = [CommandHandler("rapport", report, filters=PRIVATE)]
