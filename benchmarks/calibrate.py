"""Fit the matcher's confidence model and thresholds on the development set.

    python benchmarks/calibrate.py            # prints the fitted Calibration(...) and its figures

Development data (never the blind tests/data/eval_questions.yaml):
- benchmarks/data/calibration_questions.yaml: written blind (from the entries' questions and
  answers only), like the evaluation set, so the fitted confidence transfers to real questions;
- benchmarks/data/dev_questions.yaml: written by the knowledge base's author;
- with --leave-one-out, also each alternative phrasing held out of its entry and asked, as
  written and with realistic noise (a homophone typo, traditional characters, fillers, emoji).
  It is much harder than real use (an entry loses one of its few phrasings), so it is off by
  default; it is useful to check that the model still ranks sensibly when phrasings are missing.

The model is a logistic regression over the features `Matcher` computes for each shortlisted
entry (label: is it the right entry). Thresholds are then chosen to maximise a utility that
punishes a wrong answer far more than a suggestion or an honest "I don't know".
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.matcher import (ANSWERED, NO_MATCH, OUT_OF_SCOPE, Calibration, Candidate,  # noqa: E402
                              Matcher, _logistic, confidence_features, decide)
from bot.core.text import _pinyin_table, is_cjk, pinyin_of  # noqa: E402

HERE = Path(__file__).resolve().parent
FILLERS = ["请问", "你好 ", "急！", "在线等", "啊", "？？", "😭", "🙏", "…", " "]


def load_labelled(path: Path) -> list[tuple[str, list[str]]]:
    data = yaml.safe_load(path.read_text("utf-8"))
    return [(str(item["q"]), list(item.get("expect") or [])) for item in data["questions"]]


def homophone_typo(text: str, rng: random.Random, sounds: dict[str, list[str]]) -> str:
    positions = [i for i, ch in enumerate(text) if is_cjk(ch) and len(sounds.get(pinyin_of(ch), [])) > 1]
    if not positions:
        return text
    i = rng.choice(positions)
    choices = [c for c in sounds[pinyin_of(text[i])] if c != text[i]]
    return text[:i] + rng.choice(choices) + text[i + 1:]


def noisy_variants(text: str, rng: random.Random, sounds, s2t) -> list[str]:
    out = [homophone_typo(text, rng, sounds), s2t.convert(text)]
    out.append(rng.choice(FILLERS) + text + rng.choice(FILLERS))
    return out


def common_sounds() -> dict[str, list[str]]:
    """Syllable -> common characters (CJK basic block, first 3500 code points by frequency is not
    available offline, so take characters that appear in the knowledge itself)."""
    knowledge = load_knowledge()
    chars = {ch for e in knowledge.entries for p in (*e.phrasings, e.answer) for ch in p if is_cjk(ch)}
    table = _pinyin_table()
    sounds: dict[str, list[str]] = {}
    for ch in sorted(chars):
        sounds.setdefault(table.get(ch, ch), []).append(ch)
    return sounds


def collect(seed: int = 7, leave_one_out: bool = False):
    """One record per question: (expected ids, in-vocabulary share, [(entry id, features)])."""
    import opencc

    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    knowledge = load_knowledge()
    records = []

    def add(matcher: Matcher, query: str, expected: list[str]) -> None:
        in_vocabulary, shortlisted = matcher.shortlist(query)
        records.append((query, expected, in_vocabulary, [(e.id, f) for e, f in shortlisted]))

    full = Matcher.from_knowledge(knowledge)
    for name in ("calibration_questions.yaml", "dev_questions.yaml"):
        for query, expected in load_labelled(HERE / "data" / name):
            add(full, query, expected)
    if not leave_one_out:
        return records

    sounds = common_sounds()
    entries = list(knowledge.entries)
    for i, entry in enumerate(entries):
        for alt in entry.alternatives:
            held_out = dataclasses.replace(entry, alternatives=tuple(a for a in entry.alternatives if a != alt))
            matcher = Matcher([*entries[:i], held_out, *entries[i + 1:]], knowledge.lexicon,
                              out_of_scope=knowledge.out_of_scope)
            for query in [alt, *noisy_variants(alt, rng, sounds, s2t)]:
                add(matcher, query, [entry.id])
    return records


def _fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int) -> np.ndarray:
    """Newton's method (IRLS) with a small L2 penalty on the weights, not the bias."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.eye(xb.shape[1]) * l2
    reg[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + reg @ w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[np.ndarray, float]:
    """Logistic regression with non-negative weights: every feature measures similarity, so
    more of it must never lower a score (unconstrained fits on these correlated features give
    some a negative weight, and then a phrasing covering the whole question can lose). Active
    set: fit, drop the most negative feature, refit, until none is negative."""
    active = list(range(x.shape[1]))
    while True:
        w = _fit(x[:, active], y, l2, steps)
        weights, bias = w[:-1], w[-1]
        if len(active) == 0 or weights.min() >= 0:
            full = np.zeros(x.shape[1])
            full[active] = weights
            return full, float(bias)
        active.pop(int(np.argmin(weights)))


def utility(status: str, right_top1: bool, right_top3: bool, in_scope: bool) -> float:
    """A wrong answer costs twice what a right one earns; a useful suggestion is worth a little
    over half an answer; an honest "I don't know" to a real question costs a little."""
    if in_scope:
        return {ANSWERED: 1.0 if right_top1 else -2.0,
                "suggest": 0.6 if right_top3 else -0.2,
                NO_MATCH: -0.5}[status]
    return {ANSWERED: -2.0, "suggest": -0.5, NO_MATCH: 1.0}[status]


def ranked_for(record, cal: Calibration) -> tuple[list[Candidate], float, bool]:
    """Replicates Matcher.rank on a recorded shortlist."""
    _, expected, in_vocabulary, shortlisted = record
    ranked = [Candidate(entry_id, _logistic(cal.rank_weights, cal.rank_bias, f), "", f)
              for entry_id, f in shortlisted]
    ranked.sort(key=lambda c: -c.score)
    blocked = bool(ranked) and ranked[0].entry.startswith(OUT_OF_SCOPE)
    ranked = [c for c in ranked if not c.entry.startswith(OUT_OF_SCOPE)]
    if not ranked:
        return [], 0.0, blocked
    return ranked, _logistic(cal.confidence_weights, cal.confidence_bias,
                             confidence_features(ranked, in_vocabulary)), blocked


def outcome(record, cal: Calibration) -> tuple[str, bool, bool]:
    """What Matcher.match would do with a recorded question under `cal`: (status, top-1 right,
    a right entry among those shown). Uses the matcher's own decision function."""
    expected = record[1]
    ranked, confidence, blocked = ranked_for(record, cal)
    result = decide(cal, record[0], ranked, confidence, blocked)
    if result.status == ANSWERED:
        right = result.entry in expected
        return ANSWERED, right, right
    if result.status == NO_MATCH:
        return NO_MATCH, False, False
    return "suggest", ranked[0].entry in expected, any(c.entry in expected for c in result.alternatives)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--leave-one-out", action="store_true", help="add the (harder) leave-one-out questions")
    args = parser.parse_args()
    records = collect(args.seed, args.leave_one_out)
    n_features = len(Calibration().rank_weights)

    # 1. Ranker: one row per shortlisted entry, label = it is a right entry. Out-of-scope
    #    examples are left out: they only compete at decision time.
    rows = [(f, eid in r[1]) for r in records for eid, f in r[3] if not eid.startswith(OUT_OF_SCOPE)]
    x = np.array([f for f, _ in rows] or [[0.0] * n_features])
    y = np.array([1.0 if right else 0.0 for _, right in rows] or [0.0])
    rank_w, rank_b = fit_logistic(x, y)
    base = Calibration(rank_weights=tuple(rank_w), rank_bias=rank_b)

    # 2. Confidence: one row per question, label = the top-ranked entry is right.
    conf_x, conf_y = [], []
    for record in records:
        ranked, _, _ = ranked_for(record, base)
        if ranked:
            conf_x.append(confidence_features(ranked, record[2]))
            conf_y.append(1.0 if ranked[0].entry in record[1] else 0.0)
    conf_w, conf_b = fit_logistic(np.array(conf_x), np.array(conf_y))
    fitted = dataclasses.replace(base, confidence_weights=tuple(conf_w), confidence_bias=conf_b)
    print(f"{len(records)} development questions; ranker rows {len(y)}; confidence rows {len(conf_y)}")

    # 3. Thresholds: maximise the mean utility.
    best = None
    for answer_at in np.arange(0.30, 0.96, 0.05):
        for suggest_at in np.arange(0.02, 0.50, 0.02):
            if suggest_at > answer_at:
                continue
            for floor in (0.02, 0.05, 0.1, 0.15, 0.2):
                for margin in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3):
                    cal = dataclasses.replace(fitted, answer_at=round(float(answer_at), 2), margin=margin,
                                              suggest_at=round(float(suggest_at), 2), suggest_floor=floor)
                    total = sum(utility(*outcome(r, cal), bool(r[1])) for r in records)
                    if best is None or total > best[0]:
                        best = (total, cal)
    total, cal = best
    counts: dict[str, int] = {}
    for record in records:
        status, r1, _ = outcome(record, cal)
        key = ("in/" if record[1] else "off/") + status + ("+" if status == ANSWERED and r1 else "")
        counts[key] = counts.get(key, 0) + 1
    print("outcomes:", dict(sorted(counts.items())))
    print(f"mean utility {total / len(records):.3f}\n")
    fmt = lambda values: ", ".join(f"{v:.3f}" for v in values)  # noqa: E731
    print(f"    rank_weights: tuple[float, ...] = ({fmt(cal.rank_weights)})")
    print(f"    rank_bias: float = {cal.rank_bias:.3f}")
    print(f"    confidence_weights: tuple[float, ...] = ({fmt(cal.confidence_weights)})")
    print(f"    confidence_bias: float = {cal.confidence_bias:.3f}")
    print(f"    answer_at={cal.answer_at}  margin={cal.margin}  suggest_at={cal.suggest_at}  suggest_floor={cal.suggest_floor}")


if __name__ == "__main__":
    main()
