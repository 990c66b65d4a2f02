"""Learned words: a lesson 'question Q belongs to offer O' also teaches O the words of Q its own text lacks.

A coordinator who links 'ik wil leren stikken op een machine' to the sewing workshop tells the bot that
people say 'stikken' for what the offer calls 'naaien'. Those words become learned words of the offer,
so another question that uses them, in another combination ('waar kan ik stikken leren'), finds it too,
even when it is worded nothing like the taught question.

What is learned is derived from the active link lessons and the offers' indexed words each time either
changes (`Teacher.refresh`): it lives in the database with the lesson, goes when the lesson is undone and
follows the offer's text through `reindex`. A word is learned only when it says something:
- the offer's own indexed text has none of the word's stems (nor a synonym the lexicon gives it);
- it is a word the person typed (no phrase of the lexicon), no common Dutch word (wordfreq), and no
  filler or story word of the parser;
- few offers use it: a word many offers use is no sign of this one.
A learned word weighs less than the offer's own words (LEARNED_WEIGHT), and reaches a question only
when, together with the offer's own words, it covers most of what the question asks (MIN_REACH).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from bot.search.index import FIELDS
from bot.search.matcher import FIELD_WEIGHTS, NEED_CATEGORY_MATCH, NEED_KIND_MATCH, NOISE_FLOOR
from bot.search.query import Concept, Query
from bot.search.text import fold, words

LEARNED_WEIGHT = 0.7  # a learned word counts like a word in the offer's summary, below its title and keywords
COMMON_ZIPF = 4.8  # wordfreq's Zipf frequency in Dutch from which a word is too common to teach ('school')
MIN_WORD = 4
MIN_CONCEPT_WEIGHT = 0.5  # the parser gives filler and story words less (query.FILLER_WEIGHT, STORY_WEIGHT)
MAX_OFFER_DF = 3  # a stem more offers use is no sign of one of them


@dataclass
class OfferWords:
    """One linked offer: its own indexed stems (with their best field weight) and its learned stems."""

    offer_id: str
    kind: str
    categories: frozenset[str]
    own: dict[str, float]
    learned: dict[str, int] = field(default_factory=dict)  # stem -> the lesson that taught it (the first)

    def lacks(self, concept: Concept) -> bool:
        return not any(stem in self.own for stem in concept.alternatives)


@dataclass(frozen=True)
class Reach:
    """An offer a question reaches through learned words: how much it covers, and the lesson that taught it."""

    offer_id: str
    coverage: float
    lesson_id: int | None  # the lesson whose learned word counted (None: the offer's own words did it all)


def own_words(offer_id: str, kind: str, categories: str, columns: Mapping[str, str]) -> OfferWords:
    """An offer's indexed stems (the columns of offer_text), each with the weight of its best field."""
    own: dict[str, float] = {}
    for name in FIELDS:
        for stem in columns[name].split():
            own[stem] = max(own.get(stem, 0.0), FIELD_WEIGHTS[name])
    return OfferWords(offer_id, kind, frozenset(filter(None, categories.split("|"))), own)


def learnable(concept: Concept, offer: OfferWords, stem_df: Mapping[str, int]) -> str | None:
    """The stem of a taught question's concept worth teaching the offer, or None."""
    if concept.need is not None or concept.out_of_scope or concept.weight < MIN_CONCEPT_WEIGHT:
        return None
    if not concept.alternatives or not offer.lacks(concept):
        return None
    word = fold(concept.word)
    if len(word) < MIN_WORD or not word.isalpha() or zipf_frequency(word, "nl") >= COMMON_ZIPF:
        return None
    stem = max(concept.alternatives, key=lambda s: concept.alternatives[s])
    if stem_df.get(stem, 0) > MAX_OFFER_DF:
        return None
    return stem


def learn(
    offer: OfferWords, questions: Iterable[tuple[str, Query]], lesson_id: int, stem_df: Mapping[str, int]
) -> None:
    """Teach the offer the words of a lesson's questions (each as typed and as the matcher read it) it lacks."""
    for text, query in questions:
        typed = {fold(word) for word in words(text)}
        for concept in query.concepts:
            if fold(concept.word) not in typed:
                continue  # a phrase of the lexicon ('na school'), not a word people typed
            stem = learnable(concept, offer, stem_df)
            if stem is not None:
                offer.learned.setdefault(stem, lesson_id)


def reach(query: Query, offer: OfferWords) -> Reach | None:
    """How much of the question the offer's own and learned words cover (None: nothing, or a question
    about something out of scope). `lesson_id` names the lesson whose learned word counted, if one did."""
    if query.out_of_scope or not query.concepts:
        return None
    total = covered = 0.0
    lesson_id: int | None = None
    for concept in query.concepts:
        own = 0.0
        if concept.need is not None:
            if offer.kind in concept.need.kinds:
                own = NEED_KIND_MATCH
            elif offer.categories & set(concept.need.categories):
                own = NEED_CATEGORY_MATCH
        learned = 0.0
        taught_by: int | None = None
        for stem, weight in concept.alternatives.items():
            own = max(own, weight * offer.own.get(stem, 0.0))
            if stem in offer.learned and weight * LEARNED_WEIGHT > learned:
                learned, taught_by = weight * LEARNED_WEIGHT, offer.learned[stem]
        match = max(own, learned)
        total += concept.weight
        covered += concept.weight * (match if match >= NOISE_FLOOR else 0.0)
        if learned > own and taught_by is not None and concept.weight >= MIN_CONCEPT_WEIGHT and lesson_id is None:
            lesson_id = taught_by
    if not total or not covered:
        return None
    return Reach(offer.offer_id, covered / total, lesson_id)
