"""Synthetic Dutch offer corpora of any size, for the speed benchmarks (fixed seed, reproducible).

Offers are recombined from the words of the real sample (data/offers.json) plus a long tail of
made-up place and person names, so the vocabulary grows with the corpus as it would in reality,
and a realistic mix of weekly, monthly, one-off and undated offers.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from bot.offers.model import KINDS, Offer

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = [
    "ber", "bil", "zen", "hoe", "mun", "ster", "rijk", "ho", "ven", "eik", "wal", "twil", "der", "mo", "per",
    "tin", "gen", "hees", "spou", "wen", "kle", "ne", "grot", "la", "an", "ver", "ste", "beek", "dam", "ken",
]  # fmt: skip
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _sample_vocabulary() -> dict[str, list]:
    offers = json.loads((ROOT / "data" / "offers.json").read_text(encoding="utf-8"))["offers"]
    offers += json.loads((ROOT / "tests" / "fixtures" / "eval" / "offers.json").read_text(encoding="utf-8"))["offers"]
    return {
        "titles": [o["title"] for o in offers],
        "summaries": [o["summary"] for o in offers if o.get("summary")],
        "sentences": [s.strip() + "." for o in offers for s in (o.get("description") or "").split(".") if s.strip()],
        "keywords": sorted({k for o in offers for k in o.get("keywords", [])}),
        "categories": sorted({c for o in offers for c in o.get("categories", [])}),
        "organizers": sorted({o["organizer"] for o in offers if o.get("organizer")}),
        "transport": [o["transport"] for o in offers if o.get("transport")],
        "eligibility": [o["eligibility"] for o in offers if o.get("eligibility")],
    }


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _vary(sentence: str, rng: random.Random, pool: list[str]) -> str:
    """The sentence with about a third of its longer words replaced by words from a Zipf-like pool.

    Real offers do not share whole sentences; this keeps their style and common words (kinderen,
    gratis, samen) but gives each offer its own words, so word frequencies look like a real corpus.
    """
    out = []
    for word in sentence.split():
        if len(word) > 4 and rng.random() < 0.35:
            word = pool[min(int(rng.paretovariate(1.1)) - 1, len(pool) - 1)]
        out.append(word)
    return " ".join(out)


def generate(count: int, *, seed: int = 7, start: dt.date = dt.date(2027, 1, 4)) -> list[Offer]:
    """`count` valid offers; the same seed gives the same corpus."""
    rng = random.Random(seed)
    words = _sample_vocabulary()
    pool_rng = random.Random(seed + 1)
    pool = sorted({w.strip(".,:;!?()").lower() for s in words["sentences"] for w in s.split() if len(w) > 4})
    pool += ["".join(pool_rng.choice(SYLLABLES) for _ in range(3)) for _ in range(40_000)]
    offers = []
    for number in range(count):
        kind = rng.choices(KINDS, weights=(6, 2, 1, 1))[0]
        place = _name(rng)
        title = f"{rng.choice(words['titles'])} in {place}" if rng.random() < 0.5 else rng.choice(words["titles"])
        when = None
        roll = rng.random()
        first = dt.datetime.combine(start + dt.timedelta(days=rng.randrange(300)), dt.time(rng.choice([9, 10, 14, 19])))
        if kind == "activity" and roll < 0.5:
            until = (first + dt.timedelta(days=rng.choice([60, 120, 180, 365]))).strftime("%Y%m%dT235959")
            rule = rng.choice([f"FREQ=WEEKLY;BYDAY={rng.choice(DAYS)}", f"FREQ=MONTHLY;BYDAY=1{rng.choice(DAYS)}",
                               f"FREQ=WEEKLY;INTERVAL=2;BYDAY={rng.choice(DAYS)}"])  # fmt: skip
            end = first + dt.timedelta(hours=2)
            when = {
                "start": f"{first:%Y-%m-%dT%H:%M}",
                "end": f"{end:%Y-%m-%dT%H:%M}",
                "rrule": f"{rule};UNTIL={until}",
            }
        elif kind == "activity" or roll < 0.1:
            when = {
                "start": first.strftime("%Y-%m-%dT%H:%M"),
                "end": (first + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            }
        regular = rng.choice([None, 0, 2, 4, 5, 8, 10, 15, 30])
        low = rng.choice([None, None, 3, 6, 12, 16, 55, 60])
        offer = {
            "id": f"aanbod-{number}",
            "kind": kind,
            "title": title,
            "summary": _vary(rng.choice(words["summaries"]), rng, pool),
            "description": " ".join(_vary(s, rng, pool) for s in rng.sample(words["sentences"], 3))
            + f" Meer info bij {_name(rng)} {_name(rng)}.",
            "categories": rng.sample(words["categories"], 2),
            "keywords": [*rng.sample(words["keywords"], 6), place.lower()],
            "organizer": rng.choice(words["organizers"]) if rng.random() < 0.7 else f"Vereniging {_name(rng)}",
            "location": {
                "name": f"Zaal {_name(rng)}",
                "address": f"{_name(rng)}straat {rng.randint(1, 200)}, 3740 {place}",
            },
            "audience": {"min_age": low, "max_age": None, "groups": ["iedereen"] if low is None else ["volwassenen"]},
            "price": {
                "regular": regular,
                "reduced": None if regular is None else round(regular * 0.2, 2),
                "note": None,
            },
            "when": when,
            "registration": None,
            "contact": {"phone": f"089 00 {number % 100:02d} {number % 97:02d}", "email": None, "url": None},
            "transport": rng.choice(words["transport"]),
            "eligibility": rng.choice(words["eligibility"]),
        }
        offers.append(Offer.from_dict(offer))
    return offers
