"""Shared fixtures: a fake Bot API server per test, and helpers to run a real PTB Application on it.

async def test_hello(fake_api, app_builder, running_app):
    app = app_builder.build()
    app.add_handler(CommandHandler("start", start))
    async with running_app(app):
        replies = await fake_api.user(1001).send("/start")
    assert replies.texts == ["Welkom!"]
"""

import asyncio
import os
from collections.abc import AsyncIterator

# Opt in to PTB's timedelta time periods. Without it PTB emits a PTBDeprecationWarning whenever it
# builds a RetryAfter (every 429) or reads a duration, and our warnings-are-errors config turns
# that into a failure inside PTB's request code.
os.environ["PTB_TIMEDELTA"] = "true"
# The suite runs on the word lists alone: fast and the same on every machine (also without AVX2).
# tests/search/test_semantic.py loads the real model itself where a test is about it.
os.environ.setdefault("BILZEN_SEMANTIC", "off")

import pytest
from telegram.ext import ApplicationBuilder

from tests import fakebotapi
from tests.fakebotapi import FakeBotApi


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API server on 127.0.0.1, stopped after the test."""
    async with FakeBotApi() as api:
        yield api
    await asyncio.sleep(0)  # let cancelled tasks finish
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not leftover, f"tasks still pending after the test: {leftover}"


@pytest.fixture
def app_builder(fake_api: FakeBotApi) -> ApplicationBuilder:
    """An ApplicationBuilder aimed at ``fake_api`` with short timeouts; add settings, then build()."""
    return fakebotapi.app_builder(fake_api)


@pytest.fixture
def running_app():
    """``async with running_app(app):`` starts long polling and shuts the Application down cleanly."""
    return fakebotapi.running_app
