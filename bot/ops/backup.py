"""Backups of the one SQLite file: made while the bot runs, rotated daily, and restored with care.

SQLite's online backup API copies the database page by page from a read transaction, so the copy is
one consistent moment even while the bot keeps writing (WAL: writers are not blocked meanwhile). The
copy is taken in a single step: a step-wise copy restarts whenever another connection writes between
steps and might never finish on a busy bot. It is written under a temporary name, checked with
`PRAGMA integrity_check`, made owner-only (it holds personal data) and only then renamed into place,
so a backup that exists is a whole one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.platform.db import connect_sync, ensure_private_file, load_migrations

PREFIX = "bilzen-"
SUFFIX = ".sqlite3"
_DAILY = re.compile(r"^bilzen-\d{8}-\d{6}\.sqlite3$")  # only these are rotated; copies made before a restore stay
SQLITE_HEADER = b"SQLite format 3\x00"
REQUIRED_TABLES = frozenset({"offers", "offer_events", "people", "meta"})


class BackupError(RuntimeError):
    """A backup could not be made, or a file is not a usable backup of this bot; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    version: int
    offers: int
    people: int
    size: int
    modified: dt.datetime

    def describe(self) -> str:
        return (f"{self.offers} offers, {self.people} people, schema version {self.version}, "
                f"{self.size / 1_048_576:.1f} MB, saved {self.modified:%Y-%m-%d %H:%M}")  # fmt: skip


def backup_name(moment: dt.datetime, prefix: str = PREFIX) -> str:
    return f"{prefix}{moment:%Y%m%d-%H%M%S}{SUFFIX}"


def list_backups(folder: Path) -> list[Path]:
    """The daily-style backups in a folder, oldest first (the name holds the moment)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _DAILY.match(p.name) and p.is_file())


def make_backup(database: Path, dest: Path, *, now: dt.datetime | None = None) -> Path:
    """Copy the live database to `dest` (a file, or a folder for a dated file, made if needed); returns the copy.

    Blocking: the bot runs it in a worker thread.
    """
    database = Path(database)
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    now = now or dt.datetime.now()
    dest = Path(dest)
    # A folder (existing, ending in /, or a new name without a suffix) gets a dated file; else dest is the file.
    folder = dest.is_dir() or str(dest).endswith(os.sep) or (not dest.exists() and not dest.suffix)
    target = dest / backup_name(now) if folder else dest
    if target.resolve() == database.resolve():
        raise BackupError("the backup cannot replace the database itself")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    ensure_private_file(partial)
    source = connect_sync(database, readonly=True)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(copy)  # one step: one consistent snapshot, see the module docstring
            copy.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file, no -wal beside it
            _require_intact(copy, target)
        finally:
            copy.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup to {target} failed: {error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return target


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest daily backups so that `keep` remain; returns what was deleted."""
    found = list_backups(folder)
    old = found[: max(len(found) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def inspect(path: Path) -> BackupInfo:
    """What a database file holds, after checking that it is an intact database of this bot."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database")
    latest = load_migrations()[-1].version
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened: {error}") from error
    try:
        _require_intact(conn, path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = REQUIRED_TABLES - tables
        if version < 1 or missing:
            lacking = ", ".join(sorted(missing)) or "schema version"
            raise BackupError(f"{path} is an SQLite database, but not one of this bot (no {lacking})")
        if version > latest:
            raise BackupError(f"{path} comes from a newer version of the bot (schema {version}, this one knows "
                              f"{latest}); install that version first")  # fmt: skip
        offers = conn.execute("SELECT count(*) FROM offers").fetchone()[0]
        people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged or unreadable (SQLite: {error})") from error
    finally:
        conn.close()
    stat = path.stat()
    return BackupInfo(path, version, offers, people, stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime))


def restore(backup: Path, database: Path, *, keep_copy_in: Path, now: dt.datetime | None = None) -> Path | None:
    """Replace the database by the backup (checked first). The current database is copied to `keep_copy_in`
    beforehand; returns that copy (None when there was no database). Run it only while the bot is stopped."""
    inspect(backup)
    database = Path(database)
    now = now or dt.datetime.now()
    kept = None
    if database.is_file():
        kept = make_backup(database, keep_copy_in / backup_name(now, prefix=f"{PREFIX}before-restore-"), now=now)
    ensure_private_file(database)
    source = sqlite3.connect(f"{Path(backup).resolve().as_uri()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(database, isolation_level=None)
        try:
            target.execute("PRAGMA busy_timeout = 5000")
            source.backup(target)  # through SQLite: the WAL beside the database is taken care of
            target.execute("PRAGMA journal_mode = WAL")
            _require_intact(target, database)
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"restoring into {database} failed: {error}; the previous database is in {kept}") from error
    finally:
        source.close()
    return kept


def _require_intact(conn: sqlite3.Connection, shown: Path) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{shown} is damaged: {'; '.join(result[:3])}")


def _fsync(path: Path) -> None:
    """Make a finished backup (and its name in the folder) survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
