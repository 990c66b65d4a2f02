"""`python -m bot check`: config, data files, database, backups and the token (getMe against the fake Bot API),
each problem said in plain words, exit status 1 when something must be fixed."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys

import pytest

from bot.ops.check import run_checks
from bot.platform.config import PROJECT_ROOT
from bot.platform.db import Database, load_migrations
from tests.helpers import DATA, free_port

LATEST = load_migrations()[-1].version


def write_config(tmp_path, fake_api, *, token=None, base_url=None, telegram="", extra="") -> os.PathLike:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{token or fake_api.token}"\napi_base_url = "{base_url or fake_api.base_url}"\n{telegram}'
        f'[database]\npath = "var/bot.sqlite3"\n{extra}',
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def lines(report, level: str) -> list[str]:
    return [f"{f.topic}: {f.text}" for f in report.findings if f.level == level]


async def test_a_good_install_passes(tmp_path, fake_api):
    config = write_config(tmp_path, fake_api)
    db = await Database.open(tmp_path / "var" / "bot.sqlite3")
    await db.close()
    report = await run_checks(config, environ={})
    assert lines(report, "problem") == []
    text = report.text()
    assert "token: Telegram knows the token: the bot is @BilzenTestBot" in text
    assert f"schema version {LATEST}" in text and "intact" in text
    assert text.endswith("All good: the bot can run.\n")
    assert fake_api.calls_to("getMe")


async def test_a_wrong_token_is_named_without_showing_it(tmp_path, fake_api):
    wrong = "123456:WRONG-token-from-a-typo"
    report = await run_checks(write_config(tmp_path, fake_api, token=wrong), environ={})
    assert lines(report, "problem") == ["token: Telegram refused the token (it is wrong or was revoked)"]
    text = report.text()
    assert "WRONG-token" not in text
    assert "1 problem to fix" in text
    # The database does not exist yet: that is a note, not a problem.
    assert any("does not exist yet" in line for line in lines(report, "note"))


async def test_an_unreachable_or_hanging_bot_api_is_a_problem(tmp_path, fake_api):
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    report = await run_checks(write_config(tmp_path, fake_api, base_url=nowhere), environ={})
    (problem,) = lines(report, "problem")
    assert problem == (f"token: could not reach the Telegram Bot API at {nowhere.removesuffix('/bot')} "
                       "(httpx.ConnectError: All connection attempts failed)")  # fmt: skip
    assert fake_api.token.split(":")[1] not in report.text()

    fake_api.faults.add("getMe", hang=5)
    report = await run_checks(write_config(tmp_path, fake_api), environ={}, api_seconds=0.3)
    assert lines(report, "problem") == ["token: no answer from the Telegram Bot API at " + fake_api.base_url[:-4]
                                        + " within 0.3 s"]  # fmt: skip


async def test_no_token_and_a_broken_config(tmp_path, fake_api):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "var/bot.sqlite3"\n', encoding="utf-8")
    report = await run_checks(config, environ={})
    assert any("no Telegram token" in line for line in lines(report, "problem"))
    config.write_text("[telegram]\ntokne = 'x'\n", encoding="utf-8")
    report = await run_checks(config, environ={})
    (problem,) = lines(report, "problem")
    assert "unknown key 'telegram.tokne'" in problem and "did you mean 'token'" in problem
    assert "Nothing else was checked" in problem
    assert len(report.findings) == 1


async def test_a_token_in_a_file_others_can_read_is_a_problem(tmp_path, fake_api):
    config = write_config(tmp_path, fake_api)
    config.chmod(0o644)
    report = await run_checks(config, environ={})
    assert lines(report, "problem") == [f"config: {config} holds the bot token and other users of this computer "
                                        f"can read it; fix: chmod 600 {config}"]  # fmt: skip
    # The token from the environment instead: the file holds no secret.
    config.write_text(f'[telegram]\napi_base_url = "{fake_api.base_url}"\n', encoding="utf-8")
    report = await run_checks(config, environ={"TELEGRAM_BOT_TOKEN": fake_api.token})
    assert lines(report, "problem") == []


async def test_database_problems(tmp_path, fake_api):
    config = write_config(tmp_path, fake_api)
    path = tmp_path / "var" / "bot.sqlite3"
    db = await Database.open(path)
    await db.close()

    path.chmod(0o644)
    report = await run_checks(config, environ={})
    assert any("other users of this computer can read bot.sqlite3" in p for p in lines(report, "problem"))
    path.chmod(0o600)

    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST - 1}")
    conn.close()
    report = await run_checks(config, environ={})
    assert lines(report, "problem") == []
    assert any(f"upgraded from version {LATEST - 1} to {LATEST} at the next start" in o for o in lines(report, "ok"))

    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    report = await run_checks(config, environ={})
    assert any(f"schema version {LATEST + 1}, newer than this program" in p for p in lines(report, "problem"))

    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8192)
    report = await run_checks(config, environ={})
    (problem,) = lines(report, "problem")
    assert problem.startswith(f"database: {path}") and ("damaged" in problem or "not a readable SQLite" in problem)


async def test_edited_data_files_are_checked_against_what_the_bot_needs(tmp_path, fake_api):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    texts = (data / "texts.nl.toml").read_text(encoding="utf-8")
    texts = texts.replace('slow_down = "Even geduld', 'slow_dwn = "Even geduld')
    texts = texts.replace("Bel {name}: {phone}.", "Bel {naam}: {phone}.")
    (data / "texts.nl.toml").write_text(texts, encoding="utf-8")
    (data / "lexicon.toml").write_text("[synonyms\n", encoding="utf-8")
    (data / "holidays.toml").write_text('[[holiday]]\nname = "krokus"\nfirst = "morgen"\n', encoding="utf-8")
    config = write_config(tmp_path, fake_api, extra='[data]\ndir = "data"\n')
    report = await run_checks(config, environ={})
    problems = lines(report, "problem")
    assert f"texts: {data / 'texts.nl.toml'}: the text 'errors.slow_down' is missing" in problems
    assert (
        f"texts: {data / 'texts.nl.toml'}: errors.general uses {{naam}}, which the bot does not fill in there"
        in problems
    )
    assert any(p.startswith("word list:") and "not valid TOML" in p for p in problems)
    assert any(p.startswith("holidays:") and "holiday 1 needs name, first and last" in p for p in problems)
    assert len(problems) == 4


async def test_the_command_prints_and_exits_non_zero_on_a_problem(tmp_path, fake_api):
    """The real `python -m bot check`, against the fake server running in this test."""

    async def check(config) -> tuple[int, str]:
        environ = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "BOT_CONFIG")}
        environ["PYTHONPATH"] = str(PROJECT_ROOT)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "check",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path, env=environ,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode, out.decode()

    code, out = await check(write_config(tmp_path, fake_api))
    assert code == 0, out
    assert "ok      token: Telegram knows the token: the bot is @BilzenTestBot" in out
    code, out = await check(write_config(tmp_path, fake_api, token="123456:NOT-the-right-one"))
    assert code == 1
    assert "PROBLEM token: Telegram refused the token" in out and "NOT-the-right-one" not in out


@pytest.mark.parametrize("secret", ["has space", "ä-umlaut", "x" * 257])
async def test_a_webhook_secret_telegram_would_refuse_is_a_config_problem(tmp_path, fake_api, secret):
    webhook = f'mode = "webhook"\nwebhook_url = "https://bot.example.be/tg"\nwebhook_secret = "{secret}"\n'
    config = write_config(tmp_path, fake_api, telegram=webhook)
    report = await run_checks(config, environ={})
    (problem,) = lines(report, "problem")
    assert "telegram.webhook_secret: use 1 to 256 letters, digits, _ and - only" in problem
    assert secret not in problem
