"""Unmet demand: the questions the bot could not answer, grouped by similarity into themes.

Each question is reduced to its content words (stopwords, words that say nothing about the topic
like "gratis" or "les", the town's name, numbers and the scrubber's placeholders left out), stemmed
with the bot's own analyzer, so "zwemles voor volwassenen?" and "zwemlessen volwassenen" meet.
Similar questions are then grouped greedily with rapidfuzz: from short to long (and most asked first),
each question joins the theme of the most similar question seen so far when it is close enough
(token_set_ratio: "yoga" and "yoga voor vrouwen" are one theme; "schaken" and "schaatsen" are
not), or opens its own. A theme is named after the words most of its questions share.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.insights.scrub import PLACEHOLDERS
from bot.search.analyzer import Analyzer
from bot.search.text import words

SIMILAR = 80.0  # token_set_ratio of the stemmed content words at which two questions are one theme
LABEL_SHARE = 0.5  # a word names the theme when at least this share of its questions has it
MAX_LABEL_WORDS = 4
_PLACEHOLDER_WORDS = frozenset(w for p in PLACEHOLDERS for w in words(p))
# Words that say how, at what price or how to reach someone, not what about: no theme is made of them.
GENERIC = frozenset(
    {"gratis", "goedkoop", "goedkope", "korting", "halen", "les", "lessen", "cursus", "bel", "bellen", "terugbellen",
     "mail", "mailen", "email", "sms", "contact", "nummer"}
)  # fmt: skip


@dataclass(frozen=True)
class Asked:
    """One unanswered question as logged: text, and who asked it as (month, keyed hash)."""

    text: str
    asker: tuple[str, str]


@dataclass
class Theme:
    label: str
    questions: int
    people: int  # a lower bound: the most different askers within one month (hashes change monthly)
    examples: list[str] = field(default_factory=list)  # distinct texts, most asked first


class ThemeFinder:
    def __init__(self, analyzer: Analyzer, *, town: str = "", similar: float = SIMILAR) -> None:
        self.analyzer = analyzer
        self.similar = similar
        self._ignore = set(analyzer.lexicon.stopwords) | set(words(town)) | _PLACEHOLDER_WORDS | GENERIC

    def content(self, text: str) -> list[str]:
        """The folded content words of a question, in order."""
        return [w for w in words(text) if w not in self._ignore and not w.isdigit() and len(w) > 1]

    def key(self, text: str) -> str:
        """What questions are compared on: their stemmed content words."""
        return " ".join(self.analyzer.stem(w) for w in self.content(text))

    def group(self, asked: Iterable[Asked]) -> list[Theme]:
        """Themes, most asked first; questions without any content word are left out."""
        by_key: dict[str, list[Asked]] = defaultdict(list)
        for question in asked:
            key = self.key(question.text)
            if key:
                by_key[key].append(question)
        # Short questions first ("yoga" before "yoga voor vrouwen"), so that they open the themes the longer
        # ones join; among equals the most asked first.
        keys = sorted(by_key, key=lambda k: (len(k.split()), -len(by_key[k]), k))
        seen: list[str] = []  # every key grouped so far; theme_of[i] is the theme of seen[i]
        theme_of: list[int] = []
        groups: list[list[str]] = []
        for key in keys:
            found = process.extractOne(key, seen, scorer=fuzz.token_set_ratio, score_cutoff=self.similar)
            if found is None:
                groups.append([key])
                theme_of.append(len(groups) - 1)
            else:
                theme = theme_of[found[2]]
                groups[theme].append(key)
                theme_of.append(theme)
            seen.append(key)
        themes = [self._theme([q for k in group for q in by_key[k]]) for group in groups]
        return sorted(themes, key=lambda t: (-t.questions, t.label))

    def _theme(self, questions: Sequence[Asked]) -> Theme:
        texts = Counter(q.text for q in questions)
        per_month: dict[str, set[str]] = defaultdict(set)
        for q in questions:
            per_month[q.asker[0]].add(q.asker[1])
        return Theme(
            label=self._label(texts),
            questions=len(questions),
            people=max(len(hashes) for hashes in per_month.values()),
            examples=[text for text, _ in sorted(texts.items(), key=lambda item: (-item[1], len(item[0]), item[0]))],
        )

    def _label(self, texts: Counter[str]) -> str:
        """The content words that most questions of the theme share, in the order people write them."""
        total = sum(texts.values())
        stem_count: Counter[str] = Counter()
        surface: dict[str, Counter[str]] = defaultdict(Counter)
        for text, n in texts.items():
            seen = set()
            for word in self.content(text):
                stem = self.analyzer.stem(word)
                surface[stem][word] += n
                if stem not in seen:
                    stem_count[stem] += n
                    seen.add(stem)
        common = [s for s, n in stem_count.most_common() if n >= LABEL_SHARE * total]
        top = max(texts.items(), key=lambda item: (item[1], -len(item[0])))[0]
        top_stems = [self.analyzer.stem(w) for w in self.content(top)]
        if not common:
            common = top_stems  # nothing most questions share: name it after the most asked one
        # In the order people write them (as in the most asked question), then by how often.
        common.sort(key=lambda s: (top_stems.index(s) if s in top_stems else len(top_stems), -stem_count[s]))
        return " ".join(surface[s].most_common(1)[0][0] for s in common[:MAX_LABEL_WORDS])
