"""Free text of people looking for something: questions in their own words, and button presses.
(Their commands are in handlers/commands.py.)"""

from __future__ import annotations

from telegram import Message as TelegramMessage
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.context import PRIVATE, BotContext, chat_id, message_text, who
from handlers.render import send_reply


async def question(update: Update, context: BotContext) -> None:
    text = message_text(update)
    reply = await context.bot_data.core.conversation.ask(who(update), text)
    await send_reply(context.bot, chat_id(update), reply)


async def button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        # Buttons only live in private chats; one from elsewhere (an inline message, a forged update)
        # gets the spinner stopped and nothing else.
        await query.answer()
        return
    reply = await context.bot_data.core.conversation.act(who(update), query.data or "")
    await query.answer(reply.notice)
    pressed = query.message if isinstance(query.message, TelegramMessage) else None  # None: too old to edit
    await send_reply(context.bot, chat.id, reply, pressed=pressed, pressed_data=query.data)


HANDLERS = [
    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, question),
    CallbackQueryHandler(button),
]
