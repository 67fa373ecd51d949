"""Minimum necessary as data: the default field policy as a role x document-kind matrix (written out
here, not computed from the policy), nested values and evidence included; the policy is changed like
the routing policy (a new version) and refuses to let clinical text leave clinical roles; billers read
claim findings (CARC/RARC, evidence, fix) and payer correspondence through the real API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from agents.gate import route_suggestion
from agents.policy import set_policy
from api.access import project_item
from api.services.auth import create_token
from models.governance import Evidence, Policy
from models.intake import DOC_TYPES
from models.org import Role
from models.visibility import FieldAccess
from store import org as org_store
from store import policy as policy_store
from tests.factories import make_suggestion

R = Role
ALL = {"routing", "identity", "contact", "administrative", "document_text", "clinical", "amounts", "claim",
       "claim_findings", "scheduling"}
CLINICAL_READER = {"routing", "identity", "contact", "administrative", "document_text", "clinical"}
FRONT_TEXT_DOCS = {"appointment_request", "records_request", "forms_request", "other"}
BILLER_TEXT_DOCS = {"payer_correspondence"}  # a patient's billing question may be clinical: not its text
KINDS = [f"intake:{d}" for d in DOC_TYPES] + ["claims", "noshow"]


def expected(role: Role, kind: str) -> set[str]:
    """What each role sees of each document kind under the default policy (the issue's rules)."""
    doc = kind.split(":", 1)[1] if kind.startswith("intake:") else None
    if role == R.practice_manager:
        return ALL
    if role in (R.nurse, R.referral_coordinator):
        if doc:
            return CLINICAL_READER
        return {"routing", "identity", "contact", "scheduling"} if (role, kind) == (R.nurse, "noshow") else {"routing"}
    if role == R.front_desk:
        if doc:
            base = {"routing", "identity", "contact", "administrative"}
            return base | {"document_text"} if doc in FRONT_TEXT_DOCS else base
        return {"routing", "identity", "contact", "scheduling"} if kind == "noshow" else {"routing"}
    if role == R.biller:  # never the patient's contact details
        if kind == "claims":
            return {"routing", "identity", "administrative", "amounts", "claim", "claim_findings"}
        if doc in BILLER_TEXT_DOCS:
            return {"routing", "identity", "administrative", "document_text", "amounts"}
        if doc == "billing_question":
            return {"routing", "identity", "administrative", "amounts"}
        return {"routing"}
    return {"routing"}  # compliance, engineer, admin read no items through the review queue


def _probe(kind: str) -> tuple[dict, dict[str, list]]:
    """An item view holding a marker of every part the kind can carry, and where each marker sits."""
    markers: dict[str, list] = {}

    def mark(part, where):
        markers.setdefault(part, []).append(where)

    if kind.startswith("intake:"):
        doc = kind.split(":", 1)[1]
        value = {"doc_type": doc, "urgency": "routine", "patient_mrn": "MRN-1", "summary": "Summary text.",
                 "categories": ["pregnancy"], "charges": 40,
                 "fields": {"patient_name": "Ann Lee", "dob": "1980-01-02", "npi": "1234567893",
                            "phone": "555-0101", "reason": "chest pain", "symptom_onset": "today"}}
        evidence = [{"kind": "span", "source": "patient_name", "text": "Ann Lee"},
                    {"kind": "span", "source": "npi", "text": "1234567893"},
                    {"kind": "span", "source": "clinical:emergency_symptoms", "text": "chest pain"},
                    {"kind": "span", "source": "message", "text": "the letter says"},
                    {"kind": "page", "source": "pages", "page": 1}]
        for part, where in [("routing", ("value", "doc_type")), ("identity", ("value", "patient_mrn")),
                            ("document_text", ("value", "summary")), ("clinical", ("value", "categories")),
                            ("amounts", ("value", "charges")), ("identity", ("fields", "patient_name")),
                            ("identity", ("fields", "dob")), ("administrative", ("fields", "npi")),
                            ("contact", ("fields", "phone")),
                            ("clinical", ("fields", "reason")), ("clinical", ("fields", "symptom_onset")),
                            ("identity", ("evidence", "patient_name")), ("administrative", ("evidence", "npi")),
                            ("clinical", ("evidence", "clinical:emergency_symptoms")),
                            ("document_text", ("evidence", "message")), ("routing", ("evidence", "pages")),
                            ("document_text", ("view", "source_text")), ("amounts", ("view", "amount"))]:
            mark(part, where)
        view = {"agent": "intake", "value": value, "evidence": evidence, "source_text": "Full text.",
                "amount": Decimal("40"), "claim": None}
    elif kind == "claims":
        value = {"claim_id": "C-1", "payer_id": "P1", "total_charge": "150.00", "summary": "E/M with injection",
                 "findings": [{"kind": "modifier_25_missing", "carc": "CO-4", "rarc": "M80", "suggested_fix": "add 25"}],
                 "fixes": [{"op": "add_modifier"}], "claim_row_id": "x"}
        evidence = [{"kind": "rule", "source": "modifier_25", "note": "E/M without 25",
                     "value": {"kind": "modifier_25_missing", "fix": "add 25", "carc": "CO-4"}}]
        for part, where in [("identity", ("value", "claim_id")), ("administrative", ("value", "payer_id")),
                            ("amounts", ("value", "total_charge")), ("document_text", ("value", "summary")),
                            ("claim_findings", ("value", "findings")), ("claim_findings", ("value", "fixes")),
                            ("claim_findings", ("evidence", "modifier_25")), ("amounts", ("view", "amount")),
                            ("claim", ("view", "claim")), ("routing", ("value", "claim_row_id"))]:
            mark(part, where)
        view = {"agent": "claims", "value": value, "evidence": evidence, "source_text": None,
                "amount": Decimal("150"), "claim": {"id": "C-1"}}
    else:
        value = {"appointment_id": "A1", "day": "2026-11-23", "probability": 0.6, "actions": ["extra_reminder"],
                 "risk_note": "free text"}
        evidence = [{"kind": "feature", "source": "lead_days", "value": 9}]
        for part, where in [("scheduling", ("value", "probability")), ("scheduling", ("value", "actions")),
                            ("scheduling", ("evidence", "lead_days")), ("clinical", ("value", "risk_note"))]:
            mark(part, where)
        view = {"agent": "noshow", "value": value, "evidence": evidence, "source_text": None, "amount": None,
                "claim": None}
    return view, markers


def _survived(out: dict, where: tuple[str, str]) -> bool:
    place, key = where
    if place == "value":
        return key in out["value"]
    if place == "fields":
        return key in out["value"].get("fields", {})
    if place == "evidence":
        return any(e.get("source") == key for e in out["evidence"] or [])
    return out.get(key) is not None


@pytest.mark.parametrize("role", list(Role))
def test_default_field_policy_matrix(role):
    access = FieldAccess()
    checked = 0
    for kind in KINDS:
        view, markers = _probe(kind)
        out = project_item(view, {role}, access)
        want = expected(role, kind)
        for part, places in markers.items():
            for where in places:
                assert _survived(out, where) == (part in want), (role.value, kind, part, where)
                checked += 1
        # What was left out is named, so a page can say what it does not show.
        assert set(out["withheld"]) == {p for p in markers if p not in want}, (role.value, kind)
    assert checked > 150


def test_several_roles_see_the_union():
    view, _ = _probe("claims")
    out = project_item(view, {R.front_desk, R.biller}, FieldAccess())
    assert out["value"]["findings"] and out["claim"] and "summary" not in out["value"]


def test_clinical_text_stays_clinical():
    with pytest.raises(ValidationError, match="clinical text stays clinical"):
        FieldAccess(grants={R.biller: {"claims": ["clinical"]}})
    with pytest.raises(ValidationError, match="document_text for intake:lab_result"):
        FieldAccess(grants={R.front_desk: {"intake:lab_result": ["document_text"]}})
    with pytest.raises(ValidationError, match="covers clinical documents"):
        FieldAccess(grants={R.biller: {"intake:*": ["document_text"]}})
    with pytest.raises(ValidationError, match="not a document kind"):
        FieldAccess(grants={R.nurse: {"intake:banana": ["identity"]}})
    # Clinical roles may be given clinical text of any kind.
    assert FieldAccess(grants={R.nurse: {"*": ["clinical", "document_text"]}})


def test_the_field_policy_changes_like_the_routing_policy(conn, demo_org):
    manager = org_store.get_user_by_username(conn, username="manager")[0]
    unit = org_store.get_unit_by_code(conn, code="primary-care")
    current = policy_store.current_policy(conn, unit_id=unit.id)
    grants = current.policy.field_access.model_dump(mode="json")["grants"]
    grants["front_desk"]["intake:records_request"] = ["identity"]  # no more text of records requests
    changed = current.policy.model_copy(update={"field_access": FieldAccess.model_validate({"grants": grants})})
    pv = set_policy(conn, unit_code="primary-care", policy=changed, editor=manager,
                    expected_version=current.version, note="records requests: identity only")
    assert pv.version == current.version + 1
    stored = policy_store.current_policy(conn, unit_id=unit.id).policy.field_access
    view, _ = _probe("intake:records_request")
    assert "summary" not in project_item(view, {R.front_desk}, stored)["value"]
    assert "summary" in project_item(view, {R.front_desk}, FieldAccess())["value"]
    with pytest.raises(ValidationError, match="clinical text stays clinical"):
        Policy.model_validate({**changed.model_dump(mode="json"),
                               "field_access": {"grants": {"biller": {"claims": ["clinical"]}}}})


def _token(conn, username):
    return {"Authorization": f"Bearer {create_token(conn, user=org_store.get_user_by_username(conn, username=username)[0], name='t')[1]}"}


def test_biller_reads_claim_findings_and_payer_correspondence(client, runtime):
    """The issue's finding: a biller triaging a claim or a payer letter saw no findings and no text."""
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        claim = route_suggestion(conn, make_suggestion(
            unit.id, agent="claims", kind="claim_check", label="exceptions", confidence=0.99, amount=Decimal("2400"),
            value={"claim_id": "C-77", "payer_id": "P1", "total_charge": "2400.00",
                   "findings": [{"kind": "modifier_25_missing", "carc": "CO-4", "rarc": "N20",
                                 "message": "E/M 99213 (line 1) is billed with procedure 20610 without modifier 25.",
                                 "suggested_fix": "append modifier 25 to line 1"}]},
            evidence=[Evidence(kind="rule", source="modifier_25", note="E/M without 25",
                               value={"kind": "modifier_25_missing", "fix": "append modifier 25", "carc": "CO-4"})]))
        letter_text = "Remittance advice: claim C-55 denied, CARC CO-197, precertification absent. Patient Ann Lee."
        letter = route_suggestion(conn, make_suggestion(
            unit.id, label="payer_correspondence", confidence=0.5,
            value={"doc_type": "payer_correspondence", "urgency": "routine", "summary": "Denial CO-197 for C-55.",
                   "source_text": letter_text, "categories": [],
                   "fields": {"patient_name": "Ann Lee", "reason": "knee pain", "auth_number": "A-9"}},
            evidence=[Evidence(kind="span", source="patient_name", text="Ann Lee"),
                      Evidence(kind="span", source="clinical:abnormal_result", note="cue")]))
        assert claim.route.queue == letter.route.queue == "billing"
        biller, nurse = _token(conn, "biller"), _token(conn, "nurse")
    got = client.get(f"/api/v1/review/items/{claim.review_item.id}", headers=biller).json()
    finding = got["value"]["findings"][0]
    assert finding["carc"] == "CO-4" and finding["rarc"] == "N20" and "modifier 25" in finding["suggested_fix"]
    assert got["evidence"][0]["value"]["fix"] == "append modifier 25"
    got = client.get(f"/api/v1/review/items/{letter.review_item.id}", headers=biller).json()
    assert got["value"]["summary"] == "Denial CO-197 for C-55." and got["value"]["source_text"] == letter_text
    assert got["value"]["fields"] == {"patient_name": "Ann Lee", "auth_number": "A-9"}  # not the clinical reason
    assert [e["source"] for e in got["evidence"]] == ["patient_name"]  # clinical evidence stays clinical
    assert "clinical" in got["withheld"]
    # A nurse does not work the billing queue at all.
    assert client.get(f"/api/v1/review/items/{letter.review_item.id}", headers=nurse).status_code == 404
