"""Building blocks for tests: settings on a temporary database, a core with a hand-moved clock."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import socket
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.platform.calendar import ManualClock
from bot.platform.config import PROJECT_ROOT, Settings, TelegramSettings, parse_settings

TZ = ZoneInfo("Europe/Brussels")
FIXTURES = Path(__file__).parent / "fixtures"
DATA = PROJECT_ROOT / "data"


def make_settings(tmp_path: Path, **changes: object) -> Settings:
    """Default settings on a database in `tmp_path`, ignoring any config.toml or environment."""
    settings = parse_settings({}, environ={})
    return dataclasses.replace(settings, database_path=tmp_path / "bot.sqlite3", **changes)  # type: ignore[arg-type]


def telegram_settings(
    api_base_url: str, token: str = "123456:TEST-TOKEN", admins: tuple[int, ...] = ()
) -> TelegramSettings:
    return TelegramSettings(token=token, api_base_url=api_base_url, admins=admins)


def brussels(*args: int) -> dt.datetime:
    """An aware Brussels time: brussels(2027, 3, 13, 14, 0)."""
    return dt.datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def clock_at(*args: int) -> ManualClock:
    return ManualClock(brussels(*args))


async def eventually(predicate: Callable[[], object], *, timeout: float = 5.0, what: str = "the condition") -> None:  # noqa: ASYNC109
    """Wait until `predicate()` is true (something another task or process does), failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.01)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
