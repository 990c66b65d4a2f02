"""Reading `data/care.toml`: the help lines, what each kind of answer shows, and the word lists.

A coordinator edits this file by hand, so every mistake is reported with the place that holds it
(`CareDataError("[suicide] phrases: 'wil ~': '~' cannot come last")`), when the bot starts, never when a
person in trouble happens to need that line.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.care.patterns import DEFAULT_WINDOW, PatternError, Phrase, Rule, parse_phrase
from bot.care.words import fold, words
from bot.lang.languages import DUTCH, LANGUAGES
from bot.platform.hours import HoursError, OpeningHours

CATEGORIES = ("emergency", "suicide", "violence", "material", "distress", "money")
CRISIS = frozenset({"suicide", "violence", "emergency", "material"})  # answered without any leisure offer
SPECIAL = ("guard", "soft", "child")  # not answers: masks for hyperbole, the 106 pointer, a young writer
TRANSLATED = ("name", "hours", "chat_hours")  # what a line says in words, and so in every language


class CareDataError(ValueError):
    """data/care.toml cannot be used; the message names the place and what is wrong."""


@dataclass(frozen=True)
class HelpLine:
    key: str
    name: str
    number: str | None
    hours: str  # as a person reads it: "dag en nacht"
    chat: str | None  # the chat page, shown as a button
    chat_hours: str
    site: str | None
    open: OpeningHours  # structured; always open when empty
    # Its name and hours in the bot's other languages ([lines.<key>.<lang>]): language -> field -> text
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def in_language(self, lang: str) -> HelpLine:
        """The line as a person reading `lang` sees it: name and hours translated, where the file has them."""
        words = self.translations.get(lang)
        if lang == DUTCH or not words:
            return self
        return dataclasses.replace(
            self,
            name=words.get("name", self.name),
            hours=words.get("hours", self.hours),
            chat_hours=words.get("chat_hours", self.chat_hours),
        )


@dataclass(frozen=True)
class AnswerPlan:
    category: str
    lines: tuple[str, ...]  # the lines this answer names, in order
    young: tuple[str, ...]  # lines added (first) when the writer seems a child or teenager
    chat: tuple[str, ...]  # lines whose chat page becomes a button under the answer
    sent_to: str  # what the anonymous count records as 'where they were sent'


@dataclass(frozen=True)
class CareData:
    order: tuple[str, ...]
    child_ages: tuple[int, int]
    lines: Mapping[str, HelpLine]
    plans: Mapping[str, AnswerPlan]
    spelling: Mapping[str, str]
    rules: tuple[Rule, ...]  # every rule, guards and the rest, in file order


def _list_of_text(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CareDataError(f"{where}: expected a list of texts in quotes, got {value!r}")
    return value


def _text(where: str, table: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise CareDataError(f"{where}.{key}: expected text in quotes, got {value!r}")
    return value


def _url(where: str, value: str) -> str | None:
    if not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise CareDataError(f"{where}: expected an address starting with https://, got {value!r}")
    return value.strip()


def _rules(
    where: str, table: Mapping[str, Any], category: str, topic: str | None, spelling: Mapping[str, str]
) -> list[Rule]:
    unknown = set(table) - {"phrases", "together", "window"}
    if unknown:
        raise CareDataError(f"{where}: unknown key {sorted(unknown)[0]!r}; expected phrases, together, window")
    window = table.get("window", DEFAULT_WINDOW)
    if isinstance(window, bool) or not isinstance(window, int) or not 2 <= window <= 60:
        raise CareDataError(f"{where}.window: expected a whole number from 2 to 60, got {window!r}")
    found: list[Rule] = []
    try:
        for text in _list_of_text(f"{where}.phrases", table.get("phrases", [])):
            found.append(Rule(category, topic, (parse_phrase(text, spelling),)))
        together = table.get("together", [])
        if not isinstance(together, list):
            raise CareDataError(f"{where}.together: expected a list of lists, got {together!r}")
        for group in together:
            texts = _list_of_text(f"{where}.together", group)
            if len(texts) < 2:
                raise CareDataError(f"{where}.together: {group!r} needs at least two phrases")
            phrases: tuple[Phrase, ...] = tuple(parse_phrase(t, spelling) for t in texts)
            found.append(Rule(category, topic, phrases, window))
    except PatternError as error:
        raise CareDataError(f"{where}: {error}") from None
    return found


def parse_care(document: Mapping[str, Any]) -> CareData:
    """Validate an already read care.toml."""
    known = {"settings", "lines", "answers", "spelling", *SPECIAL, *CATEGORIES}
    unknown = set(document) - known
    if unknown:
        raise CareDataError(f"unknown section [{sorted(unknown)[0]}]; expected one of {', '.join(sorted(known))}")
    settings = document.get("settings", {})
    order = tuple(_list_of_text("[settings] order", settings.get("order", list(CATEGORIES))))
    if sorted(order) != sorted(CATEGORIES):
        raise CareDataError(f"[settings] order: name each of {', '.join(CATEGORIES)} once, got {list(order)}")
    ages = settings.get("child_ages", [6, 17])
    if not (isinstance(ages, list) and len(ages) == 2 and all(isinstance(a, int) for a in ages) and ages[0] < ages[1]):
        raise CareDataError(f"[settings] child_ages: expected [youngest, oldest] like [6, 17], got {ages!r}")

    spelling_table = document.get("spelling", {})
    spelling: dict[str, str] = {}
    for spoken, written in spelling_table.items():
        if not isinstance(written, str) or len(words(spoken)) != 1 or len(words(written)) != 1:
            raise CareDataError(f"[spelling] {spoken!r}: expected one word = one word, got {written!r}")
        spelling[fold(spoken)] = words(written)[0]

    lines: dict[str, HelpLine] = {}
    for key, table in document.get("lines", {}).items():
        where = f"[lines.{key}]"
        if not key.isidentifier():
            raise CareDataError(f"{where}: a line's name may hold letters, digits and _ only")
        try:
            entries = _list_of_text(f"{where} open", table["open"]) if table.get("open") else []
            opening = OpeningHours.parse(entries)
        except HoursError as error:
            raise CareDataError(f"{where} open: {error}") from None
        number = _text(where, table, "number", "").strip() or None
        chat = _url(f"{where} chat", _text(where, table, "chat", ""))
        site = _url(f"{where} site", _text(where, table, "site", ""))
        if number is None and chat is None and site is None:
            raise CareDataError(f"{where}: give a number, a chat or a site, or people cannot reach it")
        translations: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            words_of = table.get(lang)
            if lang == DUTCH or words_of is None:
                continue
            if not isinstance(words_of, dict) or set(words_of) - set(TRANSLATED):
                raise CareDataError(f"[lines.{key}.{lang}]: expected only {', '.join(TRANSLATED)}")
            translations[lang] = {k: _text(f"[lines.{key}.{lang}]", words_of, k) for k in words_of}
        lines[key] = HelpLine(
            translations=translations,
            key=key,
            name=_text(where, table, "name"),
            number=number,
            hours=_text(where, table, "hours", ""),
            chat=chat,
            chat_hours=_text(where, table, "chat_hours", ""),
            site=site,
            open=opening,
        )

    plans: dict[str, AnswerPlan] = {}
    for category in CATEGORIES:
        where = f"[answers.{category}]"
        table = document.get("answers", {}).get(category)
        if table is None:
            raise CareDataError(f"{where} is missing: say which lines this answer names")
        chosen = {}
        for key in ("lines", "young", "chat"):
            chosen[key] = tuple(_list_of_text(f"{where} {key}", table.get(key, [])) if table.get(key) else ())
            for name in chosen[key]:
                if name not in lines:
                    raise CareDataError(f"{where} {key}: there is no [lines.{name}]")
        sent_to = _text(where, table, "sent_to")
        plans[category] = AnswerPlan(category, chosen["lines"], chosen["young"], chosen["chat"], sent_to)

    rules: list[Rule] = []
    for section in (*SPECIAL, *CATEGORIES):
        table = document.get(section)
        if table is None:
            if section in CATEGORIES:
                raise CareDataError(f"[{section}] is missing: without words, nothing is recognised")
            continue
        if "phrases" in table or "together" in table:
            rules += _rules(f"[{section}]", table, section, None, spelling)
        for topic, sub in table.items():
            if isinstance(sub, dict):
                rules += _rules(f"[{section}.{topic}]", sub, section, topic, spelling)
    return CareData(order, (ages[0], ages[1]), lines, plans, spelling, tuple(rules))


def load_care(path: Path) -> CareData:
    """Read and check the file; a file read before and unchanged since is not parsed again (tests open many
    cores, and a running bot reads it once)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CareDataError(f"{path}: file not found") from None
    return _parsed(str(path), raw)


@functools.lru_cache(maxsize=4)
def _parsed(path: str, raw: bytes) -> CareData:
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise CareDataError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise CareDataError(f"{path}: not valid TOML: {error}") from None
    try:
        return parse_care(document)
    except CareDataError as error:
        raise CareDataError(f"{path}: {error}") from None
