"""The arithmetic fast path for plain DAILY/WEEKLY rules gives exactly the dates dateutil gives."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.offers.model import When
from bot.platform.calendar import _simple_rule_starts, iter_occurrences, materialize

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _reference(when: When, until: dt.datetime) -> list[dt.datetime]:
    starts = []
    for start, _ in iter_occurrences(when):
        if start >= until:
            break
        starts.append(start)
    return starts


def _random_rule(rng: random.Random) -> When:
    start = dt.datetime(2027, 1, 1, 10) + dt.timedelta(days=rng.randrange(400), hours=rng.randrange(10))
    freq = rng.choice(["DAILY", "WEEKLY"])
    parts = [f"FREQ={freq}"]
    if rng.random() < 0.5:
        parts.append(f"INTERVAL={rng.randint(1, 3)}")
    if freq == "WEEKLY" and rng.random() < 0.7:
        parts.append("BYDAY=" + ",".join(rng.sample(DAYS, rng.randint(1, 3))))
    if rng.random() < 0.5:
        parts.append("UNTIL=" + (start + dt.timedelta(days=rng.randrange(1, 300))).strftime("%Y%m%dT235959"))
    elif rng.random() < 0.5:
        parts.append(f"COUNT={rng.randint(1, 40)}")
    return When(start, start + dt.timedelta(hours=2), ";".join(parts))


def test_fast_path_equals_dateutil_on_random_plain_rules():
    rng = random.Random(20271)
    for _ in range(1500):
        when = _random_rule(rng)
        until = when.start + dt.timedelta(days=500)
        assert _simple_rule_starts(when, until) == _reference(when, until), when.rrule


@pytest.mark.parametrize(
    "rule",
    ["FREQ=MONTHLY;BYDAY=1SU", "FREQ=WEEKLY;BYDAY=TU;BYMONTH=1,2,3", "FREQ=WEEKLY;WKST=SU;BYDAY=SU,MO;INTERVAL=2"],
)
def test_other_rules_go_through_dateutil(rule):
    when = When(dt.datetime(2027, 1, 5, 14), dt.datetime(2027, 1, 5, 16), rule)
    until = dt.datetime(2028, 1, 1)
    assert _simple_rule_starts(when, until) is None
    assert [s for s, _ in materialize(when, until=until)] == _reference(when, until)


def test_one_off_offers_materialize_to_themselves():
    when = When(dt.datetime(2027, 3, 13, 14), dt.datetime(2027, 3, 13, 16))
    assert materialize(when, until=dt.datetime(2030, 1, 1)) == [(when.start, when.end)]
