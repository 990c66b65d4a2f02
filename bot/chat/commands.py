"""The one list of the commands people type (/start, /weekoverzicht, ...), and what each one answers.

Telegram and the terminal chat both read this list, so they cannot drift apart: the command menu in
Telegram (with the descriptions `commands.<name>` of data/texts.nl.toml), the Telegram handlers, the
pointer the bot gives when one of these is typed in a group (handlers/commands.py) and the terminal
chat (bot/chat/terminal.py). The list lives in the core because the terminal chat is in the core and
the core imports nothing of the Telegram side.

What each command does is given by bot/core.py (`PeopleCommands(runners)`), as the answers come from
several features (the conversation, the weekly overview of the reminders). The commands of key figures
and coordinators (/nieuw, /nakijken, ...) are theirs: bot/keyfigures.COMMANDS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.chat.conversation import Who
from bot.chat.replies import Reply
from bot.lang.choice import Languages

Run = Callable[[Who, str | None], Awaitable[Reply]]  # (who, the text after the command) -> the answer


@dataclass(frozen=True)
class Command:
    name: str  # as typed, without the slash
    aliases: tuple[str, ...] = ()  # other names that do the same (/help for /hulp)
    menu: bool = True  # in Telegram's command menu, described by texts `commands.<name>`
    in_group: bool = True  # typed in a group, it gets the pointer to the private chat

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


COMMANDS: tuple[Command, ...] = (
    Command("start"),
    Command("weekoverzicht"),
    Command("hulp", aliases=("help",)),
    # Every language's word for it works too: a newcomer looks for the language before anything else.
    Command("taal", aliases=("language", "langue", "lang", "mova", "dil", "yazyk", "lugha")),
    Command("privacy"),
    Command("vergeet"),
    Command("stop"),
    # A coordinator needs their Telegram id to put it in config.toml as admin: not in the menu.
    Command("mijnid", menu=False, in_group=False),
)
MENU: tuple[str, ...] = tuple(c.name for c in COMMANDS if c.menu)
IN_GROUP: tuple[str, ...] = tuple(name for c in COMMANDS if c.in_group for name in c.names)


def find(typed: str) -> Command | None:
    """The command a typed name (any case, with or without '/' and '@botname') stands for, or None."""
    name = typed.strip().lstrip("/").split("@")[0].lower()
    return next((c for c in COMMANDS if name in c.names), None)


class PeopleCommands:
    """What each command of COMMANDS answers; every command must have its runner (checked at start)."""

    def __init__(
        self,
        runners: Mapping[str, Run],
        *,
        unknown: Callable[[Who], Awaitable[Reply]],
        languages: Languages | None = None,
    ) -> None:
        missing = {c.name for c in COMMANDS} - set(runners)
        if missing:
            raise ValueError(f"commands without an answer: {sorted(missing)}")
        self._runners = dict(runners)
        self._unknown = unknown
        self._languages = languages  # every command answers in the person's language (bot/lang)

    async def run(self, typed: str, who: Who, payload: str | None = None) -> Reply:
        """The answer to a typed command; one the bot does not know gets the menu."""
        if self._languages is None:
            return await self._answer(typed, who, payload)
        async with self._languages.speaking_to(who):
            return await self._answer(typed, who, payload)

    async def _answer(self, typed: str, who: Who, payload: str | None) -> Reply:
        command = find(typed)
        if command is None:
            return await self._unknown(who)
        return await self._runners[command.name](who, payload)
