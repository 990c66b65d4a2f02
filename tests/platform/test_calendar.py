"""Time: occurrences of repeating offers, ongoing ones, last ends, and wall-clock times across DST changes."""

from __future__ import annotations

import datetime as dt
from itertools import islice

import pytest

from bot.offers.model import When
from bot.platform.calendar import (
    MAX_OCCURRENCES,
    ManualClock,
    Period,
    SystemClock,
    iter_occurrences,
    last_end,
    load_holidays,
    local_naive,
    materialize,
    next_occurrence,
    to_aware,
)
from tests.helpers import DATA, TZ

D = dt.datetime
UTC = dt.UTC


def when(start: str, end: str, rule: str | None = None) -> When:
    return When(D.fromisoformat(start), D.fromisoformat(end), rule)


def starts(w: When, n: int, after: dt.datetime | None = None) -> list[str]:
    return [s.strftime("%a %Y-%m-%d %H:%M") for s, _ in islice(iter_occurrences(w, after=after), n)]


# --- occurrences -----------------------------------------------------------------------------------


def test_weekly():
    w = when("2027-01-05T14:00", "2027-01-05T16:00", "FREQ=WEEKLY;BYDAY=TU")
    assert starts(w, 3) == ["Tue 2027-01-05 14:00", "Tue 2027-01-12 14:00", "Tue 2027-01-19 14:00"]
    assert [(e - s) for s, e in islice(iter_occurrences(w), 3)] == [dt.timedelta(hours=2)] * 3


def test_weekly_on_two_days():
    w = when("2027-01-04T09:00", "2027-01-04T10:00", "FREQ=WEEKLY;BYDAY=MO,TH")
    assert starts(w, 4) == [
        "Mon 2027-01-04 09:00",
        "Thu 2027-01-07 09:00",
        "Mon 2027-01-11 09:00",
        "Thu 2027-01-14 09:00",
    ]


def test_biweekly():
    w = when("2027-01-06T14:00", "2027-01-06T16:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE")
    assert starts(w, 3) == ["Wed 2027-01-06 14:00", "Wed 2027-01-20 14:00", "Wed 2027-02-03 14:00"]
    # Asked in the week in between, the next one is two weeks after the first, not one.
    assert starts(w, 1, after=D(2027, 1, 12, 12, 0)) == ["Wed 2027-01-20 14:00"]


@pytest.mark.parametrize(
    ("rule", "first", "expected"),
    [
        ("FREQ=MONTHLY;BYDAY=1SU", "2027-01-03T10:00", ["2027-01-03", "2027-02-07", "2027-03-07", "2027-04-04"]),
        ("FREQ=MONTHLY;BYDAY=3TU", "2027-01-19T19:00", ["2027-01-19", "2027-02-16", "2027-03-16", "2027-04-20"]),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2027-01-29T20:00", ["2027-01-29", "2027-02-26", "2027-03-26", "2027-04-30"]),
    ],
)
def test_monthly_by_position(rule, first, expected):
    start = D.fromisoformat(first)
    w = When(start, start + dt.timedelta(hours=2), rule)
    assert [s.date().isoformat() for s, _ in islice(iter_occurrences(w), 4)] == expected
    assert all(s.time() == start.time() for s, _ in islice(iter_occurrences(w), 4))


def test_rule_keeps_wall_clock_time_across_dst():
    w = when("2027-03-23T14:00", "2027-03-23T16:00", "FREQ=WEEKLY;BYDAY=TU")
    (before, _), (after, _) = islice(iter_occurrences(w), 2)
    assert (before.hour, after.hour) == (14, 14)
    assert to_aware(before, TZ).astimezone(UTC).hour == 13  # CET
    assert to_aware(after, TZ).astimezone(UTC).hour == 12  # CEST after 28 March


def test_occurrence_still_running_counts_as_next():
    w = when("2027-01-05T14:00", "2027-01-05T16:00", "FREQ=WEEKLY;BYDAY=TU")
    assert next_occurrence(w, D(2027, 1, 12, 13, 59)) == (D(2027, 1, 12, 14), D(2027, 1, 12, 16))
    assert next_occurrence(w, D(2027, 1, 12, 15, 30)) == (D(2027, 1, 12, 14), D(2027, 1, 12, 16))  # running
    assert next_occurrence(w, D(2027, 1, 12, 16, 0)) == (D(2027, 1, 19, 14), D(2027, 1, 19, 16))  # just over
    assert next_occurrence(w, D(2026, 12, 1)) == (D(2027, 1, 5, 14), D(2027, 1, 5, 16))  # before the first


def test_running_occurrence_of_a_multi_day_rule():
    w = when("2027-07-05T09:00", "2027-07-09T16:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=3")  # a week-long camp
    assert next_occurrence(w, D(2027, 7, 14, 12)) == (D(2027, 7, 12, 9), D(2027, 7, 16, 16))
    assert next_occurrence(w, D(2027, 7, 23, 16)) is None  # the third camp ended at that moment


def test_one_off():
    w = when("2027-03-06T14:00", "2027-03-06T16:00")
    assert next_occurrence(w, D(2027, 3, 6, 15)) == (D(2027, 3, 6, 14), D(2027, 3, 6, 16))
    assert next_occurrence(w, D(2027, 3, 6, 16)) is None
    assert list(iter_occurrences(w)) == [(D(2027, 3, 6, 14), D(2027, 3, 6, 16))]


def test_finished_rule_has_no_next():
    w = when("2027-01-05T14:00", "2027-01-05T16:00", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959")
    assert next_occurrence(w, D(2027, 6, 29, 15)) == (D(2027, 6, 29, 14), D(2027, 6, 29, 16))
    assert next_occurrence(w, D(2027, 6, 29, 16, 1)) is None


def test_endless_rules_are_capped():
    w = when("2027-01-04T10:00", "2027-01-04T11:00", "FREQ=DAILY")
    assert sum(1 for _ in iter_occurrences(w)) == MAX_OCCURRENCES
    horizon = materialize(w, until=D(2027, 2, 1))
    assert len(horizon) == 28 and horizon[-1][0] == D(2027, 1, 31, 10)


@pytest.mark.parametrize(
    ("w", "expected"),
    [
        (when("2027-03-06T14:00", "2027-03-06T16:00"), D(2027, 3, 6, 16)),
        (
            when("2027-01-05T14:00", "2027-01-05T16:30", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959"),
            D(2027, 6, 29, 16, 30),
        ),
        (when("2027-01-05T14:00", "2027-01-05T16:00", "FREQ=WEEKLY;BYDAY=TU;COUNT=3"), D(2027, 1, 19, 16)),
        (when("2027-01-03T10:00", "2027-01-03T12:00", "FREQ=MONTHLY;BYDAY=1SU;UNTIL=20271231"), D(2027, 12, 5, 12)),
        (when("2027-01-05T22:00", "2027-01-06T01:00", "FREQ=WEEKLY;BYDAY=TU;COUNT=2"), D(2027, 1, 13, 1)),
        (when("2027-01-05T14:00", "2027-01-05T16:00", "FREQ=WEEKLY;BYDAY=TU"), None),
        (when("2027-01-18T19:00", "2027-01-18T21:00", "FREQ=MONTHLY;BYDAY=3MO"), None),
        (when("2027-01-01T10:00", "2027-01-01T11:00", "FREQ=DAILY;UNTIL=20991231"), None),  # too many to count
    ],
)
def test_last_end(w, expected):
    assert last_end(w) == expected


# --- wall-clock time and time zones ---------------------------------------------------------------


def test_to_aware_ordinary_times():
    winter = to_aware(D(2027, 1, 13, 10, 0), TZ)
    summer = to_aware(D(2027, 7, 13, 10, 0), TZ)
    assert winter.utcoffset() == dt.timedelta(hours=1)
    assert summer.utcoffset() == dt.timedelta(hours=2)
    assert local_naive(winter, TZ) == D(2027, 1, 13, 10, 0)
    assert local_naive(summer, TZ) == D(2027, 7, 13, 10, 0)


def test_to_aware_in_the_spring_gap_moves_forward():
    # 28 March 2027: at 02:00 the clocks jump to 03:00, so 02:30 does not exist.
    before = to_aware(D(2027, 3, 28, 1, 59), TZ)
    gap = to_aware(D(2027, 3, 28, 2, 30), TZ)
    after = to_aware(D(2027, 3, 28, 3, 0), TZ)
    assert before.astimezone(UTC) == D(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert gap.astimezone(UTC) == D(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert local_naive(gap, TZ) == D(2027, 3, 28, 3, 30)
    assert after.astimezone(UTC) == D(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert before < after < gap


def test_to_aware_in_the_autumn_overlap_takes_the_first():
    # 31 October 2027: at 03:00 the clocks go back to 02:00, so 02:30 happens twice.
    twice = to_aware(D(2027, 10, 31, 2, 30), TZ)
    assert twice.astimezone(UTC) == D(2027, 10, 31, 0, 30, tzinfo=UTC)  # the first, still summer time
    assert to_aware(D(2027, 10, 31, 3, 30), TZ).astimezone(UTC) == D(2027, 10, 31, 2, 30, tzinfo=UTC)
    assert to_aware(D(2027, 10, 31, 1, 30), TZ).astimezone(UTC) == D(2027, 10, 30, 23, 30, tzinfo=UTC)


def test_every_local_minute_around_the_changes_keeps_or_moves_forward():
    for day in (D(2027, 3, 28), D(2027, 10, 31)):
        for minute in range(0, 6 * 60, 5):
            wall = day + dt.timedelta(minutes=minute)
            aware = to_aware(wall, TZ)
            assert aware.tzinfo is TZ
            shown = local_naive(aware, TZ)
            if shown != wall:  # only in the spring gap, and then one hour later
                assert day.month == 3 and D(2027, 3, 28, 2) <= wall < D(2027, 3, 28, 3), wall
                assert shown == wall + dt.timedelta(hours=1)


def test_clocks():
    clock = ManualClock(D(2027, 1, 13, 10, tzinfo=TZ))
    clock.advance(dt.timedelta(days=1, hours=2))
    assert clock.now() == D(2027, 1, 14, 12, tzinfo=TZ)
    clock.set(D(2027, 3, 1, tzinfo=TZ))
    assert clock.now() == D(2027, 3, 1, tzinfo=TZ)
    now = SystemClock(TZ).now()
    assert now.tzinfo is TZ
    assert abs(now - dt.datetime.now(UTC)) < dt.timedelta(minutes=1)


# --- periods and holidays --------------------------------------------------------------------------


def test_period_of_whole_days():
    weekend = Period.days(dt.date(2027, 3, 13), dt.date(2027, 3, 14), "dit weekend")
    assert weekend.start == D(2027, 3, 13) and weekend.end == D(2027, 3, 15)
    assert weekend.contains(D(2027, 3, 14, 23, 59)) and not weekend.contains(D(2027, 3, 15))


def test_holidays_file():
    holidays = load_holidays(DATA / "holidays.toml")
    krokus = next(h for h in holidays if h.name == "krokusvakantie")
    assert (krokus.first, krokus.last) == (dt.date(2027, 2, 8), dt.date(2027, 2, 14))
    assert [h.first for h in holidays] == sorted(h.first for h in holidays)


def test_holidays_missing_file_and_bad_entry(tmp_path):
    assert load_holidays(tmp_path / "geen.toml") == ()
    bad = tmp_path / "holidays.toml"
    bad.write_text('[[holiday]]\nname = "x"\nfirst = 2027-01-01\nlast = 2027-01-02\n[[holiday]]\nname = "paas"\n')
    with pytest.raises(ValueError, match=r"holiday 2 needs name, first and last"):
        load_holidays(bad)
