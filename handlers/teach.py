"""/leren: coordinators teach the bot from the questions it could not answer (the flow is bot/teach/flow.py).

The buttons ('t1:...', bot/teach/actions.py) go through the conversation like every button. What a
coordinator types while the flow waits for it (offer search words, a referral, a note) is caught here, in a
group before the key figures' (handlers/keyfigures.py, whose catch-all takes every private message it can
use: a paste, a field answer) and the people's handlers; every other message falls through to them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from handlers.context import PRIVATE, BotContext, chat_id, message_text, who
from handlers.render import send_reply

GROUP = -2  # after handlers/guard.py (-10), before handlers/keyfigures.py (-1) and handlers/people.py (0)


async def learn(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.teach_desk.command(who(update).user_id)
    await send_reply(context.bot, chat_id(update), reply)
    raise ApplicationHandlerStop


async def typed(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.teach_desk.incoming_text(who(update).user_id, message_text(update))
    if reply is None:
        return  # not waited for: the key figures' handlers or a question like anyone's
    await send_reply(context.bot, chat_id(update), reply)
    raise ApplicationHandlerStop


HANDLERS = [
    CommandHandler("leren", learn, filters=PRIVATE),
    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, typed),
]
