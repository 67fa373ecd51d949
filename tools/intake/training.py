"""Train the local intake classifier from the synthetic training corpus (and, when given, reviewers'
decisions as extra labels), and register it. Used by `handoff train intake`, the demo and the tests."""

from __future__ import annotations

import psycopg

from models.model_registry import Admission, ModelVersion
from tools.intake.classifier import IntakeClassifier, train_intake_classifier
from tools.intake.synthetic_corpus import generate_training_corpus, make_patients
from tools.model_registry import register_model


def train_synthetic_intake(*, n: int = 1200, seed: int = 11, extra: list[tuple[str, str, str]] | None = None,
                           **options) -> IntakeClassifier:
    """Fit on `n` synthetic items (+ `extra` (text, doc_type, urgency) labels); nothing is stored.
    `options` go to tools.intake.classifier.train_intake_classifier (e.g. augment, use_embeddings)."""
    corpus = generate_training_corpus(seed, n, make_patients(seed=seed, n=200))
    texts = [c.text for c in corpus] + [t for t, _, _ in extra or []]
    doc_types = [c.doc_type for c in corpus] + [d for _, d, _ in extra or []]
    urgencies = [c.urgency for c in corpus] + [u for _, _, u in extra or []]
    source = f"synthetic training corpus (seed {seed}, n={n})" + (f" + {len(extra)} reviewed items" if extra else "")
    return train_intake_classifier(texts, doc_types, urgencies, seed=seed, data_source=source, **options)


def register_intake_classifier(conn: psycopg.Connection, clf: IntakeClassifier, *, registered_by: str,
                               admitted_by: Admission | None = None) -> ModelVersion:
    """Register a trained classifier. Without `admitted_by` the registry says plainly that no eval run
    admitted it (the triage suite, `handoff evals run --suite triage`, is the evaluation)."""
    return register_model(conn, estimators=clf.to_estimators(), meta=clf.meta, registered_by=registered_by,
                          admitted_by=admitted_by)
