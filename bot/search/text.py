"""Turning free text into comparable words: accent folding, tokenising and Snowball stemming.

People type "cafe" for "café", "een" for "één" and "ĳ" from a phone keyboard; offers are
written carefully. Both sides go through the same folding so that these meet.
"""

from __future__ import annotations

import re
import unicodedata

import Stemmer

MAX_QUESTION_CHARS = 500  # a question longer than this is cut: nobody asks about leisure in an essay
_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = Stemmer.Stemmer("dutch")


def fold(text: str) -> str:
    """Lower-case ASCII text for matching: accents dropped ('café' -> 'cafe'), 'ĳ' split into 'ij'.

    Characters with no Latin letter in them (emoji, other scripts) disappear: the matcher only
    compares Latin words. NFKD then an ASCII encode does it in C, fast enough for 100k offers.
    """
    folded = text.casefold()
    if folded.isascii():
        return folded
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """The folded words of a text, in order; punctuation, emoji and non-Latin scripts are dropped."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """The Snowball Dutch stem of a folded word."""
    return _STEMMER.stemWord(word)


def stems(words_: list[str]) -> list[str]:
    """Stems of many folded words at once (one call into the C stemmer)."""
    return _STEMMER.stemWords(words_)
