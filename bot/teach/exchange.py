"""What was learnt as a file: to move it between installs or keep it under version control.

    {"format": "bilzen-teach", "version": 1, "lessons": [{"kind", "questions", "offers", "note",
     "created_at", "created_by"}, ...]}

Only active lessons are exported (an undone step is history, not knowledge). Importing adds what the
database does not have yet (same kind, questions, offers and note), so importing a file twice changes
nothing; the audit trail says it was imported, from which file, and who first taught it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.teach.store import KINDS, Lesson, LessonError, LessonStore, clean_questions

FORMAT = "bilzen-teach"
VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024


def dump(lessons: list[Lesson]) -> str:
    items = [
        {
            "kind": lesson.kind,
            "questions": list(lesson.questions),
            "offers": list(lesson.offers),
            "note": lesson.note,
            "created_at": lesson.created_at,
            "created_by": lesson.created_by,
        }
        for lesson in lessons
        if lesson.active
    ]
    return json.dumps({"format": FORMAT, "version": VERSION, "lessons": items}, ensure_ascii=False, indent=1) + "\n"


def _identity(kind: str, questions: tuple[str, ...], offers: tuple[str, ...], note: str | None) -> tuple[Any, ...]:
    return (kind, questions, offers, (note or "").strip() or None)


def read(path: Path) -> list[dict[str, Any]]:
    """The lessons of a file, checked; LessonError naming the lesson and what is wrong."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LessonError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_048_576} MB")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LessonError(f"{path.name} is not a JSON file: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise LessonError(f'{path.name} is not a file of `python -m bot teach export` ("format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise LessonError(f"{path.name} has version {document.get('version')!r}; this program reads {VERSION}")
    lessons = document.get("lessons")
    if not isinstance(lessons, list):
        raise LessonError(f'{path.name}: "lessons" must be a list')
    checked = []
    for number, item in enumerate(lessons, start=1):
        where = f"{path.name}, lesson {number}"
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise LessonError(f"{where}: kind must be one of {', '.join(KINDS)}")
        questions, offers = item.get("questions"), item.get("offers", [])
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise LessonError(f"{where}: questions must be a list of texts")
        if not isinstance(offers, list) or not all(isinstance(o, str) for o in offers):
            raise LessonError(f"{where}: offers must be a list of offer ids")
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise LessonError(f"{where}: note must be a text")
        checked.append({**item, "offers": offers, "note": note})
    return checked


async def load(store: LessonStore, path: Path, *, actor: str) -> tuple[int, int]:
    """Add the file's lessons the database lacks; returns (added, already there). All or nothing."""
    items = read(path)
    known = {_identity(x.kind, x.questions, x.offers, x.note) for x in await store.lessons(active_only=True)}
    new = []
    for item in items:
        key = _identity(item["kind"], clean_questions(item["questions"]), tuple(item["offers"]), item["note"])
        if key not in known:
            known.add(key)
            new.append(item)
    # Checked before the first write, so that a bad lesson halfway leaves the database as it was.
    for number, item in enumerate(new, start=1):
        if not clean_questions(item["questions"]):
            raise LessonError(f"{path.name}: a lesson without a question ({number})")
        if item["kind"] == "link" and not item["offers"]:
            raise LessonError(f"{path.name}: a link without offers ({item['questions'][0]!r})")
        if item["kind"] == "refer" and not (item["note"] or "").strip():
            raise LessonError(f"{path.name}: a referral without text ({item['questions'][0]!r})")
    for item in new:
        await store.add(
            item["kind"],
            item["questions"],
            offers=item["offers"],
            note=item["note"],
            actor=actor,
            action="imported",
            created_at=item.get("created_at") if isinstance(item.get("created_at"), str) else None,
            origin=item.get("created_by") if isinstance(item.get("created_by"), str) else None,
        )
    return len(new), len(items) - len(new)
