"""A clinic set up with `handoff init` (no demo) run from the admin and policy pages: units with
billing profiles, people added (password shown once), granted, revoked, given a new password,
disabled; the registry uploaded; the policy changed by a signed-in admin or practice manager only,
after seeing the difference, with every version's changes listed; the same through the API."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from api.services.admin import initialize
from models.org import Role
from store import audit
from store import org as org_store

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
HTML = {"Accept": "text/html"}
PASSWORD = "correct horse battery"


@pytest.fixture
def clinic(runtime):
    with runtime.pool.connection() as conn:
        initialize(conn, org_name="Lakeside Family Health", unit_code="family-med", unit_name="Family Medicine",
                   admin_username="ada", admin_display_name="Ada Admin", password=PASSWORD, email=None,
                   actor="local:tester")
    from api.app import create_app

    with TestClient(create_app(runtime=runtime, worker=False)) as c:
        c.headers["Accept"] = HTML["Accept"]
        yield c


def _sign_in(client, username, password=PASSWORD) -> str:
    client.cookies.clear()
    form = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "next": "/",
                                    "csrf_token": TOKEN_RE.search(form.text).group(1)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def _token(client, path="/admin"):
    return TOKEN_RE.search(client.get(path).text).group(1)


def test_admin_sets_up_units_people_and_the_registry(clinic, runtime, shared_data):
    client = clinic
    assert _sign_in(client, "ada").headers["location"] == "/"
    assert client.get("/", follow_redirects=False).headers["location"] == "/admin"
    page = client.get("/admin").text
    assert "Lakeside Family Health" in page and "family-med" in page
    t = _token(client)
    r = client.post("/admin/units", data={"csrf_token": t, "code": "cardiology", "name": "Cardiology",
                                          "billing_profile": json.dumps({"billing_npi": "1234567890"})})
    assert r.status_code == 422 and "billing_npi" in r.text  # not a valid NPI: nothing added
    r = client.post("/admin/units", data={"csrf_token": t, "code": "cardiology", "name": "Cardiology",
                                          "billing_profile": json.dumps({"fee_schedule": {"93000": "40.00"}})},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "1 codes on the fee schedule" in client.get("/admin").text
    r = client.post("/admin/users", data={"csrf_token": t, "username": "nina", "display_name": "Nina Nurse",
                                          "email": "nina@lakeside.example", "role": "nurse", "unit": "family-med"})
    assert r.status_code == 200 and "shown once" in r.text
    nina_password = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
    for form in ({"role": "biller", "unit": "cardiology"},):
        assert client.post("/admin/users/nina/grant", data={"csrf_token": t, **form}, follow_redirects=False).status_code == 303
    assert client.post("/admin/users/nina/revoke", data={"csrf_token": t, "role": "biller", "unit": "cardiology"},
                       follow_redirects=False).status_code == 303
    r = client.post("/admin/users/nina/reset", data={"csrf_token": t})
    new_password = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
    assert new_password != nina_password
    assert client.post("/admin/users/ada/disable", data={"csrf_token": t}).status_code == 403  # not yourself
    upload = (shared_data / "synthea_ca50" / "fhir").glob("Jorge*.json").__next__().read_bytes()
    r = client.post("/admin/patients/import", data={"csrf_token": t}, files={"file": ("bundle.json", upload)})
    assert r.status_code == 200 and "1 new" in r.text
    r = client.post("/admin/patients/import", data={"csrf_token": t}, files={"file": ("bundle.json", upload)})
    assert "0 new" in r.text and "1 unchanged" in r.text
    # The new nurse signs in with the new password and cannot administer; disabled, cannot sign in at all.
    _sign_in(client, "nina", new_password)
    assert client.get("/admin").status_code == 403
    _sign_in(client, "ada")
    assert client.post("/admin/users/nina/disable", data={"csrf_token": _token(client)},
                       follow_redirects=False).status_code == 303
    client.cookies.clear()
    form = client.get("/login")
    r = client.post("/login", data={"username": "nina", "password": new_password, "next": "/",
                                    "csrf_token": TOKEN_RE.search(form.text).group(1)})
    assert r.status_code == 401
    with runtime.pool.connection() as conn:
        nina = org_store.get_user_by_username(conn, username="nina")[0]
        assert not nina.active and nina.email == "nina@lakeside.example"
        actions = [e["action"] for e in audit.list_events(conn, limit=100) if e["actor"] == "ada"]
        for done in ("unit.created", "user.created", "role.granted", "role.revoked", "user.password_reset",
                     "user.disabled", "registry.imported"):
            assert done in actions, done


def test_policy_changes_only_signed_in_with_the_difference_shown(clinic, runtime):
    client = clinic
    _sign_in(client, "ada")
    t = _token(client)
    r = client.post("/admin/users", data={"csrf_token": t, "username": "mo", "role": "practice_manager",
                                          "unit": "family-med"})
    mo_password = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
    client.post("/admin/users", data={"csrf_token": t, "username": "cy", "role": "compliance", "unit": "family-med"})
    _sign_in(client, "mo", mo_password)
    page = client.get("/policy", follow_redirects=True)
    assert "Policy of family-med" in page.text and "version 1" in page.text
    t = TOKEN_RE.search(page.text).group(1)
    preview = client.post("/policy/family-med/preview", data={
        "csrf_token": t, "changes": json.dumps({"qa_sample_rate": 0.2}), "expected_version": "1", "note": "more QA"})
    assert preview.status_code == 200 and "qa_sample_rate" in preview.text and "0.05" in preview.text and "0.2" in preview.text
    bad = client.post("/policy/family-med/preview", data={
        "csrf_token": t, "changes": json.dumps({"review_categories": ["pregnancy"]}), "expected_version": "1"})
    assert bad.status_code == 422 and "review_categories" in bad.text
    leak = client.post("/policy/family-med/preview", data={
        "csrf_token": t, "changes": json.dumps({"field_access": {"grants": {"biller": {"claims": ["clinical"]}}}}),
        "expected_version": "1"})
    assert leak.status_code == 422 and "clinical text stays clinical" in leak.text
    r = client.post("/policy/family-med", data={"csrf_token": t, "changes": json.dumps({"qa_sample_rate": 0.2}),
                                                "expected_version": "1", "note": "more QA"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/policy/family-med?saved=2"
    history = client.get("/policy/family-med").text
    assert 'id="version-2"' in history and "more QA" in history and "<code>qa_sample_rate</code>" in history
    stale = client.post("/policy/family-med", data={"csrf_token": t, "changes": json.dumps({"qa_sample_rate": 0.3}),
                                                    "expected_version": "1"})
    assert stale.status_code == 409 and "version 2" in stale.text
    # Compliance reads it and its history but may not change it.
    client.cookies.clear()
    with runtime.pool.connection() as conn:
        from api.services.admin import reset_password

        reset_password(conn, username="cy", actor="test", password=PASSWORD)
    _sign_in(client, "cy")
    assert client.get("/policy/family-med").status_code == 200
    assert client.post("/policy/family-med", data={"csrf_token": _token(client, "/policy/family-med"),
                                                   "changes": "{}", "expected_version": "2"}).status_code == 403
    with runtime.pool.connection() as conn:
        event = audit.list_events(conn, action="policy.changed", limit=1)[0]
    assert event["actor"] == "mo" and event["detail"]["version"] == 2


def test_policy_api(clinic, runtime):
    client = clinic
    client.headers["Accept"] = "application/json"
    with runtime.pool.connection() as conn:
        from api.services.admin import add_user

        add_user(conn, username="mo", display_name=None, email=None, grants=[(Role.practice_manager, "family-med")],
                 actor="test", password=PASSWORD)
        add_user(conn, username="nina", display_name=None, email=None, grants=[(Role.nurse, "family-med")],
                 actor="test", password=PASSWORD)
    r = client.post("/api/v1/auth/login", json={"username": "mo", "password": PASSWORD})
    h = {"X-CSRF-Token": r.json()["csrf_token"]}
    got = client.get("/api/v1/units/family-med/policy").json()
    assert got["version"] == 1 and got["policy"]["queues"]["claims"] == "billing"
    r = client.put("/api/v1/units/family-med/policy", headers=h,
                   json={"changes": {"materiality_amount": "800"}, "expected_version": 1, "note": "lower"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.put("/api/v1/units/family-med/policy", headers=h,
                   json={"changes": {"materiality_amount": "700"}, "expected_version": 1})
    assert r.status_code == 409 and r.json()["field"] == "expected_version"
    r = client.put("/api/v1/units/family-med/policy", headers=h,
                   json={"changes": {"no_such_key": 1}, "expected_version": 2})
    assert r.status_code == 422 and r.json()["field"] == "changes.no_such_key"
    [latest, first] = client.get("/api/v1/units/family-med/policy/history").json()
    assert latest["changes"] == [{"path": "materiality_amount", "before": "1000", "after": "800"}] and not first["changes"]
    assert client.get("/api/v1/units/other-unit/policy").status_code == 404
    client.post("/api/v1/auth/logout", headers=h)
    r = client.post("/api/v1/auth/login", json={"username": "nina", "password": PASSWORD})
    assert client.get("/api/v1/units/family-med/policy").status_code == 403
    assert client.put("/api/v1/units/family-med/policy", headers={"X-CSRF-Token": r.json()["csrf_token"]},
                      json={"changes": {"qa_sample_rate": 1}, "expected_version": 2}).status_code == 403


def test_an_empty_database_says_how_to_start(runtime):
    from api.app import create_app

    with TestClient(create_app(runtime=runtime, worker=False)) as client:
        page = client.get("/login", headers=HTML)
    assert page.status_code == 200 and "handoff init" in page.text
