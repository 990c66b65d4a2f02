"""The small pattern language of `data/care.toml`, and finding its phrases in a message.

A phrase is a row of words: "wil niet meer leven". Between two of its words up to DEFAULT_GAP other words
may stand ("ik wil ECHT niet meer leven").
- `|` separates alternatives: "slaat mij|sloeg mij|mij geslagen".
- `~` cuts a phrase in parts that may stand up to WIDE_GAP words apart, each part with its own
  alternatives: "slaat|sloeg ~ mij|mijn vrouw" is "slaat" or "sloeg", then "mij" or "mijn vrouw".
- `woord*` matches words that start with it ("zelfmoord*" finds "zelfmoordgedachten"), `*woord` words that
  end with it ("*pillen" finds "slaappillen").
A phrase stays inside one sentence. A rule is one phrase, or (in `together`) a few phrases that must all
occur within a window of words, in any order and across sentences.

Words are compared after folding (see `words`), after the spoken and dialect forms of `[spelling]`
("nie" -> "niet"), with a dropped final n ("leve" finds "leven"), and with one typo allowed in a long word
that is not itself a common Dutch word (rapidfuzz for the distance, wordfreq for "common": "sterren" is
never read as "sterven").
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.care.words import Token, words

DEFAULT_GAP = 2
WIDE_GAP = 6
DEFAULT_WINDOW = 14  # words within which the phrases of a `together` rule must all occur
DROPPED_N_MIN_LENGTH = 4  # 'leve' is 'leven', but 'wee' is not 'ween'
TYPO_MIN_LENGTH = 6  # shorter words are too often another real word after one typo
COMMON_WORD_ZIPF = 3.0  # a word at least this frequent in Dutch is taken as written, never as a typo
SHORT_TYPO_TARGET_ZIPF = 4.0  # a five-letter typo is only read as a very common Dutch word ('lefen' -> 'leven')
UNKNOWN_ZIPF = 1.0  # below this in Dutch and in English, a word is no word at all


class PatternError(ValueError):
    """A phrase in the word list cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Term:
    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def matches(self, forms: frozenset[str]) -> bool:
        if self.exact & forms:
            return True
        if self.prefixes and any(f.startswith(self.prefixes) for f in forms):
            return True
        return bool(self.suffixes) and any(f.endswith(self.suffixes) for f in forms)


Words = tuple[Term, ...]  # one alternative: words that follow each other (up to DEFAULT_GAP apart)


@dataclass(frozen=True)
class Phrase:
    text: str
    parts: tuple[tuple[Words, ...], ...]  # parts up to WIDE_GAP apart; each part: its alternatives


@dataclass(frozen=True)
class Rule:
    category: str
    topic: str | None
    phrases: tuple[Phrase, ...]
    window: int = DEFAULT_WINDOW

    @property
    def text(self) -> str:
        return " + ".join(p.text for p in self.phrases)


def _common(word: str) -> bool:
    return _zipf(word) >= COMMON_WORD_ZIPF


@functools.lru_cache(maxsize=20_000)
def _unknown_anywhere(word: str) -> bool:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover
        return False
    return _zipf(word) < UNKNOWN_ZIPF and zipf_frequency(word, "en") < UNKNOWN_ZIPF * 2


@functools.lru_cache(maxsize=20_000)
def _zipf(word: str) -> float:
    """How common a word is in Dutch (wordfreq); 0 when wordfreq cannot be loaded (then no typo is forgiven
    in a word wordfreq would have called common, and the detector stays exact rather than guessing)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - a broken install: be strict rather than loose
        return 99.0
    return float(zipf_frequency(word, "nl"))


def _term(text: str, alternative: str, spelling: Mapping[str, str] | None) -> Term:
    star_start, star_end = alternative.startswith("*"), alternative.endswith("*")
    folded = words(alternative.strip("*"))
    if len(folded) != 1:
        raise PatternError(f"{text!r}: {alternative!r} is not a word")
    word = folded[0]
    if star_start and star_end:
        raise PatternError(f"{text!r}: {alternative!r}: use * at the start or at the end, not both")
    if (star_start or star_end) and len(word) < 3:
        raise PatternError(f"{text!r}: {alternative!r} is too short for a *")
    if star_end:
        return Term(prefixes=(word,))
    if star_start:
        return Term(suffixes=(word,))
    exact = {word}
    if spelling and word in spelling:
        exact.add(spelling[word])
    return Term(frozenset(exact))


def parse_phrase(text: str, spelling: Mapping[str, str] | None = None) -> Phrase:
    """One phrase of the word list; PatternError names what is wrong with it."""
    parts: list[tuple[Words, ...]] = []
    for chunk in text.split("~"):
        alternatives: list[Words] = []
        for alternative in chunk.split("|"):
            pieces = alternative.split()
            if not pieces:
                raise PatternError(f"{text!r}: an empty alternative (check the | and ~ signs)")
            alternatives.append(tuple(_term(text, piece, spelling) for piece in pieces))
        parts.append(tuple(alternatives))
    return Phrase(text, tuple(parts))


@dataclass
class PhraseIndex:
    """All phrases of all rules, indexed by their first term so that a message is read once."""

    phrases: list[Phrase] = field(default_factory=list)
    by_word: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_prefix: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    by_suffix: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    vocabulary: set[str] = field(default_factory=set)

    def add(self, phrase: Phrase) -> int:
        number = len(self.phrases)
        self.phrases.append(phrase)
        for alternative in phrase.parts[0]:
            first = alternative[0]
            for word in first.exact:
                self.by_word[word].append(number)
            for prefix in first.prefixes:
                self.by_prefix[prefix[:3]].append((prefix, number))
            for suffix in first.suffixes:
                self.by_suffix[suffix[-3:]].append((suffix, number))
        for part in phrase.parts:
            for alternative in part:
                for term in alternative:
                    self.vocabulary |= term.exact
        return number


class Reader:
    """Reads a message against a PhraseIndex: which phrases occur where, with masked words left out."""

    def __init__(self, index: PhraseIndex, spelling: Mapping[str, str]) -> None:
        self.index = index
        self.spelling = dict(spelling)
        self._long_words = sorted(w for w in index.vocabulary if len(w) >= TYPO_MIN_LENGTH)
        self._short_words = sorted(w for w in index.vocabulary if len(w) == TYPO_MIN_LENGTH - 1)
        self._forms = functools.lru_cache(maxsize=50_000)(self._forms_uncached)

    def _forms_uncached(self, word: str) -> frozenset[str]:
        forms = {word}
        spoken = self.spelling.get(word)
        if spoken:
            forms.add(spoken)
        vocabulary = self.index.vocabulary
        for form in list(forms):
            if len(form) >= DROPPED_N_MIN_LENGTH and form + "n" in vocabulary:  # 'leve', 'slape', 'worde'
                forms.add(form + "n")
        if not (forms & vocabulary) and len(word) >= TYPO_MIN_LENGTH and not _common(word):
            limit = 2 if len(word) >= 10 else 1
            for found, _, _ in process.extract(
                word, self._long_words, scorer=Levenshtein.distance, score_cutoff=limit, limit=3
            ):
                forms.add(found)
        elif not (forms & vocabulary) and len(word) == TYPO_MIN_LENGTH - 1 and _unknown_anywhere(word):
            # A short word only when it is no word in Dutch or English and one letter away from a common Dutch
            # word with the same start: 'lefen' is 'leven'; 'wanne' is not 'wanna', 'kayak' not 'dayak'.
            for found, _, _ in process.extract(
                word, self._short_words, scorer=Levenshtein.distance, score_cutoff=1, limit=3
            ):
                if found[:2] == word[:2] and _zipf(found) >= SHORT_TYPO_TARGET_ZIPF:
                    forms.add(found)
        return frozenset(forms)

    def forms(self, tokens: Sequence[Token]) -> list[frozenset[str]]:
        return [self._forms(t.text) for t in tokens]

    def find(
        self,
        tokens: Sequence[Token],
        forms: Sequence[frozenset[str]],
        *,
        only: Iterable[int] | None = None,
        masked: frozenset[int] = frozenset(),
    ) -> dict[int, list[tuple[int, int]]]:
        """Phrase number -> the (first, last) word positions of each place it occurs."""
        allowed = None if only is None else set(only)
        starts: dict[int, set[int]] = defaultdict(set)
        for position, word_forms in enumerate(forms):
            if position in masked:
                continue
            for form in word_forms:
                for number in self.index.by_word.get(form, ()):
                    starts[number].add(position)
                for prefix, number in self.index.by_prefix.get(form[:3], ()):
                    if form.startswith(prefix):
                        starts[number].add(position)
                for suffix, number in self.index.by_suffix.get(form[-3:], ()):
                    if form.endswith(suffix):
                        starts[number].add(position)
        found: dict[int, list[tuple[int, int]]] = {}
        for number, positions in starts.items():
            if allowed is not None and number not in allowed:
                continue
            phrase = self.index.phrases[number]
            spans = [
                (start, end)
                for start in sorted(positions)
                if (end := _phrase_from(phrase, start, tokens, forms, masked)) is not None
            ]
            if spans:
                found[number] = spans
        return found


def _phrase_from(
    phrase: Phrase, start: int, tokens: Sequence[Token], forms: Sequence[frozenset[str]], masked: frozenset[int]
) -> int | None:
    """The position of the phrase's last word when it starts at `start`, or None."""
    for alternative in phrase.parts[0]:
        if not alternative[0].matches(forms[start]):
            continue
        for end in _words_from(alternative, 1, start, tokens, forms, masked):
            last = _parts_from(phrase, 1, end, tokens, forms, masked)
            if last is not None:
                return last
    return None


def _parts_from(
    phrase: Phrase,
    k: int,
    previous: int,
    tokens: Sequence[Token],
    forms: Sequence[frozenset[str]],
    masked: frozenset[int],
) -> int | None:
    if k == len(phrase.parts):
        return previous
    sentence = tokens[previous].sentence
    for position in range(previous + 1, min(previous + 2 + WIDE_GAP, len(tokens))):
        if tokens[position].sentence != sentence:
            break
        if position in masked:
            continue
        for alternative in phrase.parts[k]:
            if not alternative[0].matches(forms[position]):
                continue
            for end in _words_from(alternative, 1, position, tokens, forms, masked):
                last = _parts_from(phrase, k + 1, end, tokens, forms, masked)
                if last is not None:
                    return last
    return None


def _words_from(
    alternative: Words,
    k: int,
    previous: int,
    tokens: Sequence[Token],
    forms: Sequence[frozenset[str]],
    masked: frozenset[int],
) -> list[int]:
    """Where the words alternative[k:] can end when they follow the word at `previous`."""
    if k == len(alternative):
        return [previous]
    ends: list[int] = []
    sentence = tokens[previous].sentence
    for position in range(previous + 1, min(previous + 2 + DEFAULT_GAP, len(tokens))):
        if tokens[position].sentence != sentence:
            break
        if position in masked or not alternative[k].matches(forms[position]):
            continue
        ends.extend(_words_from(alternative, k + 1, position, tokens, forms, masked))
    return ends
