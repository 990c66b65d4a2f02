"""The button data of the /leren flow, built and read in this one place (Telegram allows 64 bytes).

le:p:<page>             the list of themes, a page
le:t:<qid> / le:q:<qid> one theme (named by one of its questions in the question log) / one question
le:<verb>:<t|q>:<qid>   a step on that theme or question: l (Hoort bij), r (Buiten ons aanbod),
                        w (Aanbod ontbreekt), i (Negeren)
le:o:<pk>               pick or unpick an offer for the link;  le:ok  teach the link with the picked offers
le:rr:<lesson>          use the text of an earlier referral
le:n:<lesson>           write a note to a wish;  le:u:<lesson>  undo a step
le:nx                   the next theme;  le:x  stop what is being asked
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "le"
VERBS = {"l": "link", "r": "refer", "w": "wish", "i": "ignore"}
SCOPES = ("t", "q")
_NUMBER = re.compile(r"[0-9]{1,12}")


def page(number: int) -> str:
    return f"{PREFIX}:p:{number}"


def theme(question_id: int) -> str:
    return f"{PREFIX}:t:{question_id}"


def question(question_id: int) -> str:
    return f"{PREFIX}:q:{question_id}"


def step(verb: str, scope: str, question_id: int) -> str:
    return f"{PREFIX}:{verb}:{scope}:{question_id}"


def offer(pk: int) -> str:
    return f"{PREFIX}:o:{pk}"


def reuse(lesson_id: int) -> str:
    return f"{PREFIX}:rr:{lesson_id}"


def note(lesson_id: int) -> str:
    return f"{PREFIX}:n:{lesson_id}"


def undo(lesson_id: int) -> str:
    return f"{PREFIX}:u:{lesson_id}"


CONFIRM = f"{PREFIX}:ok"
NEXT = f"{PREFIX}:nx"
CANCEL = f"{PREFIX}:x"


@dataclass(frozen=True)
class Action:
    """A parsed button: what to do, on which scope ('t' theme, 'q' question), with which number."""

    verb: str
    scope: str | None = None
    number: int | None = None


def parse(args: list[str]) -> Action | None:
    """The action of a button's parts after 'le:'; None for anything malformed (clients are not trusted)."""
    if not args:
        return None
    verb, rest = args[0], args[1:]
    if verb in ("ok", "nx", "x") and not rest:
        return Action(verb)
    if verb in ("p", "t", "q", "o", "rr", "n", "u") and len(rest) == 1 and _NUMBER.fullmatch(rest[0]):
        return Action(verb, number=int(rest[0]))
    if verb in VERBS and len(rest) == 2 and rest[0] in SCOPES and _NUMBER.fullmatch(rest[1]):
        return Action(verb, rest[0], int(rest[1]))
    return None
