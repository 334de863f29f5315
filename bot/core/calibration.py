"""The matcher's fitted models and thresholds (`calibration.yaml` in the knowledge folder).

`benchmarks/calibrate.py` fits them on blind calibration data and writes the file: one
calibration for the semantic mode (with the sentence encoder) and one for the lexical mode.
Without the file (another team's knowledge) the defaults below apply.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .validation import Fields, Problems, read_document

MODES = ("semantic", "lexical")
N_RANK_FEATURES = 9
N_CONFIDENCE_FEATURES = 3 + N_RANK_FEATURES


@dataclass(frozen=True)
class Calibration:
    """Two small logistic models and the thresholds that turn their output into an outcome.

    The *ranker* scores each shortlisted entry from nine features (all 0..1): lexical F1 of its
    best phrasing, share of the question that phrasing covers, share of the phrasing the question
    covers, share of the question covered by all the entry's phrasings together, rapidfuzz ratio
    and partial_ratio against the best phrasing, share of the question found in the answer, and
    (0 without an encoder) the best cosine between the question and one of the entry's phrasings
    and the cosine with the mean of its phrasings.

    The *confidence* model then estimates the probability that the top-ranked entry is the right
    one, from the top entry's ranker score, its lead over the runner-up, the share of the
    question's grams the knowledge knows at all, and the top entry's nine features.

    Both are fitted by `benchmarks/calibrate.py` (one calibration with the encoder, one without),
    which also chooses the thresholds and writes them to the knowledge's `calibration.yaml`.
    """

    rank_weights: tuple[float, ...] = (1.412, 0.000, 5.047, 3.450, 3.521, 0.000, 0.490, 0.0, 0.0)
    rank_bias: float = -7.828
    confidence_weights: tuple[float, ...] = (1.610, 3.027, 0.000, 0.439, 0.000, 1.719, 2.918, 1.198, 0.549,
                                             0.399, 0.0, 0.0)
    confidence_bias: float = -4.109
    answer_at: float = 0.55      # answer when the top entry is at least this likely right...
    margin: float = 0.15          # ...and its ranker score leads the runner-up's by this much
    suggest_at: float = 0.26     # below this nothing is close enough to suggest
    suggest_floor: float = 0.02  # each suggested question's ranker score must reach this




def load_calibrations(path: Path, label: str, problems: Problems) -> dict[str, Calibration]:
    """calibration.yaml: {semantic: {...}, lexical: {...}}; a missing file gives {}."""
    doc = read_document(path, label, problems, {"fitted", "semantic", "lexical"})
    if doc is None:
        return {}
    fields = {f.name for f in dataclasses.fields(Calibration)}
    out: dict[str, Calibration] = {}
    for mode in MODES:
        data = doc.get(mode)
        if data is None:
            continue
        where = f"{label}: {mode}"
        if not isinstance(data, dict):
            problems.add(where, "must be a mapping")
            continue
        Fields(data, where, problems, fields)
        values = {}
        for name in fields & set(data):
            value = data[name]
            if name.endswith("weights"):
                size = N_RANK_FEATURES if name.startswith("rank") else N_CONFIDENCE_FEATURES
                if (not isinstance(value, list) or len(value) != size
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value)):
                    problems.add(where, f"'{name}' must be a list of {size} non-negative numbers")
                    continue
                value = tuple(float(v) for v in value)
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.add(where, f"'{name}' must be a number")
                continue
            values[name] = value if name.endswith("weights") else float(value)
        out[mode] = dataclasses.replace(Calibration(), **values)
    return out
