"""The whole bot under load: 50 people x 10 questions through the fake Bot API server, against a minimal
python-telegram-bot echo bot on the same server in the same run.

    python bench/e2e.py                       # fake server in a child process (the default), 3 rounds
    python bench/e2e.py --server inproc       # fake server and people in the bot's own process
    python bench/e2e.py --rounds 5 --users 50 --questions 10
    python bench/e2e.py --profile out.prof    # cProfile of the bot process during our bot's rounds
    python bench/e2e.py --telegram-limit      # also: our bot with the production flood limit (25 msg/s)

What runs: the real `Application` from `bot.app.build_application` (all handlers, the error handler, the
key figures' early handlers, the anonymous question log, AIORateLimiter) on a real SQLite file with the
evaluation offers (tests/fixtures/eval/offers.json), clock fixed on 1 February 2027. The echo bot is
PTB's minimal echo (one MessageHandler that answers with the text), with concurrent updates like ours.

Each simulated person sends a question, waits for the last message of the answer, then sends the next
one (a closed loop: 50 people in flight at most). How many messages an answer has is learnt first, one
question at a time (this also warms both bots up). Latency: from pushing the person's update into the
server's getUpdates queue to the server storing the answer's last message. Throughput: questions
answered per second over a round (first push to last answer). Reported: the median over the rounds of
each figure, and our throughput as a share of the echo bot's (target >= 0.8; p99 target < 200 ms).

By default Telegram's flood limit is lifted for both bots (`reminders.messages_per_second` very high),
so the figures are about our software, not about the limit; `--telegram-limit` shows what the limit does.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import datetime as dt
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("PTB_TIMEDELTA", "true")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, web  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.calendar import ManualClock  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from bot.core import open_core  # noqa: E402
from bot.offers.fileformat import read_offer_file  # noqa: E402
from tests.fakebotapi import JSON, FakeBotApi, app_builder, running_app  # noqa: E402

QUESTION_FILE = ROOT / "tests" / "fixtures" / "eval" / "queries.jsonl"
OFFER_FILE = ROOT / "tests" / "fixtures" / "eval" / "offers.json"
TODAY = dt.datetime(2027, 2, 1, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
LEARN_QUIET = 0.5  # seconds without any message after which the learning answers count as complete
TARGET_RATIO = 0.8
TARGET_P99_MS = 200.0


def questions() -> list[str]:
    lines = QUESTION_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


# --- the server side: fake Bot API plus the simulated people ---------------------------------------------


class CountingApi(FakeBotApi):
    """The fake server, also telling waiting people when the bot's n-th message in their chat arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[int, list[float]] = {}
        self.waiters: dict[int, tuple[int, asyncio.Future[float]]] = {}

    def _arrival(self, result: JSON) -> None:
        chat_id = result["chat"]["id"]
        times = self.arrived.setdefault(chat_id, [])
        times.append(time.perf_counter())
        waiter = self.waiters.get(chat_id)
        if waiter is not None and len(times) >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(times[-1])

    async def _m_sendMessage(self, params: JSON) -> JSON:
        result = await super()._m_sendMessage(params)
        self._arrival(result)
        return result

    async def _m_sendPhoto(self, params: JSON) -> JSON:
        result = await super()._m_sendPhoto(params)
        self._arrival(result)
        return result


class Driver:
    """Pushes people's questions into the fake server and times the answers."""

    def __init__(self, api: CountingApi) -> None:
        self.api = api
        self.next_user = 10_000
        self.message_ids = 0

    def _push(self, user_id: int, text: str) -> float:
        self.message_ids += 1
        person = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}
        chat = {"id": user_id, "type": "private", "first_name": "Test"}
        update = {"message": {"message_id": self.message_ids, "from": person, "chat": chat, "date": 0, "text": text}}
        started = time.perf_counter()
        self.api.push_update(update)
        return started

    async def learn(self, texts: list[str]) -> dict[str, int]:
        """How many messages the bot answers each question with: all asked at once, each by another person,
        counted once the bot has been quiet for a while."""
        first_user = self.next_user + 1
        self.next_user += len(texts)
        for n, text in enumerate(texts):
            self._push(first_user + n, text)
        users = range(first_user, first_user + len(texts))
        deadline = time.perf_counter() + 120
        while not all(self.api.arrived.get(user) for user in users):  # every question answers something
            if time.perf_counter() > deadline:
                raise RuntimeError("the bot did not answer every question within 2 minutes")
            await asyncio.sleep(0.05)
        total = -1
        while total != sum(len(self.api.arrived[user]) for user in users):
            total = sum(len(self.api.arrived[user]) for user in users)
            await asyncio.sleep(LEARN_QUIET)
        return {text: len(self.api.arrived.get(first_user + n, ())) for n, text in enumerate(texts)}

    async def run(self, texts: list[str], counts: dict[str, int], users: int, per_user: int) -> dict[str, Any]:
        """`users` people at once, each asking `per_user` questions one after the other."""
        latencies: list[float] = []
        first_user = self.next_user + 1
        self.next_user += users

        async def person(index: int) -> None:
            user = first_user + index
            expected = 0
            for n in range(per_user):
                text = texts[(index * per_user + n) % len(texts)]
                expected += counts[text]
                future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                self.api.waiters[user] = (expected, future)
                if len(self.api.arrived.get(user, ())) >= expected:  # a question the bot does not answer
                    future.set_result(time.perf_counter())
                pushed = self._push(user, text)
                done = await asyncio.wait_for(future, timeout=120)
                latencies.append(done - pushed)
            self.api.waiters.pop(user, None)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(person(i) for i in range(users)))
        wall = time.perf_counter() - started
        return {"answered": len(latencies), "wall": wall, "latencies": latencies, "cpu": time.process_time() - cpu}


async def serve_child() -> None:
    """The child process: fake server and people, controlled over HTTP by the bot process."""
    api = CountingApi()
    await api.start()
    driver = Driver(api)

    async def learn(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(await driver.learn(body["texts"]))

    async def run(request: web.Request) -> web.Response:
        body = await request.json()
        result = await driver.run(body["texts"], body["counts"], body["users"], body["per_user"])
        return web.json_response(result)

    control = web.Application()
    control.router.add_post("/learn", learn)
    control.router.add_post("/run", run)
    runner = web.AppRunner(control, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"api": api.port, "control": runner.addresses[0][1]}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await runner.cleanup()
    await api.stop()


class Server:
    """The fake server and the people, in this process or in a child process; the same calls either way."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.api: CountingApi | None = None
        self.driver: Driver | None = None
        self.child: subprocess.Popen[str] | None = None
        self.session: ClientSession | None = None
        self.control = ""
        self.port = 0

    async def __aenter__(self) -> Server:
        if self.mode == "inproc":
            self.api = await CountingApi().start()
            self.driver = Driver(self.api)
            self.port = self.api.port
        else:
            self.child = subprocess.Popen(  # noqa: ASYNC220 - once, before anything is measured
                [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            assert self.child.stdout is not None
            ports = json.loads(await asyncio.to_thread(self.child.stdout.readline))
            self.port, self.control = ports["api"], f"http://127.0.0.1:{ports['control']}"
            self.session = ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.api is not None:
            await self.api.stop()
        if self.session is not None:
            await self.session.close()
        if self.child is not None:
            assert self.child.stdin is not None
            self.child.stdin.close()
            self.child.wait(timeout=10)

    def builder(self):
        """An ApplicationBuilder aimed at the server (the same as the tests use; timeouts a bit longer)."""
        api = self.api or FakeBotApi()
        if self.api is None:  # only the port is used: point the builder at the child's server
            api._port = self.port
        return app_builder(api, read_timeout=30, write_timeout=30, connect_timeout=10, pool_timeout=30)

    async def learn(self, texts: list[str]) -> dict[str, int]:
        if self.driver is not None:
            return await self.driver.learn(texts)
        assert self.session is not None
        async with self.session.post(f"{self.control}/learn", json={"texts": texts}) as response:
            return await response.json()

    async def run(self, texts: list[str], counts: dict[str, int], users: int, per_user: int) -> dict[str, Any]:
        """One round; "cpu" is the server side's CPU time, "bot_cpu" this process's (both the same in-process)."""
        cpu = time.process_time()
        if self.driver is not None:
            result = await self.driver.run(texts, counts, users, per_user)
        else:
            assert self.session is not None
            body = {"texts": texts, "counts": counts, "users": users, "per_user": per_user}
            async with self.session.post(f"{self.control}/run", json=body, timeout=None) as response:
                result = await response.json()
        return {**result, "bot_cpu": time.process_time() - cpu}


# --- the bot side -------------------------------------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)  # type: ignore[union-attr]


def echo_bot(server: Server) -> Application:
    app = server.builder().concurrent_updates(True).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def open_bench_core(folder: Path, messages_per_second: float):
    settings = parse_settings({}, environ={})
    reminders = dataclasses.replace(settings.reminders, messages_per_second=messages_per_second)
    settings = dataclasses.replace(settings, database_path=folder / "bench.sqlite3", reminders=reminders)
    core = await open_core(settings, clock=ManualClock(TODAY), load_sample=False)
    if await core.offers.count() == 0:
        await core.offers.save_many(read_offer_file(OFFER_FILE), source="bench", actor="bench")
    return core


def summary(result: dict[str, Any]) -> dict[str, float]:
    latencies = sorted(result["latencies"])
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "qps": result["answered"] / result["wall"],
        "p50": quantiles[49] * 1000,
        "p99": quantiles[98] * 1000,
        "max": latencies[-1] * 1000,
        "bot_cpu": result["bot_cpu"] * 1000 / result["answered"],  # ms of CPU per question, bot process
        "server_cpu": result["cpu"] * 1000 / result["answered"],  # ms per question, server and people
    }


async def measure(args: argparse.Namespace) -> None:
    texts = questions()
    profile = cProfile.Profile() if args.profile else None
    rounds: dict[str, list[dict[str, float]]] = {"echo": [], "bot": [], "limited": []}
    with tempfile.TemporaryDirectory() as folder:
        async with Server(args.server) as server:
            async with running_app(echo_bot(server)):
                echo_counts = await server.learn(texts)
            core = await open_bench_core(Path(folder), messages_per_second=1_000_000)
            try:
                async with running_app(build_application(core, server.builder())):
                    counts = await server.learn(texts)
                    messages = sum(counts.values()) / len(counts)
                    print(f"{len(texts)} questions, {messages:.2f} messages per answer on average (echo: 1)")
                for n in range(args.rounds):
                    async with running_app(echo_bot(server)):
                        rounds["echo"].append(summary(await server.run(texts, echo_counts, args.users, args.questions)))
                    async with running_app(build_application(core, server.builder())):
                        if profile:
                            profile.enable()
                        rounds["bot"].append(summary(await server.run(texts, counts, args.users, args.questions)))
                        if profile:
                            profile.disable()
                    print(f"round {n + 1}: echo {_line(rounds['echo'][-1])} | bot {_line(rounds['bot'][-1])}")
            finally:
                await core.close()
            if args.telegram_limit:
                core = await open_bench_core(Path(folder), messages_per_second=25)
                try:
                    async with running_app(build_application(core, server.builder())):
                        result = await server.run(texts, counts, args.users, args.questions)
                        rounds["limited"].append(summary(result))
                finally:
                    await core.close()
    if profile is not None:
        profile.dump_stats(args.profile)
    report(rounds, args)


def _line(s: dict[str, float]) -> str:
    return f"{s['qps']:6.1f} q/s  p50 {s['p50']:6.1f} ms  p99 {s['p99']:6.1f} ms"


def report(rounds: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[name])

    print()
    print(
        f"{args.users} people x {args.questions} questions; fake server {args.server}; medians of {args.rounds} rounds"
    )
    columns = ("questions/s", "p50 ms", "p99 ms", "max ms", "bot CPU ms/q", "server CPU ms/q")
    print(f"{'':18}" + "".join(f"{c:>16}" for c in columns))
    for name, label in (("echo", "PTB echo bot"), ("bot", "our bot"), ("limited", "ours at 25 msg/s")):
        if rounds[name]:
            row = [median(name, k) for k in ("qps", "p50", "p99", "max", "bot_cpu", "server_cpu")]
            print(f"{label:18}" + "".join(f"{v:16.1f}" for v in row))
    ratio = median("bot", "qps") / median("echo", "qps")
    p99 = median("bot", "p99")
    print(
        f"throughput ratio ours/echo: {ratio:.2f} (target >= {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'MISSED'})"
    )
    print(f"our p99: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'MISSED'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("child", "inproc"), default="child")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10, help="questions per person")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of our bot's rounds (bot process)")
    parser.add_argument("--telegram-limit", action="store_true", help="also run our bot at 25 messages a second")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.serve:
        asyncio.run(serve_child())
    else:
        asyncio.run(measure(args))


if __name__ == "__main__":
    main()
