"""'Worded like it': how close a new question is to a question a coordinator taught.

Two signals, both optional parts of one score in [0, 1]:
- Lexical, in the matcher's own terms: both questions are read by the matcher's parser (accent folding,
  dialect forms, typos corrected against the vocabulary, phrases, stems, compound parts, the lexicon's
  synonyms, needs such as transport or childcare). Each question becomes weighted terms with their
  alternative stems; the score is the F1 of how much of each question the other covers. So another word
  order, an inflection ('zwemlessen' / 'zwemles'), a typo or a dialect form reach the taught question.
- Semantic, when an embedding function is given (multilingual e5-small): the cosine of the two question
  vectors, rescaled from the range where e5 separates paraphrases from unrelated questions. It adds the
  synonyms no word list has ('op het ijs' / 'schaatsen').
Without the model the lexical score alone decides, with a stricter threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from bot.search.query import Query

Embed = Callable[[str], "np.ndarray | None"]

NEED_WEIGHT = 1.0
OUT_OF_SCOPE_WEIGHT = 1.0
AUDIENCE_WEIGHT = 0.35  # 'voor de kinderen' says for whom, a little about what
PRICE_WEIGHT = 0.25  # 'gratis', 'goedkoop': nearly every question of this bot
PERIOD_WEIGHT = 0.5  # 'in de krokusvakantie' and 'in de zomer' ask for different camps
FUZZY_WORD = 85.0  # two words this close (rapidfuzz ratio) are one word with a typo ('wrek' / 'werk')
FUZZY_MIN_LENGTH = 5
FUZZY_CREDIT = 0.8
COMMON_DF = 8  # a stem in this many offers says less about what is asked ('kind', 'bilzen')
# e5 cosines of Dutch questions: unrelated ones rarely reach COSINE_FLOOR, rewordings of one need
# mostly pass COSINE_FULL. Between the two the semantic score rises linearly from 0 to 1.
COSINE_FLOOR = 0.80
COSINE_FULL = 0.92


@dataclass(frozen=True)
class Term:
    """One thing a question is about, with the stems (or markers) that count as the same thing."""

    word: str
    alternatives: Mapping[str, float]
    weight: float


@dataclass(frozen=True)
class Wording:
    """A question prepared for comparison: its terms and, when the model is there, its vector."""

    text: str
    terms: tuple[Term, ...]
    vector: np.ndarray | None = None
    need: np.ndarray | None = None  # the vector in the need space (bot.teach.needspace), when there is one

    @property
    def is_empty(self) -> bool:
        return not self.terms and self.vector is None


def terms_of(query: Query, stem_df: Mapping[str, int] | None = None) -> tuple[Term, ...]:
    """The weighted terms of a parsed question."""
    df = stem_df or {}
    found: list[Term] = []
    for concept in query.concepts:
        if concept.need is not None:
            marker = f"nood:{concept.need.name}"
            found.append(Term(marker, {marker: 1.0}, NEED_WEIGHT))
        elif concept.out_of_scope:
            marker = f"oos:{concept.word}"
            found.append(Term(concept.word, {marker: 1.0, **concept.alternatives}, OUT_OF_SCOPE_WEIGHT))
        elif concept.alternatives:
            own = max(concept.alternatives, key=lambda s: concept.alternatives[s])
            common = df.get(own, 0)
            specificity = 1.0 if common < COMMON_DF else 1.0 / (1.0 + math.log(common / COMMON_DF + 1.0))
            found.append(Term(concept.word, dict(concept.alternatives), concept.weight * specificity))
    if query.audience is not None:
        marker = f"voor:{query.audience.label}"
        found.append(Term(marker, {marker: 1.0}, AUDIENCE_WEIGHT))
    if query.period is not None:
        marker = f"wanneer:{query.period.label}"
        found.append(Term(marker, {marker: 1.0}, PERIOD_WEIGHT))
    if query.free or query.cheap:
        found.append(Term("prijs", {"prijs:laag": 1.0}, PRICE_WEIGHT))
    return tuple(found)


def _term_match(a: Term, b: Term) -> float:
    best = 0.0
    small, large = (a.alternatives, b.alternatives)
    if len(small) > len(large):
        small, large = large, small
    for stem, weight in small.items():
        other = large.get(stem)
        if other is not None:
            best = max(best, weight * other)
    typo = min(len(a.word), len(b.word)) >= FUZZY_MIN_LENGTH and ":" not in a.word + b.word
    if best < FUZZY_CREDIT and typo and fuzz.ratio(a.word, b.word) >= FUZZY_WORD:
        best = FUZZY_CREDIT
    return best


def _coverage(a: tuple[Term, ...], b: tuple[Term, ...]) -> float:
    total = sum(t.weight for t in a)
    if not total:
        return 0.0
    return sum(t.weight * max((_term_match(t, u) for u in b), default=0.0) for t in a) / total


def lexical(a: Wording, b: Wording) -> float:
    """F1 of the two coverages: both questions must be mostly about what the other one is about."""
    forward, backward = _coverage(a.terms, b.terms), _coverage(b.terms, a.terms)
    if forward + backward == 0:
        return 0.0
    return 2 * forward * backward / (forward + backward)


def semantic(a: Wording, b: Wording) -> float | None:
    """The rescaled cosine of the two vectors, or None without the model."""
    if a.vector is None or b.vector is None:
        return None
    cosine = float(np.dot(a.vector, b.vector))
    return min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_FULL - COSINE_FLOOR)))


@dataclass(frozen=True)
class Likeness:
    """How much a new question is worded like a taught one: by its words and, with the model, its meaning."""

    words: float
    meaning: float | None = None

    @property
    def score(self) -> float:
        """One number in [0, 1]: the mean of both signals, or the words alone without the model."""
        return self.words if self.meaning is None else (self.words + self.meaning) / 2

    @property
    def sure(self) -> float:
        """The weaker of both signals: high only when the words and the meaning agree."""
        return self.words if self.meaning is None else min(self.words, self.meaning)


def likeness(a: Wording, b: Wording) -> Likeness:
    """How much `b` is worded like `a`."""
    return Likeness(lexical(a, b), semantic(a, b))
