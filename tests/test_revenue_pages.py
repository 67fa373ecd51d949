"""The referral, denial and coverage pages over plain HTTP: roles per page, the case page and its move
form (with its CSRF token), readable errors for a move off the path."""

from __future__ import annotations

import pytest

from store import intake as intake_store
from store import org as org_store
from tests.test_pages_http import HTML, page_sign_in


@pytest.fixture
def client(client):
    client.headers["Accept"] = HTML["Accept"]
    return client


@pytest.fixture
def case_id(runtime, client):
    from agents.referrals import open_case
    from api.services.intake import accept

    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        item = accept(conn, runtime, user=None, actor="t", unit_code="primary-care", channel="message",
                      data=b'{"text": "a referral part for the pages test"}')
        part = intake_store.insert_part(conn, item_id=item.item_id, part_no=1, text="r", page_start=None, page_end=None,
                                        ocr_confidence=None, degraded=False, degraded_reason=None)
        return open_case(conn, unit_id=unit.id, part_id=part, patient_id=None, filed_by="referrals", text="short",
                         value={"doc_type": "referral", "fields": {"referring_provider": "Dr. Ada Park", "reason": "palpitations"}})


def test_referral_pages_and_the_move_form(client, case_id):
    token = page_sign_in(client, "referrals")
    listing = client.get("/referrals")
    assert listing.status_code == 200 and str(case_id)[:8] in listing.text and "information missing" in listing.text
    page = client.get(f"/referrals/{case_id}")
    assert page.status_code == 200 and "Dr. Ada Park" in page.text and "info request" in page.text
    assert "each change is a row of the audit chain" in page.text
    moved = client.post(f"/referrals/{case_id}/status", data={"status": "complete", "csrf_token": token},
                        follow_redirects=False)
    assert moved.status_code == 303
    assert "complete" in client.get(f"/referrals/{case_id}").text
    refused = client.post(f"/referrals/{case_id}/status", data={"status": "seen", "csrf_token": token})
    assert refused.status_code == 409 and "can move to" in refused.text and "Traceback" not in refused.text
    assert client.post(f"/referrals/{case_id}/status", data={"status": "complete"}).status_code == 403  # no token
    assert client.get("/referrals?status=nonsense").status_code == 422


def test_roles_per_revenue_page(client, case_id):
    page_sign_in(client, "biller")
    assert client.get("/denials").status_code == 200
    assert client.get("/coverage").status_code == 200
    assert client.get("/referrals").status_code == 403
    client.cookies.clear()
    page_sign_in(client, "frontdesk")
    assert client.get("/referrals").status_code == 200
    assert client.get("/denials").status_code == 403
    client.cookies.clear()
    page_sign_in(client, "nurse")
    assert client.get("/coverage").status_code == 403
