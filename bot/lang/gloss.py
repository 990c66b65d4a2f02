"""A newcomer's question in Dutch words, so the Dutch matcher can read it.

The offers are written in Dutch. The multilingual model compares meanings across languages, but it
cannot say "nothing answers this" and it does not know local names (Rap op Stap, UiTPAS, speelplein).
The Dutch matcher can, so a question in English, French, Ukrainian, Arabic, Turkish or Russian is
also glossed word by word into Dutch with a small glossary per language (`data/glossary/<lang>.toml`,
editable by a coordinator): "free swimming for my kids this weekend" -> "gratis zwemmen kind dit weekend".
Words the glossary does not know are dropped, except numbers (ages, dates), the network's own names
(`data/glossary/common.toml`) and Dutch words a newcomer mixes in ("zwembad"); the model still reads
the whole question. One exception keeps the matcher's abstention honest: an unknown word beside a
general head ("kuran kursu", "русская школа") becomes a compound with a stand-in ("xq...cursus"), as a
Dutch person would write "korancursus", so "course" alone does not answer it (GENERIC_HEADS).
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final

from rapidfuzz import fuzz, process

from bot.lang.frequencies import zipf
from bot.lang.languages import DUTCH, LANGUAGES

MAX_PHRASE_WORDS: Final = 4
FUZZY_MIN_CHARS: Final = 5  # shorter words are too easily confused with another word by a typo
FUZZY_SCORE: Final = 88.0
DUTCH_ZIPF: Final = 3.0  # a mixed-in word counts as Dutch when Dutch uses it this often...
DUTCH_LEAD: Final = 1.0  # ...and clearly more often than the question's own language does
MAX_WORDS: Final = 120
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # vowel signs, tatweel
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# '5yo', '7ans', '10р', '3سنين': a number glued to its unit is read as the number and the unit.
_GLUED_NUMBER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2032": "'", "`": "'"})
# Arabic glues 'and', 'so', 'with', 'for' and 'the' to the next word: one such prefix is tried off an unknown word.
ARABIC_PREFIXES: Final = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
# Turkish writes a case ending onto a name: 'bilzende' (in Bilzen), 'alden biesene' (to Alden Biesen),
# 'hasselt'e'. Longest first; only taken off a word that is a name or an offer's word without it.
TURKISH_CASE_ENDINGS: Final = (
    "den", "dan", "ten", "tan", "nin", "nın", "yla", "yle", "de", "da", "te", "ta", "ye", "ya", "in", "ın", "la", "le",
    "e", "a",
)  # fmt: skip
OWN_WORD_ZIPF: Final = 3.0  # a word this common in its own language is no typo of a glossary word
OWN_SCRIPT_NOT_LATIN: Final = frozenset({"uk", "ru", "ar"})  # a Latin word in their questions is a Dutch name
MIN_KEPT_LATIN: Final = 3  # ...from this many letters on ('ok' or 'tv' say nothing)
_LATIN_WORD = re.compile(r"[a-z][a-z'-]*")
# 'kuran kursu', 'русская школа', 'رحلة لباريس': a kind of thing (course, school, trip) named by a word the
# glossary does not know is another kind than the offers' courses. A Dutch person writes one word
# ('korancursus') and the Dutch matcher weighs its unknown first part; the gloss writes such a compound
# too, with a stand-in for the unknown word. Only these general heads: a known head with a subject of its
# own ('zwemles') was never the problem.
GENERIC_HEADS: Final = frozenset({"les", "lessen", "cursus", "cursussen", "school", "uitstap", "reis", "tickets"})
FILLER_ZIPF: Final = 5.0  # an unknown word this common in its language is a small word ('the', 'для', 'الى')
MIN_MODIFIER_CHARS: Final = 3
STAND_IN_PREFIX: Final = "xq"  # no Dutch word starts so: the stand-in matches no offer and is corrected to none


class GlossaryError(ValueError):
    """A glossary file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Gloss:
    """The Dutch words found in a question, and how much of it the glossary understood."""

    dutch: str
    understood: int  # words (or phrases' words) turned into Dutch or kept
    words: int  # all words of the question

    @property
    def share(self) -> float:
        return self.understood / self.words if self.words else 0.0


def stand_in(word: str) -> str:
    """Latin letters for an unknown word, the same each time, that no offer and no Dutch word contains."""
    digest = hashlib.blake2s(word.encode("utf-8"), digest_size=6).digest()
    return STAND_IN_PREFIX + "".join(chr(ord("a") + b % 26) for b in digest)


def normalise(text: str, lang: str) -> list[str]:
    """Lower-case words without Arabic vowel marks, with Arabic-Indic digits as 0-9."""
    if lang == "tr":
        text = text.replace("İ", "i").replace("I", "ı")
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)).translate(_DIGITS).translate(_APOSTROPHES).lower()
    return _TOKEN.findall(_GLUED_NUMBER.sub(" ", text))[:MAX_WORDS]


@functools.lru_cache(maxsize=1)
def _simplemma() -> ModuleType | None:
    try:
        import simplemma
    except ImportError:
        return None
    return simplemma


def _lemma(word: str, lang: str) -> str:
    module = _simplemma()
    if module is None or word.isdigit():
        return word
    try:
        return str(module.lemmatize(word, lang=lang)).lower()
    except ValueError:  # a language simplemma does not know
        return word


class Glossary:
    """Words and phrases of one language -> Dutch words the offers use."""

    def __init__(self, lang: str, entries: Mapping[str, str], names: frozenset[str] = frozenset()) -> None:
        self.lang = lang
        self._entries: dict[tuple[str, ...], str] = {}
        for key, dutch in entries.items():
            words = tuple(normalise(key, lang))
            if words:
                self._entries[words] = dutch
        self._names = {tuple(normalise(n, DUTCH)) for n in names}
        self._name_words = {w for name in self._names for w in name}
        self._single = [k[0] for k in self._entries if len(k) == 1 and len(k[0]) >= FUZZY_MIN_CHARS]

    def __len__(self) -> int:
        return len(self._entries)

    def gloss(self, text: str, keep: Callable[[str], bool] | None = None) -> Gloss:
        """The Dutch words of `text`, in the order they came. `keep`: words to keep as they are, as the
        offers use them ('babbeltafel', 'leefloon': the search passes its vocabulary)."""
        tokens = normalise(text, self.lang)
        if self.lang == "tr":
            tokens = [self._without_case_ending(t, keep) for t in tokens]
        lemmas = [_lemma(t, self.lang) for t in tokens]
        pieces: list[tuple[int, int, str]] = []  # (first token, after the last token, Dutch)
        modifiers: list[int] = []  # unknown words that may say what kind of thing is meant
        understood = 0
        i = 0
        while i < len(tokens):
            found = self._phrase(tokens, lemmas, i)
            if found is not None:
                size, dutch = found
                pieces.append((i, i + size, dutch))
                understood += size
                i += size
                continue
            word = tokens[i]
            dutch_word = self._single_word(word, keep)
            if dutch_word is not None:
                pieces.append((i, i + 1, dutch_word))
                understood += 1
            elif self._may_modify(word):
                modifiers.append(i)
            i += 1
        out = self._with_unknown_kinds(tokens, pieces, modifiers)
        return Gloss(" ".join(w for w in out if w), understood, len(tokens))

    def _with_unknown_kinds(
        self, tokens: list[str], pieces: list[tuple[int, int, str]], modifiers: list[int]
    ) -> list[str]:
        """The Dutch words, with a general head beside an unknown word written as a compound with a stand-in."""
        out = [dutch for _, _, dutch in pieces]
        covered = {j for start, end, _ in pieces for j in range(start, end)}
        done: set[int] = set()
        for position in modifiers:
            for n, (start, end, dutch) in enumerate(pieces):
                if n in done or dutch not in GENERIC_HEADS:
                    continue
                before = end == position or (end == position - 1 and end not in covered and end not in modifiers)
                after = start == position + 1 or (
                    start == position + 2 and position + 1 not in covered and position + 1 not in modifiers
                )
                if before or after:
                    out[n] = stand_in(tokens[position]) + dutch
                    done.add(n)
                    break
        return out

    def _may_modify(self, word: str) -> bool:
        """An unknown word that may name a kind of thing: not a small word of its language, no number."""
        if len(word) < MIN_MODIFIER_CHARS or word.isdigit():
            return False
        return zipf(word, self.lang) < FILLER_ZIPF

    def _phrase(self, tokens: list[str], lemmas: list[str], i: int) -> tuple[int, str] | None:
        for size in range(min(MAX_PHRASE_WORDS, len(tokens) - i), 0, -1):
            for words in (tuple(tokens[i : i + size]), tuple(lemmas[i : i + size])):
                if words in self._entries:
                    return size, self._entries[words]
                if words in self._names:
                    return size, " ".join(words)
        return None

    def _single_word(self, word: str, keep: Callable[[str], bool] | None = None) -> str | None:
        if word.isdigit():
            return word
        if self._is_dutch(word):
            return word
        if self._dutch_in_other_script(word):
            return word
        if keep is not None and word.isascii() and not self._common_own_word(word) and keep(word):
            return word  # an offer's word the person's own language hardly uses ('leefloon', not French 'les')
        if self.lang == "ar":
            found = self._without_prefixes(word, depth=2)
            if found is not None:
                return found
        if len(word) >= FUZZY_MIN_CHARS and self._single and not self._common_own_word(word):
            match = process.extractOne(word, self._single, scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE)
            if match is not None:
                return self._entries[(match[0],)]
        return None

    def _without_case_ending(self, word: str, keep: Callable[[str], bool] | None) -> str:
        """'bilzende' -> 'bilzen', "hasselt'e" -> 'hasselt': a name or an offer's word with a Turkish case ending."""
        stem, apostrophe, ending = word.partition("'")
        if apostrophe:
            return stem if ending in TURKISH_CASE_ENDINGS else word
        if (word,) in self._entries or word in self._name_words or self._common_own_word(word) or self._is_dutch(word):
            return word
        if keep is not None and keep(word):
            return word
        for ending in TURKISH_CASE_ENDINGS:
            rest = word[: -len(ending)]
            if not word.endswith(ending) or len(rest) < MIN_KEPT_LATIN or not rest.isascii():
                continue
            if rest in self._name_words or (keep is not None and keep(rest)) or self._is_dutch(rest):
                return rest
        return word

    def _dutch_in_other_script(self, word: str) -> bool:
        """'multimove', 'ijspiste' in a Ukrainian, Russian or Arabic question: a name or a Dutch word."""
        return self.lang in OWN_SCRIPT_NOT_LATIN and len(word) >= MIN_KEPT_LATIN and bool(_LATIN_WORD.fullmatch(word))

    def _without_prefixes(self, word: str, depth: int) -> str | None:
        """An Arabic word found after taking off up to `depth` glued prefixes ('وبالمسبح' -> 'مسبح')."""
        for prefix in ARABIC_PREFIXES:
            rest = word[len(prefix) :]
            if not word.startswith(prefix) or len(rest) < 2:
                continue
            if (rest,) in self._entries:
                return self._entries[(rest,)]
            if depth > 1:
                found = self._without_prefixes(rest, depth - 1)
                if found is not None:
                    return found
        return None

    def _common_own_word(self, word: str) -> bool:
        """'other' is no typo of 'mother', 'river' none of 'driver': common words are what they are."""
        return zipf(word, self.lang) >= OWN_WORD_ZIPF

    def _is_dutch(self, word: str) -> bool:
        if not word.isascii():
            return False
        dutch, own = zipf(word, DUTCH), zipf(word, self.lang)
        return dutch >= DUTCH_ZIPF and dutch >= own + DUTCH_LEAD


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GlossaryError(f"{path}: glossary file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise GlossaryError(f"{path}: not valid TOML: {error}") from None


def load_glossaries(folder: Path) -> dict[str, Glossary]:
    """Every language's glossary in `folder` (one `<lang>.toml` each), with the shared names of common.toml."""
    common = _read(folder / "common.toml")
    names = common.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise GlossaryError(f"{folder / 'common.toml'}: names must be a list of texts in quotes")
    glossaries: dict[str, Glossary] = {}
    for lang in LANGUAGES:
        if lang == DUTCH:
            continue
        path = folder / f"{lang}.toml"
        if not path.exists():
            continue
        document = _read(path)
        entries: dict[str, str] = {}
        for table, values in document.items():
            if not isinstance(values, dict):
                raise GlossaryError(f'{path}: [{table}] must be a table of  word = "Dutch word"  lines')
            for key, dutch in values.items():
                if not isinstance(dutch, str):
                    raise GlossaryError(f"{path}: [{table}] {key}: the Dutch word must be a text in quotes")
                entries[key] = dutch
        glossaries[lang] = Glossary(lang, entries, frozenset(names))
    return glossaries
