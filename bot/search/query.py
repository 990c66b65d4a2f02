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
from bot.search import dutch
from bot.search.analyzer import LINKS, MIN_PART, MIN_REST, Analyzer
from bot.search.dates import DATE_WORDS, DAY_PARTS, find_period, standard_date_word
from bot.search.lexicon import AudienceRule, Need
from bot.search.text import MAX_QUESTION_CHARS, words
from bot.search.vocabulary import Vocabulary

ACCEPT_CORRECTION = 80.0  # similarity from which a typo is corrected silently
ACCEPT_SHORT_CORRECTION = 85.0  # words of 4 letters or less need to be closer
SUGGEST_CORRECTION = 70.0  # from here on, a correction is only offered as "bedoelde je ...?" (a likely one)
SYNONYM_WEIGHT = 0.85
PART_WEIGHT = 0.75
KNOWN_COMPOUND_PART_WEIGHT = 0.6
PART_SYNONYM_WEIGHT = 0.6
UNPLACED_MODIFIER_PART_WEIGHT = 0.45
OUT_OF_SCOPE_WEIGHT = 1.5
OUT_OF_SCOPE_WITH_NEED = 0.5
NEED_TERM_WEIGHT = 0.8
UNKNOWN_WEIGHT = 0.5
# 'cursus fotografie', 'karaoke avond': beside only general words, a word nobody's offer knows is the
# subject; it weighs this many times the general words, so they alone never cover half the question.
UNPLACED_SUBJECT_SHARE = 1.5
FOREIGN_WORD = 3.0  # a word this common (Zipf) in English or French is no Dutch typo ('karting')
MIN_FOREIGN_CHARS = 5
MIN_REAL_CHARS = 4
WORD_LANGUAGES = ("en", "fr")
FILLER_WEIGHT = 0.15  # a very common word no offer uses ('zegt', 'sinds', 'nooit'): filler in a long story
DIALECT_GUARD = 5.0  # a word this common (Zipf) in Dutch is read as typed, not as a spoken form of another
SUGGEST_MAX_WORDS = 8  # 'bedoelde je ...?' only for a short question, never for a story
TAG_FIELDS = ("title", "keywords", "categories")  # what an offer is about, not what its text happens to mention
ELIGIBILITY_WITH_SUBJECT = 0.5
FILTER_INTRODUCERS = {"voor", "veur", "vur"}
FAMILY_INTRODUCERS = {"met", "me"}
WITHOUT = {"zonder", "zonger", "zoonder"}  # 'zonder (de) kinderen' names who does not come
CHILD_WORDS = {
    "oudste",
    "jongste",
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
COUNTED = {
    "kinderen", "kids", "kindjes", "kleinkinderen", "meisjes", "jongens", "zonen", "dochters", "kleintjes",
    "personen", "mensen", "volwassenen", "gasten", "vrienden", "vriendinnen",
}  # fmt: skip
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
LONG_MESSAGE_WORDS = 15  # from this many words on, a message of several sentences is read as a story with a wish
STORY_WEIGHT = 0.3  # a word of the story around the question counts this much of a word of the question
WISH_WORDS = {"zoek", "zoeken", "wil", "willen", "graag", "zou", "zouden"}
_SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+|\n+")
MAX_LISTED_AGE = 26  # a number listed beside an age is an age below this ('van 4 en 9'), not a year or price
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
    story: bool = False  # told in the story around a question, not asked: it helps an offer, never hinders it
    unplaced: bool = False  # a content word no offer and no word list knows ('karaoke', 'fotografie')
    generic: bool = False  # a word that says what form, not what about ('cursus', 'spelen': lexicon [generic])


@dataclass(frozen=True)
class AudienceWish:
    """For whom: an age range and groups. `strict` when the question says so ('voor', 'mijn zoon van 8')."""

    min_age: int | None
    max_age: int | None
    groups: tuple[str, ...]
    strict: bool
    label: str
    ages: tuple[int, ...] = ()  # several people of these exact ages ('van 4 en 9'): one of them must fit


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
    focus: str = ""  # in a long message, the sentences that ask something (what the model reads)
    story: bool = False  # a long message of several sentences: it tells more than it asks

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
        self._lexicon_words = (
            self.lexicon.all_words() | set(self.lexicon.audiences) | set(self.lexicon.needs) | DATE_WORDS
        )

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

    def parse(self, question: str, *, today: dt.date, whole_story: bool = False) -> Query:
        """Read a question as typed by a person; never raises, whatever the input. `whole_story`: a long
        message's every sentence counts as much as the one that asks (when that one alone finds nothing)."""
        text = _EURO_AMOUNT.sub(r"\1 euro", question[:MAX_QUESTION_CHARS])  # '€75' -> '75 euro': no age
        typed = words(text)
        tokens = [self._spoken_form(t) for t in self._respell(typed)]
        tokens = self.analyzer.join_phrases(tokens, fuzzy=True, known=self._is_known_word)
        lemmas = [self._lemma(t) for t in tokens]  # 'knutsele' -> 'knutselen', and its phrases after that
        if lemmas != tokens:
            tokens = self.analyzer.join_phrases(lemmas, fuzzy=True, known=self._is_known_word)
        used: set[int] = set()

        period = None
        date_match = find_period(tokens, today, self.holidays)
        if date_match is not None:
            period = date_match.period
            used |= date_match.used
        # "'s middags", "savonds" without a day: a time of day, no subject (and no day to search in).
        # A plain 'avond' may be one ('een astronomie-avond').
        used |= {i for i, t in enumerate(tokens) if i not in used and self._time_of_day(tokens, i)}

        audience = self._explicit_age(tokens, used)
        focus, wish = ("", set()) if whole_story else self._wish(text)  # in a story: the question and its words
        story_needs: set[str] = set()  # needs named only in the story around the question
        free = cheap = reduction = False
        price_tokens: list[str] = []  # 'kansentarief', 'korting': a price wish, and maybe what is asked about
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
                if signal is None and length == 1:  # 'meisjes', 'kleinzonen': the lemma says who it is for
                    by_lemma = self._signals.get((dutch.lemma(tokens[i]),))
                    signal = by_lemma if by_lemma is not None and by_lemma[0] == "audience" else None
                if signal is None or any(j in used for j in range(i, i + length)):
                    continue
                kind, payload = signal
                span = set(range(i, i + length))
                if wish and kind == "out_of_scope" and not wish.issuperset(key):
                    # 'ik ben mijn werk kwijt ... waar kan ik praten met anderen?': the story's topics
                    # are the background, not what is asked.
                    used |= span
                    i += length - 1
                    break
                if wish and kind == "need" and not wish.issuperset(key):
                    story_needs.update(n.name for n in cast("tuple[Need, ...]", payload))
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
                    price_tokens.extend(key)
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
        if wish:  # a story with a question in it: the question's words first (MAX_CONCEPTS cuts the rest)
            distinct.sort(key=lambda t: t not in wish)
        by_token: dict[str, Concept] = {}
        for token in distinct[:MAX_CONCEPTS]:
            concept = self._concept(token, corrections, suggestion_words)
            if concept is not None:
                if wish and token not in wish:
                    # 'we zijn pas verhuisd, mijn man werkt in ploegen ... is er iets om te zwemmen?'
                    concept = dataclasses.replace(concept, weight=concept.weight * STORY_WEIGHT, story=True)
                concepts.append(concept)
                by_token[token] = concept
        concepts = _either(concepts, by_token, tokens)
        concepts = self._unplaced_subject(concepts)
        if not concepts and not needs and not out_of_scope and period is None and price_tokens:
            # 'wat is dat kansentarief eigenlijk': a price word that is a name, no everyday word ('goedkoop'),
            # alone is what the question is about.
            names = [t for t in dict.fromkeys(price_tokens) if t in self.vocabulary and not dutch.is_real_word(t)]
            concepts = [c for t in names if (c := self._concept(t, corrections, suggestion_words)) is not None]
        # An out-of-scope word weighs less when the question names a need: in "ik moet naar het
        # ziekenhuis, wie zorgt voor mijn kinderen" the hospital is the reason, childcare the question.
        access_needs = [n for n in needs if n.name != ASKS_ELIGIBILITY]  # 'aanvragen' alone says little
        oos_weight = OUT_OF_SCOPE_WITH_NEED if access_needs else OUT_OF_SCOPE_WEIGHT
        for phrase in out_of_scope:
            # Out of scope, unless an offer itself is about it ('ziekenhuis' in the keywords of emergency childcare).
            alternatives = {self.analyzer.stem(phrase): 1.0} if phrase in self.vocabulary else {}
            concepts.append(Concept(phrase, alternatives, weight=oos_weight, out_of_scope=True, fields=TAG_FIELDS))
        has_subject = bool(concepts)
        wished_needs = {n.name for n in needs} - story_needs if wish else set()
        for need in needs:
            concept = self._need_concept(need, need_words.get(need.name, []))
            if wish and need.name not in wished_needs:
                # 'mijn man werkt in ploegen ... is er een sport voor de oudste?': background, not the wish
                concept = dataclasses.replace(concept, weight=STORY_WEIGHT)
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

        if (period or audience is not None or free) and concepts and all(_filler(c) for c in concepts):
            # 'wat gebeurt er op 19 september', 'iets op zondag voor mijn tweeling en hun broer': the
            # common words around a time or an audience are no subject; the question is only that time.
            concepts = []
        suggestion = None
        # 'Bedoelde je ...?' for a short Dutch question with one unknown word, never for a story or
        # another language: then it is an echo of the message, not a help (the matcher still checks
        # that the suggestion finds something).
        if (
            len(suggestion_words) == 1
            and len(typed) <= SUGGEST_MAX_WORDS
            and not dutch.looks_like_another_language(typed)
        ):
            suggestion = " ".join(suggestion_words.get(t, t) for t in typed)
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
            focus=focus,
            story=_is_story(text),
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

    def _wish_words(self, text: str) -> set[str]:
        return self._wish(text)[1]

    def _wish(self, text: str) -> tuple[str, set[str]]:
        """In a long message, the words of the sentences that ask something (empty for a short one).

        People tell a story and ask one thing: "Ik ben alleen met de kinderen sinds mijn man weg is
        en het geld is krap. Is er iets waar ze kunnen zwemmen?". The sentences with a question mark
        ask; without one, those with a wish ('ik zoek', 'ik wil', 'graag'). No such sentence, or
        only one sentence: every word counts the same, as in a short question.
        """
        if not _is_story(text):
            return "", set()
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        asking = [s for s in sentences if s.rstrip().endswith("?")]
        if not asking:
            asking = [s for s in sentences if not WISH_WORDS.isdisjoint(words(s))]
        if not asking or len(asking) == len(sentences):
            return "", set()
        found: set[str] = set()
        for sentence in asking:
            tokens = [self._spoken_form(t) for t in self._respell(words(sentence))]
            tokens = self.analyzer.join_phrases(tokens, fuzzy=True, known=self._is_known_word)
            found |= set(tokens) | {self._lemma(t) for t in tokens}
        # 'Wat kan ik doen?' after a story about the rent, 'Waar kunnen ze zolang blijven?' after one about
        # an operation: the question names no subject we know, so the story is the subject: all counts.
        known = self.vocabulary
        if not any(t in known and t not in self.lexicon.stopwords for t in found):
            return "", set()
        return " ".join(s.strip() for s in asking), found

    @staticmethod
    def _time_of_day(tokens: list[str], i: int) -> bool:
        """'smiddags', "'s avonds", 'savonds': a spoken time of day (not 'morgen': that is tomorrow)."""
        token = tokens[i]
        if standard_date_word(token) not in DAY_PARTS or token == "morgen":
            return False
        return token not in DAY_PARTS or (i > 0 and tokens[i - 1] == "s")

    def _lemma(self, token: str) -> str:
        """The lemma of a word nobody's offer or word list knows, when the lemma is known ('knutsele').

        A common word ending in -en is its own lemma (the table reads 'bellen' as a form of 'bel').
        """
        if token.isdigit() or token in self.vocabulary or token in self._lexicon_words:
            return token
        if token.endswith("en") and dutch.is_real_word(token):
            return token
        lemma = dutch.lemma(token)
        return lemma if lemma != token and (lemma in self.vocabulary or lemma in self._lexicon_words) else token

    def _spoken_form(self, token: str) -> str:
        """The standard word behind a regular spoken form ('zwumme', 'paosvakantie'); real words stay."""
        if token.isdigit() or dutch.is_real_word(token, DIALECT_GUARD):
            return token
        return self.vocabulary.dialect_form(token) or token

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
        """'ik ben 70', 'mijn zoon van 8', 'dochter is 16', '12 jaar', '60-plussers', and several ages:
        'mijn twee meisjes van 4 en 9', 'kinderen 5 8 en 11 jaar', 'een zoon van 6 en een dochter van 10'."""
        ages: list[int] = []
        start = 0
        while True:
            found = self._one_age(tokens, used, start)
            if found is None:
                break
            wish, position = found
            if wish.min_age is None or wish.min_age != wish.max_age or (ages and wish.label == "baby"):
                return wish if not ages else self._several_ages(ages)  # '60-plussers', a baby: one wish
            ages += [wish.min_age, *self._listed_ages(tokens, used, position)]
            start = position + 1
        return self._several_ages(ages) if ages else None

    @staticmethod
    def _several_ages(ages: list[int]) -> AudienceWish:
        distinct = tuple(sorted(set(ages)))
        if len(distinct) == 1:
            age = distinct[0]
            return AudienceWish(age, age, groups_for_age(age), True, f"{age} jaar")
        groups = tuple(dict.fromkeys(g for age in distinct for g in groups_for_age(age)))
        label = ", ".join(map(str, distinct[:-1])) + f" en {distinct[-1]} jaar"
        return AudienceWish(distinct[0], distinct[-1], groups, True, label, ages=distinct)

    @staticmethod
    def _listed_ages(tokens: list[str], used: set[int], position: int) -> list[int]:
        """The other ages listed with the one at `position`: '4 en 9', '5 8 en 11 jaar', '4, 7 of 9'."""
        found: list[int] = []
        for step in (-1, 1):
            j = position + step
            while 0 <= j < len(tokens):
                if tokens[j] in ("en", "of"):
                    j += step
                    continue
                if not (tokens[j].isdigit() and 0 < int(tokens[j]) < MAX_LISTED_AGE) or j in used:
                    break
                found.append(int(tokens[j]))
                used.add(j)
                if step == 1 and j + 1 < len(tokens) and tokens[j + 1] in YEAR_WORDS:
                    used.add(j + 1)
                j += step
        return found

    def _one_age(self, tokens: list[str], used: set[int], start: int) -> tuple[AudienceWish, int] | None:
        """The first age said from `start` on, and its position."""
        for i in range(start, len(tokens)):
            token = tokens[i]
            if i in used:
                continue
            plus = _PLUS_AGE.match(token)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token.isdigit() and nxt in ("plus", "plusser", "plussers", "plusers"):
                used |= {i, i + 1}
                wish = AudienceWish(int(token), None, ("senioren",) if int(token) >= 55 else (), True, f"{token}-plus")
                return wish, i
            if plus:
                used.add(i)
                age = int(plus.group(1))
                return AudienceWish(age, None, ("senioren",) if age >= 55 else (), True, f"{age}-plus"), i
            school_year = _SCHOOL_YEAR.match(token)
            if school_year and nxt in SCHOOL_START_AGE:  # 'mijn zoon zit in het 5de leerjaar': he is 10
                used |= {i, i + 1}
                age = SCHOOL_START_AGE[nxt] + int(school_year.group(1))
                return AudienceWish(age, age, groups_for_age(age), True, f"{age} jaar"), i
            if not token.isdigit() or not 0 < int(token) <= 110 or nxt in MONEY_WORDS | COUNTED:  # '75 euro'
                continue  # '75 euro per kind', 'vader van 3 kinderen': an amount or how many, no age
            prev = tokens[i - 1] if i > 0 else ""
            before = set(tokens[max(0, i - 3) : i])
            if nxt in MONTH_UNITS and (prev in ("van", "is", "wordt") or before & CHILD_WORDS):
                # 'mijn baby van 8 maanden' is a baby, not 8 years old ('over 2 maanden' is no age)
                used |= {i, i + 1}
                return AudienceWish(0, 1, ("kinderen", "gezinnen"), True, "baby"), i
            if nxt in YEAR_WORDS or (
                prev in ("ben", "is", "van", "wordt", "word") and (before & AGE_SUBJECTS or prev == "van")
            ):
                age = int(token)
                used.add(i)
                if nxt in YEAR_WORDS:
                    used.add(i + 1)
                return AudienceWish(age, age, groups_for_age(age), True, f"{age} jaar"), i
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
        if not lexicon_known and token not in self.vocabulary and not dutch.is_real_word(token):
            small = self.lexicon.stopwords
            if dutch.lemma(token) in small or self.analyzer.stem(token) in small:
                return None  # 'hebde' (hebt ge), 'hedde': a spoken form of a small word says nothing of the subject
        word = token
        confidence = 1.0
        if token not in self.vocabulary and not lexicon_known:
            dialect = None if dutch.is_real_word(token, DIALECT_GUARD) else self.vocabulary.dialect_form(token)
            if dialect is not None:
                word = dialect
            elif not dutch.is_real_word(token) and not _foreign_word(token):
                # 'horen' is no typo of 'huren', 'plein' none of 'klein', 'karting' none of 'korting'
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
        parts = [p for p in self._compound_parts(word) if self.analyzer.is_known(p)]
        if word not in self.vocabulary and not dutch.is_real_word(word) and _foreign_word(word):
            parts = []  # 'dansant' (French) is no Dutch compound of 'dans'
        # When offers use the whole compound ('seniorenfilm'), its parts alone are weaker evidence.
        part_weight = KNOWN_COMPOUND_PART_WEIGHT if word in self.vocabulary else PART_WEIGHT
        if word not in self.vocabulary and (self._unplaced_modifier(word) or self._unplaced_head(word)):
            # 'paardrijden', 'hondenschool', 'skireis': a first part we cannot place says what kind of
            # riding, school or trip is meant; the head alone would find a ride or the football school.
            # And a Dutch compound is its head: a 'kinderboerderij' is a farm, a 'carnavalstoet' a parade.
            part_weight = min(part_weight, UNPLACED_MODIFIER_PART_WEIGHT)
        as_typed = self.analyzer.compound_parts(word)
        for part in parts:
            add(part, part_weight * confidence)
            # An unknown compound: its parts' synonyms may find it. Not those of a verb stem read as its
            # infinitive ('klim' -> klimmen): a second guess on a first one ('klimzaal' is no gym class).
            if word not in self.vocabulary and part in as_typed:
                for synonym in self._synonyms(part):
                    add(synonym, min(PART_SYNONYM_WEIGHT, part_weight) * confidence)
        known = word in self.vocabulary or lexicon_known or parts or len(alternatives) > 1
        # A word no offer uses and we cannot place weighs less: it is as often a filler as a subject.
        # So does a village: 'wij wonen in munsterbilzen' prefers offers there but is no condition.
        weight = 1.0 if known and word not in self.lexicon.places else UNKNOWN_WEIGHT
        if not known and dutch.is_common_word(word):
            weight = FILLER_WEIGHT  # 'mijn ziekenfonds zegt dat ...': 'zegt' is no subject
        unplaced = weight == UNKNOWN_WEIGHT and word not in self.lexicon.places and _real_word(word)
        return Concept(token, alternatives, weight=weight, unplaced=unplaced, generic=self._generic(token))

    def _unplaced_subject(self, concepts: list[Concept]) -> list[Concept]:
        """'ik zoek een cursus fotografie', 'karaoke avond', 'les van yoga': beside only general words
        (a course, an evening, a trip), a word no offer knows says what is asked. No offer is about it,
        so the general word alone must not answer: the unknown word then weighs more than all of them."""
        unplaced = [c for c in concepts if c.unplaced and not c.story]
        if not unplaced:
            return concepts
        others = [
            c
            for c in concepts
            if c.need is None and not c.out_of_scope and not c.story and not c.unplaced and not _filler(c)
        ]
        if not others or not all(self._generic(c.word) for c in others):
            return concepts
        weight = UNPLACED_SUBJECT_SHARE * sum(c.weight for c in others)
        return [dataclasses.replace(c, weight=weight) if any(c is u for u in unplaced) else c for c in concepts]

    def _generic(self, word: str) -> bool:
        return word in self.lexicon.generic or dutch.lemma(word) in self.lexicon.generic

    def _compound_parts(self, word: str) -> tuple[str, ...]:
        """A compound's parts, a verb stem as its infinitive: in 'zwemschool', 'kookclub' or 'leesgroep' the
        first part is what is done ('zwem' -> zwemmen), which the word list knows by its dictionary form."""
        parts = self.analyzer.compound_parts(word)
        if parts and all(self.analyzer.is_known(p) for p in parts):
            return parts
        if not parts:  # 'wandelclub': neither half is a word of the list, but 'wandel' is a form of one
            return self._verb_compound(word)
        return tuple(
            p if self.analyzer.is_known(p) or not self.analyzer.is_known(lemma := dutch.lemma(p)) else lemma
            for p in parts
        )

    def _verb_compound(self, word: str) -> tuple[str, ...]:
        """A verb stem the word list knows by its infinitive, before a real Dutch word: ('wandelen', 'club')."""
        if len(word) < MIN_PART + MIN_REST:
            return ()
        for cut in range(len(word) - MIN_REST, MIN_PART - 1, -1):
            stem, head = word[:cut], word[cut:]
            verb = dutch.lemma(stem)
            if verb != stem and self.analyzer.is_known(verb) and dutch.is_real_word(head):
                return (verb, head)
        return ()

    def _unplaced_modifier(self, word: str) -> bool:
        """A compound of a known head and a first part neither the word list nor any offer uses."""
        parts = self._compound_parts(word)
        if len(parts) == 1 and word.endswith(parts[0]) and word != parts[0] and self.analyzer.is_known(parts[0]):
            rest = word[: -len(parts[0])]  # 'skireis': a first part too short to split off ('ski')
            return rest not in self._lexicon_words and rest not in self.vocabulary
        if len(parts) < 2 or not self.analyzer.is_known(parts[-1]):
            return False
        return not self.analyzer.is_known(parts[0]) and parts[0] not in self.vocabulary

    def _unplaced_head(self, word: str) -> bool:
        """A known first part before a head that is a real Dutch word nobody's offer or word list uses
        ('kinder-boerderij', 'carnaval-stoet'); a general head ('filmvertoning') leaves the first part the subject."""
        parts = self._compound_parts(word)
        if len(parts) != 2 or not self.analyzer.is_known(parts[0]) or self.analyzer.is_known(parts[1]):
            return False
        head = parts[1]
        for link in sorted(LINKS, key=len, reverse=True):
            if link and head.startswith(link) and dutch.is_real_word(head[len(link) :]):
                head = head[len(link) :]  # 'kind' + 'er' + 'boerderij'
                break
        unused = head not in self.vocabulary and head not in self._lexicon_words
        return unused and dutch.is_real_word(head) and not self._generic(head)

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


def _either(concepts: list[Concept], by_token: dict[str, Concept], tokens: list[str]) -> list[Concept]:
    """'zwemmen of voetbal': one wish that either answers, not two that an offer must both cover."""
    for i in range(1, len(tokens) - 1):
        if tokens[i] != "of":
            continue
        left, right = by_token.get(tokens[i - 1]), by_token.get(tokens[i + 1])
        if left is None or right is None or left is right or left not in concepts or right not in concepts:
            continue
        alternatives = dict(left.alternatives)
        for stem, weight in right.alternatives.items():
            alternatives[stem] = max(weight, alternatives.get(stem, 0.0))
        merged = Concept(f"{left.word} of {right.word}", alternatives, weight=max(left.weight, right.weight))
        concepts = [merged if c is left else c for c in concepts if c is not right]
        by_token[tokens[i - 1]] = by_token[tokens[i + 1]] = merged
    return concepts


def _foreign_word(token: str) -> bool:
    """A word of English or French ('karting', 'petanque'): what the person meant, not a typo."""
    return len(token) >= MIN_FOREIGN_CHARS and any(dutch.zipf(token, lang) >= FOREIGN_WORD for lang in WORD_LANGUAGES)


def _real_word(token: str) -> bool:
    """A word of Dutch, English or French ('fotografie', 'karaoke', 'yoga'), not a dialect form or a typo;
    or a compound of two such words ('trampoline-park', 'mini-golf'), as Dutch makes new ones every day."""
    if len(token) < MIN_REAL_CHARS:
        return False
    if _listed_word(token):
        return True
    return any(
        _listed_word(token[:cut]) and _listed_word(token[cut:])
        for cut in range(MIN_REAL_CHARS, len(token) - MIN_REAL_CHARS + 1)
    )


def _listed_word(token: str) -> bool:
    return len(token) >= MIN_REAL_CHARS and any(
        dutch.zipf(token, lang) >= FOREIGN_WORD for lang in ("nl", *WORD_LANGUAGES)
    )


def _is_story(text: str) -> bool:
    """A message of several sentences and at least LONG_MESSAGE_WORDS words."""
    return len(words(text)) >= LONG_MESSAGE_WORDS and sum(1 for s in _SENTENCE_END.split(text) if s.strip()) >= 2


def _filler(concept: Concept) -> bool:
    """A common word no offer uses, said in passing (FILLER_WEIGHT): no subject of its own."""
    return concept.need is None and not concept.out_of_scope and concept.weight <= FILLER_WEIGHT


def _negated(tokens: list[str], position: int) -> bool:
    """'zonder (de) kinderen': the word at `position` names who does not come."""
    return not WITHOUT.isdisjoint(tokens[max(0, position - 2) : position])


def groups_for_age(age: int) -> tuple[str, ...]:
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
