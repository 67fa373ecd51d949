"""A biller's decision on a claim takes effect: accepting the check applies its machine fixes as the
claim's next version (checked again), an override's corrected claim becomes that version (validated
first), a rejection holds the claim with its reason; applying a decision twice does nothing twice."""

from __future__ import annotations

import copy
import json

import pytest

from agents import claims as claims_agent
from agents import jobs
from store import claims as claims_store
from tests.conftest import sign_in

CLAIM = {
    "id": "CLM-1001",
    "patient": {"id": "MRN-77", "birth_date": "1970-05-05", "sex": "F"},
    "subscriber": {"member_id": "M123", "birth_date": "1970-05-05", "sex": "F"},
    "coverage": {"payer_id": "P001", "member_id": "M123", "start": "2026-01-01"},
    "billing_npi": "1234567893",
    "place_of_service": "11",
    "diagnoses": ["M1711"],
    "service_lines": [
        {"line_number": 1, "code": "99213", "units": "1", "charge": "110.00", "diagnosis_pointers": [1],
         "service_date": "2026-11-20"},
        {"line_number": 2, "code": "20610", "units": "1", "charge": "95.00", "diagnosis_pointers": [1],
         "service_date": "2026-11-20"},
    ],
    "submission_date": "2026-11-21",
    "total_charge": "205.00",
}


@pytest.fixture
def claims_runtime(runtime, demo_org, code_tables):
    runtime.cached("code_tables", lambda: code_tables)
    runtime.cached("denial_model", lambda: None)
    return runtime


def _submit(client, rt, claim):
    h = sign_in(client, "biller")
    r = client.post("/api/v1/claims?unit=primary-care", headers=h, content=json.dumps({"claim": claim}))
    assert r.status_code == 202, r.text
    jobs.run_worker(rt, wait=False)
    item = client.post("/api/v1/review/queues/billing/claim", headers=h)
    assert item.status_code == 200, item.text
    return h, item.json()


def _decide(client, h, item, **body):
    return client.post(f"/api/v1/review/items/{item['id']}/decision", headers=h,
                       json={"item_version": item["version"], **body})


def _versions(rt, claim_key):
    with rt.pool.connection() as conn:
        rows = conn.execute("SELECT id, version, payload, corrects FROM claims WHERE claim_key = %s ORDER BY version",
                            (claim_key,)).fetchall()
        events = conn.execute("SELECT c.version, e.event, e.reason_code, e.note, e.actor FROM claim_events e "
                              "JOIN claims c ON c.id = e.claim_id WHERE c.claim_key = %s ORDER BY e.at, c.version",
                              (claim_key,)).fetchall()
    return rows, [(e["version"], e["event"]) for e in events], events


def test_accepting_the_findings_makes_a_corrected_version(claims_runtime, client):
    h, item = _submit(client, claims_runtime, CLAIM)
    # The biller sees what it must act on: the finding with its CARC, evidence and fix, the claim itself.
    finding = next(f for f in item["value"]["findings"] if f["kind"] == "modifier_25_missing")
    assert finding["carc"] and finding["evidence"]["line_number"] == 1 and "modifier 25" in finding["suggested_fix"]
    assert item["value"]["fixes"][0]["op"] == "add_modifier" and item["claim"]["id"] == "CLM-1001"
    r = _decide(client, h, item, action="accept", reason_code="correct")
    assert r.status_code == 200, r.text
    jobs.run_worker(claims_runtime, wait=False)  # the decision job applies it and checks the new version
    rows, events, _ = _versions(claims_runtime, "CLM-1001")
    assert [r["version"] for r in rows] == [1, 2] and rows[1]["corrects"] == rows[0]["id"]
    assert rows[1]["payload"]["service_lines"][0]["modifiers"] == ["25"]
    assert events[:2] == [(1, "review"), (1, "corrected")] and events[2][0] == 2
    with claims_runtime.pool.connection() as conn:
        checked = conn.execute("SELECT value FROM suggestions WHERE agent = 'claims' AND value ->> 'claim_row_id' = %s",
                               (str(rows[1]["id"]),)).fetchone()["value"]
    assert "modifier_25_missing" not in {f["kind"] for f in checked["findings"]}
    # The same decision applied again (a retried job) adds nothing.
    decision_id = r.json()["decision_id"]
    claims_agent.apply_decision(claims_runtime, decision_id)
    assert _versions(claims_runtime, "CLM-1001")[1] == events
    # The billing work list shows the claim's latest version and status.
    page = client.get("/claims", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "CLM-1001" in page.text


def test_override_with_a_corrected_claim_is_validated_then_applied(claims_runtime, client):
    claim = copy.deepcopy(CLAIM)
    claim["id"] = "CLM-1002"
    h, item = _submit(client, claims_runtime, claim)
    bad = copy.deepcopy(claim)
    bad["service_lines"][0]["units"] = "-1"
    r = _decide(client, h, item, action="override", reason_code="wrong_fields", new_value={"claim": bad})
    assert r.status_code == 422 and "new_value.claim.service_lines.0.units" in r.json()["detail"]
    other = dict(claim, id="CLM-9999")
    r = _decide(client, h, item, action="override", reason_code="wrong_fields", new_value={"claim": other})
    assert r.status_code == 422 and r.json()["field"] == "new_value.claim.id"
    r = _decide(client, h, item, action="override", reason_code="wrong_fields", new_value={"findings": []})
    assert r.status_code == 422 and "set by the agent" in r.json()["detail"]
    fixed = copy.deepcopy(claim)
    fixed["service_lines"][0]["modifiers"] = ["25"]
    r = _decide(client, h, item, action="override", reason_code="wrong_fields", new_value={"claim": fixed})
    assert r.status_code == 200, r.text
    jobs.run_worker(claims_runtime, wait=False)
    rows, events, _ = _versions(claims_runtime, "CLM-1002")
    assert len(rows) == 2 and rows[1]["payload"]["service_lines"][0]["modifiers"] == ["25"]
    assert (1, "corrected") in events and events[-1][0] == 2


def test_rejecting_holds_the_claim_with_its_reason(claims_runtime, client):
    claim = copy.deepcopy(CLAIM)
    claim["id"] = "CLM-1003"
    h, item = _submit(client, claims_runtime, claim)
    r = _decide(client, h, item, action="reject", reason_code="other", note="patient disputes the visit")
    assert r.status_code == 200, r.text
    jobs.run_worker(claims_runtime, wait=False)
    rows, events, raw = _versions(claims_runtime, "CLM-1003")
    assert len(rows) == 1 and events == [(1, "review"), (1, "held")]
    assert raw[-1]["reason_code"] == "other" and raw[-1]["note"] == "patient disputes the visit"
    assert raw[-1]["actor"] == "biller"
    with claims_runtime.pool.connection() as conn:
        unit_id = claims_store.get_claim(conn, claim_id=rows[0]["id"])["unit_id"]
        held = claims_store.claim_worklist(conn, unit_ids=[unit_id], status="held")
    assert [c["claim_key"] for c in held] == ["CLM-1003"]
