"""The claims agent end to end: claims (Handoff JSON or 837P) are accepted, stored, checked by the
rules and routed; material or flagged claims go to billing, clean low-risk ones pass and are logged,
and a claim whose rules could not all run says so."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from agents import jobs
from agents.claims import load_tables
from evals.synthetic_claims import generate_labeled_claims, make_patients
from tests.conftest import SHARED_DATA, sign_in


@pytest.fixture
def claims_runtime(runtime, demo_org, code_tables):
    runtime.cached("code_tables", lambda: code_tables)  # no denial model is registered: rules only
    return runtime


def _routes(rt):
    with rt.pool.connection() as conn:
        return conn.execute(
            "SELECT s.label, s.confidence, s.flags, s.amount, s.value, r.decision, r.queue, r.reasons "
            "FROM suggestions s JOIN routes r ON r.suggestion_id = s.id WHERE s.agent = 'claims' ORDER BY s.seq").fetchall()


def test_flagged_and_material_claims_go_to_billing(claims_runtime, client, code_tables):
    items = generate_labeled_claims(make_patients(20, seed=1), tables=code_tables, n=12, seed=4, error_rate=0.5)
    body = {"claims": [{"claim": i.claim.model_dump(mode="json"), "context": i.context.model_dump(mode="json")}
                       for i in items]}
    h = sign_in(client, "biller")
    r = client.post("/api/v1/claims?unit=primary-care", headers=h, content=json.dumps(body),
                    params={"unit": "primary-care"})
    assert r.status_code == 202, r.text
    jobs.run_worker(claims_runtime, wait=False)
    routes = _routes(claims_runtime)
    assert len(routes) == len(items)
    by_id = {r["value"]["claim_id"]: r for r in routes}
    for item in items:
        got = by_id[item.claim.id]
        found = {f["kind"] for f in got["value"]["findings"]}
        assert found == {k.value for k in item.expected}, (item.id, found, item.expected)
        if item.expected:
            assert got["decision"] == "review" and got["queue"] == "billing"
        if got["amount"] is not None and got["amount"] > Decimal("1000"):
            assert got["decision"] == "review" and "financial:over_materiality" in got["reasons"]
    # No denial model is registered here: a clean claim's confidence is unmeasured, so it is reviewed.
    clean = [r for r in routes if r["label"] == "clean"]
    assert clean and all(r["decision"] == "review" and r["value"]["note"] for r in clean)


def test_missing_tables_are_reported_in_every_result(runtime, demo_org, code_tables):
    from tools.claims.codes import CodeTables

    runtime.cached("code_tables", lambda: CodeTables())  # nothing loaded
    item = generate_labeled_claims(make_patients(3, seed=2), tables=code_tables, n=1, seed=9, error_rate=0.0)[0]
    from api.services.intake import accept

    with runtime.pool.connection() as conn:
        accept(conn, runtime, user=None, actor="test", unit_code="primary-care", channel="claim",
               data=json.dumps({"claim": item.claim.model_dump(mode="json")}).encode())
    jobs.run_worker(runtime, wait=False)
    [r] = _routes(runtime)
    not_run = {s["kind"] for s in r["value"]["rules_not_run"]}
    assert {"icd_invalid", "ncci_ptp", "mue_exceeded"} <= not_run
    assert "incomplete" in r["flags"] and r["decision"] == "review"


def test_837p_file_and_bad_input(claims_runtime, client):
    samples = sorted(p for p in (SHARED_DATA / "x12").rglob("*") if p.is_file() and "837" in str(p)) if SHARED_DATA.is_dir() else []
    from tools.claims.x12_837 import X12Error, read_837p

    good = None
    for path in samples:
        try:
            if read_837p(path, strict=False):
                good = path
                break
        except X12Error:
            continue
    if good is None:
        pytest.skip("no readable 837P sample under ../shared/data/x12")
    h = sign_in(client, "biller")
    r = client.post("/api/v1/claims?unit=primary-care", headers={**h, "content-type": "application/edi-x12"},
                    content=good.read_bytes())
    assert r.status_code == 202, r.text
    jobs.run_worker(claims_runtime, wait=False)
    assert _routes(claims_runtime)
    broken = good.read_bytes()[: len(good.read_bytes()) // 2]
    r = client.post("/api/v1/claims?unit=primary-care", headers=h, content=broken)
    assert r.status_code == 422 and r.json()["detail"]
    r = client.post("/api/v1/claims?unit=primary-care", headers=h, content=b'{"claims": [{"id": "x"}]}')
    assert r.status_code == 422 and "claims[0]" in r.json()["detail"]
    assert client.post("/api/v1/claims?unit=primary-care", headers=sign_in(client, "nurse"),
                       content=b"{}").status_code == 403


def test_tables_from_files_when_none_imported(runtime, demo_org):
    if not SHARED_DATA.is_dir():
        pytest.skip("public data sets absent")
    tables = load_tables(runtime)
    assert tables.icd10cm is not None and tables.ptp is not None
