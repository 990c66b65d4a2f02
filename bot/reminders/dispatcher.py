"""The sender loop: asks the outbox what is due at `clock.now()` and sends it, one message at a time.

One at a time on purpose: the number of messages in flight is the number a crash can repeat, and
the issue allows one. The pace is set by the messenger's rate limiter (PTB's AIORateLimiter, about
25 a second overall); this loop adds Telegram's other limit, one message a second per chat.

The scheduler (APScheduler through PTB's JobQueue) only wakes this loop; `wake_in` tells it when
the next message is due. Running it twice at once is harmless: the second call just asks the
first to look again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.chat.people import People
from bot.chat.replies import Message
from bot.platform.calendar import Clock
from bot.reminders.outbox import Delivered, Outbox, OutboxRow
from bot.reminders.sending import Blocked, Rejected, RetryLater, Sender, Transient, Waker

log = logging.getLogger(__name__)

Render = Callable[[OutboxRow, dt.datetime], Awaitable[Message | None]]
# What became of a message: 'sent', 'dropped:<reason>' or 'failed:<reason>' (for the network's report).
Outcome = Callable[[OutboxRow, str], Awaitable[None]]
PER_CHAT_GAP = 1.0  # seconds between two messages to one chat (Telegram's limit)
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
PAUSE_AFTER_FAILURES = 3  # consecutive network failures: the network is down, stop trying everyone


@dataclass
class DispatchReport:
    sent: int = 0
    dropped: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)

    def add(self, other: DispatchReport) -> None:
        self.sent += other.sent
        self.dropped += other.dropped
        self.retried += other.retried
        self.failed += other.failed
        self.blocked += other.blocked
        for kind, n in other.per_kind.items():
            self.per_kind[kind] = self.per_kind.get(kind, 0) + n


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min, ... up to an hour."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


class Alarm:
    """When the sender loop must run next: the outbox's next due message, or later during a flood-control
    pause. The subscriptions ring it when they change the outbox, the dispatcher after each run; the
    waker (the scheduler side: PTB's JobQueue) turns it into a wake-up. Without a waker (the terminal,
    the command line) nothing is woken: nothing is sent there either."""

    def __init__(self, outbox: Outbox, clock: Clock, waker: Waker | None) -> None:
        self.outbox = outbox
        self.clock = clock
        self.waker = waker
        self.paused_until: dt.datetime | None = None  # Telegram asked to wait (429): nothing before then

    async def reschedule(self) -> None:
        """Tell the waker when the next message is due (after a pause for flood control)."""
        if self.waker is None:
            return
        now = self.clock.now()
        wake = await self.outbox.next_wake(now)
        if self.paused_until is not None and self.paused_until > now:
            wake = self.paused_until if wake is None else max(wake, self.paused_until)
        if wake is not None:
            self.waker.wake_in(max((wake - now).total_seconds(), 0.0))


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        people: People,
        clock: Clock,
        alarm: Alarm,
        *,
        sender: Sender | None,
        render: Render,
        on_outcome: Outcome | None = None,
        max_attempts: int,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.outbox = outbox
        self.people = people
        self.clock = clock
        self.alarm = alarm
        self.sender = sender  # the messenger side (handlers/app.py's TelegramMessenger); None: nothing is sent
        self.render = render  # the message of an outbox row (bot/reminders/screens.py)
        self.on_outcome = on_outcome  # told what became of each message (the question log)
        self.max_attempts = max_attempts
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._again = False
        self._stopping = False
        self._last_sent: dict[int, float] = {}  # chat id -> monotonic time of the last message
        self._delivered: Delivered | None = None  # sent, to be recorded with the next claim

    def request_stop(self) -> None:
        """Finish the message in flight, then stop (shutdown)."""
        self._stopping = True

    async def run(self) -> DispatchReport:
        """Send everything that is due now; then tell the waker when to come back."""
        report = DispatchReport()
        if self.sender is None or self._stopping:
            return report
        if self._lock.locked():
            self._again = True  # the running loop looks again before it finishes
            return report
        async with self._lock:
            while True:
                self._again = False
                report.add(await self._drain())
                if not self._again or self._stopping:
                    break
            await self.reschedule()
        return report

    async def reschedule(self) -> None:
        """Tell the waker when the next message is due."""
        await self.alarm.reschedule()

    def _cooling(self) -> dict[int, float]:
        """Chats that got a message less than a second ago -> seconds left."""
        now = self._monotonic()
        left = {chat: PER_CHAT_GAP - (now - at) for chat, at in self._last_sent.items()}
        self._last_sent = {chat: self._last_sent[chat] for chat, wait in left.items() if wait > 0}
        return {chat: wait for chat, wait in left.items() if wait > 0}

    async def _drain(self) -> DispatchReport:
        report = DispatchReport()
        self._delivered = None
        try:
            await self._loop(report)
        finally:
            if self._delivered is not None:  # the loop ended before the next claim could record it
                await self.outbox.mark_sent(self._delivered)
        return report

    async def _loop(self, report: DispatchReport) -> None:
        failures_in_a_row = 0
        while not self._stopping:
            now = self.clock.now()
            if self.alarm.paused_until is not None and now < self.alarm.paused_until:
                break
            cooling = self._cooling()
            delivered, self._delivered = self._delivered, None
            row = await self.outbox.claim_next(now, skip_chats=cooling, delivered=delivered)
            for dropped, reason in self.outbox.dropped:
                await self._outcome(dropped, f"dropped:{reason}")
            self.outbox.dropped.clear()
            if row is None:
                if cooling and not self.outbox.timing.in_quiet(now) and await self.outbox.has_due(now):
                    await self._sleep(min(cooling.values()))  # only chats that just got one are left
                    continue
                break
            outcome = await self._send_one(row, now, report)
            if outcome == "transient":
                failures_in_a_row += 1
                if failures_in_a_row >= PAUSE_AFTER_FAILURES:
                    log.warning("%d sends in a row failed: pausing until the next retry", failures_in_a_row)
                    break
            elif outcome == "paused":
                break
            else:
                failures_in_a_row = 0

    async def _send_one(self, row: OutboxRow, now: dt.datetime, report: DispatchReport) -> str:
        assert self.sender is not None
        try:
            message = await self.render(row, now)
        except Exception:
            log.exception("could not build %s message %d", row.kind, row.id)
            await self.outbox.mark_done(row, "failed", "render")
            await self._outcome(row, "failed:render")
            report.failed += 1
            return "failed"
        if message is None:  # the offer is gone or no longer published
            await self.outbox.mark_done(row, "dropped", "offer_gone")
            await self._outcome(row, "dropped:offer_gone")
            report.dropped += 1
            return "dropped"
        try:
            message_id = await self.sender.send(row.chat_id, message)
        except Blocked:
            self._last_sent[row.chat_id] = self._monotonic()
            await self.outbox.mark_done(row, "dropped", "blocked")
            await self._outcome(row, "dropped:blocked")
            await self.people.blocked(row.user_id)
            others = await self.outbox.drop_person(row.user_id, "blocked")
            report.blocked += 1
            report.dropped += 1 + others
            return "blocked"
        except RetryLater as error:
            pause = dt.timedelta(seconds=max(error.seconds, 1.0))
            self.alarm.paused_until = self.clock.now() + pause
            log.warning("Telegram asks to wait %.1f s (flood control): pausing reminders", error.seconds)
            await self.outbox.mark_retry(row, self.alarm.paused_until, "flood", attempt_counts=False)
            report.retried += 1
            return "paused"
        except Rejected as error:
            log.warning("Telegram refused %s message %d: %s", row.kind, row.id, error)
            await self.outbox.mark_done(row, "failed", "rejected")
            await self._outcome(row, "failed:rejected")
            report.failed += 1
            return "failed"
        except Transient as error:
            return await self._transient(row, report, error)
        except Exception as error:  # a bug or an unexpected library error: treat as transient, keep going
            log.exception("unexpected error sending %s message %d", row.kind, row.id)
            return await self._transient(row, report, error)
        self._last_sent[row.chat_id] = self._monotonic()
        # Recorded together with the next claim (or at the end of the loop): one commit per message.
        self._delivered = Delivered(row, message_id, self.clock.now())
        await self._outcome(row, "sent")
        report.sent += 1
        report.per_kind[row.kind] = report.per_kind.get(row.kind, 0) + 1
        return "sent"

    async def _outcome(self, row: OutboxRow, outcome: str) -> None:
        if self.on_outcome is None:
            return
        try:
            await self.on_outcome(row, outcome)
        except Exception:  # counting must never stop the sending
            log.exception("could not report the outcome of %s message %d", row.kind, row.id)

    async def _transient(self, row: OutboxRow, report: DispatchReport, error: Exception) -> str:
        if row.attempts >= self.max_attempts:
            log.warning("giving up on %s message %d after %d attempts: %s", row.kind, row.id, row.attempts, error)
            await self.outbox.mark_done(row, "failed", "gave_up")
            await self._outcome(row, "failed:gave_up")
            report.failed += 1
        else:
            await self.outbox.mark_retry(row, self.clock.now() + backoff(row.attempts), "network")
            report.retried += 1
        return "transient"
