"""The first handler every update meets: flood protection per person and size limits on what comes in.

It runs in a group of its own before all others (the rules: bot/chat/flood.py). A person over the limit
hears it once: a message gets "even geduld ... binnen een minuut antwoord ik op je laatste bericht", and
their newest message is kept until the pause is over, when a job (`RESUME_JOB`, PTB's JobQueue) sends
it through all handlers as if it had just come in; a button press gets a short "druk over een minuut
opnieuw". Everything else over the limit stops here (ApplicationHandlerStop), before any database work
or search, so one person sending hundreds of messages costs the others next to nothing. Browsing buttons
(paging, Meer info, the menu) have a budget of their own and do not use up the person's questions.

Button data longer than the 64 bytes Telegram allows cannot come from a real client: it is refused and
logged, without its content. Long texts are bounded where they are used (a question is read up to 500
characters, a key figure's paste up to 20,000, the intake up to 8,000).
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.chat import actions as chat_actions
from bot.chat.actions import fits
from bot.chat.flood import Kind, Verdict
from bot.reminders import actions as reminder_actions
from handlers.context import BotContext

log = logging.getLogger("bot.guard")
GROUP = -10  # before every other group (teaching -2, key figures -1, people 0)
RESUME_JOB = "flood:resume"  # no user id in the name: APScheduler logs job names
RESUME_KWARGS = {"misfire_grace_time": None}  # like the reminder jobs: a late run is better than none


def too_large(update: Update) -> str | None:
    """What is too large in this update, or None."""
    query = update.callback_query
    if query is not None and query.data is not None and not fits(query.data):
        return "button data"
    return None


def kind_of(update: Update) -> Kind:
    """A message, a button that asks something, or a browsing button (a budget of its own)."""
    query = update.callback_query
    if query is None:
        return Kind.MESSAGE
    data = query.data or ""
    return Kind.BROWSE if chat_actions.browsing(data) or reminder_actions.browsing(data) else Kind.PRESS


async def guard(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or (update.message is None and update.edited_message is None and update.callback_query is None):
        return  # membership changes and the like: nothing a person can flood with
    problem = too_large(update)
    if problem is not None:
        log.warning("refused an update: %s longer than Telegram allows", problem)
        raise ApplicationHandlerStop
    core = context.bot_data.core
    kind = kind_of(update)
    verdict = core.flood.check(user.id, kind, update)
    if verdict is Verdict.ANSWER:
        return
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    if kind is Kind.MESSAGE and private:
        resume_at = core.flood.hold(user.id, update)  # before any await: the newest message wins
        if resume_at is not None:
            schedule_resume(context, user.id, resume_at - core.clock.now())
    if verdict is Verdict.SLOW_DOWN:
        log.info("a person sent more than %d messages in a minute: %s", core.flood.limit, _what_happens(kind))
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(core.texts.label("errors.slow_down_press"))
            elif private and update.effective_chat is not None:
                text = core.texts("errors.slow_down")
                await context.bot.send_message(update.effective_chat.id, str(text), parse_mode=ParseMode.HTML)
        except TelegramError as error:
            log.info("could not say 'even geduld': %s", type(error).__name__)
    raise ApplicationHandlerStop


def _what_happens(kind: Kind) -> str:
    if kind is Kind.MESSAGE:
        return "the last message is answered when the minute is over"
    return "presses are not answered for the rest of the minute"


def schedule_resume(context: BotContext, user_id: int, delay: dt.timedelta) -> None:
    """Answer the person's held message when the pause is over (the id travels as the job's data)."""
    if context.job_queue is None:
        log.warning("no job queue: a held message cannot be answered later")
        return
    context.job_queue.run_once(
        resume, when=max(delay.total_seconds(), 0.0), data=user_id, name=RESUME_JOB, job_kwargs=RESUME_KWARGS
    )


async def resume(context: BotContext) -> None:
    """The pause is over: the person's last message goes through all handlers now, and gets its answer."""
    job = context.job
    if job is None or not isinstance(job.data, int):
        return
    update = context.bot_data.core.flood.release(job.data)
    if isinstance(update, Update):
        await context.application.process_update(update)


HANDLERS = [TypeHandler(Update, guard)]
