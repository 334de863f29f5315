"""Fit the scanner's wording model (bot/core/wording.py) on the development message sets and
write knowledge/scan_wording.json.

    python benchmarks/fit_wording.py             # measure out of set, fit on every set, write the file
    python benchmarks/fit_wording.py --dry-run   # measure and print only

Data: WORDING_SETS (fit_scanner.py fits the risk model on the same sets since stop 40): dev, dev2 to
dev6, dev8, dev10 to dev12, dev14 to dev38, dev41, dev42,
dev44 to dev48, dev50 to dev53, dev55, dev56, dev58 to dev60, dev62, dev64 to dev69, dev71 to
dev82 and dev87 to dev98 (written blind for this project, so the model may ship; a model of every
word gains from every set, curated or not). dev65 to dev69 joined at stop 32: with the risk model refitted on each,
a wording model with them flagged 2 more of dev71-dev76's 1,100 scams at the same false alarms (sets
neither model had seen), while leave-one-set-out over the risk model's ten sets gave it 0.2 points
fewer (README, stop 32); dev71 to dev76 joined after that reading. dev77 to dev82 and dev87 to dev98
joined at stop 38, after they had chosen LAMBDA (below). The held-out set, dev13, dev39, dev40,
dev43, dev49, dev54, dev57, dev61, dev63, dev70, dev83 to dev86, dev99 to dev102, dev104, dev106,
dev108 and the public sets are never read here; dev103, dev105 and dev107 (stop 39) are read, not
fitted on.

Model: logistic regression over the distinct character 1–3-grams of each message's words
(wording.grams), each message's grams scaled by 1/√(their number); grams seen in fewer than
MIN_MESSAGES training messages are left out. Every set counts equally, and scams and genuine
messages equally within a set. Optimised with Adam on the full batch (numpy only), ITERATIONS
steps: the step count and MIN_MESSAGES are the regularisation, there is no L2 term (LAMBDA 0).
Chosen at stop 38 on the 18 sets dev77 to dev82 and dev87 to dev98, which no model had been
fitted on (read sets, never the never-read ones): fitted on the 64 sets before them, the share
of their 2,950 scams over the score that 0.2 % of their 3,450 genuine messages reach was
62.1 % with LAMBDA 1e-4 (the stops 17 to 37 value), 72.3 % at 3e-5, 77.9 % at 1e-5, 79.7 % at 3e-6,
79.9 % at 1e-6 and 86.8 % at 0 (150 steps 87.4 %, 600 steps 86.0 %; 4-grams with 1e-4 65.3 %).
With the risk model refitted on it, the whole scanner flagged 93.2 % of those scams at 1.74 %
false alarms, against 89.4 % at 1.86 % with the shipped models. A logistic model over the
sentence encoder's vectors (USE, 512 numbers a message) reached 19.8 % at the same 0.2 %, and
raised the scanner's 89.4 % to 90.4 % only at 2.7 % false alarms: not used.

flag_at: the scanner reports a "scam wording" finding at this score. It is chosen on out-of-set
scores (each set scored by a model fitted on the others) so that FLAG_SHARE of the genuine
development messages the scanner weighs (scanner.wording_weighs) reach it.
`out_of_set` is also what fit_scanner.py gives the risk model to
fit on, so the fused model learns how far the wording score can be trusted on wording it has
never seen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.evaluation import load_messages  # noqa: E402
from bot.core.scanner import wording_weighs  # noqa: E402
from bot.core.text import clean  # noqa: E402
from bot.core.wording import WordingModel, grams  # noqa: E402

HERE = Path(__file__).resolve().parent
SCANS = HERE / "data" / "scans"
OUT = HERE.parent / "knowledge" / "scan_wording.json"

MIN_MESSAGES = 3       # a gram must occur in this many training messages
LAMBDA = 0.0           # L2 strength (on the set- and label-balanced mean log loss); see "Model"
ITERATIONS = 300
RATE = 0.05
FLAG_SHARE = 0.002     # share of the weighed genuine development messages (out of set) at or above flag_at
KEEP_AT = 0.01         # weights smaller than this are not written (over the development messages they change a
                       # score by 0.0013 at the median, 0.014 at most; 40,000 fewer grams, 3.6 MiB less at idle)
WORDING_SETS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev8", "dev10", "dev11", "dev12", "dev14", "dev15",
                "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev26",
                "dev27", "dev28", "dev29", "dev30", "dev31", "dev32", "dev33", "dev34", "dev35", "dev36", "dev37", "dev38",
                "dev41", "dev42", "dev44", "dev45", "dev46", "dev47", "dev48", "dev50", "dev51", "dev52", "dev53",
                "dev55", "dev56", "dev58", "dev59", "dev60", "dev62", "dev64", "dev65", "dev66", "dev67", "dev68", "dev69",
                "dev71", "dev72", "dev73", "dev74", "dev75", "dev76", "dev77", "dev78", "dev79", "dev80", "dev81",
                "dev82", "dev87", "dev88", "dev89", "dev90", "dev91", "dev92", "dev93", "dev94", "dev95", "dev96",
                "dev97", "dev98")


def existing(names) -> list[str]:
    """The sets of `names` that are on disk (a checkout may lack some development sets)."""
    return [s for s in names if (SCANS / f"{s}_messages.yaml").exists()]


def load(names) -> list[tuple[str, str, bool, set[str], bool]]:
    """(set, id, scam, grams, weighed) for every message of the sets, read as the scanner reads a
    message (text.clean: no invisible characters, NFKC, simplified characters); `weighed`: whether
    the scanner weighs its wording at all (scanner.wording_weighs)."""
    out = []
    for name in names:
        for m in load_messages(SCANS / f"{name}_messages.yaml"):
            text = clean(m.text)
            out.append((name, m.id, m.scam, grams(text), wording_weighs(text)))
    return out


def fit(rows) -> tuple[float, dict[str, float]]:
    """(bias, gram -> weight) fitted on the rows."""
    df = Counter(g for row in rows for g in row[3])
    vocab = {g: k for k, g in enumerate(sorted(g for g, c in df.items() if c >= MIN_MESSAGES))}
    r_idx, c_idx, val = [], [], []
    for r, row in enumerate(rows):
        scale = 1.0 / math.sqrt(max(len(row[3]), 1))
        for g in row[3]:
            k = vocab.get(g)
            if k is not None:
                r_idx.append(r)
                c_idx.append(k)
                val.append(scale)
    r_idx, c_idx, val = np.array(r_idx), np.array(c_idx), np.array(val)
    n, d = len(rows), len(vocab)
    y = np.array([row[2] for row in rows], dtype=float)
    sw = np.zeros(n)
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault((row[0], row[2]), []).append(i)
    for idx in groups.values():
        sw[idx] = 1.0 / len(idx)
    sw /= sw.sum()
    w = np.zeros(d)
    b = 0.0
    m1, m2 = np.zeros(d), np.zeros(d)
    b1 = b2 = 0.0
    for t in range(1, ITERATIONS + 1):
        z = np.bincount(r_idx, weights=w[c_idx] * val, minlength=n) + b
        p = 1.0 / (1.0 + np.exp(-z))
        g = (p - y) * sw
        gw = np.bincount(c_idx, weights=g[r_idx] * val, minlength=d) + LAMBDA * w
        gb = g.sum()
        m1 = 0.9 * m1 + 0.1 * gw
        m2 = 0.999 * m2 + 0.001 * gw * gw
        w -= RATE * (m1 / (1 - 0.9 ** t)) / (np.sqrt(m2 / (1 - 0.999 ** t)) + 1e-8)
        b1 = 0.9 * b1 + 0.1 * gb
        b2 = 0.999 * b2 + 0.001 * gb * gb
        b -= RATE * (b1 / (1 - 0.9 ** t)) / (math.sqrt(b2 / (1 - 0.999 ** t)) + 1e-8)
    words = sorted(vocab, key=vocab.get)
    return float(b), {g: float(w[k]) for k, g in enumerate(words)}


_ROWS: list = []  # the rows the forked workers of out_of_set read (set before the pool starts)


def groups_of(sets, folds: int | None) -> list[tuple[str, ...]]:
    """The sets left out together: one by one (`folds` None), or `folds` groups (sets[0::folds],
    sets[1::folds], ...). fit_scanner.py leaves its sets out the same way."""
    sets = list(sets)
    if folds is None:
        return [(s,) for s in sets]
    return [tuple(sets[i::folds]) for i in range(min(folds, len(sets)))]


def _left_out(group: tuple[str, ...], only=None) -> dict[tuple[str, str], float]:
    """The scores of the messages of the sets in `group` (of those in `only`, when given) under a
    model fitted on the other sets of _ROWS."""
    bias, weights = fit([r for r in _ROWS if r[0] not in group])
    model = WordingModel(bias, math.inf, weights)
    return {(r[0], r[1]): model.weigh(r[3]) for r in _ROWS if r[0] in group and (only is None or r[0] in only)}


def out_of_set(names, jobs: int = 1, rows=None, only=None, folds: int | None = None) -> dict[tuple[str, str], float]:
    """(set, id) -> the score of a model fitted on the other sets (`rows`: load(names), read
    again when not given); with jobs > 1 the fits run in that many forked processes where the
    system can fork (each fit is the same computation: the scores do not change). `only`: score
    just these of the sets (one fit each; every set of `names` is still fitted on). `folds`: the
    sets left out `folds` at a time instead of one by one (names[0::folds], names[1::folds], ...;
    a fit takes a minute or two: the whole leave-one-set-out run over 80 sets takes an hour on two
    cores, ten folds seven minutes), each message still scored by a model that never saw its set."""
    import functools
    import multiprocessing

    _ROWS[:] = load(names) if rows is None else rows
    groups = [g for g in groups_of(names, folds) if only is None or any(n in only for n in g)]
    work = functools.partial(_left_out, only=only)
    scores: dict[tuple[str, str], float] = {}
    try:
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for part in pool.imap_unordered(work, groups):
                    scores.update(part)
        else:
            for group in groups:
                scores.update(work(group))
    finally:
        _ROWS.clear()  # (the caller keeps its own rows; no second copy outlives the fits)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--sets", nargs="*")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes for the leave-one-set-out fits (the scores do not change)")
    parser.add_argument("--folds", type=int, default=None,
                        help="leave the sets out this many groups at a time, not one by one (faster)")
    args = parser.parse_args()
    names = args.sets or existing(WORDING_SETS)
    on_disk = existing(names)
    missing = [n for n in names if n not in on_disk]
    if missing or len(names) < 2:
        parser.error(f"needs at least two sets on disk (flag_at is chosen out of set); missing: {missing}")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.folds is not None and args.folds < 2:
        parser.error("--folds must be at least 2")
    rows = load(names)
    oos = out_of_set(names, args.jobs, rows, folds=args.folds)
    # (over the genuine messages the scanner weighs: one it never weighs can raise no false alarm)
    genuine = np.sort([oos[(r[0], r[1])] for r in rows if not r[2] and r[4]])
    if not len(genuine):
        parser.error("needs genuine messages (flag_at is chosen on them, out of set)")
    flag_at = float(genuine[min(len(genuine) - 1, int(math.ceil(len(genuine) * (1 - FLAG_SHARE))))])
    print(f"flag_at {flag_at:.3f} ({FLAG_SHARE:.1%} of {len(genuine)} weighed genuine messages out of set)")
    print(f"{'left out':<8} {'scams':>6} {'flagged':>8} {'genuine':>8} {'false alarms':>12}")
    for name in names:  # (a message the scanner never weighs is never flagged by its wording)
        s = [oos[(r[0], r[1])] if r[4] else -math.inf for r in rows if r[0] == name and r[2]]
        g = [oos[(r[0], r[1])] if r[4] else -math.inf for r in rows if r[0] == name and not r[2]]
        print(f"{name:<8} {len(s):>6} {np.mean(np.array(s) >= flag_at):>8.1%} {len(g):>8}"
              f" {np.mean(np.array(g) >= flag_at) if g else 0:>12.2%}")
    bias, weights = fit(rows)
    kept = {g: w for g, w in weights.items() if abs(w) >= KEEP_AT}
    print(f"fitted on {len(rows)} messages: {len(weights)} grams, {len(kept)} written (|weight| >= {KEEP_AT})")
    if args.dry_run:
        return
    doc = {"comment": "The scanner's wording model (bot/core/wording.py), written by benchmarks/fit_wording.py"
                      " on the development message sets; do not edit by hand.",
           "fitted": dt.date.today().isoformat(),
           "sets": {n: sum(1 for r in rows if r[0] == n) for n in names},
           "flag_at_from": "out of set, " + ("one set left out at a time" if args.folds is None
                                             else f"the sets left out in {args.folds} groups"),
           "bias": round(bias, 4), "flag_at": round(flag_at, 4),
           "weights": {g: round(w, 4) for g, w in sorted(kept.items(), key=lambda kv: (-abs(kv[1]), kv[0]))}}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
