"""`python -m bot teach ...`: bulk teaching from the command line (a stable contract; an outside check uses link).

teach list [--db PATH] [--json]     everything taught: number, kind, when, who, what, later questions answered
teach link [--db PATH] QUESTION OFFER_ID...
teach refer [--db PATH] QUESTION TEXT
teach wish [--db PATH] QUESTION [--note TEXT]
teach ignore [--db PATH] QUESTION
teach undo [--db PATH] ID
teach export [--db PATH] FILE / teach import [--db PATH] FILE
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.teach import exchange
from bot.teach.store import Lesson, LessonError

if TYPE_CHECKING:
    from bot.core import Core

ACTOR = "cli"
EXIT_OK, EXIT_FAILED = 0, 1


def describe(lesson: Lesson) -> str:
    """One line for a person: number, kind, when, who, what, and how often it answered a later question."""
    what = {
        "link": "-> " + ", ".join(lesson.offers),
        "refer": f"-> {lesson.note!r}",
        "wish": "offer missing" + (f": {lesson.note!r}" if lesson.note else ""),
        "ignore": "ignored",
    }[lesson.kind]
    more = f" (+{len(lesson.questions) - 1} wordings)" if len(lesson.questions) > 1 else ""
    undone = f"  [undone {lesson.undone_at[:10]} by {lesson.undone_by}]" if lesson.undone_at else ""
    return (
        f"{lesson.id:>4}  {lesson.kind:<6} {lesson.created_at[:10]}  {lesson.created_by:<16} "
        f"{lesson.questions[0]!r}{more} {what}; answered {lesson.uses} later questions{undone}"
    )


async def run_teach(args: argparse.Namespace, core: Core) -> int:
    step = args.teach_command
    store = core.teacher.store
    try:
        if step == "list":
            lessons = await store.lessons()
            for lesson in lessons:
                print(json.dumps(lesson.to_dict(), ensure_ascii=False) if args.json else describe(lesson))
            if not lessons and not args.json:
                print("Nothing taught yet. Start with: python -m bot teach link QUESTION OFFER_ID")
            return EXIT_OK
        if step == "link":
            found = await core.offers.get_many(args.offer_ids)
            unknown = [o for o in args.offer_ids if o not in found]
            if unknown:
                print(f"Not taught: no offer with id {', '.join(map(repr, unknown))}.", file=sys.stderr)
                return EXIT_FAILED
            lesson = await store.add("link", [args.question], offers=args.offer_ids, actor=ACTOR)
        elif step == "refer":
            lesson = await store.add("refer", [args.question], note=args.text, actor=ACTOR)
        elif step == "wish":
            lesson = await store.add("wish", [args.question], note=args.note, actor=ACTOR)
        elif step == "ignore":
            lesson = await store.add("ignore", [args.question], actor=ACTOR)
        elif step == "undo":
            lesson = await store.undo(args.id, actor=ACTOR)
            print(f"Step {lesson.id} undone: {describe(lesson)}")
            return EXIT_OK
        elif step == "export":
            lessons = [x for x in await store.lessons(active_only=True)]
            args.file.write_text(exchange.dump(lessons), encoding="utf-8")
            print(f"Exported {len(lessons)} steps to {args.file}.")
            return EXIT_OK
        elif step == "import":
            added, known = await exchange.load(store, args.file, actor=f"import:{args.file.name}")
            print(f"Imported from {args.file.name}: {added} new steps, {known} already known.")
            return EXIT_OK
        else:
            raise AssertionError(step)
    except (LessonError, OSError) as error:
        print(f"Not done: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Step {lesson.id} taught: {describe(lesson)}")
    print(f"Undo it with: python -m bot teach undo {lesson.id}")
    return EXIT_OK
