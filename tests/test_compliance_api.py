"""Compliance reads the logs with filters and paging, the rates of the human loop by group, the
measured error of automation from the QA sample, the chain status, and exports CSV and a FHIR R4
Bundle that fhir.resources parses."""

from __future__ import annotations

import csv
import io

from fhir.resources.R4B.bundle import Bundle

from api.services.compliance import wilson_interval
from tests.conftest import sign_in
from tests.review_data import fill_queues


def _work_some(client):
    h = sign_in(client, "frontdesk")
    for action, reason, extra in [("accept", "correct", {}), ("override", "wrong_label", {"new_value": {"doc_type": "referral"}})]:
        item = client.post("/api/v1/review/queues/front_desk/claim", headers=h).json()
        r = client.post(f"/api/v1/review/items/{item['id']}/decision", headers=h,
                        json={"action": action, "reason_code": reason, "item_version": item["version"], **extra})
        assert r.status_code == 200


def test_logs_filters_and_paging(client, runtime):
    fill_queues(runtime)
    _work_some(client)
    sign_in(client, "compliance")
    page = client.get("/api/v1/compliance/outputs?limit=5").json()
    assert len(page["items"]) == 5 and page["next_before_seq"]
    older = client.get(f"/api/v1/compliance/outputs?limit=5&before_seq={page['next_before_seq']}").json()
    assert {i["id"] for i in older["items"]}.isdisjoint({i["id"] for i in page["items"]})
    claims = client.get("/api/v1/compliance/outputs?agent=claims&limit=100").json()["items"]
    assert claims and {i["agent"] for i in claims} == {"claims"}
    auto = client.get("/api/v1/compliance/outputs?route=auto&limit=100").json()["items"]
    assert auto and all(i["route"] == "auto" for i in auto)
    es = client.get("/api/v1/compliance/outputs?group=language%3Des&limit=100").json()["items"]
    assert es and all(i["patient_group"]["language"] == "es" for i in es)
    assert client.get("/api/v1/compliance/outputs?group=shoe_size%3D9").status_code == 422
    overrides = client.get("/api/v1/compliance/decisions?action=override").json()["items"]
    assert len(overrides) == 1 and overrides[0]["decided_by"] == "frontdesk" and overrides[0]["new_value"] == {"doc_type": "referral"}
    assert client.get("/api/v1/compliance/decisions?reviewer=nurse").json()["items"] == []


def test_rates_by_agent_and_group(client, runtime):
    fill_queues(runtime)
    _work_some(client)
    sign_in(client, "compliance")
    by_agent = {r["group"]: r for r in client.get("/api/v1/compliance/rates?by=agent").json()}
    assert by_agent["intake"]["n"] == 9 and by_agent["claims"]["n"] == 3
    assert by_agent["intake"]["decided"] == 2 and by_agent["intake"]["override_rate"] == 0.5
    assert abs(by_agent["intake"]["auto_rate"] - 3 / 9) < 1e-9
    by_lang = client.get("/api/v1/compliance/rates?by=group:language").json()
    assert {r["group"] for r in by_lang} == {"en", "es"}
    assert client.get("/api/v1/compliance/rates?by=patient_name").status_code == 422


def test_qa_error_with_interval(client, runtime, conn):
    from agents.gate import route_suggestion
    from models.governance import Policy
    from store import org as org_store
    from store import policy as policy_store
    from tests.factories import make_suggestion

    unit = org_store.get_unit_by_code(conn, code="primary-care")
    current = policy_store.current_policy(conn, unit_id=unit.id)
    policy_store.append_policy_version(conn, unit_id=unit.id, policy=Policy(**{
        **current.policy.model_dump(), "qa_sample_rate": 1.0,
        "min_confidence": {**current.policy.min_confidence, "intake:other": 0.9}}),
        changed_by="admin", expected_version=current.version)
    for _ in range(4):
        route_suggestion(conn, make_suggestion(unit.id, confidence=0.999, label="other"))
    conn.commit()
    h = sign_in(client, "frontdesk")
    for verdict in ("accept", "accept", "accept", "reject"):
        item = client.post("/api/v1/review/queues/front_desk/claim", headers=h).json()
        assert item["qa_sample"]
        body = {"action": verdict, "reason_code": "correct" if verdict == "accept" else "not_actionable",
                "item_version": item["version"]}
        assert client.post(f"/api/v1/review/items/{item['id']}/decision", headers=h, json=body).status_code == 200
    sign_in(client, "compliance")
    qa = {r["agent"]: r for r in client.get("/api/v1/compliance/qa").json()}["intake"]
    assert qa["sampled"] == 4 and qa["reviewed"] == 4 and qa["wrong"] == 1 and qa["error_rate"] == 0.25
    assert qa["ci_low"] < 0.25 < qa["ci_high"] and "wide" in qa["note"]


def test_wilson_interval_by_hand():
    # p = 0.02, n = 100, z = 1.96: centre (p + z²/2n)/(1 + z²/n), half-width z/(1+z²/n)·sqrt(p(1-p)/n + z²/4n²)
    z = 1.959963984540054
    p, n = 0.02, 100
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5)
    low, high = wilson_interval(2, 100)
    assert abs(low - (centre - half)) < 1e-9 and abs(high - (centre + half)) < 1e-9
    assert wilson_interval(0, 0) is None


def test_chain_status_and_exports(client, runtime):
    fill_queues(runtime)
    _work_some(client)
    sign_in(client, "compliance")
    assert client.get("/api/v1/compliance/audit-chain").json()["ok"] is True
    text = client.get("/api/v1/compliance/export.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12 and "summary" not in text and "Chest pain" not in text
    r = client.get("/api/v1/compliance/export.fhir")
    assert r.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(r.text)  # fhir.resources parses and validates every entry
    kinds = {e.resource.get_resource_type() for e in bundle.entry}
    assert kinds == {"Provenance", "Task", "AuditEvent"}
    tasks = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Task"]
    assert len(tasks) == 9 and any(t.status == "completed" for t in tasks)
    assert all(t.relevantHistory for t in tasks)  # each task carries its status history
    provenance = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Provenance"
                  and e.resource.extension]
    assert len(provenance) == 12 and all(p.extension[0].valueDecimal is not None for p in provenance)
