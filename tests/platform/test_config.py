"""Settings: defaults without a file, env overrides, relative paths, and an error naming the key for each mistake."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from bot.platform.config import (
    DEFAULT_API_BASE_URL,
    PROJECT_ROOT,
    ConfigError,
    Settings,
    TelegramSettings,
    load_settings,
    parse_settings,
)

EXAMPLE = PROJECT_ROOT / "config.example.toml"
TOKEN = "123456789:AAH-very-secret-token-value"


def write_config(folder: Path, text: str, name: str = "config.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(text: str, tmp_path: Path) -> str:
    """The message of the ConfigError that loading this TOML text raises."""
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    return str(caught.value)


# --- defaults and overrides ------------------------------------------------------------------


def test_no_file_gives_builtin_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./config.toml here
    settings = load_settings(environ={})
    assert settings.source is None
    assert settings == Settings()
    assert settings.telegram.token is None
    assert settings.telegram.api_base_url == DEFAULT_API_BASE_URL
    assert settings.telegram.mode == "polling"
    assert settings.timezone_name == "Europe/Brussels"
    assert settings.timezone.key == "Europe/Brussels"
    assert settings.town == "Bilzen"
    assert settings.database_path == PROJECT_ROOT / "var" / "bilzen.sqlite3"
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.contact.name == "Sociaal Huis Bilzen"
    assert settings.contact.phone and settings.contact.email and settings.contact.hours
    assert settings.search.max_results == 3
    assert settings.reminders.day_before_at == dt.time(18, 0)
    assert settings.reminders.weekly_weekday == 0
    assert settings.privacy.retention_months == 13


def test_config_toml_in_working_folder_is_found(tmp_path, monkeypatch):
    write_config(tmp_path, 'town = "Munsterbilzen"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.town == "Munsterbilzen"
    assert settings.source == tmp_path / "config.toml"


def test_token_from_environment_overrides_file(tmp_path):
    path = write_config(tmp_path, '[telegram]\ntoken = "111:from-file"\n')
    assert load_settings(path, environ={}).telegram.token == "111:from-file"
    assert load_settings(path, environ={"TELEGRAM_BOT_TOKEN": TOKEN}).telegram.token == TOKEN
    # An empty or blank variable does not wipe the token of the file.
    assert load_settings(path, environ={"TELEGRAM_BOT_TOKEN": "  "}).telegram.token == "111:from-file"


def test_token_from_environment_without_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n"})
    assert settings.telegram.token == TOKEN


def test_empty_token_in_file_means_no_token(tmp_path):
    path = write_config(tmp_path, '[telegram]\ntoken = "   "\n')
    assert load_settings(path, environ={}).telegram.token is None


def test_bot_config_variable_chooses_the_file(tmp_path, monkeypatch):
    write_config(tmp_path, 'town = "Hier"\n')  # ./config.toml, must lose against BOT_CONFIG
    chosen = write_config(tmp_path / "elders", 'town = "Daar"\n', name="bot.toml")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"BOT_CONFIG": str(chosen)})
    assert settings.town == "Daar"
    assert settings.source == chosen
    # An explicit path wins over the variable.
    assert load_settings(tmp_path / "config.toml", environ={"BOT_CONFIG": str(chosen)}).town == "Hier"


def test_bot_config_pointing_nowhere_is_an_error(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_settings(environ={"BOT_CONFIG": str(missing)})
    assert str(missing) in str(caught.value)


def test_relative_paths_resolve_from_the_config_folder(tmp_path, monkeypatch):
    folder = tmp_path / "etc" / "bot"
    path = write_config(folder, '[database]\npath = "state/bot.sqlite3"\n[data]\ndir = "../texts"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(path, environ={})
    assert settings.database_path == folder / "state" / "bot.sqlite3"
    assert settings.data_dir.resolve() == (tmp_path / "etc" / "texts").resolve()


def test_relative_config_path_is_resolved_too(tmp_path, monkeypatch):
    folder = tmp_path / "conf"
    write_config(folder, '[database]\npath = "db.sqlite3"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(Path("conf/config.toml"), environ={})
    assert settings.database_path == folder.resolve() / "db.sqlite3"
    assert settings.database_path.is_absolute()


def test_absolute_and_home_paths_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write_config(tmp_path, f'[database]\npath = "~/bot.sqlite3"\n[data]\ndir = "{tmp_path / "d"}"\n')
    settings = load_settings(path, environ={})
    assert settings.database_path == tmp_path / "home" / "bot.sqlite3"
    assert settings.data_dir == tmp_path / "d"


def test_every_section_can_be_set(tmp_path):
    path = write_config(
        tmp_path,
        """
town = "Bilzen-Hoeselt"
timezone = "Europe/Amsterdam"
[telegram]
api_base_url = "http://127.0.0.1:8081/bot"
admins = [11, 22]
mode = "webhook"
webhook_url = "https://bot.example.be/telegram"
webhook_port = 8080
webhook_secret = "s3cret"
[contact]
name = "OCMW"
phone = "089 11 11 11"
[search]
max_results = 5
page_size = 4
[reminders]
day_before_at = "19:30"
quiet_start = 22:00:00
weekly_day = "Vrijdag"
messages_per_second = 10
[privacy]
retention_months = 6
""",
    )
    s = load_settings(path, environ={})
    assert s.town == "Bilzen-Hoeselt"
    assert s.timezone.key == "Europe/Amsterdam"
    assert s.telegram.admins == (11, 22)
    assert s.telegram.mode == "webhook"
    assert s.telegram.webhook_url == "https://bot.example.be/telegram"
    assert s.telegram.webhook_port == 8080
    assert s.telegram.webhook_secret == "s3cret"
    assert s.telegram.file_url == "http://127.0.0.1:8081/file/bot"
    assert s.contact.name == "OCMW" and s.contact.phone == "089 11 11 11"
    assert s.contact.email == "sociaalhuis@example.be"  # untouched keys keep their default
    assert (s.search.max_results, s.search.page_size) == (5, 4)
    assert s.reminders.day_before_at == dt.time(19, 30)
    assert s.reminders.quiet_start == dt.time(22, 0)  # a TOML time works as well as a string
    assert s.reminders.weekly_weekday == 4
    assert s.reminders.messages_per_second == 10.0
    assert s.privacy.retention_months == 6


# --- every mistake names its key and what is expected -------------------------------------------


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ("town = 5", "town", "expected text"),
        ("[telegram]\napi_base_url = 5", "telegram.api_base_url", "expected text"),
        ('[telegram]\napi_base_url = "api.telegram.org"', "telegram.api_base_url", "http:// or https://"),
        ("[telegram]\nadmins = 123", "telegram.admins", "list of Telegram user ids"),
        ('[telegram]\nadmins = ["123"]', "telegram.admins", "list of Telegram user ids"),
        ("[telegram]\nadmins = [-5]", "telegram.admins", "list of Telegram user ids"),
        ('[telegram]\nmode = "push"', "telegram.mode", "one of polling, webhook"),
        ('[telegram]\nwebhook_port = "8443"', "telegram.webhook_port", "port number from 1 to 65535"),
        ("[telegram]\nwebhook_port = 0", "telegram.webhook_port", "port number from 1 to 65535"),
        ("[telegram]\nwebhook_port = 70000", "telegram.webhook_port", "65535"),
        ('[telegram]\nmode = "webhook"', "telegram.webhook_url", 'required when telegram.mode is "webhook"'),
        ('[telegram]\nmode = "webhook"\nwebhook_url = "bot.example.be"', "telegram.webhook_url", "https://"),
        ("[database]\npath = 1", "database.path", "expected text"),
        ("[data]\ndir = []", "data.dir", "expected text"),
        ("[contact]\nphone = 89000010", "contact.phone", "expected text"),
        ("[search]\nmax_results = 0", "search.max_results", "whole number above 0"),
        ("[search]\nmax_results = 2.5", "search.max_results", "whole number above 0"),
        ("[search]\npage_size = true", "search.page_size", "whole number above 0"),
        ('[reminders]\nhours_before = "2"', "reminders.hours_before", "whole number above 0"),
        ("[reminders]\nmessages_per_second = -1", "reminders.messages_per_second", "number above 0"),
        ('[reminders]\nweekly_day = "monday"', "reminders.weekly_day", "weekday in Dutch"),
        ("[privacy]\nretention_months = 0", "privacy.retention_months", "whole number above 0"),
        ('telegram = "x"', "telegram", "expected a table"),
    ],
)
def test_wrong_value_names_key_and_expectation(tmp_path, toml, key, expected):
    message = config_error(toml + "\n", tmp_path)
    assert message.startswith(f"{key}:") or f"{key!r}" in message or f"{key}:" in message, message
    assert expected in message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('"Europe/Brusels"', "'Europe/Brusels'"),
        ('"europe/brussels"', "'europe/brussels'"),
        ('"Europe"', "'Europe'"),  # a folder of the time zone database, not a zone
        ('"../../etc/passwd"', "'../../etc/passwd'"),
        ('""', "''"),
    ],
)
def test_bad_time_zone(tmp_path, value, shown):
    message = config_error(f"timezone = {value}\n", tmp_path)
    assert message.startswith("timezone:")
    assert 'time zone name like "Europe/Brussels"' in message
    assert shown in message


def test_time_zone_of_wrong_type(tmp_path):
    assert config_error("timezone = 1\n", tmp_path) == "timezone: expected text in quotes, got 1"


@pytest.mark.parametrize("value", ['"25:00"', '"18u"', '"zes uur"', "1800", '""', "2027-01-01T18:00:00"])
@pytest.mark.parametrize("key", ["day_before_at", "quiet_start", "quiet_end", "weekly_at"])
def test_bad_time(tmp_path, key, value):
    message = config_error(f"[reminders]\n{key} = {value}\n", tmp_path)
    assert message.startswith(f"reminders.{key}:")
    assert "expected" in message


@pytest.mark.parametrize(
    ("toml", "wrong", "suggestion"),
    [
        ('[telegram]\ntokn = "x"', "telegram.tokn", "token"),
        ('[telegram]\napi_base_uri = "https://x"', "telegram.api_base_uri", "api_base_url"),
        ('timezon = "Europe/Brussels"', "timezon", "timezone"),
        ("[contacts]\nname = 'x'", "contacts", "contact"),
        ("[reminders]\nweekly_weekday = 'maandag'", "reminders.weekly_weekday", "weekly_day"),
        ("[database]\nfile = 'x.sqlite3'", "database.file", None),
    ],
)
def test_unknown_key_is_refused_with_a_suggestion(tmp_path, toml, wrong, suggestion):
    message = config_error(toml + "\n", tmp_path)
    assert f"unknown key {wrong!r}" in message
    if suggestion:
        assert f"did you mean {suggestion!r}?" in message
    else:
        assert "did you mean" not in message
    assert "known keys here:" in message


def test_invalid_toml_names_the_file_and_the_place(tmp_path):
    path = write_config(tmp_path, 'town = "Bilzen"\n[telegram\ntoken = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    message = str(caught.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 2" in message


def test_config_not_utf8_is_a_config_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('town = "Bilzen"\n[contact]\nname = "Caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(path) in str(caught.value)


# --- the example file ------------------------------------------------------------------------


def test_example_parses_and_equals_the_defaults():
    settings = load_settings(EXAMPLE, environ={})
    assert dataclasses.replace(settings, source=None) == Settings()


def test_example_with_commented_keys_uncommented_still_gives_the_defaults(tmp_path):
    text = re.sub(r"(?m)^# (\w+ = )", r"\1", EXAMPLE.read_text(encoding="utf-8"))
    settings = load_settings(write_config(tmp_path, text), environ={})
    assert settings.telegram.webhook_url is None and settings.telegram.api_file_url is None
    # Relative paths now resolve from tmp_path; the rest equals the defaults.
    assert settings.database_path == tmp_path / "var" / "bilzen.sqlite3"
    assert settings.data_dir == tmp_path / "data"
    defaults = Settings()
    moved = dataclasses.replace(defaults, database_path=settings.database_path, data_dir=settings.data_dir)
    # The example names the default backup folder (beside the database) as a path of its own.
    assert settings.backup_folder == moved.backup_folder == tmp_path / "var" / "backups"
    moved = dataclasses.replace(moved, backup=settings.backup)
    assert dataclasses.replace(settings, source=None) == moved


def _known_keys(section: str) -> set[str]:
    """The keys the loader accepts in a section, as its unknown-key message lists them."""
    raw: dict = {"zz_unknown": 1} if not section else {section: {"zz_unknown": 1}}
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, environ={})
    listed = re.search(r"known keys here: (.*)$", str(caught.value))
    assert listed, str(caught.value)
    return set(listed.group(1).split(", "))


def test_example_documents_every_key_with_a_comment():
    text = EXAMPLE.read_text(encoding="utf-8")
    # Keys shown commented out ("# webhook_url = ...") count as documented.
    uncommented = re.sub(r"(?m)^# (\w+ = )", r"\1", text)
    document = tomllib.loads(uncommented)
    sections = {k for k, v in document.items() if isinstance(v, dict)}
    assert {k for k in document if k not in sections} | sections == _known_keys("")
    for section in sections:
        assert set(document[section]) == _known_keys(section), section
    # Every key line is preceded by a comment line (directly, or through other key lines of one group).
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^\w+ = ", line):
            before = [text for text in lines[:number] if text.strip()]
            assert before and (before[-1].startswith("#") or re.match(r"^\w+ = ", before[-1])), line


# --- the token stays secret ---------------------------------------------------------------------


def test_token_never_in_repr_or_str(tmp_path):
    path = write_config(tmp_path, f'[telegram]\ntoken = "{TOKEN}"\nwebhook_secret = "hush-hush-42"\n')
    settings = load_settings(path, environ={})
    assert settings.telegram.token == TOKEN
    for shown in (repr(settings), str(settings), repr(settings.telegram), str(settings.telegram), f"{settings}"):
        assert TOKEN not in shown
        assert "very-secret" not in shown
        assert "hush-hush-42" not in shown
    assert "token=<set>" in repr(settings.telegram)
    assert "token=<not set>" in repr(TelegramSettings())


def test_token_of_wrong_type_is_not_echoed(tmp_path):
    message = config_error('[telegram]\ntoken = ["123456789:AAH-very-secret-token-value"]\n', tmp_path)
    assert message.startswith("telegram.token:")
    assert "very-secret" not in message


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.town = "Elders"  # type: ignore[misc]
