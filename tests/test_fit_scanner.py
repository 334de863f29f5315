"""The risk model's threshold rule (benchmarks/fit_scanner.choose): the lowest threshold whose
flagged share of genuine messages, averaged over the sets, stays within a budget; and the
script's command line."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import yaml

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
    """The out-of-set wording scores of some sets only (`only`, as when fit_scanner is run with
    --sets): one fit for each of them, not one for every wording set, with each score what the
    full run gives it."""
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


def test_sets_are_left_out_one_by_one_or_in_groups():
    assert fit_scanner.groups_of(["a", "b", "c"], None) == [("a",), ("b",), ("c",)]
    assert fit_scanner.groups_of(["a", "b", "c", "d", "e"], 2) == [("a", "c", "e"), ("b", "d")]
    assert fit_scanner.groups_of(["a", "b"], 8) == [("a",), ("b",)]   # no empty group


def test_risk_model_out_of_set_predicts_each_group_with_a_model_fitted_on_the_other_sets():
    """Folded: set b (alone in its group) gets the very predictions of leaving b out alone; a and c,
    left out together, are predicted by a model fitted on b only, where the signal s2 that a and
    c's scams hold was seen only on one of b's genuine messages."""
    from bot.core.scan_model import CONTEXT

    def row(s, i, scam, active):
        return fit_scanner.Row(s, f"{s}{i}", scam, "", "", active, np.zeros(len(CONTEXT)), "low", None)

    rows = []
    for s in ("a", "b", "c"):
        for i in range(6):
            rows.append(row(s, i, True, ("s1",) + (("s2",) if s != "b" else ())))
            rows.append(row(s, f"g{i}", False, ("s2",) if s == "b" and i == 0 else ()))
    signals, classes = ["s1", "s2"], np.array([2, 2])
    alone = fit_scanner.out_of_set(rows, signals, classes, 0.01, 0.01)
    folded = fit_scanner.out_of_set(rows, signals, classes, 0.01, 0.01, folds=2)   # groups (a, c) and (b,)
    in_b = [i for i, r in enumerate(rows) if r.set == "b"]
    assert np.allclose(folded[in_b], alone[in_b])
    params = fit_scanner.fit(fit_scanner.Design([r for r in rows if r.set == "b"], signals), classes, 0.01, 0.01)
    in_ac = [i for i, r in enumerate(rows) if r.set != "b"]
    expected = fit_scanner.predict(fit_scanner.Design([rows[i] for i in in_ac], signals), params)
    assert np.allclose(folded[in_ac], expected)
    assert not np.allclose(folded[in_ac], alone[in_ac])   # leaving a out alone, the fit saw c's s2


def test_the_shipped_risk_model_was_fitted_on_the_sets_the_fitting_script_names():
    """The shipped scanner_model.yaml must come from RISK_SETS (the wording model's sets), as the
    shipped wording model must come from WORDING_SETS: a set list edited without a refit would
    ship a risk model fitted on another wording model's scores."""
    fit_wording = pytest.importorskip("fit_wording")
    shipped = yaml.safe_load((ROOT / "knowledge" / "scanner_model.yaml").read_text("utf-8"))
    assert sorted(s["set"] for s in shipped["fitted_on"]) == sorted(f"{n}_messages.yaml" for n in fit_scanner.RISK_SETS)
    assert sorted(s["set"] for s in shipped["fitted_on"]) == sorted(f"{n}_messages.yaml" for n in fit_wording.WORDING_SETS)
    assert shipped["figures"]["out_of_set"]["false_alarm_budget"] == fit_scanner.FALSE_ALARM_BUDGET


@pytest.mark.parametrize("folds", ["1", "-1"])
def test_folds_other_than_zero_or_two_and_more_are_refused_before_any_work(folds):
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "fit_scanner.py"
    done = subprocess.run([sys.executable, str(script), "--folds", folds, "--dry-run"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "--folds must be 0" in done.stderr


def test_curated_sets_weigh_more_in_the_fit_and_each_set_still_balances_its_labels():
    """Design's weights: a curated set (CURATED_SETS) counts CURATED_WEIGHT times as much as another
    set; within each set scams and genuine messages weigh the same in all; the weights sum to 1."""
    curated = fit_scanner.CURATED_SETS[0]
    rows = rows_of([(curated, True), (curated, False), (curated, False), ("other", True), ("other", False)])
    d = fit_scanner.Design(rows, [])
    k = fit_scanner.CURATED_WEIGHT
    assert k > 1 and np.isclose(d.c.sum(), 1.0)
    cur = d.c[[0, 1, 2]]
    oth = d.c[[3, 4]]
    assert np.isclose(cur[0], cur[1] + cur[2]) and np.isclose(oth[0], oth[1])
    assert np.isclose(cur.sum() / oth.sum(), k)


def test_messages_posing_as_official_count_as_flagged_when_thresholds_are_chosen(assistant):
    """The posing floor (scan_model.posing_floor) keeps such a message medium whatever its
    probability, so the budget must count it: choose gets it as a lift."""
    from bot.core.scan_model import CONTEXT

    scanner = assistant.scanner
    texts = [("【中国移动】积分兑换 请登录 10086.cn.kf-jf.xyz", False),
             ("【中国移动】积分即将清零，请在中国移动App兑换，切勿点击10086.cn.kf-jf.xyz这类仿冒网址，谨防诈骗", False),
             ("明天下午三点开会", False)]
    rows = [fit_scanner.Row("a", str(i), scam, "", "", (), np.zeros(len(CONTEXT)), "low", scanner.evidence(t))
            for i, (t, scam) in enumerate(texts)]
    assert fit_scanner.posing(rows).tolist() == [True, False, False]


def test_train_counts_the_posing_floor_and_refuses_a_floor_over_the_budget(monkeypatch):
    """train chooses medium_at with the posing floor counted as flagged: a floor that alone flags
    more genuine messages than the budget is an error, not a model that flags nothing by probability."""
    from bot.core.scan_model import CONTEXT

    rows = []
    for s in ("a", "b", "c"):
        for i in range(5):
            rows.append(fit_scanner.Row(s, f"{s}{i}", True, "", "", ("s1",), np.zeros(len(CONTEXT)), "low", None))
            rows.append(fit_scanner.Row(s, f"{s}g{i}", False, "", "", (), np.zeros(len(CONTEXT)), "low", None))
    monkeypatch.setattr(fit_scanner, "LAMBDA_SIGNALS", (0.01,))
    monkeypatch.setattr(fit_scanner, "LAMBDA_CONTEXT", (0.01,))
    monkeypatch.setattr(fit_scanner, "lifts", lambda rows: np.zeros(len(rows), dtype=bool))
    monkeypatch.setattr(fit_scanner, "posing", lambda rows: np.array([not r.scam and r.id.endswith("g0") for r in rows]))
    with pytest.raises(ValueError, match="posing"):
        fit_scanner.train(rows, ["s1"], np.array([2]))
    monkeypatch.setattr(fit_scanner, "posing", lambda rows: np.zeros(len(rows), dtype=bool))
    t = fit_scanner.train(rows, ["s1"], np.array([2]))
    assert t.out_of_set[1] == 0.0 and t.out_of_set[0] == 1.0
