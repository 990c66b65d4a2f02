"""Failure tests against the fake Bot API server: for every fault it can inject, the bot keeps serving other
people, loses no draft, and recovers by itself once the server is healthy (tests/telegram/faultmatrix.py runs them;
bench/fault_matrix.py prints the same scenarios as a table)."""

from __future__ import annotations

import pytest

from handlers import render
from tests.telegram import faultmatrix
from tests.telegram.faultmatrix import FAULTS


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """The pauses between tries of a reply, shortened: what is tested is that they happen, not their length."""
    monkeypatch.setattr(render, "RETRY_DELAYS", (0.1, 0.3))


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_failing_chat_does_not_stop_others_and_loses_no_draft(fake_api, tmp_path, fault):
    async with faultmatrix.running_bot(fake_api, tmp_path) as (core, _app):
        outcome = await faultmatrix.per_chat_fault(fake_api, core, fault)
    assert outcome.others_served, outcome
    assert outcome.draft_kept, outcome
    assert not outcome.hit_answered, outcome  # the fault lasted: nothing reached the person meanwhile
    assert outcome.recovered, outcome  # once healthy: /nieuw brings the draft back and it is confirmed
    assert "draft confirmed after recovery: True" in outcome.notes
    if fault == "403 (blocked)":
        assert "marked blocked: True" in outcome.notes


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "403 (blocked)"])
async def test_a_short_outage_costs_nobody_their_answer(fake_api, tmp_path, fault):
    async with faultmatrix.running_bot(fake_api, tmp_path) as (core, _app):
        outcome = await faultmatrix.short_outage(fake_api, core, fault)
    assert outcome.hit_answered, outcome
    assert sum(fake_api.faults.served.values()) == 2


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "403 (blocked)"])
async def test_polling_recovers_by_itself(fake_api, tmp_path, fault):
    async with faultmatrix.running_bot(fake_api, tmp_path) as (core, _app):
        outcome = await faultmatrix.polling_fault(fake_api, core, fault)
    assert outcome.recovered, outcome


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_reminder_batch_through_failures_loses_no_reminder_and_sends_none_twice(fake_api, tmp_path, fault):
    async with faultmatrix.running_bot(fake_api, tmp_path) as (core, app):
        outcome = await faultmatrix.reminder_batch(fake_api, core, app, fault)
    assert outcome.others_served, outcome  # a question during the batch is answered
    assert outcome.recovered, outcome  # every reminder arrived exactly once (none for who blocked the bot)
    (states,) = [n for n in outcome.notes if n.startswith("outbox")]
    blocked = fault == "403 (blocked)"
    assert states == (
        f"outbox dropped 1, sent {faultmatrix.BATCH - 1}" if blocked else f"outbox sent {faultmatrix.BATCH}"
    )
