"""The people who talk to the bot, stored as little as possible: a chat id, two dates and a language.

/vergeet deletes the person's row; every table holding something of that person references it
with ON DELETE CASCADE, so nothing is left behind. /stop and a blocked bot only set a date, so
nothing unasked is sent any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.platform.calendar import Clock
from bot.platform.db import Database

MAX_NOTED = 100_000  # people remembered as noted today; beyond that they are simply noted again


@dataclass(frozen=True)
class Person:
    user_id: int
    chat_id: int
    first_seen: str
    last_seen: str
    stopped_at: str | None
    blocked_at: str | None
    lang: str | None = None  # the language the bot speaks with them (bot/lang); None: Dutch, nothing known

    @property
    def reachable(self) -> bool:
        """Whether the bot may send this person something they did not just ask for."""
        return self.stopped_at is None and self.blocked_at is None


class PeopleObserver(Protocol):
    """Told when a person shows up or is forgotten (the anonymous counts of bot.insights listen)."""

    async def person_seen(self, user_id: int, *, first_seen: str, previous_seen: str | None) -> None: ...

    async def person_forgotten(self, user_id: int) -> None: ...


class People:
    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo, observers: Sequence[PeopleObserver] = ()) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.observers: tuple[PeopleObserver, ...] = tuple(observers)  # the anonymous question log
        # Who was already noted today (user id -> chat id), reachable: their next message needs no
        # database work at all. Only this class writes the people table, so it knows when this changes.
        self._noted: dict[int, int] = {}
        self._noted_day = ""

    def _today(self) -> str:
        return self.clock.now().astimezone(self.tz).date().isoformat()

    def _now(self) -> str:
        return self.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")

    async def seen(self, user_id: int, chat_id: int) -> bool:
        """Note that the person wrote; returns True the first time. Writing again undoes /stop and a block."""
        today = self._today()
        if today != self._noted_day:
            self._noted, self._noted_day = {}, today
        if self._noted.get(user_id) == chat_id:
            return False
        before = None
        if self.observers:
            before = await self.db.fetchone("SELECT first_seen, last_seen FROM people WHERE user_id = ?", (user_id,))
        changed = await self.db.execute(
            """INSERT INTO people (user_id, chat_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id) DO NOTHING""",
            (user_id, chat_id, today, today),
        )
        if not changed:
            await self.db.execute(
                """UPDATE people SET chat_id = ?, last_seen = ?, stopped_at = NULL, blocked_at = NULL
                   WHERE user_id = ? AND (last_seen != ? OR chat_id != ? OR stopped_at IS NOT NULL
                   OR blocked_at IS NOT NULL)""",
                (chat_id, today, user_id, today, chat_id),
            )
        for observer in self.observers:
            await observer.person_seen(
                user_id,
                first_seen=before["first_seen"] if before else today,
                previous_seen=before["last_seen"] if before else None,
            )
        if len(self._noted) < MAX_NOTED:
            self._noted[user_id] = chat_id
        return bool(changed)

    async def get(self, user_id: int) -> Person | None:
        row = await self.db.fetchone("SELECT * FROM people WHERE user_id = ?", (user_id,))
        return None if row is None else Person(**dict(row))

    async def stop(self, user_id: int) -> None:
        """/stop: nothing unasked is sent any more (reminders included) until the person writes again."""
        await self.db.execute("UPDATE people SET stopped_at = ? WHERE user_id = ?", (self._now(), user_id))
        self._noted.pop(user_id, None)  # after the write: a message that raced it is noted again

    async def blocked(self, user_id: int) -> None:
        """Telegram said the person blocked the bot."""
        await self.db.execute("UPDATE people SET blocked_at = ? WHERE user_id = ?", (self._now(), user_id))
        self._noted.pop(user_id, None)

    async def forget(self, user_id: int) -> bool:
        """/vergeet: remove the person and, through the cascades, everything of theirs.

        Observers unlink what they keep without a reference to the person (bot.insights)."""
        removed = bool(await self.db.execute("DELETE FROM people WHERE user_id = ?", (user_id,)))
        self._noted.pop(user_id, None)
        for observer in self.observers:
            await observer.person_forgotten(user_id)
        return removed
