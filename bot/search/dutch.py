"""What packages know about Dutch words: how common a word is (wordfreq) and its lemma (simplemma).

Both answer questions the word list cannot answer for every word people type:
- a common Dutch word is no typo: "horen" is not corrected into "huren", "plein" not into "klein";
- a word that common and still unknown to the offers is more often filler ("zegt", "sinds", "nooit")
  than the subject of a question, so it weighs less;
- "zwemme" and "knutsele" are the lemmas "zwemmen" and "knutselen", before any dialect rule.

Both packages ship their data inside the wheel. Without them, nothing is guarded or lemmatised and
the matcher behaves as before they were added.
"""

from __future__ import annotations

import functools
import logging
import re
import threading

from bot.search.text import fold

log = logging.getLogger(__name__)

REAL_WORD = 3.5  # Zipf frequency from which a word is a real Dutch word, never corrected ("horen" is 5.4)
COMMON_WORD = 5.0  # from here on a word nobody's offer uses is mostly filler ("zegt" 5.7, "nooit" 5.8)
ENGLISH_MARGIN = 1.0
OTHER_LANGUAGES = ("en", "fr", "tr")
OTHER_LANGUAGE_MARGIN = 1.0  # another language must explain the words this much better than Dutch
_LETTERS = re.compile(r"^[a-z]+$")


STORED_FROM = 3.0  # words rarer than this are kept as 0: no threshold below needs them
_tables: dict[str, dict[str, float]] = {}
_tables_lock = threading.Lock()


def _table(language: str) -> dict[str, float]:
    """The words of a language from Zipf STORED_FROM up, folded like the matcher's words.

    Read straight from wordfreq's data file and kept small (29,000 Dutch words, about 3 MB): its own
    lookup keeps all 311,000 words of a language in memory (about 50 MB each).
    """
    table = _tables.get(language)
    if table is not None:
        return table
    with _tables_lock:
        table = _tables.get(language)
        if table is None:
            table = _read_table(language)
            _tables[language] = table
    return table


def _read_table(language: str) -> dict[str, float]:
    try:
        from wordfreq import DATA_PATH, read_cBpack
    except ImportError:  # pragma: no cover - a dependency; without it nothing is guarded
        return {}
    for size in ("large", "small"):
        path = DATA_PATH / f"{size}_{language}.msgpack.gz"
        if path.exists():
            break
    else:
        return {}
    try:
        bands = read_cBpack(str(path))  # band i holds the words at -i centibels: Zipf 9 - i/100
    except Exception:  # a damaged data file is no reason to fail a question
        log.warning("could not read the word frequencies of %r", language)
        return {}
    table: dict[str, float] = {}
    for index, band in enumerate(bands[: int((9 - STORED_FROM) * 100) + 1]):
        for word in band:
            folded = fold(word)
            if folded.isalpha() and folded not in table:  # bands go from common to rare
                table[folded] = round(9 - index / 100, 2)
    return table


def zipf(word: str, language: str = "nl") -> float:
    """How common a word is in a language, on the Zipf scale (0: rarer than 3.0, 7: 'de')."""
    return _table(language).get(word, 0.0)


def is_real_word(word: str, threshold: float = REAL_WORD) -> bool:
    """A word common enough in Dutch that it is what the person meant, not a typo.

    Dutch text is full of English: a word far more common in English ('make', 'late') counts as
    Dutch only when it is common in Dutch on its own terms.
    """
    dutch = zipf(word)
    return dutch >= threshold and dutch + ENGLISH_MARGIN >= zipf(word, "en")


def is_common_word(word: str) -> bool:
    return zipf(word) >= COMMON_WORD


@functools.lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The dictionary form of a Dutch word ('zwemme' -> 'zwemmen'), or the word itself."""
    try:
        import simplemma
    except ImportError:  # pragma: no cover - a dependency; without it words stay as typed
        return word
    try:
        found = simplemma.lemmatize(word, lang="nl")
    except Exception:  # a package error is no reason to fail a question
        return word
    return found.casefold() if isinstance(found, str) and found else word


def looks_like_another_language(words: list[str]) -> bool:
    """Whether the words read better as English, French or Turkish than as Dutch (by word frequencies).

    Summed Zipf frequencies per language, Dutch kept unless another wins by a clear margin: measured
    on 1,359 Dutch and Flemish questions, 5 were taken for another language; 15 translations all right.
    """
    letters = [w for w in words if _LETTERS.match(w)]
    if not letters:
        return False
    dutch = sum(zipf(w) for w in letters)
    return any(sum(zipf(w, lang) for w in letters) > dutch + OTHER_LANGUAGE_MARGIN for lang in OTHER_LANGUAGES)
