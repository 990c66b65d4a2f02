"""The fault matrix: what the bot does when the Telegram Bot API fails, fault by fault.

Each scenario runs the real bot (core on a SQLite file, PTB Application, long polling) against the fake
Bot API server and injects one fault, then records what happened: whether the person hit by the fault
got an answer, whether everyone else was still served (and how fast), whether the key figure's draft
survived, and whether the bot recovered by itself once the server was healthy again. tests/telegram/test_faults.py
asserts the outcomes; bench/fault_matrix.py prints them as a table. No pytest in here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.chat.conversation import Who
from bot.core import Core
from bot.keyfigures import Incoming
from handlers import render
from handlers.app import open_bot
from handlers.http import AiohttpRequest
from handlers.reminders import TICK_JOB
from tests import fakebotapi
from tests.fakebotapi import FakeBotApi, FakeUser
from tests.helpers import brussels, clock_at, make_settings
from tests.reminders.helpers import activity

ADMIN, VICTIM, OTHER = 900, 700, 801
SOUP = """Soepnamiddag in het Sociaal Huis!
Op woensdag 3 februari om 14u schenken we gratis soep en koffie.
Iedereen welkom in de cafetaria, Hospitaalstraat 2, 3740 Bilzen."""
READ_TIMEOUT = 0.5  # the bot's HTTP timeouts in these scenarios: a hang of 2 s is a timeout
HANG = 2.0

# fault name -> keyword arguments for FakeBotApi.faults.add
FAULTS: dict[str, dict[str, Any]] = {
    "429 retry_after": {"status": 429, "retry_after": 0.3},
    "500": {"status": 500},
    "502 (HTML)": {"status": 502},
    "hang": {"hang": HANG},
    "drop": {"drop": True},
    "403 (blocked)": {"status": 403},
}


@dataclass
class Outcome:
    fault: str
    scope: str
    hit_answered: bool = False  # the person (or everyone) hit by the fault got an answer during the fault
    others_served: bool | None = None
    others_seconds: float | None = None  # how long another person waited for an answer during the fault
    draft_kept: bool | None = None
    recovered: bool = False  # answered normally once the server was healthy, without a restart
    recovery_seconds: float | None = None  # from the end of the fault (or the question) to the first answer
    notes: list[str] = field(default_factory=list)
    log_lines: int = 0  # warnings and errors the bot logged

    def cells(self) -> list[str]:
        def yes(value: bool | None) -> str:
            return "-" if value is None else "yes" if value else "NO"

        others = yes(self.others_served)
        if self.others_seconds is not None:
            others += f" ({self.others_seconds:.2f} s)"
        recovered = yes(self.recovered)
        if self.recovery_seconds is not None:
            recovered += f" ({self.recovery_seconds:.2f} s)"
        return [self.fault, self.scope, yes(self.hit_answered), others, yes(self.draft_kept), recovered,
                str(self.log_lines), "; ".join(self.notes)]  # fmt: skip


HEADER = ["fault", "where", "answered during the fault", "others served", "draft kept", "recovered (first answer)",
          "log lines", "notes"]  # fmt: skip


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "handlers", "telegram")):
            self.count += 1


def production_builder(api: FakeBotApi, read_timeout: float) -> ApplicationBuilder:
    """The bot's own HTTP transport (handlers/http.py, as `application_builder` sets it) on the fake server,
    with a short read timeout: a hang of HANG seconds is a timeout."""

    def transport(pool: int) -> AiohttpRequest:
        return AiohttpRequest(pool, read_timeout=read_timeout, connect_timeout=read_timeout, pool_timeout=1.0)

    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .request(transport(256))
        .get_updates_request(transport(1))
    )


@contextlib.asynccontextmanager
async def running_bot(api: FakeBotApi, folder: Path) -> AsyncIterator[tuple[Core, Application]]:
    """The whole bot on a database in `folder`, with a registered key figure (VICTIM), polling `api`."""
    settings = make_settings(folder)
    settings = dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, admins=(ADMIN,)))
    app, core = await open_bot(settings, production_builder(api, READ_TIMEOUT), clock=clock_at(2027, 1, 13, 10, 0))
    try:
        who = Who(VICTIM, VICTIM)
        link, _ = await core.keyfigures.create_invite("test")
        await core.keyfigures.start(who, link.rsplit("=", 1)[-1])
        await core.keyfigures.incoming(who, Incoming("An Peeters"))
        await core.keyfigures.incoming(who, Incoming("CAW Limburg"))
        async with fakebotapi.running_app(app, poll_timeout=1):
            await asyncio.wait_for(core.reminders.started.wait(), 10)  # the reminder schedule is rebuilt
            yield core, app
    finally:
        await core.close()


async def _drafts(core: Core) -> list:
    return [s for s in await core.offers.select(statuses=("draft",)) if s.source.startswith("telegram:")]


def _first_answer(api: FakeBotApi, chat: int, since: float) -> float | None:
    """Seconds from `since` (time.monotonic) to the first message that reached the chat afterwards."""
    done = [c.done_at for c in api.calls if c.chat_id == chat and c.ok and c.method == "sendMessage" and c.at >= since]
    return min(done) - since if done else None  # type: ignore[type-var,operator]


async def _finish_draft(victim: FakeUser) -> bool:
    """After a fault: /nieuw shows the draft whose preview was lost; open it and confirm it."""
    (listing,) = await victim.send("/nieuw")
    buttons = [label for row in listing.button_texts for label in row]
    if not buttons:
        return False
    preview = (await victim.press(listing, buttons[0]))[-1]
    if "✅ Bevestig" not in [label for row in preview.button_texts for label in row]:
        return False
    done = await victim.press(preview, "✅ Bevestig")
    return any("coördinator" in (m.text or "") for m in done)


async def per_chat_fault(api: FakeBotApi, core: Core, name: str) -> Outcome:
    """One person's chat fails (every call for it) while they forward an offer; another person asks meanwhile."""
    outcome = Outcome(name, "one chat, until cleared")
    counter = _Count()
    logging.getLogger().addHandler(counter)
    try:
        victim, other = api.user(VICTIM, first_name="An"), api.user(OTHER)
        fault = api.faults.add(chat_id=VICTIM, times=None, **FAULTS[name])
        quiet = max(render.RETRY_DELAYS) + 0.5  # longer than the pause between two tries of one message
        forward = asyncio.create_task(victim.forward(SOUP, quiet=quiet, timeout=30, expect_reply=False))
        await api._wait_activity(0.2)
        asked = time.monotonic()
        answer = await other.send("zwemmen", timeout=15)
        outcome.others_seconds = _first_answer(api, OTHER, asked)
        outcome.others_served = any("Dit vond ik" in (m.text or "") for m in answer)
        during = await forward
        outcome.hit_answered = bool(during.new)
        outcome.draft_kept = len(await _drafts(core)) == 1
        api.faults.remove(fault)
        cleared = time.monotonic()
        try:
            if name == "403 (blocked)":
                outcome.notes.append(f"marked blocked: {(await core.people.get(VICTIM)).blocked_at is not None}")
            recovered = await _finish_draft(victim)
        except AssertionError as error:
            outcome.notes.append(str(error).splitlines()[0][:80])
            recovered = False
        outcome.recovered = recovered
        outcome.recovery_seconds = _first_answer(api, VICTIM, cleared) if recovered else None
        if recovered:
            pending = await core.offers.select(statuses=("pending",))
            outcome.notes.append(f"draft confirmed after recovery: {len(pending) == 1}")
    finally:
        logging.getLogger().removeHandler(counter)
    outcome.log_lines = counter.count
    return outcome


async def short_outage(api: FakeBotApi, core: Core, name: str, times: int = 2) -> Outcome:
    """Every call fails `times` times in a row (all chats), then the server is healthy: the retries carry the
    answer through."""
    outcome = Outcome(name, f"all chats, {times} calls")
    counter = _Count()
    logging.getLogger().addHandler(counter)
    try:
        person = api.user(OTHER)
        api.faults.add(times=times, **FAULTS[name])
        quiet = max(render.RETRY_DELAYS) + 0.5
        asked = time.monotonic()
        answer = await person.send("zwemmen", quiet=quiet, timeout=15)
        outcome.hit_answered = any("Dit vond ik" in (m.text or "") for m in answer)
        outcome.recovered = outcome.hit_answered
        outcome.recovery_seconds = _first_answer(api, OTHER, asked)
        outcome.notes.append(f"faults served: {sum(api.faults.served.values())}")
    finally:
        logging.getLogger().removeHandler(counter)
    outcome.log_lines = counter.count
    return outcome


async def polling_fault(api: FakeBotApi, core: Core, name: str, times: int = 1) -> Outcome:
    """getUpdates fails `times` times: messages sent meanwhile arrive once polling works again."""
    outcome = Outcome(name, f"getUpdates, {times} calls")
    counter = _Count()
    logging.getLogger().addHandler(counter)
    try:
        person = api.user(OTHER)
        kwargs = dict(FAULTS[name])
        if "hang" in kwargs:
            kwargs["hang"] = READ_TIMEOUT + 1 + 1  # past the poll timeout plus the read timeout
        fault = api.faults.add("getUpdates", times=times, **kwargs)
        await person.send("/hulp")  # the long poll waiting now ends with this; the next ones fail
        asked = time.monotonic()
        answer = await person.send("zwemmen", quiet=0.6, timeout=30)
        outcome.hit_answered = any("Dit vond ik" in (m.text or "") for m in answer)
        outcome.recovered = outcome.hit_answered and fault.served == times
        outcome.recovery_seconds = _first_answer(api, OTHER, asked)
    finally:
        logging.getLogger().removeHandler(counter)
    outcome.log_lines = counter.count
    return outcome


BATCH = 20  # people with a reminder due at the same moment
BATCH_FIRST = 2001  # their user ids: BATCH_FIRST, BATCH_FIRST + 1, ...
REMINDER = "⏰ Herinnering"


async def _tick(app: Application) -> None:
    """What APScheduler does every minute: wake the sender, which sends what is due at the clock's time."""
    (job,) = app.job_queue.get_jobs_by_name(TICK_JOB)
    await job.run(app)


async def reminder_batch(api: FakeBotApi, core: Core, app: Application, name: str) -> Outcome:
    """A batch of reminders goes out while the API fails: the first three sends (429: the first, three times;
    403: one person blocked the bot). Meanwhile someone asks a question. Then the clock moves on (past the
    sender's backoff) and the rest goes out: no reminder lost, none sent twice."""
    outcome = Outcome(name, f"reminder batch of {BATCH}")
    counter = _Count()
    logging.getLogger().addHandler(counter)
    try:
        stored = await core.offers.save(activity("batch", "2027-01-20T14:00"), source="t", actor="t",
                                        status="published")  # fmt: skip
        people = list(range(BATCH_FIRST, BATCH_FIRST + BATCH))
        for user_id in people:
            await core.people.seen(user_id, user_id)
            await core.reminders.subscribe(user_id, stored.pk, day_before=True, hours_before=False, every_time=False)
        blocked = name == "403 (blocked)"
        if blocked:
            faults = [api.faults.add(chat_id=people[0], times=None, **FAULTS[name])]
        elif name.startswith("429"):  # PTB's limiter tries three times before the sender sees it
            faults = [api.faults.add("sendMessage", chat_id=people[0], times=3, **FAULTS[name])]
        else:  # the first three sends of the batch fail: the sender pauses, as when the network is down
            faults = [api.faults.add("sendMessage", chat_id=p, times=1, **FAULTS[name]) for p in people[:3]]
        core.clock.set(brussels(2027, 1, 19, 18, 0))
        batch = asyncio.create_task(_tick(app))
        asked = time.monotonic()
        answer = await api.user(OTHER).send("zwemmen", timeout=30)
        outcome.others_seconds = _first_answer(api, OTHER, asked)
        outcome.others_served = any("Dit vond ik" in (m.text or "") for m in answer)
        await batch
        outcome.hit_answered = all(_reminders(api, p) for p in people[1:])
        for fault in faults:
            api.faults.remove(fault)
        for _ in range(6):  # past each backoff (30 s, 1 min, ...): what the minute tick does in real life
            await _settle(core, app)
            if not (await core.outbox.states()).get("planned"):
                break
            core.clock.advance(dt.timedelta(minutes=10))
        received = {p: len(_reminders(api, p)) for p in people}
        states = await core.outbox.states()
        expected = {p: 0 if blocked and p == people[0] else 1 for p in people}
        outcome.recovered = received == expected
        outcome.notes.append("outbox " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
        if received != expected:
            outcome.notes.append(f"received {received}")
    finally:
        logging.getLogger().removeHandler(counter)
    outcome.log_lines = counter.count
    return outcome


async def _settle(core: Core, app: Application) -> None:
    """Tick until nothing more happens at the clock's time: nothing in flight, and nothing due or the sender
    waiting (paused after a 429) until the clock moves. A wake-up job of the scheduler may be sending already:
    a tick then only asks it to look again."""
    last, still = None, 0
    for _ in range(600):
        states = await core.outbox.states()
        if not states.get("sending") and not await core.outbox.has_due(core.clock.now()):
            return
        still = still + 1 if states == last else 0
        if still >= 10 and not states.get("sending"):
            return
        last = states
        await _tick(app)
        await asyncio.sleep(0.05)
    raise AssertionError("the reminder sender did not finish")


def _reminders(api: FakeBotApi, chat: int) -> list:
    return [m for m in api.sent_to(chat) if (m.text or "").startswith(REMINDER)]


def table(outcomes: list[Outcome]) -> str:
    rows = [HEADER, *(o.cells() for o in outcomes)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
