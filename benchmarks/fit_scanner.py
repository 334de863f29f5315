"""Fit the message scanner's risk decision (a small L2 logistic regression over what the scanner
finds) on the development message sets, measure it honestly, and write knowledge/scanner_model.yaml.

    python benchmarks/fit_scanner.py              # measure, fit on every development set, write the file
    python benchmarks/fit_scanner.py --dry-run    # measure and print only
    python benchmarks/fit_scanner.py --sets dev dev2 dev3   # which development sets (default: all present)
    python benchmarks/fit_scanner.py --jobs 2     # the wording model's out-of-set fits in two processes
    python benchmarks/fit_scanner.py --held-out   # also fit and score with each group of sets left out

Data: RISK_SETS, the development sets the wording model is fitted on (fit_wording.WORDING_SETS, 82
sets: written blind for this project, read, mostly not curated), the ten curated sets (CURATED_SETS:
dev, dev2 to dev6, dev8, dev10, dev11, dev12) weighing CURATED_WEIGHT (8) times as much as each of
the others. Until stop 38 the risk model was fitted on the ten curated sets only; with the wording
model of stop 38 they taught it that a request matters and the wording little, and the signals'
misfires on uncurated business and family chats went through. Stop 39 fitted it on every set alike
(budget 0.7 %) and reverted it: every weight-3 request lost weight together, and issue 10's own
example (在吗你支付宝能用吗麻烦打500元到我账户), a link posing as 10086.cn and five short scam
shapes of the tests went low. Chosen at stop 40, as at stop 39, on the 18 sets dev77 to dev82 and
dev87 to dev98 with a wording model fitted on the 64 sets before them (neither model saw the 18;
their 2,950 scams and 3,450 genuine messages), on dev103, dev105 and dev107 (read, in no fit) scored
by the same models, and on 27 short scams of the behaviour tests and the issue: fitted on the ten
sets, 92.7 % of the 18 sets' scams flagged at 1.71 % false alarms (dev103/105/107: 92.9 % at 3.62 %);
on the 64 sets alike, budget 0.7 %, 92.3 % at 0.87 % (91.8 % at 2.25 %) with 7 of the 27 low; with
the curated sets weighing 8 times, budget 1 %, and the posing floor counted (scan_model.posing_floor),
93.2 % at 0.99 % (93.3 % at 2.38 %) with 3 of the 27 low; weighing 20 times, 93.0 % at 1.13 %
(92.7 % at 2.50 %). Tried, not kept: signal weights held at 2.5 or more for weight-3 signals (the
bias and context moved instead: the same 7 low), every weight-3 request at least medium (3.9 %
false alarms). dev7 (template-generated) and dev9 stay out, as before. The held-out set, dev13, the
sets kept unread and the public sets are never read here.

Model (bot/core/scan_model.py): log-odds = bias + the weight of each signal found + weights ×
context features (talks about scams, genuine notice, chat transcript, refusal, warning sentence,
fraud-type resemblance, numbers and links, length, the wording model's score…). The wording
model's scores (and its "scam wording" finding) are out of set here: see `collect`. A signal's weight is at least 0 and is
pulled (L2) towards its hand-weight class's weight (1, 2 or 3 in signals.yaml), so a signal seen
rarely keeps about the weight of its class and one that misfires on genuine messages loses some;
context weights are pulled towards 0. Every set counts equally (the curated ones CURATED_WEIGHT
times), scams and genuine messages equally within a set.

Thresholds: chosen on out-of-set predictions (each set predicted by a model fitted on sets that
exclude it; out of set, because every new set has started with more false alarms than the sets
the rules were written on). medium_at is the lowest probability at which at most
FALSE_ALARM_BUDGET (1 % since stop 40, chosen as above; 0.3 % before, on the ten curated sets)
of the genuine messages are flagged, averaged over the sets (each set equally; a message a link or
number posing as an official one keeps at least medium counts as flagged, see `posing`): a quantile of thousands of genuine
messages moves to a neighbouring probability when a message or two moves (a trade of recall
against a cost per false alarm jumped between distant plateaus). high_at does the same with
FALSE_HIGH_BUDGET (the group guard acts on high: 0.3 % since stop 40; at the 0.1 % of the ten-set
fits, this fit's high_at reached 0.998 and 82.4 % of the 18 choosing sets' scams were high against
90.5 % with the ten-set model; at 0.3 %, 90.0 % with 0.32 % of their genuine messages high against
0.93 %; dev103/105/107 87.8 % / 0.75 % against 89.8 % / 2.12 %); a flagged message is also high when the
hand rule calls it high (a weight-3 request). The regularisation strengths come from a small grid
by out-of-set log loss (a grid one step below that of the ten-set fits, whose lower corner the
loss chose; it chooses this grid's lower corner too, 0.0001 / 3e-5, with differences in the
fourth decimal: 0.0473 against 0.0474 one step up), and the fraud-type "strong resemblance => at least
medium" override is kept only when it flags more scams out of set within the same budget.
Out of set means the sets (in name order) split into FOLDS groups, each group left out in turn
(`--folds 0`: one set at a time, as for the ten sets).

Honest figures (`--held-out`): the sets split into FOLDS groups, as above. For each group,
everything (weights, regularisation, thresholds) is fitted on the other sets only and the group is
scored, beside the hand rule's figures on it. (The signals themselves were curated on many of these
sets, so this measures the decision, not the signals; a new blind set's first reading measures both.)
An hour on two cores over 82 sets, so not run by default: the sets kept unread (bench.py) measure
the whole scanner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.assistant import Assistant  # noqa: E402
from bot.core.evaluation import load_messages  # noqa: E402
from bot.core.scan_model import BUILTIN_SIGNALS, CONTEXT, ScanModel, context_features, posing_floor  # noqa: E402
from bot.core.scanner import HIGH, LOW, hand_decision  # noqa: E402
from fit_wording import WORDING_SETS, existing as existing_sets, groups_of, out_of_set as wording_out_of_set  # noqa: E402

HERE = Path(__file__).resolve().parent
SCANS = HERE / "data" / "scans"
RISK_SETS = WORDING_SETS   # the sets the risk model is fitted on (see the docstring)
# the ten sets curated round after round (their labels and shapes checked against the product's
# intent) weigh CURATED_WEIGHT times as much as any other set in the fit (not in the thresholds)
CURATED_SETS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev8", "dev10", "dev11", "dev12")
CURATED_WEIGHT = 8.0
FOLDS = 8                 # the sets split into this many groups, each left out in turn (out of set)
WORDING_FOLDS = 10        # the same for the wording model's out-of-set scores
OUT = Path(__file__).resolve().parents[1] / "knowledge" / "scanner_model.yaml"

FALSE_ALARM_BUDGET = 0.01  # genuine messages flagged out of set, averaged over the sets (see the docstring)
FALSE_HIGH_BUDGET = 0.003   # genuine messages rated high out of set (the group guard acts on high)
LAMBDA_SIGNALS = (0.0001, 0.0003, 0.001)
LAMBDA_CONTEXT = (0.00003, 0.0001, 0.0003)
LAMBDA_CLASSES = 1e-4
LAMBDA_BIAS = 1e-6


@dataclass
class Row:
    set: str
    id: str
    scam: bool
    type: str
    style: str
    active: tuple[str, ...]      # signals found and counted
    context: np.ndarray
    hand: str                    # the hand rule's risk
    ev: object


def collect(scanner, names, jobs: int = 1) -> list[Row]:
    """Every message of these sets with what the scanner finds and the hand rule's risk. Each
    message's wording score is out of set (fit_wording.out_of_set: a wording model fitted on the
    other sets), so the fit weighs the wording as it reads on wording nobody fitted it to. (In
    the --held-out figures the other sets' wording scores come from models that saw the
    left-out set: the wording model is not refitted inside each round.) `jobs`: processes for those
    wording fits (the wording sets split into WORDING_FOLDS groups, each left out in turn; the scores
    do not change with `jobs`)."""
    scanner.model = None
    wording = (wording_out_of_set(existing_sets(WORDING_SETS), jobs, only=set(names), folds=WORDING_FOLDS)
               if scanner.wording is not None else {})
    rows = []
    for name in names:
        for m in load_messages(SCANS / f"{name}_messages.yaml"):
            ev = scanner.evidence(m.text, wording=wording.get((name, m.id)))
            ctx = context_features(ev)
            rows.append(Row(name, m.id, m.scam, m.type, m.style, tuple(f.name for f in ev.findings),
                            np.array([ctx[k] for k in CONTEXT], dtype=float), hand_decision(ev)[0], ev))
    return rows


class Design:
    """Rows as matrices: context features, signal indicators, labels and weights."""

    def __init__(self, rows: list[Row], signals: list[str]):
        self.signals = signals
        index = {s: j for j, s in enumerate(signals)}
        self.C = np.vstack([r.context for r in rows]) if rows else np.zeros((0, len(CONTEXT)))
        self.S = np.zeros((len(rows), len(signals)))
        for i, r in enumerate(rows):
            for name in r.active:
                if name in index:
                    self.S[i, index[name]] = 1.0
        self.y = np.array([r.scam for r in rows], dtype=float)
        # every set counts equally but the curated ones (CURATED_WEIGHT each); within a set, scams
        # and genuine messages equally
        c = np.zeros(len(rows))
        groups = by_set(rows)
        weight = {s: CURATED_WEIGHT if s in CURATED_SETS else 1.0 for s in sorted({r.set for r in rows})}
        total = sum(weight.values())
        for s, (scams, genuine) in zip(sorted(weight), groups):
            for idx in (scams, genuine):
                if len(idx):
                    c[idx] = weight[s] / (2 * total * len(idx))
        self.c = c


def fit(d: Design, classes: np.ndarray, lam_s: float, lam_c: float, iters: int = 100):
    """Projected Newton on the penalised log loss. Parameters: bias, context weights, signal
    weights (>= 0), class weights (>= 0). Returns (bias, context, signals, classes)."""
    n, k = d.C.shape
    m = d.S.shape[1]
    P = 1 + k + m + 3
    A = np.hstack([np.ones((n, 1)), d.C, d.S, np.zeros((n, 3))])
    pen = np.zeros((P, P))
    pen[0, 0] = LAMBDA_BIAS
    pen[1:1 + k, 1:1 + k] += lam_c * np.eye(k)
    for j in range(m):
        e = np.zeros(P)
        e[1 + k + j] = 1.0
        e[1 + k + m + classes[j] - 1] = -1.0
        pen += lam_s * np.outer(e, e)
    pen[1 + k + m:, 1 + k + m:] += LAMBDA_CLASSES * np.eye(3)
    bounded = np.zeros(P, dtype=bool)
    bounded[1 + k:] = True
    theta = np.zeros(P)
    theta[1 + k + m:] = (1.0, 2.0, 3.0)
    theta[1 + k:1 + k + m] = classes.astype(float)

    def objective(t):
        z = A @ t
        return float(d.c @ (np.logaddexp(0, z) - d.y * z) + 0.5 * t @ pen @ t)

    f = objective(theta)
    for _ in range(iters):
        z = A @ theta
        p = 1 / (1 + np.exp(-z))
        g = A.T @ (d.c * (p - d.y)) + pen @ theta
        H = (A * (d.c * p * (1 - p))[:, None]).T @ A + pen
        stuck = bounded & (theta <= 1e-12) & (g > 0)
        free = ~stuck
        step = np.zeros(P)
        step[free] = -np.linalg.solve(H[np.ix_(free, free)] + 1e-10 * np.eye(free.sum()), g[free])
        t = 1.0
        while True:
            new = theta + t * step
            new[bounded] = np.maximum(new[bounded], 0.0)
            fn = objective(new)
            if fn <= f - 1e-4 * t * abs(g[free] @ step[free]) or t < 1e-8:
                break
            t *= 0.5
        done = f - fn < 1e-12
        theta, f = new, fn
        if done:
            break
    return theta[0], theta[1:1 + k], theta[1 + k:1 + k + m], theta[1 + k + m:]


def predict(d: Design, params) -> np.ndarray:
    b, v, w, _ = params
    z = b + d.C @ v + d.S @ w
    return 1 / (1 + np.exp(-z))


def by_set(rows: list[Row]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per set (in name order), the indices of its scams and of its genuine messages."""
    index: dict[tuple[str, bool], list[int]] = {}
    for i, r in enumerate(rows):
        index.setdefault((r.set, bool(r.scam)), []).append(i)
    return [(np.array(index.get((s, True), []), dtype=int), np.array(index.get((s, False), []), dtype=int))
            for s in sorted({r.set for r in rows})]


def choose(rows: list[Row], probs: np.ndarray, budget: float, lift: np.ndarray | None = None,
           floor: float = 0.0) -> tuple[float, float, float]:
    """(threshold, recall, false alarms): the lowest threshold at which the flagged share of the
    genuine messages, averaged over the sets (each set equally), stays within `budget`; recall is
    averaged the same way. `lift`: messages counted as flagged whatever their probability; `floor`:
    the lowest threshold allowed. When even the highest threshold flags more than the budget (the
    lifted messages alone), that threshold is returned with its share. (A quantile of many genuine
    messages: one message more or less moves it to a neighbouring probability, where a trade of
    recall against a cost per false alarm jumped between distant plateaus.)"""
    groups = by_set(rows)
    candidates = np.unique(np.concatenate([probs[probs >= floor], [1.0, max(floor, 1e-9)]]))
    best = None
    for t in candidates[::-1]:
        flagged = probs >= t if lift is None else (probs >= t) | lift
        fa = float(np.mean([np.mean(flagged[ge]) for _, ge in groups]))
        if best is not None and fa > budget + 1e-12:
            break               # the flagged share only grows as the threshold falls
        rec = float(np.mean([np.mean(flagged[sc]) for sc, _ in groups]))
        best = (float(t), rec, fa)
    return best


def lifts(rows: list[Row]) -> np.ndarray:
    """The messages a strong resemblance would make medium (see ScanModel.decide)."""
    return np.array([r.ev.fraud_type is not None and r.ev.fraud_type.strong and not r.ev.talks_about_scams
                     and not (not r.ev.findings and r.ev.own_number) for r in rows])


def posing(rows: list[Row]) -> np.ndarray:
    """The messages a link or number posing as an official one keeps at least medium, whatever
    their probability (scan_model.posing_floor): counted as flagged when the thresholds are chosen."""
    return np.array([posing_floor(r.ev) for r in rows])


@dataclass
class Trained:
    params: tuple
    medium_at: float
    high_at: float
    lams: tuple[float, float]
    strong_lifts: bool
    out_of_set: tuple[float, float]   # recall, false alarms at medium_at (out of set)


def out_of_set(rows: list[Row], signals, classes, lam_s, lam_c, folds: int | None = None) -> np.ndarray:
    """Each set's probabilities from a model fitted on the other sets (left out one by one, or
    `folds` groups at a time: each message still predicted by a model that never saw its set)."""
    probs = np.zeros(len(rows))
    for group in groups_of(sorted({r.set for r in rows}), folds):
        train = [r for r in rows if r.set not in group]
        idx = [i for i, r in enumerate(rows) if r.set in group]
        params = fit(Design(train, signals), classes, lam_s, lam_c)
        probs[idx] = predict(Design([rows[i] for i in idx], signals), params)
    return probs


def log_loss(rows: list[Row], probs: np.ndarray) -> float:
    """The weighted log loss of these probabilities (weighted as in the fit: every set equally but
    the curated ones CURATED_WEIGHT times, scams and genuine messages equally within a set)."""
    d = Design(rows, [])
    p = np.clip(probs, 1e-9, 1 - 1e-9)
    return float(-(d.c @ (d.y * np.log(p) + (1 - d.y) * np.log(1 - p))) / d.c.sum())


def train(rows: list[Row], signals, classes, verbose=False, folds: int | None = None) -> Trained:
    """Choose the regularisation by out-of-set log loss (each set predicted by a model fitted on
    sets that exclude it, see `out_of_set`: a smooth measure, so the choice does not hang on a message or two at a
    threshold), then the thresholds and the resemblance lift on those predictions, then fit on
    all rows."""
    posed = posing(rows)
    best = None
    for lam_s in LAMBDA_SIGNALS:
        for lam_c in LAMBDA_CONTEXT:
            probs = out_of_set(rows, signals, classes, lam_s, lam_c, folds)
            loss = log_loss(rows, probs)
            if verbose:
                medium_at, rec, fa = choose(rows, probs, FALSE_ALARM_BUDGET, posed)
                print(f"    λ signals {lam_s:<6} context {lam_c:<6}: out-of-set log loss {loss:.4f}; "
                      f"{rec:.1%} flagged, {fa:.2%} false alarms at medium_at {medium_at:.3f}")
            if best is None or loss < best[0] - 1e-12:
                best = (loss, lam_s, lam_c, probs)
    _, lam_s, lam_c, probs = best
    medium_at, rec, fa = choose(rows, probs, FALSE_ALARM_BUDGET, posed)
    if fa > FALSE_ALARM_BUDGET + 1e-12:
        # (choose then returns the highest threshold: the model would flag nothing by probability)
        raise ValueError(f"the messages a posing link or number keeps medium alone flag {fa:.2%} of the genuine "
                         f"messages, over the budget of {FALSE_ALARM_BUDGET:.2%}")
    # A strong resemblance as an override (low -> medium): kept only when, within the same
    # budget of false alarms, it flags more scams out of set.
    lifted_at, lifted_rec, lifted_fa = choose(rows, probs, FALSE_ALARM_BUDGET, lifts(rows) | posed)
    # (the lifted messages alone may flag more genuine ones than the budget allows: then choose
    # returns the highest threshold with that share, and the lift is not kept)
    strong_lifts = lifted_fa <= FALSE_ALARM_BUDGET + 1e-12 and lifted_rec > rec + 1e-9
    if strong_lifts:
        medium_at, rec, fa = lifted_at, lifted_rec, lifted_fa
    # high: the same rule with a smaller budget (the group guard acts on high)
    high_at, _, _ = choose(rows, probs, FALSE_HIGH_BUDGET, floor=medium_at)
    params = fit(Design(rows, signals), classes, lam_s, lam_c)
    return Trained(params, medium_at, high_at, (lam_s, lam_c), strong_lifts, (rec, fa))


def figures(rows, risks) -> dict:
    scams = [r for r in rows if r.scam]
    gen = [r for r in rows if not r.scam]
    flagged = sum(risks[id(r)] != LOW for r in scams)
    high = sum(risks[id(r)] == HIGH for r in scams)
    alarms = sum(risks[id(r)] != LOW for r in gen)
    galarm_high = sum(risks[id(r)] == HIGH for r in gen)
    return {"scams": len(scams), "flagged": flagged / max(len(scams), 1), "high": high / max(len(scams), 1),
            "genuine": len(gen), "false_alarms": alarms / max(len(gen), 1), "false_high": galarm_high / max(len(gen), 1)}


def model_from(t: Trained, signals, classes) -> ScanModel:
    b, v, w, mu = t.params
    return ScanModel(float(b), t.medium_at, t.high_at, {s: float(x) for s, x in zip(signals, w)},
                     {1: float(mu[0]), 2: float(mu[1]), 3: float(mu[2])},
                     {k: float(x) for k, x in zip(CONTEXT, v)}, t.strong_lifts)


def line(name, f):
    return (f"{name:<28} {f['scams']:>5} {f['flagged']:>8.1%} {f['high']:>7.1%} {f['genuine']:>7} "
            f"{f['false_alarms']:>8.2%} {f['false_high']:>7.2%}")


HEADER = f"{'':<28} {'scams':>5} {'flagged':>8} {'high':>7} {'genuine':>7} {'f.alarm':>8} {'f.high':>7}"


def per_type(rows, risks_a, risks_b, names=("hand", "fitted")):
    types = sorted({r.type for r in rows if r.scam})
    print(f"    {'type':<28} {'n':>4} {names[0]:>8} {names[1]:>8}")
    for t in types:
        rs = [r for r in rows if r.scam and r.type == t]
        a = np.mean([risks_a[id(r)] != LOW for r in rs])
        b = np.mean([risks_b[id(r)] != LOW for r in rs])
        print(f"    {t:<28} {len(rs):>4} {a:>8.1%} {b:>8.1%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="measure and print, do not write the model")
    ap.add_argument("--sets", nargs="+", default=None, help="development sets (default: every one present)")
    ap.add_argument("--types", action="store_true", help="print flagged share per fraud type")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--jobs", type=int, default=1,
                    help="processes for the wording model's out-of-set fits (the scores do not change)")
    ap.add_argument("--held-out", action="store_true",
                    help="also print figures with each group of sets left out of everything (slow)")
    ap.add_argument("--folds", type=int, default=FOLDS,
                    help=f"split the sets into this many groups, each left out in turn (default {FOLDS}; 0: one set at a time)")
    args = ap.parse_args()
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    if args.folds < 0 or args.folds == 1:
        ap.error("--folds must be 0 (one set at a time) or at least 2")
    folds = args.folds or None
    names = args.sets or existing_sets(RISK_SETS)

    assistant = Assistant.load()
    scanner = assistant.scanner
    book = scanner.book
    signals = [s.name for s in book.signals] + list(BUILTIN_SIGNALS)
    hand_weight = {s.name: s.weight for s in book.signals} | BUILTIN_SIGNALS
    classes = np.array([hand_weight[s] for s in signals])
    rows = collect(scanner, names, args.jobs)

    held_out = {}
    if args.held_out:
        print("== Leave sets out (everything fitted on the other sets; flagged = medium or high) ==")
        print(HEADER)
    for group in groups_of(sorted(names), folds) if args.held_out else ():
        train_rows = [r for r in rows if r.set not in group]
        test_rows = [r for r in rows if r.set in group]
        t = train(train_rows, signals, classes, args.verbose, folds)
        model = rounded(model_from(t, signals, classes))
        hand = {id(r): r.hand for r in test_rows}
        fitted = {id(r): model.decide(r.ev)[0] for r in test_rows}
        fh, ff = figures(test_rows, hand), figures(test_rows, fitted)
        held = "+".join(group)
        held_out[held] = {"hand": [round(fh["flagged"], 4), round(fh["false_alarms"], 4)],
                          "fitted": [round(ff["flagged"], 4), round(ff["false_alarms"], 4)]}
        print(f"{held}  (fitted on the other {len(names) - len(group)} sets; λ={t.lams}, "
              f"medium_at {t.medium_at:.3f}, high_at {t.high_at:.3f}, strong lifts {t.strong_lifts})")
        print(line("  hand rule", fh))
        print(line("  fitted", ff))
        if args.types:
            per_type(test_rows, hand, fitted)

    print("\n== Fitted on every set: " + ", ".join(names) + " ==")
    t = train(rows, signals, classes, args.verbose, folds)
    model = rounded(model_from(t, signals, classes))
    print(f"λ signals {t.lams[0]}, context {t.lams[1]}; medium_at {model.medium_at}, high_at {model.high_at}, "
          f"strong lifts {t.strong_lifts}; out of set {t.out_of_set[0]:.1%} flagged, {t.out_of_set[1]:.2%} false alarms")
    print(HEADER)
    for name in names:
        sub = [r for r in rows if r.set == name]
        fitted = {id(r): model.decide(r.ev)[0] for r in sub}
        print(line(f"{name} hand (in sample)", figures(sub, {id(r): r.hand for r in sub})))
        print(line(f"{name} fitted (in sample)", figures(sub, fitted)))
        if args.types:
            per_type(sub, {id(r): r.hand for r in sub}, fitted)
    print("\nweights: bias %.2f; classes %s" % (model.bias, {k: round(v, 2) for k, v in model.classes.items()}))
    print("context: " + ", ".join(f"{k} {v:+.2f}" for k, v in model.context.items()))
    print("signals: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(model.signals.items(), key=lambda kv: -kv[1])))
    if args.dry_run:
        return
    write(model, rows, names, t, held_out, folds)
    print(f"\nwrote {OUT}")


def rounded(model: ScanModel) -> ScanModel:
    """The model as written to the file (4 decimals; thresholds to 6, so no message crosses one)."""
    r4 = lambda v: round(v, 4)  # noqa: E731
    return ScanModel(r4(model.bias), round(model.medium_at, 6), round(model.high_at, 6),
                     {k: r4(v) for k, v in model.signals.items()}, {k: r4(v) for k, v in model.classes.items()},
                     {k: r4(v) for k, v in model.context.items()}, model.strong_lifts)


def write(model: ScanModel, rows, names, t: Trained, held_out: dict, folds: int | None) -> None:
    fitted_on = []
    for name in names:
        sub = [r for r in rows if r.set == name]
        fitted_on.append({"set": f"{name}_messages.yaml", "messages": len(sub),
                          "scams": sum(r.scam for r in sub), "genuine": sum(not r.scam for r in sub)})
    doc = {
        "fitted": dt.date.today().isoformat(),
        "fitted_on": fitted_on,
        "regularisation": {"signals": t.lams[0], "context": t.lams[1]},
        "figures": {"out_of_set": {"flagged": round(t.out_of_set[0], 4), "false_alarms": round(t.out_of_set[1], 4),
                                   "false_alarm_budget": FALSE_ALARM_BUDGET,
                                   "sets_left_out": f"in {min(folds, len(names))} groups" if folds else "one at a time"}}
                   | ({"leave_sets_out": held_out} if held_out else {}),
        "bias": model.bias,
        "medium_at": model.medium_at,
        "high_at": model.high_at,
        "strong_lifts": model.strong_lifts,
        "classes": dict(model.classes),
        "context": dict(model.context),
        "signals": dict(model.signals),
    }
    head = ("# The message scanner's fitted risk decision (bot/core/scan_model.py). Written by\n"
            "# benchmarks/fit_scanner.py on the development message sets; do not edit by hand.\n"
            "# log-odds = bias + Σ signal weights + Σ context weight × feature; medium / high from the\n"
            "# probabilities medium_at / high_at. classes: the weight of a signal not listed, by its hand weight.\n"
            "# figures: flagged and false-alarm shares out of set, and per left-out group of sets [flagged, false alarms].\n")
    OUT.write_text(head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110), "utf-8")


if __name__ == "__main__":
    main()
