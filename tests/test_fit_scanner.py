"""The risk model's threshold rule (benchmarks/fit_scanner.choose): the lowest threshold whose
flagged share of genuine messages, averaged over the sets, stays within a budget; and the
script's command line."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
fit_scanner = pytest.importorskip("fit_scanner")


def rows_of(labels):
    """Rows with only what the threshold rule reads: the set and the label."""
    return [fit_scanner.Row(s, str(i), scam, "", "", (), np.zeros(0), "low", None)
            for i, (s, scam) in enumerate(labels)]


def test_the_lowest_threshold_within_the_budget_averaged_over_sets():
    # set a: 4 scams, 100 genuine; set b: 2 scams, 10 genuine
    labels = [("a", True)] * 4 + [("a", False)] * 100 + [("b", True)] * 2 + [("b", False)] * 10
    probs = np.array([0.99, 0.9, 0.6, 0.2] + list(np.linspace(0.01, 0.5, 98)) + [0.8, 0.7]
                     + [0.95, 0.3] + [0.1] * 9 + [0.85])
    rows = rows_of(labels)
    t, recall, fa = fit_scanner.choose(rows, probs, budget=0.06)
    # at 0.85 set b's genuine 0.85 is flagged (10 %) and a's none: mean 5 % <= 6 %;
    # at 0.8 a's 0.8 joins (1 %): mean 5.5 %; at 0.7 a's 0.7 too: 6 %; the scam at 0.6 adds no
    # false alarm; at 0.5 a reaches 3 %: mean 6.5 %. So 0.6 is the lowest threshold within 6 %
    assert t == pytest.approx(0.6)
    assert fa == pytest.approx((0.02 + 0.1) / 2)
    assert recall == pytest.approx((3 / 4 + 1 / 2) / 2)
    # a smaller budget gives a higher threshold and never a larger false-alarm share
    t2, _, fa2 = fit_scanner.choose(rows, probs, budget=0.01)
    assert t2 > t and fa2 <= 0.01


def test_one_genuine_message_more_moves_the_threshold_to_a_neighbour_only():
    rng = np.random.default_rng(7)
    labels = [("a", False)] * 2000 + [("a", True)] * 500
    probs = np.concatenate([rng.beta(1, 8, 2000), rng.beta(8, 1, 500)])
    t, _, _ = fit_scanner.choose(rows_of(labels), probs, budget=0.003)
    more = np.concatenate([probs, [t + 1e-6]])
    t_more, _, fa_more = fit_scanner.choose(rows_of(labels + [("a", False)]), more, budget=0.003)
    genuine = probs[:2000]
    assert fa_more <= 0.003
    # the threshold rises past the added message, no further than the next genuine one above
    assert t < t_more <= genuine[genuine > t].min()


def test_lifted_messages_count_as_flagged_and_the_floor_holds():
    labels = [("a", True)] * 2 + [("a", False)] * 4
    probs = np.array([0.9, 0.1, 0.2, 0.3, 0.4, 0.95])
    lift = np.array([False, True, False, False, False, False])
    assert fit_scanner.choose(rows_of(labels), probs, budget=0.25) == (pytest.approx(0.9), 0.5, 0.25)
    assert fit_scanner.choose(rows_of(labels), probs, budget=0.25, lift=lift) == (pytest.approx(0.9), 1.0, 0.25)
    t_floor, _, _ = fit_scanner.choose(rows_of(labels), probs, budget=1.0, floor=0.5)
    assert t_floor == pytest.approx(0.5)


def test_lifted_messages_alone_over_the_budget_are_reported_as_such():
    labels = [("a", True)] * 2 + [("a", False)] * 4
    probs = np.array([0.9, 0.1, 0.2, 0.3, 0.4, 0.5])
    lift = np.array([False, True, True, False, False, False])   # one genuine message lifted: 25 %
    t, recall, fa = fit_scanner.choose(rows_of(labels), probs, budget=0.1, lift=lift)
    assert t == 1.0 and fa == 0.25 and recall == 0.5   # over the budget: train() then keeps no lift


def test_the_shipped_wording_model_was_fitted_on_the_sets_the_fitting_script_names():
    """fit_scanner refits the risk model on fit_wording.WORDING_SETS' out-of-set scores: the
    shipped wording model must be the one those sets give (a set list edited without a refit, as
    happened at stop 31, fits the risk model to scores of another wording model)."""
    import json

    fit_wording = pytest.importorskip("fit_wording")
    shipped = json.loads((ROOT / "knowledge" / "scan_wording.json").read_text("utf-8"))
    assert sorted(shipped["sets"]) == sorted(fit_wording.WORDING_SETS)


def test_jobs_below_one_is_refused_before_any_work():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "fit_scanner.py"
    done = subprocess.run([sys.executable, str(script), "--jobs", "0", "--dry-run"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "--jobs must be at least 1" in done.stderr


def _toy_rows(per_set: int, own) -> list[tuple]:
    """fit_wording rows (set, id, scam, grams, weighed) for sets a, b and c: `per_set` scams with
    the words 转账 验证码 and as many chats with 吃饭 明天, each message also holding the gram
    own(set, i)."""
    rows = []
    for s in ("a", "b", "c"):
        for i in range(per_set):
            rows.append((s, f"{s}{i}", True, {"转账", "验证码", own(s, i)}, True))
            rows.append((s, f"{s}g{i}", False, {"吃饭", "明天", own(s, i)}, True))
    return rows


def test_out_of_set_scores_only_the_sets_asked_for_and_scores_them_as_the_full_run_does():
    """fit_scanner asks for the out-of-set wording scores of its ten sets only: one fit each, not
    one for every wording set, with each score what the full run gives it."""
    fit_wording = pytest.importorskip("fit_wording")
    rows = _toy_rows(4, lambda s, i: f"x{i}")
    full = fit_wording.out_of_set(["a", "b", "c"], rows=list(rows))
    some = fit_wording.out_of_set(["a", "b", "c"], rows=list(rows), only={"b"})
    assert set(some) == {k for k in full if k[0] == "b"} and len(some) == 8
    assert some == {k: full[k] for k in some}
    assert some[("b", "b0")] > some[("b", "bg0")]   # fitted on a and c, it still tells b's scam from b's chat


def test_folds_leave_sets_out_in_groups_and_score_every_message_with_a_model_that_never_saw_its_set():
    fit_wording = pytest.importorskip("fit_wording")
    rows = _toy_rows(3, lambda s, i: f"{s}{i}")
    one_by_one = fit_wording.out_of_set(["a", "b", "c"], rows=list(rows))
    folded = fit_wording.out_of_set(["a", "b", "c"], rows=list(rows), folds=2)   # groups (a, c) and (b,)
    assert set(folded) == set(one_by_one)
    assert all(folded[k] == one_by_one[k] for k in folded if k[0] == "b")        # the same fit: b left out alone
    assert any(folded[k] != one_by_one[k] for k in folded if k[0] == "a")        # a is scored by a fit on b alone
    # a fit on set b alone: a's messages share only the label words with it
    assert folded[("a", "a0")] > folded[("a", "ag0")]
