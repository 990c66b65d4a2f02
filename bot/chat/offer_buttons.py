"""Button data of the buttons under an offer card that carry the date shown on the card.

Built and read in this one place, so the lead can move them to the typed codec of button data at once:
  k:<pk>:<YYYYMMDDHHMM>  Zet in mijn agenda (that date as an .ics file)
  c:<pk>:<YYYYMMDDHHMM>  Wie past op de kinderen? (the help that fits that date)
  g:<pk>:<YYYYMMDDHHMM>  Hoe geraak ik er? (transport that runs then)
Older buttons without the date ('c:<pk>', 'g:<pk>') still work: they mean the next date.
"""

from __future__ import annotations

import datetime as dt
import re

AGENDA, CHILDCARE, ROUTE = "k", "c", "g"
_STAMP = re.compile(r"[0-9]{12}")


def action(prefix: str, pk: int, start: dt.datetime | None) -> str:
    return f"{prefix}:{pk}" if start is None else f"{prefix}:{pk}:{start:%Y%m%d%H%M}"


def occurrence_of(args: list[str]) -> dt.datetime | None:
    """The date in a button's data, or None (absent, or not a real date: buttons are not trusted)."""
    if len(args) < 2 or not _STAMP.fullmatch(args[1]):
        return None
    try:
        return dt.datetime.strptime(args[1], "%Y%m%d%H%M")
    except ValueError:
        return None
