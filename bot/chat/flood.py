"""Flood protection per person: one person sending very many messages must not slow the bot down for others.

Within any minute a person gets answers to their first `limit` messages and button presses that ask
something of the bot. Over the limit:
- a **message** (a question, a command, a paste) gets one honest "even geduld" that promises an answer to
  the last one; the newest message over the limit is kept (`hold`) and answered as soon as the pause is
  over (`release`, called by a job at the moment `hold` returned). The ones in between get no answer.
- a **button press** gets one short "even geduld, druk over een minuut opnieuw"; it is not kept.
- After that, the rest of the pause costs a dictionary look-up and no Bot API call at all.

Browsing (paging, Meer info, the menu: buttons that only show what is there, `Kind.BROWSE`) is not a
flood: it has its own, larger budget (`BROWSE_FACTOR` times the limit), so a person reading through
lists never loses a question to it, while a script pressing them still cannot take the bot.

Dropped messages do not count, so a person who keeps sending is still answered `limit` times a minute.
Only counts live in memory, and for a person over the limit their last held message (at most a minute,
never written or logged); people idle for a minute are forgotten.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from bot.platform.calendar import Clock

WINDOW = dt.timedelta(minutes=1)
BROWSE_FACTOR = 3  # browsing presses a minute allowed, per message allowed


class Kind(enum.Enum):
    MESSAGE = "message"  # over the limit the last one is kept and answered when the pause is over
    PRESS = "press"  # a button that asks something of the bot: over the limit, press again later
    BROWSE = "browse"  # paging, Meer info, the menu: a budget of its own


class Verdict(enum.Enum):
    ANSWER = "answer"
    SLOW_DOWN = "slow_down"  # the first one over the limit (per kind): tell the person, once
    DROP = "drop"  # over the limit and already told: no answer now


@dataclass
class _Bucket:
    times: deque[dt.datetime] = field(default_factory=deque)  # answered within the window
    told_until: dt.datetime | None = None  # "even geduld" was said; not again before this moment


@dataclass
class _Person:
    asks: _Bucket = field(default_factory=_Bucket)  # messages and presses that ask something
    browsing: _Bucket = field(default_factory=_Bucket)
    told_press_until: dt.datetime | None = None  # the press's "even geduld" has its own once
    held: object | None = None  # the last message over the limit, answered at `resume_at`
    resume_at: dt.datetime | None = None
    released: object | None = None  # handed back by `release`: let through once, already counted

    def busy(self, now: dt.datetime, window: dt.timedelta) -> bool:
        """Whether forgetting this person now would lose something: a recent answer, a pause, a held message."""
        if self.held is not None and self.resume_at is not None and now < self.resume_at + window:
            return True  # (a held message whose release never came is given up a minute later)
        for bucket in (self.asks, self.browsing):
            if bucket.times and now - bucket.times[-1] < window:
                return True
            if bucket.told_until is not None and now < bucket.told_until:
                return True
        return self.told_press_until is not None and now < self.told_press_until


class FloodGuard:
    def __init__(self, limit: int, clock: Clock, window: dt.timedelta = WINDOW) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.browse_limit = BROWSE_FACTOR * limit
        self.clock = clock
        self.window = window
        self._people: OrderedDict[int, _Person] = OrderedDict()  # least recently active first
        self.dropped = 0  # updates not answered since start (a held message that was answered later is not)

    def __len__(self) -> int:
        return len(self._people)

    def check(self, user_id: int, kind: Kind = Kind.MESSAGE, item: object | None = None) -> Verdict:
        """Count one message or press of this person and say whether to answer it now.

        `item` is what `release` handed back: it was counted then and goes through."""
        now = self.clock.now()
        self._forget_idle(now)
        person = self._people.get(user_id)
        if person is None:
            person = self._people[user_id] = _Person()
        self._people.move_to_end(user_id)
        if item is not None and item is person.released:
            person.released = None
            return Verdict.ANSWER
        browsing = kind is Kind.BROWSE
        bucket = person.browsing if browsing else person.asks
        times = bucket.times
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < (self.browse_limit if browsing else self.limit):
            times.append(now)
            return Verdict.ANSWER
        self.dropped += 1
        until = times[0] + self.window  # when the oldest answered one leaves the window
        if kind is Kind.PRESS:  # a press and a message share the budget, but each is told once
            if person.told_press_until is not None and now < person.told_press_until:
                return Verdict.DROP
            person.told_press_until = until
            return Verdict.SLOW_DOWN
        if bucket.told_until is not None and now < bucket.told_until:
            return Verdict.DROP
        bucket.told_until = until
        return Verdict.SLOW_DOWN

    def hold(self, user_id: int, item: object) -> dt.datetime | None:
        """Keep the person's newest message over the limit (replacing an older one) to answer it later.

        Returns when to `release` it the first time something is held in this pause (the caller then
        schedules that), None when an older held message was replaced (its release is scheduled)."""
        person = self._people.get(user_id)
        if person is None or not person.asks.times:
            return None  # not over the limit: nothing to wait for
        person.held = item
        if person.resume_at is not None:
            return None
        person.resume_at = person.asks.times[0] + self.window
        return person.resume_at

    def release(self, user_id: int) -> object | None:
        """The pause is over: the held message, counted as answered now, or None when there is none.

        `check` lets exactly that item through once, without counting it again."""
        person = self._people.get(user_id)
        if person is None or person.held is None:
            return None
        item, person.held, person.resume_at = person.held, None, None
        person.released = item
        person.asks.times.append(self.clock.now())
        self.dropped -= 1
        return item

    def _forget_idle(self, now: dt.datetime) -> None:
        """Drop people whose last message is older than the window: memory stays bounded by who is active."""
        while self._people:
            user_id, person = next(iter(self._people.items()))
            if person.busy(now, self.window):
                return
            del self._people[user_id]
