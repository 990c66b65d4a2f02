"""Prices: the regular price, the Rap op Stap price and the sentence they were written in.

Offers state the two prices in one or two clauses ("€ 5 per persoon, met Rap op Stap betaal je maar €1").
A clause that names the card, the kansentarief or a reduction holds the reduced price; the first other amount
is the regular price. Percentages are applied to the regular price: "Rap op Stap: 20%" means you pay 20%,
"-80%" / "80% korting" means you pay the rest.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .text import split_sentences

_NUM = r"(?P<{}>\d{{1,4}}(?:[.,]\d{{1,2}})?)(?:,-)?"
_AMOUNT = re.compile(
    rf"(?:€\s?{_NUM.format('a')}|(?<![\w/.,]){_NUM.format('b')}\s?(?:€|euro\b|eur\b)"
    r"|(?<![\w/.,])(?P<c>\d{1,3})\s?(?:euro)?cent\b)",
    re.I,
)
_REDUCED_CUE = re.compile(
    r"rap\s*op\s*stap|kansentarief|sociaal tarief|verminderd|verlaagd tarief|reductie"
    r"|met (?:de|je|een|uw) kaart"
    r"|uitpas|omnio|verhoogde tegemoetkoming|korting|kortingstarief|(?-i:\bRoS\b)"
    r"|wie het (?:financieel )?moeilijk heeft|(?:laag|klein|beperkt) inkomen",
    re.I,
)
_FREE = re.compile(
    r"\bgratis\b|\bkosteloos\b|\bfree\b|\bvrije toegang\b|\bgeen inkom\b"
    r"|\bkost(?:en|\s+je|\s+u)?\s+(?:helemaal\s+)?(?:niks|niets|geen (?:geld|cent))\b"
    r"|\bbetaal(?:t|\s+je|\s+u)?\s+(?:je\s+)?(?:geen|niks|niets)\b",
    re.I,
)
# What stall-holders pay at a flea market is not what visitors pay.
_SELLER = re.compile(
    r"\bstand(?:en|plaats\w*|houders?)?\b|\bkraam\w*|\bper (?:\d+\s?)?(?:lopende )?meter\b|\bverkopers?\b", re.I
)
# "voor €2 in plaats van €11,50", "€2 ipv €10": the first is the reduced price, the second the regular one.
_INSTEAD = re.compile(r"\b(?:in plaats van|i\.?p\.?v\.?|ipv|instead of)\s*$", re.I)
_PRICE_VERB = re.compile(
    r"\b(?:kost(?:en|\s+je)?|betaal(?:t|\s+je)?|prijs\s*:?|bedraagt|tarief\s*:?)\s*(?:maar\s+|slechts\s+)?$", re.I
)
_PARTIAL_FREE = re.compile(r"\b(?:je )?betaal(?:t|d|en)?\s+(?:je\s+)?(?:enkel|alleen|wel|nog)\b", re.I)
_CAP = re.compile(r"(?:maximaal|max\.?|maximum|hoogstens|tot|plafond van|tot wel|minder dan|onder de)\s*$", re.I)
_PAY_SHARE = re.compile(r"(?:betaal(?:t|\s+je)?|aan|:)\s*(?:maar|slechts|nog|enkel)?\s*(?P<p>\d{1,2})\s?%", re.I)
_DISCOUNT_PCT = re.compile(r"(?:-\s?(?P<a>\d{1,2})\s?%|(?P<b>\d{1,2})\s?%\s*(?:korting|reductie|minder))", re.I)
_PRICE_WORDS = re.compile(r"\b(prijs|kost|kosten|inkom|toegang|deelname|ticket|tarief|lidgeld|betaal)", re.I)
_CLAUSE_SPLIT = re.compile(r",\s+|\s+[–/|]\s+|;\s*|\s+-\s+|\(|\)")


@dataclass
class PriceResult:
    regular: float | None = None
    reduced: float | None = None
    note: str | None = None
    confidence: float = 0.0


def _num(raw: str) -> float:
    value = float(raw.replace(",", "."))
    return int(value) if value == int(value) else value


def _amounts(clause: str) -> list[float]:
    """The amounts in a clause, the one a verb calls the price first ("20 cheques van €5 kost €10")."""
    out: list[float] = []
    for m in _AMOUNT.finditer(clause):
        if _CAP.search(clause[: m.start()]):
            continue  # "maximaal €5 per herstelling" is a ceiling, not the price
        value = _num(m.group("a") or m.group("b")) if not m.group("c") else _round(int(m.group("c")) / 100)
        if _PRICE_VERB.search(clause[: m.start()]):
            out.insert(0, value)
        else:
            out.append(value)
    return out


def _instead(clause: str) -> tuple[float, float] | None:
    """(reduced, regular) from "voor €2 in plaats van €11,50"."""
    found = list(_AMOUNT.finditer(clause))
    for first, second in itertools.pairwise(found):
        if _INSTEAD.search(clause[first.end() : second.start()]):
            a = _amounts(clause[first.start() : first.end()])
            b = _amounts(clause[second.start() : second.end()])
            if a and b:
                return a[0], b[0]
    return None


def _round(x: float) -> float:
    r = round(x + 1e-9, 2)
    return int(r) if r == int(r) else r


def extract_price(text: str) -> PriceResult:
    """Regular/reduced price from the sentences that talk about money; None where nothing is stated."""
    res = PriceResult()
    sentences = split_sentences(text)
    note: list[str] = []
    share: float | None = None
    free_regular = free_reduced = False
    for sentence in sentences:
        has_money = bool(_AMOUNT.search(sentence) or _FREE.search(sentence) or "%" in sentence)
        if not has_money:
            continue
        if _FREE.search(sentence) or _AMOUNT.search(sentence) or _REDUCED_CUE.search(sentence):
            note.append(sentence)
        partial = bool(_PARTIAL_FREE.search(sentence))
        sentence_reduced = bool(_REDUCED_CUE.search(sentence))
        for clause in _CLAUSE_SPLIT.split(sentence):
            if not clause or not clause.strip() or _SELLER.search(clause):
                continue
            reduced_ctx = bool(_REDUCED_CUE.search(clause))
            if (pair := _instead(clause)) is not None:
                res.reduced = res.reduced if res.reduced is not None else pair[0]
                res.regular = res.regular if res.regular is not None else pair[1]
                continue
            amounts = _amounts(clause)
            m = _PAY_SHARE.search(clause)
            if m and (_REDUCED_CUE.search(clause) or sentence_reduced):
                share = share if share is not None else int(m.group("p")) / 100
            if m := _DISCOUNT_PCT.search(clause):
                pct = int(m.group("a") or m.group("b"))
                share = share if share is not None else (100 - pct) / 100
            if amounts:
                if reduced_ctx:
                    if res.reduced is None:
                        res.reduced = amounts[0]
                elif res.regular is None:
                    res.regular = amounts[0]
            elif _FREE.search(clause) and not partial:
                # "Wie Rap op Stap heeft, betaalt geen lidmaatschap": the whole sentence is about the card.
                if reduced_ctx or (sentence_reduced and not _AMOUNT.search(sentence)):
                    free_reduced = True
                else:
                    free_regular = True
    if res.regular is None and free_regular:
        res.regular = 0
    if res.reduced is None and free_reduced:
        res.reduced = 0
    if res.reduced is None and share is not None and res.regular is not None:
        res.reduced = _round(res.regular * share)
    if res.reduced is None and res.regular == 0:
        res.reduced = 0
    if note:
        res.note = " ".join(note)[:300]
    res.confidence = 0.9 if res.regular is not None and res.reduced is not None else 0.5 if note else 0.0
    return res
