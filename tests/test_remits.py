"""Remittances back to the claim: an 835 (written by the simulated payer, read as a real one) is
matched to the checked claims; denials land on the work list by root cause with an appeal draft,
through the gate; 277 statuses attach to claims; the denial model retrains on remittances and is
registered only if it passes the gates and beats the current one."""

from __future__ import annotations

import json
from datetime import date

import pytest

from agents import jobs
from api.services.intake import accept
from evals.synthetic_remits import Remittance, write_835
from models.claims import Claim, PayerRules
from models.revenue import PayerProfile
from store import coverage as coverage_store
from store import org as org_store
from store import remits as remits_store


@pytest.fixture
def rt(runtime, demo_org, code_tables):
    import agents.claims  # noqa: F401 (registers the handlers)
    import agents.remits  # noqa: F401

    runtime.cached("code_tables", lambda: code_tables)
    runtime.cached("denial_model", lambda: None)
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        coverage_store.set_payer_profile(conn, org_id=unit.org_id, changed_by="test", profile=PayerProfile(
            payer_id="COM01", name="Commercial PPO", category="commercial",
            rules=PayerRules(payer_id="COM01", codes_requiring_auth=["72148"], timely_filing_days=90)))
    return runtime


def _claim(cid: str, code: str, dx: str = "M5416", charge: str = "120.00") -> dict:
    return {"id": cid, "patient": {"id": f"P-{cid}", "birth_date": "1970-05-01", "sex": "F"},
            "subscriber": {"member_id": f"W{cid}", "birth_date": "1970-05-01", "sex": "F"},
            "coverage": {"payer_id": "COM01", "member_id": f"W{cid}", "start": "2024-01-01"},
            "billing_npi": "1234567893", "diagnoses": [dx], "submission_date": "2025-02-12",
            "service_lines": [{"line_number": 1, "code": code, "units": "1", "charge": charge, "diagnosis_pointers": [1],
                               "service_date": "2025-02-10"}]}


def _ingest(rt, channel: str, data: bytes):
    with rt.pool.connection() as conn:
        accept(conn, rt, user=None, actor="test", unit_code="primary-care", channel=channel, data=data)
    jobs.run_worker(rt, wait=False)


def test_an_835_denial_lands_in_the_denial_work_list_by_root_cause_with_an_appeal(rt, client):
    from tests.conftest import sign_in

    claims = [_claim("MRI1", "72148"), _claim("EM1", "99213", dx="E119", charge="100.00"), _claim("EM2", "99214", dx="I10")]
    _ingest(rt, "claim", json.dumps({"claims": claims}).encode())
    adjudicated = date(2025, 3, 1)
    answers = [Remittance(claim_id="MRI1", payer_id="COM01", denied=True, carc="CO-197", carcs=["CO-197"], adjudicated=adjudicated),
               Remittance(claim_id="EM1", payer_id="COM01", denied=True, carc="CO-50", carcs=["CO-50"], adjudicated=adjudicated),
               Remittance(claim_id="EM2", payer_id="COM01", denied=False, adjudicated=adjudicated)]
    text = write_835([(Claim.model_validate(c), r) for c, r in zip(claims, answers)], payer_name="Commercial PPO")
    _ingest(rt, "remit", text.encode())
    _ingest(rt, "remit", text.encode())  # the same file again: one item, recorded once

    h = sign_in(client, "biller")
    groups = {g["root_cause"]: g for g in client.get("/api/v1/denials?unit=primary-care", headers=h).json()}
    assert set(groups) == {"PAY-001", "payer-only"}
    (mri,) = groups["PAY-001"]["items"]
    assert (mri["claim_key"], mri["root_cause_kind"], mri["carcs"], mri["remedy"]) == ("MRI1", "auth_missing", ["CO-197"], "appeal")
    (em,) = groups["payer-only"]["items"]
    assert em["claim_key"] == "EM1" and em["remedy"] == "appeal" and "no rule" in em["root_cause_detail"]
    # Each is a review item in the billing queue, routed by the gate as financially material.
    assert mri["review_item_id"] and mri["status"] == "ready"
    with rt.pool.connection() as conn:
        routes = conn.execute("SELECT r.queue, r.decision, r.reasons FROM routes r JOIN suggestions s ON s.id = r.suggestion_id "
                              "WHERE s.kind = 'denial'").fetchall()
    assert len(routes) == 2 and all(r["queue"] == "billing" and r["decision"] == "review"
                                    and "financial:denied" in r["reasons"] for r in routes)
    # The appeal drafts: retro-authorization (no authorization on file) and medical necessity.
    letter = client.get(f"/api/v1/letters/{mri['appeal_document_id']}", headers=h)
    assert letter.status_code == 200 and "MRI1" in letter.text and "retrospective authorization" in letter.text
    em_letter = client.get(f"/api/v1/letters/{em['appeal_document_id']}", headers=h).text
    assert "medically necessary" in em_letter and "CO-50" in em_letter
    pdf = client.get(f"/api/v1/letters/{em['appeal_document_id']}/pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    # A front-desk user sees neither the work list nor the letters.
    fd = sign_in(client, "frontdesk")
    assert client.get("/api/v1/denials?unit=primary-care", headers=fd).status_code == 403
    with rt.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        assert len(remits_store.remit_outcomes(conn, unit_ids=[unit.id])) == 3
    # ... and in the KPIs, with their definitions, on the API and on the operations dashboard.
    m = sign_in(client, "manager")
    (kpi,) = [u for u in client.get("/api/v1/operations/kpis?days=30", headers=m).json()["units"]
              if u["unit_code"] == "primary-care"]
    assert (kpi["claims_answered"], kpi["claims_denied"]) == (3, 2)
    assert kpi["denial_rate"] == pytest.approx(2 / 3, abs=1e-4) and kpi["first_pass_acceptance"] == pytest.approx(1 / 3, abs=1e-4)
    assert kpi["denials_by_rule"] == {"PAY-001": 1, "payer-only": 1}
    assert kpi["denial_rate_by_payer"]["COM01"]["denied"] == 2 and kpi["denial_rate_by_source"]["json"]["answered"] == 3
    assert kpi["remittance_turnaround_days"] == (date.today() - date(2025, 2, 12)).days
    page = client.get("/dashboard?days=30", headers={**m, "Accept": "text/html"})
    assert page.status_code == 200 and "Eligibility exceptions per 100 appointments" in page.text
    assert "first 835 answer in the period denied or underpaid" in page.text  # the definition is on the page
    work = client.get("/denials", headers={**h, "Accept": "text/html"})
    assert work.status_code == 200 and "PAY-001" in work.text and "MRI1" in work.text


def test_277_statuses_attach_to_the_claims_they_name(rt, shared_data):
    from tests.conftest import SHARED_DATA

    claim = _claim("SM123456", "99213", dx="E119")
    _ingest(rt, "claim", json.dumps(claim).encode())
    _ingest(rt, "claim_status", (SHARED_DATA / "x12" / "277_005010X212" / "claim-level-status.277").read_bytes())
    with rt.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        rows = conn.execute("SELECT claim_key, category, status_code, claim_row_id IS NOT NULL AS matched "
                            "FROM claim_status_reports WHERE unit_id = %(u)s ORDER BY claim_key", {"u": unit.id}).fetchall()
    by_key = {r["claim_key"]: r for r in rows}
    assert by_key["SM123456"]["matched"] and by_key["SM123456"]["category"] == "P3"
    assert not by_key["J0234567"]["matched"]  # not one of ours: kept, unmatched


def _answered_history(rt, code_tables, n: int, seed: int):
    """n checked claims in the unit, answered by the simulated payer in an 835."""
    from agents.remits import record_remittances
    from evals.synthetic_remits import generate_claim_history
    from store import claims as claims_store
    from tools.claims.x12_remit import parse_835

    history = generate_claim_history(code_tables, n=n, seed=seed, error_rate=0.2, n_patients=200)
    body = json.dumps({"claims": [{"claim": i.claim.model_dump(mode="json"), "context": i.context.model_dump(mode="json")}
                                  for i in history.items]}).encode()
    with rt.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="cardiology")
        out = accept(conn, rt, user=None, actor="test", unit_code="cardiology", channel="claim", data=body)
        claims_store.insert_claims(conn, unit_id=unit.id, item_id=out.item_id,
                                   claims=[(i.claim, i.context) for i in history.items])
        advices, _ = parse_835(write_835([(i.claim, r) for i, r in zip(history.items, history.remits)]))
        record_remittances(conn, unit=unit, advices=advices, item_id=None, tables=None)
    return history


def test_the_denial_model_retrains_on_remittances_and_registers_only_when_better(rt, code_tables):
    from api.services.revenue import retrain_denial_model

    too_few = retrain_denial_model(rt, unit_codes=["cardiology"], actor="engineer")
    assert too_few.registered is None and "not enough" in too_few.reason
    history = _answered_history(rt, code_tables, n=640, seed=21)
    rt.forget("denial_model")
    first = retrain_denial_model(rt, unit_codes=["cardiology"], actor="engineer")
    assert first.n == 640 and first.n_holdout == 160
    assert first.gates == [], first.gates
    assert first.registered and first.current is None
    assert first.candidate["model_roc_auc_remits"] >= 0.70
    assert first.candidate["denial_rate"] == pytest.approx(sum(history.denied[480:]) / 160)
    # The same outcomes again: the candidate is the same model, so it does not beat the registered one.
    rt.forget("denial_model")
    second = retrain_denial_model(rt, unit_codes=["cardiology"], actor="engineer")
    assert second.registered is None and second.current_version == first.registered
    assert "does not beat" in second.reason
    with rt.pool.connection() as conn:
        from store import audit

        events = audit.list_events(conn, action="denial_model.retrain")
    assert [e["detail"]["registered"] for e in events][::-1] == [None, first.registered, None]
