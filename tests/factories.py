"""Small builders of valid domain objects for tests (real models, real validation)."""

from __future__ import annotations

from uuid import UUID, uuid4

from models.governance import Suggestion


def make_suggestion(unit_id: UUID, **overrides) -> Suggestion:
    fields = dict(
        agent="intake",
        kind="doc_type",
        unit_id=unit_id,
        subject=f"inbound:{uuid4()}",
        label="records_request",
        value={"doc_type": "records_request"},
        confidence=0.97,
        model_version="test-1",
        input_hash="0" * 64,
        patient_group={"sex": "F", "age_band": "45-64", "language": "en"},
    )
    fields.update(overrides)
    return Suggestion(**fields)
