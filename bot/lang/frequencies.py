"""How common a word is in a language (wordfreq's Zipf scale), for detecting and glossing questions.

One place for both readers of bot/lang. wordfreq is a dependency; should it be missing, every word counts
as unknown (0.0): detection then goes by script alone and the gloss treats no word as common.
"""

from __future__ import annotations

import functools
from types import ModuleType


@functools.lru_cache(maxsize=1)
def _wordfreq() -> ModuleType | None:
    try:
        import wordfreq
    except ImportError:
        return None
    return wordfreq


def zipf(word: str, lang: str) -> float:
    """0 for a word the language does not use, about 7 for its most common words ('the', 'de')."""
    module = _wordfreq()
    if module is None:
        return 0.0
    return float(module.zipf_frequency(word, lang))
