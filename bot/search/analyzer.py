"""One analysis for offers and questions alike: words, phrases, compounds and stems.

Whatever the index stores, the question must be turned into the same tokens, or they never meet:
"Rap op Stap" becomes one token on both sides, "kinderopvang" also yields "opvang", and "fietsen"
and "fiets" share a stem thanks to the lexicon's stem overrides.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz import fuzz

from bot.search.lexicon import Lexicon
from bot.search.text import stem as snowball_stem
from bot.search.text import stems as snowball_stems
from bot.search.text import words

# What may join two words in a Dutch compound ('kind-er-fiets', 'dag-en-kamp'); any other letters
# between a known start and a known end mean the start was no part ('klei' in 'kleinzoon').
LINKS = ("", "s", "e", "en", "er", "es")
MIN_PART = 4  # a compound part shorter than this ('bad', 'kid') matches too much
MIN_REST = 3
FUZZY_PHRASE_WORD = 80.0  # one word of a phrase may have a typo: 'rap op stapp' is still 'rap op stap'


class Analyzer:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._known = {w for w in lexicon.known_words() if len(w) >= MIN_PART}
        self._max_phrase = lexicon.max_phrase_length
        self._phrase_starts = {phrase[0] for phrase in lexicon.phrases}
        # The same phrases as one regular expression over space-joined words, longest first: joining
        # phrases in offer texts then runs in C, which matters when indexing 100,000 offers.
        alternatives = sorted((" ".join(p) for p in lexicon.phrases), key=len, reverse=True)
        self._phrase_pattern = re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\S)")
        self._phrase_targets = {" ".join(p): t for p, t in lexicon.phrases.items()}
        self._phrases_by_length: dict[int, dict[tuple[str, ...], str]] = {}
        for phrase, target in lexicon.phrases.items():
            self._phrases_by_length.setdefault(len(phrase), {})[phrase] = target
        self._stems: dict[str, str] = {}
        self._parts: dict[str, tuple[str, ...]] = {}

    def stem(self, token: str) -> str:
        """The stem of a token, with the lexicon's corrections of the Snowball stemmer."""
        cached = self._stems.get(token)
        if cached is None:
            override = self.lexicon.stem_overrides.get(token)
            cached = override if override is not None else snowball_stem(token)
            if len(self._stems) < 200_000:
                self._stems[token] = cached
        return cached

    def join_phrases(
        self, tokens: list[str], *, fuzzy: bool = False, known: Callable[[str], bool] | None = None
    ) -> list[str]:
        """Replace the lexicon's phrases ('rap op stap') by their single token, longest first.

        With `fuzzy` (for questions), a phrase with a small typo ('rap op stapp') counts too; a typo
        is a word nobody uses, so with `known` only windows holding an unknown word are compared.
        """
        phrases = self.lexicon.phrases
        if not phrases:
            return tokens
        out: list[str] = []
        starts = self._phrase_starts
        i = 0
        while i < len(tokens):
            if not fuzzy and tokens[i] not in starts:
                out.append(tokens[i])
                i += 1
                continue
            for length in range(min(self._max_phrase, len(tokens) - i), 1, -1):
                window = tuple(tokens[i : i + length])
                target = phrases.get(window)
                if target is None and fuzzy and (known is None or not all(map(known, window))):
                    target = self._fuzzy_phrase(window)
                if target is not None:
                    out.append(target)
                    i += length
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _fuzzy_phrase(self, window: tuple[str, ...]) -> str | None:
        """A phrase that differs from `window` by a typo in one word ('rap op stapp'), or None."""
        for phrase, target in self._phrases_by_length.get(len(window), {}).items():
            different = [(typed, word) for typed, word in zip(window, phrase, strict=True) if typed != word]
            if len(different) == 1 and fuzz.ratio(*different[0]) >= FUZZY_PHRASE_WORD:
                return target
        return None

    def compound_parts(self, token: str) -> tuple[str, ...]:
        """The parts of a compound that starts or ends with a known word.

        'filmnamiddag' -> ('film', 'namiddag'), 'kinderopvang' -> ('kinder', 'opvang'): the known
        word, and the rest when it is long enough to be a word of its own.
        """
        cached = self._parts.get(token)
        if cached is not None:
            return cached
        parts: list[str] = []
        if len(token) >= MIN_PART + MIN_REST:
            prefix = next(
                (token[:cut] for cut in range(len(token) - MIN_REST, MIN_PART - 1, -1) if token[:cut] in self._known),
                None,
            )
            suffix = next(
                (token[cut:] for cut in range(MIN_REST, len(token) - MIN_PART + 1) if token[cut:] in self._known), None
            )
            link = token[len(prefix) : len(token) - len(suffix)] if prefix and suffix else None
            if prefix and suffix and link in LINKS:  # 'kinderfiets' -> kind + fiets, linked by 'er'
                parts = [prefix, suffix]
            elif suffix:  # 'kinderopvang' -> kinder + opvang; 'kleinzoon' -> klein + zoon, not klei(n)
                rest = token[: -len(suffix)]
                parts = [rest, suffix] if len(rest) >= MIN_PART else [suffix]
            elif prefix:  # 'filmnamiddag' -> film + namiddag
                rest = token[len(prefix) :]
                parts = [prefix, rest] if len(rest) >= MIN_PART else [prefix]
        result = tuple(dict.fromkeys(parts))
        if len(self._parts) < 200_000:
            self._parts[token] = result
        return result

    def is_known(self, word: str) -> bool:
        """Whether the lexicon gives this word a meaning (compound parts that are, are worth searching)."""
        return word in self._known

    def tokens(self, text: str) -> list[str]:
        """Folded words of an offer text with phrases joined and stopwords dropped."""
        stop = self.lexicon.stopwords
        found = words(text)
        if self._phrase_targets and not self._phrase_starts.isdisjoint(found):
            joined = self._phrase_pattern.sub(lambda m: self._phrase_targets[m.group(0)], " ".join(found))
            found = joined.split()
        return [t for t in found if t not in stop]

    def index_terms(self, tokens: list[str]) -> list[str]:
        """Stems to index for these tokens, compound parts included (the hot path of indexing)."""
        stems = snowball_stems(tokens)
        overrides = self.lexicon.stem_overrides
        if not overrides.keys().isdisjoint(tokens):
            stems = [overrides.get(t, s) for t, s in zip(tokens, stems, strict=True)]
        parts = [part for t in tokens if len(t) >= MIN_PART + MIN_REST for part in self.compound_parts(t)]
        return stems + [self.stem(part) for part in parts] if parts else stems
