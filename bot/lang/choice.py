"""Which language the bot speaks with a person: one field of their row in `people` (migration 0012).

In order: what they chose with /taal or the language button; else the language of a question they
clearly wrote in another language (bot/lang/detect.py: a few Dutch words a newcomer mixes in never
switch); else what Telegram said their app speaks at first contact (`language_code`); else Dutch.
Whatever was decided is kept in the row, so a reminder sent days later speaks the same language.
/vergeet deletes the row and with it the language; the copy kept in memory (so that a message needs
no database read) is dropped then too, as this class listens to People.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

from bot.lang.detect import detect
from bot.lang.languages import DUTCH, LANGUAGES, supported
from bot.lang.speaking import speaking
from bot.platform.db import Database

MAX_REMEMBERED = 100_000  # people whose language is kept in memory; beyond that it is read again


class ForSomeone(Protocol):
    """Something to send to a person later (an outbox row: bot/reminders/outbox.py)."""

    @property
    def user_id(self) -> int: ...


Row = TypeVar("Row", bound=ForSomeone)
Made = TypeVar("Made")


class Speaker(Protocol):
    """Who is talking, as far as the language is concerned (bot.chat.conversation.Who)."""

    @property
    def user_id(self) -> int: ...

    @property
    def language_code(self) -> str | None: ...


class Languages:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._known: OrderedDict[int, str] = OrderedDict()  # user id -> language, as stored

    async def stored(self, user_id: int) -> str | None:
        """The language kept for this person, or None (a person not seen yet, or nothing known)."""
        if user_id in self._known:
            self._known.move_to_end(user_id)
            return self._known[user_id]
        lang = await self.db.fetchval("SELECT lang FROM people WHERE user_id = ?", (user_id,))
        if lang in LANGUAGES:
            self._remember(user_id, lang)
            return str(lang)
        return None

    async def of(self, who: Speaker) -> str:
        """The language to answer this person in; at first contact Telegram's language, which is then kept."""
        lang = await self.stored(who.user_id)
        if lang is not None:
            return lang
        hinted = supported(who.language_code)
        if hinted is not None and hinted != DUTCH:
            await self.choose(who.user_id, hinted)
            return hinted
        return DUTCH

    async def for_question(self, who: Speaker, text: str) -> str:
        """The language to answer a question in: the person's, or the one the question is clearly written in
        (which then becomes theirs)."""
        current = await self.of(who)
        found = detect(text, current=current)
        if found.clear and found.lang != current:
            await self.choose(who.user_id, found.lang)
            return found.lang
        return current

    async def choose(self, user_id: int, lang: str) -> bool:
        """Keep `lang` as the person's language; False when the person has no row (not seen yet)."""
        if lang not in LANGUAGES:
            raise ValueError(f"not a language of the bot: {lang!r}")
        changed = await self.db.execute("UPDATE people SET lang = ? WHERE user_id = ?", (lang, user_id))
        if changed:
            self._remember(user_id, lang)
        return bool(changed)

    @contextlib.asynccontextmanager
    async def speaking_to(self, who: Speaker) -> AsyncIterator[str]:
        """Answer `who` in their language within this block."""
        with speaking(await self.of(who)) as lang:
            yield lang

    def in_recipients_language(
        self, render: Callable[[Row, dt.datetime], Awaitable[Made]]
    ) -> Callable[[Row, dt.datetime], Awaitable[Made]]:
        """A renderer of messages sent later (reminders) that writes each in its recipient's language."""

        async def rendered(row: Row, now: dt.datetime) -> Made:
            with speaking(await self.stored(row.user_id) or DUTCH):
                return await render(row, now)

        return rendered

    def _remember(self, user_id: int, lang: str) -> None:
        self._known[user_id] = lang
        self._known.move_to_end(user_id)
        while len(self._known) > MAX_REMEMBERED:
            self._known.popitem(last=False)

    # --- PeopleObserver: forget the copy in memory with the person ---------------------------

    async def person_seen(self, user_id: int, *, first_seen: str, previous_seen: str | None) -> None:
        return None

    async def person_forgotten(self, user_id: int) -> None:
        self._known.pop(user_id, None)
