"""Understanding a question: what it is about, when, for whom, at what price, and which need it names.

"goedkoop zwemme veur de kinders" becomes: the concept 'zwemmen' (with its synonyms), the
audience 'kinderen' (introduced by 'voor', so a filter), and the wish for a low price. Every
content word becomes a concept; the ranking later checks how many concepts an offer covers,
which is what lets the bot say "I found nothing" instead of showing something unrelated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from bot.platform.calendar import Holiday, Period
from bot.search.analyzer import Analyzer
from bot.search.dates import find_period
from bot.search.lexicon import AudienceRule, Need
from bot.search.text import MAX_QUESTION_CHARS, words
from bot.search.vocabulary import Vocabulary

ACCEPT_CORRECTION = 80.0  # similarity from which a typo is corrected silently
ACCEPT_SHORT_CORRECTION = 85.0  # words of 4 letters or less need to be closer
SUGGEST_CORRECTION = 65.0  # from here on, a correction is only offered as "bedoelde je ...?"
SYNONYM_WEIGHT = 0.85
PART_WEIGHT = 0.75
KNOWN_COMPOUND_PART_WEIGHT = 0.6
PART_SYNONYM_WEIGHT = 0.6
UNPLACED_MODIFIER_PART_WEIGHT = 0.45
OUT_OF_SCOPE_WEIGHT = 1.5
OUT_OF_SCOPE_WITH_NEED = 0.5
NEED_TERM_WEIGHT = 0.8
UNKNOWN_WEIGHT = 0.5
TAG_FIELDS = ("title", "keywords", "categories")  # what an offer is about, not what its text happens to mention
ELIGIBILITY_WITH_SUBJECT = 0.5
FILTER_INTRODUCERS = {"voor", "veur", "vur"}
FAMILY_INTRODUCERS = {"met", "me"}
WITHOUT = {"zonder", "zonger", "zoonder"}  # 'zonder (de) kinderen' names who does not come
CHILD_WORDS = {
    "zoon",
    "dochter",
    "kind",
    "zoontje",
    "dochtertje",
    "jongen",
    "meisje",
    "kleinzoon",
    "kleindochter",
    "baby",
    "kindje",
    "kleine",
}
SELF_WORDS = {"ik", "ben"}
YEAR_WORDS = {"jaar", "jarige", "jarigen", "joar", "jaor"}  # 'van 2 joar': Limburgs
MONEY_WORDS = {"euro", "eur", "€", "frank", "cent"}
MONTH_UNITS = {"maand", "maanden", "maandjes", "mnd"}
RELATIVE_WORDS = {
    "oma", "opa", "moeder", "vader", "mama", "papa", "man", "vrouw", "broer", "zus", "zoon", "dochter",
    "kleinzoon", "kleindochter", "buurvrouw", "buurman", "vriend", "vriendin", "mijn", "onze",
}  # fmt: skip
# Who 'is 78' or 'wordt 8' can be about: 'ons mam, ze is 78', 'mijn zoon is 8', 'ik ben 70'.
AGE_SUBJECTS = CHILD_WORDS | SELF_WORDS | (RELATIVE_WORDS - {"mijn", "onze"}) | {"ze", "zij", "hij", "mam", "ma", "pa"}
_EURO_AMOUNT = re.compile(r"€\s*(\d+)")
_CLOCK_TIME = re.compile(r"\d{1,2}(?:u|h|uur)(?:\d{2})?")
ASKS_ELIGIBILITY = "eligibility"
ASKS_CHILDCARE = "childcare"
COMES_ALONG = {"mee", "meebrengen", "meenemen", "meekomen", "meegaan"}
RESIDENCE_WORDS = {"woon", "wonen", "woont", "woonachtig", "afkomstig"}
MAX_CONCEPTS = 12
_PLUS_AGE = re.compile(r"^(\d{2})(?:plus|plussers?)$")
_SCHOOL_YEAR = re.compile(r"^([1-7])(?:ste|de|e)$")  # '5de leerjaar', '3e kleuterklas', '1ste middelbaar'
SCHOOL_START_AGE = {"leerjaar": 5, "kleuterklas": 2, "kleuter": 2, "middelbaar": 11, "secundair": 11}


@dataclass(frozen=True)
class Concept:
    """One thing the question is about, and the stems that count as a match, with their weight."""

    word: str
    alternatives: dict[str, float]
    weight: float = 1.0
    out_of_scope: bool = False
    need: Need | None = None
    fields: tuple[str, ...] | None = None  # the only fields this concept may match in (None: all)


@dataclass(frozen=True)
class AudienceWish:
    """For whom: an age range and groups. `strict` when the question says so ('voor', 'mijn zoon van 8')."""

    min_age: int | None
    max_age: int | None
    groups: tuple[str, ...]
    strict: bool
    label: str


WITHOUT_CHILDREN = AudienceWish(18, None, ("volwassenen",), False, "volwassenen")


@dataclass(frozen=True)
class Query:
    text: str
    concepts: tuple[Concept, ...] = ()
    period: Period | None = None
    audience: AudienceWish | None = None
    free: bool = False
    cheap: bool = False
    reduction: bool = False  # 'te duur', 'korting': a reduction answers before the activity itself
    needs: tuple[Need, ...] = ()
    places: tuple[Concept, ...] = ()  # villages named beside other wishes: a preference, not a condition
    out_of_scope: tuple[str, ...] = ()
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> word searched for
    suggestion: str | None = None  # a rewritten question to offer when nothing is found

    @property
    def content_concepts(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.need is None)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: greetings, emoji, only stopwords."""
        return not (self.concepts or self.period or self.audience or self.free or self.needs)


class QueryParser:
    def __init__(
        self, analyzer: Analyzer, vocabulary: Vocabulary, holidays: Sequence[Holiday], *, town: str = ""
    ) -> None:
        self.analyzer = analyzer
        self.lexicon = analyzer.lexicon
        self.vocabulary = vocabulary
        self.holidays = holidays
        self._town = set(words(town))
        self._signals = self._multiword_signals()
        self._max_signal = max((len(k) for k in self._signals), default=1)
        self._stem_groups = self._groups_by_stem()
        childcare = [n for needs in self.lexicon.needs.values() for n in needs if n.name == ASKS_CHILDCARE]
        self._childcare = childcare[0] if childcare else Need(ASKS_CHILDCARE, (), (), ())
        self._child_audience_words = {
            w for w, rule in self.lexicon.audiences.items() if "kinderen" in rule.groups and " " not in w
        }

    def _multiword_signals(self) -> dict[tuple[str, ...], tuple[str, object]]:
        lex = self.lexicon
        signals: dict[tuple[str, ...], tuple[str, object]] = {}
        for phrase in lex.stopwords:
            signals[tuple(phrase.split())] = ("stop", None)
        for phrase in lex.out_of_scope:
            signals[tuple(phrase.split())] = ("out_of_scope", phrase)
        for phrase in lex.free_words:
            signals[tuple(phrase.split())] = ("free", None)
        for phrase in lex.price_words:
            signals[tuple(phrase.split())] = ("cheap", False)
        for phrase in lex.cheap_words:
            signals[tuple(phrase.split())] = ("cheap", True)
        for phrase, rule in lex.audiences.items():
            signals[tuple(phrase.split())] = ("audience", rule)
        for phrase, needs in lex.needs.items():
            signals[tuple(phrase.split())] = ("need", needs)
        return signals

    def _groups_by_stem(self) -> dict[str, set[str]]:
        by_stem: dict[str, set[str]] = {}
        for group in self.lexicon.groups:
            for word in group:
                by_stem.setdefault(self.analyzer.stem(word), set()).update(group)
        return by_stem

    # --- parsing --------------------------------------------------------------------------

    def parse(self, question: str, *, today: dt.date) -> Query:
        """Read a question as typed by a person; never raises, whatever the input."""
        text = _EURO_AMOUNT.sub(r"\1 euro", question[:MAX_QUESTION_CHARS])  # '€75' -> '75 euro': no age
        tokens = self._respell(words(text))
        tokens = [t if t.isdigit() else self.vocabulary.dialect_form(t) or t for t in tokens]
        tokens = self.analyzer.join_phrases(tokens, fuzzy=True, known=self._is_known_word)
        used: set[int] = set()

        period = None
        date_match = find_period(tokens, today, self.holidays)
        if date_match is not None:
            period = date_match.period
            used |= date_match.used

        audience = self._explicit_age(tokens, used)
        free = cheap = reduction = False
        needs: list[Need] = []
        need_words: dict[str, list[str]] = {}  # need name -> the single words that named it
        out_of_scope: list[str] = []
        audience_rule: tuple[int, AudienceRule] | None = None
        excluded: list[AudienceRule] = []  # 'zonder de kinderen': who is not coming

        i = 0
        while i < len(tokens):
            if i in used:
                i += 1
                continue
            for length in range(min(self._max_signal, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + length])
                signal = self._signals.get(key)
                if signal is None or any(j in used for j in range(i, i + length)):
                    continue
                kind, payload = signal
                span = set(range(i, i + length))
                if kind == "stop":
                    used |= span
                elif kind == "out_of_scope":
                    out_of_scope.append(str(payload))
                    used |= span
                elif kind == "free":
                    free = True
                    used |= span
                elif kind == "cheap":
                    cheap = True
                    reduction = reduction or bool(payload)
                    used |= span
                elif kind == "audience":
                    if _negated(tokens, i):
                        excluded.append(cast(AudienceRule, payload))
                    elif audience_rule is None:
                        audience_rule = (i, cast(AudienceRule, payload))
                    used |= span
                elif kind == "need":
                    for need in cast(Iterable[Need], payload):
                        if need not in needs:
                            needs.append(need)
                        if length == 1:  # 'carpool' names the need and also what is asked for
                            need_words.setdefault(need.name, []).append(tokens[i])
                    used |= span
                i += length - 1
                break
            i += 1

        if not any(n.name == ASKS_CHILDCARE for n in needs) and self._child_comes_along(tokens):
            needs.append(self._childcare)

        if audience is None and audience_rule is not None:
            position, rule = audience_rule
            audience = self._audience_from_rule(tokens, position, rule)
        if audience is None and any("kinderen" in rule.groups for rule in excluded):
            audience = WITHOUT_CHILDREN  # 'zwemmen zonder de kinderen': for grown-ups first, not the lessons
        if audience is not None and any(n.name == ASKS_ELIGIBILITY for n in needs):
            # "mag ik als 50-jarige naar de seniorenfilm": the age is what is asked about, not a filter;
            # the card says who may go.
            audience = None
        if audience is not None and audience.strict and any(n.name == ASKS_CHILDCARE for n in needs):
            # 'ik wil nederlands oefenen, mijn dochter is 2, mag zij mee': the child comes along or is
            # minded; the activity is for the parent. The age still prefers fitting camps and care.
            audience = dataclasses.replace(audience, strict=False)

        leftovers = [(i, t) for i, t in enumerate(tokens) if i not in used and not t.isdigit() and t not in self._town]
        for position, token in list(leftovers):
            if token not in self.vocabulary and self._out_of_scope_compound(token):
                out_of_scope.append(token)  # 'huurpremie', 'energiefactuur': compounds of an out-of-scope word
                leftovers.remove((position, token))
        concepts: list[Concept] = []
        corrections: dict[str, str] = {}
        suggestion_words: dict[str, str] = {}
        distinct = list(dict.fromkeys(t for _, t in leftovers))  # 'blabla blabla blabla' is one word
        for token in distinct[:MAX_CONCEPTS]:
            concept = self._concept(token, corrections, suggestion_words)
            if concept is not None:
                concepts.append(concept)
        # An out-of-scope word weighs less when the question names a need: in "ik moet naar het
        # ziekenhuis, wie zorgt voor mijn kinderen" the hospital is the reason, childcare the question.
        access_needs = [n for n in needs if n.name != ASKS_ELIGIBILITY]  # 'aanvragen' alone says little
        oos_weight = OUT_OF_SCOPE_WITH_NEED if access_needs else OUT_OF_SCOPE_WEIGHT
        for phrase in out_of_scope:
            # Out of scope, unless an offer itself is about it ('ziekenhuis' in the keywords of emergency childcare).
            alternatives = {self.analyzer.stem(phrase): 1.0} if phrase in self.vocabulary else {}
            concepts.append(Concept(phrase, alternatives, weight=oos_weight, out_of_scope=True, fields=TAG_FIELDS))
        has_subject = bool(concepts)
        for need in needs:
            concept = self._need_concept(need, need_words.get(need.name, []))
            if need.name == ASKS_ELIGIBILITY and has_subject:
                # 'mag ik als 50-jarige naar de seniorenfilm': the subject finds the offer; its card says who may go.
                concept = dataclasses.replace(concept, weight=ELIGIBILITY_WITH_SUBJECT)
            concepts.append(concept)

        homes = {
            t
            for i, t in enumerate(tokens)
            if t in self.lexicon.places and RESIDENCE_WORDS & set(tokens[max(0, i - 3) : i])
        }
        places = tuple(c for c in concepts if c.word in homes)
        if places and (len(places) < len(concepts) or period or audience or needs or free or cheap):
            # 'ik woon in hoelbeek, wat is er in juli': July for the grandson, Hoelbeek if possible.
            # ('iets plezant in beverst' asks for Beverst: that village stays a concept.)
            concepts = [c for c in concepts if c not in places]
        else:
            places = ()

        suggestion = None
        if suggestion_words:
            suggestion = " ".join(suggestion_words.get(t, t) for t in words(text)[:20])
        return Query(
            text=" ".join(tokens),
            concepts=tuple(concepts),
            period=period,
            audience=audience,
            free=free,
            cheap=cheap,
            reduction=reduction,
            needs=tuple(needs),
            places=places,
            out_of_scope=tuple(out_of_scope),
            corrections=corrections,
            suggestion=suggestion,
        )

    def _child_comes_along(self, tokens: list[str]) -> bool:
        """'mag mijn kind van 2 mee', 'kan ik de kleine meebrengen': a child word shortly before 'mee'."""
        for i, token in enumerate(tokens):
            if token in COMES_ALONG:
                start = max(0, i - 4)
                for j, word in enumerate(tokens[start:i], start):
                    child = word in CHILD_WORDS or word in self._child_audience_words
                    if child and not _negated(tokens, j):  # 'zonder kinderen ook mee': they do not come
                        return True
        return False

    def _is_known_word(self, word: str) -> bool:
        return word in self.vocabulary or word in self.lexicon.stopwords or word in self.lexicon.group_of

    def _out_of_scope_compound(self, token: str) -> bool:
        single = [w for w in self.lexicon.out_of_scope if " " not in w and len(w) >= 4]
        return any(token != w and (token.startswith(w) or token.endswith(w)) for w in single)

    def _respell(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for token in tokens:
            out.extend(self.lexicon.spelling.get(token, (token,)))
        return out

    def _explicit_age(self, tokens: list[str], used: set[int]) -> AudienceWish | None:
        """'ik ben 70', 'mijn zoon van 8', 'dochter is 16', '12 jaar', '60-plussers'."""
        for i, token in enumerate(tokens):
            if i in used:
                continue
            plus = _PLUS_AGE.match(token)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token.isdigit() and nxt in ("plus", "plusser", "plussers", "plusers"):
                used |= {i, i + 1}
                return AudienceWish(int(token), None, ("senioren",) if int(token) >= 55 else (), True, f"{token}-plus")
            if plus:
                used.add(i)
                age = int(plus.group(1))
                return AudienceWish(age, None, ("senioren",) if age >= 55 else (), True, f"{age}-plus")
            school_year = _SCHOOL_YEAR.match(token)
            if school_year and nxt in SCHOOL_START_AGE:  # 'mijn zoon zit in het 5de leerjaar': he is 10
                used |= {i, i + 1}
                age = SCHOOL_START_AGE[nxt] + int(school_year.group(1))
                return AudienceWish(age, age, _groups_for_age(age), True, f"{age} jaar")
            if not token.isdigit() or not 0 < int(token) <= 110 or nxt in MONEY_WORDS:  # '75 euro per kind'
                continue
            prev = tokens[i - 1] if i > 0 else ""
            before = set(tokens[max(0, i - 3) : i])
            if nxt in MONTH_UNITS and (prev in ("van", "is", "wordt") or before & CHILD_WORDS):
                # 'mijn baby van 8 maanden' is a baby, not 8 years old ('over 2 maanden' is no age)
                used |= {i, i + 1}
                return AudienceWish(0, 1, ("kinderen", "gezinnen"), True, "baby")
            if nxt in YEAR_WORDS or (
                prev in ("ben", "is", "van", "wordt", "word") and (before & AGE_SUBJECTS or prev == "van")
            ):
                age = int(token)
                used.add(i)
                if nxt in YEAR_WORDS:
                    used.add(i + 1)
                return AudienceWish(age, age, _groups_for_age(age), True, f"{age} jaar")
        return None

    def _audience_from_rule(self, tokens: list[str], position: int, rule: AudienceRule) -> AudienceWish:
        """An audience word is a filter when introduced by 'voor' ('iets voor de kinderen');
        after 'met' ('uitstap met de kinderen') it means a family outing; otherwise a preference."""
        window = tokens[max(0, position - 3) : position]
        if any(w in FILTER_INTRODUCERS for w in window):
            return AudienceWish(rule.min_age, rule.max_age, rule.groups, True, rule.name)
        if any(w in FAMILY_INTRODUCERS for w in window) and "kinderen" in rule.groups:
            return AudienceWish(None, None, ("gezinnen", "kinderen"), False, "gezinnen")
        return AudienceWish(rule.min_age, rule.max_age, rule.groups, False, rule.name)

    def _concept(self, token: str, corrections: dict[str, str], suggestions: dict[str, str]) -> Concept | None:
        """The concept for one content word: itself, its corrected form, its synonyms, its parts."""
        if _CLOCK_TIME.fullmatch(token):
            return None  # 'ik begin om 8u te werken': a time of day says nothing about the subject
        lexicon_known = token in self.lexicon.group_of or self.analyzer.stem(token) in self._stem_groups
        word = token
        confidence = 1.0
        if token not in self.vocabulary and not lexicon_known:
            dialect = self.vocabulary.dialect_form(token)
            if dialect is not None:
                word = dialect
            else:
                correction = self.vocabulary.correct(token, cutoff=SUGGEST_CORRECTION)
                accept = ACCEPT_SHORT_CORRECTION if len(token) <= 4 else ACCEPT_CORRECTION
                if correction is not None and abs(len(correction.word) - len(token)) > 1:
                    accept = max(accept, ACCEPT_SHORT_CORRECTION)  # 'vijver' is no 'vier' with two typos
                if correction is not None and correction.score >= accept:
                    word = correction.word
                    confidence = 0.9
                elif correction is not None and not self._unplaced_modifier(token):
                    suggestions[token] = correction.word  # not for 'paardrijden': no typo of 'maaltijden'
            if word != token:
                corrections[token] = word
                if word in self.lexicon.stopwords or word in self.lexicon.audiences:
                    return None  # 'dochtr': who it is for, not what (the age or 'voor' says the rest)
        alternatives: dict[str, float] = {}

        def add(w: str, weight: float) -> None:
            s = self.analyzer.stem(w)
            if weight > alternatives.get(s, 0.0):
                alternatives[s] = weight

        add(word, confidence)
        for synonym in self._synonyms(word):
            add(synonym, SYNONYM_WEIGHT * confidence)
        # Only parts the lexicon knows: in 'kaartnamiddag' the card game matters, not the afternoon.
        parts = [p for p in self.analyzer.compound_parts(word) if self.analyzer.is_known(p)]
        # When offers use the whole compound ('seniorenfilm'), its parts alone are weaker evidence.
        part_weight = KNOWN_COMPOUND_PART_WEIGHT if word in self.vocabulary else PART_WEIGHT
        if word not in self.vocabulary and self._unplaced_modifier(word):
            # 'paardrijden', 'hondenschool': a first part we cannot place says what kind of riding or
            # school is meant; the head alone would find a ride or the football school.
            part_weight = min(part_weight, UNPLACED_MODIFIER_PART_WEIGHT)
        for part in parts:
            add(part, part_weight * confidence)
            if word not in self.vocabulary:  # an unknown compound: its parts' synonyms may find it
                for synonym in self._synonyms(part):
                    add(synonym, min(PART_SYNONYM_WEIGHT, part_weight) * confidence)
        known = word in self.vocabulary or lexicon_known or parts or len(alternatives) > 1
        # A word no offer uses and we cannot place weighs less: it is as often a filler as a subject.
        # So does a village: 'wij wonen in munsterbilzen' prefers offers there but is no condition.
        weight = 1.0 if known and word not in self.lexicon.places else UNKNOWN_WEIGHT
        return Concept(token, alternatives, weight=weight)

    def _unplaced_modifier(self, word: str) -> bool:
        """A compound of a known head and a first part neither the word list nor any offer uses."""
        parts = self.analyzer.compound_parts(word)
        if len(parts) < 2 or not self.analyzer.is_known(parts[-1]):
            return False
        return not self.analyzer.is_known(parts[0]) and parts[0] not in self.vocabulary

    def _need_concept(self, need: Need, typed: list[str]) -> Concept:
        """A need as one concept: offers of its kind or category, or that use its words."""
        alternatives: dict[str, float] = {}

        def add(w: str, weight: float) -> None:
            s = self.analyzer.stem(w)
            alternatives[s] = max(weight, alternatives.get(s, 0.0))

        for term in need.terms:
            add(term, NEED_TERM_WEIGHT)
        for word in typed:
            add(word, 1.0)
            for synonym in self._synonyms(word):
                add(synonym, SYNONYM_WEIGHT)
        return Concept(f"nood:{need.name}", alternatives, need=need, fields=(*TAG_FIELDS, "summary"))

    def _synonyms(self, word: str) -> set[str]:
        found = set(self.lexicon.synonyms(word))
        found |= self._stem_groups.get(self.analyzer.stem(word), set())
        found.discard(word)
        return {w for w in found if " " not in w}


def _negated(tokens: list[str], position: int) -> bool:
    """'zonder (de) kinderen': the word at `position` names who does not come."""
    return not WITHOUT.isdisjoint(tokens[max(0, position - 2) : position])


def _groups_for_age(age: int) -> tuple[str, ...]:
    """The audience groups a person of this age belongs to."""
    if age < 12:
        return ("kinderen",)
    if age < 18:
        return ("jongeren", "kinderen") if age <= 13 else ("jongeren",)
    if age < 26:
        return ("jongeren", "volwassenen")
    if age < 60:
        return ("volwassenen",)
    return ("senioren", "volwassenen")
