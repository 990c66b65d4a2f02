"""The reminders' buttons as typed actions (format and rules: bot/chat/actions.py), prefix "r1".

r1:r:<pk>[:<d|h|b>[:<1|e>]]   "Herinner mij" under a card: when? (day before, hours before, both),
                              then once or every time (recurring offers); the last step saves
r1:l                          "Mijn herinneringen"
r1:x:<subscription id>        stop one reminder from the list
r1:s:<pk>                     "Herinner me niet meer" under a reminder
r1:y|n:<pk>:<YYYYMMDDHHMM>    "Ik ga" / "Ik ga niet" under a reminder
r1:w, r1:w:on, r1:w:off, r1:w:t:<topic>   the weekly overview (also /weekoverzicht)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.chat.actions import join, number, split

PREFIX = "r1"
OCCURRENCE_FORMAT = "%Y%m%d%H%M"
_OCCURRENCE = re.compile(r"[0-9]{12}")
_TOPIC = re.compile(r"[a-z_]{1,20}")
WHEN = ("d", "h", "b")  # the day before, hours before, both
REPEAT = ("1", "e")  # once, every time


@dataclass(frozen=True)
class Remind:
    """'Herinner mij': `when` and `repeat` are filled in as the person chooses."""

    pk: int
    when: str | None = None
    repeat: str | None = None


@dataclass(frozen=True)
class MyReminders:
    pass


@dataclass(frozen=True)
class StopSubscription:
    subscription_id: int


@dataclass(frozen=True)
class StopOffer:
    pk: int


@dataclass(frozen=True)
class Answer:
    """'Ik ga' / 'Ik ga niet' for one occurrence (naive local start)."""

    pk: int
    occurrence: dt.datetime
    going: bool


@dataclass(frozen=True)
class Weekly:
    """The weekly overview's screen; `change` is "on", "off" or "t" (toggle `topic`), or None to show it."""

    change: str | None = None
    topic: str | None = None


ReminderAction = Remind | MyReminders | StopSubscription | StopOffer | Answer | Weekly


def encode(action: ReminderAction) -> str:
    match action:
        case Remind(pk, None, _):
            return join(PREFIX, "r", pk)
        case Remind(pk, when, None):
            return join(PREFIX, "r", pk, when)
        case Remind(pk, when, repeat):
            return join(PREFIX, "r", pk, when, repeat)
        case MyReminders():
            return join(PREFIX, "l")
        case StopSubscription(subscription_id):
            return join(PREFIX, "x", subscription_id)
        case StopOffer(pk):
            return join(PREFIX, "s", pk)
        case Answer(pk, occurrence, going):
            return join(PREFIX, "y" if going else "n", pk, occurrence.strftime(OCCURRENCE_FORMAT))
        case Weekly(None, _):
            return join(PREFIX, "w")
        case Weekly("t", topic):
            return join(PREFIX, "w", "t", topic)
        case Weekly(change, _):
            return join(PREFIX, "w", change)
    raise TypeError(f"not a reminder action: {action!r}")


def browsing(data: str) -> bool:
    """Whether button data only shows what is there: "Mijn herinneringen" in the menu (bot/chat/flood.py)."""
    return isinstance(decode(data), MyReminders)


def _occurrence(text: str) -> dt.datetime | None:
    if not _OCCURRENCE.fullmatch(text):
        return None
    try:
        return dt.datetime.strptime(text, OCCURRENCE_FORMAT)
    except ValueError:  # 13th month, 25 o'clock
        return None


def decode(data: str) -> ReminderAction | None:
    """The action of button data, or None (not the reminders', an older version's, or forged)."""
    parts = split(data, PREFIX)
    if parts is None:
        return None
    verb, args = parts[0], parts[1:]
    if verb == "r" and 1 <= len(args) <= 3:
        pk = number(args[0])
        when = args[1] if len(args) > 1 else None
        repeat = args[2] if len(args) > 2 else None
        if pk is None or (when is not None and when not in WHEN) or (repeat is not None and repeat not in REPEAT):
            return None
        return Remind(pk, when, repeat)
    if verb == "l" and not args:
        return MyReminders()
    if verb in ("x", "s") and len(args) == 1:
        found = number(args[0])
        if found is None:
            return None
        return StopSubscription(found) if verb == "x" else StopOffer(found)
    if verb in ("y", "n") and len(args) == 2:
        pk, occurrence = number(args[0]), _occurrence(args[1])
        return None if pk is None or occurrence is None else Answer(pk, occurrence, going=verb == "y")
    if verb == "w":
        if not args:
            return Weekly()
        if args in (["on"], ["off"]):
            return Weekly(args[0])
        if len(args) == 2 and args[0] == "t" and _TOPIC.fullmatch(args[1]):
            return Weekly("t", args[1])
    return None
