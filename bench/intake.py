"""Intake quality: the share of forwarded texts whose draft has each field right, per fixture set.

    python bench/intake.py                       # both sets, totals per field
    python bench/intake.py --set blind           # only the blind set
    python bench/intake.py --save before.json    # keep these figures ...
    python bench/intake.py --against before.json # ... and print the change beside today's
    python bench/intake.py --set old --misses    # which texts miss which field (not for a set still blind)

Sets: `old` is tests/fixtures/intake (the studied set, 44 texts), `blind` is tests/fixtures/intake_blind
(51 announcements written by a helper who never saw the intake). Each text is read with
`extract_offer(text, today=expected["today"])`, exactly as the key-figure desk and `python -m bot draft` do.

What counts as right (decided before the blind set was first measured, and not changed since):
- title: both folded (lower case, accents and punctuation removed, spaces collapsed) and
  rapidfuzz `ratio` >= 85; an expected null title wants no title.
- start, rrule: the exact string (`YYYY-MM-DDTHH:MM`, the RRULE text); null wants null.
- end: the exact string, scored only on texts that state an end (expected not null): without a stated
  end the offer format still needs one, and the bot's default (start + 2 hours) is not a mistake.
- place: right when the place name matches (folded ratio >= 85) or the address has the same street and
  number; when neither is expected, the draft must have neither. place_name and address are also shown
  on their own (the same rules), for information.
- regular, reduced (price and reduced price): the same amount in euro (to the cent); null wants null.
- min_age, max_age, kind: exact.
- organizer: folded ratio >= 85, or both name the same known partner (bot.intake.partners, so
  "Cultuurcentrum De Kimpel" is "CC De Kimpel" but "Bibliotheek De Kimpel" is not); null wants null.
- phone: the same digits; email: the same address ignoring case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from bot.intake import extract_offer  # noqa: E402
from bot.intake.partners import canonical_partner  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SETS = {"old": FIXTURES / "intake", "blind": FIXTURES / "intake_blind"}
FIELDS = (
    "title",
    "start",
    "end",
    "place",
    "regular",
    "reduced",
    "organizer",
    "rrule",
    "min_age",
    "max_age",
    "phone",
    "email",
    "kind",
    "place_name",
    "address",
)
FUZZY = 85


def fold(text: str | None) -> str:
    """Lower case, no accents, punctuation as spaces, one space between words."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _similar(a: str | None, b: str | None) -> bool:
    return bool(a and b and fuzz.ratio(fold(a), fold(b)) >= FUZZY)


def _street(address: str | None) -> str | None:
    """'Kloosterstraat 3, 3740 Bilzen' -> 'kloosterstraat3': the street and number, nothing else."""
    m = re.match(r"\s*(.+?\d+[a-z]?)\b", fold(address))
    return re.sub(r"[^a-z0-9]", "", m.group(1)) if m else None


def _amount(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 0.005


def _digits(s: str | None) -> str | None:
    return re.sub(r"\D", "", s) if s else None


def _organizer(got: str | None, want: str | None) -> bool:
    if not got or not want:
        return not got and not want
    return _similar(got, want) or canonical_partner(got) == canonical_partner(want)


def score(offer: dict, exp: dict) -> dict[str, bool | None]:
    """Field -> right (True), wrong (False) or not scored for this text (None)."""
    when = offer.get("when") or {}
    loc = offer.get("location") or {}
    title = _similar(offer.get("title"), exp["title"]) if exp["title"] else not offer.get("title")
    name_ok = _similar(loc.get("name"), exp["place_name"]) if exp["place_name"] else not loc.get("name")
    addr_ok = (
        bool(loc.get("address")) and _street(loc.get("address")) == _street(exp["address"])
        if exp["address"]
        else not loc.get("address")
    )
    if exp["place_name"] is None and exp["address"] is None:
        place = not loc.get("name") and not loc.get("address")
    else:
        place = (bool(exp["place_name"]) and name_ok) or (bool(exp["address"]) and addr_ok)
    price = offer.get("price") or {}
    audience = offer.get("audience") or {}
    contact = offer.get("contact") or {}
    return {
        "title": title,
        "start": when.get("start") == exp["start"],
        "end": (when.get("end") == exp["end"]) if exp["end"] else None,
        "place": place,
        "regular": _amount(price.get("regular"), exp["regular"]),
        "reduced": _amount(price.get("reduced"), exp["reduced"]),
        "organizer": _organizer(offer.get("organizer"), exp["organizer"]),
        "rrule": when.get("rrule") == exp["rrule"],
        "min_age": audience.get("min_age") == exp["min_age"],
        "max_age": audience.get("max_age") == exp["max_age"],
        "phone": _digits(contact.get("phone")) == _digits(exp["phone"]),
        "email": (contact.get("email") or "").lower() == (exp["email"] or "").lower(),
        "kind": offer.get("kind") == exp["kind"],
        "place_name": name_ok,
        "address": addr_ok,
    }


def run_set(folder: Path) -> dict[str, dict[str, bool | None]]:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    out = {}
    for name, exp in expected.items():
        text = (folder / name).read_text(encoding="utf-8")
        offer = extract_offer(text, today=dt.date.fromisoformat(exp["today"])).offer
        out[name] = score(offer, exp)
    return out


def shares(results: dict[str, dict[str, bool | None]]) -> dict[str, tuple[int, int]]:
    """Field -> (right, scored)."""
    out = {}
    for f in FIELDS:
        scored = [r[f] for r in results.values() if r[f] is not None]
        out[f] = (sum(bool(x) for x in scored), len(scored))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=(*SETS, "all"), default="all")
    parser.add_argument("--save", type=Path, help="write the figures as JSON")
    parser.add_argument("--against", type=Path, help="figures saved earlier, printed beside today's")
    parser.add_argument("--misses", action="store_true", help="list texts with a wrong field")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    figures = {n: shares(run_set(SETS[n])) for n in names}
    before = json.loads(args.against.read_text(encoding="utf-8")) if args.against else {}
    for n in names:
        count = max(total for _, total in figures[n].values())
        print(f"\n{n} ({count} texts)" + ("      before" if n in before else ""))
        for f in FIELDS:
            ok, total = figures[n][f]
            line = f"  {f:<11}{ok / total if total else 1:>6.2f}  {ok:>3}/{total:<3}"
            if n in before and f in before[n]:
                b_ok, b_total = before[n][f]
                b = b_ok / b_total if b_total else 1
                delta = (ok / total if total else 1) - b
                line += f"  {b:>6.2f}  {delta:+.2f}"
            print(line)
        if args.misses:
            for name, r in run_set(SETS[n]).items():
                wrong = [f for f, v in r.items() if v is False and f not in ("place_name", "address")]
                if wrong:
                    print(f"    {name}: {', '.join(wrong)}")
    if args.save:
        args.save.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
