"""Train and register the local intake classifier from the synthetic training corpus (and, when
given, reviewers' decisions as extra labels). Used by `handoff train intake` and the demo."""

from __future__ import annotations

from pathlib import Path

from tools.intake.synthetic_corpus import generate_training_corpus, make_patients
from tools.intake.classifier import IntakeClassifier, train_intake_classifier
from tools.model_registry import save_model


def train_synthetic_intake(model_dir: Path, *, n: int = 1200, seed: int = 11,
                           extra: list[tuple[str, str, str]] | None = None, **options) -> IntakeClassifier:
    """Fit on `n` synthetic items (+ `extra` (text, doc_type, urgency) labels) and register it.
    `options` go to tools.intake.classifier.train_intake_classifier (e.g. augment, use_embeddings)."""
    corpus = generate_training_corpus(seed, n, make_patients(seed=seed, n=200))
    texts = [c.text for c in corpus] + [t for t, _, _ in extra or []]
    doc_types = [c.doc_type for c in corpus] + [d for _, d, _ in extra or []]
    urgencies = [c.urgency for c in corpus] + [u for _, _, u in extra or []]
    source = f"synthetic training corpus (seed {seed}, n={n})" + (f" + {len(extra)} reviewed items" if extra else "")
    clf = train_intake_classifier(texts, doc_types, urgencies, seed=seed, data_source=source, **options)
    save_model(model_dir, estimators=clf.to_estimators(), meta=clf.meta)
    return clf
