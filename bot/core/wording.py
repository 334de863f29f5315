"""How much a message's wording reads like a scam: a character n-gram model
(`scan_wording.json` in the knowledge folder, written by benchmarks/fit_wording.py).

The signals (signals.yaml) name what a scam asks for; this model weighs how it is said, over
every word of the message, including wordings nobody wrote a signal for. It is a logistic model
over the distinct character 1-, 2- and 3-grams of the message's words:

    text   lower-cased, every digit 0, any run of other characters than 0-9, a-z and Chinese
           characters one space (grams never cross it: punctuation and layout say little about
           who wrote a message, and much about which helper wrote a development set)
    score  bias + Σ weight of each distinct gram / √(number of distinct grams)

It is fitted on the development message sets (written blind for this project, so it can ship),
each set and each label counting equally. The scanner reports a finding when the score reaches
`flag_at` (chosen on out-of-set scores so that about 0.2 % of genuine development messages
reach it), which the fitted risk model (scan_model.py) weighs like any signal.

File format: JSON (one object; json.loads reads 47,000 weights in about 10 ms, where YAML or a
line-by-line parse takes ten times as long at every start-up):

    {"comment": "...", "fitted": "2026-11-30", "sets": {...}, "bias": -0.41, "flag_at": 1.25,
     "weights": {"先交": 0.8123, "骗": -2.31, ...}}
"""

from __future__ import annotations

import json
import math
import re
from operator import add
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:  # numpy is imported where a model is made or used: a number check loads none
    import numpy as np

from .validation import Problems

_DIGIT = re.compile(r"\d")
_OTHER = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
# A clause: what lies between punctuation, spaces and line breaks (the finding quotes clauses).
_CLAUSE = re.compile(r"[\s，。！？、；：,.!?;:…~～()（）「」『』“”\"'【】\[\]]+")
CLAUSE_CHARS = 24
# Only the start of a very long message is weighed (its wording is the sender's by then; the
# rest would cost time, not change the verdict of a scan that reads every piece for signals).
MAX_CHARS = 3000
ORDERS = (1, 2, 3)


def normalise(text: str) -> str:
    return _OTHER.sub(" ", _DIGIT.sub("0", text.lower()))


def grams(text: str) -> set[str]:
    """The distinct character 1-, 2- and 3-grams of the message's words (see the module)."""
    out: set[str] = set()
    for word in normalise(text[:MAX_CHARS]).split():
        out.update(word)
        if len(word) > 1:  # (the pairs and triples built by map in C: a third of the time of slicing)
            pairs = map(add, word, word[1:])
            if len(word) > 2:
                pairs = list(pairs)
                out.update(map(add, pairs, word[2:]))
            out.update(pairs)
    return out


# Weights are held in units of 1/SCALE (the file's four decimals): a score's sum is then one of
# integers, exact and the same whatever the order a set of grams is walked in, and as fast as a
# float sum.
SCALE = 10_000
# A gram is held as one integer, its characters' code points side by side, BITS bits each (a
# Unicode code point takes 21): no two grams share a key (a normalised gram holds no NUL), and the
# model is two numpy arrays, the sorted keys and their weights, 12 bytes a gram, where a dict of
# strings took about 120 (95,000 grams: 1.1 MB instead of some 11 MB of the idle bot).
BITS = 21
_SPACE = ord(" ")


def key(gram: str) -> int:
    """A gram's integer key (see BITS)."""
    out = 0
    for i, ch in enumerate(gram):
        out |= ord(ch) << (BITS * i)
    return out


def gram_of(k: int) -> str:
    """The gram whose key is `k`."""
    chars = []
    while k:
        chars.append(chr(k & ((1 << BITS) - 1)))
        k >>= BITS
    return "".join(chars)


def keys(text: str) -> np.ndarray:
    """The sorted distinct keys of the text's grams (those `grams` returns), built by numpy over
    the whole text at once: its code points, then each pair and triple inside a word."""
    import numpy as np

    codes = np.frombuffer(normalise(text[:MAX_CHARS]).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    inside = codes != _SPACE
    parts = [codes[inside]]
    if len(codes) > 1:
        pairs = inside[:-1] & inside[1:]
        parts.append((codes[:-1] | (codes[1:] << BITS))[pairs])
        if len(codes) > 2:
            triples = pairs[:-1] & inside[2:]
            parts.append((codes[:-2] | (codes[1:-1] << BITS) | (codes[2:] << (2 * BITS)))[triples])
    return np.unique(np.concatenate(parts))


def _keys_of(grams_: list[str]) -> np.ndarray:
    """The keys (see `key`) of grams of one to three characters, as one uint64 array."""
    import numpy as np

    lens = np.fromiter(map(len, grams_), dtype=np.int64, count=len(grams_))
    codes = np.frombuffer("".join(grams_).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    start = np.cumsum(lens) - lens
    out = codes[start] if len(grams_) else np.zeros(0, dtype=np.uint64)
    for i in (1, 2):
        more = lens > i
        out[more] |= codes[start[more] + i] << np.uint64(BITS * i)
    return out


class WordingModel:
    """bias + Σ weights / √n over a message's distinct grams (see the module)."""

    __slots__ = ("bias", "flag_at", "_keys", "_units", "fitted")

    def __init__(self, bias: float, flag_at: float, weights: Mapping[str, float], fitted: str = ""):
        # Read-only once made (the scanner of every thread shares it): set through object's
        # __setattr__, the arrays flagged read-only.
        import numpy as np

        set_ = object.__setattr__
        set_(self, "bias", float(bias))
        set_(self, "flag_at", float(flag_at))
        # gram key -> weight in units of 1/SCALE, sorted by key; grams rounded to 0 are left out
        # (they weigh nothing). Built by numpy over all the grams at once: a (key, unit) pair
        # object for each of 166,000 grams left some 5 MiB of freed small objects in the idle bot.
        grams_ = list(weights)
        units = np.rint(np.fromiter(weights.values(), dtype=np.float64, count=len(grams_)) * SCALE).astype(np.int64)
        keys_ = _keys_of(grams_)
        del grams_
        order = np.argsort(keys_, kind="stable")
        keys_, units = keys_[order], units[order]
        kept = units != 0
        keys_, units = keys_[kept], units[kept]
        if len(units) and np.abs(units).max() < 2 ** 31:
            units = units.astype(np.int32)  # (a weight under 214,748: every fitted one; sums stay int64)
        keys_.flags.writeable = False
        units.flags.writeable = False
        set_(self, "_keys", keys_)
        set_(self, "_units", units)
        set_(self, "fitted", fitted)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a WordingModel is read-only ({name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a WordingModel is read-only ({name})")

    def __reduce__(self):
        # copy, deepcopy and pickle rebuild it from its arguments (the slots cannot be set one by one)
        return (WordingModel, (self.bias, self.flag_at, {g: u / SCALE for g, u in self.units.items()}, self.fitted))

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        """The bytes its gram table takes (the two arrays)."""
        return self._keys.nbytes + self._units.nbytes

    @property
    def units(self) -> Mapping[str, int]:
        """gram -> weight in units of 1/SCALE (a read-only copy, made on each call: for tests and
        tools, not the hot path)."""
        return MappingProxyType({gram_of(int(k)): int(u) for k, u in zip(self._keys, self._units)})

    def _units_of(self, found: np.ndarray) -> np.ndarray:
        """The units of each key of `found` (sorted or not; 0 for a key the model does not hold)."""
        import numpy as np

        table = self._keys
        if not len(table):
            return np.zeros(len(found), dtype=np.int64)
        at = np.minimum(np.searchsorted(table, found), len(table) - 1)
        return np.where(table[at] == found, self._units[at], 0)

    def weight(self, gram: str) -> float:
        """One gram's weight as the file writes it (0 for a gram the model does not hold)."""
        import numpy as np

        return int(self._units_of(np.array([key(gram)], dtype=np.uint64))[0]) / SCALE

    def weigh_keys(self, found: np.ndarray) -> float:
        """The score of a message whose distinct gram keys are `found` (as `keys` gives them)."""
        if not len(found):
            return self.bias
        return self.bias + int(self._units_of(found).sum(dtype="int64")) / SCALE / math.sqrt(len(found))

    def score(self, text: str) -> float:
        """The log-odds that the wording is a scam's (the bias alone for text without words)."""
        return self.weigh_keys(keys(text))

    def weigh(self, found: set[str]) -> float:
        """The score of a message whose distinct grams are `found` (as `grams` gives them)."""
        import numpy as np

        return self.weigh_keys(np.array(sorted(map(key, found)), dtype=np.uint64))

    def telling(self, text: str, limit: int = 3, found: np.ndarray | None = None) -> tuple[str, ...]:
        """The words that weigh most towards a scam, longest first among equals, none inside
        another (the finding's evidence): up to `limit` grams of two or three characters, not
        only digits (an amount's 000 tells the reader nothing). `found`: the text's gram keys,
        when already worked out."""
        import numpy as np

        found = keys(text) if found is None else found
        units = self._units_of(found)
        # (grams of two or three characters have a key of at least 1 << BITS; only the heaviest
        # are spelled out: the greedy choice walks the weights down one weight at a time, each
        # weight's grams longest first, then in code-point order)
        heavy = (units > 0) & (found >= (1 << BITS))
        cand_keys, cand_units = found[heavy], units[heavy]
        order = np.argsort(-cand_units, kind="stable")
        chosen: list[str] = []
        i, n = 0, len(order)
        while i < n and len(chosen) < limit:
            j = i
            while j < n and cand_units[order[j]] == cand_units[order[i]]:
                j += 1
            same = sorted((-len(g), g) for g in (gram_of(int(cand_keys[order[t]])) for t in range(i, j)) if g.strip("0"))
            for _, g in same:
                if not any(g in c or c in g for c in chosen):
                    chosen.append(g)
                    if len(chosen) == limit:
                        break
            i = j
        return tuple(chosen)

    def telling_phrases(self, text: str, limit: int = 2, found: np.ndarray | None = None,
                        width: int = CLAUSE_CHARS) -> tuple[str, ...]:
        """The finding's evidence as the reader can read it: the clauses of the text (between
        punctuation, spaces and line breaks) that hold the words weighing most (`telling`), in
        that order, up to `limit`, each cut to `width` characters around its word. A gram alone
        is often a fragment across two words (「天又进」, 「是你领」); its clause says what was
        meant (「今天又进了两批货」). The grams themselves where no clause holds one."""
        words = self.telling(text, found=found)
        # each clause beside itself as grams read it, one character for one (lower case, digits 0)
        clauses = [(c, "".join(_DIGIT.sub("0", low) if len(low := ch.lower()) == 1 else ch for ch in c))
                   for c in _CLAUSE.split(text[:MAX_CHARS]) if c]
        chosen: list[str] = []
        for word in words:
            for clause, plain in clauses:
                at = plain.find(word)
                if at < 0:
                    continue
                if len(clause) > width:
                    start = max(0, min(at - (width - len(word)) // 2, len(clause) - width))
                    clause = ("…" if start else "") + clause[start:start + width] + ("…" if start + width < len(clause) else "")
                if clause not in chosen:
                    chosen.append(clause)
                break
            if len(chosen) == limit:
                break
        return tuple(chosen) or words


LIMIT = 1e6  # no weight, bias or threshold of a fitted model comes near this (they are under 100)


def _is_number(value: object) -> bool:
    """A finite int or float (not a bool) within ±LIMIT: JSON allows integers of any size (and
    math.isfinite raises OverflowError on one beyond a float's range), and a weight is held as
    an integer number of 1/SCALE units."""
    if type(value) not in (int, float):
        return False
    try:
        return math.isfinite(value) and abs(value) <= LIMIT
    except OverflowError:
        return False


FIELDS = {"comment", "fitted", "sets", "flag_at_from", "bias", "flag_at", "weights"}
# the characters a gram can hold once normalised (digits are 0 by then)
_GRAM_CHARS = re.compile(r"[0a-z\u4e00-\u9fff]+")


def load_wording(path: Path, label: str, problems: Problems) -> WordingModel | None:
    """scan_wording.json; None when the file is missing (the scanner then weighs no wording).
    Checked whole (C-level passes over all the grams at once), every problem recorded."""
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.add(label, f"cannot be read as JSON: {exc}")
        return None
    except RecursionError:
        problems.add(label, "cannot be read as JSON: nested too deeply")
        return None
    if not isinstance(doc, dict):
        problems.add(label, "must be one JSON object")
        return None
    before = len(problems.items)
    unknown = set(doc) - FIELDS
    if unknown:
        problems.add(label, f"unknown field(s): {', '.join(sorted(unknown))}")
    values = {}
    for key in ("bias", "flag_at"):
        value = doc.get(key)
        if value is None:
            problems.add(label, f"'{key}' is missing (refit with benchmarks/fit_wording.py)")
        elif not _is_number(value):
            problems.add(label, f"'{key}' must be a number")
        else:
            values[key] = float(value)
    weights = doc.get("weights")
    if not isinstance(weights, dict) or not weights:
        problems.add(label, "'weights' must map grams to numbers and list at least one")
        weights = {}
    grams_ = list(weights)
    joined = "".join(grams_)
    if grams_ and (max(map(len, grams_)) > max(ORDERS) or min(map(len, grams_)) < 1
                   or _GRAM_CHARS.fullmatch(joined) is None):
        bad = [g for g in grams_ if not 1 <= len(g) <= max(ORDERS) or _GRAM_CHARS.fullmatch(g) is None]
        problems.add(label, f"not grams of 1–3 normalised characters: {', '.join(repr(g) for g in bad[:5])}")
    if not all(map(_is_number, weights.values())):  # (a bool is not a number here: see _is_number)
        bad = [g for g, v in weights.items() if not _is_number(v)]
        problems.add(label, f"the weights of {', '.join(repr(g) for g in bad[:5])} must be numbers")
    if len(problems.items) > before:
        return None
    model = WordingModel(values["bias"], values["flag_at"], weights, str(doc.get("fitted", "")))
    if not len(model):  # (weights under half a unit, 0.00005, are left out: they weigh nothing)
        problems.add(label, "every weight rounds to 0: the model would weigh nothing (refit it)")
        return None
    return model
