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
LARGE_VOCABULARY = 20_000  # above this many words, words of a single offer are no correction target


@dataclass(frozen=True)
class Correction:
    word: str
    score: float  # 0-100 similarity


class Vocabulary:
    def __init__(
        self,
        document_frequency: Mapping[str, int],
        extra_words: Iterable[str] = (),
        *,
        dialect_targets: Iterable[str] = (),
    ) -> None:
        self._df = dict(document_frequency)
        extra = set(extra_words)
        for word in extra:
            self._df.setdefault(word, 1)
        # Typos are corrected towards words several offers use (or the lexicon's): in a big corpus a
        # word from one offer's small print is rarely what someone meant, and skipping them keeps
        # the correction fast. Targets are grouped by length: a typo changes the length by 2 at most.
        min_df = 2 if len(self._df) > LARGE_VOCABULARY else 1
        self._by_length: dict[int, list[str]] = {}
        for word, df in self._df.items():
            if len(word) >= MIN_LENGTH and word.isalpha() and (df >= min_df or word in extra):
                self._by_length.setdefault(len(word), []).append(word)
        # The same question must get the same correction in every process (set order varies with the
        # hash seed): among equally close words the more common, then the alphabetically first.
        for targets in self._by_length.values():
            targets.sort(key=lambda w: (-self._df[w], w))
        self._dialect_targets = set(self._df) | set(dialect_targets)
        self._corrections: dict[str, Correction | None] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._df

    def __len__(self) -> int:
        return len(self._df)

    def df(self, word: str) -> int:
        return self._df.get(word, 0)

    def dialect_form(self, word: str) -> str | None:
        """The standard word behind a regular Flemish or Limburg spoken form, if we know that word.

        Regular sound patterns, not a word list: the dropped final -n ('zwemme' -> 'zwemmen'),
        the diminutive -ke ('uitstapke' -> 'uitstapje'), and the Limburg vowels ao/aa ('paosvakantie'),
        ie/ij ('mien'), oo/oe ('doon'), uu/ui ('huus'), ei/e ('leire' -> 'leren') and ng/nd ('angere').
        """
        known = self._dialect_targets
        if word in known:
            return None
        for candidate in _dialect_candidates(word):
            if candidate != word and candidate in known:
                return candidate
        return None

    def correct(self, word: str, *, cutoff: float = 70.0) -> Correction | None:
        """The closest vocabulary word (by similarity, then by how common it is), or None."""
        if word in self._corrections:
            return self._corrections[word]
        result: Correction | None = None
        targets = [w for length in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(length, ())]
        if len(word) >= MIN_LENGTH and targets:
            candidates = process.extract(word, targets, scorer=fuzz.ratio, limit=5, score_cutoff=cutoff)
            if candidates:
                best, score, _ = min(candidates, key=lambda c: (-round(c[1]), -self._df[c[0]], -c[1], c[0]))
                result = Correction(best, score)
        if len(self._corrections) < 50_000:
            self._corrections[word] = result
        return result


_SOUND_SHIFTS = (
    ("ao", "aa"), ("ao", "a"), ("oa", "a"), ("ie", "ij"), ("ie", "ee"), ("oo", "oe"), ("uu", "ui"), ("ei", "e"),
    ("ng", "nd"), ("ae", "aa"), ("sj", "sch"), ("sj", "s"), ("zj", "z"), ("u", "e"),
)  # fmt: skip
_ENDING_SHIFTS = (("dig", "dag"),)  # Limburg weekdays: 'zaoterdig' -> 'zaterdag'


def _dialect_candidates(word: str) -> list[str]:
    """Standard forms a spoken form may stand for, most likely first (one or two sound shifts)."""
    bases = [word]
    for spoken, standard in _ENDING_SHIFTS:
        if word.endswith(spoken):
            bases.append(word[: -len(spoken)] + standard)
    for base in list(bases):
        for spoken, standard in _SOUND_SHIFTS:
            if spoken in base:
                bases.append(base.replace(spoken, standard))
    for base in list(bases[1:]):
        for spoken, standard in _SOUND_SHIFTS:
            if spoken in base:
                bases.append(base.replace(spoken, standard))
    candidates: list[str] = []
    for base in bases:
        candidates.append(base)
        if base.endswith("e"):
            candidates.append(base + "n")
        if base.endswith("kes"):
            candidates += [base[:-3] + "jes", base[:-3]]
        elif base.endswith("ke"):
            candidates += [base[:-2] + "je", base[:-2]]
    return candidates
