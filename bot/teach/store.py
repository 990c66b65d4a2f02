"""What coordinators taught, in the database: steps (lessons), their questions and offers, the audit trail.

A lesson is one step a coordinator took on one or more unanswered questions: link them to offers,
refer them elsewhere, mark them as a wish (the offer is missing) or ignore them. Nothing is ever
deleted: undo marks a lesson undone, so the audit trail keeps who taught what, when, and who undid it.
Every write bumps `meta.teach_generation`, so a running bot notices what `python -m bot teach` did.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.insights.scrub import normalise
from bot.platform.calendar import Clock
from bot.platform.db import Database, Transaction
from bot.search.text import words

Kind = Literal["link", "refer", "wish", "ignore"]
KINDS: tuple[Kind, ...] = ("link", "refer", "wish", "ignore")
MAX_QUESTIONS = 50  # wordings kept for one step (a theme rarely has more than a dozen)
MAX_NOTE = 500
MAX_OFFERS = 5


class LessonError(ValueError):
    """A step that cannot be taken (no question, no offer, an unknown lesson); the message says why."""


@dataclass(frozen=True)
class Lesson:
    id: int
    kind: Kind
    questions: tuple[str, ...]
    offers: tuple[str, ...] = ()
    note: str | None = None
    created_at: str = ""
    created_by: str = ""
    undone_at: str | None = None
    undone_by: str | None = None
    uses: int = field(default=0, compare=False)  # later questions it answered (filled by `lessons`)

    @property
    def active(self) -> bool:
        return self.undone_at is None

    def to_dict(self) -> dict[str, object]:
        """The lesson as in `teach list --json` and the export file."""
        return {
            "id": self.id,
            "kind": self.kind,
            "questions": list(self.questions),
            "offers": list(self.offers),
            "note": self.note,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "undone_at": self.undone_at,
            "undone_by": self.undone_by,
            "uses": self.uses,
        }


def clean_questions(questions: Sequence[str]) -> tuple[str, ...]:
    """Questions as they are stored: scrubbed like the question log, distinct, in order."""
    cleaned = (normalise(q) for q in questions)
    return tuple(dict.fromkeys(q for q in cleaned if words(q)))[:MAX_QUESTIONS]


class LessonStore:
    def __init__(self, db: Database, clock: Clock | None) -> None:  # no clock: for reading only (the report)
        self.db = db
        self.clock = clock

    def _now(self) -> str:
        assert self.clock is not None, "a LessonStore without a clock only reads"
        return self.clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")

    async def generation(self) -> str:
        """Changes whenever a lesson is added or undone (also by another process)."""
        return str(await self.db.fetchval("SELECT value FROM meta WHERE key = 'teach_generation'") or "0")

    async def add(
        self,
        kind: Kind,
        questions: Sequence[str],
        *,
        actor: str,
        offers: Sequence[str] = (),
        note: str | None = None,
        action: str = "taught",
        created_at: str | None = None,
        origin: str | None = None,
    ) -> Lesson:
        """Record one step; LessonError when it makes no sense (no question, a link without offers)."""
        if kind not in KINDS:
            raise LessonError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        texts = clean_questions(questions)
        if not texts:
            raise LessonError("a step needs a question with at least one word")
        offer_ids = tuple(dict.fromkeys(o.strip() for o in offers if o.strip()))[:MAX_OFFERS]
        if kind == "link" and not offer_ids:
            raise LessonError("a link needs at least one offer")
        note = (note or "").strip()[:MAX_NOTE] or None
        if kind == "refer" and not note:
            raise LessonError("a referral needs its text (where people can go instead)")
        now = created_at or self._now()
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO teach_lessons (kind, note, created_at, created_by) VALUES (?, ?, ?, ?)",
                (kind, note, now, actor),
            )
            lesson_id = cursor.lastrowid
            assert lesson_id is not None
            await tx.executemany(
                "INSERT INTO teach_questions (lesson_id, position, text) VALUES (?, ?, ?)",
                [(lesson_id, i, text) for i, text in enumerate(texts)],
            )
            await tx.executemany(
                "INSERT INTO teach_offers (lesson_id, position, offer_id) VALUES (?, ?, ?)",
                [(lesson_id, i, offer) for i, offer in enumerate(offer_ids)],
            )
            details = {"kind": kind, "questions": list(texts), "offers": list(offer_ids), "note": note}
            if origin:
                details["taught_by"] = origin  # who first taught it, for an imported lesson
            await _event(tx, lesson_id, self._now(), actor, action, details)
            await _bump(tx)
        return Lesson(lesson_id, kind, texts, offer_ids, note, now, actor)

    async def undo(self, lesson_id: int, *, actor: str) -> Lesson:
        """Undo a step (LessonError when it does not exist or was undone already)."""
        lesson = await self.get(lesson_id)
        if lesson is None:
            raise LessonError(f"no step with number {lesson_id}")
        if not lesson.active:
            raise LessonError(f"step {lesson_id} was undone already ({lesson.undone_at}, {lesson.undone_by})")
        now = self._now()
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE teach_lessons SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
                (now, actor, lesson_id),
            )
            await _event(tx, lesson_id, now, actor, "undone", {})
            await _bump(tx)
        return Lesson(**{**lesson.__dict__, "undone_at": now, "undone_by": actor})

    async def set_note(self, lesson_id: int, note: str, *, actor: str) -> Lesson:
        """The coordinator's note on a wish or the text of a referral, written after the step."""
        lesson = await self.get(lesson_id)
        if lesson is None or not lesson.active:
            raise LessonError(f"no active step with number {lesson_id}")
        text = note.strip()[:MAX_NOTE] or None
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE teach_lessons SET note = ? WHERE id = ?", (text, lesson_id))
            await _event(tx, lesson_id, self._now(), actor, "noted", {"note": text})
            await _bump(tx)
        return Lesson(**{**lesson.__dict__, "note": text})

    async def get(self, lesson_id: int) -> Lesson | None:
        found = await self._load("WHERE l.id = ?", (lesson_id,))
        return found[0] if found else None

    async def lessons(self, *, active_only: bool = False, kinds: Sequence[str] = KINDS) -> list[Lesson]:
        """Lessons, oldest first, with how many later questions each answered."""
        marks = ",".join("?" * len(kinds))
        where = f"WHERE l.kind IN ({marks})" + (" AND l.undone_at IS NULL" if active_only else "")
        return await self._load(where, tuple(kinds))

    async def _load(self, where: str, params: tuple[object, ...]) -> list[Lesson]:
        rows = await self.db.fetchall(
            "SELECT l.id, l.kind, l.note, l.created_at, l.created_by, l.undone_at, l.undone_by, "
            "(SELECT coalesce(sum(n), 0) FROM teach_uses u WHERE u.lesson_id = l.id) AS uses "
            f"FROM teach_lessons l {where} ORDER BY l.id",
            params,
        )
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        questions: dict[int, list[str]] = {i: [] for i in ids}
        for row in await self.db.fetchall(
            f"SELECT lesson_id, text FROM teach_questions WHERE lesson_id IN ({marks}) ORDER BY lesson_id, position",
            ids,
        ):
            questions[row["lesson_id"]].append(row["text"])
        offers: dict[int, list[str]] = {i: [] for i in ids}
        for row in await self.db.fetchall(
            f"SELECT lesson_id, offer_id FROM teach_offers WHERE lesson_id IN ({marks}) ORDER BY lesson_id, position",
            ids,
        ):
            offers[row["lesson_id"]].append(row["offer_id"])
        return [
            Lesson(
                id=row["id"],
                kind=row["kind"],
                questions=tuple(questions[row["id"]]),
                offers=tuple(offers[row["id"]]),
                note=row["note"],
                created_at=row["created_at"],
                created_by=row["created_by"],
                undone_at=row["undone_at"],
                undone_by=row["undone_by"],
                uses=row["uses"],
            )
            for row in rows
        ]

    async def history(self, lesson_id: int) -> list[dict[str, object]]:
        """The audit trail of one lesson, oldest first."""
        rows = await self.db.fetchall(
            "SELECT at, actor, action, details FROM teach_events WHERE lesson_id = ? ORDER BY seq", (lesson_id,)
        )
        return [
            {"at": r["at"], "actor": r["actor"], "action": r["action"], "details": json.loads(r["details"])}
            for r in rows
        ]

    async def record_use(self, lesson_id: int, day: dt.date) -> None:
        """Count one later question this lesson answered (no text, no person: a number per day)."""
        await self.db.execute(
            "INSERT INTO teach_uses (lesson_id, day, n) VALUES (?, ?, 1) "
            "ON CONFLICT (lesson_id, day) DO UPDATE SET n = n + 1",
            (lesson_id, day.isoformat()),
        )

    async def uses_between(self, start: dt.date, end: dt.date) -> dict[int, int]:
        """Later questions each lesson answered between two local dates (inclusive)."""
        rows = await self.db.fetchall(
            "SELECT lesson_id, sum(n) AS n FROM teach_uses WHERE day >= ? AND day <= ? GROUP BY lesson_id",
            (start.isoformat(), end.isoformat()),
        )
        return {row["lesson_id"]: row["n"] for row in rows}


async def _event(tx: Transaction, lesson_id: int, at: str, actor: str, action: str, details: dict) -> None:
    await tx.execute(
        "INSERT INTO teach_events (lesson_id, at, actor, action, details) VALUES (?, ?, ?, ?, ?)",
        (lesson_id, at, actor, action, json.dumps(details, ensure_ascii=False)),
    )


async def _bump(tx: Transaction) -> None:
    await tx.execute(
        "INSERT INTO meta (key, value) VALUES ('teach_generation', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )
