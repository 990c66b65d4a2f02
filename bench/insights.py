"""What the anonymous question log costs a question, and how long the network's report takes.

    python bench/insights.py [--rounds 400]

1. The same questions through `Conversation.ask` with the question log and without it (the baseline),
   interleaved in one run on one database: median and p95 latency, and the ratio.
2. The report for the generated half-year (tests/insights/activity.py): gathering the figures,
   drawing the charts, rendering HTML; median of a few runs.
Both on a real SQLite file with the bot's own settings (synchronous=FULL).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.chat.conversation import Who
from bot.core import open_core
from bot.insights.generate import make_report
from bot.insights.period import Period
from bot.insights.render import html_page
from tests.helpers import TZ, clock_at, make_settings
from tests.insights.activity import generate

QUESTIONS = ("zwemmen", "film dit weekend", "yoga", "fiets lenen", "bel me op 0470 12 34 56", "iets voor de kinderen")


def describe(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(0.95 * (len(samples) - 1))]
    return f"{name:<22} median {statistics.median(samples) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"


async def question_cost(folder: Path, rounds: int) -> None:
    clock = clock_at(2027, 3, 10, 10, 0)
    core = await open_core(make_settings(folder), clock=clock)
    try:
        log = core.conversation.question_log
        with_log: list[float] = []
        without: list[float] = []
        for i in range(rounds):
            who = Who(1000 + i % 50, 1000 + i % 50)
            text = QUESTIONS[i % len(QUESTIONS)]
            for logged in (i % 2 == 0, i % 2 == 1):  # alternate the order, so neither side warms the other
                core.conversation.question_log = log if logged else None
                started = time.perf_counter()
                await core.conversation.ask(who, text)
                (with_log if logged else without).append(time.perf_counter() - started)
            clock.advance(dt.timedelta(minutes=3))
        core.conversation.question_log = log
        print(describe("ask with question log", with_log))
        print(describe("ask without (baseline)", without))
        extra = statistics.median(with_log) - statistics.median(without)
        ratio = statistics.median(with_log) / statistics.median(without)
        print(f"ratio of medians: {ratio:.2f}  (extra {1000 * extra:.2f} ms a question)")
    finally:
        await core.close()


async def report_time(folder: Path, runs: int) -> None:
    clock = clock_at(2026, 12, 1, 7, 0)
    settings = dataclasses.replace(make_settings(folder), database_path=folder / "halfyear.sqlite3")
    core = await open_core(settings, clock=clock)
    try:
        ledger = await generate(core, clock)
        await core.db.execute("PRAGMA synchronous = FULL")
        period = Period(dt.date(2027, 1, 1), dt.date(2027, 6, 30))
        times: dict[str, list[float]] = {"figures only": [], "figures + charts + HTML": []}
        for _ in range(runs):
            started = time.perf_counter()
            await make_report(core.db, core.texts, core.analyzer, period, now=clock.now(), tz=TZ, with_charts=False)
            times["figures only"].append(time.perf_counter() - started)
            started = time.perf_counter()
            report = await make_report(core.db, core.texts, core.analyzer, period, now=clock.now(), tz=TZ)
            page = html_page(report)
            times["figures + charts + HTML"].append(time.perf_counter() - started)
        print(f"half-year: {len(ledger.questions)} questions; HTML page {len(page) / 1024:.0f} KiB")
        for name, samples in times.items():
            print(describe(name, samples))
    finally:
        await core.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        await question_cost(Path(folder), args.rounds)
        await report_time(Path(folder), args.runs)


if __name__ == "__main__":
    asyncio.run(main())
