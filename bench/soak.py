"""Soak: the real bot process under many simulated people for a long time, through the fake Bot API server.

    .venv/bin/python bench/soak.py                       # 200 people, 10 minutes
    .venv/bin/python bench/soak.py --minutes 1 --users 50

`python -m bot run` runs as a child process against tests/fakebotapi.py on 127.0.0.1. Each simulated person
waits a while (uniform around --think seconds), then asks a question (from the evaluation queries), presses
a button under the bot's last message (Meer info, Meer resultaten, Herinner mij and its choices, the menu),
or sends /start. Reminders run too: before the start every person subscribes to a few activities whose
"2 hours before" reminders fall due during the soak, in batches (quiet hours are off for the run).

Printed: the bot's memory (RSS of the child process) after warm-up and at the end, and its peak; reply
latency (push of the update to the first answering API call) as median and p99, with the median of an idle
bot measured first in the same run as the baseline; errors (people without an answer within 30 s, the bot's
"er ging iets mis", failed API calls, WARNING/ERROR lines in the bot's log) and the reminders sent against
those planned. The token never appears in the bot's log (checked).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bot.core import open_core  # noqa: E402
from bot.platform.calendar import ManualClock  # noqa: E402
from bot.platform.config import load_settings  # noqa: E402
from tests.fakebotapi import ApiCall, FakeBotApi, _text_content, html_to_text  # noqa: E402
from tests.helpers import eventually  # noqa: E402
from tests.reminders.helpers import activity  # noqa: E402

FIRST_USER = 5001
ANSWERING = frozenset({"sendmessage", "sendphoto", "editmessagetext", "answercallbackquery", "senddocument"})
REPLY_TIMEOUT = 30.0
REMINDER = "⏰ Herinnering"
OOPS = "Oei, er ging iets mis"


class SoakApi(FakeBotApi):
    """The fake server, telling waiting people when the bot answered in their chat, and trimming its memory."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.reminders_sent = 0
        self.oops = 0
        self.failed_calls = 0

    async def _answer(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        response = await super()._answer(request, call)
        method = call.method.lower()
        if call.ok and method in ANSWERING:
            text = html_to_text(str(call.params.get("text") or call.params.get("caption") or ""))
            if text.startswith(REMINDER):
                self.reminders_sent += 1
            elif OOPS in text:
                self.oops += 1
            waiter = self.waiting.get(call.chat_id)  # type: ignore[arg-type]
            if waiter is not None and not waiter.done() and not text.startswith(REMINDER):
                waiter.set_result(time.monotonic())
        elif not call.ok and method != "getupdates":
            self.failed_calls += 1
        return response

    def trim(self, keep: int = 8) -> None:
        """Forget old calls and messages: a soak must not measure the fake server's own growth."""
        self.calls.clear()
        self.rate.reset()
        for messages in self._messages.values():
            for message_id in sorted(messages)[:-keep]:
                del messages[message_id]
        if len(self._callback_queries) > 2000:
            self._callback_queries.clear()
            self.callback_answers.clear()


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    actions: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.actions[kind] = self.actions.get(kind, 0) + 1


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def questions() -> list[str]:
    found = []
    for name in ("heldout_queries.jsonl", "heldout2_queries.jsonl"):
        for line in (ROOT / "tests" / "fixtures" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["q"])
    return found


# --- simulated people ---------------------------------------------------------------------------------


class Person:
    def __init__(self, api: SoakApi, user_id: int, rng: random.Random, stats: Stats, asks: list[str]) -> None:
        self.api, self.user_id, self.rng, self.stats, self.asks = api, user_id, rng, stats, asks
        self.user = api.user(user_id, first_name=f"Persoon{user_id}")

    async def act_once(self) -> None:
        roll = self.rng.random()
        buttons = self._buttons()
        if roll < 0.35 and buttons:
            _, data, message = self.rng.choice(buttons)
            self.stats.count("press")
            await self._wait(lambda: self._press(message, data))
        elif roll < 0.9:
            self.stats.count("question")
            await self._wait(lambda: self._say(self.rng.choice(self.asks)))
        else:
            self.stats.count("start")
            await self._wait(lambda: self._say(self.rng.choice(("/start", "/hulp"))))

    def _buttons(self) -> list[tuple[str, str, dict]]:
        """Callback buttons under the bot's recent messages in this chat (newest messages first)."""
        found = []
        stored = self.api._messages.get(self.user_id, {})
        for message_id in sorted(stored, reverse=True)[:4]:
            message = stored[message_id]
            if not message.from_bot or message.deleted:
                continue
            for row in (message.raw.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if data and not data.startswith(("f:", "r:x", "r:s")):  # not /vergeet, not stopping reminders
                        found.append((button["text"], data, message.raw))
        return found

    def _say(self, text: str) -> None:
        stored = self.api._store(self.user_id, _text_content(text), sender=self.user.user, from_bot=False)
        self.api.push_update({"message": copy.deepcopy(stored.raw)})

    def _press(self, raw: dict, data: str) -> None:
        query_id = str(next(self.api._query_ids))
        query = {"id": query_id, "from": self.user.user, "message": copy.deepcopy(raw), "chat_instance": "soak",
                 "data": data}  # fmt: skip
        self.api._callback_queries[query_id] = query
        self.api.push_update({"callback_query": query})

    async def _wait(self, push: Callable[[], None]) -> float | None:
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.api.waiting[self.user_id] = waiter
        started = time.monotonic()
        push()
        try:
            answered = await asyncio.wait_for(waiter, REPLY_TIMEOUT)
        except TimeoutError:
            self.stats.timeouts += 1
            return None
        finally:
            self.api.waiting.pop(self.user_id, None)
        latency = answered - started
        self.stats.latencies.append(latency)
        await asyncio.sleep(0.5)  # the rest of the answer (more cards) arrives; people read before acting
        return latency

    async def live(self, until: float, think: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, think))  # people do not all start at once
        while time.monotonic() < until:
            await self.act_once()
            await asyncio.sleep(self.rng.uniform(think / 2, think * 1.5))


# --- set-up ----------------------------------------------------------------------------------------------


async def prepare(folder: Path, api: SoakApi, users: int, seconds: float, rng: random.Random) -> tuple[Path, int]:
    """Config and database: the sample offers, and reminders falling due in batches during the soak."""
    config = folder / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{api.token}"\napi_base_url = "{api.base_url}"\n'
        '[database]\npath = "bot.sqlite3"\n'
        '[reminders]\nquiet_start = "12:00"\nquiet_end = "12:00"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    settings = load_settings(config, environ={})
    now = dt.datetime.now(settings.timezone)
    core = await open_core(settings, clock=ManualClock(now))
    try:
        batches = max(int(seconds // 30), 1)  # a batch of reminders every 30 seconds
        offers = []
        for k in range(batches):
            start = (now + dt.timedelta(hours=2, seconds=60 + 30 * k)).replace(second=0, microsecond=0, tzinfo=None)
            stored = await core.offers.save(activity(f"soak-{k}", start.isoformat(timespec="minutes")),
                                            source="soak", actor="soak", status="published")  # fmt: skip
            offers.append(stored)
        for user_id in range(FIRST_USER, FIRST_USER + users):
            await core.people.seen(user_id, user_id)
            for stored in rng.sample(offers, min(3, len(offers))):
                await core.reminders.subscribe(user_id, stored.pk, day_before=False, hours_before=True,
                                               every_time=False)  # fmt: skip
        planned = (await core.outbox.states()).get("planned", 0)
    finally:
        await core.close()
    return config, planned


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--think", type=float, default=30.0, help="mean seconds between two actions of one person")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seconds = args.minutes * 60
    stats = Stats()
    asks = questions()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with SoakApi() as api:
            config, planned = await prepare(folder, api, args.users, seconds, rng)
            log_path = folder / "bot.log"
            environ = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "BOT_CONFIG")}
            environ["PYTHONPATH"] = str(ROOT)
            with log_path.open("wb") as log:
                child = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "--config", str(config), "run",
                    stdout=asyncio.subprocess.DEVNULL, stderr=log, cwd=folder, env=environ,
                )  # fmt: skip
            try:
                await eventually(lambda: api.calls_to("getUpdates"), timeout=60, what="the bot polling")
                # Baseline in the same run: one person alone with an idle bot.
                alone = Stats()
                idle = Person(api, FIRST_USER + args.users, rng, alone, asks)
                for text in asks[:20]:
                    await idle._wait(lambda t=text: idle._say(t))
                rss_start = rss_kib(child.pid)
                samples = [(0.0, rss_start)]
                started = time.monotonic()
                until = started + seconds
                people = [Person(api, FIRST_USER + i, rng, stats, asks) for i in range(args.users)]
                tasks = [asyncio.create_task(p.live(until, args.think)) for p in people]
                while time.monotonic() < until:
                    await asyncio.sleep(5)
                    api.trim()
                    samples.append((time.monotonic() - started, rss_kib(child.pid)))
                    done = sum(stats.actions.values())
                    print(f"{samples[-1][0]:6.0f} s  rss {samples[-1][1] / 1024:6.1f} MiB  actions {done}  "
                          f"reminders {api.reminders_sent}/{planned}", file=sys.stderr, flush=True)  # fmt: skip
                await asyncio.gather(*tasks)
                await asyncio.sleep(5)  # the last answers and reminders
                rss_end = rss_kib(child.pid)
                rss_peak = max(rss_end, *(r for _, r in samples))
                child.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(child.wait(), 30)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
            log_lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            conn = sqlite3.connect(folder / "bot.sqlite3")
            outbox = dict(conn.execute("SELECT state || coalesce(':' || reason, ''), count(*) FROM outbox GROUP BY 1"))
            conn.close()
            token_leaks = sum(api.token.split(":")[1] in line for line in log_lines)

    levels = {level: sum(f" {level} " in line for line in log_lines) for level in ("WARNING", "ERROR", "CRITICAL")}
    half = [r for t, r in samples if t >= seconds / 2]
    total = sum(stats.actions.values())
    base = statistics.median(alone.latencies) if alone.latencies else float("nan")
    p50 = statistics.median(stats.latencies) if stats.latencies else float("nan")
    p99 = percentile(stats.latencies, 0.99)
    errors = stats.timeouts + api.oops + api.failed_calls + levels["ERROR"] + levels["CRITICAL"]
    print(f"\nsoak: {args.users} people, {args.minutes:g} min, think time {args.think:g} s (seed {args.seed})")
    print(f"actions: {total} ({', '.join(f'{k} {v}' for k, v in sorted(stats.actions.items()))}), "
          f"{total / seconds:.1f}/s")  # fmt: skip
    print(f"reminders: {api.reminders_sent} sent of {planned} planned; outbox at the end: {outbox}")
    print(f"memory (RSS of the bot): {rss_start / 1024:.1f} MiB after warm-up, {rss_end / 1024:.1f} MiB at the end "
          f"({rss_end / rss_start:.3f}x), peak {rss_peak / 1024:.1f} MiB; second half min/max "
          f"{min(half) / 1024:.1f}/{max(half) / 1024:.1f} MiB")  # fmt: skip
    print(f"reply latency: median {p50 * 1000:.0f} ms (idle bot, same run: {base * 1000:.0f} ms, "
          f"{p50 / base:.2f}x), p90 {percentile(stats.latencies, 0.9) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {max(stats.latencies, default=0) * 1000:.0f} ms")  # fmt: skip
    print(f"errors: {errors} (no answer within {REPLY_TIMEOUT:g} s: {stats.timeouts}, 'er ging iets mis': {api.oops}, "
          f"failed API calls: {api.failed_calls}, log ERROR/CRITICAL lines: {levels['ERROR'] + levels['CRITICAL']}); "
          f"log WARNING lines: {levels['WARNING']}; token in the log: {token_leaks} lines")  # fmt: skip
    print(f"bot exit status after SIGTERM: {code}")
    return 0 if errors == 0 and token_leaks == 0 and code == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
