"""Logs: one line per event, never the token, never what people wrote, also with everything at DEBUG
(--verbose) and while the Bot API fails in every way the fake server can."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import traceback

import pytest

from bot.platform import logs
from handlers.app import run_bot
from tests import fakebotapi
from tests.helpers import clock_at, eventually, make_settings
from tests.telegram.faultmatrix import production_builder

QUESTION = "ballonvaart boven het kasteel xyzzyplugh"  # a made-up word that must never reach a log line


def everything(record: logging.LogRecord) -> str:
    """All text a handler could ever make of a record."""
    parts = [record.getMessage(), str(record.msg), repr(record.args), record.exc_text or "", record.stack_info or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    parts.append(logs.OneLineFormatter(logs.FORMAT).format(record))
    return "\n".join(parts)


@pytest.fixture
def verbose():
    """`python -m bot --verbose`: our logging set-up with everything at DEBUG; the lines it writes are returned."""
    root = logging.getLogger()
    level = root.level
    saved = {name: logging.getLogger(name).level for name in (*logs.QUIET_LIBRARIES, *logs.NEVER_VERBOSE)}
    stream = io.StringIO()
    logs.configure(verbose=True, stream=stream)
    try:
        yield stream
    finally:
        for handler in [h for h in root.handlers if isinstance(h, logs.OurHandler)]:
            root.removeHandler(handler)
        root.setLevel(level)
        for name, old_level in saved.items():
            logging.getLogger(name).setLevel(old_level)


@pytest.mark.parametrize("transport", ["aiohttp (the bot's own)", "httpx (PTB's default)"])
async def test_no_record_holds_the_token_or_a_message_text_while_the_api_fails(
    tmp_path, fake_api, caplog, verbose, transport
):
    caplog.set_level(logging.DEBUG)
    secret_part = fake_api.token.split(":")[1]
    settings = make_settings(tmp_path)
    settings = dataclasses.replace(
        settings, telegram=dataclasses.replace(settings.telegram, token=fake_api.token, api_base_url=fake_api.base_url)
    )
    if transport.startswith("httpx"):
        builder = fakebotapi.app_builder(fake_api, read_timeout=0.5, write_timeout=0.5, connect_timeout=0.5)
    else:
        builder = production_builder(fake_api, 0.5)
    redacted_before = logs.REDACTOR.redacted
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, stop=stop, builder=builder, clock=clock_at(2027, 1, 13, 10, 0)))
    user = fake_api.user(501)
    try:
        await eventually(lambda: fake_api.calls_to("getUpdates") or bot.done(), what="polling")
        await user.send("/start")
        await user.send(QUESTION)
        # Every kind of failure on the way out...
        for fault in (
            {"status": 500},
            {"status": 502},
            {"drop": True},
            {"hang": 2},
            {"status": 429, "retry_after": 0.1},
        ):
            fake_api.faults.add("sendMessage", **fault)
            await user.send(QUESTION, timeout=8)
        # ...and on the way in: the next two polls fail, then polling recovers by itself.
        drop = fake_api.faults.add("getUpdates", drop=True)
        bad_gateway = fake_api.faults.add("getUpdates", status=502)
        await user.send(QUESTION)  # answered from the long poll already waiting
        await user.send(QUESTION, timeout=10)  # answered once polling works again
        assert drop.served == bad_gateway.served == 1
        # Then the server is gone altogether: connection refused.
        await fake_api.stop()
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await asyncio.wait_for(bot, 15)

    records = caplog.records
    assert len(records) > 100
    leaks = [everything(r)[:300] for r in records if secret_part in everything(r)]
    assert not leaks, leaks[:3]
    texts = [everything(r)[:300] for r in records if "xyzzyplugh" in everything(r)]
    assert not texts, texts[:3]
    # The test looked at real leaks: records that held the token were made and cleaned.
    assert logs.REDACTOR.redacted > redacted_before
    assert any(logs.REDACTED in r.getMessage() for r in records if r.name.startswith("telegram"))  # "Set Bot API URL"
    if transport.startswith("httpx"):
        assert any(logs.REDACTED in r.getMessage() for r in records if r.name == "httpx")  # "HTTP Request: POST"
    assert any("Processing update <update" in r.getMessage() for r in records)
    # What the coordinator reads: one line per event.
    formatter = logs.OneLineFormatter(logs.FORMAT)
    assert all("\n" not in formatter.format(r) for r in records)
    assert any(r.name == "handlers.app" and "could not fetch updates from Telegram" in r.getMessage() for r in records)
    # The lines as written to stderr (journald, docker logs): the same, and truly one per record.
    written = verbose.getvalue().splitlines()
    assert len(written) >= len([r for r in records if r.name != "aiosqlite"])
    assert not [line for line in written if secret_part in line or "xyzzyplugh" in line]


def test_a_traceback_with_the_token_becomes_one_clean_line():
    logs.protect(["987654:ABCDEF-very-secret"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.OneLineFormatter(logs.FORMAT))
    log = logging.getLogger("tests.logs")
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError("POST https://api.telegram.org/bot987654:ABCDEF-very-secret/sendMessage failed\nline 2")
        except RuntimeError:
            log.error("sending failed for %s", "https://x/bot987654%3AABCDEF-very-secret/getMe", exc_info=True)
    finally:
        log.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    assert "ABCDEF-very-secret" not in line
    assert line.count(logs.REDACTED) == 3  # the message, the exception, the source line in the traceback
    assert "RuntimeError" in line and "Traceback" in line and " | " in line


def test_verbose_logs_everything_of_ours_but_never_sql_parameters(verbose):
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.WARNING
    (ours,) = [h for h in root.handlers if isinstance(h, logs.OurHandler)]
    logs.configure(verbose=False, stream=verbose)
    assert root.level == logging.INFO
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert ours not in root.handlers  # configuring again replaces our handler, it does not add one
    # Should aiosqlite's debug lines be switched on anyway, their SQL parameters are hidden.
    logging.getLogger("aiosqlite").setLevel(logging.DEBUG)
    logging.getLogger("aiosqlite").debug("executing %s", "INSERT INTO people VALUES (501, 'Anna')")
    assert "Anna" not in verbose.getvalue() and "executing <hidden>" in verbose.getvalue()
