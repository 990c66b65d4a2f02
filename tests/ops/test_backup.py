"""Backups: SQLite's online backup while the bot writes, the daily job with rotation, and restore with its
checks and confirmation (`python -m bot backup|restore` as real processes)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.ops import backup, runlock
from bot.platform.config import PROJECT_ROOT
from bot.platform.db import Database, load_migrations
from handlers.app import build_application, open_bot
from tests.helpers import TZ, clock_at, eventually, make_settings
from tests.test_cli import run

LATEST = load_migrations()[-1].version


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


# --- the online backup ----------------------------------------------------------------------------


async def test_backup_while_the_bot_writes_is_one_consistent_moment_and_does_not_stop_the_writer(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    # Some 30 MB, so that copying takes long enough for many commits to land meanwhile.
    await db.execute("CREATE TABLE ballast (data BLOB)")
    async with db.transaction() as tx:
        await tx.executemany("INSERT INTO ballast (data) VALUES (randomblob(1048576))", [()] * 30)
    await db.execute("CREATE TABLE ledger (seq INTEGER PRIMARY KEY, amount INTEGER NOT NULL)")
    await db.execute("INSERT INTO meta (key, value) VALUES ('ledger', '0')")

    commits: list[float] = []
    stop = asyncio.Event()

    async def writer() -> None:
        """Each transaction adds a ledger row and moves the total in meta: a copy must agree with itself."""
        n = 0
        while not stop.is_set():
            n += 1
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO ledger (seq, amount) VALUES (?, ?)", (n, n))
                await tx.execute("UPDATE meta SET value = ? WHERE key = 'ledger'", (str(n * (n + 1) // 2),))
            commits.append(time.monotonic())
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        await eventually(lambda: len(commits) >= 5, what="the first commits")
        started = time.monotonic()
        copy = await asyncio.to_thread(backup.make_backup, path, tmp_path / "backups")
        finished = time.monotonic()
        await asyncio.sleep(0.01)
    finally:
        stop.set()
        await task
        await db.close()

    during = [t for t in commits if started < t < finished]
    assert len(during) >= 3, f"only {len(during)} commits while the backup ran for {finished - started:.3f} s"
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows, total = conn.execute("SELECT count(*), coalesce(sum(amount), 0) FROM ledger").fetchone()
        assert str(total) == conn.execute("SELECT value FROM meta WHERE key = 'ledger'").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM ballast").fetchone()[0] == 30
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    finally:
        conn.close()
    # The copy is one moment between the first and the last commit, not the start or the end state.
    assert 5 <= rows < len(commits)
    assert copy.parent == tmp_path / "backups" and copy.name.startswith("bilzen-")
    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    assert not list(copy.parent.glob("*.part"))


async def test_backup_of_a_missing_database_or_onto_itself_is_refused(tmp_path):
    with pytest.raises(backup.BackupError, match="there is no database"):
        backup.make_backup(tmp_path / "nothing.sqlite3", tmp_path / "out")
    db = await Database.open(tmp_path / "bot.sqlite3")
    await db.close()
    with pytest.raises(backup.BackupError, match="cannot replace the database itself"):
        backup.make_backup(tmp_path / "bot.sqlite3", tmp_path / "bot.sqlite3")


def test_rotation_keeps_the_newest_daily_backups_and_nothing_else(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    daily = [folder / backup.backup_name(dt.datetime(2027, 1, day, 3, 0)) for day in range(1, 8)]
    others = [folder / "bilzen-before-restore-20270101-120000.sqlite3", folder / "notes.txt"]
    for path in daily + others:
        path.write_bytes(b"x")
    removed = backup.rotate(folder, keep=3)
    assert removed == daily[:4]
    assert sorted(p for p in folder.iterdir()) == sorted(daily[4:] + others)
    assert backup.rotate(folder, keep=3) == []


async def test_daily_backup_job_is_scheduled_copies_and_rotates(tmp_path, fake_api, app_builder, running_app):
    settings = make_settings(tmp_path)
    folder = settings.backup_folder
    assert folder == tmp_path / "backups"  # by default beside the database
    app, core = await open_bot(settings, app_builder, clock=clock_at(2027, 1, 13, 10, 0))
    try:
        # No backup yet: one is made a few minutes after the start as well.
        assert app.job_queue.get_jobs_by_name("backup-catch-up")
        folder.mkdir()
        old = [folder / backup.backup_name(dt.datetime(2026, 12, day, 3, 0)) for day in range(1, 15)]
        for path in old:
            path.write_bytes(b"old")
        async with running_app(app):
            (job,) = app.job_queue.get_jobs_by_name("daily-backup")
            next_run = job.next_t.astimezone(TZ)
            assert (next_run.hour, next_run.minute) == (3, 0)
            await job.run(app)
        found = backup.list_backups(folder)
        assert len(found) == settings.backup.keep == 14
        newest = found[-1]
        assert newest not in old and backup.inspect(newest).offers == await core.offers.count()
        assert mode(newest) == 0o600
        # A fresh backup: no catch-up at the next start.
        again = build_application(settings, app_builder)
        assert not again.job_queue.get_jobs_by_name("backup-catch-up")
    finally:
        await core.close()


async def test_daily_backup_can_be_switched_off(tmp_path, app_builder):
    settings = make_settings(tmp_path)
    settings = type(settings)(**{**settings.__dict__, "backup": type(settings.backup)(folder=None)})
    app = build_application(settings, app_builder)
    assert not app.job_queue.get_jobs_by_name("daily-backup")
    assert not app.job_queue.get_jobs_by_name("backup-catch-up")


# --- python -m bot backup / restore ------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_template(tmp_path_factory):
    """Made once: a live database with the sample offers, and a backup of it taken before one offer was deleted."""
    folder = tmp_path_factory.mktemp("restore")
    config = folder / "config.toml"
    config.write_text('[database]\npath = "var/bot.sqlite3"\n', encoding="utf-8")
    database = folder / "var" / "bot.sqlite3"
    made = run("backup", config=config, cwd=folder)  # opens nothing: there is no database yet
    assert made.returncode == 1 and "there is no database" in made.stderr
    assert run("ask", "zwemmen", config=config, cwd=folder).returncode == 0  # creates it with the samples
    made = run("backup", str(folder / "saved.sqlite3"), config=config, cwd=folder)
    assert made.returncode == 0, made.stderr
    assert "Backup written to" in made.stdout and "offers" in made.stdout
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM offers WHERE pk = (SELECT min(pk) FROM offers)")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return database.read_bytes(), (folder / "saved.sqlite3").read_bytes()


@pytest.fixture
def two_databases(tmp_path, saved_template):
    live, saved = saved_template
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "var/bot.sqlite3"\n', encoding="utf-8")
    database = tmp_path / "var" / "bot.sqlite3"
    database.parent.mkdir(mode=0o700)
    database.write_bytes(live)
    database.chmod(0o600)
    (tmp_path / "saved.sqlite3").write_bytes(saved)
    return config, database, tmp_path / "saved.sqlite3"


def test_restore_with_yes_replaces_the_database_and_keeps_the_previous_one(two_databases, tmp_path):
    config, database, saved = two_databases
    before = count(database, "SELECT count(*) FROM offers")
    assert count(saved, "SELECT count(*) FROM offers") == before + 1
    done = run("restore", "--yes", saved, config=config, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert count(database, "SELECT count(*) FROM offers") == before + 1
    (kept,) = (tmp_path / "var" / "backups").glob("bilzen-before-restore-*.sqlite3")
    assert count(kept, "SELECT count(*) FROM offers") == before
    assert f"saved as {kept}" in done.stdout
    assert mode(database) == 0o600 and mode(kept) == 0o600
    # The restored database works: the bot opens it and answers.
    assert run("ask", "--json", "zwemmen", config=config, cwd=tmp_path).returncode == 0


def test_restore_asks_first_and_a_no_changes_nothing(two_databases, tmp_path):
    config, database, saved = two_databases
    before = database.read_bytes()
    # Without a person to answer (no terminal) and without --yes: refused.
    done = run("restore", saved, config=config, cwd=tmp_path)
    assert done.returncode == 2 and "--yes" in done.stderr
    # With a person at a terminal who answers "nee".
    master, slave = os.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN",)}
    environ.update(PYTHONPATH=str(PROJECT_ROOT), BOT_CONFIG=str(config))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "restore", str(saved)],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=environ,
    )
    os.close(slave)
    os.write(master, b"nee\n")
    out, err = process.communicate(timeout=60)
    os.close(master)
    assert process.returncode == 1, err
    assert "Type yes to restore" in out.decode() and "nothing was changed" in out.decode()
    assert database.read_bytes() == before
    assert not list((tmp_path / "var").glob("backups/bilzen-before-restore-*"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is a CSV file, not a database\n", "is not an SQLite database"),
        ("foreign", "not one of this bot"),
        ("damaged", "damaged"),
        ("newer", "comes from a newer version of the bot"),
    ],
)
def test_restore_refuses_what_is_not_a_valid_bot_database(two_databases, tmp_path, content, reason):
    config, database, saved = two_databases
    candidate = tmp_path / "candidate.sqlite3"
    if isinstance(content, bytes):
        candidate.write_bytes(content)
    elif content == "foreign":
        conn = sqlite3.connect(candidate)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("PRAGMA user_version = 3")
        conn.close()
    elif content == "damaged":
        data = bytearray(saved.read_bytes())
        page = 4096
        for offset in range(2 * page, len(data) - page, 3 * page):  # scribble over many b-tree pages
            data[offset : offset + 64] = b"\xff" * 64
        candidate.write_bytes(bytes(data))
    else:
        candidate.write_bytes(saved.read_bytes())
        conn = sqlite3.connect(candidate)
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
        conn.close()
    before = database.read_bytes()
    done = run("restore", "--yes", candidate, config=config, cwd=tmp_path)
    assert done.returncode == 1
    assert "Not restored" in done.stderr and reason in done.stderr
    assert database.read_bytes() == before


def test_restore_is_refused_while_the_bot_runs(two_databases, tmp_path):
    config, database, saved = two_databases
    before = database.read_bytes()
    with runlock.hold(database):  # what `python -m bot run` holds
        done = run("restore", "--yes", saved, config=config, cwd=tmp_path)
    assert done.returncode == 1 and "the bot is running on this database" in done.stderr
    assert f"process {os.getpid()}" in done.stderr
    assert database.read_bytes() == before


def test_run_lock_is_one_per_database_and_released_by_a_killed_process(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with runlock.hold(database):
        assert runlock.running(database)
        with pytest.raises(runlock.AlreadyRunning), runlock.hold(database):
            pass
        assert runlock.running(tmp_path / "other.sqlite3") is None
    assert runlock.running(database) is None
    assert mode(runlock.lock_path(database)) == 0o600
    # A process that holds the lock and dies by kill -9 leaves no stale lock.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from bot.ops import runlock\n"
         f"with runlock.hold(__import__('pathlib').Path({str(database)!r})):\n"
         "    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == b"held\n"
        assert runlock.running(database)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert runlock.running(database) is None
