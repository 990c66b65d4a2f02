"""The conversation in a terminal: the same answers as on Telegram, buttons as numbers.

Useful without a Telegram token (try the bot on the sample data) and to check a change to the
texts or the word list in a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.chat.commands import PeopleCommands
from bot.chat.conversation import Conversation, Who
from bot.chat.replies import Reply, to_plain
from bot.lang.speaking import speaking
from bot.platform.texts import Texts

EXIT_WORDS = {"stoppen", "exit", "quit", "q"}
TERMINAL_USER = Who(user_id=0, chat_id=0, first_name=None)


def render(reply: Reply) -> tuple[str, dict[str, str]]:
    """The reply as plain text with numbered buttons, and what each number does."""
    out: list[str] = []
    actions: dict[str, str] = {}
    for message in reply.messages:
        out.append(message.plain)
        if message.document is not None:
            out.append(f"   ({message.document.filename}, {len(message.document.data)} bytes)")
        labels = []
        for row in message.buttons:
            for button in row:
                if button.url:
                    labels.append(f"{button.text}: {button.url}")
                else:
                    number = str(len(actions) + 1)
                    actions[number] = button.action or ""
                    labels.append(f"[{number}] {button.text}")
        if labels:
            out.append("   " + "   ".join(labels))
        out.append("")
    return "\n".join(out), actions


async def chat(
    conversation: Conversation,
    commands: PeopleCommands,
    texts: Texts,
    *,
    read: Callable[[str], str] = input,
    write: Callable[[str], object] = print,
    lang: str | None = None,
) -> None:
    """Talk until the person types an exit word or closes the input (Ctrl-D). `lang`: speak this language
    (as if chosen with /taal); without it the language of the questions decides, as on Telegram."""
    if lang is not None:
        await conversation.people.seen(TERMINAL_USER.user_id, TERMINAL_USER.chat_id)
        await conversation.languages.choose(TERMINAL_USER.user_id, lang)
    with speaking(lang):
        write(to_plain(texts("terminal.intro")))
    reply = await conversation.start(TERMINAL_USER)
    while True:
        text, actions = render(reply)
        write(text)
        try:
            async with conversation.languages.speaking_to(TERMINAL_USER):
                prompt = texts.label("terminal.prompt")
            line = await asyncio.to_thread(read, prompt)
        except (EOFError, KeyboardInterrupt):
            break
        line = line.strip()
        if line.lower() in EXIT_WORDS:
            break
        if line in actions:
            reply = await conversation.act(TERMINAL_USER, actions[line])
        elif line.startswith("/"):
            typed, _, payload = line.partition(" ")
            reply = await commands.run(typed, TERMINAL_USER, payload.strip() or None)
        else:
            reply = await conversation.ask(TERMINAL_USER, line)
    async with conversation.languages.speaking_to(TERMINAL_USER):
        write(to_plain(texts("terminal.bye")))
