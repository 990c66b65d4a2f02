"""Learned words (bot/teach/learned.py): a link teaches the offer the rare words of the question it lacks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.chat.conversation import Who
from bot.core import open_core
from tests.helpers import clock_at, make_settings

PERSON = Who(7, 7, "Test")
SEWING = "naaiatelier-share-care"
TAUGHT = "ik wil leren stikken op een machine"
DIMENSIONS = 16


@pytest.fixture
async def core(tmp_path):
    core = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 20, 10, 0))
    core.teacher.embed = None  # words only: fast, and the same answers on every machine
    yield core
    await core.close()


def hits(reply) -> list[str]:
    return list(reply.data.get("hits", []))


async def test_a_link_teaches_the_offer_the_rare_words_it_lacks_and_undo_takes_them_back(core):
    lesson = await core.teacher.store.add("link", [TAUGHT], offers=[SEWING], actor="cli")
    learned = (await core.teacher.learned_words())[SEWING]
    assert "stik" in learned  # the offer says 'naaien'; people say 'stikken'
    assert not {"leer", "wil"} & set(learned)  # 'leren' is the offer's own word; 'wil' is filler
    await core.offers.rebuild_index()
    assert "stik" in (await core.teacher.learned_words())[SEWING]  # kept through reindex
    await core.teacher.store.undo(lesson.id, actor="cli")
    assert await core.teacher.learned_words() == {}


async def test_common_words_and_words_of_a_need_are_never_learned(core):
    await core.teacher.store.add(
        "link", ["mijn kinderen willen na school iets doen maar ik heb geen auto"], offers=[SEWING], actor="cli"
    )
    assert await core.teacher.learned_words() == {}


def meanings(close: dict[str, float]):
    """A stand-in for the model: the taught question along one axis, each question in `close` at that cosine
    to it, every other question (nearly) orthogonal to both."""
    axis = np.zeros(DIMENSIONS)
    axis[0] = 1.0

    def embed(text: str) -> np.ndarray:
        if text == TAUGHT:
            return axis
        if text in close:
            vector = np.zeros(DIMENSIONS)
            vector[0], vector[1] = close[text], math.sqrt(1 - close[text] ** 2)
            return vector
        vector = np.random.default_rng(sum(map(ord, text))).normal(size=DIMENSIONS)
        vector[:2] = 0.0
        return vector / np.linalg.norm(vector)

    return embed


async def test_a_learned_word_in_another_question_finds_the_offer_and_nothing_else_changes(core):
    other = "stikken op dinsdag"  # nothing like the taught question in words
    core.teacher.embed = meanings({other: 0.89})  # and only somewhat in meaning
    unrelated = ["een nieuwe machine kopen", "zwemmen op dinsdag", "gratis dit weekend", "naaien op dinsdag"]
    assert hits(await core.conversation.ask(PERSON, other)) == []
    before = {q: hits(await core.conversation.ask(PERSON, q)) for q in unrelated}
    lesson = await core.teacher.store.add("link", [TAUGHT], offers=[SEWING], actor="cli")
    assert await core.teacher.matches(other) == []  # not worded like the taught question
    assert hits(await core.conversation.ask(PERSON, other))[:1] == [SEWING]  # 'stikken' was learned
    assert {q: hits(await core.conversation.ask(PERSON, q)) for q in unrelated} == before
    assert (await core.teacher.store.get(lesson.id)).uses == 1  # type: ignore[union-attr]
    await core.teacher.store.undo(lesson.id, actor="cli")
    assert hits(await core.conversation.ask(PERSON, other)) == []
