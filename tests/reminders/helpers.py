"""Building blocks for the reminder tests: offers, a far side that records what people received,
and senders that fail or die on purpose."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.chat.replies import Message
from bot.core import Core, open_core
from bot.offers.model import Offer
from bot.offers.store import StoredOffer
from bot.platform.calendar import ManualClock
from bot.platform.config import Settings


class SimulatedCrash(BaseException):
    """The process dies here (BaseException: no `except Exception` in the bot may swallow it)."""


def activity(offer_id: str, start: str, end: str | None = None, rrule: str | None = None, **extra: object) -> Offer:
    """A dated activity with a place and a price, like the ones people get reminded of."""
    begin = dt.datetime.fromisoformat(start)
    when: dict[str, object] = {"start": start, "end": end or (begin + dt.timedelta(hours=2)).isoformat()[:16]}
    if rrule:
        when["rrule"] = rrule
    return Offer.from_dict(
        {
            "id": offer_id,
            "kind": "activity",
            "title": f"Activiteit {offer_id}",
            "location": {"name": "Sporthal De Kimpel", "address": "Kimpelstraat 1, 3740 Bilzen"},
            "price": {"regular": 5, "reduced": 1},
            "transport": "Bus 20A tot halte Kimpel",
            "when": when,
            **extra,
        }
    )


@dataclass
class FarSide:
    """What Telegram delivered, per chat. It survives a crash of the bot, like real chats do."""

    received: list[tuple[int, str]] = field(default_factory=list)
    next_id: int = 1

    def per_chat(self) -> Counter[int]:
        return Counter(chat for chat, _ in self.received)

    def texts(self, chat: int) -> list[str]:
        return [text for c, text in self.received if c == chat]


class FakeSender:
    """The sending protocol without Telegram: delivers to a FarSide, fails or dies on purpose.

    `errors`: exceptions raised by the first calls, in order (None = deliver normally).
    `die_after_delivering`: the process dies right after Telegram accepted that many messages
    (before the bot can mark the last one: the worst moment). `die_before_sending`: dies on call
    number N before anything is delivered.
    """

    def __init__(
        self,
        far: FarSide,
        *,
        errors: list[Exception | None] | None = None,
        die_after_delivering: int | None = None,
        die_before_sending: int | None = None,
    ) -> None:
        self.far = far
        self.errors = list(errors or [])
        self.die_after_delivering = die_after_delivering
        self.die_before_sending = die_before_sending
        self.calls = 0
        self.delivered = 0
        self.wakes: list[float] = []

    username: str | None = None  # the Messenger protocol (bot/chat/messenger.py)

    def wake_in(self, seconds: float) -> None:
        self.wakes.append(seconds)

    async def send(self, chat_id: int, message: Message) -> int:
        self.calls += 1
        if self.die_before_sending is not None and self.calls >= self.die_before_sending:
            raise SimulatedCrash
        if self.errors:
            error = self.errors.pop(0)
            if error is not None:
                raise error
        self.far.received.append((chat_id, message.plain))
        self.delivered += 1
        message_id = self.far.next_id
        self.far.next_id += 1
        if self.die_after_delivering is not None and self.delivered >= self.die_after_delivering:
            raise SimulatedCrash
        return message_id


async def open_test_core(settings: Settings, clock: ManualClock, sender: FakeSender | None = None) -> Core:
    """A core whose messenger is `sender` (None: no messenger, as in the terminal)."""
    return await open_core(settings, clock=clock, load_sample=False, messenger=sender)


async def crash(core: Core) -> None:
    """The process died: nothing of the bot runs any more. Only the connection is closed (the
    operating system does that too); no bot code gets to clean up or mark anything."""
    core.search.close()
    await core.db.close()


async def save(core: Core, offer: Offer, status: str = "published") -> StoredOffer:
    return await core.offers.save(offer, source="test", actor="test", status=status)


async def people(core: Core, *user_ids: int) -> None:
    for user_id in user_ids:
        await core.people.seen(user_id, user_id)


def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"
