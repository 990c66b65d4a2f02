#!/usr/bin/env python3
"""Learn the need space (bot/teach/needspace.py) from the studied question sets and write data/need_space.npz.

    .venv/bin/python scripts/train_need_space.py            # train on every studied set, write the file
    .venv/bin/python scripts/train_need_space.py --report   # also: train without teach_e/teach_f, test on them

Each answerable question is labelled with the first offer it expects, each out-of-scope question of the teaching
sets with its referral topic: questions with the same label ask for the same thing. A blind set is never read
here (heldout19 and later, teach_g and later). The report holds teach_e/teach_f out: for each question of
teach_f, does the nearest question of teach_e ask for the same thing, by the raw cosine and in the need space?
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.teach.needspace import NEED_SPACE_FILE, train  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
HELDOUT = [FIXTURES / f"heldout{n}_queries.jsonl" for n in ("", *range(2, 19))]  # heldout18 after its blind run
TEACHING = [FIXTURES / "teach" / f"teach_{s}.jsonl" for s in "abcdef"]  # e and f after their blind run
HELD_OUT = ("teach_e", "teach_f")


def rows(paths: list[Path]) -> list[dict]:
    found = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["set"] = path.stem
                found.append(row)
    return found


def label(row: dict) -> str | None:
    if row["expect"]:
        return str(row["expect"][0])
    refer = row.get("refer")
    return f"refer:{refer}" if refer else None


def same_need(a: dict, b: dict) -> bool:
    return set(a["expect"]) == set(b["expect"]) and (bool(a["expect"]) or a.get("refer") == b.get("refer"))


def report(embed, model: str) -> None:
    training = [r for r in rows(HELDOUT + TEACHING) if r["set"] not in HELD_OUT and label(r)]
    space = train(np.stack([embed(r["q"]) for r in training]), [str(label(r)) for r in training], model=model)
    first, second = (rows([FIXTURES / "teach" / f"{name}.jsonl"]) for name in HELD_OUT)
    raw_first = np.stack([embed(r["q"]) for r in first])
    raw_second = np.stack([embed(r["q"]) for r in second])
    projected_first = np.stack([space.project(v) for v in raw_first])
    projected_second = np.stack([space.project(v) for v in raw_second])
    for name, a, b in (("raw cosine", raw_first, raw_second), ("need space", projected_first, projected_second)):
        nearest = np.argmax(b @ a.T, axis=1)
        share = np.mean([same_need(first[j], second[i]) for i, j in enumerate(nearest)])
        print(f"{name:>11}: the nearest question of teach_e asks the same as teach_f's for {share:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", action="store_true", help="also test on teach_e/teach_f held out")
    args = parser.parse_args()
    from bot.search.semantic.model import shared_embedder

    embedder = shared_embedder()
    if not embedder.available:
        raise SystemExit(f"the model cannot run here: {embedder.reason}")
    if args.report:
        report(embedder.query, embedder.model_id)
    training = [r for r in rows(HELDOUT + TEACHING) if label(r)]
    vectors = np.stack([embedder.query(r["q"]) for r in training])
    space = train(vectors, [str(label(r)) for r in training], model=embedder.model_id)
    out = ROOT / "data" / NEED_SPACE_FILE
    space.save(out)
    print(f"{out.relative_to(ROOT)}: {len(training)} questions, {len({label(r) for r in training})} answers")


if __name__ == "__main__":
    main()
