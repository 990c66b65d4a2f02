"""The SQLite file: safe creation, WAL, migrations that fail cleanly, and transactions that keep tasks apart."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import Database, Migration, MigrationError, connect_sync, load_migrations

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
