"""Issue 11, rows 12 and 13 of the red-team table: ingest checks the role held in the unit the item
is sent to (one list of ingest roles), and what a role may not see is hidden at every depth of an
item's value, not only at its top level."""

from __future__ import annotations

from uuid import uuid4

from agents.gate import route_suggestion
from api.access import ACCESS, INGEST_ROLES
from api.security import hash_password
from api.services.auth import create_token
from models.org import Role
from store import org as org_store
from tests.factories import make_suggestion



def _split_user(runtime) -> dict[str, str]:
    """A biller in primary care who is also a nurse in cardiology."""
    with runtime.pool.connection() as conn:
        pc = org_store.get_unit_by_code(conn, code="primary-care")
        cardio = org_store.get_unit_by_code(conn, code="cardiology")
        u = org_store.create_user(conn, org_id=pc.org_id, username="split", display_name="Split",
                                  password_hash=hash_password("handoff-demo"), actor="test")
        org_store.grant_role(conn, user_id=u.id, unit_id=pc.id, role=Role.biller, actor="test")
        org_store.grant_role(conn, user_id=u.id, unit_id=cardio.id, role=Role.nurse, actor="test")
        user, _ = org_store.get_user_by_username(conn, username="split")
        return {"Authorization": f"Bearer {create_token(conn, user=user, name='t')[1]}"}


def test_ingest_needs_the_role_in_the_target_unit(client, runtime):
    h = _split_user(runtime)
    # A role held in another unit does not open this one.
    fax = client.post("/api/v1/faxes?unit=primary-care", headers=h, files={"file": ("a.png", b"\x89PNG\r\n\x1a\nxx", "image/png")})
    assert fax.status_code == 403 and fax.json()["field"] == "unit", fax.text
    message = client.post("/api/v1/messages?unit=primary-care", headers=h, json={"text": "Please call me back."})
    assert message.status_code == 403
    claim = client.post("/api/v1/claims?unit=cardiology", headers={**h, "Content-Type": "application/json"},
                        content=b'{"claims": [{"id": "x"}]}')
    assert claim.status_code == 403 and "biller" in claim.json()["detail"]
    # The roles that unit grants still work.
    assert client.post("/api/v1/messages?unit=cardiology", headers=h, json={"text": "Please call me back."}).status_code == 202
    ok_claim = client.post("/api/v1/claims?unit=primary-care", headers={**h, "Content-Type": "application/json"},
                           content=b'{"claims": [{"id": "x"}]}')
    assert ok_claim.status_code == 422  # past the role check: the claim itself is checked (and incomplete)


def test_one_list_of_ingest_roles():
    for channel, path in (("fax", "/api/v1/faxes"), ("message", "/api/v1/messages"),
                          ("referral", "/api/v1/referrals"), ("claim", "/api/v1/claims")):
        assert ACCESS[("POST", path)].roles == INGEST_ROLES[channel]


def test_hidden_fields_are_hidden_at_every_depth(client, runtime, demo_org):
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        routed = route_suggestion(conn, make_suggestion(
            unit.id, label="billing_question", confidence=0.2, subject=f"inbound_part:{uuid4()}",
            value={"doc_type": "billing_question", "summary": "Asks about a bill after her knee injection",
                   "fields": {"patient_name": "Ana Ruiz", "dob": "1960-01-02", "member_id": "XJH123456",
                              "phone": "5552013344", "reason": "knee osteoarthritis, injection",
                              "icd10": "M17.11"},
                   "history": [{"text": "left knee pain for a year", "charge": "120.00"}]}))
        assert routed.route.queue == "billing"
        user, _ = org_store.get_user_by_username(conn, username="biller")
        biller = {"Authorization": f"Bearer {create_token(conn, user=user, name='t')[1]}"}
        user, _ = org_store.get_user_by_username(conn, username="manager")
        manager = {"Authorization": f"Bearer {create_token(conn, user=user, name='t')[1]}"}
    item_id = routed.review_item.id
    seen = client.get(f"/api/v1/review/items/{item_id}", headers=biller).json()["value"]
    assert "summary" not in seen
    assert seen["fields"] == {"patient_name": "Ana Ruiz", "dob": "1960-01-02", "member_id": "XJH123456"}
    assert seen["history"] == [{"charge": "120.00"}]
    full = client.get(f"/api/v1/review/items/{item_id}", headers=manager).json()["value"]
    assert full["fields"]["reason"] and full["fields"]["phone"] and full["history"][0]["text"]
