"""Flood protection per person: one person sending very many messages must not slow the bot down for others.

Within any minute a person gets answers to their first `limit` messages and button presses. The next one
gets a single polite "even geduld"; the rest of that minute is dropped without an answer, at the cost
of a dictionary look-up. Dropped messages do not count, so a person who keeps sending is still answered
`limit` times a minute. Only counts live in memory, never what was sent; people idle for a minute are
forgotten.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from bot.platform.calendar import Clock

WINDOW = dt.timedelta(minutes=1)


class Verdict(enum.Enum):
    ANSWER = "answer"
    SLOW_DOWN = "slow_down"  # the first one over the limit: tell the person, once
    DROP = "drop"  # over the limit and already told: no answer at all


@dataclass
class _Person:
    times: deque[dt.datetime] = field(default_factory=deque)  # answered messages within the window
    told_until: dt.datetime | None = None  # "even geduld" was said; not again before this moment


class FloodGuard:
    def __init__(self, limit: int, clock: Clock, window: dt.timedelta = WINDOW) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.clock = clock
        self.window = window
        self._people: OrderedDict[int, _Person] = OrderedDict()  # least recently active first
        self.dropped = 0  # messages not answered since start (for logs and tests)

    def __len__(self) -> int:
        return len(self._people)

    def check(self, user_id: int) -> Verdict:
        """Count one message of this person and say whether to answer it."""
        now = self.clock.now()
        self._forget_idle(now)
        person = self._people.get(user_id)
        if person is None:
            person = self._people[user_id] = _Person()
        self._people.move_to_end(user_id)
        times = person.times
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return Verdict.ANSWER
        self.dropped += 1
        if person.told_until is not None and now < person.told_until:
            return Verdict.DROP
        person.told_until = times[0] + self.window  # when the oldest answered message leaves the window
        return Verdict.SLOW_DOWN

    def _forget_idle(self, now: dt.datetime) -> None:
        """Drop people whose last message is older than the window: memory stays bounded by who is active."""
        while self._people:
            user_id, person = next(iter(self._people.items()))
            last = person.times[-1] if person.times else None
            if last is not None and now - last < self.window:
                return
            if person.told_until is not None and now < person.told_until:
                return
            del self._people[user_id]
