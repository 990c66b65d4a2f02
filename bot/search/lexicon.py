"""The coordinator's word list (`data/lexicon.toml`): dialect, synonyms, phrases, needs and audiences.

The file is edited by hand by people who do not write code, so the loader folds every word the
same way the matcher does (accents, case) and reports a wrong entry by its section and key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.search.text import words


class LexiconError(ValueError):
    """An entry of the word list cannot be used; the message names the section and key."""


@dataclass(frozen=True)
class AudienceRule:
    """Words that say for whom something must be ('kleuter', 'oma') and what that means."""

    name: str
    min_age: int | None
    max_age: int | None
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Need:
    """A threshold people name ('geen auto', 'wie past op de kinderen') and the offers that answer it."""

    name: str
    kinds: tuple[str, ...]
    categories: tuple[str, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    spelling: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    groups: tuple[tuple[str, ...], ...] = ()
    group_of: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # word -> indexes into groups
    phrases: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    out_of_scope: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()  # words that say what form ('cursus', 'reis'), not what about
    places: frozenset[str] = frozenset()  # villages and towns: where someone lives or would go
    audiences: Mapping[str, AudienceRule] = field(default_factory=dict)  # word -> rule
    free_words: frozenset[str] = frozenset()
    cheap_words: frozenset[str] = frozenset()  # asking for a reduction ('te duur', 'korting')
    price_words: frozenset[str] = frozenset()  # asking what something costs ('prijs', 'kost')
    needs: Mapping[str, tuple[Need, ...]] = field(default_factory=dict)  # word -> needs it signals
    stem_overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def max_phrase_length(self) -> int:
        return max((len(p) for p in self.phrases), default=1)

    def synonyms(self, word: str) -> set[str]:
        """All words sharing a synonym group with `word` (not including it)."""
        found: set[str] = set()
        for index in self.group_of.get(word, ()):
            found.update(self.groups[index])
        found.discard(word)
        return found

    def all_words(self) -> set[str]:
        """Every single word the lexicon mentions anywhere, stopwords and spelling targets included."""
        found = self.known_words() | set(self.stopwords) | set(self.out_of_scope)
        found |= self.free_words | self.cheap_words | self.price_words
        for targets in self.spelling.values():
            found.update(targets)
        for phrase in self.phrases:
            found.update(phrase)
        return {w for w in found if " " not in w}

    def known_words(self) -> set[str]:
        """Every single word the lexicon gives a meaning to: used to split compounds."""
        known = set(self.group_of) | set(self.audiences) | set(self.needs)
        known |= set(self.phrases.values())
        return {w for w in known if " " not in w}


def load_lexicon(path: Path) -> Lexicon:
    """Read and check `lexicon.toml`; raise LexiconError naming the wrong entry."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LexiconError(f"{path}: word list not found") from None
    except tomllib.TOMLDecodeError as error:
        raise LexiconError(f"{path}: not valid TOML: {error}") from None
    try:
        return parse_lexicon(document)
    except LexiconError as error:
        raise LexiconError(f"{path}: {error}") from None


def _folded_words(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, str):
        raise LexiconError(f"{where}: expected text in quotes, got {value!r}")
    return tuple(words(value))


def _word_list(where: str, value: Any) -> list[tuple[str, ...]]:
    if not isinstance(value, list):
        raise LexiconError(f"{where}: expected a list of words in [ ], got {value!r}")
    return [w for i, item in enumerate(value) if (w := _folded_words(f"{where}[{i + 1}]", item))]


def _table(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LexiconError(f"[{where}]: expected a section")
    return value


def _optional_age(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
        raise LexiconError(f"{where}: expected an age in years, got {value!r}")
    return value


def parse_lexicon(document: Mapping[str, Any]) -> Lexicon:
    """Build a Lexicon from the parsed TOML document."""
    spelling: dict[str, tuple[str, ...]] = {}
    for key, value in _table("spelling", document.get("spelling", {})).items():
        source = _folded_words(f"[spelling] {key}", key)
        if len(source) != 1:
            raise LexiconError(f"[spelling] {key!r}: put one word on the left (word groups go under [phrases])")
        spelling[source[0]] = _folded_words(f"[spelling] {key}", value)

    phrases: dict[tuple[str, ...], str] = {}
    for key, value in _table("phrases", document.get("phrases", {})).items():
        phrase = _folded_words(f"[phrases] {key}", key)
        target = _folded_words(f"[phrases] {key}", value)
        if len(phrase) < 2 or len(target) != 1:
            raise LexiconError(f"[phrases] {key!r}: expected several words on the left and one word on the right")
        phrases[phrase] = target[0]

    groups: list[tuple[str, ...]] = []
    group_of: dict[str, list[int]] = {}
    for key, value in _table("synonyms", document.get("synonyms", {})).items():
        members = _word_list(f"[synonyms] {key}", value)
        head = _folded_words(f"[synonyms] {key}", key)
        group: list[str] = ["".join(head)]
        for member in members:
            if len(member) > 1:  # a multi-word synonym is read as a phrase standing for the group's head
                phrases.setdefault(member, group[0])
            else:
                group.append(member[0])
        unique = tuple(dict.fromkeys(group))
        for word in unique:
            group_of.setdefault(word, []).append(len(groups))
        groups.append(unique)

    stopwords = {
        " ".join(w)
        for w in _word_list("[stopwords] words", _table("stopwords", document.get("stopwords", {})).get("words", []))
    }
    out_of_scope = {
        " ".join(w)
        for w in _word_list(
            "[out_of_scope] words", _table("out_of_scope", document.get("out_of_scope", {})).get("words", [])
        )
    }
    generic = {
        " ".join(w)
        for w in _word_list("[generic] words", _table("generic", document.get("generic", {})).get("words", []))
    }
    places = {
        " ".join(w) for w in _word_list("[places] words", _table("places", document.get("places", {})).get("words", []))
    }

    audiences: dict[str, AudienceRule] = {}
    for name, entry in _table("audience", document.get("audience", {})).items():
        entry = _table(f"audience.{name}", entry)
        rule = AudienceRule(
            name=name,
            min_age=_optional_age(f"[audience.{name}] min_age", entry.get("min_age")),
            max_age=_optional_age(f"[audience.{name}] max_age", entry.get("max_age")),
            groups=tuple(" ".join(g) for g in _word_list(f"[audience.{name}] groups", entry.get("groups", []))),
        )
        for phrase in _word_list(f"[audience.{name}] words", entry.get("words", [])):
            audiences[" ".join(phrase)] = rule

    price = _table("price", document.get("price", {}))
    free_words = {" ".join(w) for w in _word_list("[price] free", price.get("free", []))}
    cheap_words = {" ".join(w) for w in _word_list("[price] cheap", price.get("cheap", []))}
    price_words = {" ".join(w) for w in _word_list("[price] asks_price", price.get("asks_price", []))}

    needs: dict[str, list[Need]] = {}
    for name, entry in _table("needs", document.get("needs", {})).items():
        entry = _table(f"needs.{name}", entry)
        need = Need(
            name=name,
            kinds=tuple(" ".join(w) for w in _word_list(f"[needs.{name}] kinds", entry.get("kinds", []))),
            categories=tuple(
                " ".join(w) for w in _word_list(f"[needs.{name}] categories", entry.get("categories", []))
            ),
            terms=tuple(" ".join(w) for w in _word_list(f"[needs.{name}] terms", entry.get("terms", []))),
        )
        signals = _word_list(f"[needs.{name}] words", entry.get("words", []))
        signals += _word_list(f"[needs.{name}] phrases", entry.get("phrases", []))
        for signal in signals:
            needs.setdefault(" ".join(signal), []).append(need)

    stem_overrides: dict[str, str] = {}
    for key, value in _table("stems", document.get("stems", {})).items():
        source = _folded_words(f"[stems] {key}", key)
        target = _folded_words(f"[stems] {key}", value)
        if len(source) != 1 or len(target) != 1:
            raise LexiconError(f"[stems] {key!r}: expected one word on each side")
        stem_overrides[source[0]] = target[0]

    unknown = set(document) - {
        "spelling",
        "phrases",
        "synonyms",
        "stopwords",
        "out_of_scope",
        "generic",
        "places",
        "audience",
        "price",
        "needs",
        "stems",
    }
    if unknown:
        raise LexiconError(f"unknown section [{sorted(unknown)[0]}]")

    return Lexicon(
        spelling=spelling,
        groups=tuple(groups),
        group_of={w: tuple(ix) for w, ix in group_of.items()},
        phrases=phrases,
        stopwords=frozenset(stopwords),
        out_of_scope=frozenset(out_of_scope),
        generic=frozenset(generic),
        places=frozenset(places),
        audiences=audiences,
        free_words=frozenset(free_words),
        cheap_words=frozenset(cheap_words),
        price_words=frozenset(price_words),
        needs={w: tuple(n) for w, n in needs.items()},
        stem_overrides=stem_overrides,
    )
