"""Recognising a person in trouble, before any search: which kind of help a message needs.

The detector only reads the message and answers with a category; it stores nothing and logs nothing.
Guards are read first ("ik ga dood van verveling", "een balletje slaan"): the words they cover can no
longer count for a crisis. Then every rule of every category is tried; the first category in
`[settings] order` that matched is the answer, the other crisis categories come along as `also`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.care.data import CRISIS, CareData
from bot.care.patterns import PhraseIndex, Reader, Rule
from bot.care.words import Token, fold, tokens

# "ik ben 12", "ik zen 14 jaar", "i'm 15", "j'ai 13 ans", "14 yaşındayım", "мне 13"
_AGE = re.compile(
    r"(?:\b(?:ik|ich|k)\s+(?:ben|zen|bin|zijn)\s+|\bi\s*'?\s*a?m\s+|\bj\s*'?\s*ai\s+|\bмне\s+|\bмені\s+)(\d{1,2})\b"
    r"|\b(\d{1,2})\s*(?:yas|yaş)\w*"
)


@dataclass(frozen=True)
class Assessment:
    category: str | None  # 'suicide', 'violence', 'emergency', 'distress', 'material', 'money' or None
    topic: str | None = None  # for money and material: 'rent', 'food', ...
    also: tuple[str, ...] = ()  # other categories recognised in the same message
    child: bool = False  # the writer seems a child or teenager
    pointer: bool = False  # no crisis, but a sign of loneliness or sorrow: a line to 106 under the answer
    rules: tuple[str, ...] = ()  # the rules that matched, for the benchmark and tests only; never logged
    rest: str = ""  # the message without the words of its trouble: what is left to search for (folded)
    sure: bool = True  # False: only the model's guess (bot/care/probe.py), no word of the lists

    @property
    def crisis(self) -> bool:
        """Answered with help lines only: no leisure offer at all."""
        return self.category in CRISIS


NOTHING = Assessment(None)


class Detector:
    def __init__(self, data: CareData) -> None:
        self.data = data
        self.index = PhraseIndex()
        self._rule_phrases: list[tuple[Rule, tuple[int, ...]]] = []
        for rule in data.rules:
            self._rule_phrases.append((rule, tuple(self.index.add(p) for p in rule.phrases)))
        self._guard_phrases = {n for rule, numbers in self._rule_phrases if rule.category == "guard" for n in numbers}
        self.reader = Reader(self.index, data.spelling)

    def assess(self, text: str) -> Assessment:
        """What kind of help this message needs (NOTHING for an ordinary question)."""
        if not text or not text.strip():
            return NOTHING
        words = tokens(text)
        if not words:
            return NOTHING
        forms = self.reader.forms(words)
        masked: set[int] = set()
        for spans in self.reader.find(words, forms, only=self._guard_phrases).values():
            for start, end in spans:
                masked.update(range(start, end + 1))
        found = self.reader.find(words, forms, masked=frozenset(masked))
        matched: list[Rule] = []
        covered: set[int] = set()
        for rule, numbers in self._rule_phrases:
            if rule.category == "guard" or not all(n in found for n in numbers):
                continue
            if len(numbers) == 1 or _together(rule.window, [found[n] for n in numbers]):
                matched.append(rule)
                if rule.category not in ("soft", "child"):
                    for number in numbers:
                        for start, end in found[number]:
                            covered.update(range(start, end + 1))
        child = any(r.category == "child" for r in matched) or self._young(text)
        categories = [c for c in self.data.order if any(r.category == c for r in matched)]
        pointer = any(r.category == "soft" for r in matched)
        names = tuple(f"{r.category}{'.' + r.topic if r.topic else ''}: {r.text}" for r in matched)
        if not categories:
            return Assessment(None, child=child, pointer=pointer, rules=names)
        first = categories[0]
        topic = next((r.topic for r in matched if r.category == first and r.topic), None)
        return Assessment(first, topic, tuple(categories[1:]), child, False, names, _rest(words, covered))

    def _young(self, text: str) -> bool:
        youngest, oldest = self.data.child_ages
        for match in _AGE.finditer(fold(text)):
            age = int(match[1] or match[2])
            if youngest <= age <= oldest:
                return True
        return False


def _rest(words: list[Token], covered: set[int]) -> str:
    """The words no rule used, sentence by sentence: 'Kan mijn zoon op kamp?' of a long story about debts."""
    sentences: dict[int, list[str]] = {}
    for position, token in enumerate(words):
        if position not in covered:
            sentences.setdefault(token.sentence, []).append(token.text)
    return ". ".join(" ".join(part) for part in sentences.values())


def _together(window: int, places: list[list[tuple[int, int]]]) -> bool:
    """Whether one occurrence of each phrase can be picked so that all lie within `window` words."""
    first, *rest = places
    for start, end in first:
        low, high = start, end
        for spans in rest:
            best = min(spans, key=lambda s: max(high, s[1]) - min(low, s[0]))
            low, high = min(low, best[0]), max(high, best[1])
        if high - low < window:
            return True
    return False
