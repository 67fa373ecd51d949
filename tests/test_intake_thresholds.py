"""Auto-routing thresholds are chosen so the Clopper-Pearson upper bound of the error among what
they auto-route stays within 2%: recomputed by hand on tiny frames (no model is trained here)."""

from __future__ import annotations

import numpy as np
import pytest

from tools.intake.training import choose_auto_thresholds, clopper_pearson_upper, load_written
from models.governance import INTAKE_MIN_CONFIDENCE, Policy


def test_clopper_pearson_upper_bound_by_hand():
    # 0 errors in n: the bound solves (1 - p)**n = 0.05
    assert clopper_pearson_upper(0, 149) == pytest.approx(1 - 0.05 ** (1 / 149))
    assert clopper_pearson_upper(0, 149) < 0.02 < clopper_pearson_upper(0, 148)
    # 1 error in 2: P(Bin(2, p) <= 1) = 1 - p**2 = 0.05
    assert clopper_pearson_upper(1, 2) == pytest.approx(0.95 ** 0.5)
    assert clopper_pearson_upper(0, 0) == 1.0 and clopper_pearson_upper(3, 3) == 1.0


def _frame(rows):
    pred, conf, correct, flagged = zip(*rows, strict=True)
    n = len(rows)
    return {"pred_doc_type": np.asarray(pred), "confidence": np.asarray(conf, dtype=float),
            "correct": np.asarray(correct), "flagged": np.asarray(flagged), "group": np.asarray(["w1"] * n),
            "doc_type": np.asarray(pred), "sensitive": np.asarray(flagged)}


def test_a_reliable_doc_type_is_auto_routed_and_an_unreliable_one_never():
    rng = np.random.default_rng(0)
    rows = [("referral", 0.95 + 0.04 * rng.random(), True, False) for _ in range(400)]
    rows += [("other", 0.6 + 0.3 * rng.random(), bool(i % 3), False) for i in range(100)]  # a third wrong
    rows += [("referral", 0.99, False, True)] * 20  # flagged items (sensitive) never count as auto-routed
    choice = choose_auto_thresholds(_frame(rows))
    assert 0.5 <= choice.thresholds["intake:referral"] < 0.96
    assert choice.thresholds["intake:other"] == 1.0
    report = choice.report
    assert report["auto_n"] == 400 and report["errors"] == 0
    assert report["upper95"] == pytest.approx(clopper_pearson_upper(0, 400)) and report["upper95"] <= 0.02


def test_the_pooled_bound_stops_the_loosening():
    # Every doc_type errs 3% of the time at any threshold: no set of thresholds keeps the bound <= 2%.
    rows = [("rx_refill", 0.9, i % 33 != 0, False) for i in range(660)]
    choice = choose_auto_thresholds(_frame(rows))
    assert all(t == 1.0 for t in choice.thresholds.values())
    assert choice.report["auto_n"] == 0


def test_the_default_policy_carries_a_threshold_for_every_doc_type():
    from models.intake import DOC_TYPES

    assert set(INTAKE_MIN_CONFIDENCE) == {f"intake:{d}" for d in DOC_TYPES}
    assert Policy().min_confidence == INTAKE_MIN_CONFIDENCE
    assert all(0.5 <= t <= 1.0 for t in INTAKE_MIN_CONFIDENCE.values())


def test_the_written_corpus_has_every_author_and_language():
    items = load_written(("w1", "w2", "w3", "w4", "w5"))
    assert len(items) >= 1500
    assert {i.group.get("language") for i in items} == {"en", "es", "vi", "zh"}
    assert {i.meta["author"] for i in items} == {"w1", "w2", "w3", "w4", "w5"}


def test_every_corpus_author_but_the_dev_set_trains_and_none_is_a_clear_error(tmp_path):
    from tools.intake.training import DEV_AUTHORS, TRAIN_AUTHORS, CorpusError, corpus_authors, training_set

    assert {"w1", "w2", "w3", "w4", "w5", "w8", "w9"} <= set(TRAIN_AUTHORS) and not set(DEV_AUTHORS) & set(TRAIN_AUTHORS)
    for author in ("w2", "w10", "w6", "notes"):
        (tmp_path / author).mkdir()
    for author in ("w2", "w10", "w6"):
        (tmp_path / author / "b1.jsonl").write_text("")
    assert corpus_authors(tmp_path) == ("w2", "w10")  # a folder without batch files is not an author
    with pytest.raises(CorpusError, match="no hand-written corpus"):
        training_set(authors=corpus_authors(tmp_path / "absent"), root=tmp_path / "absent", n_templates=0)
