"""The bot's texts in every language it speaks: `data/texts.<lang>.toml`, Dutch first.

Every language file must hold every key of the Dutch one with the same placeholders
(tests/test_texts_languages.py). Should a coordinator's edit leave a key out all the same, the person
gets the Dutch text for that one key rather than an error: a Dutch sentence is better than no answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.lang.languages import DUTCH, LANGUAGES
from bot.platform.texts import Texts


class Catalog:
    """Texts per language; `catalog[lang]` never fails (an unknown language gets Dutch)."""

    def __init__(self, texts: Mapping[str, Texts]) -> None:
        if DUTCH not in texts:
            raise ValueError("the Dutch texts are required")
        dutch = texts[DUTCH]
        self._texts = {lang: own if lang == DUTCH else own.over(dutch) for lang, own in texts.items()}

    @classmethod
    def load(cls, folder: Path, *, stem: str = "texts") -> Catalog:
        """`<stem>.nl.toml` (required) and every other language's file that exists."""
        found = {}
        for lang in LANGUAGES:
            path = folder / f"{stem}.{lang}.toml"
            if lang == DUTCH or path.exists():
                found[lang] = Texts.load(path, lang=lang)
        return cls(found)

    def __getitem__(self, lang: str | None) -> Texts:
        return self._texts.get(lang or DUTCH) or self._texts[DUTCH]

    @property
    def dutch(self) -> Texts:
        return self._texts[DUTCH]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a texts file, in the order of LANGUAGES."""
        return tuple(lang for lang in LANGUAGES if lang in self._texts)
