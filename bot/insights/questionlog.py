"""The anonymous question log: what people ask, what the bot could do with it, and how many people it reached.

What is stored and why is explained in the package docstring (`bot.insights`). In short: no user id
ever reaches these tables; a person only appears as a keyed hash whose key lives for one calendar
month and is destroyed when that month is over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.insights.scrub import normalise
from bot.platform.calendar import Clock, local_naive
from bot.platform.db import Database
from bot.search.matcher import SearchResult

if TYPE_CHECKING:
    from bot.chat.conversation import Who

log = logging.getLogger(__name__)

MAX_LOGGED_OFFERS = 10  # the offers of a question that are kept: more than anyone pages through
OUTCOMES = {None: "answered", "empty": "empty", "out_of_scope": "out_of_scope", "no_match": "nothing"}
# What other parts may count per offer. 'info' and 'remind' also mark the question that led to them.
ACTIONS = frozenset(
    {
        "info",
        "remind",
        "remind_sent",
        "remind_blocked",
        "remind_late",
        "remind_dropped",
        "remind_failed",
        "going",
        "not_going",
    }
)
CARE_CATEGORIES = frozenset({"suicide", "violence", "emergency", "distress", "material", "money"})
FOLLOW_UPS = {"info": "info", "remind": "reminder"}  # action -> question_log column it sets
FOLLOW_UP_WINDOW = dt.timedelta(hours=2)  # a press this long after the question still counts as its result
MAX_RECENT = 10_000  # people whose last question is remembered (in memory only) to link a press to it
_OFFER_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class _Recent:
    question_id: int
    offers: frozenset[str]
    at: dt.datetime


@dataclass(frozen=True)
class CleanupSummary:
    questions: int = 0  # question rows past the retention period, deleted
    visitor_months: int = 0  # visitor rows past the retention period, deleted
    action_days: int = 0  # per-day offer counts past the retention period, deleted
    keys: int = 0  # keys of months that are over, destroyed


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def keyed_hash(secret: bytes, purpose: str, user_id: int) -> str:
    """HMAC-SHA256 of the user id, 128 bits in hex. Without the secret nobody can tell whose it is."""
    return hmac.new(secret, f"{purpose}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


class AnonymousQuestionLog:
    """Implements `bot.chat.conversation.QuestionLog` and `bot.chat.people.PeopleObserver`."""

    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo, *, retention_months: int = 13) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.retention_months = retention_months
        self._keys: dict[str, bytes] = {}
        # The last question of each person (by this month's hash), so that 'Meer info' can mark it.
        # Memory only: lost on restart, like the result pages.
        self._recent: OrderedDict[str, _Recent] = OrderedDict()
        # People in trouble already counted this month (record_care): keyed hashes, memory only.
        self._care_key = secrets.token_bytes(32)
        self._care_seen: dict[str, set[bytes]] = {}

    def _local_now(self) -> dt.datetime:
        return local_naive(self.clock.now(), self.tz)

    # --- keys -------------------------------------------------------------------------------

    async def _key(self, period: str) -> bytes:
        """The secret of this month, made on first use."""
        cached = self._keys.get(period)
        if cached is not None:
            return cached
        await self.db.execute(
            "INSERT INTO insight_keys (period, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (period) DO NOTHING",
            (period, secrets.token_bytes(32), self.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")),
        )
        secret = await self.db.fetchval("SELECT secret FROM insight_keys WHERE period = ?", (period,))
        self._keys = {period: secret}  # only the current month is ever needed
        return secret

    # --- recording (QuestionLog) ----------------------------------------------------------

    async def record_question(self, result: SearchResult, *, who: Who, text: str, lang: str = "nl") -> None:
        """Log one question: scrubbed text, the hour, the outcome, the offers found and the language it was
        answered in (bot/lang). Never fails the answer."""
        now = self._local_now()
        try:
            asker = keyed_hash(await self._key(month_of(now)), "asker", who.user_id)
            answered = bool(result.hits) and result.later_than is None  # only later days: nothing on the day asked
            outcome = "answered" if answered else "nothing" if result.hits else OUTCOMES.get(result.reason, "nothing")
            offers = [h.offer_id for h in result.hits[:MAX_LOGGED_OFFERS]] if answered else []
            async with self.db.transaction() as tx:
                cursor = await tx.execute(
                    "INSERT INTO question_log (asked_at, asker, text, outcome, lang) VALUES (?, ?, ?, ?, ?)",
                    (now.strftime("%Y-%m-%d %H:00"), asker, normalise(text, names=(who.first_name,)), outcome, lang),
                )
                question_id = cursor.lastrowid
                assert question_id is not None
                await tx.executemany(
                    "INSERT INTO question_offers (question_id, rank, offer_id) VALUES (?, ?, ?)",
                    [(question_id, rank, offer_id) for rank, offer_id in enumerate(offers)],
                )
        except sqlite3.Error as error:
            log.warning("could not log a question: %s", type(error).__name__)
            return
        self._recent[asker] = _Recent(question_id, frozenset(offers), now)
        self._recent.move_to_end(asker)
        while len(self._recent) > MAX_RECENT:
            self._recent.popitem(last=False)

    async def record_action(self, action: str, offer_id: str, *, who: Who | None = None) -> None:
        """Count what happened with an offer today; with `who`, also mark the question that led to it.

        Actions: 'info' (Meer info), 'remind' (a reminder asked), 'remind_sent', 'remind_blocked',
        'remind_late', 'remind_dropped' (other reasons), 'remind_failed' (what became of it), 'going' /
        'not_going' (the answer to it).
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {', '.join(sorted(ACTIONS))}")
        if not isinstance(offer_id, str) or len(offer_id) > 80 or not _OFFER_ID.match(offer_id):
            raise ValueError(f"not an offer id: {offer_id!r}")
        now = self._local_now()
        try:
            await self.db.execute(
                """INSERT INTO offer_actions (day, offer_id, action, n) VALUES (?, ?, ?, 1)
                   ON CONFLICT (day, offer_id, action) DO UPDATE SET n = n + 1""",
                (now.date().isoformat(), offer_id, action),
            )
            column = FOLLOW_UPS.get(action)
            if who is None or column is None:
                return
            asker = keyed_hash(await self._key(month_of(now)), "asker", who.user_id)
            recent = self._recent.get(asker)
            if recent is not None and offer_id in recent.offers and now - recent.at <= FOLLOW_UP_WINDOW:
                await self.db.execute(f"UPDATE question_log SET {column} = 1 WHERE id = ?", (recent.question_id,))
        except sqlite3.Error as error:
            log.warning("could not count an offer action: %s", type(error).__name__)

    async def record_care(self, category: str, *, topic: str | None, sent_to: str, who: Who) -> None:
        """Count one message of a person in trouble (bot.care): the category, topic and line, nothing else.

        The message itself is never stored, not even scrubbed. `care_counts` (migration 0008) holds only
        numbers per month; to count people rather than messages, a person is recognised in memory only,
        with a key that lives as long as the process and is never written (after a restart a person is
        counted again: `people` can be too high, never traced back). Never fails the answer.
        """
        if category not in CARE_CATEGORIES:
            raise ValueError(f"unknown care category {category!r}")
        period = month_of(self._local_now())
        key = f"{period}:{category}:{topic}:{sent_to}:{who.user_id}".encode()
        person = hmac.new(self._care_key, key, hashlib.sha256)
        seen = self._care_seen.setdefault(period, set())
        if len(self._care_seen) > 1:
            self._care_seen = {period: seen}  # months that are over are forgotten
        new = person.digest() not in seen
        seen.add(person.digest())
        try:
            await self.db.execute(
                """INSERT INTO care_counts (period, category, topic, sent_to, messages, people)
                   VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (period, category, topic, sent_to)
                   DO UPDATE SET messages = messages + 1, people = people + excluded.people""",
                (period, category, topic or "", sent_to, int(new)),
            )
        except sqlite3.Error as error:
            log.warning("could not count a care answer: %s", type(error).__name__)

    # --- people reached (PeopleObserver) ---------------------------------------------------

    async def person_seen(self, user_id: int, *, first_seen: str, previous_seen: str | None) -> None:
        """Count the person once in this month: new or returning, and when they were here before.

        `first_seen` and `previous_seen` are the person's dates (YYYY-MM-DD) from the people table;
        `previous_seen` is their last contact before this one (None the first time).
        """
        period = month_of(self._local_now())
        if previous_seen is not None and previous_seen[:7] >= period:
            return  # already counted this month
        try:
            visitor = keyed_hash(await self._key(period), "visitor", user_id)
            await self.db.execute(
                """INSERT INTO insight_visitors (period, visitor, is_new, previous) VALUES (?, ?, ?, ?)
                   ON CONFLICT (period, visitor) DO NOTHING""",
                (period, visitor, int(first_seen[:7] >= period), previous_seen[:7] if previous_seen else None),
            )
        except sqlite3.Error as error:
            log.warning("could not count a visit: %s", type(error).__name__)

    async def person_forgotten(self, user_id: int) -> None:
        """/vergeet: the person's hashes of months whose key still exists are replaced by random ones.

        Counts stay right (they were reached, they asked), but nothing can link those rows to them
        any more, not even with the key. Months whose key is gone were unlinkable already.
        """
        rows = await self.db.fetchall("SELECT period, secret FROM insight_keys")
        async with self.db.transaction() as tx:
            for row in rows:
                period, secret = row["period"], row["secret"]
                visitor = keyed_hash(secret, "visitor", user_id)
                await tx.execute(
                    "UPDATE insight_visitors SET visitor = ? WHERE period = ? AND visitor = ?",
                    (secrets.token_hex(16), period, visitor),
                )
                asker = keyed_hash(secret, "asker", user_id)
                await tx.execute("UPDATE question_log SET asker = ? WHERE asker = ?", (secrets.token_hex(16), asker))
                self._recent.pop(asker, None)

    # --- retention ------------------------------------------------------------------------

    async def cleanup(self) -> CleanupSummary:
        """The daily job: delete what is older than the retention period and destroy keys of months that are over."""
        now = self._local_now()
        cutoff = now.date() - relativedelta(months=self.retention_months)
        period = month_of(now)
        await self.db.execute("PRAGMA secure_delete = ON")  # overwrite deleted rows, keys above all
        async with self.db.transaction() as tx:
            questions = (
                await tx.execute("DELETE FROM question_log WHERE asked_at < ?", (cutoff.isoformat(),))
            ).rowcount
            visitors = (await tx.execute("DELETE FROM insight_visitors WHERE period < ?", (month_of(cutoff),))).rowcount
            actions = (await tx.execute("DELETE FROM offer_actions WHERE day < ?", (cutoff.isoformat(),))).rowcount
            keys = (await tx.execute("DELETE FROM insight_keys WHERE period < ?", (period,))).rowcount
        if keys:
            self._keys = {p: k for p, k in self._keys.items() if p >= period}
            self._recent.clear()  # their hashes belong to a month that is over
            # The deleted key may still sit in the write-ahead log: fold the log into the file and empty it.
            busy = await self.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
            if busy is not None and busy[0]:
                log.info("write-ahead log still in use; the destroyed key leaves it at the next checkpoint")
        summary = CleanupSummary(questions, visitors, actions, keys)
        log.info(
            "insights cleanup: %d questions, %d visitor rows, %d offer-day counts deleted; %d keys destroyed",
            summary.questions,
            summary.visitor_months,
            summary.action_days,
            summary.keys,
        )
        return summary
