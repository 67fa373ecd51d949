"""Populate review queues through the real gate, for review and compliance tests."""

from __future__ import annotations

from decimal import Decimal

from agents.gate import route_suggestion
from models.governance import Priority, clinical_flag
from store import org as org_store
from store import policy as policy_store
from tests.factories import make_suggestion


def fill_queues(runtime, *, unit_code: str = "primary-care", n_each: int = 3) -> dict[str, list]:
    """Items in the front_desk, nursing (clinical, emergent: two reviewers) and billing queues."""
    made: dict[str, list] = {"front_desk": [], "nursing": [], "billing": [], "auto": []}
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code=unit_code)
        # QA sampling is a random draw by design; these counts must not depend on it. The unit's own
        # threshold for "other" (the default policy's intake thresholds come from the trained model).
        current = policy_store.current_policy(conn, unit_id=unit.id)
        policy_store.append_policy_version(
            conn, unit_id=unit.id, policy=current.policy.model_copy(update={
                "qa_sample_rate": 0.0, "min_confidence": {**current.policy.min_confidence, "intake:other": 0.9}}),
            changed_by="admin", expected_version=current.version, note="tests: no QA sampling; auto-file 'other'")
        for i in range(n_each):
            g = {"sex": "F" if i % 2 else "M", "age_band": "18-44", "language": "es" if i % 2 else "en", "payer": "medicaid"}
            made["front_desk"].append(route_suggestion(conn, make_suggestion(
                unit.id, confidence=0.5, label="records_request", patient_group=g,
                value={"doc_type": "records_request", "summary": "Attorney requests records", "charges": 120})))
            made["nursing"].append(route_suggestion(conn, make_suggestion(
                unit.id, confidence=0.95, label="clinical_question", urgency=Priority.emergent, patient_group=g,
                flags=[clinical_flag("emergency_symptoms")],
                value={"doc_type": "clinical_question", "summary": "Chest pain since this morning"})))
            made["billing"].append(route_suggestion(conn, make_suggestion(
                unit.id, agent="claims", kind="claim_check", label="exceptions", confidence=0.9, patient_group=g,
                amount=Decimal("1500.00"), value={"findings": ["mue_exceeded"], "total_charge": "1500.00",
                                                  "summary": "Knee injection, diagnosis M17.11"})))
            made["auto"].append(route_suggestion(conn, make_suggestion(
                unit.id, confidence=0.999, label="other", patient_group=g)))
    return made
