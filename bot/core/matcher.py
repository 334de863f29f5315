"""Match a user's question, in their own words, to a curated entry.

Unspaced Chinese defeats word-splitting fuzzy scorers, so matching works on characters:

1. Both sides are normalised (`text.normalize`) and rewritten with the lexicon (synonyms to one
   word, fillers dropped, one homophone typo in a known word repaired).
2. Lexical layer: every phrasing (canonical question and alternatives) becomes a set of
   character unigrams, character bigrams and pinyin-syllable bigrams (the last catch homophone
   typos outside the lexicon), weighted by how rare they are across entries (IDF). For all
   phrasings at once (numpy over an inverted index) we compute how much of the question a
   phrasing covers and how much of the phrasing the question covers.
3. Fuzzy layer: rapidfuzz's character-level `ratio` and `partial_ratio` on the best few entries'
   phrasings (order-aware, where the lexical layer is a bag).
4. Semantic layer (when a sentence encoder is available, see `encoder.py`): the cosine between
   the question's vector and each phrasing's, so a question in words no phrasing uses still
   finds its entry. Entries are pooled by lexical cover and by semantic closeness alike.
5. Institutions (`institutions.py`): a number entry is answered for the institution the question
   names; steps for one institution never go to a question naming another.
6. One calibrated confidence: a logistic model over those features, fitted on blind calibration
   data (see `benchmarks/calibrate.py`), read as the probability that the best entry is right.

Outcomes: `answered` when confident, `suggest` (the closest questions, at most three) when
unsure, `no_match` when nothing is close, including questions that use our product names for
something the knowledge does not cover (their remaining words find no counterpart).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from .calibration import Calibration
from .institutions import Institutions
from .knowledge import Entry, Knowledge, OutOfScope
from .lexicon import Lexicon, Syllables
from .numbers import NumberBook
from .text import (_ASTRAL_SYMBOLS, _INVISIBLE_RUN, _class_of, clean, fold, normalize, pinyin_seq, separator_codes,
                   to_simplified)

if TYPE_CHECKING:
    import numpy as np
    from rapidfuzz import fuzz, process

    from .encoder import Encoder, VectorCache


class _Lazy:
    """A module imported on first use. The outcome constants and MatchResult below are imported
    by every command (a number check too), which never builds an index: numpy and rapidfuzz
    load when one is built (issue 12: start-up time and memory of `check`)."""

    def __init__(self, name: str, alias: str):
        self._name, self._alias = name, alias

    def __getattr__(self, attr: str):
        import importlib

        module = importlib.import_module(self._name)
        globals()[self._alias] = module  # later lookups go straight to the module
        return getattr(module, attr)


np = _Lazy("numpy", "np")  # type: ignore[assignment]  # noqa: F811
fuzz = _Lazy("rapidfuzz.fuzz", "fuzz")  # type: ignore[assignment]  # noqa: F811
process = _Lazy("rapidfuzz.process", "process")  # type: ignore[assignment]  # noqa: F811

ANSWERED, SUGGEST, NO_MATCH = "answered", "suggest", "no_match"

# Only the start of a very long message is read as a question (a pasted SMS goes to the scanner).
MAX_QUERY_CHARS = 200

# Gram kinds and their weight relative to a character bigram. Unigrams keep partial credit when a
# typo breaks a bigram; pinyin bigrams give homophone typos partial credit.
UNIGRAM, BIGRAM, SOUND = "u", "b", "p"
KIND_WEIGHT = {UNIGRAM: 1.0, BIGRAM: 1.0, SOUND: 0.5}
# Grams inside the lexicon's question words (怎么办, 什么) count this much of their weight.
WEAK_FACTOR = 0.3
# Entries (by how much of the question all their phrasings cover) examined phrasing by phrasing.
PREFILTER = 64
# Entries added to that pool by semantic closeness (their phrasings' mean vector).
SEMANTIC_POOL = 16
# Phrasings of a shortlisted entry given fuzzy scores: the most promising by lexical F1 and cosine.
FUZZY_PER_ENTRY = 4
# The start of a question the sentence encoder reads (compact canonical characters): its time grows
# with the text (5 ms for 20 characters, 12 ms for 140, 16 ms for 200). On the development sets
# (semantic mode) 120 gave as many right answers as the whole text (fraud_dev one more,
# calibration one fewer) and one wrong answer fewer; 100 lost a right one.
SEMANTIC_MAX_CHARS = 120
# In lexical mode, a question's grams looked up at most (a story of 150 characters has about 400):
# the rest, the commonest, count in its total weight only. Measured on the development sets in
# lexical mode: as many right answers and fewer wrong ones than with all of them (150; 100 lost
# accuracy). Semantic mode uses them all: there the cap cost accuracy.
LEXICAL_MAX_GRAMS = 150
# The largest gram x answer table of booleans held beside the answer postings (see _build).
ANSWER_TABLE_MAX = 1 << 24
# Ids of the out-of-scope pseudo-entries start with this.
OUT_OF_SCOPE = "out-of-scope:"


def _logistic(weights: Sequence[float], bias: float, x: Sequence[float]) -> float:
    z = bias + sum(w * v for w, v in zip(weights, x))
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float
    phrasing: str
    features: tuple[float, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    query: str
    status: str
    entry: Entry | None
    score: float
    alternatives: tuple[Candidate, ...]
    # Official numbers of institutions the question names that the entry's answer lacks.
    numbers_note: str | None = None

    @property
    def answer(self) -> str | None:
        if self.entry is None:
            return None
        return f"{self.entry.answer}\n{self.numbers_note}" if self.numbers_note else self.entry.answer

    def to_dict(self) -> dict:
        """The public JSON shape of `python -m bot ask --json` (documented in the README)."""
        return {
            "query": self.query,
            "status": self.status,
            "answer": self.answer,
            "entry": {"id": self.entry.id, "question": self.entry.question} if self.entry else None,
            "score": round(self.score, 4),
            "alternatives": [
                {"id": c.entry.id, "question": c.entry.question, "answer": c.entry.answer,
                 "score": round(c.score, 4)}
                for c in self.alternatives
            ],
        }


# A unit is one Chinese character, or one run of anything else within a word ("wifi", "95188").
_UNIT = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]"
                   "|[^\\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]+")


def grams_of(canonical: str) -> set[str]:
    """The gram set of already canonicalised text: unit unigrams, unit bigrams within each
    space-separated segment, and syllable bigrams of adjacent Chinese characters."""
    grams: set[str] = set()
    for part in canonical.split():
        units = _UNIT.findall(part)
        sounds = pinyin_seq(units) if units else []
        for i, unit in enumerate(units):
            grams.add(UNIGRAM + unit)
            if i + 1 < len(units):
                nxt = units[i + 1]
                grams.add(f"{BIGRAM}{unit}\x1f{nxt}")
                # pinyin_seq maps a non-Chinese unit to itself: only pairs of characters count.
                if sounds[i] != unit and sounds[i + 1] != nxt:
                    grams.add(f"{SOUND}{sounds[i]}\x1f{sounds[i + 1]}")
    return grams


# The index codes grams as integers (a Python string per gram and a dict of a million of them
# cost most of the time and memory of indexing 10,000 entries): kind << 44 | a << 22 | b, where a
# unit is its code point (a Chinese character) or RUN_BASE + a number (a run of anything else),
# and a sound is its syllable's number. The same grams as `grams_of`, in another spelling.
_KIND_SHIFT, _A_SHIFT = 44, 22
_BIGRAM_CODE, _SOUND_CODE = 1 << _KIND_SHIFT, 2 << _KIND_SHIFT
_RUN_BASE = 0x40000  # above every Chinese code point the unit pattern accepts
_KIND_WEIGHT_LIST = (KIND_WEIGHT[UNIGRAM], KIND_WEIGHT[BIGRAM], KIND_WEIGHT[SOUND])  # by kind code
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))
_RUN = re.compile("[^\\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]+")


class _GramCoder:
    """Integer gram codes for canonical texts, many at once (numpy over code points) for the
    index, one at a time for a question. Runs of non-Chinese characters are numbered as the
    index meets them; a question's unknown runs get numbers no indexed gram uses."""

    def __init__(self) -> None:
        self.runs: dict[str, int] = {}
        self.syllables = Syllables.get()
        self._cjk_units: dict[str, tuple[int, int]] = {}

    def _run_id(self, run: str, extra: dict[str, int] | None) -> int:
        known = self.runs.get(run)
        if known is not None:
            return _RUN_BASE + known
        if extra is None:
            known = self.runs[run] = len(self.runs)
            return _RUN_BASE + known
        return _RUN_BASE + extra.setdefault(run, len(self.runs) + len(extra))

    def _run_syllable(self, run: str) -> int:
        return self.syllables.by_char.get(run, -1) if len(run) == 1 else -1

    def codes(self, canonical: str, *, grow: bool = False) -> list[int]:
        """The distinct gram codes of one canonical text (grams_of, coded)."""
        extra: dict[str, int] | None = None if grow else {}
        out: dict[int, None] = {}
        syllable = self.syllables.by_char.get
        # (code, sound) of each Chinese character met so far: one lookup a unit on long questions
        # instead of the range tests and the syllable lookup.
        known = self._cjk_units
        for part in canonical.split():
            prev_unit = prev_sound = -1
            for unit in _UNIT.findall(part):
                found = known.get(unit)
                if found is not None:
                    u, sound = found
                elif len(unit) == 1 and ("\u4e00" <= unit <= "\u9fff" or "\u3400" <= unit <= "\u4dbf"
                                         or "\uf900" <= unit <= "\ufaff" or "\U00020000" <= unit <= "\U0002a6df"):
                    u = ord(unit)
                    sound = syllable(unit, -1)
                    if len(known) < 20000:  # bounded, whatever the questions hold
                        known[unit] = (u, sound)
                else:
                    u = self._run_id(unit, extra)
                    sound = self._run_syllable(unit)
                out[u << _A_SHIFT] = None  # unigram (kind 0)
                if prev_unit >= 0:
                    out[_BIGRAM_CODE | (prev_unit << _A_SHIFT) | u] = None
                    if prev_sound >= 0 and sound >= 0:
                        out[_SOUND_CODE | (prev_sound << _A_SHIFT) | sound] = None
                prev_unit, prev_sound = u, sound
        return list(out)

    def many(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(codes, text index) of every gram occurrence in the canonical texts (repeats kept)."""
        if not texts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        joined = "\n".join(texts)
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        cjk = np.zeros(len(points), dtype=bool)
        for lo, hi in _CJK_RANGES:
            cjk |= (points >= lo) & (points <= hi)
        newline = points == 10
        gap = newline | (points == 32)
        other = ~(cjk | gap)
        run_start = other & ~np.r_[False, other[:-1]]
        found_runs = _RUN.findall(joined)
        run_ids = np.fromiter((self._run_id(r, None) for r in found_runs), dtype=np.int64, count=len(found_runs))
        run_sounds = np.fromiter((self._run_syllable(r) for r in found_runs), dtype=np.int64, count=len(found_runs))
        assert len(run_ids) == int(run_start.sum())
        unit_at = np.flatnonzero(cjk | run_start)  # positions where a unit starts
        units = points[unit_at]
        sounds = np.full(len(units), -1, dtype=np.int64)
        is_cjk = cjk[unit_at]
        sounds[is_cjk] = self.syllables.of_point[units[is_cjk]]
        runs = ~is_cjk
        units[runs] = run_ids
        sounds[runs] = run_sounds
        text_of = np.cumsum(newline)[unit_at]
        gaps_before = np.cumsum(gap)[unit_at]
        # Adjacent units with no space or text break between them make a bigram.
        pair = gaps_before[1:] == gaps_before[:-1]
        first, second = units[:-1][pair], units[1:][pair]
        s1, s2 = sounds[:-1][pair], sounds[1:][pair]
        sounded = (s1 >= 0) & (s2 >= 0)
        codes = np.concatenate([
            units << _A_SHIFT,
            (1 << _KIND_SHIFT) | (first << _A_SHIFT) | second,
            (2 << _KIND_SHIFT) | (s1[sounded] << _A_SHIFT) | s2[sounded]])
        owner = np.concatenate([text_of, text_of[:-1][pair], text_of[:-1][pair][sounded]])
        return codes, owner


_BATCH_PATTERNS: tuple[re.Pattern, re.Pattern] | None = None


def _batch_patterns() -> tuple[re.Pattern, re.Pattern]:
    """text.normalize's two translation tables as patterns: one C-level scan of a long text
    instead of a dictionary lookup per character. The separators keep the newline."""
    global _BATCH_PATTERNS
    if _BATCH_PATTERNS is None:
        _BATCH_PATTERNS = (_INVISIBLE_RUN,
                           re.compile(_class_of(c for c in separator_codes() if c != 10)))
    return _BATCH_PATTERNS


def _normalize_many(texts: Sequence[str]) -> list[str]:
    """`text.normalize` of each text, in a few calls over them all. A newline blocks every step
    (NFKC composes nothing across one, OpenCC's phrases hold none, lower() treats one like the end
    of a text) and then becomes a space, so lines joined by newlines normalise exactly as each
    alone, and a text is its normalised lines joined by spaces."""
    joined = "\n".join(texts)
    simple = "\r" not in joined and joined.count("\n") == len(texts) - 1  # no text holds a break
    lines: list[str] = list(texts)
    spans: list[tuple[int, int] | None] = []
    if not simple:
        lines = []
        for text in texts:
            if "\r" in text:  # deleted, not a break: normalised alone
                spans.append(None)
                continue
            parts = text.split("\n")
            spans.append((len(lines), len(lines) + len(parts)))
            lines.extend(parts)
        joined = "\n".join(lines)
    invisible, separators = _batch_patterns()
    joined = invisible.sub("", joined)
    if not unicodedata.is_normalized("NFKC", joined):  # line by line: most lines pass its quick check
        joined = "\n".join([unicodedata.normalize("NFKC", line) for line in joined.split("\n")])
    joined = _ASTRAL_SYMBOLS.sub(" ", separators.sub(" ", to_simplified(joined.lower())))
    done = joined.split("\n")
    if len(done) != len(lines):  # pragma: no cover - a step that made or ate a newline
        return [normalize(t) for t in texts]
    done = [" ".join(p.split()) for p in done]
    if simple:
        return done
    return [normalize(text) if span is None else " ".join(filter(None, done[span[0]:span[1]]))
            for text, span in zip(texts, spans)]


def _segment_sums(rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """np.add.reduceat(rows, starts, axis=0) for non-empty segments, the rows of each segment
    added in the same order (so the same floats), k-th rows of all segments at once: reduceat
    walks segment by segment and took most of a second at 60,000 rows."""
    if not len(rows):
        return rows
    lengths = np.diff(np.r_[starts, len(rows)])
    sums = rows[starts].copy()
    for k in range(1, int(lengths.max()) if len(lengths) else 0):
        longer = np.flatnonzero(lengths > k)
        sums[longer] += rows[starts[longer] + k]
    return sums


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the ranges [starts[i], starts[i] + lengths[i]) end to end, where each range begins in
    that array): the indices of the rows of several segments at once."""
    firsts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=firsts[1:])
    return np.arange(int(lengths.sum())) + np.repeat(starts - firsts, lengths), firsts


def _unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique by one sort (its hash-based default is several times slower on millions).
    The array's own sort on a copy: np.sort is the same behind a Python wrapper, which counts
    on the scanner's small arrays (one a message)."""
    if not len(values):
        return values
    ordered = values.copy()
    ordered.sort()
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class _Postings:
    """An inverted index in compressed sparse row form: for gram id g, the documents holding it
    are `docs[start[g]:start[g + 1]]`. Two int32 arrays, whatever the number of grams."""

    def __init__(self, gram_ids: np.ndarray, doc_ids: np.ndarray, n_grams: int):
        order = np.argsort(gram_ids, kind="stable")
        self.docs = doc_ids[order].astype(np.int32)
        self.start = np.zeros(n_grams + 1, dtype=np.int64)
        np.cumsum(np.bincount(gram_ids, minlength=n_grams), out=self.start[1:])

    @classmethod
    def from_sorted(cls, gram_ids: np.ndarray, doc_ids: np.ndarray, n_grams: int) -> "_Postings":
        """Postings from pairs already ordered by gram (no sort needed)."""
        self = cls.__new__(cls)
        self.docs = doc_ids.astype(np.int32)
        self.start = np.zeros(n_grams + 1, dtype=np.int64)
        np.cumsum(np.bincount(gram_ids, minlength=n_grams), out=self.start[1:])
        return self

    # Bitmaps of the commonest grams (see `with_bitmaps`): none until made.
    dense_row: np.ndarray | None = None
    bits: np.ndarray | None = None

    def df(self) -> np.ndarray:
        return np.diff(self.start)

    def with_bitmaps(self, n_docs: int, min_df: int) -> "_Postings":
        """Also hold the grams found in at least `min_df` documents as bitmaps, for
        `accumulate_at`: at 10,000 entries a hundred-odd grams (的, 我, 怎么) hold most of the
        postings a question walks, while the few hundred pooled phrasings are read from the
        bitmaps in a few vector operations. One row of bits a document (bit r of a row: the r-th
        common gram, packed): the pooled documents' rows are one gather of a few kilobytes, where
        a row per gram meant a scattered two-dimensional gather, four times slower.
        Memory: n_docs x n_common / 8 bytes (134 grams, 1 MB at 10,000 entries)."""
        df = self.df()
        common = np.flatnonzero(df >= max(min_df, 1))
        if not len(common):
            return self
        self.dense_row = np.full(len(df), -1, dtype=np.int32)
        self.dense_row[common] = np.arange(len(common), dtype=np.int32)
        lengths = df[common]
        docs = self.docs[_ranges(self.start[common], lengths)[0]]
        hit = np.zeros((n_docs, len(common)), dtype=bool)
        hit[docs, np.repeat(np.arange(len(common)), lengths)] = True
        self.bits = np.packbits(hit, axis=1)
        return self

    def accumulate(self, ids: Sequence[int], weights: np.ndarray, size: int) -> np.ndarray:
        """For every document, the sum of `weights[i]` over the grams `ids[i]` it holds."""
        # The postings gathered as memoryview slices joined into one buffer: the same document
        # ids in the same order as concatenating numpy slices, without a numpy scalar per bound
        # and an array view per gram (most of the time of a question of a hundred-odd grams).
        start, docs = memoryview(self.start), memoryview(self.docs)
        lists = [docs[start[g]:start[g + 1]] for g in ids]
        lengths = [len(x) for x in lists]
        if not any(lengths):
            return np.zeros(size)
        found = np.frombuffer(b"".join(lists), dtype=self.docs.dtype)
        return np.bincount(found, weights=np.repeat(weights, lengths), minlength=size)

    def accumulate_at(self, ids: Sequence[int], weights: np.ndarray, cols: np.ndarray, size: int) -> np.ndarray:
        """`accumulate(ids, weights, size)[cols]`, the common grams' bits read at `cols` only."""
        if self.dense_row is None:
            return self.accumulate(ids, weights, size)[cols]
        ids = np.asarray(ids, dtype=np.int64)
        rows = self.dense_row[ids]
        common = rows >= 0
        rare = ~common
        out = self.accumulate(ids[rare].tolist(), weights[rare], size)[cols]
        if common.any():
            rows = rows[common]
            # The pooled documents' bit rows, then each common gram's bit in them (a column per
            # gram), times its weight (w or 0, exact), then added to `out` gram by gram in the
            # grams' order: a reduction along the first axis adds whole rows one after another,
            # the same additions as a loop of `out += row`.
            held = self.bits.take(cols, axis=0)
            hits = (held[:, rows >> 3] >> (7 - (rows & 7)).astype(np.uint8)) & 1
            added = np.empty((len(rows) + 1, len(cols)))
            added[0] = out
            np.multiply(hits.T, weights[common][:, None], out=added[1:])
            if len(cols) > 1:
                out = np.add.reduce(added, axis=0)
            else:  # a single column is one contiguous run, which `reduce` would sum pairwise
                out = np.add.accumulate(added, axis=0)[-1]
        return out

    def walked(self, ids: np.ndarray) -> int:
        """How many postings `accumulate` reads for these grams (common grams' bitmaps not counted)."""
        lengths = self.start[ids + 1] - self.start[ids]
        if self.dense_row is not None:
            lengths = lengths[self.dense_row[ids] < 0]
        return int(lengths.sum())


def _dense_from(n_entries: int) -> int:
    """The document frequency (in phrasings) from which a gram's phrasing postings are also held as
    a bitmap: a sixteenth of the entries, and never below 2,048 (reading a bitmap costs a few
    vector operations a gram, a posting a few nanoseconds: below that a bitmap was no faster, and
    at the real base and 1,000 entries, where none is made now, 512 made lexical matching about
    5 % slower)."""
    return max(2048, n_entries // 16)


def _partial_bound(ratio: float, compact: str, text: str) -> float:
    """An upper bound of `fuzz.partial_ratio(compact, text) / 100` from `fuzz.ratio(compact, text) / 100`.
    partial_ratio is the best ratio of the shorter text (n characters) with a part of the longer
    (k <= n characters): 2 * l / (n + k), where l, their longest common subsequence, is at most k
    and at most L, the two whole texts' (read off their ratio: 2 * L / (both lengths)). So it is at
    most 2 * L / (n + L). Padded by 1e-9, far beyond the rounding of either score."""
    if not text or not compact:
        return 1.0
    total = len(compact) + len(text)
    common = (total - round((1.0 - ratio) * total)) / 2  # L: the ratio's distance is total - 2 * L
    return 2.0 * common / (min(len(compact), len(text)) + common) + 1e-9


def _remembered(memo: dict, key: str, make):
    """memo[key], made by `make()` the first time; the memo is emptied at 1,024 keys (a match asks
    the same few texts several times; a long-running bot must not grow without bound)."""
    value = memo.get(key)
    if value is None:
        value = make()
        if len(memo) >= 1024:
            memo.clear()
        memo[key] = value
    return value


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    return np.log1p((n - df + 0.5) / (df + 0.5))


def _compact(canonical: str) -> str:
    return canonical.replace(" ", "")


class Matcher:
    """An index over a knowledge base's phrasings. Build once; `match` is pure and fast."""

    def __init__(self, entries: Sequence[Entry], lexicon: Lexicon | None = None,
                 calibration: Calibration | None = None, *, out_of_scope: Sequence[OutOfScope] = (),
                 shortlist_size: int = 8, encoder: Encoder | None = None, numbers: NumberBook | None = None,
                 vector_cache: VectorCache | None = None):
        self.entries = tuple(entries)
        self.lexicon = lexicon or Lexicon.build()
        self.calibration = calibration or Calibration()
        self.shortlist_size = shortlist_size
        self.encoder = encoder
        self._canonical_memo: dict[str, str] = {}
        self._mentioned_memo: dict[str, tuple] = {}
        # Out-of-scope examples are indexed like entries (after them), never shown to users.
        self._docs = self.entries + tuple(
            Entry(OUT_OF_SCOPE + topic.id, "out_of_scope", topic.examples[0], topic.examples[1:], "", (), (),
                  dt.date.min)
            for topic in out_of_scope)
        self.institutions = Institutions(numbers or NumberBook.empty(), self.canonical, self.entries)
        self._scratch = threading.local()  # per-thread work arrays (see _overlaps)
        self._build()
        if vector_cache is None:
            from .encoder import VectorCache

            vector_cache = VectorCache(None)
        self._build_vectors(vector_cache)

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge, **kwargs) -> "Matcher":
        """A matcher for the knowledge, with its fitted calibration for the mode (semantic when
        an encoder is given, else lexical) unless one is passed."""
        if "calibration" not in kwargs:
            mode = "semantic" if kwargs.get("encoder") is not None else "lexical"
            kwargs["calibration"] = knowledge.calibrations.get(mode)
        return cls(knowledge.entries, knowledge.lexicon, out_of_scope=knowledge.out_of_scope,
                   numbers=knowledge.numbers, **kwargs)

    @property
    def semantic(self) -> bool:
        return self.encoder is not None

    def _kind_weight(self, code: int) -> float:
        return _KIND_WEIGHT_LIST[code >> _KIND_SHIFT] * (WEAK_FACTOR if code in self._weak_codes else 1.0)

    # -- index -----------------------------------------------------------------------------

    def canonical(self, text: str) -> str:
        """A question in the matcher's form (only its start if it is very long). Memoised: one
        question is canonicalised by several steps (number intent, ranking, institutions)."""
        return _remembered(self._canonical_memo, text, lambda: self.lexicon.canonicalize(
            normalize(text[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]))

    def canonical_long(self, text: str) -> str:
        """Curated text (answers) in the matcher's form, whole."""
        return self.lexicon.canonicalize(normalize(text))

    def _canonical_many(self, texts: Sequence[str], *, whole: bool = False) -> list[str]:
        """`canonical` (or with `whole`, `canonical_long`) of many texts at once."""
        if whole:
            return self.lexicon.canonicalize_many(_normalize_many(texts))
        normal = _normalize_many([t[: MAX_QUERY_CHARS * 2] for t in texts])
        return self.lexicon.canonicalize_many([t[:MAX_QUERY_CHARS] for t in normal])

    def _build(self) -> None:
        # Every phrasing normalised and rewritten in one pass, then its grams coded as integers
        # and the postings made by sorting integer pairs: no Python loop per gram (issue 12).
        canon_all = self._canonical_many([p for entry in self._docs for p in entry.phrasings])
        phrasing_entry: list[int] = []
        phrasing_text: list[str] = []
        indexed: list[str] = []
        entry_start: list[int] = []
        at = 0
        for e_idx, entry in enumerate(self._docs):
            entry_start.append(len(phrasing_entry))
            seen_texts: set[str] = set()
            for canon in canon_all[at:at + len(entry.phrasings)]:
                if not canon or canon in seen_texts:
                    continue
                seen_texts.add(canon)
                indexed.append(canon)
                phrasing_entry.append(e_idx)
                phrasing_text.append(_compact(canon))
            at += len(entry.phrasings)
            if len(phrasing_entry) == entry_start[-1]:  # nothing indexable: reachable by id only
                indexed.append("")
                phrasing_entry.append(e_idx)
                phrasing_text.append("")
        # Answers: each distinct text once (entries may share one), its postings per text.
        answer_ids: dict[str, int] = {}
        answer_of = np.fromiter((answer_ids.setdefault(e.answer, len(answer_ids)) for e in self._docs),
                                dtype=np.int64, count=len(self._docs))
        answers = self._canonical_many(list(answer_ids), whole=True)

        coder = self._coder = _GramCoder()
        q_codes, q_owner = coder.many(indexed)
        a_codes, a_owner = coder.many(answers)
        self._weak_codes = frozenset(c for word in self.lexicon.weak_forms() for c in coder.codes(word, grow=True))
        vocab = self._vocab = _unique_sorted(np.concatenate([q_codes, a_codes]))
        n_grams, n_entries = len(vocab), max(len(self._docs), 1)
        n_phrasings = len(phrasing_entry)
        kind = np.asarray(_KIND_WEIGHT_LIST)[vocab >> _KIND_SHIFT]
        if self._weak_codes:
            kind = np.where(np.isin(vocab, np.fromiter(self._weak_codes, dtype=np.int64)), kind * WEAK_FACTOR, kind)
        self._phrasing_entry = np.asarray(phrasing_entry, dtype=np.int32)
        self._phrasing_text = phrasing_text
        self._entry_start = np.asarray(entry_start, dtype=np.int64)
        self._n_phrasings = n_phrasings
        self._entry_end = np.append(self._entry_start[1:], self._n_phrasings).astype(np.int64)

        # Distinct (gram, phrasing) pairs, in gram then phrasing order.
        pairs = _unique_sorted(np.searchsorted(vocab, q_codes) * n_phrasings + q_owner)
        grams, docs = pairs // n_phrasings, pairs % n_phrasings
        self._postings = _Postings.from_sorted(grams, docs, n_grams).with_bitmaps(n_phrasings, _dense_from(n_entries))
        # The same pairs by phrasing: each phrasing's grams, ascending. A long question's overlap
        # with the few hundred phrasings it is compared with is summed from these (see _overlaps)
        # rather than from the postings of its grams (a common gram's run to tens of thousands).
        by_phrasing = np.argsort(docs, kind="stable")
        self._phrasing_grams = grams[by_phrasing].astype(np.int32)
        self._phrasing_gram_start = np.zeros(n_phrasings + 1, dtype=np.int64)
        np.cumsum(np.bincount(docs, minlength=n_phrasings), out=self._phrasing_gram_start[1:])
        # Entry-level postings (a gram counted once per entry) for the document frequency and for
        # how much of a question all an entry's phrasings cover. Phrasings are in entry order, so
        # the pairs stay sorted and repeats are neighbours.
        owners = self._phrasing_entry[docs]
        first = np.ones(len(grams), dtype=bool)
        first[1:] = (grams[1:] != grams[:-1]) | (owners[1:] != owners[:-1])
        self._entry_postings = _Postings.from_sorted(grams[first], owners[first], n_grams)
        df = self._entry_postings.df()
        self._weight = kind * _idf(df, n_entries)  # 0 where a gram is in no question
        self._in_questions = df > 0
        self._unseen_idf = float(_idf(np.zeros(1), n_entries)[0])
        self._doc_weight = np.maximum(np.bincount(docs, weights=self._weight[grams], minlength=n_phrasings), 1e-9)

        # The answer is a second, weaker field: it names things users ask about that no phrasing
        # mentions (免息, 个人信息). Its own IDF, so its long texts do not dilute the questions'.
        # Postings per distinct answer text; a gram's frequency counts every entry using it.
        n_answers = max(len(answers), 1)
        a_pairs = _unique_sorted(np.searchsorted(vocab, a_codes) * n_answers + a_owner)
        a_grams, a_texts = a_pairs // n_answers, a_pairs % n_answers
        self._answer_postings = _Postings.from_sorted(a_grams, a_texts, n_grams)
        self._answer_of = answer_of
        self._n_answers = n_answers
        uses = np.bincount(answer_of, minlength=n_answers)
        a_df = np.bincount(a_grams, weights=uses[a_texts], minlength=n_grams) if len(a_grams) else np.zeros(n_grams)
        self._answer_weight = kind * _idf(a_df, n_entries)
        self._in_answers = a_df > 0
        # Entries share a few hundred distinct answers: the answer postings are also held as a
        # gram x answer table of booleans (2 MB for the real knowledge), so an answer cover is one
        # sum of the question's rows instead of a Python slice per gram (the same floats: rows are
        # added in the question's order, as the postings' bincount adds them, absent ones add 0).
        self._answer_table = self._answer_row = None
        answer_grams = np.flatnonzero(self._in_answers)
        if len(answer_grams) * n_answers <= ANSWER_TABLE_MAX:
            self._answer_row = np.full(n_grams, -1, dtype=np.int32)
            self._answer_row[answer_grams] = np.arange(len(answer_grams), dtype=np.int32)
            self._answer_table = np.zeros((len(answer_grams), n_answers), dtype=bool)
            self._answer_table[self._answer_row[a_grams], a_texts] = True

    def _build_vectors(self, cache: VectorCache) -> None:
        """Phrasing vectors (float16 values, one row per phrasing) and each document's mean vector."""
        if self.encoder is None:
            self._vectors = self._centroids = None
            return
        vectors = cache.encode(self.encoder, self._phrasing_text)
        vectors[[not t for t in self._phrasing_text]] = 0.0  # unindexable placeholders match nothing
        sums = _segment_sums(vectors, self._entry_start)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        self._centroids = (sums / np.maximum(norms, 1e-9)).astype(np.float32)
        # float16 values (as the vector cache gives them) held as float32: numpy converts float16
        # in software, and converting the pooled rows for every question was a third of the
        # matcher's time at 10,000 entries (the float32 array exists while building anyway).
        self._vectors = vectors

    # -- matching --------------------------------------------------------------------------

    def _semantic(self, canon: str, memo: dict | None) -> tuple[np.ndarray, np.ndarray]:
        """(vector, each document's closeness) of a canonical question (its first
        SEMANTIC_MAX_CHARS characters). Within one match (`memo`) a text is encoded and compared
        with the documents once."""
        text = _compact(canon)[:SEMANTIC_MAX_CHARS]
        found = memo.get(text) if memo is not None else None
        if found is None:
            vector = self.encoder.encode([text])[0]
            found = vector, np.clip(self._centroids @ vector, 0.0, 1.0)
            if memo is not None:
                memo[text] = found
        return found

    def _features(self, query: str, memo: dict | None = None, semantic_of: str | None = None
                  ) -> tuple[float, list[tuple[Entry, tuple[float, ...], int]]]:
        """The share of the question the knowledge knows, and for the shortlisted entries
        (entry, features, best phrasing index), best first by the pre-score. `memo` keeps
        vectors and cosines across the calls of one match; `semantic_of`: the text whose vector
        stands for the question (a story's, for the question at its end)."""
        canon = self.canonical(query)
        grams = self._coder.codes(canon)
        n_docs = len(self._docs)
        if not grams or not n_docs:
            return 0.0, []
        query_vector = centroid_sim = None
        if self.encoder is not None:
            query_vector, centroid_sim = self._semantic(self.canonical(semantic_of) if semantic_of else canon, memo)
        # Per gram, in the question's order: its kind weight, whether the index knows it and in
        # which field. Sums stay Python sums in that order (the same floats as ever).
        vocab, codes = self._vocab, np.asarray(grams, dtype=np.int64)
        weak = self._weak_codes
        kinds = [_KIND_WEIGHT_LIST[g >> _KIND_SHIFT] * (WEAK_FACTOR if g in weak else 1.0) for g in grams]
        kind = np.asarray(kinds)
        if len(vocab):
            at = np.minimum(np.searchsorted(vocab, codes), len(vocab) - 1)
            hit = vocab[at] == codes
        else:
            at, hit = np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), dtype=bool)
        known_ids, known_kind = at[hit], kind[hit]
        known_kinds = known_kind.tolist()
        unseen = self._unseen_idf * (sum(kinds) - sum(known_kinds))
        in_q, in_a = self._in_questions[known_ids], self._in_answers[known_ids]
        q_ids = known_ids[in_q].tolist()
        a_ids = known_ids[in_a].tolist()
        if not q_ids:
            return 0.0, []
        # Grams unknown to a field weigh as much as the rarest gram there: the question's words
        # that the knowledge cannot explain must lower the coverage, not vanish from it.
        q_total = float(self._weight[q_ids].sum()) + unseen + self._unseen_idf * sum(known_kind[~in_q].tolist())
        if self.encoder is None and len(q_ids) > LEXICAL_MAX_GRAMS:
            # Lexical mode, a long story: its most informative grams only (in their order) are
            # looked up; the commonest ones, whose postings are the longest and whose weights the
            # smallest, still count in q_total. Faster, and on the development sets as accurate.
            keep = np.sort(np.argsort(-self._weight[q_ids], kind="stable")[:LEXICAL_MAX_GRAMS])
            q_ids = [q_ids[k] for k in keep.tolist()]
        q_w = self._weight[q_ids]
        bag = self._entry_postings.accumulate(q_ids, q_w, n_docs) / q_total

        a_w = self._answer_weight[a_ids] if a_ids else np.zeros(0)
        a_total = float(a_w.sum()) + unseen + self._unseen_idf * sum(known_kind[~in_a].tolist())
        # per answer text; looked up for the pooled entries below
        answer_cover = self._answer_cover(a_ids, a_w) if a_ids else None

        # How much of the question the knowledge knows at all: off-topic questions that borrow
        # our product names still carry words no entry ever uses (发票, 红包, 提前还款).
        in_vocabulary = sum(known_kinds) / sum(kinds)

        # Stage 1, per entry: no phrasing of an entry can cover more of the question than all its
        # phrasings together (`bag`), so the entries worth a closer look are among the best by
        # bag. Stage 2 computes per-phrasing cover and F1 for those entries only.
        pool = min(PREFILTER, n_docs)
        pooled = np.argpartition(-bag, pool - 1)[:pool] if pool < n_docs else np.arange(n_docs)
        pooled = pooled[bag[pooled] > 0]
        if query_vector is not None:
            # The entries closest to the vector: worked out once per vector within a match (a long
            # story's tail is ranked with the story's vector).
            key = ("closest", id(centroid_sim))
            found = memo.get(key) if memo is not None else None
            if found is None or found[0] is not centroid_sim:
                near = min(SEMANTIC_POOL, n_docs)
                closest = np.argpartition(-centroid_sim, near - 1)[:near] if near < n_docs else np.arange(n_docs)
                if memo is not None:
                    memo[key] = (centroid_sim, closest)
            else:
                closest = found[1]
            pooled = np.union1d(pooled, closest)
        if not len(pooled):
            return in_vocabulary, []
        starts = self._entry_start[pooled]
        ends = self._entry_end[pooled]
        lengths = ends - starts
        phr, firsts = _ranges(starts, lengths)  # the pooled entries' phrasings
        ov = self._overlaps(phr, q_ids, q_w)
        cover_q = ov / q_total
        cover_d = ov / self._doc_weight[phr]
        f1 = np.where(ov > 0, 2 * cover_q * cover_d / np.maximum(cover_q + cover_d, 1e-12), 0.0)
        best_f1 = np.maximum.reduceat(f1, firsts)
        in_answer = (answer_cover[self._answer_of[pooled]] / a_total if answer_cover is not None
                     else np.zeros(len(pooled)))  # of each pooled entry
        pre = 0.5 * best_f1 + 0.3 * bag[pooled] + 0.2 * in_answer
        sem = np.zeros(len(phr))
        if query_vector is not None:
            sem = self._phrasing_closeness(phr, query_vector, memo)
            pre = 0.6 * pre + 0.4 * np.maximum.reduceat(sem, firsts)
        k = min(self.shortlist_size, len(pooled))
        order = np.argpartition(-pre, k - 1)[:k]
        order = order[np.argsort(-pre[order], kind="stable")]
        compact = _compact(canon)
        shortlisted = []
        # The entries given fuzzy scores: the shortlist, best first, up to the first with no pre-score.
        pre_l = pre.tolist()
        chosen = order.tolist()
        chosen = chosen[:next((i for i, j in enumerate(chosen) if pre_l[j] <= 0), len(chosen))]
        # Their phrasings only (a few dozen of the pooled thousand), in Python floats (the same
        # values as the arrays' elements; the arithmetic below is the same float64 arithmetic
        # numpy scalars did, without their cost per operation). Entry i's phrasings sit at
        # offset[i] … offset[i] + lengths[i] in these lists, and at firsts[j] … in `phr`.
        sel, offsets = _ranges(firsts[chosen], lengths[chosen])
        f1_l, sem_l = f1[sel].tolist(), sem[sel].tolist()
        # Each phrasing's sort key for the fuzzy pass, -(0.5 * f1 + 0.5 * sem), in one numpy pass:
        # the same float64 operations (sem's float32 values widen exactly) as per element in Python.
        key_l = (-(0.5 * f1[sel] + 0.5 * sem[sel].astype(np.float64))).tolist()
        firsts_l, lengths_l, starts_l, offsets_l = firsts.tolist(), lengths.tolist(), starts.tolist(), offsets.tolist()
        # Fuzzy scores (the costly part on long questions) only for each entry's most promising few.
        fews = [sorted(range(off, off + lengths_l[j]), key=key_l.__getitem__)[:FUZZY_PER_ENTRY]
                for j, off in zip(chosen, offsets_l)]
        texts = [self._phrasing_text[starts_l[j] + h - off] for j, off, few in zip(chosen, offsets_l, fews) for h in few]
        # All their ratios in one call, the question prepared once (rapidfuzz's cached scorer: the
        # same scores as `fuzz.ratio` pair by pair, a third of the time on a long question).
        ratios = iter((process.cdist([compact], texts, scorer=fuzz.ratio, dtype=np.float64)[0] / 100.0).tolist()
                      if texts else ())
        for j, off, few in zip(chosen, offsets_l, fews):
            e_idx = int(pooled[j])
            lo, hi = off, off + lengths_l[j]
            best = None
            best_sem = max(sem_l[lo:hi]) if hi > lo else 0.0
            for h in few:
                p_idx = starts_l[j] + h - off
                text = self._phrasing_text[p_idx]
                ratio = next(ratios)
                # partial_ratio (the costly score on a long question) only where it can make this
                # phrasing the best: `local` with the highest partial score the phrasing can reach
                # (`_partial_bound`) bounds it from above (rounding is monotonic), and below
                # `needed` it loses to the best so far, so rapidfuzz may stop early (score_cutoff:
                # the exact score at or above the cutoff, else 0). `needed` is lowered by half a
                # point, far beyond rounding error. The best phrasing and its scores are the same
                # as scoring every one in full.
                if best is not None and (0.5 * f1_l[h] + 0.3 * ratio + 0.2 * _partial_bound(ratio, compact, text)
                                         + 0.5 * sem_l[h]) < best[0]:
                    continue
                if text:
                    needed = 0.0 if best is None else (
                        (best[0] - 0.5 * sem_l[h] - (0.5 * f1_l[h] + 0.3 * ratio)) / 0.2 * 100.0 - 0.5)
                    partial = fuzz.partial_ratio(compact, text, score_cutoff=max(needed, 0.0)) / 100.0
                else:
                    partial = 0.0
                local = 0.5 * f1_l[h] + 0.3 * ratio + 0.2 * partial + 0.5 * sem_l[h]
                if best is None or local > best[0]:
                    best = (local, p_idx, h, ratio, partial)
            _, p_idx, h, ratio, partial = best
            at = firsts_l[j] + h - off  # the phrasing's place in `phr`
            feats = (f1_l[h], float(min(cover_q[at], 1.0)), float(min(cover_d[at], 1.0)),
                     float(min(bag[e_idx], 1.0)), ratio, partial, float(min(in_answer[j], 1.0)),
                     best_sem, float(centroid_sim[e_idx]) if centroid_sim is not None else 0.0)
            shortlisted.append((e_idx, feats, p_idx))
        return in_vocabulary, self._for_institutions(canon, shortlisted)

    def _answer_cover(self, a_ids: list[int], a_w: np.ndarray) -> np.ndarray:
        """Per distinct answer text, the summed weight of the question's grams it holds."""
        if self._answer_table is None:
            return self._answer_postings.accumulate(a_ids, a_w, self._n_answers)
        return (self._answer_table[self._answer_row[a_ids]] * a_w[:, None]).sum(axis=0)

    def _phrasing_closeness(self, phr: np.ndarray, vector: np.ndarray, memo: dict | None) -> np.ndarray:
        """Each phrasing's cosine with the question's vector, clipped to 0..1. Within one match
        the same vector meets many of the same phrasings again (a long story's second ranking):
        those already worked out are kept, by vector, in `memo`."""
        if memo is None:
            return np.clip(self._vectors[phr] @ vector, 0.0, 1.0)
        known = memo.get(id(vector))
        if known is None or known[0] is not vector:
            known = memo[id(vector)] = (vector, np.full(self._n_phrasings, -1.0, dtype=np.float32))
        cache = known[1]
        new = phr[cache[phr] < 0.0]
        if len(new):
            cache[new] = np.clip(self._vectors[new] @ vector, 0.0, 1.0)
        return cache[phr]

    def _overlaps(self, phr: np.ndarray, q_ids: list[int], q_w: np.ndarray) -> np.ndarray:
        """For each phrasing of `phr`, the summed weight of the question's grams it holds: from the
        postings of the question's grams, or, when the pooled phrasings have fewer grams than
        those postings, from the phrasings' grams (ascending) looked up in a vocabulary-long
        array that holds the question's weights while it is summed (one array per thread)."""
        seg_start = self._phrasing_gram_start[phr]
        lengths = self._phrasing_gram_start[phr + 1] - seg_start
        ids = np.asarray(q_ids, dtype=np.int64)
        if self._postings.walked(ids) <= int(lengths.sum()):
            # The question's grams have fewer postings (the common grams' bitmaps aside) than the
            # pooled phrasings have grams: sum over its grams' postings.
            return self._postings.accumulate_at(ids, q_w, phr, self._n_phrasings)
        scratch = self._scratch.__dict__
        weight_of = scratch.get("weights")
        if weight_of is None:  # one per thread, zero between uses
            weight_of = scratch["weights"] = np.zeros(len(self._vocab))
        weight_of[q_ids] = q_w
        grams = self._phrasing_grams[_ranges(seg_start, lengths)[0]]
        found = weight_of[grams]
        weight_of[q_ids] = 0.0
        return np.bincount(np.repeat(np.arange(len(phr)), lengths), weights=found, minlength=len(phr))

    def _for_institutions(self, canon: str, shortlisted: list[tuple[int, tuple[float, ...], int]]
                          ) -> list[tuple[Entry, tuple[float, ...], int]]:
        """Drop entries whose steps are for other institutions than the question names; answer
        a number entry for the institution named (each resulting entry once, best first)."""
        named = self._mentioned(canon)
        out: list[tuple[Entry, tuple[float, ...], int]] = []
        seen: set[str] = set()
        for e_idx, feats, p_idx in shortlisted:
            entry = self._docs[e_idx]
            if not self.institutions.fits(entry, named, canon):
                continue
            entry = self.institutions.resolve(entry, named)
            if entry.id not in seen:
                seen.add(entry.id)
                out.append((entry, feats, p_idx))
        return out

    def _one_thread(self):
        """The context a match runs in: in semantic mode, numpy's BLAS on the calling thread alone
        (see encoder.one_blas_thread: the centroid and phrasing products); lexical mode makes no
        BLAS call."""
        if self.encoder is None:
            return contextlib.nullcontext()
        from .encoder import one_blas_thread

        return one_blas_thread()

    def shortlist(self, query: str) -> tuple[float, list[tuple[Entry, tuple[float, ...]]]]:
        """The raw inputs of the models (for calibration): the share of the question the
        knowledge knows, and each shortlisted entry (out-of-scope ones included, their ids
        starting with OUT_OF_SCOPE) with its ranker features."""
        with self._one_thread():
            in_vocabulary, shortlisted = self._features(query)
        return in_vocabulary, [(entry, feats) for entry, feats, _ in shortlisted]

    def rank(self, query: str, limit: int = 5) -> tuple[list[Candidate], float, bool]:
        """Entries ranked by the ranker (best first), the confidence that the first is right,
        and whether an out-of-scope example outranked every entry."""
        with self._one_thread():
            return self._ranked(self._features(query), limit)

    def _ranked(self, features: tuple[float, list[tuple[Entry, tuple[float, ...], int]]],
                limit: int) -> tuple[list[Candidate], float, bool]:
        """`rank` from a question's `_features`."""
        cal = self.calibration
        in_vocabulary, shortlisted = features
        ranked = [Candidate(entry, _logistic(cal.rank_weights, cal.rank_bias, feats),
                            self._phrasing_text[p_idx], feats)
                  for entry, feats, p_idx in shortlisted]
        ranked.sort(key=lambda c: -c.score)
        out_of_scope = bool(ranked) and ranked[0].entry.id.startswith(OUT_OF_SCOPE)
        ranked = [c for c in ranked if not c.entry.id.startswith(OUT_OF_SCOPE)]
        if not ranked:
            return [], 0.0, out_of_scope
        confidence = _logistic(cal.confidence_weights, cal.confidence_bias,
                               confidence_features(ranked, in_vocabulary))
        return ranked[:limit], confidence, out_of_scope

    def candidates(self, query: str, limit: int = 5) -> list[Candidate]:
        """Entries ranked best first, each scored by the ranker and carrying its features."""
        return self.rank(query, limit)[0]

    def match(self, query: str, *, limit: int = 3) -> MatchResult:
        """Match one question. Never raises on odd input: empty, emoji-only or binary-looking
        text simply matches nothing."""
        with self._one_thread():
            return self._match(query, limit)

    def _match(self, query: str, limit: int) -> MatchResult:
        direct = self.institutions.number_question(query, self.canonical(query))
        if direct is not None:  # "X的客服电话是多少": answered from numbers.yaml, for X
            return MatchResult(query, ANSWERED, direct, 1.0, ())
        memo: dict = {}  # texts encoded in this match
        features = self._features(query, memo)  # worked out once, ranked once or twice below
        result = decide(self.calibration, query, *self._ranked(features, limit + 1), limit=limit)
        tail = question_tail(query)
        if tail and result.status != ANSWERED:
            # A long story buries the question at its end ("…我现在该怎么办"): match that part too,
            # by its words, with the story's vector (encoding the tail apart cost the time of a
            # second encoder pass and changed no answer on the development sets).
            other = decide(self.calibration, tail, *self._ranked(self._features(tail, memo, semantic_of=query), limit + 1),
                           limit=limit)
            if other.status == ANSWERED or (other.status == SUGGEST and result.status == NO_MATCH):
                result = dataclasses.replace(other, query=query)
        if result.status == ANSWERED and len(_compact(self.canonical(query))) <= MIN_ANSWER_CHARS - 1:
            # One or two characters ("电话", "冻结") never carry enough to answer: offer choices.
            ranked = self._ranked(features, limit)[0]
            result = MatchResult(query, SUGGEST, None, result.score, tuple(ranked[:limit]))
        if result.entry is not None:
            note = self.numbers_note(query, result.entry)
            if note:
                result = dataclasses.replace(result, numbers_note=note)
        return result

    def numbers_note(self, query: str, entry: Entry) -> str | None:
        """The official numbers of the institutions a question names, when the entry's answer
        does not give them (see Institutions.numbers_note)."""
        named = self._mentioned(self.canonical(query))
        return self.institutions.numbers_note(named, entry.answer) if named else None

    def _mentioned(self, canon: str) -> tuple:
        """`institutions.mentioned`, memoised: a match asks it of one text up to three times
        (the question's ranking, its tail's, the numbers note)."""
        return _remembered(self._mentioned_memo, canon, lambda: tuple(self.institutions.mentioned(canon)))

    def answer_for(self, query: str, entry: Entry) -> str:
        """The answer text a user asking `query` gets from `entry` (with the numbers note)."""
        note = self.numbers_note(query, entry)
        return f"{entry.answer}\n{note}" if note else entry.answer


MIN_ANSWER_CHARS = 3  # shorter questions get suggestions, never a direct answer

TAIL_FROM_CHARS = 60
TAIL_CHARS = 50
_SENTENCE_END = re.compile(r"[。！？!?\n；;]+")


def question_tail(query: str) -> str | None:
    """The last sentences of a long question (about TAIL_CHARS characters), or None."""
    text = query.strip()
    if len(text) < TAIL_FROM_CHARS:
        return None
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    tail = ""
    while parts and len(tail) < TAIL_CHARS:
        tail = parts.pop() + "，" + tail
    tail = tail.strip("，")
    return tail if tail and len(tail) < len(text) - 10 else None


def decide(cal: Calibration, query: str, ranked: Sequence[Candidate], confidence: float, out_of_scope: bool,
           *, limit: int = 3) -> MatchResult:
    """The outcome for a ranked question (see `Matcher.rank`) under one calibration."""
    if not ranked or out_of_scope or confidence < cal.suggest_at:
        return MatchResult(query, NO_MATCH, None, confidence, ())
    if confidence >= cal.answer_at and lead(ranked) >= cal.margin:
        others = tuple(c for c in ranked[1:limit + 1] if c.score >= cal.suggest_floor)
        return MatchResult(query, ANSWERED, ranked[0].entry, confidence, others)
    close = tuple(c for c in ranked[:limit] if c.score >= cal.suggest_floor) or (ranked[0],)
    return MatchResult(query, SUGGEST, None, confidence, close)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def lead(ranked: Sequence[Candidate]) -> float:
    """How far the top entry is ahead of the runner-up, in 0..1: the difference of their ranker
    logits over 8 (probabilities saturate near 1, where 0.99 against 0.87 is still a clear lead)."""
    if len(ranked) < 2:
        return 1.0
    return min(max(_logit(ranked[0].score) - _logit(ranked[1].score), 0.0), 8.0) / 8.0


def confidence_features(ranked: Sequence[Candidate], in_vocabulary: float) -> tuple[float, ...]:
    """Inputs of the confidence model: top ranker score, its lead, vocabulary share, and the
    top entry's own features."""
    return (ranked[0].score, lead(ranked), in_vocabulary, *ranked[0].features)


def evaluate(matcher: Matcher, labelled: Iterable[tuple[str, Sequence[str]]]) -> dict:
    """Top-1 accuracy and top-3 recall on in-scope questions, rejection rate on off-topic ones
    (an empty expected list), plus the outcome counts. Used by the tests and the benchmark."""
    stats = {"in_scope": 0, "top1": 0, "top3": 0, "answered_right": 0, "answered_wrong": 0,
             "off_topic": 0, "rejected": 0, "off_topic_answered": 0, "misses": []}
    for query, expected in labelled:
        ranking = matcher.rank(query, limit=4)
        result = decide(matcher.calibration, query, *ranking)
        ranked = [c.entry.id for c in ranking[0][:3]]
        if expected:
            stats["in_scope"] += 1
            top1 = result.entry.id if result.entry else (ranked[0] if ranked and result.status == SUGGEST else None)
            if top1 in expected:
                stats["top1"] += 1
            else:
                stats["misses"].append((query, list(expected), result.status, ranked[:3]))
            if result.status != NO_MATCH and any(r in expected for r in ranked[:3]):
                stats["top3"] += 1
            if result.status == ANSWERED:
                stats["answered_right" if result.entry.id in expected else "answered_wrong"] += 1
        else:
            stats["off_topic"] += 1
            if result.status == NO_MATCH:
                stats["rejected"] += 1
            elif result.status == ANSWERED:
                stats["off_topic_answered"] += 1
            if result.status != NO_MATCH:
                stats["misses"].append((query, [], result.status, ranked[:3]))
    n_in, n_off = max(stats["in_scope"], 1), max(stats["off_topic"], 1)
    stats["top1_accuracy"] = stats["top1"] / n_in
    stats["top3_recall"] = stats["top3"] / n_in
    stats["off_topic_rejection"] = stats["rejected"] / n_off
    return stats


# The scripts' grams spell every unit as one character, so a gram is a one- or two-character
# string: a run of anything else than Chinese ("wifi", "95188") becomes one character of the
# plane-15 private use area, which folded text never holds (`fold` turns astral symbols into spaces).
_RUN_CHAR_BASE = 0xF0000
_BEFORE_SPACE, _AFTER_SPACE = re.compile(r"(\S) "), re.compile(r" (\S)")
_SCRIPT_BIGRAM = 1 << 21  # gram codes from here on are bigrams
_SCRIPT_READ_CHARS = MAX_QUERY_CHARS * 3    # a message's start that is read (cleaned) ...
_SCRIPT_GRAM_CHARS = MAX_QUERY_CHARS * 2    # ... and the part of it, folded, that makes grams


class ScriptIndex:
    """The fraud types' example scripts in the matcher's lexical form (the same normalised text,
    unigrams, bigrams and IDF as the question index), for the scanner: which type does a message
    read most like? A message is compared with each script by the IDF-weighted F1 of their
    shared grams; a type's score is its best script's.

    Two ways in: `scores(text)` / `self(text)` for raw text, and `scores_clean(cleaned)` /
    `resemble_clean(cleaned)` for text the caller has already put through `text.clean` (the
    scanner has: cleaning twice cost it a third of a scan).

    No encoder here: the scanner must stay fast (thousands of messages a second)."""

    def __init__(self, types: Sequence, lexicon: Lexicon | None = None, *, strong_at: float = 0.30,
                 named_at: float = 0.15):
        self.types = tuple(types)
        self.lexicon = lexicon or Lexicon.build()
        self.strong_at = strong_at
        self.named_at = named_at
        self._run_chars: dict[str, str] = {}
        self._resemblance = None  # scanner.Resemblance, imported on first use
        codes, docs, self._doc_type = [], [], []
        for t_idx, fraud_type in enumerate(self.types):
            for script in fraud_type.scripts:
                found = self._script_codes(clean(script[:_SCRIPT_READ_CHARS]))
                codes.append(found)
                docs.append(np.full(len(found), len(self._doc_type), dtype=np.int64))
                self._doc_type.append(t_idx)
        codes = np.concatenate(codes) if codes else np.zeros(0, np.int64)
        docs = np.concatenate(docs) if docs else np.zeros(0, np.int64)
        # Rows in the order of the sorted vocabulary: a message's known grams are found by one
        # searchsorted, and their positions are their rows. A last, larger code than any gram's
        # (no row) keeps every position searchsorted returns inside the array.
        vocab = _unique_sorted(codes)
        rows = np.searchsorted(vocab, codes)
        self._vocab = np.append(vocab, np.int64(1) << 62)
        n_docs = max(len(self._doc_type), 1)
        kind = np.where(vocab < _SCRIPT_BIGRAM, KIND_WEIGHT[UNIGRAM], KIND_WEIGHT[BIGRAM])
        weight = kind * _idf(np.bincount(rows, minlength=len(vocab)), n_docs)
        self._unseen = float(_idf(np.zeros(1), n_docs)[0])
        self._doc_weight = np.maximum(np.bincount(docs, weights=weight[rows], minlength=len(self._doc_type)), 1e-9)
        # A few hundred scripts: a dense gram x script matrix (a few MB) makes scoring one sum of
        # the message's rows, far faster than walking postings. Each row holds the gram's weight
        # where a script has it, and the weight itself in a last column (the message's total).
        self._matrix = np.zeros((len(vocab), len(self._doc_type) + 1), dtype=np.float64)
        self._matrix[rows, docs] = weight[rows]
        self._matrix[:, -1] = weight
        # Scripts are indexed type by type: each type's scripts are one contiguous run.
        self._type_starts = np.searchsorted(np.asarray(self._doc_type), np.arange(len(self.types)))

    def _codes(self, cleaned: str, *, grow: bool = False) -> tuple[np.ndarray, int]:
        """(the distinct gram codes, sorted; how many of them are grams) of the start
        of a cleaned text, folded: unit unigrams and bigrams (the matcher's gram kinds; no lexicon
        rewriting and no pinyin, which cost more than they add on whole messages). A unit is one
        character (a Chinese one, or one standing for a run of anything else; runs the scripts do
        not know get characters of their own, and `grow` makes them known); a unigram's code is
        its code point, a bigram's the two points as a << 21 | b (code points are below 2 ** 21).
        Codes with a space (the space itself, a pair across one) are in the array, matching no
        gram, and not counted."""
        folded = fold(cleaned[:_SCRIPT_READ_CHARS])[:_SCRIPT_GRAM_CHARS]
        runs = self._run_chars
        if grow:
            def unit(m: re.Match) -> str:
                return runs.setdefault(m.group(), chr(_RUN_CHAR_BASE + len(runs)))
        else:
            unknown: dict[str, str] = {}

            def unit(m: re.Match) -> str:
                found = runs.get(m.group())
                if found is None:
                    found = unknown.setdefault(m.group(), chr(_RUN_CHAR_BASE + len(runs) + len(unknown)))
                return found
        units = _RUN.sub(unit, folded)
        if not units:
            return np.zeros(0, np.int64), 0
        points = np.frombuffer(units.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        codes = _unique_sorted(np.concatenate((points, (points[:-1] << 21) | points[1:])))
        distinct = len(codes)
        if " " in units:  # the space, and "x " and " y" for each character beside a space
            distinct -= 1 + len(set(_BEFORE_SPACE.findall(units))) + len(set(_AFTER_SPACE.findall(units)))
        return codes, distinct

    def _script_codes(self, cleaned: str) -> np.ndarray:
        """A script's distinct gram codes (none with a space)."""
        codes, _ = self._codes(cleaned, grow=True)
        bigram = codes >= _SCRIPT_BIGRAM
        space = (codes == 32) | (bigram & ((codes >> 21) == 32)) | (bigram & ((codes & ((1 << 21) - 1)) == 32))
        return codes[~space]

    def scores(self, text: str) -> np.ndarray:
        """Per type, the best script's similarity to the message (0..1)."""
        return self.scores_clean(clean(text[:_SCRIPT_READ_CHARS]))

    def scores_clean(self, cleaned: str) -> np.ndarray:
        """`scores` of a text already put through `text.clean`."""
        out = np.zeros(len(self.types))
        if not self._doc_type:
            return out
        f1 = self._f1(cleaned)
        return np.maximum.reduceat(f1, self._type_starts) if f1 is not None else out

    def _f1(self, cleaned: str, half: bool = False) -> np.ndarray | None:
        """Each script's IDF-weighted F1 with the message (None: no gram in common); with `half`,
        half of it (one multiplication fewer, for a caller that only wants the best script)."""
        codes, distinct = self._codes(cleaned)
        if not distinct:
            return None
        at = self._vocab.searchsorted(codes)  # the vocabulary's last code is larger than any
        rows = at[self._vocab[at] == codes]
        if not len(rows):
            return None
        # take and add.reduce: the values of matrix[rows].sum(axis=0) (the same rows in the same
        # order, the same reduction) without fancy indexing's general path and sum's Python wrapper
        sums = np.add.reduce(self._matrix.take(rows, axis=0), axis=0)
        q_total = float(sums[-1]) + self._unseen * (distinct - len(rows))
        # F1 of cover_q = overlap / q_total and cover_d = overlap / doc_weight, simplified
        half_f1 = sums[:-1] / (self._doc_weight + q_total)
        return half_f1 if half else 2.0 * half_f1

    def __call__(self, text: str):
        """The closest type as a scanner Resemblance, or None when none is close enough to name."""
        return self.resemble_clean(clean(text[:_SCRIPT_READ_CHARS]))

    def resemble_clean(self, cleaned: str):
        """`self(text)` for a text already put through `text.clean` (the scanner's own text)."""
        if not self._doc_type:
            return None
        half_f1 = self._f1(cleaned, half=True)
        if half_f1 is None:
            return None
        # The best script's type: the first type with the highest score (scripts are in type order).
        best = int(half_f1.argmax())
        score = 2.0 * float(half_f1[best])
        if score < self.named_at:
            return None
        if self._resemblance is None:
            from .scanner import Resemblance  # the scanner imports the checker, not the matcher

            self._resemblance = Resemblance
        return self._resemblance(self.types[self._doc_type[best]], score, score >= self.strong_at)
