"""What the matcher asks of the semantic side: is it on, a question's vector, its cosine with offers.

It reads the vectors through the matcher's own connection and reloads them when offers or vectors
changed (also in another process: the generations live in the database's meta table).
"""

from __future__ import annotations

import sqlite3

import numpy as np

from bot.search.semantic.matrix import OfferVectors
from bot.search.semantic.model import Embedder


class SemanticIndex:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.vectors = OfferVectors()
        self._generation: tuple[str, str] | None = None

    @property
    def available(self) -> bool:
        """The model runs here and at least one offer has a vector."""
        return self.embedder.available and len(self.vectors) > 0

    def refresh(self, conn: sqlite3.Connection, index_generation: str) -> None:
        """Reload the vectors when the offers or their vectors changed since the last load."""
        if not self.embedder.available:
            return
        row = conn.execute("SELECT value FROM meta WHERE key = 'vector_generation'").fetchone()
        generation = (index_generation, row[0] if row else "0")
        if generation != self._generation:
            self.vectors.load(conn, self.embedder.model_id)
            self._generation = generation

    def cached(self, question: str) -> np.ndarray | None:
        return self.embedder.cached_query(question)

    def vector(self, question: str) -> np.ndarray:
        return self.embedder.query(question)

    def cosines(self, vector: np.ndarray) -> np.ndarray:
        return self.vectors.cosines(vector)
