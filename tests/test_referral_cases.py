"""Referral cases: a faxed referral is carried to "report sent back", with a request for the missing
information on the way; later documents attach through the gate (a person confirms below the
policy's confidence); every change is an event of the hash-chained log; moves off the path are
refused; the ageing list puts overdue cases first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from agents import jobs
from api.services.intake import accept
from evals.synthetic_faxes import render_fax
from models.governance import Policy
from models.patients import Patient
from store import audit
from store import intake as intake_store
from store import org as org_store
from store import policy as policy_store
from tests.conftest import sign_in

REFERRAL = """REFERRAL FOR CONSULTATION
To: Primary Care, Riverside Community Clinic
From: Dr. Maria Lopez, Lakeside Family Practice
Patient Name: Ana Ruiz
DOB: 03/14/1961
MRN: MRN7731
Reason for referral: chronic right knee pain with swelling, please evaluate and treat.
Referring provider: Dr. Maria Lopez   NPI: 1234567893
Phone: (555) 201-3344
"""
RECORDS = """OFFICE VISIT NOTE - records requested for referral
Patient Name: Ana Ruiz
DOB: 03/14/1961
MRN: MRN7731
Member ID: W7731002
Insurance: Commercial PPO
History: right knee pain for six months, worse on stairs, intermittent swelling after walking.
Exam: effusion of the right knee, crepitus, no instability. X-ray shows joint space narrowing.
Plan: referral for evaluation of the right knee, continue naproxen as needed.
"""
AUTH = """PRIOR AUTHORIZATION APPROVAL
Commercial PPO
Patient Name: Ana Ruiz
DOB: 03/14/1961
Member ID: W7731002
Authorization #: PA-5531907
CPT 20610 approved, 2 units
Valid 01/05/2026 through 04/05/2026
"""
CONSULT = """CONSULTATION NOTE
Patient Name: Ana Ruiz
DOB: 03/14/1961
MRN: MRN7731
Seen today for right knee pain on referral from Dr. Maria Lopez.
Assessment: primary osteoarthritis of the right knee. Arthrocentesis performed, 30 mL aspirated.
Plan: physical therapy, follow up in six weeks, report sent to the referring provider.
"""
FINAL_DOC_TYPE = {"REFERRAL FOR CONSULTATION": "referral", "OFFICE VISIT NOTE": "clinical_note",
                  "PRIOR AUTHORIZATION": "prior_auth", "CONSULTATION NOTE": "clinical_note"}


@pytest.fixture
def rt(intake_runtime):
    rt = intake_runtime
    with rt.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        intake_store.register_patients(conn, org_id=unit.org_id, patients=[Patient(
            id="MRN7731", given_name="Ana", family_name="Ruiz", birth_date=date(1961, 3, 14), sex="F",
            payer="commercial", member_id="W7731002")])
        cur = policy_store.current_policy(conn, unit_id=unit.id)
        # Every intake item and every attach goes to a person here (nothing auto-applied, no QA draws).
        policy_store.append_policy_version(conn, unit_id=unit.id, policy=Policy(**{
            **cur.policy.model_dump(), "default_min_confidence": 0.9999, "qa_sample_rate": 0.0}),
            changed_by="admin", expected_version=cur.version)
    return rt


def _fax(rt, text: str) -> None:
    data = render_fax([text], seed=3, max_skew_degrees=0.0, noise=0.0, font_pt=12.0).pdf_bytes()
    with rt.pool.connection() as conn:
        accept(conn, rt, user=None, actor="fax-server", unit_code="primary-care", channel="fax", data=data)
    jobs.run_worker(rt, wait=False)


def _review_everything(client, rt, h, *, extra: dict | None = None) -> list[dict]:
    """A practice manager (who works every queue) decides every waiting item: intake items get the
    document type their text shows, attach proposals are accepted."""
    decided = []
    while True:
        with rt.pool.connection() as conn:
            ready = conn.execute("SELECT DISTINCT queue FROM review_items WHERE status = 'ready'").fetchall()
        if not ready:
            break
        for row in ready:
            r = client.post(f"/api/v1/review/queues/{row['queue']}/claim", headers=h)
            if r.status_code == 204:
                continue
            item = r.json()
            if item["agent"] == "intake":
                text = item.get("source_text") or ""
                doc_type = next(v for k, v in FINAL_DOC_TYPE.items() if k in text.upper())
                new_value = {"doc_type": doc_type, "urgency": "routine", **(extra or {}).get(doc_type, {})}
                body = {"action": "override", "reason_code": "wrong_label", "new_value": new_value,
                        "item_version": item["version"]}
            else:
                body = {"action": "accept", "reason_code": "correct", "item_version": item["version"]}
            d = client.post(f"/api/v1/review/items/{item['id']}/decision", headers=h, json=body)
            assert d.status_code == 200, d.text
            decided.append(item)
        jobs.run_worker(rt, wait=False)
    return decided


@pytest.mark.timeout(1800)  # four faxes through OCR, classification, embeddings and review
def test_a_faxed_referral_is_carried_to_report_sent_back(rt, client):
    h = sign_in(client, "manager")
    _fax(rt, REFERRAL)
    _review_everything(client, rt, h)
    (case,) = client.get("/api/v1/referrals/cases?unit=primary-care", headers=h).json()
    assert case["status"] == "information_missing" and case["patient_mrn"] == "MRN7731"
    assert case["owner"] == "manager" and case["due"] == (date.today() + timedelta(days=10)).isoformat()
    detail = client.get(f"/api/v1/referrals/cases/{case['id']}", headers=h).json()
    request_letter = next(x for x in detail["letters"] if x["kind"] == "info_request")
    body = client.get(f"/api/v1/letters/{request_letter['id']}", headers=h).text
    assert "insurance plan and member ID" in body and "Ana Ruiz" in body and "To: Maria Lopez" in body

    _fax(rt, RECORDS)  # the sender's records: attach proposed through the gate, a person confirms
    decided = _review_everything(client, rt, h)
    assert any(i["agent"] == "referrals" and i["label"] == "attach" for i in decided)
    assert client.get(f"/api/v1/referrals/cases/{case['id']}", headers=h).json()["case"]["status"] == "complete"

    r = client.post(f"/api/v1/referrals/cases/{case['id']}/status", headers=h, json={"status": "authorization_pending"})
    assert r.status_code == 200 and r.json()["status"] == "authorization_pending"
    _fax(rt, AUTH)  # the payer's approval: kept as an authorization record, and attached to the case
    _review_everything(client, rt, h, extra={"prior_auth": {"authorization": {"payer_id": "COM01"}}})
    with rt.pool.connection() as conn:
        from store import coverage as coverage_store

        (auth,) = coverage_store.prior_auths(conn, org_id=org_store.get_unit_by_code(conn, code="primary-care").org_id)
    assert (auth.number, auth.codes, auth.member_id) == ("PA-5531907", ["20610"], "W7731002")
    assert client.post(f"/api/v1/referrals/cases/{case['id']}/status", headers=h, json={"status": "scheduled"}).status_code == 200
    _fax(rt, CONSULT)  # the consult note after the visit: seen
    _review_everything(client, rt, h)
    assert client.get(f"/api/v1/referrals/cases/{case['id']}", headers=h).json()["case"]["status"] == "seen"
    sent = client.post(f"/api/v1/referrals/cases/{case['id']}/report", headers=h)
    assert sent.status_code == 200 and sent.json()["case"]["status"] == "report_sent_back"
    cover = client.get(f"/api/v1/letters/{sent.json()['letter_id']}", headers=h).text
    assert "consultation report" in cover.lower() and "To: Maria Lopez" in cover

    events = client.get(f"/api/v1/referrals/cases/{case['id']}", headers=h).json()["case"]["events"]
    path = [e["status_after"] for e in events]
    assert list(dict.fromkeys(path)) == ["received", "information_missing", "complete", "authorization_pending",
                                         "scheduled", "seen", "report_sent_back"]
    assert [e["event"] for e in events if e["event"] == "document_attached"] == ["document_attached"] * 3
    with rt.pool.connection() as conn:
        assert audit.verify_chain(conn).ok  # every case event is in the chain, and the chain holds
        seqs = {e["seq"] for e in events}
        chained = conn.execute("SELECT seq FROM referral_case_events WHERE case_id = %(c)s", {"c": case["id"]}).fetchall()
        assert {r["seq"] for r in chained} == seqs
    # Closed: no further move, no further document.
    r = client.post(f"/api/v1/referrals/cases/{case['id']}/status", headers=h, json={"status": "scheduled"})
    assert r.status_code == 409


def test_moves_off_the_path_are_refused_and_overdue_cases_come_first(rt, client):
    from uuid import uuid4

    from agents.referrals import CaseError, move_case, open_case, update_case

    with rt.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        item = accept(conn, rt, user=None, actor="t", unit_code="primary-care", channel="message",
                      data=b'{"text": "placeholder for two referral parts"}')
        ids = []
        for n in (1, 2):
            part = intake_store.insert_part(conn, item_id=item.item_id, part_no=n, text="referral", page_start=None,
                                            page_end=None, ocr_confidence=None, degraded=False, degraded_reason=None)
            fields = {"referring_provider": "Dr. A", "reason": "knee pain", "member_id": "W1", "icd10": "M17.11"}
            ids.append(open_case(conn, unit_id=unit.id, part_id=part, patient_id=None, filed_by="referrals",
                                 value={"doc_type": "referral", "urgency": "routine", "fields": fields}, text="x " * 50))
        assert open_case(conn, unit_id=unit.id, part_id=part, patient_id=None, filed_by="referrals",
                         value={"doc_type": "referral"}, text="") is None  # one case per document
        with pytest.raises(CaseError, match="can move to"):
            move_case(conn, case_id=ids[0], to="seen", actor="referrals")
        update_case(conn, case_id=ids[1], actor="manager", owner="frontdesk", due=date.today() - timedelta(days=2))
        conn.commit()
    h = sign_in(client, "referrals")
    cases = client.get("/api/v1/referrals/cases?unit=primary-care", headers=h).json()
    assert [c["id"] for c in cases][0] == str(ids[1]) and cases[0]["overdue"] and cases[0]["owner"] == "frontdesk"
    assert cases[1]["status"] == "complete" and not cases[1]["overdue"]
    r = client.post(f"/api/v1/referrals/cases/{ids[0]}/status", headers=h, json={"status": "seen"})
    assert r.status_code == 409 and "can move to" in r.json()["detail"] and r.json()["field"] == "status"
    assert client.get(f"/api/v1/referrals/cases/{uuid4()}", headers=h).status_code == 404
    # A biller works no referrals: the route is refused.
    assert client.get("/api/v1/referrals/cases", headers=sign_in(client, "biller")).status_code == 403
