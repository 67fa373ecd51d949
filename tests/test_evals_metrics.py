"""Each evaluation figure recomputed by hand on a tiny example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tools.calibration import (
    calibration_in_the_large,
    calibration_slope_intercept,
    expected_calibration_error,
    reliability_table,
)
from evals.fairness import bootstrap_binary_figures, by_group, equalized_odds, intersect
from tools.gates import Gate, evaluate_gates, load_gates
from evals.metrics import (
    binary_metrics,
    bootstrap_interval,
    brier_score,
    classification_report,
    coverage_at_precision,
    multiclass_metrics,
    risk_coverage_curve,
    roc_auc,
)


def test_ece_by_hand():
    y = [0, 0, 1, 1, 1, 0]
    p = [0.1, 0.15, 0.12, 0.8, 0.9, 0.85]
    # bin [0.1, 0.2): p = .1 .15 .12 -> mean .1233, observed 1/3; bin [0.8, 0.9): .8 .85 -> mean .825, obs .5;
    # bin [0.9, 1.0]: .9 -> obs 1.
    expected = 3 / 6 * abs(0.37 / 3 - 1 / 3) + 2 / 6 * abs(0.825 - 0.5) + 1 / 6 * abs(0.9 - 1.0)
    assert expected_calibration_error(y, p, n_bins=10) == pytest.approx(expected)
    table = reliability_table(y, p, n_bins=10)
    assert table["count"].sum() == 6
    assert table["count"][1] == 3 and table["count"][8] == 2 and table["count"][9] == 1


def test_ece_edges_and_quantile_bins():
    # p = 1.0 falls in the last bin; p = 0.0 in the first.
    assert expected_calibration_error([1, 0], [1.0, 0.0]) == 0.0
    y = np.array([0, 1, 0, 1])
    p = np.array([0.2, 0.2, 0.6, 0.6])
    assert expected_calibration_error(y, p, n_bins=2, strategy="quantile") == pytest.approx(0.5 * 0.3 + 0.5 * 0.1)


def test_brier_by_hand():
    assert brier_score([1, 0, 1], [0.9, 0.2, 0.4]) == pytest.approx((0.01 + 0.04 + 0.36) / 3)


def test_calibration_slope_and_in_the_large():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.6, 40000)
    y = (rng.random(p.size) < p).astype(int)
    slope, intercept = calibration_slope_intercept(y, p)
    assert slope == pytest.approx(1.0, abs=0.06)
    assert intercept == pytest.approx(0.0, abs=0.06)
    assert calibration_in_the_large(y, p) == pytest.approx(0.0, abs=0.03)
    # Predictions halved in odds: the intercept recovers log(2).
    odds = p / (1 - p) / 2
    assert calibration_in_the_large(y, odds / (1 + odds)) == pytest.approx(np.log(2), abs=0.04)
    # Too extreme predictions -> slope below 1.
    logit = np.log(p / (1 - p))
    extreme = 1 / (1 + np.exp(-2 * (logit - logit.mean()) - logit.mean()))
    assert calibration_slope_intercept(y, extreme)[0] < 0.6


def test_risk_coverage_by_hand():
    correct = [1, 0, 1, 1, 0]
    confidence = [0.95, 0.9, 0.9, 0.7, 0.6]
    curve = risk_coverage_curve(correct, confidence)
    # Ties at 0.9 enter together.
    assert curve["threshold"].tolist() == [0.95, 0.9, 0.7, 0.6]
    assert curve["coverage"].tolist() == [0.2, 0.6, 0.8, 1.0]
    assert curve["risk"].tolist() == pytest.approx([0.0, 1 / 3, 1 / 4, 2 / 5])
    assert coverage_at_precision(correct, confidence, target=0.75) == (0.8, 0.7)
    assert coverage_at_precision(correct, confidence, target=1.0) == (0.2, 0.95)
    assert coverage_at_precision([0, 0], [0.9, 0.8], target=0.5) == (0.0, float("inf"))


def test_classification_report_by_hand():
    report = classification_report(["a", "a", "b", "c"], ["a", "b", "b", "b"], labels=["a", "b", "c"])
    assert report["precision[a]"] == 1.0 and report["recall[a]"] == 0.5
    assert report["precision[b]"] == pytest.approx(1 / 3) and report["recall[b]"] == 1.0
    assert report["f1[c]"] == 0.0
    assert report["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
    assert report["accuracy"] == 0.5
    mc = multiclass_metrics(["a", "b"], ["a", "a"], labels=["a", "b"], confidence=[0.9, 0.6])
    assert mc["ece"] == pytest.approx(0.5 * 0.1 + 0.5 * 0.6)


def test_binary_metrics_names_and_rates():
    y = np.array([1, 0, 1, 0, 0, 1])
    p = np.array([0.8, 0.3, 0.4, 0.1, 0.6, 0.9])
    m = binary_metrics(y, p, threshold=0.5, positive_label="no_show", negative_label="show")
    # decisions: 1 0 0 0 1 1 -> TP 2, FP 1, FN 1, TN 2
    assert m["tpr"] == pytest.approx(2 / 3) and m["fpr"] == pytest.approx(1 / 3)
    assert m["precision[no_show]"] == pytest.approx(2 / 3) and m["recall[show]"] == pytest.approx(2 / 3)
    assert m["roc_auc"] == pytest.approx(roc_auc(y, p))
    assert m["roc_auc"] == pytest.approx(8 / 9)  # 8 of the 9 positive-negative pairs ordered right


def test_equalized_odds_by_hand():
    y = np.array([1, 1, 0, 0, 1, 1, 0, 0, 1, 0])
    d = np.array([1, 0, 1, 0, 1, 1, 0, 0, 1, 1])
    g = pd.Series(["a"] * 4 + ["b"] * 4 + ["c"] * 2, name="g")
    # a: TPR 1/2, FPR 1/2; b: TPR 1, FPR 0; c (too small) is left out.
    eo = equalized_odds(y, d, g, min_n=3)
    assert eo["tpr_difference"] == pytest.approx(0.5)
    assert eo["fpr_difference"] == pytest.approx(0.5)
    assert eo["difference"] == pytest.approx(0.5)
    assert eo["excluded"] == ["c"]
    assert np.isnan(equalized_odds(y, d, g, min_n=5)["difference"])


def test_by_group_marks_small_groups_and_has_intervals():
    rng = np.random.default_rng(1)
    n = 600
    p = rng.uniform(0, 1, n)
    y = (rng.random(n) < p).astype(int)
    groups = pd.DataFrame({"sex": rng.choice(["F", "M"], n, p=[0.9, 0.1]), "band": rng.choice(["x", "y"], n)})
    groups["sex × band"] = intersect(groups, ["sex", "band"])
    table = by_group(y, p, (p >= 0.5).astype(int), groups, min_n=100, n_boot=50, seed=3)
    assert set(table) == {"sex", "band", "sex × band"}
    assert table["sex"]["M"]["insufficient"] is (table["sex"]["M"]["n"] < 100)
    assert table["sex"]["F"]["insufficient"] is False
    f = table["sex"]["F"]
    assert f["n"] == int((groups["sex"] == "F").sum())
    for figure in ("selection_rate", "tpr", "fpr", "ece", "review_rate", "roc_auc", "ece_if_calibrated"):
        assert f[figure]["ci_low"] <= f[figure]["ci_high"]
    mask = (groups["sex"] == "F").to_numpy()
    assert f["ece"]["value"] == pytest.approx(expected_calibration_error(y[mask], p[mask]))


def test_vectorised_bootstrap_matches_plain_resampling():
    rng = np.random.default_rng(2)
    p = np.round(rng.uniform(0, 0.7, 800), 2)
    y = (rng.random(p.size) < p).astype(int)
    d = (p > 0.3).astype(int)
    fast = bootstrap_binary_figures(y, p, d, np.zeros(p.size), n_boot=60, seed=5)
    assert fast["roc_auc"] == pytest.approx(bootstrap_interval(roc_auc, y, p, n_boot=60, seed=5))
    assert fast["ece"] == pytest.approx(bootstrap_interval(expected_calibration_error, y, p, n_boot=60, seed=5))
    assert fast["brier"] == pytest.approx(bootstrap_interval(brier_score, y, p, n_boot=60, seed=5))


def test_gates_missing_metric_fails_and_file_is_valid():
    gate = Gate(name="g", suite="s", metric="ece", threshold=0.02, direction="<=", why="w", applies_to="external")
    assert evaluate_gates([gate], suite="s", metrics={"ece": 0.01}, data_kind="external")[0].passed
    assert not evaluate_gates([gate], suite="s", metrics={"ece": None}, data_kind="external")[0].passed
    assert not evaluate_gates([gate], suite="s", metrics={}, data_kind="external")[0].passed
    assert evaluate_gates([gate], suite="s", metrics={}, data_kind="synthetic") == []
    # A gate with `only_if` judges only runs where that metric is above zero (issue 13's remittance gates).
    remit = Gate(name="r", suite="s", metric="auc", threshold=0.7, direction=">=", why="w", only_if="n_outcomes")
    assert evaluate_gates([remit], suite="s", metrics={"auc": None, "n_outcomes": 0}, data_kind="external") == []
    assert not evaluate_gates([remit], suite="s", metrics={"auc": None, "n_outcomes": 40}, data_kind="external")[0].passed
    assert evaluate_gates([remit], suite="s", metrics={"auc": 0.8, "n_outcomes": 40}, data_kind="external")[0].passed
    gates = load_gates()
    assert gates and all(g.why.strip() for g in gates)
    assert {"roc_auc", "brier", "ece", "ece_max_group", "equalized_odds_difference"} <= {
        g.metric for g in gates if g.suite == "noshow"
    }


def test_calibrated_ece_reference_shrinks_with_n():
    from evals.fairness import calibrated_ece_reference

    rng = np.random.default_rng(4)
    small = calibrated_ece_reference(rng.uniform(0, 0.5, 300), n_sim=100, seed=1)
    large = calibrated_ece_reference(rng.uniform(0, 0.5, 30000), n_sim=100, seed=1)
    assert small[1] <= small[0] <= small[2]
    assert large[0] < small[0] / 3  # noise floor falls like 1/sqrt(n)


def test_docstring_examples():
    import doctest

    import evals.metrics
    import evals.synthetic_clinic
    import tools.calibration
    import tools.gates

    for module in (tools.calibration, tools.gates, evals.metrics, evals.synthetic_clinic):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__
