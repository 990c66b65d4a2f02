"""The network's report counts the people who reached out in trouble, per month and where they were sent,
with the "<3" rule, and holds nothing else about them."""

from __future__ import annotations

import datetime as dt

from bot.chat.conversation import Who
from bot.core import open_core
from bot.insights.generate import make_report
from bot.insights.period import Period
from bot.insights.render import csv_text, html_page
from tests.helpers import TZ, clock_at, make_settings


async def test_people_in_trouble_per_month_with_small_groups_hidden(tmp_path):
    clock = clock_at(2027, 1, 10, 20, 0)
    core = await open_core(make_settings(tmp_path), clock=clock, load_sample=False)
    try:
        log = core.insights
        for user in (1, 2, 3, 4):
            await log.record_care("distress", topic=None, sent_to="106", who=Who(user, user))
        await log.record_care("distress", topic=None, sent_to="106", who=Who(1, 1))  # the same person again
        await log.record_care("suicide", topic=None, sent_to="1813", who=Who(5, 5))
        clock.set(dt.datetime(2027, 2, 3, 9, 0, tzinfo=TZ))
        for user in (6, 7, 8):
            await log.record_care("money", topic="rent", sent_to="sociaal huis", who=Who(user, user))
        period = Period(dt.date(2027, 1, 1), dt.date(2027, 2, 28))
        report = await make_report(
            core.db, core.texts, core.analyzer, period, now=clock.now(), tz=TZ, with_charts=False
        )
    finally:
        await core.close()
    rows = report.table("care").rows
    assert rows == (
        ("januari 2027", "zelfdoding of zelfverwonding", "<3", "1813"),
        ("januari 2027", "eenzaamheid of wanhoop", "4", "106"),
        ("februari 2027", "geld en papieren", "3", "sociaal huis"),
    )
    assert "Mensen in nood" in html_page(report) and "eenzaamheid of wanhoop" in csv_text(report)
