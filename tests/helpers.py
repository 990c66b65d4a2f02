"""Building blocks for tests: settings on a temporary database, a core with a hand-moved clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.calendar import ManualClock
from bot.config import PROJECT_ROOT, Settings, TelegramSettings, parse_settings

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
