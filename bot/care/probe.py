"""A second opinion on the care check: a small classifier on the multilingual model's sentence vectors.

The word lists of `data/care.toml` recognise the ways of saying it that someone wrote down; on messages
nobody had seen they missed a quarter of the suicidal ones (bench/care.py, the blind set care2). A
linear classifier on the sentence vectors of multilingual-e5-small (the model the search already
loads) was trained on the studied care messages and their look-alikes; beside the word lists it found
most of what they missed, in every language, without more false alarms on the look-alikes.

What it says is a guess, never the last word: a message only it flags as a crisis gets the help lines
and, under them, a button to the leisure answer for whoever asked about leisure after all
(bot/chat/conversation.py). Without the model (no package, no AVX2, `[search] semantic = false`)
the word lists work alone. The weights (`data/care_probe.npz`) are written by
`scripts/train_care_probe.py` from the labelled messages in tests/fixtures/care/.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.care.data import CATEGORIES

NONE = "none"
LABELS = (NONE, *CATEGORIES)
Vector = npt.NDArray[np.float32]
Embed = Callable[[str], Vector | None]
WINDOW_CHARS = 450  # a long story is read in pieces of about this size (the model reads 500 characters of a text)
MAX_WINDOWS = 4  # and at most this many: a crisis told in the middle of a long story is still read


class ProbeError(ValueError):
    """The weights file is missing, damaged or made for another model."""


@dataclass(frozen=True)
class ProbeWeights:
    """A multinomial logistic regression over centred sentence vectors."""

    labels: tuple[str, ...]
    mean: npt.NDArray[np.float64]  # the training vectors' mean, subtracted first
    weights: npt.NDArray[np.float64]  # (dim + 1, len(labels)): the last row is the bias
    threshold: float  # the least probability of a care category for the probe to speak
    model: str  # the sentence model the vectors come from
    examples: str  # fingerprint of the training messages and labels

    def probabilities(self, vector: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        features = np.append(vector.astype(np.float64) - self.mean, 1.0)
        scores = features @ self.weights
        scores -= scores.max()
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(), dtype=np.float64)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            labels=np.array(self.labels),
            mean=self.mean,
            weights=self.weights,
            threshold=np.array(self.threshold),
            model=np.array(self.model),
            examples=np.array(self.examples),
        )

    @classmethod
    def load(cls, path: Path) -> ProbeWeights:
        try:
            with np.load(path, allow_pickle=False) as data:
                weights = cls(
                    labels=tuple(str(label) for label in data["labels"]),
                    mean=np.asarray(data["mean"], dtype=np.float64),
                    weights=np.asarray(data["weights"], dtype=np.float64),
                    threshold=float(data["threshold"]),
                    model=str(data["model"]),
                    examples=str(data["examples"]),
                )
        except FileNotFoundError:
            raise ProbeError(f"{path}: not found") from None
        except (OSError, KeyError, ValueError) as error:
            raise ProbeError(f"{path}: not a care probe ({error})") from None
        if set(weights.labels) != set(LABELS) or weights.weights.shape != (len(weights.mean) + 1, len(LABELS)):
            raise ProbeError(f"{path}: made for other categories or another vector size")
        return weights


def fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def train(
    vectors: npt.NDArray[np.floating],
    labels: Sequence[str],
    *,
    penalty: float,
    threshold: float,
    model: str,
    examples: str,
    steps: int = 3000,
    rate: float = 2.0,
) -> ProbeWeights:
    """Fit the classifier by full-batch gradient descent (a few hundred examples: numpy is plenty)."""
    x = np.asarray(vectors, dtype=np.float64)
    mean = x.mean(axis=0)
    features = np.hstack([x - mean, np.ones((len(x), 1))])
    targets = np.eye(len(LABELS))[[LABELS.index(label) for label in labels]]
    weights = np.zeros((features.shape[1], len(LABELS)))
    for _ in range(steps):
        scores = features @ weights
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        gradient = features.T @ (probabilities - targets) / len(features) + penalty * weights
        weights -= rate * gradient
    return ProbeWeights(LABELS, mean, weights, threshold, model, examples)


@dataclass(frozen=True)
class Guess:
    category: str
    probability: float


class CareProbe:
    """Asks the classifier about one message; None when the model is not there or sees no trouble."""

    def __init__(self, weights: ProbeWeights, embed: Embed) -> None:
        self.weights = weights
        self._embed = embed

    def guess(self, text: str) -> Guess | None:
        """The strongest trouble the classifier sees in the message, or in any piece of a long one."""
        found: Guess | None = None
        for piece in windows(text):
            vector = self._embed(piece)
            if vector is None:
                return None
            probabilities = self.weights.probabilities(vector)
            best = int(np.argmax(probabilities))
            label = self.weights.labels[best]
            if label == NONE or 1.0 - probabilities[self.weights.labels.index(NONE)] < self.weights.threshold:
                continue
            if found is None or probabilities[best] > found.probability:
                found = Guess(label, float(probabilities[best]))
        return found


def windows(text: str) -> list[str]:
    """The text itself, or for a long story pieces of whole sentences of about WINDOW_CHARS each."""
    if len(text) <= WINDOW_CHARS:
        return [text]
    sentences = [s for s in re.split(r"(?<=[.!?\n])\s+", text) if s.strip()]
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + len(sentence) + 1 > WINDOW_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return [piece[: WINDOW_CHARS * 2] for piece in pieces[:MAX_WINDOWS]]
