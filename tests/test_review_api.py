"""The review queue over HTTP: sign-in, claiming, reading (audited), deciding, 409s, release,
reassign, and two independent reviewers with escalation."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from store import audit
from store import review as review_store
from tests.conftest import sign_in
from tests.review_data import fill_queues


@pytest.fixture
def queues(runtime, client):
    return fill_queues(runtime)


def _claim(client, headers, queue):
    r = client.post(f"/api/v1/review/queues/{queue}/claim", headers=headers)
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 else None


def _decide(client, headers, item, action="accept", reason="correct", **extra):
    body = {"action": action, "reason_code": reason, "item_version": item["version"], **extra}
    return client.post(f"/api/v1/review/items/{item['id']}/decision", headers=headers, json=body)


def test_session_cookie_flags_rotation_and_logout(client):
    r = client.post("/api/v1/auth/login", json={"username": "nurse", "password": "handoff-demo"})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # localhost
    first = client.cookies.get("handoff_session")
    h = {"X-CSRF-Token": r.json()["csrf_token"]}
    assert client.get("/api/v1/auth/me").json()["username"] == "nurse"
    # Signing in again rotates the session and ends the old one.
    h = sign_in(client, "nurse")
    second = client.cookies.get("handoff_session")
    assert second != first

    def use(cookie):
        client.cookies.clear()
        client.cookies.set("handoff_session", cookie)

    use(first)
    assert client.get("/api/v1/auth/me").status_code == 401
    use(second)
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    use(second)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_cookie_on_other_hosts_is_secure(runtime, demo_org):
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(runtime=runtime, worker=False), base_url="https://clinic.example.org") as c:
        r = c.post("/api/v1/auth/login", json={"username": "nurse", "password": "handoff-demo"})
        assert "secure" in r.headers["set-cookie"].lower()


def test_lockout_after_repeated_failures_is_audited(client, conn):
    for _ in range(5):
        assert client.post("/api/v1/auth/login", json={"username": "nurse", "password": "wrong-password"}).status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "nurse", "password": "handoff-demo"})
    assert r.status_code == 401 and "locked" in r.json()["detail"]
    assert len(audit.list_events(conn, action="auth.sign_in_failed")) == 5
    assert audit.list_events(conn, action="auth.locked_out")
    # Unknown users get the same answer as a wrong password.
    r = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert r.status_code == 401 and r.json()["detail"] == "wrong username or password"


def test_api_token_shown_once_and_revocable(client):
    h = sign_in(client, "biller")
    r = client.post("/api/v1/auth/tokens", json={"name": "clearinghouse"}, headers=h)
    assert r.status_code == 201
    token, token_id = r.json()["token"], r.json()["id"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["username"] == "biller"
    # Token calls need no CSRF token (no cookie is involved).
    assert client.post("/api/v1/review/queues/billing/claim", headers=bearer).status_code in (200, 204)
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=bearer).status_code == 204
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_cookie_posts_need_the_csrf_token(client, queues):
    sign_in(client, "frontdesk")
    r = client.post("/api/v1/review/queues/front_desk/claim")
    assert r.status_code == 403 and r.json()["field"] == "csrf_token"


def test_claim_read_decide_and_audit(client, queues, conn):
    h = sign_in(client, "frontdesk")
    queue = client.get("/api/v1/review/queues").json()
    assert [(q["queue"], q["ready"]) for q in queue] == [("front_desk", 3)]
    item = _claim(client, h, "front_desk")
    assert item["status"] == "in-progress" and item["holder"] == "frontdesk" and item["reasons"] == ["low_confidence"]
    reads_before = len(audit.list_events(conn, action="x"))  # noqa: F841 (audit_events unaffected by reads)
    assert client.get(f"/api/v1/review/items/{item['id']}").status_code == 200
    n_reads = conn.execute("SELECT count(*) AS n FROM phi_reads WHERE actor = 'frontdesk'").fetchone()["n"]
    assert n_reads == 2  # the claim's read and the explicit read
    bad = _decide(client, h, item, action="override", reason="correct")
    assert bad.status_code == 422 and "reason_code" in bad.text
    r = _decide(client, h, item, action="override", reason="wrong_label", new_value={"doc_type": "referral"})
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["final"]
    again = _decide(client, h, item)
    assert again.status_code == 409
    events = [e["event"] for e in review_store.item_events(conn, item_id=item["id"])]
    assert events == ["created", "claimed", "decided"]


def test_stale_expired_and_foreign_decisions_get_409(client, queues, runtime, conn):
    h = sign_in(client, "frontdesk")
    item = _claim(client, h, "front_desk")
    stale = dict(item, version=item["version"] + 1)
    assert _decide(client, h, stale).status_code == 409
    # The lease runs out: the item returns to ready and the holder can no longer decide.
    conn.execute("UPDATE review_items SET lease_until = now() - interval '1 second' WHERE id = %s", (item["id"],))
    conn.commit()
    assert _decide(client, h, item).status_code == 409
    with runtime.pool.connection() as c:
        expired = review_store.expire_leases(c, now=datetime.now(timezone.utc))
    assert item["id"] in {str(e) for e in expired}
    # Someone else claims it; the first reviewer's decision is refused.
    h2 = sign_in(client, "manager")
    taken = _claim(client, h2, "front_desk")
    assert taken["priority"] == "routine"
    h = sign_in(client, "frontdesk")
    assert _decide(client, h, taken).status_code == 409


def test_release_returns_item_without_a_decision(client, queues, conn):
    h = sign_in(client, "frontdesk")
    item = _claim(client, h, "front_desk")
    assert client.post(f"/api/v1/review/items/{item['id']}/release", headers=h).json() == "ready"
    assert review_store.decisions_for_item(conn, item_id=item["id"]) == []
    again = _claim(client, h, "front_desk")
    assert again is not None


def test_claim_order_is_priority_then_sla_then_age(client, runtime, demo_org):
    from agents.gate import route_suggestion
    from models.governance import Priority
    from store import org as org_store
    from tests.factories import make_suggestion

    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        routine = route_suggestion(conn, make_suggestion(unit.id, confidence=0.1))
        urgent = route_suggestion(conn, make_suggestion(unit.id, confidence=0.1, urgency=Priority.urgent))
    h = sign_in(client, "frontdesk")
    assert _claim(client, h, "front_desk")["id"] == str(urgent.review_item.id)
    assert _claim(client, h, "front_desk")["id"] == str(routine.review_item.id)
    assert _claim(client, h, "front_desk") is None


def test_two_independent_reviewers_and_escalation(client, queues, runtime, conn):
    from models.org import Role
    from store import org as org_store

    with runtime.pool.connection() as c:
        unit = org_store.get_unit_by_code(c, code="primary-care")
        from api.security import hash_password
        u = org_store.create_user(c, org_id=unit.org_id, username="nurse2", display_name="N2",
                                  password_hash=hash_password("handoff-demo"), actor="test")
        org_store.grant_role(c, user_id=u.id, unit_id=unit.id, role=Role.nurse, actor="test")
    # Agreement: completed after two decisions.
    h1 = sign_in(client, "nurse")
    item = _claim(client, h1, "nursing")
    assert item["two_reviewers"] and item["priority"] == "emergent"
    first = _decide(client, h1, item).json()
    assert first["final"] is False and first["status"] == "ready"
    # The first reviewer cannot be the second one.
    other = _claim(client, h1, "nursing")
    assert other is None or other["id"] != item["id"]
    if other:
        client.post(f"/api/v1/review/items/{other['id']}/release", headers=h1)
    h2 = sign_in(client, "nurse2")
    second_view = _claim(client, h2, "nursing")
    assert second_view["id"] == item["id"] and second_view["round"] == 2
    assert "decision" not in str(second_view).lower()  # nothing of the first decision is shown
    done = _decide(client, h2, second_view).json()
    assert done["final"] and done["status"] == "completed"

    # Disagreement: escalated to the practice manager, who settles it.
    h1 = sign_in(client, "nurse")
    item = _claim(client, h1, "nursing")
    _decide(client, h1, item)
    h2 = sign_in(client, "nurse2")
    second = _claim(client, h2, "nursing")
    assert second["id"] == item["id"]
    out = _decide(client, h2, second, action="override", reason="wrong_urgency", new_value={"urgency": "urgent"}).json()
    assert out["escalated"] and not out["final"]
    hm = sign_in(client, "manager")
    esc = _claim(client, hm, "escalations")
    assert esc["id"] == item["id"] and esc["round"] == 3
    settled = _decide(client, hm, esc, action="override", reason="wrong_urgency", new_value={"urgency": "urgent"}).json()
    assert settled["final"] and settled["status"] == "completed"
    rounds = [(d["round"], d["final"]) for d in review_store.decisions_for_item(conn, item_id=item["id"])]
    assert rounds == [(1, False), (2, False), (3, True)]


def test_manager_reassigns_and_others_cannot(client, queues):
    h = sign_in(client, "frontdesk")
    item = _claim(client, h, "front_desk")
    r = client.post(f"/api/v1/review/items/{item['id']}/reassign", headers=h, json={"queue": "nursing"})
    assert r.status_code == 403
    hm = sign_in(client, "manager")
    r = client.post(f"/api/v1/review/items/{item['id']}/reassign", headers=hm, json={"queue": "referrals"})
    assert r.status_code == 200
    hr = sign_in(client, "referrals")
    assert _claim(client, hr, "referrals")["id"] == item["id"]
