"""Opening hours written the way a coordinator says them: "maandag-vrijdag 09:00-12:00".

Used for the Sociaal Huis (`[contact] open` in the config: a fallback outside its hours says when it
opens again) and for help lines that are not open day and night (`data/care.toml`). No hours at all
means always open.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_ENTRY = re.compile(r"^\s*(?P<days>[a-z]+(?:\s*-\s*[a-z]+)?)\s+(?P<spans>.+?)\s*$")
_SPAN = re.compile(r"^\s*(\d{1,2})[:.u](\d{2})\s*-\s*(\d{1,2})[:.u](\d{2})\s*$")


class HoursError(ValueError):
    """An opening-hours entry cannot be read; the message shows the expected form."""


@dataclass(frozen=True)
class Span:
    weekday: int  # 0 = Monday
    start: int  # minutes after midnight
    end: int  # minutes after midnight, up to 24 * 60


@dataclass(frozen=True)
class OpeningHours:
    spans: tuple[Span, ...] = ()

    @property
    def always(self) -> bool:
        return not self.spans

    @classmethod
    def parse(cls, entries: Iterable[str]) -> OpeningHours:
        spans: list[Span] = []
        for entry in entries:
            match = _ENTRY.match(entry.lower())
            if match is None:
                raise HoursError(f'{entry!r}: expected a day and hours like "maandag-vrijdag 09:00-12:00"')
            days = _days(entry, match["days"])
            for part in match["spans"].split(","):
                span = _SPAN.match(part)
                if span is None:
                    raise HoursError(f'{entry!r}: expected hours like "09:00-12:00" or "09:00-12:00, 13:00-16:00"')
                start = int(span[1]) * 60 + int(span[2])
                end = int(span[3]) * 60 + int(span[4])
                if not 0 <= start < end <= 24 * 60 or int(span[2]) >= 60 or int(span[4]) >= 60:
                    raise HoursError(f"{entry!r}: {part.strip()!r} is not a span of time within one day")
                spans += [Span(day, start, end) for day in days]
        return cls(tuple(sorted(spans, key=lambda s: (s.weekday, s.start))))

    def is_open(self, when: dt.datetime) -> bool:
        """Whether it is open at this local time (naive or aware: only the wall clock counts)."""
        if self.always:
            return True
        minute = when.hour * 60 + when.minute
        return any(s.weekday == when.weekday() and s.start <= minute < s.end for s in self.spans)

    def next_open(self, when: dt.datetime) -> dt.datetime | None:
        """The next moment it opens after `when` (local wall clock); None when always open or never."""
        if self.always:
            return None
        midnight = when.replace(hour=0, minute=0, second=0, microsecond=0)
        minute = when.hour * 60 + when.minute
        for offset in range(8):
            day = midnight + dt.timedelta(days=offset)
            for span in self.spans:
                if span.weekday == day.weekday() and (offset > 0 or span.start > minute):
                    return day + dt.timedelta(minutes=span.start)
        return None


def _days(entry: str, text: str) -> list[int]:
    names = [part.strip() for part in text.split("-")]
    for name in names:
        if name not in WEEKDAYS:
            raise HoursError(f"{entry!r}: {name!r} is not a weekday ({', '.join(WEEKDAYS)})")
    first = WEEKDAYS.index(names[0])
    last = WEEKDAYS.index(names[-1])
    if last < first:
        raise HoursError(f"{entry!r}: {names[0]} comes after {names[-1]}")
    return list(range(first, last + 1))
