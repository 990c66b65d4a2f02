"""The words the offers use, to correct the typos and dialect forms of questions against.

Correcting against every word in the database picks street and person names ("petank" ->
"peetmans"); the vocabulary holds only the words of titles, keywords, categories and texts plus
the lexicon's own words, and among close candidates the more common word wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

MIN_LENGTH = 3


@dataclass(frozen=True)
class Correction:
    word: str
    score: float  # 0-100 similarity


class Vocabulary:
    def __init__(self, document_frequency: Mapping[str, int], extra_words: Iterable[str] = ()) -> None:
        self._df = dict(document_frequency)
        for word in extra_words:
            self._df.setdefault(word, 1)
        self._words = [w for w in self._df if len(w) >= MIN_LENGTH and w.isalpha()]
        self._corrections: dict[str, Correction | None] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._df

    def __len__(self) -> int:
        return len(self._df)

    def df(self, word: str) -> int:
        return self._df.get(word, 0)

    def dialect_form(self, word: str) -> str | None:
        """The standard form of a Flemish spoken form, if the offers use it.

        Two regular patterns, not a list: the dropped final -n of infinitives and plurals
        ('zwemme' -> 'zwemmen', 'aanvrage' -> 'aanvragen') and the diminutive -ke for -je
        ('uitstapke' -> 'uitstapje' or 'uitstap').
        """
        candidates: list[str] = []
        if word.endswith("e"):
            candidates.append(word + "n")
        if word.endswith("ke"):
            candidates += [word[:-2] + "je", word[:-2]]
        if word.endswith("kes"):
            candidates += [word[:-3] + "jes", word[:-3]]
        return next((c for c in candidates if c in self._df), None)

    def correct(self, word: str, *, cutoff: float = 70.0) -> Correction | None:
        """The closest vocabulary word (by similarity, then by how common it is), or None."""
        if word in self._corrections:
            return self._corrections[word]
        result: Correction | None = None
        if len(word) >= MIN_LENGTH and self._words:
            candidates = process.extract(word, self._words, scorer=fuzz.ratio, limit=5, score_cutoff=cutoff)
            if candidates:
                best, score, _ = max(candidates, key=lambda c: (round(c[1]), self._df[c[0]]))
                result = Correction(best, score)
        if len(self._corrections) < 50_000:
            self._corrections[word] = result
        return result
