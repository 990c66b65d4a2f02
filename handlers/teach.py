"""/leren: coordinators teach the bot from the questions it could not answer (the flow is bot/teach/flow.py).

The buttons ('le:...') go through the conversation like every button. What a coordinator types while the
flow waits for it (offer search words, a referral, a note) is caught here, in a group before the key
figures' and people's handlers; every other message falls through to them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from handlers.context import BotContext
from handlers.people import PRIVATE, who
from handlers.render import send_reply

GROUP = -3  # before handlers/keyfigures.py (-2, -1) and handlers/people.py (0)


async def learn(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.teach_desk.command(who(update).user_id)
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]
    raise ApplicationHandlerStop


async def typed(update: Update, context: BotContext) -> None:
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    reply = await context.bot_data.core.teach_desk.incoming_text(who(update).user_id, text)
    if reply is None:
        return  # not waited for: a question like anyone's
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]
    raise ApplicationHandlerStop


HANDLERS = [
    CommandHandler("leren", learn, filters=PRIVATE),
    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, typed),
]
