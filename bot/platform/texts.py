"""The Dutch texts of the bot, kept in `data/texts.nl.toml` so they can be changed without code.

Templates are safe HTML (Telegram's subset: <b>, <i>, <a href>); the values put into them are
escaped. Button labels are plain text. A broken placeholder ({name, {}, {0}, {a.b}) is reported when
the file is loaded, not when a user happens to reach that text. That every key the code uses exists,
with the placeholders the code fills in, is checked by tests/platform/test_texts.py (not at load time).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup


class TextsError(ValueError):
    """The texts file is missing a key, or a template uses a placeholder it may not."""


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            flat[name] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            for index, item in enumerate(value):
                flat[f"{name}.{index}"] = item
        else:
            raise TextsError(f"{name}: expected text in quotes, got {value!r}")
    return flat


def placeholders(template: str) -> set[str]:
    """The names a template fills in, e.g. {'title'} for '<b>{title}</b>'."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise TextsError(f"broken placeholder in {template!r}: {error}") from None
    for name in names:
        # {} and {0} would fail with IndexError, {title.x} would reach into the value: only plain names.
        if not name.isidentifier():
            raise TextsError(f"broken placeholder in {template!r}: {{{name}}} is not a name like {{title}}")
    return set(names)


class Texts:
    def __init__(self, templates: Mapping[str, str], *, source: str = "texts", lang: str = "nl") -> None:
        self._templates = dict(templates)
        self.source = source
        self._lang = lang
        for key, template in self._templates.items():
            try:
                placeholders(template)
            except TextsError as error:
                raise TextsError(f"{source}: {key}: {error}") from None

    @property
    def lang(self) -> str:
        """The language these texts are written in (bot.lang.languages)."""
        return self._lang

    def over(self, base: Texts) -> Texts:
        """These texts, with `base`'s for every key they lack (a language file falls back on Dutch)."""
        return Texts({**base._templates, **self._templates}, source=self.source, lang=self.lang)

    @classmethod
    def load(cls, path: Path, *, lang: str = "nl") -> Texts:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TextsError(f"{path}: texts file not found") from None
        except tomllib.TOMLDecodeError as error:
            raise TextsError(f"{path}: not valid TOML: {error}") from None
        return cls(_flatten(document), source=str(path), lang=lang)

    def keys(self) -> set[str]:
        return set(self._templates)

    def template(self, key: str) -> str:
        """The raw template of a key (python -m bot check compares an edited file with the shipped one)."""
        return self._template(key)

    def _template(self, key: str) -> str:
        try:
            return self._templates[key]
        except KeyError:
            raise TextsError(f"{self.source}: the text {key!r} is missing") from None

    def __call__(self, key: str, **values: Any) -> Markup:
        """The text as safe HTML, with the values escaped."""
        try:
            return Markup(self._template(key)).format(**values)
        except KeyError as error:
            raise TextsError(f"{self.source}: {key} uses {{{error.args[0]}}}, which is not available here") from None

    def label(self, key: str, **values: Any) -> str:
        """A plain-text label (buttons, commands): no markup, nothing escaped."""
        try:
            return self._template(key).format(**values)
        except KeyError as error:
            raise TextsError(f"{self.source}: {key} uses {{{error.args[0]}}}, which is not available here") from None

    def items(self, prefix: str) -> list[str]:
        """The entries of a list in the file (e.g. the month names), in order."""
        found = []
        index = 0
        while f"{prefix}.{index}" in self._templates:
            found.append(self._templates[f"{prefix}.{index}"])
            index += 1
        return found
