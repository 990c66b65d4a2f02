"""Settings: `config.toml` plus environment overrides, validated into one frozen object.

A coordinator edits the TOML file by hand, so every wrong value is reported with the key
that holds it and what was expected, and unknown keys are refused (a typo must not be
silently ignored). Without any config file the bot runs on built-in defaults, so a fresh
checkout works at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.platform.hours import HoursError, OpeningHours

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
CONFIG_ENV = "BOT_CONFIG"
UIT_CLIENT_ENV = "UITDATABANK_CLIENT_ID"
UIT_KEY_ENV = "UITDATABANK_API_KEY"
DEFAULT_UIT_SEARCH_URL = "https://search.uitdatabank.be"


class ConfigError(ValueError):
    """A config value is missing, of the wrong type, or out of range; the message names the key."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    api_file_url: str | None = None
    admins: tuple[int, ...] = ()
    bot_username: str | None = None  # for t.me links printed outside Telegram (python -m bot invite)
    mode: str = "polling"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_url: str | None = None
    webhook_secret: str | None = None

    def __repr__(self) -> str:  # Never print the token, not even in a traceback of the settings.
        shown = "set" if self.token else "not set"
        return f"TelegramSettings(token=<{shown}>, api_base_url={self.api_base_url!r}, mode={self.mode!r})"

    @property
    def file_url(self) -> str:
        """Bot API file URL: explicit, or derived from the API URL the way Telegram lays them out."""
        if self.api_file_url:
            return self.api_file_url
        if self.api_base_url.endswith("/bot"):
            return self.api_base_url[: -len("/bot")] + "/file/bot"
        return self.api_base_url.rstrip("/") + "/file/bot"


DEFAULT_OPEN = ("maandag-vrijdag 09:00-12:00",)


@dataclass(frozen=True)
class ContactSettings:
    """Whom people can reach when the bot cannot help: shown in every 'nothing found' answer."""

    name: str = "Sociaal Huis Bilzen"
    phone: str = "089 00 01 00"
    email: str = "sociaalhuis@example.be"
    hours: str = "maandag tot vrijdag van 9 tot 12 uur"
    address: str = "Eikenlaan 25, 3740 Bilzen"
    # The same hours in a form the bot can count with: outside them, a fallback says when it opens again.
    open: OpeningHours = field(default_factory=lambda: OpeningHours.parse(DEFAULT_OPEN))


@dataclass(frozen=True)
class SearchSettings:
    max_results: int = 3
    page_size: int = 3
    list_size: int = 5  # offers on one page of a browse list (one line each, a button each)
    semantic: bool = True  # the packaged sentence model beside the word lists (bot.search.semantic)


@dataclass(frozen=True)
class ReminderSettings:
    day_before_at: dt.time = dt.time(18, 0)
    hours_before: int = 2
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)
    weekly_weekday: int = 0  # Monday
    weekly_at: dt.time = dt.time(9, 0)
    messages_per_second: float = 25.0
    max_attempts: int = 5


@dataclass(frozen=True)
class KeyFigureSettings:
    invite_days: int = 7  # an invite link for a new key figure works this many days, once
    weekly_weekday: int = 0  # the weekly list of new offers for subscribed key figures: Monday
    weekly_at: dt.time = dt.time(9, 0)


@dataclass(frozen=True)
class PrivacySettings:
    retention_months: int = 13


@dataclass(frozen=True)
class BackupSettings:
    """The daily copy of the database (python -m bot backup does the same by hand)."""

    folder: Path | None = Path("backups")  # None: no daily backup; relative: beside the database file
    keep: int = 14  # the newest this many daily copies stay; older ones are deleted
    at: dt.time = dt.time(3, 0)


@dataclass(frozen=True)
class LimitSettings:
    """What one person may ask of the bot, so that nobody can slow it down for everyone else."""

    # More in one minute: one polite "even geduld"; the last message is answered after the pause (bot/chat/flood.py).
    messages_per_minute: int = 20


@dataclass(frozen=True)
class UitSyncSettings:
    """UiTdatabank's Search API v3: the town's events, fetched and kept up to date (python -m bot sync uit)."""

    base_url: str = DEFAULT_UIT_SEARCH_URL
    client_id: str | None = None  # sent as the x-client-id header (or an older API key as x-api-key)
    api_key: str | None = None
    query: str = ""  # the advanced query (q), e.g. the town's postal codes
    every_hours: float = 6.0

    def __repr__(self) -> str:  # the credentials never end up in a log or a traceback
        shown = "set" if self.client_id or self.api_key else "not set"
        return f"UitSyncSettings(base_url={self.base_url!r}, credentials=<{shown}>, query={self.query!r})"

    @property
    def configured(self) -> bool:
        return bool((self.client_id or self.api_key) and self.query.strip())


@dataclass(frozen=True)
class IcalFeedSettings:
    """One partner's iCal feed (python -m bot sync ical)."""

    name: str
    url: str
    every_hours: float = 6.0


@dataclass(frozen=True)
class SyncSettings:
    uit: UitSyncSettings = field(default_factory=UitSyncSettings)
    ical: tuple[IcalFeedSettings, ...] = ()
    new_status: str = "published"  # status of offers a source brings in: "published", or "pending" to approve first


@dataclass(frozen=True)
class Settings:
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    database_path: Path = PROJECT_ROOT / "var" / "bilzen.sqlite3"
    data_dir: Path = PROJECT_ROOT / "data"
    timezone_name: str = "Europe/Brussels"
    town: str = "Bilzen"
    contact: ContactSettings = field(default_factory=ContactSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    keyfigures: KeyFigureSettings = field(default_factory=KeyFigureSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    source: Path | None = None  # the config file these settings came from, if any

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    @property
    def backup_folder(self) -> Path | None:
        """Where the daily backups go: the configured folder, by default `backups/` beside the database."""
        folder = self.backup.folder
        if folder is None or folder.is_absolute():
            return folder
        return self.database_path.parent / folder


# --- validation helpers -------------------------------------------------------------------


class _Section:
    """Reads typed values out of one TOML table and refuses keys nobody asked for."""

    def __init__(self, table: Mapping[str, Any], prefix: str) -> None:
        if not isinstance(table, Mapping):
            raise ConfigError(f"{prefix or 'config'}: expected a table ([{prefix}]), got {table!r}")
        self._table = table
        self._prefix = prefix
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self._prefix}.{name}" if self._prefix else name

    def get(self, name: str, default: Any, check: Callable[[str, Any], Any]) -> Any:
        self._seen.add(name)
        if name not in self._table:
            return default
        return check(self.key(name), self._table[name])

    def section(self, name: str) -> _Section:
        self._seen.add(name)
        return _Section(self._table.get(name, {}), self.key(name))

    def finish(self) -> None:
        unknown = sorted(set(self._table) - self._seen)
        if unknown:
            known = ", ".join(sorted(self._seen))
            close = difflib.get_close_matches(unknown[0], sorted(self._seen), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(f"unknown key {self.key(unknown[0])!r}; {hint}known keys here: {known}")


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected text in quotes, got {value!r}")
    return value


def _secret(key: str, value: Any) -> str | None:
    """Optional text whose wrong value is not repeated in the error: it may be the token itself."""
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected text in quotes, got a {type(value).__name__} (value not shown)")
    return value.strip() or None


_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _webhook_secret(key: str, value: Any) -> str | None:
    """Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as the secret of a webhook."""
    secret = _secret(key, value)
    if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
        raise ConfigError(
            f"{key}: use 1 to 256 letters, digits, _ and - only (Telegram's rule; value not shown), "
            'e.g. the output of: python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return secret


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false (without quotes), got {value!r}")
    return value


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{key}: expected a whole number above 0, got {value!r}")
    return value


def _list_size(key: str, value: Any) -> int:
    """Each offer of a list page is a button: a handful reads well, 20 is plenty (Telegram allows 100)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 20:
        raise ConfigError(f"{key}: expected a whole number from 1 to 20, got {value!r}")
    return value


def _port(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 65535:
        raise ConfigError(f"{key}: expected a port number from 1 to 65535, got {value!r}")
    return value


def _positive_number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key}: expected a number above 0, got {value!r}")
    return float(value)


def _clock_time(key: str, value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(_string(key, value))
    except ValueError:
        raise ConfigError(f'{key}: expected a time like "18:00", got {value!r}') from None


def _url(key: str, value: Any) -> str:
    text = _string(key, value).strip()
    if not text.startswith(("http://", "https://")):
        raise ConfigError(f"{key}: expected a URL starting with http:// or https://, got {value!r}")
    return text


def _optional_url(key: str, value: Any) -> str | None:
    """A URL, or empty text for none (the example file shows these keys as `key = ""`)."""
    return _url(key, value) if _string(key, value).strip() else None


def _opening_hours(key: str, value: Any) -> OpeningHours:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{key}: expected a list like ["maandag-vrijdag 09:00-12:00"], got {value!r}')
    try:
        return OpeningHours.parse(value)
    except HoursError as error:
        raise ConfigError(f"{key}: {error}") from None


def _user_ids(key: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        raise ConfigError(f"{key}: expected a list of Telegram user ids (numbers), got {value!r}")
    return tuple(value)


def _bot_username(key: str, value: Any) -> str | None:
    name = _string(key, value).strip().removeprefix("@")
    if not name:
        return None
    if not name.replace("_", "").isalnum() or not name.isascii() or not 5 <= len(name) <= 32:
        raise ConfigError(f'{key}: expected the bot\'s Telegram username like "BilzenVrijeTijdBot", got {value!r}')
    return name


def _one_of(*choices: str) -> Callable[[str, Any], str]:
    def check(key: str, value: Any) -> str:
        if value not in choices:
            raise ConfigError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        return value

    return check


_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _weekday(key: str, value: Any) -> int:
    name = _string(key, value).strip().lower()
    if name not in _WEEKDAYS:
        raise ConfigError(f"{key}: expected a weekday in Dutch ({', '.join(_WEEKDAYS)}), got {value!r}")
    return _WEEKDAYS.index(name)


def _timezone(key: str, value: Any) -> str:
    name = _string(key, value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise ConfigError(f'{key}: expected a time zone name like "Europe/Brussels", got {value!r}') from None
    return name


# --- loading ------------------------------------------------------------------------------


def find_config_file(explicit: Path | None = None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The config file to read: the one asked for, else $BOT_CONFIG, else ./config.toml if present."""
    if explicit is not None:
        return explicit
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    for candidate in (Path.cwd() / "config.toml", PROJECT_ROOT / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def load_settings(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read, validate and return the settings; raise ConfigError naming the key on any mistake."""
    config_file = find_config_file(path, environ)
    raw: dict[str, Any] = {}
    base_dir = PROJECT_ROOT
    if config_file is not None:
        try:
            raw = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {config_file} does not exist") from None
        except UnicodeDecodeError as error:
            raise ConfigError(f"{config_file} is not UTF-8 text (byte {error.start}); save it as UTF-8") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{config_file} is not valid TOML: {error}") from None
        base_dir = config_file.resolve().parent
    settings = parse_settings(raw, base_dir=base_dir, environ=environ)
    return replace(settings, source=config_file)


def parse_settings(
    raw: Mapping[str, Any], *, base_dir: Path = PROJECT_ROOT, environ: Mapping[str, str] = os.environ
) -> Settings:
    """Validate an already parsed TOML document; relative paths are taken from `base_dir`."""
    default = Settings()
    root = _Section(raw, "")

    def path(key: str, value: Any) -> Path:
        p = Path(_string(key, value)).expanduser()
        return p if p.is_absolute() else (base_dir / p)

    town = root.get("town", default.town, _string)
    timezone_name = root.get("timezone", default.timezone_name, _timezone)

    tg = root.section("telegram")
    token = tg.get("token", None, _secret)
    telegram = TelegramSettings(
        token=environ.get(TOKEN_ENV, "").strip() or token,
        api_base_url=tg.get("api_base_url", DEFAULT_API_BASE_URL, _url),
        api_file_url=tg.get("api_file_url", None, _optional_url),
        admins=tg.get("admins", (), _user_ids),
        bot_username=tg.get("bot_username", None, _bot_username),
        mode=tg.get("mode", "polling", _one_of("polling", "webhook")),
        webhook_listen=tg.get("webhook_listen", "127.0.0.1", _string),
        webhook_port=tg.get("webhook_port", 8443, _port),
        webhook_url=tg.get("webhook_url", None, _optional_url),
        webhook_secret=tg.get("webhook_secret", None, _webhook_secret),
    )
    tg.finish()
    if telegram.mode == "webhook" and not telegram.webhook_url:
        raise ConfigError('telegram.webhook_url: required when telegram.mode is "webhook"')
    if telegram.mode == "webhook" and not (telegram.webhook_url or "").startswith("https://"):
        raise ConfigError("telegram.webhook_url: Telegram only calls https:// addresses")

    db = root.section("database")
    database_path = db.get("path", default.database_path, path)
    db.finish()

    data = root.section("data")
    data_dir = data.get("dir", default.data_dir, path)
    data.finish()

    c = root.section("contact")
    dc = ContactSettings()
    contact = ContactSettings(
        name=c.get("name", dc.name, _string),
        phone=c.get("phone", dc.phone, _string),
        email=c.get("email", dc.email, _string),
        hours=c.get("hours", dc.hours, _string),
        address=c.get("address", dc.address, _string),
        open=c.get("open", dc.open, _opening_hours),
    )
    c.finish()

    s = root.section("search")
    search = SearchSettings(
        max_results=s.get("max_results", default.search.max_results, _positive_int),
        page_size=s.get("page_size", default.search.page_size, _positive_int),
        list_size=s.get("list_size", default.search.list_size, _list_size),
        semantic=s.get("semantic", default.search.semantic, _boolean),
    )
    s.finish()

    r = root.section("reminders")
    dr = ReminderSettings()
    reminders = ReminderSettings(
        day_before_at=r.get("day_before_at", dr.day_before_at, _clock_time),
        hours_before=r.get("hours_before", dr.hours_before, _positive_int),
        quiet_start=r.get("quiet_start", dr.quiet_start, _clock_time),
        quiet_end=r.get("quiet_end", dr.quiet_end, _clock_time),
        weekly_weekday=r.get("weekly_day", dr.weekly_weekday, _weekday),
        weekly_at=r.get("weekly_at", dr.weekly_at, _clock_time),
        messages_per_second=r.get("messages_per_second", dr.messages_per_second, _positive_number),
        max_attempts=r.get("max_attempts", dr.max_attempts, _positive_int),
    )
    r.finish()

    k = root.section("keyfigures")
    dk = KeyFigureSettings()
    keyfigures = KeyFigureSettings(
        invite_days=k.get("invite_days", dk.invite_days, _positive_int),
        weekly_weekday=k.get("weekly_day", dk.weekly_weekday, _weekday),
        weekly_at=k.get("weekly_at", dk.weekly_at, _clock_time),
    )
    k.finish()

    p = root.section("privacy")
    privacy = PrivacySettings(retention_months=p.get("retention_months", 13, _positive_int))
    p.finish()

    def optional_path(key: str, value: Any) -> Path | None:
        return path(key, value) if _string(key, value).strip() else None

    b = root.section("backup")
    dbk = BackupSettings()
    backup = BackupSettings(
        folder=b.get("folder", dbk.folder, optional_path),
        keep=b.get("keep", dbk.keep, _positive_int),
        at=b.get("at", dbk.at, _clock_time),
    )
    b.finish()

    lim = root.section("limits")
    limits = LimitSettings(
        messages_per_minute=lim.get("messages_per_minute", LimitSettings.messages_per_minute, _positive_int),
    )
    lim.finish()

    sync = _sync_settings(root.section("sync"), environ)

    root.finish()
    return Settings(
        telegram=telegram,
        database_path=database_path,
        data_dir=data_dir,
        timezone_name=timezone_name,
        town=town,
        contact=contact,
        search=search,
        reminders=reminders,
        privacy=privacy,
        keyfigures=keyfigures,
        backup=backup,
        limits=limits,
        sync=sync,
    )


_FEED_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,29}")


def _sync_settings(section: _Section, environ: Mapping[str, str]) -> SyncSettings:
    """[sync] new_status, [sync.uit] and [[sync.ical]] (one table per feed)."""
    new_status = section.get("new_status", "published", _one_of("published", "pending"))
    u = section.section("uit")
    uit = UitSyncSettings(
        base_url=u.get("base_url", DEFAULT_UIT_SEARCH_URL, _url).rstrip("/"),
        client_id=environ.get(UIT_CLIENT_ENV, "").strip() or u.get("client_id", None, _secret),
        api_key=environ.get(UIT_KEY_ENV, "").strip() or u.get("api_key", None, _secret),
        query=u.get("query", "", _string).strip(),
        every_hours=u.get("every_hours", 6.0, _positive_number),
    )
    u.finish()
    section._seen.add("ical")
    feeds_raw = section._table.get("ical", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError("sync.ical: expected one [[sync.ical]] table per feed, with name and url")
    feeds = []
    for number, table in enumerate(feeds_raw, start=1):
        f = _Section(table, f"sync.ical[{number}]")
        name = f.get("name", "", _string).strip()
        if not _FEED_NAME.fullmatch(name):
            raise ConfigError(
                f"{f.key('name')}: expected a short name of lower-case letters, digits and -, got {name!r}"
            )
        url = f.get("url", "", _string).strip()
        if not url:
            raise ConfigError(f"{f.key('url')}: required: the address of the feed (https://... or a file path)")
        feeds.append(IcalFeedSettings(name=name, url=url, every_hours=f.get("every_hours", 6.0, _positive_number)))
        f.finish()
    if len({feed.name for feed in feeds}) != len(feeds):
        raise ConfigError("sync.ical: two feeds have the same name; every feed needs its own")
    section.finish()
    return SyncSettings(uit=uit, ical=tuple(feeds), new_status=new_status)
