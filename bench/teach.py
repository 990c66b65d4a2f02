"""Teaching: does what a coordinator taught from one set of questions answer other wordings of the same needs?

    python bench/teach.py                 # teach from teach_a, measure teach_b (with the model when installed)
    python bench/teach.py --no-model      # the same with words only
    python bench/teach.py --check 50      # teach 50 links, then run every question set: what changed?
    python bench/teach.py --first teach_c --second teach_d   # later pairs: c/d, e/f (studied), g/h (blind)

Each question takes the path of `python -m bot ask`: the care check first (a crisis gets no offer; distress
and money worries the search without their trouble words, and no lesson), then the search with the model,
then what was taught.

1. teach_a (160 questions) goes through the bot. A simulated coordinator links each missed question once
   to its expected offers, and refers each out-of-scope question ('expect': []) with a referral.
2. teach_b holds other wordings of the same 160 needs (line i of b is line i of a). It is measured before
   and after teaching: hit@3 on answerable questions, abstention on the others (a referral is no leisure
   offer, so it abstains), and how many of b's misses the teaching fixed. teach_b is blind: only totals
   and per-kind figures are printed, never a question.
3. --check N: N links taught from teach_a (its misses first, then other questions with their expected
   offers); every set of bench/search_quality.py is run with and without them. An answer may only change
   where a lesson meant to change it: a lesson's offer now among the first three, expected by the question.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_quality import SETS, Tally  # noqa: E402
from bot.care.data import load_care  # noqa: E402
from bot.care.desk import CareDesk, second_opinion  # noqa: E402
from bot.care.detect import Detector  # noqa: E402
from bot.care.probe import CareProbe  # noqa: E402
from bot.core import care_probe, need_space  # noqa: E402
from bot.offers.fileformat import read_offer_file  # noqa: E402
from bot.offers.store import OfferStore  # noqa: E402
from bot.platform.calendar import ManualClock, load_holidays  # noqa: E402
from bot.platform.config import PROJECT_ROOT  # noqa: E402
from bot.platform.db import Database  # noqa: E402
from bot.search.analyzer import Analyzer  # noqa: E402
from bot.search.lexicon import load_lexicon  # noqa: E402
from bot.search.matcher import SearchResult  # noqa: E402
from bot.search.semantic.model import shared_embedder  # noqa: E402
from bot.search.semantic.vectors import VectorKeeper  # noqa: E402
from bot.search.service import SearchService  # noqa: E402
from bot.teach.likeness import Embed  # noqa: E402
from bot.teach.store import LessonStore  # noqa: E402
from bot.teach.teacher import Taught, Teacher  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "teach"
TZ = ZoneInfo("Europe/Brussels")
ACTOR = "bench"


@dataclass
class Bot:
    db: Database
    search: SearchService
    teacher: Teacher
    detector: Detector
    probe: CareProbe | None = None

    async def ask(self, question: str, today: dt.date) -> Taught:
        """The path of `python -m bot ask` (bot/cli.py): the care check first; a crisis gets no offer at all,
        distress and money worries the search without their trouble words, and teaching only the rest."""
        assessment = self.detector.assess(question)
        if assessment.category is None and self.probe is not None and (guess := self.probe.guess(question)):
            assessment = second_opinion(assessment, guess, question)
        if assessment.crisis:
            return Taught(SearchResult(self.search.parse_sync(question, today=today), (), reason="out_of_scope"))
        result = self.search.search_sync(CareDesk.searched(question, assessment), today=today)
        if assessment.category is not None:
            return Taught(result)
        return await self.teacher.apply(question, result, today=today, count=False)

    async def close(self) -> None:
        self.search.close()
        await self.db.close()


def load_model(wanted: bool) -> Embed | None:
    if not wanted:
        return None
    embedder = shared_embedder()  # the bot's own model, as bot/core.py passes it to teaching
    if not embedder.available:
        print(f"(no model: {embedder.reason}; measuring with words only)")
        return None
    embedder.query("warm")  # load the model before anything is timed
    return embedder.query


async def open_bot(offers_path: Path, folder: Path, embed: Embed | None) -> Bot:
    """The bot as bot/core.py wires it: with the model, the search and the teacher both use it."""
    clock = ManualClock(dt.datetime(2026, 11, 26, 12, tzinfo=TZ))
    analyzer = Analyzer(load_lexicon(PROJECT_ROOT / "data" / "lexicon.toml"))
    path = folder / "teach.sqlite3"
    db = await Database.open(path)
    await OfferStore(db, analyzer, clock, TZ).save_many(read_offer_file(offers_path), source="bench", actor=ACTOR)
    embedder = shared_embedder() if embed is not None else None
    if embedder is not None:
        await VectorKeeper(db, embedder).fill()
    holidays = load_holidays(PROJECT_ROOT / "data" / "holidays.toml")
    search = SearchService(path, analyzer, clock=clock, tz=TZ, holidays=holidays, town="Bilzen", embedder=embedder)
    space = need_space(PROJECT_ROOT / "data", embedder) if embedder is not None else None
    teacher = Teacher(LessonStore(db, clock), search, db, clock=clock, tz=TZ, embed=embed, need_space=space)
    detector = Detector(load_care(PROJECT_ROOT / "data" / "care.toml"))
    probe = care_probe(PROJECT_ROOT / "data", embedder) if embedder is not None else None
    return Bot(db, search, teacher, detector, probe)


def read(name: str) -> list[dict]:
    path = FIXTURES / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def good(row: dict, ids: list[str]) -> bool:
    return bool(set(ids[:3]) & set(row["expect"])) if row["expect"] else not ids


async def answers(bot: Bot, rows: list[dict]) -> list[Taught]:
    return [await bot.ask(row["q"], dt.date.fromisoformat(row["today"])) for row in rows]


def ids(taught: Taught) -> list[str]:
    return [h.offer_id for h in taught.result.hits[:3]]


def tally(rows: list[dict], found: list[Taught]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row, taught in zip(rows, found, strict=True):
        for key in ("all", row["kind"]):
            tallies[key].add(row["expect"], ids(taught))
    return tallies


def print_tallies(title: str, before: dict[str, Tally], after: dict[str, Tally]) -> None:
    print(f"\n== {title} ==")
    print(f"{'kind':<12}{'before':>20}{'after':>20}")
    print(f"{'':<12}{'hit@1 hit@3 abst':>20}{'hit@1 hit@3 abst':>20}")
    for kind in ["all", *sorted(k for k in before if k != "all")]:
        cells = []
        for t in (before[kind], after[kind]):
            h1, h3, ab = t.row()
            cells.append(f"{h1:>8} {h3:>5} {ab:>5}")
        print(f"{kind:<12}" + "".join(cells))


async def teach_misses(bot: Bot, rows: list[dict], found: list[Taught], *, every: bool = False) -> tuple[int, int]:
    """The simulated coordinator: every missed question linked once (with `every`: every question, as when
    a coordinator reads all conversations); every out-of-scope one referred."""
    links = referrals = 0
    for row, taught in zip(rows, found, strict=True):
        if row["expect"] and (every or not good(row, ids(taught))):
            await bot.teacher.store.add("link", [row["q"]], offers=row["expect"], actor=ACTOR)
            links += 1
        elif not row["expect"]:
            note = f"Doorverwijzing {row.get('refer') or 'elders'}"
            await bot.teacher.store.add("refer", [row["q"]], note=note, actor=ACTOR)
            referrals += 1
    return links, referrals


async def measure(embed: Embed | None, *, every: bool = False, first: str = "teach_a", second: str = "teach_b") -> None:
    a_rows, b_rows = read(first), read(second)
    with tempfile.TemporaryDirectory() as tmp:
        bot = await open_bot(ROOT / "data" / "offers.json", Path(tmp), embed)
        try:
            a_before = await answers(bot, a_rows)
            b_before = await answers(bot, b_rows)
            links, referrals = await teach_misses(bot, a_rows, a_before, every=every)
            started = time.perf_counter()
            b_after = await answers(bot, b_rows)
            per_question = (time.perf_counter() - started) / len(b_rows)
            a_after = await answers(bot, a_rows)
        finally:
            await bot.close()
    model = "with the model" if embed is not None else "words only"
    print(f"\n{first}: {len(a_rows)} questions; the coordinator linked {links} and referred {referrals} ({model})")
    print_tallies(f"{first} (what was taught)", tally(a_rows, a_before), tally(a_rows, a_after))
    print_tallies(f"{second} (other wordings; totals only)", tally(b_rows, b_before), tally(b_rows, b_after))
    missed = [i for i, (r, t) in enumerate(zip(b_rows, b_before, strict=True)) if not good(r, ids(t))]
    fixed = [i for i in missed if good(b_rows[i], ids(b_after[i]))]
    broken = [
        i
        for i, (r, t) in enumerate(zip(b_rows, b_before, strict=True))
        if good(r, ids(t)) and not good(r, ids(b_after[i]))
    ]
    taught_pairs = {r["pair"] for r, t in zip(a_rows, a_before, strict=True) if not good(r, ids(t)) or not r["expect"]}
    fixable = [i for i in missed if b_rows[i]["pair"] in taught_pairs]
    linked = {
        o
        for r, t in zip(a_rows, a_before, strict=True)
        if r["expect"] and (every or not good(r, ids(t)))
        for o in r["expect"]
    }
    reachable = [i for i in missed if not b_rows[i]["expect"] or set(b_rows[i]["expect"]) & linked]
    referred = sum(1 for r, t in zip(b_rows, b_after, strict=True) if not r["expect"] and t.referral)
    right_referral = sum(
        1
        for r, t in zip(b_rows, b_after, strict=True)
        if not r["expect"] and t.referral and r.get("refer") and t.referral.endswith(" " + r["refer"])
    )
    unanswerable = sum(1 for r in b_rows if not r["expect"])
    silent = sum(1 for i in missed if not b_before[i].result.hits)
    wrong = len(missed) - silent
    print(f"\n{second} misses before teaching: {len(missed)} ({silent} without any answer, {wrong} wrong)")
    print(f"of those, {len(fixable)} are the other wording of a question the coordinator taught")
    print(f"and {len(reachable)} expect an offer the coordinator linked, or no offer (the most teaching can fix)")
    print(f"fixed by teaching: {len(fixed)} of {len(missed)} ({len(fixed) / max(1, len(missed)):.0%})")
    print(f"answers that got worse: {len(broken)}")
    print(f"out-of-scope questions referred: {referred} of {unanswerable} ({right_referral} to the right place)")
    changed = sum(1 for t in b_after if t.changed)
    print(f"{second} answers changed by a lesson: {changed}; {per_question * 1000:.1f} ms a question with teaching")


async def check(embed: Embed | None, count: int) -> None:
    """Teach `count` links from teach_a, then compare every question set's answers with and without them."""
    a_rows = read("teach_a")
    with tempfile.TemporaryDirectory() as tmp:
        bot = await open_bot(ROOT / "data" / "offers.json", Path(tmp), embed)
        try:
            before = await answers(bot, a_rows)
        finally:
            await bot.close()
    answerable = [(r, t) for r, t in zip(a_rows, before, strict=True) if r["expect"]]
    order = [r for r, t in answerable if not good(r, ids(t))] + [r for r, t in answerable if good(r, ids(t))]
    lessons = order[:count]
    print(f"\n== {len(lessons)} links taught from teach_a; every question set with and without them ==")
    print(f"{'set':<11}{'questions':>10}{'changed':>9}{'meant':>7}{'unmeant':>9}   hit@3 before/after  abst")
    total_unmeant = 0
    for name, (offers_path, queries_path) in SETS.items():
        if not queries_path.exists():
            continue
        rows = [json.loads(line) for line in queries_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            bot = await open_bot(offers_path, Path(tmp), embed)
            try:
                plain = await answers(bot, rows)  # the same path as after teaching: the care check first
                for row in lessons:
                    await bot.teacher.store.add("link", [row["q"]], offers=row["expect"], actor=ACTOR)
                taught = await answers(bot, rows)
            finally:
                await bot.close()
        changed = meant = 0
        t_before, t_after = Tally(), Tally()
        for row, before, after in zip(rows, plain, taught, strict=True):
            old = ids(before)
            new = ids(after)
            t_before.add(row["expect"], old)
            t_after.add(row["expect"], new)
            if old == new:
                continue
            changed += 1
            lesson = after.lesson
            if lesson is not None and set(lesson.offers) & set(new) & set(row["expect"]):
                meant += 1
        unmeant = changed - meant
        total_unmeant += unmeant
        (_, h3b, abb), (_, h3a, aba) = t_before.row(), t_after.row()
        figures = f"{h3b:>6} / {h3a:<6}       {abb:>5} / {aba}"
        print(f"{name:<11}{len(rows):>10}{changed:>9}{meant:>7}{unmeant:>9}   {figures}")
    print(f"answers changed without being meant to: {total_unmeant}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-model", action="store_true", help="words only, without the embedding model")
    parser.add_argument(
        "--second",
        default="teach_b",
        help="the set of other wordings (teach_b, blind; teach_dev: 40 the developer wrote for tuning)",
    )
    parser.add_argument(
        "--first", default="teach_a", help="the set the coordinator teaches from (teach_a; teach_c with teach_d)"
    )
    parser.add_argument("--every", action="store_true", help="link every teach_a question, not only the missed")
    parser.add_argument("--check", type=int, metavar="N", help="teach N links, then run every question set")
    args = parser.parse_args()
    embed = load_model(not args.no_model)
    if args.check:
        asyncio.run(check(embed, args.check))
    else:
        asyncio.run(measure(embed, every=args.every, first=args.first, second=args.second))


if __name__ == "__main__":
    main()
