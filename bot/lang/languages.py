"""The languages the bot speaks: Dutch first, then the languages of Bilzen's newcomers."""

from __future__ import annotations

from typing import Final

DUTCH: Final = "nl"
LANGUAGES: Final = ("nl", "en", "fr", "uk", "ar", "tr", "ru")
RIGHT_TO_LEFT: Final = frozenset({"ar"})


def supported(code: str | None) -> str | None:
    """A supported language from an IETF tag such as Telegram's `language_code` ('en-GB' -> 'en'), or None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else None
