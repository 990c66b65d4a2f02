"""The language of the person the bot is answering right now, and the texts that follow it.

Every part of the bot that says something (the conversation, cards, the care desk, reminders, key
figures) was built with one `Texts`. They all get `SpokenTexts` instead: the same interface, but each
text comes from the catalog in the language of the person being answered. That language is set for the
length of one answer (`speaking(lang)`, by the conversation's entry points and the reminder sender), as
a context variable, so two people answered at the same time in different asyncio tasks each get their
own, and a worker thread started from an answer inherits it. Outside an answer it is Dutch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from bot.lang.catalog import Catalog
from bot.lang.languages import DUTCH, LANGUAGES
from bot.platform.texts import Texts

_SPEAKING: ContextVar[str] = ContextVar("bot_language", default=DUTCH)


def current_language() -> str:
    """The language of the answer being made now (Dutch outside one)."""
    return _SPEAKING.get()


@contextlib.contextmanager
def speaking(lang: str | None) -> Iterator[str]:
    """Answer in `lang` within this block (an unknown or missing language: Dutch)."""
    chosen = lang if lang in LANGUAGES else DUTCH
    token = _SPEAKING.set(chosen)
    try:
        yield chosen
    finally:
        _SPEAKING.reset(token)


class SpokenTexts(Texts):
    """`Texts` in the current person's language: what every part that talks is given (bot/core.py)."""

    def __init__(self, catalog: Catalog) -> None:  # no super().__init__: the templates live in the catalog
        self.catalog = catalog
        self.source = "texts"

    @property
    def current(self) -> Texts:
        return self.catalog[current_language()]

    @property
    def lang(self) -> str:
        return self.current.lang

    def in_language(self, lang: str) -> Texts:
        """The texts of one given language, whatever the current one (the language chooser's names)."""
        return self.catalog[lang]

    def keys(self) -> set[str]:
        return self.catalog.dutch.keys()

    def _template(self, key: str) -> str:
        return self.current.template(key)

    def items(self, prefix: str) -> list[str]:
        return self.current.items(prefix)

    def over(self, base: Texts) -> Texts:
        raise TypeError("SpokenTexts already fall back on Dutch key by key")
