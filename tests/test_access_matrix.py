"""Every route is in the access table, and every (role, route) pair gets the table's answer:
401 without a session or token, 403 for a wrong role, 404 for another unit's object; responses carry
only the fields the role needs."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from fastapi.routing import APIRoute

from api.access import ACCESS, DOC_ROUTES
from api.services.auth import create_token
from models.org import Role
from store import org as org_store
from tests.review_data import fill_queues

DEMO_USER_OF_ROLE = {
    Role.front_desk: "frontdesk", Role.referral_coordinator: "referrals", Role.nurse: "nurse", Role.biller: "biller",
    Role.practice_manager: "manager", Role.compliance: "compliance", Role.engineer: "engineer", Role.admin: "admin",
}
BODIES = {
    "/api/v1/auth/login": {"username": "nobody", "password": "x"},
    "/api/v1/auth/tokens": {"name": "t"},
    "/api/v1/review/items/{item_id}/decision": {"action": "accept", "reason_code": "correct", "item_version": 1},
    "/api/v1/review/items/{item_id}/reassign": {"queue": "front_desk"},
    "/api/v1/units/{unit}/policy": {"changes": {"qa_sample_rate": 0.07}, "expected_version": 1},
}


@pytest.fixture
def tokens(runtime, client):
    out = {}
    with runtime.pool.connection() as conn:
        for role, username in DEMO_USER_OF_ROLE.items():
            user, _ = org_store.get_user_by_username(conn, username=username)
            out[role] = create_token(conn, user=user, name="matrix")[1]
    return out


def _routes(app):
    """Every (method, path) the app serves, through included routers too."""
    found = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI >= 0.120)
            for ctx in route.effective_route_contexts():
                found += [(m, ctx.path) for m in getattr(ctx.original_route, "methods", ()) or ()]
        elif isinstance(route, APIRoute) or hasattr(route, "methods"):
            found += [(m, route.path) for m in route.methods or ()]
    return sorted({(m, p) for m, p in found if m != "HEAD"})


OWN_QUEUE = {Role.front_desk: "front_desk", Role.referral_coordinator: "referrals", Role.nurse: "nursing",
             Role.biller: "billing", Role.practice_manager: "escalations"}


def _call(client, method, path, *, token=None, item_id=None, queue="front_desk"):
    url = re.sub(r"\{item_id\}", str(item_id or uuid4()), path)
    url = url.replace("{queue}", queue).replace("{token_id}", str(uuid4()))
    # Issue 12's routes: a unit every role holds a role in, a user that does not exist (so no account
    # is disabled half-way through the matrix), objects that do not exist.
    url = (url.replace("{unit}", "primary-care").replace("{username}", "no.such.user").replace("{page}", "1")
           .replace("{filing_id}", str(uuid4())).replace("{action_id}", str(uuid4())))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.request(method, url, headers=headers, json=BODIES.get(path))


def test_every_route_is_in_the_access_table(client):
    missing = [k for k in _routes(client.app) if k not in ACCESS and k not in DOC_ROUTES]
    assert not missing, f"routes missing from api/access.py ACCESS: {missing}"
    stale = [k for k in ACCESS if k not in set(_routes(client.app))]
    assert not stale, f"ACCESS names routes that do not exist: {stale}"


def test_role_by_route_matrix(client, tokens, runtime):
    made = fill_queues(runtime)
    item_id = made["front_desk"][0].review_item.id
    checked = 0
    for method, path in _routes(client.app):
        if (method, path) in DOC_ROUTES:
            continue
        access = ACCESS[(method, path)]
        anonymous = _call(client, method, path, item_id=item_id)
        if access.roles is None:
            # Public: the access check lets it through (login may still refuse a wrong password).
            assert anonymous.status_code != 403 and "sign in first" not in anonymous.text, (method, path)
            continue
        assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        for role, token in tokens.items():
            if (method, path) == ("POST", "/api/v1/auth/logout"):
                continue  # a bearer token has no session to end; covered in test_review_api
            r = _call(client, method, path, token=token, item_id=item_id, queue=OWN_QUEUE.get(role, "front_desk"))
            if role in access.roles:
                assert r.status_code not in (401, 403), (role, method, path, r.status_code, r.text)
                assert r.status_code < 500, (role, method, path, r.status_code, r.text[:300])
            else:
                assert r.status_code == 403, (role, method, path, r.status_code)
                assert r.json()["detail"]
            checked += 1
    assert checked > 100
    # Queues are a second, finer table: a role may claim only from the queues it works.
    r = _call(client, "POST", "/api/v1/review/queues/{queue}/claim", token=tokens[Role.biller], queue="nursing")
    assert r.status_code == 403 and r.json()["field"] == "queue"


def test_another_units_object_is_404(client, runtime, tokens):
    made = fill_queues(runtime, unit_code="primary-care")
    item = made["nursing"][0].review_item
    with runtime.pool.connection() as conn:
        cardio, _ = org_store.get_user_by_username(conn, username="cardio.nurse")
        cardio_token = create_token(conn, user=cardio, name="t")[1]
    bearer = {"Authorization": f"Bearer {cardio_token}"}
    assert client.get(f"/api/v1/review/items/{item.id}", headers=bearer).status_code == 404
    assert client.get(f"/api/v1/review/items/{item.id}", headers={"Authorization": f"Bearer {tokens[Role.nurse]}"}).status_code == 200
    # Nor can it be claimed, decided or released from another unit.
    assert client.post("/api/v1/review/queues/nursing/claim", headers=bearer).status_code == 204
    r = client.post(f"/api/v1/review/items/{item.id}/decision", headers=bearer,
                    json={"action": "accept", "reason_code": "correct", "item_version": 1})
    assert r.status_code == 404
    # A biller of the same unit does not see the nursing queue's items either.
    assert client.get(f"/api/v1/review/items/{item.id}", headers={"Authorization": f"Bearer {tokens[Role.biller]}"}).status_code == 404


def test_field_allowlists(client, runtime, tokens):
    made = fill_queues(runtime)
    billing_item = made["billing"][0].review_item
    front_item = made["front_desk"][0].review_item
    biller = client.get(f"/api/v1/review/items/{billing_item.id}", headers={"Authorization": f"Bearer {tokens[Role.biller]}"}).json()
    assert "summary" not in biller["value"]  # billing sees no clinical text of a claim
    assert biller["value"]["findings"] == ["mue_exceeded"]  # ... but the findings it must act on
    assert "document_text" in biller["withheld"]
    assert biller["value"]["total_charge"] == "1500.00" and biller["amount"] == "1500.00"
    manager = client.get(f"/api/v1/review/items/{billing_item.id}", headers={"Authorization": f"Bearer {tokens[Role.practice_manager]}"}).json()
    assert "summary" in manager["value"] and manager["amount"] == "1500.00"
    front = client.get(f"/api/v1/review/items/{front_item.id}", headers={"Authorization": f"Bearer {tokens[Role.front_desk]}"}).json()
    assert "charges" not in front["value"] and front["amount"] is None  # front desk sees no amounts
    assert front["value"]["summary"]


def test_compliance_sees_only_its_units(client, runtime):
    fill_queues(runtime, unit_code="primary-care")
    fill_queues(runtime, unit_code="cardiology", n_each=1)
    with runtime.pool.connection() as conn:
        org = org_store.get_unit_by_code(conn, code="cardiology")
        from api.security import hash_password
        u = org_store.create_user(conn, org_id=org.org_id, username="cardio.compliance", display_name="CC",
                                  password_hash=hash_password("handoff-demo"), actor="test")
        org_store.grant_role(conn, user_id=u.id, unit_id=org.id, role=Role.compliance, actor="test")
        token = create_token(conn, user=u, name="t")[1]
    rows = client.get("/api/v1/compliance/outputs?limit=500", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert rows and {r["unit_code"] for r in rows} == {"cardiology"}
