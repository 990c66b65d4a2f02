"""Offer vectors in SQLite: computed once per offer text, kept until that text changes.

The offer store writes each published offer's row in `offer_vectors` with the fingerprint of its
passage, in the offer's own transaction, and clears the vector when the text changed. This keeper
then computes the missing vectors outside that transaction (about 60 ms of CPU an offer, in a worker
thread), so saving an offer never waits on the model and a big import is not held up for minutes.

A process-wide cache maps (model, passage fingerprint) to its vector: the same offer text saved in
another database of the same process (tests, benchmarks, a re-import) is not embedded again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from bot.offers.model import Offer
from bot.platform.db import Database
from bot.search.semantic.model import DIMENSIONS, Embedder
from bot.search.semantic.passages import passage_hash, passage_text

log = logging.getLogger(__name__)

STORED_DTYPE = np.dtype("<f2")  # half precision on disk: 768 bytes an offer, cosines change by < 0.001
BATCH = 16  # offers embedded and written at a time
SETTLE_NOW = 64  # up to this many missing vectors are computed before a write returns; more: in the background


def encode(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=STORED_DTYPE).astype(np.float32)


class VectorCache:
    """Vectors by (model, passage fingerprint), shared by every database in this process."""

    def __init__(self, max_items: int = 20_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model: str, fingerprint: str) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get((model, fingerprint))
            if vector is not None:
                self._items.move_to_end((model, fingerprint))
            return vector

    def put(self, model: str, fingerprint: str, vector: np.ndarray) -> None:
        with self._lock:
            self._items[(model, fingerprint)] = vector
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)


SHARED_CACHE = VectorCache()

_PENDING = (
    "FROM offer_vectors v JOIN offers o ON o.pk = v.offer_pk "
    "WHERE o.status = 'published' AND (v.vector IS NULL OR v.model IS NOT ?)"
)


class VectorKeeper:
    """Computes the vectors the offer store left missing, and all of them again on `reindex`."""

    def __init__(self, db: Database, embedder: Embedder, cache: VectorCache = SHARED_CACHE) -> None:
        self.db = db
        self.embedder = embedder
        self.cache = cache
        self._background: asyncio.Task[int] | None = None

    @property
    def available(self) -> bool:
        return self.embedder.available

    async def pending(self) -> int:
        """How many published offers have no vector from the current model."""
        if not self.available:
            return 0
        return int(await self.db.fetchval(f"SELECT count(*) {_PENDING}", (self.embedder.model_id,)))

    async def settle(self) -> None:
        """After offers were written: compute a few missing vectors now, many in the background."""
        if not self.available or self.running:
            return
        missing = await self.pending()
        if not missing:
            return
        if missing <= SETTLE_NOW:
            await self.fill()
        else:
            log.info("computing vectors for %d offers in the background", missing)
            self._background = asyncio.create_task(self.fill(), name="offer-vectors")

    @property
    def running(self) -> bool:
        return self._background is not None and not self._background.done()

    async def fill(self, limit: int | None = None, *, use_cache: bool = True) -> int:
        """Compute and store missing vectors, a batch at a time; returns how many were written."""
        if not self.available:
            return 0
        model = self.embedder.model_id
        written = 0
        while limit is None or written < limit:
            size = BATCH if limit is None else min(BATCH, limit - written)
            rows = await self.db.fetchall(
                f"SELECT v.offer_pk, v.passage_hash, o.data {_PENDING} ORDER BY v.offer_pk LIMIT ?", (model, size)
            )
            if not rows:
                break
            vectors = await self._vectors([r["data"] for r in rows], use_cache=use_cache)
            async with self.db.transaction() as tx:
                await tx.executemany(
                    # The text may have changed meanwhile: then this vector is stale and not written.
                    "UPDATE offer_vectors SET model = ?, vector = ?, passage_hash = ? "
                    "WHERE offer_pk = ? AND passage_hash = ?",
                    [
                        (model, encode(vector), fingerprint, row["offer_pk"], row["passage_hash"])
                        for row, (fingerprint, vector) in zip(rows, vectors, strict=True)
                    ],
                )
                await tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'vector_generation'")
            written += len(rows)
            if len(rows) < size:
                break
        return written

    async def recompute_all(self) -> int:
        """Forget every stored vector and compute them all again (`python -m bot reindex`)."""
        if not self.available:
            return 0
        await self.db.execute("UPDATE offer_vectors SET vector = NULL, model = NULL")
        return await self.fill(use_cache=False)

    async def _vectors(self, offers_json: Sequence[str], *, use_cache: bool) -> list[tuple[str, np.ndarray]]:
        """(fingerprint, vector) of each offer (as stored JSON): from the cache, else from the model."""
        model = self.embedder.model_id
        texts = [passage_text(Offer.from_dict(json.loads(data))) for data in offers_json]
        fingerprints = [passage_hash(text) for text in texts]
        found: list[np.ndarray | None] = [self.cache.get(model, f) if use_cache else None for f in fingerprints]
        todo = [i for i, vector in enumerate(found) if vector is None]
        if todo:
            computed = await asyncio.to_thread(self.embedder.passages, [texts[i] for i in todo])
            for i, vector in zip(todo, computed, strict=True):
                vector = decode(encode(vector))  # exactly what a fresh process reads back from the database
                self.cache.put(model, fingerprints[i], vector)
                found[i] = vector
        return [
            (f, v if v is not None else np.zeros(DIMENSIONS, np.float32))
            for f, v in zip(fingerprints, found, strict=True)
        ]

    async def close(self) -> None:
        """Stop a background fill (what it wrote stays; the rest is computed at the next start)."""
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._background
            self._background = None
