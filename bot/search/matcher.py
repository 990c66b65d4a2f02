"""Ranking offers for a question: FTS5 finds candidates, coverage of the question's concepts ranks them.

BM25 alone ranks whatever shares a word with the question, so it always "finds" something. Here
every candidate is scored by the share of the question's concepts it covers (weighted by the field
they occur in), which gives a score in [0, 100] that means the same for every question: below
MIN_COVERAGE the offer does not answer it, and when no offer reaches it the bot says so.

The matcher reads the database through its own sqlite3 connection and is meant to run in a worker
thread (see `bot.search.service`), so a search never blocks the event loop.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.offers.model import TIME_FORMAT
from bot.platform.calendar import Holiday, Period
from bot.search.analyzer import Analyzer
from bot.search.dates import DATE_WORDS
from bot.search.index import FIELDS
from bot.search.query import ASKS_ELIGIBILITY, AudienceWish, Concept, Query, QueryParser
from bot.search.query import groups_for_age as _age_groups
from bot.search.semantic.offer_index import SemanticIndex
from bot.search.text import fold
from bot.search.vocabulary import Vocabulary

FIELD_WEIGHTS = {
    "title": 1.0,
    "keywords": 0.95,
    "categories": 0.85,
    "summary": 0.8,
    "description": 0.6,
    "extra": 0.4,
}
NEED_KIND_MATCH = 0.9
NEED_CATEGORY_MATCH = 0.75
MIN_COVERAGE = 0.5  # an offer must cover at least half of what the question asks
STORY_COVERAGE = 0.25  # of a whole story (its question alone found nothing), a quarter: a story tells much more
SUBJECT_COVERAGE = 0.75
NAMED_SUBJECT = 0.9  # the offer the person named ('de babbeltafel'), not a compound part of it
NOISE_FLOOR = 0.3  # a compound part's synonym somewhere in the small print is no match
NEED_SLOT = 2  # the place (0-based) on the first page kept for an offer that answers the named need
RELATIVE_CUTOFF = 0.6  # and score at least this share of the best offer's score
TEXT_CANDIDATES = 30
LIST_CANDIDATES = 60  # offers in a list answer (browsing pages through them)
LIST_SCAN = 3000  # soonest occurrences read for a list answer before looking offers up directly
NEED_CANDIDATES = 30
RARE_SHARE = 0.02  # stems in at most this share of the offers are looked up everywhere, ranked by BM25
COMMON_SHARE = 0.15  # stems in more offers than this are looked up only in title, keywords and categories
MAX_RARE_DF = 500  # BM25 ranks every match: past this many offers a stem is looked up like a common one
MIN_RARE_DF = 50  # in a small town every stem counts as rare: the cheap steps only matter at scale
UNDATED_IN_PERIOD = 0.8  # an always-available offer answers a dated question less well than one on that day
CHEAP_MISS = 0.9
AUDIENCE_FIT_BONUS = 5.0  # in a list for someone, offers made for their age come before family-wide ones
PLACE_BONUS = 2.0  # an offer in the village where the person lives comes first among equals
FREE_MISS = 0.75  # 'gratis' about a subject: free offers first, then cheap ones, then the rest
SOFT_AUDIENCE_MISS = 0.85
# The semantic signal (bot.search.semantic). An offer loses SEMANTIC_WEIGHT points of score for every
# 0.01 of cosine it lies below the closest offer among the answers: a tie-break between near-equals
# that a word list cannot make, not a veto (cosines of e5 lie between about 0.75 and 0.9). Measured
# on the studied sets: 2 raised hit@1 by 3 points on average and lowered no set; 5 and more did.
# The model is skipped when the best answer scores CERTAIN_SCORE and leads by CERTAIN_GAP: on the
# studied sets that spared 314 of 875 model runs (hit@1 as with them, one hit@3 fewer in 1,640).
ACCESS_WEIGHT = 0.5  # a need concept weighing less was only told in passing (query.STORY_WEIGHT)
SEMANTIC_WEIGHT = 2.0
MAX_VECTOR_CHARS = 160  # the model's cost grows with the text; the question's start says what it is about
SEMANTIC_ENTRANTS = 3  # the offers closest in meaning, looked at even when they share no word with the question
SEMANTIC_ENTRY = 0.8  # such an offer scores this share of the best answer (then the cosine tie-break)
CERTAIN_SCORE = 80.0  # a best answer this good, CERTAIN_GAP ahead of the next, is not re-ranked: no model run
CERTAIN_GAP = 5.0
LATER_DAYS = 14  # a question that is only a time, with nothing then: what is on in the two weeks after

_OFFER_COLUMNS = (
    "o.pk, o.id, o.kind, o.categories, o.groups, o.min_age, o.max_age, o.price_regular, o.price_reduced, o.first_start"
)
_TEXT_COLUMNS = "t.title, t.keywords, t.categories AS c_categories, t.summary, t.description, t.extra"


@dataclass(frozen=True)
class Hit:
    offer_id: str
    score: float
    next_start: dt.datetime | None = None
    next_end: dt.datetime | None = None


@dataclass(frozen=True)
class SearchResult:
    query: Query
    hits: tuple[Hit, ...]
    suggestion: str | None = None
    reason: str | None = None  # why there are no hits: 'empty', 'out_of_scope', 'no_match'
    used_model: bool = False  # whether the semantic signal took part in the ranking
    later_than: Period | None = None  # nothing in this asked period: the hits are the nearest days after it


@dataclass
class SearchPlan:
    """A question read and ranked by the word lists, waiting for the semantic signal (or not).

    The model is the expensive part of a search; the plan says whether it can change anything, so
    the question's vector can be computed outside the matcher's lock (in a worker thread).
    """

    query: Query
    now: dt.datetime
    result: SearchResult | None = None  # decided without the model: abstentions and out-of-scope answers
    scored: list[tuple[float, _Candidate]] = field(default_factory=list)
    scorer: _Scorer | None = None
    wants_vector: bool = False
    question: str = ""  # as typed
    meaning: str = ""  # a newcomer's question as they typed it, when `question` is its Dutch gloss (bot.lang)

    @property
    def vector_text(self) -> str:
        """What the model reads: the question, or in a long message the sentences that ask something.
        For a question in another language the original: the model reads that language, the gloss is
        only the word lists' Dutch reading of it."""
        return (self.meaning or self.query.focus or self.question)[:MAX_VECTOR_CHARS]


@dataclass
class _Candidate:
    pk: int
    id: str
    kind: str
    categories: frozenset[str]
    groups: frozenset[str]
    min_age: int | None
    max_age: int | None
    regular: float | None
    reduced: float | None
    dated: bool
    bm25: float | None = None
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    tokens: frozenset[str] = frozenset()  # every indexed stem of the offer, to skip absent stems at once
    next_start: dt.datetime | None = None
    next_end: dt.datetime | None = None
    matches: list[float] | None = None  # per concept of the question, filled by _Scorer

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> _Candidate:
        candidate = cls(
            pk=row["pk"],
            id=row["id"],
            kind=row["kind"],
            categories=frozenset(filter(None, row["categories"].split("|"))),
            groups=frozenset(filter(None, row["groups"].split("|"))),
            min_age=row["min_age"],
            max_age=row["max_age"],
            regular=row["price_regular"],
            reduced=row["price_reduced"],
            dated=row["first_start"] is not None,
        )
        if "title" in row.keys():  # noqa: SIM118 - sqlite3.Row has no __contains__ for names
            candidate.fields = {
                name: frozenset(row["c_categories" if name == "categories" else name].split()) for name in FIELDS
            }
            candidate.tokens = frozenset().union(*candidate.fields.values())
        return candidate

    @property
    def is_free(self) -> bool:
        return self.regular == 0 or self.reduced == 0

    @property
    def is_cheap(self) -> bool:
        reduced_price = self.reduced is not None and (self.regular is None or self.reduced < self.regular)
        return self.is_free or reduced_price or self.kind == "discount"


class Matcher:
    def __init__(
        self,
        conn: sqlite3.Connection,
        analyzer: Analyzer,
        holidays: Sequence[Holiday] = (),
        *,
        town: str = "",
        semantic: SemanticIndex | None = None,
    ) -> None:
        self.conn = conn
        self.analyzer = analyzer
        self.semantic = semantic
        self.holidays = tuple(holidays)
        self.town = town
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._stem_df: dict[str, int] = {}
        self._lookback = dt.timedelta(days=31)
        self._offer_count = 0
        self.parser = QueryParser(analyzer, Vocabulary({}), self.holidays, town=town)

    @property
    def offer_count(self) -> int:
        """Offers in the index at the last refresh (0 before the first search)."""
        return self._offer_count

    # --- keeping up with the index ----------------------------------------------------------

    def refresh(self) -> None:
        """Reload the vocabulary when the index changed (also by another process)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'index_generation'").fetchone()
        generation = row[0] if row else "0"
        if generation == self._generation:
            return
        df = dict(self.conn.execute("SELECT word, df FROM vocabulary").fetchall())
        self._stem_df = dict(self.conn.execute("SELECT term, doc FROM offer_terms").fetchall())
        longest = self.conn.execute("SELECT value FROM meta WHERE key = 'longest_occurrence_minutes'").fetchone()
        self._lookback = dt.timedelta(minutes=int(longest[0])) if longest else dt.timedelta(days=31)
        self._offer_count = self.conn.execute("SELECT count(*) FROM offer_text").fetchone()[0]
        lexicon = self.analyzer.lexicon
        vocabulary = Vocabulary(df, extra_words=lexicon.known_words(), dialect_targets=lexicon.all_words() | DATE_WORDS)
        self.parser = QueryParser(self.analyzer, vocabulary, self.holidays, town=self.town)
        self._generation = generation

    def _refresh_semantic(self) -> None:
        if self.semantic is not None and self._generation is not None:
            self.semantic.refresh(self.conn, self._generation)

    # --- searching --------------------------------------------------------------------------

    def knows(self, word: str) -> bool:
        """Whether the offers (or the lexicon) use this word: a newcomer's question keeps such a word."""
        with self._lock:
            self.refresh()
            return fold(word) in self.parser.vocabulary

    def parse(self, question: str, *, today: dt.date) -> Query:
        """How the matcher reads a question (typos corrected against the current vocabulary), without ranking.

        What coordinators taught (bot/teach) is compared in these terms, so it meets new wordings the same way.
        """
        with self._lock:
            self.refresh()
            return self.parser.parse(question, today=today)

    def search(
        self,
        question: str,
        *,
        now: dt.datetime,
        today: dt.date | None = None,
        any_time: bool = False,
        meaning: str = "",
    ) -> SearchResult:
        """All offers that answer the question, best first. `now` is naive local time.

        `any_time` ignores a period in the question: what comes later, when nothing fits the day asked.
        `meaning`: the question in the person's own language when `question` is its Dutch gloss.
        """
        plan = self.plan(question, now=now, today=today, any_time=any_time, meaning=meaning)
        vector = None
        if plan.wants_vector and self.semantic is not None:
            vector = self.semantic.vector(plan.vector_text)
        return self.finish(plan, vector)

    def plan(
        self,
        question: str,
        *,
        now: dt.datetime,
        today: dt.date | None = None,
        any_time: bool = False,
        meaning: str = "",
    ) -> SearchPlan:
        """Read the question and rank the offers by the word lists; say whether the model is needed."""
        with self._lock:
            self.refresh()
            self._refresh_semantic()
            query = self.parser.parse(question, today=today or now.date())
            if any_time:
                query = dataclasses.replace(query, period=None)
            if query.is_empty:
                return SearchPlan(query, now, SearchResult(query, (), reason="empty"))
            if query.out_of_scope and all(c.out_of_scope for c in query.concepts) and not query.needs:
                # 'weerbericht morgen' is not a question about tomorrow's activities. One such word an offer
                # is tagged with may still find it ('ziekenhuis': emergency childcare); two are a question
                # about something else ('mijn huur en de elektriciteit'), whatever a bike hire says.
                tagged = any(c.alternatives for c in query.concepts) and len(set(query.out_of_scope)) < 2
                oos_hits = self._order(query, *self._score(query, now)) if tagged else []
                result = SearchResult(query, tuple(oos_hits), reason=None if oos_hits else "out_of_scope")
                return SearchPlan(query, now, result)
            scored, scorer = self._score(query, now)
            if not scored and query.story:
                # 'ik kan niet helpen met hun huiswerk ... waar kan ik naartoe?': the question alone finds
                # nothing, so the story around it says what is asked, and an offer for a part of it will do.
                whole = self.parser.parse(question, today=today or now.date(), whole_story=True)
                if any_time:
                    whole = dataclasses.replace(whole, period=None)
                story_scored, story_scorer = self._score(whole, now, STORY_COVERAGE)
                if story_scored:
                    query, scored, scorer = whole, story_scored, story_scorer
            if not scored and self._only_a_time(query):
                # 'iets te doen op zaterdagvoormiddag' with nothing then: the nearest days after, said as such.
                assert query.period is not None
                after = Period(query.period.start, query.period.start + dt.timedelta(days=LATER_DAYS), "")
                later, scorer = self._score(dataclasses.replace(query, period=after), now)
                if later:
                    hits = self._order(query, later, scorer)
                    return SearchPlan(query, now, SearchResult(query, tuple(hits), later_than=query.period))
            if not scored:
                reason = "out_of_scope" if query.out_of_scope else "no_match"
                suggestion = (
                    query.suggestion if query.suggestion and self._finds_something(query.suggestion, now) else None
                )
                return SearchPlan(query, now, SearchResult(query, (), suggestion=suggestion, reason=reason))
            plan = SearchPlan(query, now, scored=scored, scorer=scorer, question=question, meaning=meaning)
            plan.wants_vector = self._model_can_help(plan)
            return plan

    def finish(self, plan: SearchPlan, vector: np.ndarray | None = None) -> SearchResult:
        """The ranked answer of a plan, with the question's vector when the plan asked for it."""
        if plan.result is not None:
            return plan.result
        assert plan.scorer is not None
        with self._lock:
            cosines = None
            scored = plan.scored
            if vector is not None and self.semantic is not None and self.semantic.available:
                vectors = self.semantic.vectors
                if vectors.full_scan:
                    cosines = vectors.cosines(vector)
                    scored = scored + self._semantic_entrants(plan, cosines)
                else:  # a very large index: the tie-break among the answers found, no entrants
                    cosines = vectors.cosines(vector, only=[c.pk for _, c in scored])
            hits = self._order(plan.query, scored, plan.scorer, cosines)
            return SearchResult(plan.query, tuple(hits), used_model=cosines is not None)

    @staticmethod
    def _only_a_time(query: Query) -> bool:
        """'wat is er vandaag te doen', 'iets voor de kinderen op zaterdag': a time, maybe for whom, no subject."""
        return query.period is not None and not query.concepts and not query.needs and not query.out_of_scope

    def _finds_something(self, question: str, now: dt.datetime) -> bool:
        """Whether a suggested rewording would be answered: 'bedoelde je ...?' only when it helps."""
        query = self.parser.parse(question, today=now.date())
        return not query.out_of_scope and bool(self._score(query, now)[0])

    def _model_can_help(self, plan: SearchPlan) -> bool:
        """Whether the semantic signal can change the answer: there is a subject to understand and
        the word lists did not already find one clear answer. Lists by date ('wat is er dit weekend')
        and a single offer named in full ('zwemlessen op zaterdag') cost no model run."""
        if self.semantic is None or not self.semantic.available or plan.scorer is None:
            return False
        if not plan.scorer.subject:
            return False
        ordered = sorted((s for s, _ in plan.scored), reverse=True)
        if plan.scorer.access:  # a need beside a subject: which offer leads the page is the question
            return True
        best = ordered[0]
        second = ordered[1] if len(ordered) > 1 else 0.0
        return not (best >= CERTAIN_SCORE and second <= best - CERTAIN_GAP)

    def _score(
        self, query: Query, now: dt.datetime, min_coverage: float = MIN_COVERAGE
    ) -> tuple[list[tuple[float, _Candidate]], _Scorer]:
        """Every candidate that answers the question with its score by the word lists, unordered."""
        concepts = [c for c in query.concepts if c.alternatives or c.need is not None]
        content = [c for c in concepts if c.need is None and not c.out_of_scope]
        now_text = now.strftime(TIME_FORMAT)
        candidates: dict[int, _Candidate] = {}
        scorer = _Scorer(query.concepts)
        if concepts:
            for candidate in self._text_candidates(concepts, now_text):
                candidates[candidate.pk] = candidate
            for candidate in self._need_candidates(query, now_text):
                candidates.setdefault(candidate.pk, candidate)
        else:
            for candidate in self._list_candidates(query, now, now_text):
                candidates.setdefault(candidate.pk, candidate)
        if not candidates:
            return [], scorer
        self._attach_occurrences(candidates, query, now)

        scored: list[tuple[float, _Candidate]] = []
        best_bm25 = min((c.bm25 for c in candidates.values() if c.bm25 is not None), default=None)
        for candidate in candidates.values():
            if not self._passes_filters(candidate, query, has_content=bool(content)):
                continue
            if concepts:
                coverage = scorer.coverage(candidate)
                if coverage < min_coverage and not scorer.answers_one_part(candidate):
                    continue
                score = 100.0 * coverage
                if candidate.bm25 is not None and best_bm25:
                    score += 3.0 * (candidate.bm25 / best_bm25)  # a small tie-break by BM25 (both negative)
            else:
                score = 60.0  # a list answer: every offer fits equally well, the date orders them
                if query.audience is not None:
                    score += _made_for(candidate)  # 'iets voor een baby': the baby group before the family day
            scored.append((min(_preferences(score, candidate, query), 100.0), candidate))
        if scored and scorer.only_general_words_found(candidates.values()):
            return [], scorer
        return scored, scorer

    def _semantic_entrants(self, plan: SearchPlan, cosines: np.ndarray) -> list[tuple[float, _Candidate]]:
        """Offers closest in meaning that the word lists did not find ('knuffels en puzzels' -> the toy shop).

        Only those closer to the question than every answer found, and only when there are answers:
        whether anything answers at all stays the word lists' decision (cosines cannot tell).
        """
        assert self.semantic is not None
        vectors = self.semantic.vectors
        known = {c.pk for _, c in plan.scored}
        rows = [vectors.row(pk) for pk in known]
        best_known = max((float(cosines[r]) for r in rows if r is not None), default=None)
        if best_known is None:
            return []
        closest = [pk for pk, cosine in vectors.best(cosines, SEMANTIC_ENTRANTS) if cosine >= best_known]
        closest = [pk for pk in closest if pk not in known]
        if not closest:
            return []
        query, now = plan.query, plan.now
        now_text = now.strftime(TIME_FORMAT)
        marks = ",".join("?" * len(closest))
        found = self.conn.execute(
            f"SELECT {_OFFER_COLUMNS}, {_TEXT_COLUMNS} FROM offers o JOIN offer_text t ON t.rowid = o.pk "
            f"WHERE o.pk IN ({marks}) AND o.status = 'published' AND (o.last_end IS NULL OR o.last_end > ?)",
            (*closest, now_text),
        ).fetchall()
        candidates = {row["pk"]: _Candidate.from_row(row) for row in found}
        self._attach_occurrences(candidates, query, now)
        has_content = bool(plan.scorer and plan.scorer.subject)
        best = max(s for s, _ in plan.scored)
        return [
            (min(_preferences(best * SEMANTIC_ENTRY, c, query), 100.0), c)
            for c in candidates.values()
            if self._passes_filters(c, query, has_content=has_content)
        ]

    def _order(
        self,
        query: Query,
        scored: list[tuple[float, _Candidate]],
        scorer: _Scorer,
        cosines: np.ndarray | None = None,
    ) -> list[Hit]:
        """The answers best first: the relative cutoff, the semantic tie-break, the need's place."""
        if not scored:
            return []
        best = max(s for s, _ in scored)
        far_future = dt.datetime.max
        # 'mag mijn kindje van 2 mee naar de babbeltafel': the child care scores highest, but the
        # conversation table the person named is half the answer and must not fall under the cutoff.
        scored = [(s, c) for s, c in scored if s >= RELATIVE_CUTOFF * best or scorer.covers_the_subject(c)]
        if cosines is not None:
            scored = self._with_semantic(scored, cosines)
        # Among equals, 'te duur, kan dat goedkoper?' is answered by the reduction before the activity.
        scored.sort(
            key=lambda sc: (
                -round(sc[0], 1),
                not (query.reduction and sc[1].kind == "discount"),
                sc[1].next_start or far_future,
                sc[1].id,
            )
        )
        scorer.answer_the_need_too(scored)
        return [Hit(c.id, round(s, 1), c.next_start, c.next_end) for s, c in scored]

    def _with_semantic(
        self, scored: list[tuple[float, _Candidate]], cosines: np.ndarray
    ) -> list[tuple[float, _Candidate]]:
        """Each score lowered by how much farther in meaning the offer is than the closest answer."""
        assert self.semantic is not None
        vectors = self.semantic.vectors
        rows = [vectors.row(c.pk) for _, c in scored]
        known = [float(cosines[r]) for r in rows if r is not None]
        if not known:
            return scored
        top = max(known)
        unknown = sum(known) / len(known)  # an offer whose vector is not computed yet: an average one
        result = []
        for (score, candidate), row in zip(scored, rows, strict=True):
            cosine = float(cosines[row]) if row is not None else unknown
            result.append((max(0.0, score - SEMANTIC_WEIGHT * 100.0 * (top - cosine)), candidate))
        return result

    # --- lists without a question -----------------------------------------------------------

    def browse(self, *, now: dt.datetime, kind: str | None = None, until: dt.datetime | None = None) -> list[Hit]:
        """Published offers to browse: dated ones by their next date (before `until`), then the undated."""
        with self._lock:
            params: list[object] = [
                now.strftime(TIME_FORMAT),
                (until or dt.datetime.max).strftime(TIME_FORMAT),
            ]
            kind_filter = ""
            if kind is not None:
                kind_filter = " AND o.kind = ?"
                params.append(kind)
            rows = self.conn.execute(
                "SELECT o.id, min(oc.start) AS start, oc.end FROM occurrences oc JOIN offers o ON o.pk = oc.offer_pk "
                f"WHERE oc.end > ? AND oc.start < ?{kind_filter} GROUP BY oc.offer_pk ORDER BY start, o.id LIMIT ?",
                (*params, LIST_CANDIDATES),
            ).fetchall()
            hits = [
                Hit(
                    r["id"],
                    60.0,
                    dt.datetime.fromisoformat(r["start"]),
                    dt.datetime.fromisoformat(r["end"]),
                )
                for r in rows
            ]
            if until is None:
                undated = self.conn.execute(
                    "SELECT o.id FROM offers o WHERE o.status = 'published' AND o.first_start IS NULL"
                    f"{kind_filter} ORDER BY o.title LIMIT ?",
                    (*params[2:], LIST_CANDIDATES),
                ).fetchall()
                hits += [Hit(r["id"], 60.0) for r in undated]
            return hits

    def need_offers(self, need_name: str, *, now: dt.datetime) -> list[str]:
        """Ids of the offers that answer a need from the lexicon ('company', 'childcare', 'transport'),
        strongest first: its words in the title, keywords or summary, or its category."""
        need = next((n for ns in self.analyzer.lexicon.needs.values() for n in ns if n.name == need_name), None)
        if need is None:
            return []
        with self._lock:
            clauses = " OR ".join("o.kind = ?" for _ in need.kinds) or "1"
            rows = self.conn.execute(
                f"SELECT {_OFFER_COLUMNS}, {_TEXT_COLUMNS}, o.title AS plain_title FROM offers o "
                "JOIN offer_text t ON t.rowid = o.pk WHERE o.status = 'published' "
                f"AND (o.last_end IS NULL OR o.last_end > ?) AND ({clauses}) LIMIT ?",
                (now.strftime(TIME_FORMAT), *need.kinds, LIST_CANDIDATES),
            ).fetchall()
        stems = {self.analyzer.stem(t) for t in need.terms}
        scored = []
        for row in rows:
            candidate = _Candidate.from_row(row)
            score = NEED_CATEGORY_MATCH + 0.1 if candidate.categories & set(need.categories) else 0.0
            for name in ("title", "keywords", "categories", "summary"):
                if stems & candidate.fields[name]:
                    score = max(score, FIELD_WEIGHTS[name])
            if score >= FIELD_WEIGHTS["summary"]:
                scored.append((-score, row["plain_title"], candidate.id))
        return [offer_id for _, _, offer_id in sorted(scored)]

    # --- candidates -------------------------------------------------------------------------

    def _text_candidates(self, concepts: Sequence[Concept], now_text: str) -> list[_Candidate]:
        """Offers sharing a stem with the question, found in three cheap steps by how common the stem is.

        BM25 ranks every match, so its cost follows the number of matches. Rare stems (in at most
        RARE_SHARE of the offers) are looked up in every field and ranked. Stems up to COMMON_SHARE
        are ranked only where they say what an offer is about (title, keywords, categories, summary).
        Stems in more offers than that ('rapopstap' is in nearly every eligibility text) are looked
        up in title, keywords and categories, newest first, unranked: the coverage ranking decides.
        """
        stems = {s for c in concepts for s in c.alternatives if self._stem_df.get(s, 0) > 0}
        if not stems:
            return []
        rare_limit = max(MIN_RARE_DF, min(RARE_SHARE * self._offer_count, MAX_RARE_DF))
        common_limit = max(MIN_RARE_DF, COMMON_SHARE * self._offer_count)
        rare = sorted(s for s in stems if self._stem_df[s] <= rare_limit)
        medium = sorted(s for s in stems if rare_limit < self._stem_df[s] <= common_limit)
        common = sorted(s for s in stems if self._stem_df[s] > common_limit)
        ranked: dict[int, float | None] = {}
        steps = (
            (rare, "", "rank"),
            (medium, "{title keywords categories summary} : ", "rowid DESC"),
            (common, "{title keywords categories} : ", "rowid DESC"),
        )
        for group, columns, order in steps:
            if not group:
                continue
            rows = self.conn.execute(
                f"SELECT rowid, rank FROM offer_text WHERE offer_text MATCH ? ORDER BY {order} LIMIT ?"
                if order == "rank"
                else f"SELECT rowid, NULL FROM offer_text WHERE offer_text MATCH ? ORDER BY {order} LIMIT ?",
                (f"{columns}({_any_of(group)})", TEXT_CANDIDATES),
            ).fetchall()
            for pk, rank in rows:
                ranked.setdefault(pk, rank)
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        rows = self.conn.execute(
            f"SELECT {_OFFER_COLUMNS}, {_TEXT_COLUMNS} FROM offers o JOIN offer_text t ON t.rowid = o.pk "
            f"WHERE o.pk IN ({marks}) AND (o.last_end IS NULL OR o.last_end > ?)",
            (*ranked, now_text),
        ).fetchall()
        candidates = [_Candidate.from_row(row) for row in rows]
        for candidate in candidates:
            candidate.bm25 = ranked[candidate.pk]
        return candidates

    def _need_candidates(self, query: Query, now_text: str) -> list[_Candidate]:
        """Offers of the kinds or categories that answer a named need ('geen auto' -> transport).

        Kinds come from an index on offers, categories from the index's categories column: neither
        scans the whole table, which matters at 100,000 offers.
        """
        kinds = sorted({k for need in query.needs for k in need.kinds})
        categories = sorted({self.analyzer.stem(c) for need in query.needs for c in need.categories})
        pks: list[int] = []
        for kind in kinds:
            rows = self.conn.execute(
                "SELECT pk FROM offers WHERE status = 'published' AND kind = ? "
                "AND (last_end IS NULL OR last_end > ?) ORDER BY pk DESC LIMIT ?",
                (kind, now_text, NEED_CANDIDATES),
            ).fetchall()
            pks += [row[0] for row in rows]
        if categories:
            rows = self.conn.execute(
                "SELECT rowid FROM offer_text WHERE offer_text MATCH ? ORDER BY rowid DESC LIMIT ?",
                ("{categories} : (" + _any_of(categories) + ")", NEED_CANDIDATES),
            ).fetchall()
            pks += [row[0] for row in rows]
        if not pks:
            return []
        unique = list(dict.fromkeys(pks))
        rows = self.conn.execute(
            f"SELECT {_OFFER_COLUMNS}, {_TEXT_COLUMNS} FROM offers o JOIN offer_text t ON t.rowid = o.pk "
            f"WHERE o.pk IN ({','.join('?' * len(unique))}) AND (o.last_end IS NULL OR o.last_end > ?)",
            (*unique, now_text),
        ).fetchall()
        return [_Candidate.from_row(row) for row in rows]

    def _list_candidates(self, query: Query, now: dt.datetime, now_text: str) -> list[_Candidate]:
        """Questions without a subject ('wat is er te doen dit weekend?'): what fits, soonest first.

        First the soonest occurrences are read in date order from the index (a bounded number), and
        the offers among them that pass the filters kept: cheap at 100,000 offers. When a filter is
        so narrow that they hold too few ('voor 60-plussers'), the offers that pass it are looked up
        directly. Without a period, offers without dates (discounts, services) follow the dated ones.
        """
        filters, params = _sql_filters(query)
        start = now if query.period is None else max(query.period.start, now)
        # An occurrence running at `start` started at most the longest occurrence's duration earlier.
        earliest = (start - self._lookback).strftime(TIME_FORMAT)
        until = "9999" if query.period is None else query.period.end.strftime(TIME_FORMAT)
        window = (earliest, until, start.strftime(TIME_FORMAT))
        # Grouped in SQL: each offer once, with its soonest occurrence (min() makes SQLite take `end`
        # from that row), so Python reads LIST_CANDIDATES rows instead of up to LIST_SCAN.
        rows = self.conn.execute(
            f"SELECT {_OFFER_COLUMNS}, min(oc.start) AS next_start, oc.end AS next_end FROM "
            "(SELECT * FROM occurrences WHERE start >= ? AND start < ? AND end > ? ORDER BY start LIMIT ?) oc "
            f"JOIN offers o ON o.pk = oc.offer_pk WHERE 1 {filters} GROUP BY oc.offer_pk ORDER BY next_start, o.pk "
            "LIMIT ?",
            (*window, LIST_SCAN, *params, LIST_CANDIDATES),
        ).fetchall()
        found: dict[int, _Candidate] = {}
        for row in rows:
            candidate = _Candidate.from_row(row)
            candidate.next_start = dt.datetime.fromisoformat(row["next_start"])
            candidate.next_end = dt.datetime.fromisoformat(row["next_end"])
            found[candidate.pk] = candidate
        # Start from the offers of the asked groups (an index), not from every offer.
        groups = tuple(query.audience.groups) if query.audience is not None else ()
        source = "offers o"
        if groups:
            source = f"(SELECT DISTINCT offer_pk FROM offer_groups WHERE grp IN ({','.join('?' * len(groups))})) g "
            source += "JOIN offers o ON o.pk = g.offer_pk"
        if len(found) < LIST_CANDIDATES and filters:
            rows = self.conn.execute(
                f"SELECT {_OFFER_COLUMNS} FROM {source} WHERE o.status = 'published' AND o.first_start IS NOT NULL "
                f"AND (o.last_end IS NULL OR o.last_end > ?) {filters} LIMIT ?",
                (*groups, now_text, *params, LIST_CANDIDATES * 4),
            ).fetchall()
            for row in rows:
                found.setdefault(row["pk"], _Candidate.from_row(row))  # their dates are looked up afterwards
        if query.period is None:
            undated = self.conn.execute(
                f"SELECT {_OFFER_COLUMNS}, o.title AS plain_title FROM {source} WHERE o.status = 'published' "
                f"AND o.first_start IS NULL {filters} LIMIT ?",
                (*groups, *params, LIST_CANDIDATES),
            ).fetchall()
            for row in sorted(undated, key=lambda r: r["plain_title"]):
                found.setdefault(row["pk"], _Candidate.from_row(row))
        return list(found.values())

    def _attach_occurrences(self, candidates: dict[int, _Candidate], query: Query, now: dt.datetime) -> None:
        """The next occurrence of each dated candidate: in the asked period, else from now on."""
        dated = [pk for pk, c in candidates.items() if c.dated and c.next_start is None]
        if not dated:
            return
        start = now if query.period is None else max(query.period.start, now)
        end = "9999" if query.period is None else query.period.end.strftime(TIME_FORMAT)
        # None that started longer ago than the longest occurrence lasts can still be running:
        # that bound lets SQLite seek in the (offer_pk, start) key instead of scanning.
        earliest = (start - self._lookback).strftime(TIME_FORMAT)
        marks = ",".join("?" * len(dated))
        rows = self.conn.execute(
            f"SELECT offer_pk, min(start) AS start, end FROM occurrences WHERE offer_pk IN ({marks}) "
            "AND start >= ? AND start < ? AND end > ? GROUP BY offer_pk",
            (*dated, earliest, end, start.strftime(TIME_FORMAT)),
        ).fetchall()
        for row in rows:
            candidate = candidates[row["offer_pk"]]
            candidate.next_start = dt.datetime.fromisoformat(row["start"])
            candidate.next_end = dt.datetime.fromisoformat(row["end"])

    # --- filters ----------------------------------------------------------------------------

    def _passes_filters(self, candidate: _Candidate, query: Query, *, has_content: bool) -> bool:
        if candidate.dated and candidate.next_start is None:
            return False  # over, or nothing in the asked period
        if query.period is not None and not candidate.dated and not has_content and not query.needs:
            return False  # 'wat is er dit weekend' asks for dated things; 'oppas zaterdagavond' does not
        if query.free and not candidate.is_free and not has_content:
            return False  # 'gratis dit weekend' lists free things; 'gratis kleren' may find cheap ones after
        return not (
            query.audience is not None
            and query.audience.strict
            and not _fits_audience(candidate, query.audience, has_content=has_content)
        )


def _any_of(stems: Sequence[str]) -> str:
    """An FTS5 query matching any of the stems (quoted: a stem is never read as FTS5 syntax)."""
    return " OR ".join(f'"{s}"' for s in stems)


def _sql_filters(query: Query) -> tuple[str, list[object]]:
    """The filters of a list question that SQL can apply before ranking."""
    clauses: list[str] = []
    params: list[object] = []
    if query.free:
        clauses.append("(o.price_regular = 0 OR o.price_reduced = 0)")
    wish = query.audience
    if wish is not None and wish.groups:
        marks = ",".join("?" * len(wish.groups))
        clauses.append(f"EXISTS (SELECT 1 FROM offer_groups g WHERE g.offer_pk = o.pk AND g.grp IN ({marks}))")
        params += list(wish.groups)
    if wish is not None and wish.min_age is not None:
        clauses.append("(o.max_age IS NULL OR o.max_age >= ?)")
        params.append(wish.min_age)
    if wish is not None and wish.max_age is not None:
        clauses.append("(o.min_age IS NULL OR o.min_age <= ?)")
        params.append(wish.max_age)
    return "".join(f" AND {c}" for c in clauses), params


class _Scorer:
    """The question's concepts prepared once, then matched against each candidate offer.

    For each candidate it first looks up, once, in which fields each of the question's stems
    occurs; every concept's match, the coverage and the need checks are read from that.
    """

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.concepts = list(concepts)
        self.total = sum(c.weight for c in self.concepts)
        self.content = [i for i, c in enumerate(self.concepts) if c.need is None]
        self.subject = [i for i in self.content if self.concepts[i].weight >= 1.0 and not self.concepts[i].out_of_scope]
        self.access = [
            i
            for i, c in enumerate(self.concepts)
            if c.need is not None and c.need.name != ASKS_ELIGIBILITY and c.weight >= ACCESS_WEIGHT
        ]  # a need only told in the story around a question ('mijn man werkt in ploegen') gets no place
        self.stems = sorted({s for c in self.concepts for s in c.alternatives})

    def matches(self, candidate: _Candidate) -> list[float]:
        """How well the offer covers each concept: the best alternative, weighted by its field."""
        if candidate.matches is not None:
            return candidate.matches
        present: dict[str, list[str]] = {}
        for stem in self.stems:
            if stem in candidate.tokens:
                present[stem] = [name for name in FIELD_WEIGHTS if stem in candidate.fields[name]]
        result = []
        for concept in self.concepts:
            best = 0.0
            need = concept.need
            if need is not None:
                if candidate.kind in need.kinds:
                    best = NEED_KIND_MATCH
                elif candidate.categories & set(need.categories):
                    best = NEED_CATEGORY_MATCH
            for stem, weight in concept.alternatives.items():
                fields = present.get(stem)
                if not fields or weight <= best:
                    continue
                for name in fields:  # in order of field weight
                    if concept.fields is None or name in concept.fields:
                        best = max(best, weight * FIELD_WEIGHTS[name])
                        break
            result.append(best if best >= NOISE_FLOOR else 0.0)
        candidate.matches = result
        return result

    def coverage(self, candidate: _Candidate, only: Sequence[int] | None = None) -> float:
        """The weighted share of the question's concepts (or of `only` these) the offer covers."""
        matches = self.matches(candidate)
        indexes = range(len(self.concepts)) if only is None else only
        # A word of the story around the question counts when the offer has it and is not missed when it
        # has not: 'mijn vrouw is gestorven ... eens een warme maaltijd met anderen' asks for the meal.
        total = sum(self.concepts[i].weight * (matches[i] if self.concepts[i].story else 1.0) for i in indexes)
        return sum(self.concepts[i].weight * matches[i] for i in indexes) / total if total else 0.0

    def only_general_words_found(self, candidates: Iterable[_Candidate]) -> bool:
        """'petanque spelen': the word list knows petanque, but no offer is about it; 'spelen' alone,
        a general word (lexicon [generic]), would answer with the card afternoon. No answer then."""
        if self.access or not self.subject:
            return False
        found = {i for c in candidates for i, m in enumerate(self.matches(c)) if m > 0}
        present = [i for i in self.subject if i in found]
        missing = [i for i in self.subject if i not in found and not self.concepts[i].generic]
        return bool(missing and present) and all(self.concepts[i].generic for i in present)

    def covers_the_subject(self, candidate: _Candidate) -> bool:
        """In a question with a subject and an access need: whether the offer is that subject, by the
        words we know (a village or a word no offer uses is no subject of its own)."""
        return bool(self.access and self.subject) and self.coverage(candidate, self.subject) >= NAMED_SUBJECT

    def need_strength(self, candidate: _Candidate) -> float:
        """How well the offer answers the question's access need (0 when there is none)."""
        matches = self.matches(candidate)
        return max((matches[i] for i in self.access), default=0.0)

    def meets_need(self, candidate: _Candidate) -> bool:
        """An offer of the need's kind, or filed under its category (childcare has no kind of its own)."""
        matches = self.matches(candidate)
        return any(matches[i] >= NEED_CATEGORY_MATCH for i in self.access)

    def answers_one_part(self, candidate: _Candidate) -> bool:
        """'kan iemand mij halen voor de kaartnamiddag': the card game and the ride each answer a part.

        A question with a subject and an access need (transport, childcare, company) is answered by
        an offer that covers the whole subject, or one that fully meets the need.
        """
        if not self.access or not self.content:
            return False
        return self.coverage(candidate, self.content) >= SUBJECT_COVERAGE or self.meets_need(candidate)

    def answer_the_need_too(self, scored: list[tuple[float, _Candidate]]) -> None:
        """'hoe geraak ik naar de film in mijn rolstoel': show the film, and also the help to get there.

        When a question names both a subject and a need, the first page shows the best offer on the
        subject and keeps a place for one of the strongest answers to the need.
        """
        if not self.access or not self.content or len(scored) <= NEED_SLOT:
            return
        page = NEED_SLOT + 1
        # 'welke bus naar het zwembad': the bus offers name the need in their titles and can fill the
        # page, but the person asks about the pool too. The best offer on the subject leads the page.
        on_page = max(self.coverage(c, self.content) for _, c in scored[:page])
        if on_page < SUBJECT_COVERAGE and len(scored) > page:
            subject = max(range(page, len(scored)), key=lambda i: self.coverage(scored[i][1], self.content))
            best = self.coverage(scored[subject][1], self.content)  # the best-ranked among equals
            if best > on_page and best >= MIN_COVERAGE:
                scored.insert(0, scored.pop(subject))
        # The need's place holds one of its strongest answers: 'een oppas vragen' is answered by the
        # babysitting service, not by the camps discount whose title merely says 'speelplein'.
        strongest = max(self.need_strength(c) for _, c in scored)
        if strongest < NEED_CATEGORY_MATCH or any(self.need_strength(c) >= strongest for _, c in scored[:page]):
            return
        for index in range(page, len(scored)):
            if self.need_strength(scored[index][1]) >= strongest:
                scored.insert(NEED_SLOT, scored.pop(index))
                return


def _preferences(score: float, candidate: _Candidate, query: Query) -> float:
    """The score after the question's soft wishes: a period, a village, a low price, an audience."""
    if query.period is not None and not candidate.dated:
        score *= UNDATED_IN_PERIOD
    if query.places and any(stem in candidate.tokens for c in query.places for stem in c.alternatives):
        score += PLACE_BONUS
    if query.cheap and not candidate.is_cheap:
        score *= CHEAP_MISS
    if query.free and not candidate.is_free:
        score *= CHEAP_MISS if candidate.is_cheap else FREE_MISS
    wish = query.audience
    if wish is not None and not wish.strict and not _fits_audience(candidate, wish, has_content=True):
        score *= SOFT_AUDIENCE_MISS
    return score


def _made_for(candidate: _Candidate) -> float:
    """A bonus for an offer made for a narrow age range (0 to 3) over one open to all ages."""
    if candidate.min_age is None or candidate.max_age is None:
        return 0.0
    return AUDIENCE_FIT_BONUS * 6 / (6 + candidate.max_age - candidate.min_age)


def _fits_audience(candidate: _Candidate, wish: AudienceWish, *, has_content: bool) -> bool:
    """Whether the offer is meant for these people: the ages overlap and a group names them.

    'iedereen' offers fit only when the question also names a subject ('zwemmen voor de kinderen');
    a person of an exact age fits an offer whose own age range admits them.
    """
    low = wish.min_age if wish.min_age is not None else 0
    high = wish.max_age if wish.max_age is not None else 200
    offer_low = candidate.min_age if candidate.min_age is not None else 0
    offer_high = candidate.max_age if candidate.max_age is not None else 200
    if offer_high < low or offer_low > high:
        return False
    if wish.ages:  # 'mijn meisjes van 4 en 9': the offer fits when it fits one of them
        fitting = [age for age in wish.ages if offer_low <= age <= offer_high]
        if not fitting:
            return False
        groups = {g for age in fitting for g in _age_groups(age)}
        if not candidate.groups or candidate.groups & groups:
            return True
        return (
            ("iedereen" in candidate.groups and has_content)
            or candidate.min_age is not None
            or (candidate.max_age is not None)
        )
    if not candidate.groups or not wish.groups or candidate.groups & set(wish.groups):
        return True
    if "iedereen" in candidate.groups:
        return has_content
    exact_age = wish.min_age is not None and wish.min_age == wish.max_age
    return exact_age and (candidate.min_age is not None or candidate.max_age is not None)
