"""The SQLite file: opening it safely, WAL, and schema migrations by `PRAGMA user_version`.

One aiosqlite connection serves the whole bot. Statements from concurrent tasks are serialised
by a lock, so that a transaction of one task never swallows the statements of another.
Migrations are the numbered `migrations/NNNN_name.sql` files; each runs in its own transaction
and a failing one leaves the database exactly as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
Params = Sequence[Any] | dict[str, Any]


class MigrationError(RuntimeError):
    """A schema migration failed; the database was left at the version it had before."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order, numbered 1, 2, 3... without gaps.

    The database remembers only the highest version applied (PRAGMA user_version), so a gap
    filled in later would never run on an existing database: gaps are refused.
    """
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named like 0001_offers.sql")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(f"{migration.name}: expected version {expected}; number migrations 1, 2, 3...")
    return migrations


def ensure_private_file(path: Path) -> None:
    """Create the database file and its folder readable by the owner only (the data is personal)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


class Transaction:
    """Statements inside one `BEGIN IMMEDIATE ... COMMIT` (use `Database.transaction()`)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database:
    """The bot's SQLite database. Open with `await Database.open(path)`; close with `await db.close()`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._mutex = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: Path, *, migrate: bool = True) -> Database:
        """Open (creating if needed) the database in WAL mode and bring its schema up to date."""
        path = Path(path)
        ensure_private_file(path)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            await configure(conn)
            db = cls(conn, path)
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        async with self._mutex:
            await self._conn.close()

    async def migrate(self, migrations: list[Migration] | None = None) -> int:
        """Apply the migrations newer than the database; return the resulting schema version."""
        migrations = load_migrations() if migrations is None else migrations
        async with self._mutex:
            current = await _fetchval(self._conn, "PRAGMA user_version")
            latest = migrations[-1].version if migrations else 0
            if current > latest:
                raise MigrationError(
                    f"{self.path} has schema version {current}, newer than this program knows ({latest}). "
                    "Upgrade the program instead of using an older one."
                )
            for migration in migrations:
                if migration.version <= current:
                    continue
                script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
                try:
                    await self._conn.executescript(script)
                except sqlite3.Error as error:
                    if self._conn.in_transaction:
                        await self._conn.rollback()
                    raise MigrationError(f"migration {migration.name} failed and was undone: {error}") from error
                current = migration.version
            return current

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement on its own (autocommit); return the number of changed rows."""
        async with self._mutex:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    # Reads are one trip to the database thread (execute_fetchall), not three (execute, fetch, close the
    # cursor): under load every trip waits for the event loop to hand over the GIL (bench/e2e.py).
    # fetchone is meant for queries of one row (a key, an aggregate); it reads what the query returns.

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._mutex:
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._mutex:
            rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All statements inside commit together or not at all; other tasks wait meanwhile."""
        async with self._mutex:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()


async def configure(conn: aiosqlite.Connection) -> None:
    """WAL for readers beside one writer, foreign keys on, and patience when the file is busy.

    synchronous=FULL: a reminder marked as sent must stay marked after a power cut too.
    """
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA synchronous = FULL")


async def _fetchval(conn: aiosqlite.Connection, sql: str) -> Any:
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
        return None if row is None else row[0]


def connect_sync(path: Path, *, readonly: bool = True) -> sqlite3.Connection:
    """A plain sqlite3 connection for work that runs in a worker thread (search, backups)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn
