"""The intake classifier trains and predicts on a small synthetic corpus, round-trips through the skops
registry, and its cue features and boilerplate stripping do what they say (embeddings off or zeros:
the slow MiniLM path is exercised by the triage suite, not here)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tools.intake.synthetic_corpus import generate_heldout_corpus, generate_training_corpus, make_patients
from models.intake import DOC_TYPES
from tools.embed import EMBED_DIM
from tools.intake.classifier import (
    IntakeClassifier,
    IntakePrediction,
    augment_text,
    final_urgency,
    shift_calibration_splits,
    train_intake_classifier,
)
from tools.intake.cues import CUE_NAMES, cue_counts, cue_features, doc_type_by_cues, strip_boilerplate
from tools.model_registry import load_model, register_model


@pytest.fixture(scope="module")
def corpus():
    patients = make_patients(seed=5, n=60)
    return generate_training_corpus(seed=7, n=100, patients=patients), generate_heldout_corpus(seed=8, n=30, patients=patients)


@pytest.fixture(scope="module")
def model(corpus):
    train, _ = corpus
    return train_intake_classifier([i.text for i in train], [i.doc_type for i in train], [i.urgency for i in train],
                                   seed=0, use_embeddings=False)


def test_trains_and_predicts_probabilities(model, corpus):
    _, test = corpus
    preds = model.predict([i.text for i in test])
    assert len(preds) == len(test)
    for p in preds:
        assert isinstance(p, IntakePrediction)
        assert p.doc_type in DOC_TYPES and p.urgency in ("routine", "urgent", "emergent")
        assert abs(sum(p.doc_type_probs.values()) - 1) < 1e-6 and abs(sum(p.urgency_probs.values()) - 1) < 1e-6
        assert p.doc_type == max(p.doc_type_probs, key=p.doc_type_probs.get)
        assert 0.0 <= p.doc_type_p <= 1.0 and 0.0 <= p.urgency_p <= 1.0
        # the joint calibrator's probability, fitted on cross-fitted predictions
        assert p.joint_p is not None and p.confidence == p.joint_p
    # Far better than chance (1/13) even on a disjoint template family with 100 training items.
    accuracy = np.mean([p.doc_type == i.doc_type for p, i in zip(preds, test)])
    assert accuracy > 0.3
    assert model.meta.params["augment"] is True and model.meta.n_train == 100


def test_registry_round_trip_gives_the_same_predictions(model, corpus, conn):
    _, test = corpus
    register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="test")
    estimators, record = load_model(conn, name=model.meta.name, version=model.version)
    loaded = IntakeClassifier.from_estimators(estimators, record.meta)
    texts = [i.text for i in test[:10]]
    assert [(p.doc_type, round(p.confidence, 9)) for p in loaded.predict(texts)] == \
        [(p.doc_type, round(p.confidence, 9)) for p in model.predict(texts)]


def test_precomputed_embeddings_are_used_and_checked(corpus):
    train, test = corpus
    small = train[:80]
    zeros = np.zeros((len(small), EMBED_DIM), dtype=np.float32)
    m = train_intake_classifier([i.text for i in small], [i.doc_type for i in small], [i.urgency for i in small],
                                embeddings=zeros, use_embeddings=True, augment=False)
    assert m.use_embeddings and any("MiniLM" in f for f in m.meta.features)
    preds = m.predict([i.text for i in test[:3]], embeddings=np.zeros((3, EMBED_DIM), dtype=np.float32))
    assert len(preds) == 3
    with pytest.raises(ValueError, match="embeddings must have shape"):
        m.predict([i.text for i in test[:3]], embeddings=np.zeros((2, EMBED_DIM), dtype=np.float32))


def test_final_urgency_takes_the_higher():
    assert final_urgency("routine", "emergent") == "emergent"
    assert final_urgency("urgent", "routine") == "urgent"
    assert final_urgency("emergent", "urgent") == "emergent"


def test_cues_in_english_and_spanish():
    en = cue_counts("Please refill my lisinopril; the pharmacy says I have no refills left.")
    es = cue_counts("Necesito que me resurtan la receta, ya no tengo pastillas. Farmacia San Judas.")
    assert en["doc:rx_refill"] >= 2 and es["doc:rx_refill"] >= 2
    assert doc_type_by_cues("EXPLANATION OF BENEFITS. Claim number 123. Patient responsibility $20.") == "payer_correspondence"
    assert doc_type_by_cues("Solicitud de autorización previa: necesidad médica para resonancia") == "prior_auth"
    assert doc_type_by_cues("CT chest without contrast. IMPRESSION: no acute findings.") == "imaging_report"
    m = cue_features(["hola", "Subpoena duces tecum for all records"])
    assert m.shape == (2, len(CUE_NAMES)) and m[1, CUE_NAMES.index("doc:records_request")] > 0


def test_boilerplate_is_stripped_but_the_body_kept():
    text = ("FAX COVER SHEET\nTo: Clinic\nFrom: Lab\nPages: 2\nCBC results attached. Hemoglobin 7.1 L\n"
            "CONFIDENTIALITY NOTICE: This fax is intended only for the addressee. If you received it in error,\n"
            "destroy all copies.\nElectronically signed by Records Team on 10/01/2026")
    out = strip_boilerplate(text)
    assert "Hemoglobin 7.1" in out and "CBC results" in out
    assert "error" not in out.lower() and "Pages" not in out and "Records Team" not in out


def test_augmentation_and_calibration_splits_keep_items_apart():
    rng = random.Random(0)
    text = "\n".join(f"line {i} with some words in it" for i in range(10))
    copy = augment_text(text, rng)
    assert copy != text and set(copy.split()) <= set(text.split())
    labels = ["a", "b"] * 15
    for fit, held in shift_calibration_splits(30, labels, folds=3, seed=0):
        assert (held >= 30).all()  # calibration only on augmented copies
        assert not set(held - 30) & set(fit % 30)  # an item never calibrates its own copy
