"""One bot per database: a lock file beside it, held while `python -m bot run` runs.

Two bots on one token fight over updates (Telegram answers 409 to both), and a restore under a running
bot would be overwritten or half-seen by it. The lock is an flock(2) on `<database>.lock`: the kernel
releases it when the process ends, also after kill -9 or a power cut, so a stale lock never blocks a
start. The file holds the process id, only to name it in a message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another process holds the lock of this database."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def hold(database: Path) -> Iterator[None]:
    """Hold the lock for the duration of the block; AlreadyRunning when another process has it."""
    path = lock_path(Path(database))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(_message(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


def running(database: Path) -> str | None:
    """A message naming the running bot when one holds the lock, else None."""
    path = lock_path(Path(database))
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _message(path)
        return None
    finally:
        os.close(fd)


def _message(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip() or "?"
    except OSError:
        pid = "?"
    return f"the bot is running on this database (process {pid}); stop it first (e.g. sudo systemctl stop bilzen-bot)"
