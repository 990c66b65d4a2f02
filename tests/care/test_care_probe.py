"""The care probe: the model's second opinion beside the word lists, and what a person gets from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from bot.care.probe import LABELS, NONE, CareProbe, Guess, ProbeError, ProbeWeights, train
from bot.chat import actions
from bot.chat.conversation import Who
from bot.core import Core, open_core
from tests.helpers import DATA, clock_at, make_settings

AXES = {label: np.eye(len(LABELS), dtype=np.float32)[i] for i, label in enumerate(LABELS)}


def toy_weights(threshold: float = 0.6) -> ProbeWeights:
    """A probe trained on vectors that point straight at their label: easy to reason about."""
    rng = np.random.default_rng(1)
    labels = [label for label in LABELS for _ in range(20)]
    vectors = np.stack([AXES[label] + rng.normal(0, 0.05, len(LABELS)) for label in labels])
    return train(vectors, labels, penalty=1e-4, threshold=threshold, model="toy", examples="toy", steps=500)


def test_the_probe_speaks_only_above_its_threshold_and_never_without_the_model() -> None:
    vectors = {"help": AXES["suicide"], "zwemmen": AXES[NONE], "?": (AXES["suicide"] + AXES[NONE]) / 2}
    probe = CareProbe(toy_weights(), embed=lambda text: vectors.get(text))
    assert probe.guess("help") == Guess("suicide", pytest.approx(probe.guess("help").probability))  # type: ignore[union-attr]
    assert probe.guess("help").probability > 0.6  # type: ignore[union-attr]
    assert probe.guess("zwemmen") is None
    assert probe.guess("?") is None  # half sure is not sure enough
    assert probe.guess("no vector: the model is not there") is None


def test_weights_survive_a_round_trip_and_a_damaged_file_is_named(tmp_path: Path) -> None:
    weights = toy_weights()
    weights.save(tmp_path / "probe.npz")
    loaded = ProbeWeights.load(tmp_path / "probe.npz")
    assert loaded.labels == LABELS and loaded.threshold == weights.threshold
    assert np.allclose(loaded.weights, weights.weights)
    (tmp_path / "bad.npz").write_bytes(b"not a probe")
    with pytest.raises(ProbeError, match=r"bad\.npz"):
        ProbeWeights.load(tmp_path / "bad.npz")
    with pytest.raises(ProbeError, match="not found"):
        ProbeWeights.load(tmp_path / "missing.npz")


def test_the_shipped_probe_loads_for_the_model_the_search_uses() -> None:
    weights = ProbeWeights.load(DATA / "care_probe.npz")
    assert weights.labels == LABELS and weights.mean.shape == (384,)
    assert "e5-small" in weights.model and 0.5 <= weights.threshold < 1


class Watching(CareProbe):
    """A probe that sees a crisis in one message only, and remembers what it was asked."""

    def __init__(self, crisis: str) -> None:
        self.crisis = crisis
        self.asked: list[str] = []

    def guess(self, text: str) -> Guess | None:
        self.asked.append(text)
        return Guess("suicide", 0.9) if text == self.crisis else None


@pytest.fixture
async def core(tmp_path) -> AsyncIterator[Core]:
    opened = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 13, 10, 0))
    yield opened
    await opened.close()


async def test_a_crisis_only_the_model_sees_gets_the_lines_and_the_leisure_answer_one_tap_away(core, monkeypatch):
    unclear = "ik wil gewoon dat het stopt, zwemmen helpt soms"
    watching = Watching(unclear)
    monkeypatch.setattr(core.care, "probe", watching)
    reply = await core.conversation.ask(Who(7, 7), unclear)
    (message,) = reply.messages
    assert reply.data["care"] == "suicide" and reply.data["hits"] == []
    assert "1813" in message.plain and "vrije tijd" in message.plain
    taps = [b for row in message.buttons for b in row if b.action]
    assert len(taps) == 1 and isinstance(actions.decode(taps[0].action or ""), actions.Page)
    cards = await core.conversation.act(Who(7, 7), taps[0].action or "")
    assert any("zwem" in m.plain.lower() for m in cards.messages)
    assert await core.db.fetchval("SELECT count(*) FROM question_log") == 0  # counted as care, never its text
    assert await core.db.fetchval("SELECT sum(messages) FROM care_counts") == 1


async def test_the_word_lists_speak_first_and_sure(core, monkeypatch):
    watching = Watching("nothing")
    monkeypatch.setattr(core.care, "probe", watching)
    assessment = await core.care.assess("ik wil dood")
    assert assessment.category == "suicide" and assessment.sure and watching.asked == []
    reply = await core.conversation.ask(Who(8, 8), "ik wil dood")
    assert not any(b.action for row in reply.messages[0].buttons for b in row)  # no way to leisure offers
    assert (await core.care.assess("goedkoop zwemmen")).category is None and watching.asked == ["goedkoop zwemmen"]
