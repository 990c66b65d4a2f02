"""The care check comes before anything else a question goes through, on every channel.

Telegram and the terminal chat both ask `Conversation.ask`; `python -m bot ask` asks `CareDesk.answer_for`.
A crisis must never reach the search (nor its 'bedoelde je'), the question log's text or a log line; an
ordinary question still goes to the search as before. Here on a real core, with the search watched.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.search.matcher import SearchResult
from tests.helpers import clock_at, make_settings

CRISES = ["ik wil dood", "mijn man slaat mij", "er is brand!!", "we hebben geen eten meer in huis"]
SECRET = "Kapelstraatje"  # a word of the message that must be nowhere afterwards


@pytest.fixture
async def core(tmp_path) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 13, 10, 0), load_sample=False)
    yield opened
    await opened.close()


@pytest.fixture
def searched(core: Core, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the search is asked about, from now on."""
    seen: list[str] = []
    search = core.search.search

    async def watched(text: str, **kwargs: Any) -> SearchResult:
        seen.append(text)
        return await search(text, **kwargs)

    monkeypatch.setattr(core.search, "search", watched)
    return seen


@pytest.mark.parametrize("crisis", CRISES)
async def test_a_crisis_in_the_chat_never_reaches_the_search_the_question_log_or_a_log_line(
    core, searched, crisis, caplog
):
    caplog.set_level(logging.DEBUG)
    reply = await core.conversation.ask(Who(41, 41), f"{crisis}, ik woon in het {SECRET}")
    assert reply.data["care"] in ("suicide", "violence", "emergency", "material")
    assert reply.data["hits"] == [] and len(reply.messages) == 1
    assert searched == []
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == 0
    assert await core.db.fetchval("SELECT sum(messages) FROM care_counts") == 1
    assert SECRET not in caplog.text and crisis not in caplog.text


@pytest.mark.parametrize("crisis", CRISES)
async def test_a_crisis_on_the_command_line_never_reaches_the_search(core, searched, crisis):
    answer = await core.care.answer_for(crisis)
    assert answer.assessment.crisis and answer.result is None
    assert searched == []


async def test_an_ordinary_question_still_goes_to_the_search(core, searched):
    reply = await core.conversation.ask(Who(42, 42), "ballonvaart")
    assert searched == ["ballonvaart"] and "care" not in reply.data
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == 1
    assert (await core.care.answer_for("ballonvaart")).result is not None
