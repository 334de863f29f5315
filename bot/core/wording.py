"""How much a message's wording reads like a scam: a character n-gram model
(`scan_wording.tsv` in the knowledge folder, written by benchmarks/fit_wording.py).

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
reach it) and gives the fitted risk model the score as a context feature.

File format (UTF-8, tab-separated; `#` lines are comments):

    bias<TAB>-0.41
    flag_at<TAB>1.25
    fitted<TAB>2026-11-30
    =<TAB>先交<TAB>0.8123      one line per gram: =, the gram, its weight
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from operator import add
from pathlib import Path
from typing import Mapping

from .validation import Problems

_DIGIT = re.compile(r"\d")
_OTHER = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
# Only the start of a very long message is weighed (its wording is the sender's by then; the
# rest would cost time, not change the verdict of a scan that reads every piece for signals).
MAX_CHARS = 3000
ORDERS = (1, 2, 3)
HEADER = ("bias", "flag_at", "fitted")


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


@dataclass(frozen=True)
class WordingModel:
    bias: float
    flag_at: float
    weights: Mapping[str, float]
    fitted: str = ""

    def score(self, text: str) -> float:
        """The log-odds that the wording is a scam's (the bias alone for text without words)."""
        found = grams(text)
        if not found:
            return self.bias
        total = sum(filter(None, map(self.weights.get, found)))  # grams not in the model weigh 0
        return self.bias + total / math.sqrt(len(found))

    def telling(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """The words that weigh most towards a scam, longest first among equals, none inside
        another (the finding's evidence): up to `limit` grams of two or three characters, not
        only digits (an amount's 000 tells the reader nothing)."""
        weights = self.weights
        ranked = sorted((g for g in grams(text) if len(g) > 1 and weights.get(g, 0.0) > 0 and g.strip("0")),
                        key=lambda g: (-weights[g], -len(g), g))
        chosen: list[str] = []
        for g in ranked:
            if not any(g in c or c in g for c in chosen):
                chosen.append(g)
                if len(chosen) == limit:
                    break
        return tuple(chosen)


def load_wording(path: Path, label: str, problems: Problems) -> WordingModel | None:
    """scan_wording.tsv; None when the file is missing (the scanner then weighs no wording)."""
    if not path.exists():
        return None
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(label, f"cannot be read: {exc}")
        return None
    before = len(problems.items)
    header: dict[str, str] = {}
    weights: dict[str, float] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if parts[0] == "=" and len(parts) == 3:
            gram, value = parts[1], parts[2]
            if not gram or len(gram) > max(ORDERS) or normalise(gram) != gram or " " in gram:
                problems.add(label, f"line {number}: '{gram}' is not a gram of 1–3 normalised characters")
                continue
            if gram in weights:
                problems.add(label, f"line {number}: gram '{gram}' is listed twice")
                continue
        elif parts[0] in HEADER and len(parts) == 2:
            if parts[0] in header:
                problems.add(label, f"line {number}: '{parts[0]}' is given twice")
            header[parts[0]] = parts[1]
            continue
        else:
            problems.add(label, f"line {number}: expected 'bias|flag_at|fitted<TAB>value' or '=<TAB>gram<TAB>weight'")
            continue
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight):
            problems.add(label, f"line {number}: the weight of '{gram}' must be a number")
            continue
        weights[gram] = weight
    values = {}
    for key in ("bias", "flag_at"):
        try:
            values[key] = float(header[key])
        except KeyError:
            problems.add(label, f"'{key}' is missing (refit with benchmarks/fit_wording.py)")
        except ValueError:
            problems.add(label, f"'{key}' must be a number")
        else:
            if not math.isfinite(values[key]):
                problems.add(label, f"'{key}' must be a number")
    if not weights:
        problems.add(label, "lists no gram weights")
    if len(problems.items) > before:
        return None
    return WordingModel(values["bias"], values["flag_at"], weights, header.get("fitted", ""))
