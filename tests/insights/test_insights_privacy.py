"""Privacy by design of the question log: /vergeet, monthly keys, retention, small counts."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.chat.conversation import Who
from bot.core import Core
from bot.insights.generate import make_report
from bot.insights.period import Period
from bot.insights.questionlog import keyed_hash
from bot.insights.render import html_page
from bot.insights.report import count, hidden, share
from handlers.app import CLEANUP_AT, open_bot
from tests.helpers import TZ, brussels, clock_at, make_settings

USER = 7_123_456_789  # ten digits, like real Telegram ids: cannot turn up by chance inside a hex hash
NAME = "Zoëlla"


@pytest.fixture
async def opened(tmp_path, app_builder) -> AsyncIterator[tuple[Application, Core]]:
    app, core = await open_bot(make_settings(tmp_path), app_builder, clock=clock_at(2027, 1, 13, 10, 0))
    yield app, core
    await core.close()


@pytest.fixture
def core(opened: tuple[Application, Core]) -> Core:
    return opened[1]


def every_value(path: Path) -> list[tuple[str, str, object]]:
    """(table, column, value) for every cell of every table in the database file."""
    conn = sqlite3.connect(path)
    try:
        found = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                found += [(table, name, value) for name, value in zip(names, row, strict=True)]
        return found
    finally:
        conn.close()


def naming(values: list[tuple[str, str, object]], user_id: int, name: str) -> list[tuple[str, str, object]]:
    """The cells that hold the user id (as number or text) or the first name."""
    hits = []
    for table, column, value in values:
        text = str(value).casefold()
        if value == user_id or (isinstance(value, str | bytes) and (str(user_id) in text or name.casefold() in text)):
            hits.append((table, column, value))
    return hits


async def linkable(core: Core, user_id: int) -> list[tuple[str, str]]:
    """Rows whose hash anyone holding the database could compute from this user id (with a key still there)."""
    found = []
    for row in await core.db.fetchall("SELECT period, secret FROM insight_keys"):
        visitor = keyed_hash(row["secret"], "visitor", user_id)
        asker = keyed_hash(row["secret"], "asker", user_id)
        if await core.db.fetchval("SELECT count(*) FROM insight_visitors WHERE visitor = ?", (visitor,)):
            found.append(("insight_visitors", row["period"]))
        if await core.db.fetchval("SELECT count(*) FROM question_log WHERE asker = ?", (asker,)):
            found.append(("question_log", row["period"]))
    return found


async def test_forget_leaves_no_row_that_names_the_person(opened, core, fake_api, running_app):
    app = opened[0]
    async with running_app(app):
        user = fake_api.user(USER, first_name=NAME)
        await user.send("/start")
        await user.send(f"zwemmen, ik ben {NAME}, bel 0470 12 34 56")
        (card, *_) = await user.send("film")
        await user.press(card, "ℹ️ Meer info")
        await user.send("yoga")
        assert await core.people.get(USER) is not None
        assert await linkable(core, USER), "before /vergeet the month's key links the rows to the person"
        questions = await core.db.fetchval("SELECT count(*) FROM question_log")
        (confirm,) = await user.send("/vergeet")
        await user.press(confirm, "Ja, wis alles")

    assert await core.people.get(USER) is None
    values = every_value(core.settings.database_path)
    leftovers = naming(values, USER, NAME)
    assert leftovers == [], "not even the first name the person typed in a question"
    assert await linkable(core, USER) == [], "after /vergeet no hash can be traced back to the person"
    # The anonymous counts stay: they were reached and they asked.
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == questions
    assert await core.db.fetchval("SELECT count(*) FROM insight_visitors") == 1
    assert await core.db.fetchval("SELECT sum(info) FROM question_log") == 1
    assert "0470" not in str(values)
    assert "[naam]" in str(values)


async def test_insights_tables_never_reference_people(core):
    schema = await core.db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN "
        "('insight_keys', 'insight_visitors', 'question_log', 'question_offers', 'offer_actions')"
    )
    assert len(schema) == 5
    for row in schema:
        assert "people" not in row["sql"] and "user_id" not in row["sql"] and "chat_id" not in row["sql"], row["name"]


async def test_keys_of_months_that_are_over_are_destroyed(core):
    clock = core.clock
    await core.conversation.ask(Who(USER, USER), "zwemmen")
    january = await core.db.fetchval("SELECT secret FROM insight_keys WHERE period = '2027-01'")
    assert january is not None
    assert (await core.insights.cleanup()).keys == 0, "the month is not over yet"
    clock.set(brussels(2027, 2, 1, 3, 30))
    await core.conversation.ask(Who(USER, USER), "film")
    summary = await core.insights.cleanup()
    assert summary.keys == 1
    assert [r["period"] for r in await core.db.fetchall("SELECT period FROM insight_keys")] == ["2027-02"]
    # Gone from the file and its write-ahead log too, not only from the table.
    path = core.settings.database_path
    wal = path.with_name(path.name + "-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert january not in raw
    # January's rows stay (counts are final) but nobody can link them any more.
    assert await core.db.fetchval("SELECT count(*) FROM question_log WHERE asked_at < '2027-02'") == 1
    assert await linkable(core, USER) == [("insight_visitors", "2027-02"), ("question_log", "2027-02")]


async def test_retention_deletes_old_rows_and_keeps_recent_ones(core, tmp_path):
    clock = core.clock
    clock.set(brussels(2026, 1, 10, 10, 0))
    await core.conversation.ask(Who(1, 1), "zwemmen")  # 13 months and more before the clean-up
    (offer,) = [s for s in await core.offers.select() if s.offer.kind == "activity"][:1]
    await core.conversation.act(Who(1, 1), f"c1:i:{offer.pk}")
    clock.set(brussels(2026, 2, 20, 10, 0))
    await core.conversation.ask(Who(2, 2), "film")  # less than 13 months before
    clock.set(brussels(2027, 3, 1, 3, 30))  # retention 13 months: everything before 1 February 2026 goes
    summary = await core.insights.cleanup()
    assert (summary.questions, summary.visitor_months, summary.action_days) == (1, 1, 1)
    assert [r["text"] for r in await core.db.fetchall("SELECT text FROM question_log")] == ["film"]
    assert await core.db.fetchval("SELECT count(*) FROM question_offers") > 0, "the kept question keeps its offers"
    orphans = "SELECT count(*) FROM question_offers WHERE question_id NOT IN (SELECT id FROM question_log)"
    assert await core.db.fetchval(orphans) == 0
    assert [r["period"] for r in await core.db.fetchall("SELECT period FROM insight_visitors")] == ["2026-02"]


async def test_daily_cleanup_job_is_scheduled_and_runs(opened, core, fake_api, running_app):
    core.clock.set(brussels(2025, 11, 3, 10, 0))
    await core.conversation.ask(Who(3, 3), "zwemmen")
    core.clock.set(brussels(2027, 1, 13, 10, 0))
    app = opened[0]
    async with running_app(app):
        (job,) = app.job_queue.get_jobs_by_name("insights-cleanup")
        next_run = job.next_t.astimezone(TZ)
        assert (next_run.hour, next_run.minute) == (CLEANUP_AT.hour, CLEANUP_AT.minute)
        await job.run(app)
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == 0


async def test_small_counts_are_suppressed(core):
    clock = core.clock
    for user, text in [(1, "yoga"), (1, "yogales"), (1, "yoga"), (1, "gratis yoga"), (2, "zwemmen")]:
        await core.conversation.ask(Who(user, user), text)
        clock.advance(dt.timedelta(hours=2))
    report = await make_report(
        core.db, core.texts, core.analyzer, Period(dt.date(2027, 1, 1), dt.date(2027, 1, 31)), now=clock.now(), tz=TZ
    )
    highlights = dict(report.highlights)
    assert highlights["Mensen bereikt"] == "<3"
    assert highlights["Vragen gesteld"] == "5"
    assert highlights["Vragen beantwoord"] == "–"  # 1 of 5: a share that would reveal one question
    assert report.table("people").rows[0][1:] == ("<3", "<3", "0")
    # Four unanswered questions about yoga, but all from one person: no theme, no example.
    assert report.table("themes").rows == (("Andere vragen (thema's met minder dan 3 vragen of mensen)", "4", ""),)
    page = html_page(report)
    assert "yoga" not in page.split("<footer>")[0].split('id="unmet"')[1]
    for section in report.sections:
        for table in section.tables:
            for row in table.rows:
                assert not {"1", "2"} & set(row[1:]) or table.key == "keyfigures", (table.key, row)


def test_display_rules():
    assert [count(n) for n in (0, 1, 2, 3, 1234)] == ["0", "<3", "<3", "3", "1.234"]
    assert [hidden(n) for n in (0, 1, 2, 3)] == [0, None, None, 3]
    assert share(0, 10) == "0%" and share(2, 10) == "–" and share(3, 10) == "30%" and share(2, 2) == "–"
    assert share(5, 0) == "–"


async def test_privacy_text_tells_what_is_kept_and_how_long(core):
    (message,) = (await core.conversation.privacy(Who(USER, USER))).messages
    assert "rijksregisternummers en rekeningnummers in een vraag wissen we meteen" in message.plain
    assert f"Na {core.settings.privacy.retention_months} maanden gooien we de vragen weg" in message.plain
