"""Questions in the newcomers' languages: hit@1, hit@3 and abstention per language, beside plain FTS5 BM25.

    python bench/languages.py                 # lang1-lang3 (studied) and lang4 (blind): totals
    python bench/languages.py --set lang1     # one set
    python bench/languages.py --set lang1 --misses   # lang1's misses

The sets (tests/fixtures/lang1_queries.jsonl, lang2_queries.jsonl) hold questions about data/offers.json
in English, French, Ukrainian, Arabic, Turkish and Russian, written as newcomers type them, with the
fields of the Dutch sets plus `lang`, and are judged like bench/search_quality.py: hit@k is the share of
answerable questions with an expected offer among the first k results, abstention the share of
`expect: []` questions answered with nothing at all.

The bot is asked as `python -m bot ask` asks it by default: the language is detected from the question
alone (as for a person whose Telegram gives no language), then the question is searched through its
Dutch gloss with the model reading the original (bot/search/service.py). "detected" is the share of
questions whose language was recognised. The baseline is plain SQLite FTS5 BM25 on the raw question
over the raw offer text, in the same run. lang1, lang2 and lang3 are all studied sets (lang2 and lang3
were each measured blind once, then opened for study); a set listed in BLIND prints only its totals per
language and per kind, never a question or a miss.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_quality import Ranker, Tally, build_matcher, fts_baseline  # noqa: E402

from bot.lang.detect import question_language  # noqa: E402
from bot.lang.gloss import load_glossaries  # noqa: E402
from bot.lang.languages import DUTCH, LANGUAGES  # noqa: E402
from bot.offers.fileformat import read_offer_file  # noqa: E402
from bot.search.semantic.model import shared_embedder  # noqa: E402
from bot.search.service import SearchService  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SETS = {name: FIXTURES / f"{name}_queries.jsonl" for name in ("lang1", "lang2", "lang3", "lang4")}
BLIND: frozenset[str] = frozenset({"lang4"})  # totals only; lang2 and lang3 were each measured blind once, then studied


class BotRanker:
    """The bot as `ask` runs it by default; remembers the language it read the last question in."""

    def __init__(self, service: SearchService) -> None:
        self.service = service
        self.last_lang = DUTCH

    def __call__(self, question: str, today: dt.date) -> list[str]:
        self.last_lang = question_language(question, current=DUTCH)
        return [h.offer_id for h in self.service.search_sync(question, today=today, lang=self.last_lang).hits]


def evaluate(name: str, rankers: dict[str, Ranker], queries: list[dict], show_misses: bool) -> None:
    groups = ["all", *[f"lang {code}" for code in LANGUAGES if any(q["lang"] == code for q in queries)]]
    groups += [f"kind {kind}" for kind in sorted({q["kind"] for q in queries})]
    tallies: dict[str, dict[str, Tally]] = {r: defaultdict(Tally) for r in rankers}
    detected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q in queries:
        today = dt.date.fromisoformat(q["today"])
        for ranker_name, ranker in rankers.items():
            ranked = ranker(q["q"], today)
            good = tallies[ranker_name]["all"].add(q["expect"], ranked)
            tallies[ranker_name][f"lang {q['lang']}"].add(q["expect"], ranked)
            tallies[ranker_name][f"kind {q['kind']}"].add(q["expect"], ranked)
            if ranker_name == "bot":
                lang = ranker.last_lang if isinstance(ranker, BotRanker) else DUTCH
                detected[q["lang"]][0] += lang == q["lang"]
                detected[q["lang"]][1] += 1
                if show_misses and not good:
                    print(
                        f"  miss [{q['lang']} {q['kind']}] {q['q']!r} (read as {lang}) -> {ranked[:3]} "
                        f"expected {q['expect'][:4]}"
                    )
    print(f"\n== {name}: {len(queries)} questions ==")
    print(f"{'':<16}" + "".join(f"{r:>24}" for r in rankers) + f"{'detected':>10}")
    print(f"{'':<16}" + "".join(f"{'hit@1 hit@3 abst':>24}" for _ in rankers))
    for group in groups:
        cells = []
        for r in rankers:
            t = tallies[r][group]
            if t.answerable + t.unanswerable == 0:
                cells.append(f"{'':>24}")
                continue
            h1, h3, ab = t.row()
            cells.append(f"{h1:>10} {h3:>5} {ab:>6}")
        found = ""
        if group.startswith("lang "):
            hits, total = detected[group[5:]]
            found = f"{hits:>6}/{total}"
        elif group == "all":
            found = f"{sum(h for h, _ in detected.values()):>6}/{sum(t for _, t in detected.values())}"
        print(f"{group:<16}" + "".join(cells) + f"{found:>10}")


async def run(names: list[str], show_misses: bool) -> None:
    embedder = shared_embedder()
    print(f"model: {embedder.model_id}" if embedder.available else f"model: none ({embedder.reason})")
    glossaries = load_glossaries(ROOT / "data" / "glossary")
    offers = read_offer_file(ROOT / "data" / "offers.json")
    for name in names:
        path = SETS[name]
        if not path.exists():
            print(f"(no {path.name}: skipping {name})")
            continue
        queries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            service = await build_matcher(offers, Path(tmp) / "bench.sqlite3", embedder)
            service.glossaries = dict(glossaries)
            try:
                rankers: dict[str, Ranker] = {"bot": BotRanker(service), "FTS5 BM25 raw": fts_baseline(offers)}
                evaluate(name, rankers, queries, show_misses and name not in BLIND)
            finally:
                service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--misses", action="store_true", help="list the bot's misses (never for a blind set)")
    args = parser.parse_args()
    asyncio.run(run(list(SETS) if args.set == "all" else [args.set], args.misses))


if __name__ == "__main__":
    main()
