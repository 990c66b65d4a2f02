"""Everything that is not a text question: photos, voice, stickers, locations, files, edits, groups.

Each gets a short friendly answer that says what the bot can do; nothing here is stored.
(Key figures' forwarded photos are handled by their own handlers, registered before these.)

Ignored on purpose: edits of anything but a text question (a caption, a command), and every message
in a group except our commands (the bot talks to one person at a time; in a group it would read
along with others). When the bot is added to a group it says so once. When a person blocks the bot,
Telegram tells us (my_chat_member) and nothing unasked is sent to them any more.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import ChatMember, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from handlers.context import PRIVATE, BotContext, chat_id, who
from handlers.people import question
from handlers.render import send_reply

KINDS = (
    (filters.PHOTO, "photo"),
    (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE, "voice"),
    (filters.Sticker.ALL, "sticker"),
    (filters.LOCATION | filters.VENUE, "location"),
    (filters.Document.ALL, "document"),
)


def _pointer(kind: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A handler for one kind of message that is not a question: the core's pointer, with the menu."""

    async def answer(update: Update, context: BotContext) -> None:
        reply = await context.bot_data.core.conversation.media(who(update), kind)
        await send_reply(context.bot, chat_id(update), reply)

    return answer


async def edited(update: Update, context: BotContext) -> None:
    """An edited question is asked again: people fix a typo and expect a new answer."""
    if update.edited_message and update.edited_message.text:
        await question(update, context)


async def unknown_command(update: Update, context: BotContext) -> None:
    reply = await context.bot_data.core.conversation.menu(who(update))
    await send_reply(context.bot, chat_id(update), reply)


async def membership(update: Update, context: BotContext) -> None:
    """The bot's own membership changed: blocked in a private chat, or added to a group."""
    change = update.my_chat_member
    assert change is not None
    status = change.new_chat_member.status
    if change.chat.type == ChatType.PRIVATE:
        if status == ChatMember.BANNED:  # the person blocked the bot; writing again undoes it (People.seen)
            await context.bot_data.core.people.blocked(change.from_user.id)
        return
    if status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR) and change.old_chat_member.status in (
        ChatMember.LEFT,
        ChatMember.BANNED,
    ):
        text = context.bot_data.core.texts("media.group")
        await context.bot.send_message(change.chat.id, str(text), parse_mode=ParseMode.HTML)


HANDLERS = [
    *(MessageHandler(PRIVATE & kind & ~filters.UpdateType.EDITED, _pointer(name)) for kind, name in KINDS),
    MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND, edited),
    MessageHandler(PRIVATE & filters.COMMAND & ~filters.UpdateType.EDITED, unknown_command),
    # Any other message (video, contact, poll, ...); service messages (a pinned message) need no answer.
    MessageHandler(PRIVATE & ~filters.UpdateType.EDITED & ~filters.StatusUpdate.ALL, _pointer("other")),
    ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER),
]
