"""What the bot proposes on the sample offers: not what one can no longer sign up for, not what is full or
postponed; the matcher's own answer (`ask --json`) stays the answer to the question as asked."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.chat.conversation import Who
from bot.core import Core, open_core
from bot.platform.calendar import ManualClock
from tests.helpers import brussels, make_settings

WHO = Who(user_id=501, chat_id=501, first_name="Mila")
TRIP = "kerstmarkt-valkenburg-busreis"  # 10 December, registration until 3 December


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(2026, 12, 1, 10, 0))


@pytest.fixture
async def core(tmp_path, clock) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock)
    yield opened
    await opened.close()


async def week_list(core: Core) -> str:
    reply = await core.conversation.act(WHO, "c1:b:week")
    return reply.messages[0].plain


async def test_before_the_deadline_the_trip_is_proposed_with_until_when(core, clock):
    reply = await core.conversation.ask(WHO, "busreis naar de kerstmarkt")
    assert TRIP in reply.data["hits"]
    assert "⏳ Schrijf je in vóór vrijdag 4 december." in reply.messages[0].plain
    clock.set(brussels(2026, 12, 3, 10, 0))  # its last day
    assert "Valkenburg" in await week_list(core)
    reply = await core.conversation.ask(WHO, "busreis naar de kerstmarkt")
    assert "⏳ Schrijf je in vóór morgen." in reply.messages[0].plain


async def test_after_the_deadline_the_trip_is_no_longer_proposed(core, clock):
    clock.set(brussels(2026, 12, 5, 10, 0))
    assert "Valkenburg" not in await week_list(core)
    reply = await core.conversation.ask(WHO, "busreis naar de kerstmarkt")
    assert TRIP not in reply.data["hits"]
    matcher = await core.search.search("busreis naar de kerstmarkt")
    assert TRIP in [h.offer_id for h in matcher.hits]  # ask --json keeps the matcher's answer
    stored = await core.offers.get(TRIP)
    assert stored is not None
    info = await core.conversation.act(WHO, f"c1:i:{stored.pk}")  # an old card's 'Meer info' still says why
    assert "⛔ Inschrijven kan niet meer." in info.messages[0].plain


@pytest.mark.parametrize("availability", ["full", "postponed"])
async def test_a_full_or_postponed_offer_is_not_proposed(core, availability):
    stored = await core.offers.get(TRIP)
    assert stored is not None
    changed = dataclasses.replace(stored.offer, availability=availability)
    await core.offers.save(changed, source="test", actor="test", status="published")
    reply = await core.conversation.ask(WHO, "busreis naar de kerstmarkt")
    assert TRIP not in reply.data["hits"]
