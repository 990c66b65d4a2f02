"""The offer vectors in memory, for the matcher: one matrix, one row per published offer.

Up to FULL_SCAN_MAX offers the matrix is float32 and a question's cosine with every offer is one
matrix-vector product (about 0.2 ms at 1,000 offers, 2 ms at 10,000): the matcher can then also look
for offers close in meaning that the word lists did not find. Above that, the vectors stay in half
precision (77 MB at 100,000 offers instead of 154 MB; numpy multiplies float16 about ten times
slower) and only the candidates' cosines are computed, from their rows.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from bot.search.semantic.model import DIMENSIONS
from bot.search.semantic.vectors import STORED_DTYPE

LOAD_CHUNK = 4096
FULL_SCAN_MAX = 20_000


class OfferVectors:
    """Vectors of the published offers that have one from the current model."""

    def __init__(self) -> None:
        self.pks = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.pks)

    def load(self, conn: sqlite3.Connection, model: str) -> None:
        """Read all vectors of published offers, a chunk at a time (no second copy of them all).

        One read transaction, so that the count and the rows come from the same snapshot.
        """
        where = "WHERE o.status = 'published' AND v.model = ? AND v.vector IS NOT NULL"
        source = f"FROM offer_vectors v JOIN offers o ON o.pk = v.offer_pk {where}"
        conn.execute("BEGIN")
        try:
            count = conn.execute(f"SELECT count(*) {source}", (model,)).fetchone()[0]
            pks = np.zeros(count, dtype=np.int64)
            dtype = np.float32 if count <= FULL_SCAN_MAX else np.float16
            matrix = np.zeros((count, DIMENSIONS), dtype=dtype)
            cursor = conn.execute(f"SELECT v.offer_pk, v.vector {source}", (model,))
            filled = 0
            while filled < count:
                rows = cursor.fetchmany(min(LOAD_CHUNK, count - filled))
                rows = [r for r in rows if len(r[1]) == DIMENSIONS * STORED_DTYPE.itemsize]
                if not rows:
                    break
                end = filled + len(rows)
                pks[filled:end] = [r[0] for r in rows]
                flat = np.frombuffer(b"".join(r[1] for r in rows), dtype=STORED_DTYPE)
                matrix[filled:end] = flat.reshape(len(rows), DIMENSIONS)
                filled = end
            cursor.close()
        finally:
            conn.execute("COMMIT")
        self.pks = pks[:filled]
        self.matrix = matrix[:filled]
        self._row_of = {int(pk): i for i, pk in enumerate(self.pks)}

    @property
    def full_scan(self) -> bool:
        """Whether every offer's cosine is cheap enough to compute for each question."""
        return self.matrix.dtype == np.float32

    def cosines(self, vector: np.ndarray, only: list[int] | None = None) -> np.ndarray:
        """The cosine of the question with every offer, in the order of `pks`; with `only`, just with
        those offers (the others are NaN)."""
        if not len(self.pks):
            return np.zeros(0, dtype=np.float32)
        if only is None:
            result: np.ndarray = self.matrix @ vector
            return result
        rows = [r for r in (self._row_of.get(pk) for pk in only) if r is not None]
        partial = np.full(len(self.pks), np.nan, dtype=np.float32)
        if rows:
            partial[rows] = self.matrix[rows].astype(np.float32) @ vector
        return partial

    def row(self, pk: int) -> int | None:
        return self._row_of.get(pk)

    def best(self, cosines: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k offers closest to the question, as (pk, cosine), closest first."""
        if not len(cosines) or k <= 0:
            return []
        k = min(k, len(cosines))
        top = np.argpartition(-cosines, k - 1)[:k]
        top = top[np.argsort(-cosines[top], kind="stable")]
        return [(int(self.pks[i]), float(cosines[i])) for i in top]
