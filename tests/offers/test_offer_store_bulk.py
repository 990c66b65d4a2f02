"""Big imports: analysed in worker processes and written chunk by chunk, with the same result."""

from __future__ import annotations

import sqlite3

import pytest

from bot.offers import store as store_module
from bot.offers.fileformat import read_offer_file
from bot.offers.store import OfferStore
from bot.platform.db import Database
from bot.search.analyzer import Analyzer
from bot.search.lexicon import load_lexicon
from tests.helpers import DATA, FIXTURES, TZ, clock_at

TABLES = ("offers", "offer_text", "vocabulary", "occurrences")


def contents(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {
            "offers": conn.execute(
                "SELECT pk, id, status, data, first_start, last_end FROM offers ORDER BY pk"
            ).fetchall(),
            "offer_text": conn.execute("SELECT rowid, * FROM offer_text ORDER BY rowid").fetchall(),
            "vocabulary": conn.execute("SELECT * FROM vocabulary ORDER BY word").fetchall(),
            "occurrences": conn.execute("SELECT * FROM occurrences ORDER BY offer_pk, start").fetchall(),
        }
    finally:
        conn.close()


async def save_all(path, offers) -> None:
    db = await Database.open(path)
    try:
        store = OfferStore(db, Analyzer(load_lexicon(DATA / "lexicon.toml")), clock_at(2027, 1, 4, 9, 0), TZ)
        summary = await store.save_many(offers, source="test", actor="test")
        assert summary.added == len(offers)
    finally:
        await db.close()


@pytest.mark.parametrize("workers_possible", [True, False])
async def test_chunked_and_parallel_import_writes_exactly_what_one_pass_writes(tmp_path, monkeypatch, workers_possible):
    offers = read_offer_file(FIXTURES / "eval" / "offers.json") + read_offer_file(DATA / "offers.json")
    await save_all(tmp_path / "one-pass.sqlite3", offers)

    monkeypatch.setattr(store_module, "WRITE_CHUNK", 10)  # 113 offers: 12 chunks
    monkeypatch.setattr(store_module, "PARALLEL_FROM_CHUNKS", 2)
    if not workers_possible:
        monkeypatch.setattr(store_module, "MAX_WORKERS", 1)
    await save_all(tmp_path / "chunked.sqlite3", offers)

    one_pass, chunked = contents(tmp_path / "one-pass.sqlite3"), contents(tmp_path / "chunked.sqlite3")
    for table in TABLES:
        assert chunked[table] == one_pass[table], table
