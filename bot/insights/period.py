"""The period a report covers, read the way a coordinator types it: "2027-01-01 2027-06-30", "1/1/2027", "2027-03"."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

DEFAULT_MONTHS = 6
MAX_DAYS = 3 * 366  # more than the retention period: a longer report has nothing more to show
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


_PROBLEMS = {
    "insights.bad_date": "cannot read {value!r} as a date; write 2027-01-31, 31/1/2027 or a month like 2027-01",
    "insights.bad_order": "the period ends before it starts ({value})",
    "insights.too_long": "a report covers at most three years ({value})",
    "insights.usage": "give at most two dates, from and to (got {value!r})",
}


BAD_DATE = "insights.bad_date"


class PeriodError(ValueError):
    """A date that cannot be read, or a period that ends before it starts. `key` names the Dutch text."""

    def __init__(self, key: str, value: str = "") -> None:
        self.key = key
        self.value = value
        super().__init__(_PROBLEMS[key].format(value=value))

    @property
    def unreadable_date(self) -> bool:
        """The problem is one date that cannot be read (its text names the date)."""
        return self.key == BAD_DATE


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (local dates)."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[str]:
        """The calendar months the period touches, as 'YYYY-MM'."""
        found = []
        day = self.start.replace(day=1)
        while day <= self.end:
            found.append(f"{day.year:04d}-{day.month:02d}")
            day += relativedelta(months=1)
        return found

    def weeks(self) -> Iterator[dt.date]:
        """The Mondays of the ISO weeks the period touches."""
        monday = self.start - dt.timedelta(days=self.start.weekday())
        while monday <= self.end:
            yield monday
            monday += dt.timedelta(days=7)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def first_hour(self) -> str:
        """The lower bound for 'YYYY-MM-DD HH:00' texts in the period."""
        return self.start.isoformat()

    @property
    def after_last_hour(self) -> str:
        """The (excluded) upper bound for 'YYYY-MM-DD HH:00' texts in the period."""
        return (self.end + dt.timedelta(days=1)).isoformat()


def read_date(text: str, *, end: bool = False) -> dt.date:
    """'2027-01-31', '31/1/2027', '31.01.2027', or a month '2027-01' (its first day, or its last with `end`)."""
    text = text.strip()
    try:
        if match := _ISO.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
    except ValueError:
        pass  # 31/02/2027 and friends: reported below like any other unreadable date
    raise PeriodError(BAD_DATE, text)


def make_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError("insights.bad_order", f"{start} > {end}")
    if (end - start).days >= MAX_DAYS:
        raise PeriodError("insights.too_long", f"{start} - {end}")
    return Period(start, end)


def parse_period(args: Sequence[str], *, today: dt.date) -> Period:
    """The period of `/rapport [van] [tot]`: no dates is the last six months up to today, one date runs to today."""
    if len(args) > 2:
        raise PeriodError("insights.usage", " ".join(args))
    if not args:
        return make_period(today - relativedelta(months=DEFAULT_MONTHS) + dt.timedelta(days=1), today)
    start = read_date(args[0])
    if len(args) == 1:
        if _MONTH.match(args[0].strip()):  # '/rapport 2027-03': that month
            return make_period(start, min(read_date(args[0], end=True), max(today, start)))
        return make_period(start, today)
    return make_period(start, read_date(args[1], end=True))
