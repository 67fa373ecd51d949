"""The no-show model: trains on earlier days, calibrates on later ones, and survives a skops round trip."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tools.noshow.datasets import appointments_to_frame
from evals.synthetic_clinic import generate_clinic
from tools.model_registry import (
    ModelVersionExists,
    UntrustedModelError,
    list_versions,
    load_model,
    read_model_folder,
    register_model,
    write_model_folder,
)
from tools.noshow.model import TrainedNoShowModel, choose_operating_threshold, score_day, scores_for_day, split_by_days, train

SMALL_GBM = {"max_iter": 40}


@pytest.fixture(scope="module")
def clinic_frame():
    clinic = generate_clinic(seed=21, n_patients=1200, days=80, start=date(2026, 1, 5))
    return appointments_to_frame(clinic.appointments, clinic.patients)


@pytest.fixture(scope="module")
def model(clinic_frame):
    return train(clinic_frame, seed=0, gbm_params=SMALL_GBM, n_threads=1)


def test_train_records_dates_hash_and_threshold(model, clinic_frame):
    meta = model.meta
    assert meta.train_start < meta.train_end < meta.calibration_start <= meta.calibration_end
    assert meta.n_train + meta.n_calibration == len(clinic_frame)
    assert len(meta.data_sha256) == 64
    assert 0 < model.operating_threshold < 1
    assert not {"sex", "race_ethnicity", "language"} & set(model.feature_columns)
    p = model.predict_proba(clinic_frame)
    assert p.shape == (len(clinic_frame),) and np.all((p >= 0) & (p <= 1))
    # Same data and seed -> same version (versions are content-derived, not wall-clock).
    again = train(clinic_frame, seed=0, gbm_params=SMALL_GBM, n_threads=1)
    assert again.version == model.version


def test_split_by_days_keeps_days_whole(clinic_frame):
    earlier, later = split_by_days(clinic_frame["appointment_day"], last_fraction=0.25)
    assert clinic_frame.loc[earlier, "appointment_day"].max() < clinic_frame.loc[later, "appointment_day"].min()
    assert 0.15 < later.mean() <= 0.25


def test_operating_threshold_maximises_f1():
    y = np.array([1, 1, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    # Cuts: top1 F1 .5, top2 .8, top3 .667, top4 .857, top5 .75, all .667 -> cut at 0.6.
    assert choose_operating_threshold(y, p) == 0.6


def test_skops_round_trip_gives_identical_predictions(model, clinic_frame, conn):
    registered = register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="test")
    assert registered.version == model.version and registered.meta.data_sha256 == model.meta.data_sha256
    estimators, record = load_model(conn, name="noshow")
    loaded = TrainedNoShowModel.from_estimators(estimators, record.meta)
    assert loaded.version == model.version and loaded.include_sensitive == model.include_sensitive
    np.testing.assert_array_equal(loaded.predict_proba(clinic_frame), model.predict_proba(clinic_frame))
    np.testing.assert_array_equal(
        loaded.predict_proba_baseline(clinic_frame), model.predict_proba_baseline(clinic_frame)
    )
    with pytest.raises(ModelVersionExists):
        register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="test")
    assert [m.version for m in list_versions(conn, name="noshow")] == [model.version]


def test_model_folders_round_trip_and_refuse_untrusted_types(model, tmp_path: Path):
    class NotAllowed:
        pass

    with pytest.raises(UntrustedModelError):
        write_model_folder(tmp_path, estimators={"x": NotAllowed()},
                           meta=model.meta.model_copy(update={"version": "v-bad"}))
    folder = write_model_folder(tmp_path, estimators=model.to_estimators(), meta=model.meta)
    assert (folder / "model.skops").is_file() and (folder / "model_card.md").is_file()
    assert json.loads((folder / "meta.json").read_text())["version"] == model.version
    # A file swapped in behind the registry's back is refused on load.
    import skops.io as sio

    sio.dump({"x": NotAllowed()}, folder / "model.skops")
    with pytest.raises(UntrustedModelError):
        read_model_folder(folder)
    with pytest.raises(ValueError):
        write_model_folder(tmp_path, estimators={}, meta=model.meta.model_copy(update={"name": "../etc"}))


def test_score_day_uses_history_without_outcomes(model):
    today = date(2026, 3, 10)
    clinic = generate_clinic(seed=21, n_patients=1200, days=80, start=date(2026, 1, 5), today=today)
    frame = appointments_to_frame(clinic.appointments, clinic.patients)
    tomorrow = date(2026, 3, 11)
    scores = score_day(model, frame, day=tomorrow)
    assert len(scores) == int((frame["appointment_day"].dt.date == tomorrow).sum()) > 0
    assert scores["probability"].between(0, 1).all()
    assert (scores["prior_appointments"] > 0).any()
    typed = scores_for_day(model, frame, day=tomorrow)
    assert [s.appointment_id for s in typed] == scores["appointment_id"].tolist()
    assert all(s.model_version == model.version and "lead_days" in s.features for s in typed)
    assert "Sex, race/ethnicity and language are not inputs" in model.meta.model_card


def test_calibration_keeps_the_boosters_ranking(model, clinic_frame):
    """Isotonic steps tied whole ranges of scores (ROC-AUC 0.7314 -> 0.7300 on the public data); the
    calibrated probability now keeps the booster's order and moves by at most a millionth."""
    raw = model.predict_proba_uncalibrated(clinic_frame)
    p = model.predict_proba(clinic_frame)
    steps = np.clip(model.calibrator.predict(raw), 0, 1)
    assert np.max(np.abs(p - steps)) <= 1e-6
    assert len(np.unique(steps)) < len(np.unique(raw)) == len(np.unique(p))
    order = np.argsort(raw, kind="mergesort")
    assert np.all(np.diff(p[order]) >= 0)


def test_the_scoring_booster_is_refitted_on_every_training_day(clinic_frame):
    refit = train(clinic_frame, seed=0, gbm_params=SMALL_GBM, n_threads=1)
    first = train(clinic_frame, seed=0, gbm_params=SMALL_GBM, n_threads=1, refit_on_all=False)
    assert refit.meta.params["refit_on_all"] and refit.version != first.version
    # Same calibrator (learned on days the first fit had not seen), a booster that saw the latest days.
    np.testing.assert_array_equal(refit.calibrator.X_thresholds_, first.calibrator.X_thresholds_)
    assert not np.array_equal(refit.predict_proba_uncalibrated(clinic_frame), first.predict_proba_uncalibrated(clinic_frame))
    assert "refitted on all of those days" in refit.meta.model_card
