"""Commands and free text of people looking for something: /start, /hulp, /privacy, /vergeet, /stop,
questions in their own words, and button presses."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat.conversation import Who
from handlers.context import BotContext
from handlers.render import send_reply

PRIVATE = filters.ChatType.PRIVATE


def who(update: Update) -> Who:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    return Who(user_id=user.id, chat_id=chat.id, first_name=user.first_name)


async def start(update: Update, context: BotContext) -> None:
    payload = context.args[0] if context.args else None
    reply = await context.bot_data.core.conversation.start(who(update), payload)
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


async def help_command(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.conversation.help(who(update))
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


async def privacy(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.conversation.privacy(who(update))
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


async def forget(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.conversation.forget(who(update))
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


async def stop(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.conversation.stop(who(update))
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


async def my_id(update: Update, context: BotContext) -> None:
    """/mijnid: a coordinator needs their Telegram id to put it in config.toml as admin."""
    user = who(update)
    await update.effective_message.reply_text(str(user.user_id))  # type: ignore[union-attr]


async def question(update: Update, context: BotContext) -> None:
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    reply = await context.bot_data.core.conversation.ask(who(update), text)
    await send_reply(context.bot, update.effective_chat.id, reply)  # type: ignore[union-attr]


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
    pressed = query.message if query.message is not None and query.message.is_accessible else None
    await send_reply(context.bot, chat.id, reply, pressed=pressed, pressed_data=query.data)  # type: ignore[arg-type]


HANDLERS = [
    CommandHandler("start", start, filters=PRIVATE),
    CommandHandler(["hulp", "help"], help_command, filters=PRIVATE),
    CommandHandler("privacy", privacy, filters=PRIVATE),
    CommandHandler("vergeet", forget, filters=PRIVATE),
    CommandHandler("stop", stop, filters=PRIVATE),
    CommandHandler("mijnid", my_id, filters=PRIVATE),
    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, question),
    CallbackQueryHandler(button),
]
