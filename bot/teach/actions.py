"""The buttons of /leren as typed actions (format and rules: bot/chat/actions.py), prefix "t1".

  t1:p:<page>                 the list of themes, a page
  t1:t:<qid> / t1:q:<qid>     one theme (named by one of its questions in the question log) / one question
  t1:<l|r|w|i>:<t|q>:<qid>    a step on that theme or question: Hoort bij (l), Buiten ons aanbod (r),
                              Aanbod ontbreekt (w), Negeren (i)
  t1:o:<pk>                   pick or unpick an offer for the link;   t1:ok   teach the link with the picks
  t1:rr:<lesson>              use the text of an earlier referral
  t1:n:<lesson>               write a note to a wish;   t1:u:<lesson>   undo a step
  t1:nx                       the next theme;   t1:x   stop what is being asked

The flow of the first version ("le:...") is gone: its buttons, still in a coordinator's chat, get the
friendly 'unknown button'. Whether the one who pressed may teach is checked by bot/teach/flow.py, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.chat.actions import SEPARATOR, join, number, split

PREFIX = "t1"
Step = Literal["link", "refer", "wish", "ignore"]
STEPS: dict[str, Step] = {"l": "link", "r": "refer", "w": "wish", "i": "ignore"}
_STEP_VERB = {step: verb for verb, step in STEPS.items()}
_SCOPES = {"t": True, "q": False}  # scope letter -> the whole theme


@dataclass(frozen=True)
class Themes:
    """The list of themes of unanswered questions, page `page` (0 first)."""

    page: int = 0


@dataclass(frozen=True)
class OpenTheme:
    """One theme, named by the question-log id of one of its questions."""

    question_id: int


@dataclass(frozen=True)
class OpenQuestion:
    """One unanswered question (its question-log id)."""

    question_id: int


@dataclass(frozen=True)
class TakeStep:
    """A step on a theme (`whole_theme`) or on one question: link, refer, wish or ignore."""

    step: Step
    whole_theme: bool
    question_id: int


@dataclass(frozen=True)
class PickOffer:
    """Pick an offer for the link, or unpick it when it was picked."""

    pk: int


@dataclass(frozen=True)
class ConfirmLink:
    """Teach the link with the offers picked."""


@dataclass(frozen=True)
class ReuseReferral:
    """Refer to where an earlier referral (lesson) referred to."""

    lesson_id: int


@dataclass(frozen=True)
class AddNote:
    """Write a note to a wish (lesson)."""

    lesson_id: int


@dataclass(frozen=True)
class Undo:
    lesson_id: int


@dataclass(frozen=True)
class NextTheme:
    pass


@dataclass(frozen=True)
class Stop:
    """Stop what the flow is asking (search words, a referral, a note)."""


TeachAction = (
    Themes
    | OpenTheme
    | OpenQuestion
    | TakeStep
    | PickOffer
    | ConfirmLink
    | ReuseReferral
    | AddNote
    | Undo
    | NextTheme
    | Stop
)
_BY_NUMBER: dict[str, type[Themes | OpenTheme | OpenQuestion | PickOffer | ReuseReferral | AddNote | Undo]] = {
    "p": Themes,
    "t": OpenTheme,
    "q": OpenQuestion,
    "o": PickOffer,
    "rr": ReuseReferral,
    "n": AddNote,
    "u": Undo,
}
_NUMBER_VERB = {cls: verb for verb, cls in _BY_NUMBER.items()}
_BARE: dict[str, type[ConfirmLink | NextTheme | Stop]] = {"ok": ConfirmLink, "nx": NextTheme, "x": Stop}
_BARE_VERB = {cls: verb for verb, cls in _BARE.items()}


def encode(action: TeachAction) -> str:
    match action:
        case Themes(page):
            return join(PREFIX, "p", page)
        case OpenTheme(question_id) | OpenQuestion(question_id):
            return join(PREFIX, _NUMBER_VERB[type(action)], question_id)
        case TakeStep(step, whole_theme, question_id):
            return join(PREFIX, _STEP_VERB[step], "t" if whole_theme else "q", question_id)
        case PickOffer(pk):
            return join(PREFIX, "o", pk)
        case ReuseReferral(lesson_id) | AddNote(lesson_id) | Undo(lesson_id):
            return join(PREFIX, _NUMBER_VERB[type(action)], lesson_id)
        case ConfirmLink() | NextTheme() | Stop():
            return join(PREFIX, _BARE_VERB[type(action)])
    raise TypeError(f"not a teaching action: {action!r}")


def decode(data: str) -> TeachAction | None:
    """The action of button data, or None (not the teaching flow's, an older version's, or forged)."""
    parts = split(data, PREFIX)
    if parts is None:
        return None
    verb, args = parts[0], parts[1:]
    if verb in _BARE and not args:
        return _BARE[verb]()
    if verb in _BY_NUMBER and len(args) == 1:
        found = number(args[0])
        return None if found is None else _BY_NUMBER[verb](found)
    if verb in STEPS and len(args) == 2 and args[0] in _SCOPES:
        found = number(args[1])
        return None if found is None else TakeStep(STEPS[verb], _SCOPES[args[0]], found)
    return None


def log_name(action: TeachAction) -> str:
    """What the logs call an action ("t1:ok", "t1:u"): the kind, never a number."""
    return join(PREFIX, encode(action).split(SEPARATOR)[1])
