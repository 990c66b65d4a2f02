"""Which language a question is written in, reliable on two-word Flemish questions.

Language-id models trained on web text read short Flemish as anything but Dutch (py3langid got 25 of
71 short questions wrong, LANGUAGE-NOTES.md). Two cheaper signals do better here:
- the script: Cyrillic is Ukrainian or Russian (told apart by the letters only one of them uses),
  Arabic script is Arabic;
- for Latin script, how common each word is in each language (wordfreq's Zipf scale, 0 for a word
  the language does not use), summed over the question. Dutch is kept unless another language wins
  clearly: the bot serves Flemish speakers first, and a Dutch question misread as English is worse
  than an English one answered in Dutch (the person can still press /taal).
The network's own names (data/glossary/common.toml: "rap op stap", "bilzen", "de kimpel") are written
the same in every language, so they do not vote: "plopsaland trip how much with rap op stap card" is
English, however Dutch "op" is.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from typing import Final

from bot.lang.frequencies import zipf as _zipf
from bot.lang.languages import DUTCH
from bot.platform.config import PROJECT_ROOT

NAMES_FILE: Final = PROJECT_ROOT / "data" / "glossary" / "common.toml"

LATIN: Final = ("nl", "en", "fr", "tr")
CLEAR_MARGIN: Final = 1.0  # Zipf points (summed) by which another language must beat the runner-up
MIN_LATIN_WORDS: Final = 2  # one word ("merci", "sorry") is no reason to switch a Flemish speaker's language
# Newcomers mix in the Dutch words they know ("zwembad gratis"): that is no wish to be answered in Dutch.
MIN_DUTCH_WORDS: Final = 4
UKRAINIAN_LETTERS: Final = frozenset("іїєґ")
RUSSIAN_LETTERS: Final = frozenset("ыэъё")
TURKISH_LETTERS: Final = frozenset("ğışİ")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MAX_WORDS: Final = 40  # a long story is judged on its first words: enough, and bounded in time


@dataclass(frozen=True)
class Detection:
    """The language a text is written in, and whether that is clear enough to switch to it."""

    lang: str
    clear: bool


def _script(char: str) -> str:
    if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\ufb50" <= char <= "\ufeff":
        return "arabic"
    if "\u0400" <= char <= "\u04ff":
        return "cyrillic"
    if char.isascii() or unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return "other"


def _word_script(word: str) -> str:
    """The script most of a word's letters are written in."""
    counts: dict[str, int] = {}
    for char in word:
        kind = _script(char)
        counts[kind] = counts.get(kind, 0) + 1
    return max(counts, key=lambda k: counts[k])


@functools.lru_cache(maxsize=1)
def _names() -> tuple[tuple[str, ...], ...]:
    """The network's names as word sequences, longest first; none when the file cannot be read."""
    try:
        names = tomllib.loads(NAMES_FILE.read_text(encoding="utf-8")).get("names", [])
    except (OSError, tomllib.TOMLDecodeError):
        return ()
    found = {tuple(w.lower() for w in _WORD.findall(n)) for n in names if isinstance(n, str)}
    return tuple(sorted((n for n in found if n), key=len, reverse=True))


def _without_names(words: list[str]) -> list[str]:
    """The words that are not part of one of the network's names."""
    names = _names()
    kept: list[str] = []
    i = 0
    while i < len(words):
        name = next((n for n in names if tuple(words[i : i + len(n)]) == n), None)
        if name is None:
            kept.append(words[i])
            i += 1
        else:
            i += len(name)
    return kept


def detect(text: str, *, current: str = DUTCH) -> Detection:
    """The language of `text`; `clear` says it differs from `current` beyond doubt (or equals it)."""
    words = _without_names([w.lower() for w in _WORD.findall(text)][:MAX_WORDS])
    if not words:
        return Detection(current, False)
    scripts: dict[str, int] = {}
    for word in words:
        kind = _word_script(word)
        scripts[kind] = scripts.get(kind, 0) + 1
    main = max(scripts, key=lambda k: scripts[k])
    # 'babbeltafel когда', 'ijspiste до какого числа': a newcomer's own script with Dutch names mixed in
    # is their language, as long as it holds at least a third of the words.
    for own in ("arabic", "cyrillic"):
        if main == "latin" and scripts.get(own, 0) * 2 >= scripts["latin"]:
            main = own
    if main == "arabic":
        return Detection("ar", True)
    if main == "cyrillic":
        return Detection(_cyrillic(words), True)
    if main != "latin":
        return Detection(current, False)
    return _latin(words, current)


def _cyrillic(words: list[str]) -> str:
    letters = set("".join(words))
    uk, ru = len(letters & UKRAINIAN_LETTERS), len(letters & RUSSIAN_LETTERS)
    if uk != ru:
        return "uk" if uk > ru else "ru"
    uk_score = sum(_zipf(w, "uk") for w in words)
    ru_score = sum(_zipf(w, "ru") for w in words)
    return "uk" if uk_score > ru_score else "ru"


def _latin(words: list[str], current: str) -> Detection:
    scores = {lang: sum(_zipf(w, lang) for w in words) for lang in LATIN}
    if set("".join(words)) & TURKISH_LETTERS:
        scores["tr"] += CLEAR_MARGIN * 2  # ğ, ı and ş are written in no other language we meet here
    best = max(LATIN, key=lambda lang: scores[lang])
    if best != DUTCH and scores[best] - scores[DUTCH] <= CLEAR_MARGIN:
        best = DUTCH  # Flemish first: only a clear win takes a question away from Dutch
    if best == current:
        return Detection(current, True)
    needed = MIN_DUTCH_WORDS if best == DUTCH else MIN_LATIN_WORDS
    beats_current = current not in scores or scores[best] - scores[current] > CLEAR_MARGIN
    clear = len(words) >= needed and beats_current
    return Detection(best if clear else current, clear)


def question_language(text: str, *, current: str = DUTCH) -> str:
    """The language to read and answer `text` in: the one it is clearly written in, else `current`."""
    return detect(text, current=current).lang
