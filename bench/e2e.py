"""The whole bot under load: 50 people x 10 questions through the fake Bot API server, against a minimal
python-telegram-bot echo bot on the same server in the same run.

    python bench/e2e.py                       # fake server in a child process (the default), 3 rounds
    python bench/e2e.py --server inproc       # fake server and people in the bot's own process
    python bench/e2e.py --rounds 5 --users 50 --questions 10 --think 2
    python bench/e2e.py --profile out.prof    # cProfile of the bot process during our bot's rounds
    python bench/e2e.py --telegram-limit      # also: our bot with the production flood limit (25 msg/s)

Our bot is the real `Application` of `handlers.app.build_application` (all handlers, the error handler, the
key figures' early handlers, the anonymous question log, AIORateLimiter, our aiohttp transport) on a
real SQLite file with the evaluation offers (tests/fixtures/eval/offers.json), the clock fixed on
Monday 1 February 2027. Questions: tests/fixtures/eval/queries.jsonl, each person starting elsewhere
in the list. Telegram's flood limit is lifted (`reminders.messages_per_second` very high) so that the
figures are about software; `--telegram-limit` shows what the limit itself does.

The bots, each in every round, in turn on the same server:
- echo: PTB's minimal echo bot (one MessageHandler answering with the text), PTB's default httpx
  transport. This is the baseline of the issue's target (our throughput >= 0.8 of it).
- echo/aiohttp: the same echo bot on our transport (handlers/http.py): what the transport alone gives.
- replay: a bot without logic that answers every question with exactly our bot's messages (same text,
  same buttons, same count), on our transport: what sending our answers costs; ours minus replay is
  the cost of our own work (matcher, database, cards, question log).
- ours.

Load: each person sends a question, waits for the last message of the answer, then (after `--think`
seconds, 0 by default: as fast as possible) sends the next. With `--think 0` this saturates the bot,
so latency is mostly queueing: about people / throughput. The paced run (`--paced`, default 2 s of
reading time per answer) shows the latency at a busy but not saturating load. How many messages each
answer has is learnt first (all questions once; this also warms the bot up). Latency: from pushing the
update into the server's getUpdates queue to the server storing the answer's last message.
Throughput: questions answered per second over a round. Reported: medians over the rounds, the bot
process's CPU per question, and the server side's (fake server and people).

Where the fake server runs: in a child process by default, so that on 2 cores the bot process has a
core of its own, as with the real Telegram; `--server inproc` shares one process and one event loop.
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
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("PTB_TIMEDELTA", "true")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, web  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.chat.conversation import Who  # noqa: E402
from bot.chat.replies import split_message  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.offers.fileformat import read_offer_file  # noqa: E402
from bot.platform.calendar import ManualClock  # noqa: E402
from bot.platform.config import parse_settings  # noqa: E402
from handlers.app import open_bot  # noqa: E402
from handlers.http import AiohttpRequest  # noqa: E402
from handlers.render import keyboard  # noqa: E402
from tests.fakebotapi import JSON, FakeBotApi, app_builder, running_app  # noqa: E402

QUESTION_FILE = ROOT / "tests" / "fixtures" / "eval" / "queries.jsonl"
OFFER_FILE = ROOT / "tests" / "fixtures" / "eval" / "offers.json"
NOW = dt.datetime(2027, 2, 1, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
TOKEN = "123456:TEST-TOKEN"
LEARN_QUIET = 0.5  # seconds without any message after which the learning answers count as complete
TARGET_RATIO = 0.8
TARGET_P99_MS = 200.0
BOTS = {
    "echo": "echo (PTB, httpx)",
    "echo_aiohttp": "echo/aiohttp",
    "replay": "replay (our msgs)",
    "ours": "our bot",
    "limited": "ours, 25 msg/s",
}


def questions() -> list[str]:
    lines = QUESTION_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


# --- the server side: fake Bot API plus the simulated people ---------------------------------------------


class CountingApi(FakeBotApi):
    """The fake server, also telling waiting people when the bot's n-th message in their chat arrived."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
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
        counted once every question has an answer and the bot has been quiet for a while."""
        first_user = self.next_user + 1
        self.next_user += len(texts)
        users = range(first_user, first_user + len(texts))
        for user, text in zip(users, texts, strict=True):
            self._push(user, text)
        deadline = time.perf_counter() + 120
        while not all(self.api.arrived.get(user) for user in users):
            if time.perf_counter() > deadline:
                raise RuntimeError("the bot did not answer every question within 2 minutes")
            await asyncio.sleep(0.05)
        total = -1
        while total != sum(len(self.api.arrived[user]) for user in users):
            total = sum(len(self.api.arrived[user]) for user in users)
            await asyncio.sleep(LEARN_QUIET)
        return {text: len(self.api.arrived[user]) for user, text in zip(users, texts, strict=True)}

    async def run(
        self, texts: list[str], counts: dict[str, int], users: int, per_user: int, think: float
    ) -> dict[str, Any]:
        """`users` people at once, each asking `per_user` questions, reading `think` seconds (0.5x to 1.5x)
        between an answer and their next question."""
        latencies: list[float] = []
        first_user = self.next_user + 1
        self.next_user += users
        pauses = random.Random(users * 1000 + per_user)

        async def person(index: int) -> None:
            user = first_user + index
            expected = 0
            if think:  # people arrive one by one, not all in the same millisecond
                await asyncio.sleep(think * pauses.uniform(0, 1))
            for n in range(per_user):
                text = texts[(index * per_user + n) % len(texts)]
                expected += counts[text]
                future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                self.api.waiters[user] = (expected, future)
                pushed = self._push(user, text)
                done = await asyncio.wait_for(future, timeout=120)
                latencies.append(done - pushed)
                if think:
                    await asyncio.sleep(think * pauses.uniform(0.5, 1.5))
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
        return web.json_response(await driver.run(**body))

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

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def httpx_builder(self) -> ApplicationBuilder:
        """PTB's default transport (httpx, pool of 256), as the tests build it; generous timeouts."""
        api = self.api or FakeBotApi(token=TOKEN)
        api._port = self.port  # only the address is used
        return app_builder(api, read_timeout=30, write_timeout=30, connect_timeout=10, pool_timeout=30)

    def aiohttp_builder(self) -> ApplicationBuilder:
        return (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(self.base_url)
            .request(AiohttpRequest(256, read_timeout=30, pool_timeout=30))
            .get_updates_request(AiohttpRequest(1, read_timeout=30, pool_timeout=30))
        )

    async def learn(self, texts: list[str]) -> dict[str, int]:
        if self.driver is not None:
            return await self.driver.learn(texts)
        assert self.session is not None
        async with self.session.post(f"{self.control}/learn", json={"texts": texts}) as response:
            return await response.json()

    async def run(self, **body: Any) -> dict[str, Any]:
        """One round; "cpu" is the server side's CPU time, "bot_cpu" this process's (the same in-process)."""
        cpu = time.process_time()
        if self.driver is not None:
            result = await self.driver.run(**body)
        else:
            assert self.session is not None
            async with self.session.post(f"{self.control}/run", json=body, timeout=None) as response:
                result = await response.json()
        return {**result, "bot_cpu": time.process_time() - cpu}


# --- the bots -----------------------------------------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)  # type: ignore[union-attr]


def echo_bot(builder: ApplicationBuilder) -> Application:
    app = builder.concurrent_updates(True).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def replay_bot(builder: ApplicationBuilder, core: Core, texts: list[str]) -> Application:
    """Answers each question with the messages our bot sends for it, rendered in advance: no logic at all."""
    answers = {}
    for n, text in enumerate(texts):
        reply = await core.conversation.ask(Who(1 + n, 1 + n, "Test"), text)
        pieces = [piece for message in reply.messages for piece in split_message(message)]
        answers[text] = [(str(piece.html), keyboard(piece.buttons)) for piece in pieces]

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id  # type: ignore[union-attr]
        for html, markup in answers[update.message.text]:  # type: ignore[union-attr,index]
            await context.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup)

    app = builder.concurrent_updates(True).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, replay))
    return app


async def open_bench_bot(folder: Path, server: Server, messages_per_second: float) -> tuple[Application, Core]:
    """Our bot as in production (handlers.app.open_bot), on the evaluation offers; the Application is started
    and stopped again for every round, on the same core."""
    settings = parse_settings({"telegram": {"token": TOKEN, "api_base_url": server.base_url}}, environ={})
    reminders = dataclasses.replace(settings.reminders, messages_per_second=messages_per_second)
    settings = dataclasses.replace(settings, database_path=folder / "bench.sqlite3", reminders=reminders)
    app, core = await open_bot(settings, clock=ManualClock(NOW), load_sample=False)
    if await core.offers.count() == 0:
        await core.offers.save_many(read_offer_file(OFFER_FILE), source="bench", actor="bench")
    return app, core


# --- measuring ----------------------------------------------------------------------------------------------


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
    saturated: dict[str, list[dict[str, float]]] = {name: [] for name in BOTS}
    paced: dict[str, list[dict[str, float]]] = {name: [] for name in BOTS}
    load = {"texts": texts, "users": args.users, "per_user": args.questions}
    with tempfile.TemporaryDirectory() as folder:
        async with Server(args.server) as server:
            ours, core = await open_bench_bot(Path(folder), server, messages_per_second=1_000_000)
            try:
                async with running_app(ours):
                    counts = await server.learn(texts)
                ones = dict.fromkeys(texts, 1)
                print(f"{len(texts)} questions; our answers have {sum(counts.values()) / len(texts):.2f} messages")
                bots: dict[str, tuple[Callable[[], Any], dict[str, int]]] = {
                    "echo": (lambda: echo_bot(server.httpx_builder()), ones),
                    "echo_aiohttp": (lambda: echo_bot(server.aiohttp_builder()), ones),
                    "replay": (lambda: replay_bot(server.aiohttp_builder(), core, texts), counts),
                    "ours": (lambda: ours, counts),
                }
                for n in range(args.rounds):
                    for name, (make, answer_counts) in bots.items():
                        app = make()
                        app = await app if asyncio.iscoroutine(app) else app
                        async with running_app(app):
                            if profile and name == "ours":
                                profile.enable()
                            result = await server.run(**load, counts=answer_counts, think=0)
                            if profile and name == "ours":
                                profile.disable()
                        saturated[name].append(summary(result))
                    print(f"round {n + 1}: " + " | ".join(f"{k} {saturated[k][-1]['qps']:.0f} q/s" for k in bots))
                if args.paced:
                    for name in ("echo", "ours"):
                        make, answer_counts = bots[name]
                        async with running_app(make()):
                            paced[name].append(
                                summary(await server.run(**load, counts=answer_counts, think=args.paced))
                            )
            finally:
                await core.close()
            if args.telegram_limit:
                limited, core = await open_bench_bot(Path(folder), server, messages_per_second=25)
                try:
                    async with running_app(limited):
                        saturated["limited"].append(summary(await server.run(**load, counts=counts, think=0)))
                finally:
                    await core.close()
    if profile is not None:
        profile.dump_stats(args.profile)
    report(saturated, paced, args)


def report(saturated: dict[str, list[dict[str, float]]], paced: dict[str, list[dict[str, float]]], args) -> None:
    def median(rounds: dict[str, list[dict[str, float]]], name: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[name])

    columns = ("questions/s", "p50 ms", "p99 ms", "max ms", "bot CPU ms/q", "server CPU ms/q")
    header = f"{'':20}" + "".join(f"{c:>16}" for c in columns)

    def table(rounds: dict[str, list[dict[str, float]]]) -> None:
        print(header)
        for name, label in BOTS.items():
            if rounds[name]:
                row = [median(rounds, name, k) for k in ("qps", "p50", "p99", "max", "bot_cpu", "server_cpu")]
                print(f"{label:20}" + "".join(f"{v:16.1f}" for v in row))

    print()
    print(f"Saturated: {args.users} people x {args.questions} questions, no reading time; fake server {args.server};")
    print(f"medians of {args.rounds} rounds")
    table(saturated)
    ratio = median(saturated, "ours", "qps") / median(saturated, "echo", "qps")
    print(f"throughput ours / echo (PTB, httpx): {ratio:.2f}  target >= {TARGET_RATIO}: {_verdict(ratio >= 0.8)}")
    for other in ("echo_aiohttp", "replay"):
        share = median(saturated, "ours", "qps") / median(saturated, other, "qps")
        print(f"throughput ours / {BOTS[other]}: {share:.2f}")
    if args.paced:
        print()
        print(f"Paced: the same, with {args.paced:g} s (0.5x to 1.5x) of reading time between an answer and the next")
        print("question; one round")
        table(paced)
    p99 = median(paced, "ours", "p99") if args.paced else median(saturated, "ours", "p99")
    print(f"our p99 ({'paced' if args.paced else 'saturated'}): {p99:.1f} ms  target < 200 ms: {_verdict(p99 < 200)}")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("child", "inproc"), default="child")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10, help="questions per person")
    parser.add_argument("--paced", type=float, default=2.0, help="reading time (s) of the paced run; 0: skip it")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of our bot's rounds (bot process)")
    parser.add_argument("--telegram-limit", action="store_true", help="also run our bot at 25 messages a second")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.serve:
        asyncio.run(serve_child())
    else:
        asyncio.run(measure(args))


if __name__ == "__main__":
    main()
