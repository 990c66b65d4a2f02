"""Key figures and coordinators in Telegram: invite links, forwards, flyer photos, their commands.

These handlers run in group -1, before the people's handlers and the media catch-alls: each asks the core
whether the message is theirs (an invite, a forward, a key figure's paste or field answer). When it is,
they answer and stop; when not (a question, a sticker), the core says None and the normal handlers answer.
"""

from __future__ import annotations

import logging

from telegram import Message, MessageOriginChannel, MessageOriginChat, Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.chat.replies import Reply
from bot.keyfigures import COMMANDS, Incoming
from handlers.context import PRIVATE, BotContext, chat_id, message_text, who
from handlers.render import send_reply

log = logging.getLogger("bot.keyfigures")
GROUP = -1  # before handlers/people.py and handlers/media.py (group 0)


async def _answer(update: Update, context: BotContext, reply: Reply | None) -> None:
    """Send the core's reply and stop the other handlers; None lets them answer instead."""
    if reply is None:
        return
    await send_reply(context.bot, chat_id(update), reply)
    raise ApplicationHandlerStop


async def start(update: Update, context: BotContext) -> None:
    payload = context.args[0] if context.args else None
    await _answer(update, context, await context.bot_data.core.keyfigures.start(who(update), payload))


async def forget(update: Update, context: BotContext) -> None:
    await _answer(update, context, await context.bot_data.core.keyfigures.forget_confirm(who(update)))


async def command(update: Update, context: BotContext) -> None:
    text = message_text(update)
    name = text.split()[0].lstrip("/").split("@")[0].lower()
    await _answer(update, context, await context.bot_data.core.keyfigures.command(who(update), name))


def incoming_of(message: Message) -> Incoming:
    """What the core needs of a message. The forward origin only when it is a channel or group (an
    organisation): a forwarded person's name is never passed on, so it can never end up in an offer."""
    origin = None
    forward = message.forward_origin
    if isinstance(forward, MessageOriginChannel):
        origin = forward.chat.title
    elif isinstance(forward, MessageOriginChat):
        origin = forward.sender_chat.title
    photo = message.photo[-1].file_id if message.photo else None
    if message.text is not None:
        kind = "text"
    elif photo is not None:
        kind = "photo"
    elif message.voice or message.audio or message.video_note:
        kind = "voice"
    elif message.document:
        kind = "document"
    elif message.sticker:
        kind = "sticker"
    elif message.location or message.venue:
        kind = "location"
    else:
        kind = "other"
    return Incoming(
        text=message.text if message.text is not None else message.caption,
        forwarded=forward is not None,
        origin=origin,
        photo=photo,
        kind=kind,
    )


async def incoming(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    reply = await context.bot_data.core.keyfigures.incoming(who(update), incoming_of(message))
    await _answer(update, context, reply)


async def weekly(context: BotContext) -> None:
    """Hourly: the weekly list of new offers goes out once its moment of the week has passed."""
    sent = await context.bot_data.core.keyfigures.send_weekly_due()
    if sent:
        log.info("weekly list of new offers sent to %d key figures", sent)


HANDLERS = [
    CommandHandler("start", start, filters=PRIVATE),
    CommandHandler("vergeet", forget, filters=PRIVATE),
    CommandHandler(list(COMMANDS), command, filters=PRIVATE),
    MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.UpdateType.EDITED & ~filters.StatusUpdate.ALL, incoming),
]
