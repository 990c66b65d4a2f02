"""The people's commands on Telegram, all from the one list in bot/chat/commands.py: their handlers, the
command menu (described in each language the bot speaks: Telegram shows a person the descriptions in their
app's language, Dutch to everyone else) and the pointer when one is typed in a group."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, filters

from bot.chat.commands import COMMANDS, IN_GROUP, MENU
from bot.lang.languages import DUTCH, LANGUAGES
from bot.lang.speaking import speaking
from handlers.context import PRIVATE, BotContext, who
from handlers.render import send_reply


async def command(update: Update, context: BotContext) -> None:
    """Any command of the list in a private chat: the core's answer (/start with its deep link payload)."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    typed = (message.text or "").split()[0]
    payload = context.args[0] if context.args else None
    reply = await context.bot_data.core.commands.run(typed, who(update), payload)
    await send_reply(context.bot, chat.id, reply)


async def in_group(update: Update, context: BotContext) -> None:
    """One of our commands in a group: the bot only talks one to one, so it says where to find it."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(str(context.bot_data.core.texts("media.group")), parse_mode=ParseMode.HTML)


async def register_menu(app: Application) -> None:
    """The command menu in Telegram: Dutch for everyone, and each other language for apps set to it."""
    texts = app.bot_data.core.texts
    for lang in LANGUAGES:
        with speaking(lang):
            menu = [BotCommand(c, texts.label(f"commands.{c}")) for c in MENU]
        await app.bot.set_my_commands(menu, language_code=None if lang == DUTCH else lang)


PRIVATE_HANDLERS = [CommandHandler([name for c in COMMANDS for name in c.names], command, filters=PRIVATE)]
GROUP_HANDLERS = [CommandHandler(list(IN_GROUP), in_group, filters=~PRIVATE & ~filters.UpdateType.EDITED)]
