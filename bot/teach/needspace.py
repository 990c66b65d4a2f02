"""A 'need space': the model's sentence vectors projected so that two questions for the same need lie close.

Measured on the teaching sets (bench/teach.py): the raw e5 cosine of two questions does not tell 'the same
need in other words' from 'another need' (the nearest taught question had the same answer for 0.36 of a
held-out set's questions, and every cosine threshold broke two to ten good answers for each one it fixed).
A linear discriminant projection, learnt from the studied question sets (about 2,600 questions labelled with
the offer or referral that answers them), raised that to 0.59 on the same held-out set, and a lesson chosen
in that space broke almost nothing. It is a property of the model and the kinds of needs people have, not of
a word list: nothing in it names an offer.

The projection is written by scripts/train_need_space.py into data/need_space.npz. When the file is missing,
malformed or made for another model, teaching runs as before, on words and raw meaning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

NEED_SPACE_FILE = "need_space.npz"
DIMENSIONS = 64  # measured: 32, 64 and 128 gave 0.54, 0.59 and 0.57 on the held-out pairs
REGULARISATION = 1.0  # share of the mean within-class variance added to its diagonal (0.01 to 1: 0.58-0.59)


class NeedSpaceError(ValueError):
    """The need space file is missing, malformed or made for another model."""


@dataclass(frozen=True)
class NeedSpace:
    mean: np.ndarray  # (d,) the training vectors' mean, taken off before projecting
    projection: np.ndarray  # (d, k)
    model: str  # the sentence model whose vectors it projects

    def project(self, vector: np.ndarray) -> np.ndarray:
        """A unit vector in the need space (the cosine of two of them: how alike the needs are)."""
        projected = (np.asarray(vector, dtype=np.float64) - self.mean) @ self.projection
        norm = float(np.linalg.norm(projected))
        return projected / norm if norm > 0 else projected

    def save(self, path: Path) -> None:
        with path.open("wb") as out:
            np.savez(out, mean=self.mean, projection=self.projection, model=np.array(self.model))

    @classmethod
    def load(cls, path: Path, *, model: str, dimensions: int) -> NeedSpace:
        try:
            with np.load(path, allow_pickle=False) as data:
                mean, projection, made_for = data["mean"], data["projection"], str(data["model"])
        except (OSError, KeyError, ValueError) as error:
            raise NeedSpaceError(f"{path.name} cannot be read: {error}") from error
        if made_for != model:
            raise NeedSpaceError(f"{path.name} was made for the model {made_for!r}, not {model!r}")
        if mean.shape != (dimensions,) or projection.ndim != 2 or projection.shape[0] != dimensions:
            raise NeedSpaceError(f"{path.name} has the wrong shape for {dimensions}-dimensional vectors")
        if not (np.isfinite(mean).all() and np.isfinite(projection).all()):
            raise NeedSpaceError(f"{path.name} holds values that are not numbers")
        return cls(mean.astype(np.float64), projection.astype(np.float64), made_for)


def load_need_space(data_dir: Path, *, model: str, dimensions: int) -> NeedSpace | None:
    """The need space shipped in data/, or None (logged once) when it cannot serve this model."""
    try:
        return NeedSpace.load(data_dir / NEED_SPACE_FILE, model=model, dimensions=dimensions)
    except NeedSpaceError as error:
        log.warning("teaching compares questions without the need space: %s", error)
        return None


def train(
    vectors: np.ndarray,
    labels: Sequence[str],
    *,
    model: str,
    dimensions: int = DIMENSIONS,
    regularisation: float = REGULARISATION,
) -> NeedSpace:
    """Fisher's linear discriminant: the directions in which questions for different answers lie far apart
    and questions for the same answer close together (a generalised eigenproblem, solved through a Cholesky
    factor so that numpy alone does it)."""
    x = np.asarray(vectors, dtype=np.float64)
    names = np.asarray(labels)
    if x.ndim != 2 or len(x) != len(names) or len(set(labels)) < 2:
        raise ValueError("training needs one vector per label and at least two labels")
    mean = x.mean(axis=0)
    width = x.shape[1]
    within = np.zeros((width, width))
    between = np.zeros((width, width))
    for label in sorted(set(labels)):
        group = x[names == label]
        centre = group.mean(axis=0)
        spread = group - centre
        within += spread.T @ spread
        offset = centre - mean
        between += len(group) * np.outer(offset, offset)
    within += regularisation * np.trace(within) / width * np.eye(width)
    factor = np.linalg.cholesky(within)
    inverse = np.linalg.inv(factor)
    values, vectors_ = np.linalg.eigh(inverse @ between @ inverse.T)
    order = np.argsort(values)[::-1][: min(dimensions, width)]
    projection = inverse.T @ vectors_[:, order]
    return NeedSpace(mean, projection, model)
