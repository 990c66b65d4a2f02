"""Shared by the end-to-end tests: our bot (the Application and its core) on the fake Bot API server.

A test module says how its bot is set up by overriding `settings`, `clock`, `load_sample` or `builder`;
`opened` builds the bot as in production (handlers.app.open_bot), `core` is its core, and `bot` runs it,
long polling the fake server, once the reminder schedule has been rebuilt at start-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application, ApplicationBuilder

from bot.core import Core
from bot.platform.calendar import ManualClock
from bot.platform.config import Settings
from handlers.app import open_bot
from tests.helpers import clock_at, make_settings


@pytest.fixture
def clock() -> ManualClock:
    return clock_at(2027, 1, 13, 10, 0)  # a Wednesday


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def load_sample() -> bool:
    """Whether an empty database gets the sample offers of data/, as on a fresh install."""
    return True


@pytest.fixture
def builder(app_builder: ApplicationBuilder) -> ApplicationBuilder | None:
    """The fake server's builder; None builds from the settings as in production (our HTTP transport)."""
    return app_builder


@pytest.fixture
async def opened(settings, clock, builder, load_sample) -> AsyncIterator[tuple[Application, Core]]:
    app, core = await open_bot(settings, builder, clock=clock, load_sample=load_sample)
    yield app, core
    await core.close()


@pytest.fixture
def core(opened: tuple[Application, Core]) -> Core:
    return opened[1]


@pytest.fixture
async def bot(opened: tuple[Application, Core], fake_api, running_app) -> AsyncIterator[Application]:
    app, core = opened
    async with running_app(app):
        await asyncio.wait_for(core.reminders.started.wait(), 5)  # the start-up job rebuilt the schedule
        yield app
