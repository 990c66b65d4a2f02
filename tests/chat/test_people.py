"""People: noted once a day without database work after the first message, and every change still counts."""

from __future__ import annotations

import datetime as dt

from bot.chat.people import People
from bot.platform.calendar import ManualClock
from bot.platform.db import Database
from tests.helpers import TZ, brussels


async def people_on(tmp_path) -> tuple[People, ManualClock, Database]:
    db = await Database.open(tmp_path / "people.sqlite3")
    clock = ManualClock(brussels(2027, 1, 13, 10, 0))
    return People(db, clock, TZ), clock, db


async def test_the_first_message_of_a_day_is_noted_the_next_ones_change_nothing(tmp_path):
    people, clock, db = await people_on(tmp_path)
    try:
        assert await people.seen(1, 1) is True
        assert await people.seen(1, 1) is False
        await db.execute("UPDATE people SET last_seen = '2000-01-01' WHERE user_id = 1")  # a marker
        assert await people.seen(1, 1) is False
        assert (await people.get(1)).last_seen == "2000-01-01", "the same day: no database work"
        clock.advance(dt.timedelta(days=1))
        await people.seen(1, 1)
        assert (await people.get(1)).last_seen == "2027-01-14", "a new day is noted"
        await people.seen(1, 77)
        assert (await people.get(1)).chat_id == 77, "another chat is noted at once"
    finally:
        await db.close()


async def test_stop_block_and_forget_are_undone_or_seen_by_the_next_message(tmp_path):
    people, _, db = await people_on(tmp_path)
    try:
        await people.seen(2, 2)
        await people.stop(2)
        assert not (await people.get(2)).reachable
        await people.seen(2, 2)
        assert (await people.get(2)).reachable, "writing again undoes /stop"
        await people.blocked(2)
        await people.seen(2, 2)
        assert (await people.get(2)).reachable, "and a block"
        await people.forget(2)
        assert await people.seen(2, 2) is True, "after /vergeet a message makes a new person"
        assert await people.get(2) is not None
    finally:
        await db.close()
