"""`python -m bot run` as an operator starts it: a real process, configured by config.toml, talking to the
Bot API server named there (here the fake one), and stopping cleanly on SIGTERM. Its log never shows the token."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

from tests.fakebotapi import FakeBotApi
from tests.helpers import PROJECT_ROOT

TOKEN = "123456:TEST-TOKEN"


async def test_run_answers_through_the_configured_server_and_stops_on_sigterm(tmp_path, fake_api: FakeBotApi):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{fake_api.base_url}"\n'
        f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n',
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run",
        cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not fake_api.calls_to("getUpdates"):
            assert process.returncode is None, (await process.stderr.read()).decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the bot did not start polling within 30 s"
            await asyncio.sleep(0.05)
        (welcome,) = await fake_api.user(801, first_name="Mia").send("/start", timeout=10)
        assert welcome.text is not None and welcome.text.startswith("Dag Mia!")
        commands = {c["command"] for c in fake_api.calls_to("setMyCommands")[0].params["commands"]}
        assert {"start", "weekoverzicht", "hulp", "privacy", "vergeet", "stop"} <= commands
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "is running" in log and "stopping" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
