"""Benchmark: a reminder batch through the real sender, against the fake Bot API server.

    python bench/reminders.py [--users 5000] [--double 100] [--baseline-users 1000]

Every user has a reminder due at the same minute (hh:mm:00); `--double` of them have a second
one for another activity at the same minute (Telegram allows one message a second per chat).
The fake Telegram server runs in this process; the bot runs as a child process exactly as in
production (`build_application` + JobQueue + PTB's AIORateLimiter + SQLite file), so it can be
killed with SIGKILL and restarted on the same database file.

Runs, each on a fresh database and server:
  1. baseline: PTB's AIORateLimiter as first configured (a bucket of `messages_per_second`
     refilled each second), fewer users: the burst it allows.
  2. clean: the configured limiter (handlers/app.py), all users: achieved rate vs the limit, peak in
     any one-second window, lateness after the due minute, lost and duplicated messages.
  3. kill: the same, SIGKILL when half has been sent, restart at once: lost and duplicated.

Quiet hours are switched off (quiet_start = quiet_end) so the bench can run at any time of day.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import itertools
import math
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.core import open_core  # noqa: E402
from bot.offers.model import Offer  # noqa: E402
from bot.platform.calendar import ManualClock, local_naive  # noqa: E402
from bot.platform.config import load_settings, parse_settings  # noqa: E402
from tests.fakebotapi import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
TELEGRAM_LIMIT = 30  # messages per second overall, Telegram's own figure
# Seconds between the start of a run and the due moment: preparing the data (about 3 ms a user
# here) and starting the bot (about 3 s).
PREP_FIXED, PREP_PER_USER = 8.0, 0.005


# --- the child: the bot, as in production ----------------------------------------------------------


async def child(config: Path, limiter: str) -> None:
    """Run the bot's Application (no polling needed: reminders are sent by the JobQueue) until SIGTERM."""
    import logging

    from telegram.ext import AIORateLimiter

    import handlers.app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = load_settings(config, environ={})
    if limiter == "bucket":  # the baseline: PTB's limiter as first configured in handlers/app.py

        def bucket(s):  # type: ignore[no-untyped-def]
            return AIORateLimiter(
                overall_max_rate=s.reminders.messages_per_second,
                overall_time_period=1,
                group_max_rate=20,
                group_time_period=60,
                max_retries=2,
            )

        handlers.app.rate_limiter = bucket  # type: ignore[assignment]
    app, core = await handlers.app.open_bot(settings, load_sample=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with app:
            await app.start()
            await stop.wait()
            core.dispatcher.request_stop()
            await app.stop()
    finally:
        await core.close()


# --- the parent: data, server, measurements --------------------------------------------------------


@dataclasses.dataclass
class Run:
    name: str
    users: int
    double: int
    limiter: str
    kill_at: int | None = None


def write_config(folder: Path, api: FakeBotApi) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f"""[telegram]
token = "{TOKEN}"
api_base_url = "{api.base_url}"
api_file_url = "{api.base_file_url}"

[database]
path = "bot.sqlite3"

[data]
dir = "{ROOT / "data"}"

[reminders]
quiet_start = "00:00"
quiet_end = "00:00"
""",
        encoding="utf-8",
    )
    return config


async def prepare(config: Path, run: Run, due: dt.datetime) -> float:
    """People and their "2 uur op voorhand" reminders, all due at `due`; returns seconds taken."""
    started = time.perf_counter()
    settings = load_settings(config, environ={})
    clock = ManualClock(due - dt.timedelta(hours=1))  # subscribed an hour before the due minute
    core = await open_core(settings, clock=clock, load_sample=False)
    try:
        start = local_naive(due, settings.timezone) + dt.timedelta(hours=settings.reminders.hours_before)
        offers = []
        for name in ("a", "b"):
            offer = Offer.from_dict(
                {
                    "id": f"bench-{name}",
                    "kind": "activity",
                    "title": f"Benchmark-activiteit {name.upper()}",
                    "location": {"name": "Sporthal", "address": "Kimpelstraat 1, 3740 Bilzen"},
                    "price": {"regular": 5, "reduced": 1},
                    "when": {
                        "start": f"{start:%Y-%m-%dT%H:%M}",
                        "end": f"{start + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}",
                    },
                }
            )
            offers.append(await core.offers.save(offer, source="bench", actor="bench", status="published"))
        for user in range(1, run.users + 1):
            await core.people.seen(user, user)
            await core.reminders.subscribe(user, offers[0].pk, day_before=False, hours_before=True, every_time=False)
            if user <= run.double:
                await core.reminders.subscribe(
                    user, offers[1].pk, day_before=False, hours_before=True, every_time=False
                )
    finally:
        await core.close()
    return time.perf_counter() - started


async def spawn(config: Path, limiter: str, log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        str(config),
        "--limiter",
        limiter,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"),
        cwd=str(ROOT),
    )


def outbox_open(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
        return conn.execute("SELECT count(*) FROM outbox WHERE state IN ('planned', 'sending')").fetchone()[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def run_once(run: Run, limit: float) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-reminders-{run.name}-"))
    expected = run.users + run.double
    async with FakeBotApi(token=TOKEN) as api:
        config = write_config(folder, api)
        now = dt.datetime.now(dt.UTC)
        budget = PREP_FIXED + PREP_PER_USER * (run.users + run.double)
        # Offers are planned in whole minutes: the batch is due at the next hh:mm:00 after the budget.
        due = (now + dt.timedelta(seconds=budget)).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        prep = await prepare(config, run, due)
        if dt.datetime.now(dt.UTC) > due - dt.timedelta(seconds=3):
            raise SystemExit(f"preparing took {prep:.1f} s, longer than planned: raise PREP_PER_USER")
        # The same moment on the server's monotonic clock, to measure lateness from the due minute.
        due_mono = time.monotonic() + (due - dt.datetime.now(dt.UTC)).total_seconds()
        log = folder / "bot.log"
        bot = await spawn(config, run.limiter, log)
        wait = max(due_mono - time.monotonic(), 0)
        print(f"  {run.name}: {expected} reminders for {run.users} users due at {due:%H:%M:%S} UTC "
              f"(prepared in {prep:.1f} s, due in {wait:.0f} s)", flush=True)  # fmt: skip
        restart_gap = 0.0
        deadline = due_mono + expected / limit * 3 + 60
        killed = False
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            sent = api.rate.total
            if run.kill_at is not None and not killed and sent >= run.kill_at:
                killed_at = time.monotonic()
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
                bot = await spawn(config, run.limiter, log)
                killed = True
                print(f"  {run.name}: SIGKILL after {sent} sends, restarted", flush=True)
            if sent >= expected and outbox_open(folder / "bot.sqlite3") == 0:
                break
        if killed:
            after = [t for t in api.rate.timestamps() if t > killed_at]
            restart_gap = (after[0] - killed_at) if after else float("nan")
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
        ok_sends = [c for c in api.calls_to("sendMessage") if c.ok]
        per_message = Counter((c.chat_id, "Benchmark-activiteit B" in str(c.params.get("text"))) for c in ok_sends)
        wanted = {(u, False) for u in range(1, run.users + 1)} | {(u, True) for u in range(1, run.double + 1)}
        lost = len(wanted - set(per_message))
        duplicated = sum(n - 1 for n in per_message.values() if n > 1)
        stamps = api.rate.timestamps()
        lateness = [t - due_mono for t in stamps]
        chat_peak = max((api.rate.peak(1.0, chat) for chat in range(1, run.double + 1)), default=1)
        statuses = Counter(c.status for c in api.calls_to("sendMessage"))
        gaps = sorted(b - a for a, b in itertools.pairwise(stamps))
        return {
            "sent": len(stamps),
            "rate": api.rate.rate(),
            "peak": api.rate.peak(1.0),
            "chat_peak": chat_peak,
            "p50": statistics.median(lateness) if lateness else float("nan"),
            "p99": percentile(lateness, 99) if lateness else float("nan"),
            "first": min(lateness) if lateness else float("nan"),
            "lost": lost,
            "duplicated": duplicated,
            "restart_gap": restart_gap,
            "errors": sum(n for status, n in statuses.items() if status != 200),
            "gap_p50": gaps[len(gaps) // 2] * 1000 if gaps else float("nan"),
            "gap_p99": percentile(gaps, 99) * 1000 if gaps else float("nan"),
            "gap_max": gaps[-1] * 1000 if gaps else float("nan"),
        }


def report(name: str, result: dict[str, float], limit: float, expected: int) -> None:
    ideal = expected / limit
    r = result
    print(f"\n{name}")
    print(f"  sent {r['sent']:.0f} of {expected}; lost {r['lost']:.0f}, duplicated {r['duplicated']:.0f}")
    print(f"  non-200 answers from the server: {r['errors']:.0f}")
    print(f"  achieved rate {r['rate']:.2f} msg/s = {r['rate'] / limit:.3f} of the limit {limit:g}/s")
    print(f"  peak in any 1 s window: {r['peak']:.0f} msg = {r['peak'] / limit:.2f} of the limit (Telegram: ~30)")
    print(f"  gap between sends: median {r['gap_p50']:.1f} ms, p99 {r['gap_p99']:.1f} ms, max {r['gap_max']:.0f} ms")
    print(f"  peak per chat in any 1 s window: {r['chat_peak']:.0f} msg (Telegram: 1)")
    print(f"  lateness after the due moment: first {r['first']:.2f} s, median {r['p50']:.1f} s, p99 {r['p99']:.1f} s")
    print(f"  p99 lateness / ideal at the limit ({ideal:.0f} s): {r['p99'] / ideal:.2f}")
    if not math.isnan(r["restart_gap"]) and r["restart_gap"]:
        print(f"  restart: first message {r['restart_gap']:.1f} s after the SIGKILL")


async def main(args: argparse.Namespace) -> int:
    settings = parse_settings({}, environ={})  # the defaults: what config.example.toml documents
    limit = settings.reminders.messages_per_second
    runs = [
        ("1. baseline: PTB bucket limiter (25 per 1 s)", Run("baseline", args.baseline_users, 0, "bucket")),
        ("2. clean: configured limiter (1 per 1/25 s)", Run("clean", args.users, args.double, "smooth")),
        (
            "3. SIGKILL halfway and restart",
            Run("kill", args.users, args.double, "smooth", kill_at=(args.users + args.double) // 2),
        ),
    ]
    results = {}
    for title, run in runs:
        if args.only and run.name not in args.only:
            continue
        results[run.name] = (title, run, await run_once(run, limit))
    print("\n=== bench/reminders.py ===")
    for title, run, result in results.values():
        report(title, result, limit, run.users + run.double)
    if "baseline" in results and "clean" in results:
        base, clean = results["baseline"][2], results["clean"][2]
        print(f"\npeak 1 s window, configured vs baseline: {clean['peak']:.0f} vs {base['peak']:.0f} "
              f"(ratio {clean['peak'] / base['peak']:.2f})")  # fmt: skip
    failed = []
    if "clean" in results:
        clean = results["clean"][2]
        if clean["lost"] or clean["duplicated"]:
            failed.append("clean run lost or duplicated messages")
        if not 0.9 * limit <= clean["rate"] <= limit:
            failed.append("clean run's rate outside [0.9, 1.0] of the limit")
        if clean["peak"] > TELEGRAM_LIMIT or clean["chat_peak"] > 1:
            failed.append("clean run above Telegram's limits in some second")
    if "kill" in results:
        kill = results["kill"][2]
        if kill["lost"] or kill["duplicated"] > 1:
            failed.append("kill run lost a message or duplicated more than one")
    print("\nRESULT: " + ("all targets met" if not failed else "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--double", type=int, default=100, help="users with a second reminder in the same minute")
    parser.add_argument("--baseline-users", type=int, default=1000)
    parser.add_argument("--only", action="append", choices=("baseline", "clean", "kill"))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limiter", default="smooth", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        asyncio.run(child(arguments.child, arguments.limiter))
        sys.exit(0)
    sys.exit(asyncio.run(main(arguments)))
