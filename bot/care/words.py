"""Text to comparable words: lower case, accents and Arabic letter variants folded, split into tokens.

The same function reads the person's message and the word lists of `data/care.toml`, so a list may be
written with accents ("ölmek", "dóór") and still match a message typed without them, and the other way
round. Sentence numbers are kept per token: a phrase does not run across a full stop.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 8000  # longer messages are read up to here (Telegram allows 4096; a pasted story is rarely longer)
_FOLD = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i
        "ł": "l",
        "ø": "o",
        "ß": "ss",
        "أ": "ا",  # Arabic: alef with hamza and madda are written interchangeably
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",  # ta marbuta, often typed as ha
        "ى": "ي",  # alef maqsura, often typed as ya
        "ـ": None,  # tatweel (stretching), no letter
        "’": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
    }
)
_TOKEN = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?;\n]+")


@dataclass(frozen=True)
class Token:
    text: str
    sentence: int


def fold(text: str) -> str:
    """Case, accents (also Cyrillic й/ё and Arabic vowel marks) and letter variants folded away."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)


def tokens(text: str) -> list[Token]:
    """The words of a text, folded, each with the number of the sentence it stands in."""
    found: list[Token] = []
    for sentence, part in enumerate(_SENTENCE_END.split(fold(text[:MAX_CHARS]))):
        found.extend(Token(word, sentence) for word in _TOKEN.findall(part))
    return found


def words(text: str) -> list[str]:
    """Only the folded words (for reading the word lists)."""
    return [token.text for token in tokens(text)]
