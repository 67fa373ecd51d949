"""The pages over plain HTTP (no browser): sign-in and its form token, redirects for signed-out
browsers, CSRF refusals, roles per page, deciding through the forms (409 when someone else holds the
item), the compliance logs' filters and paging, the dashboard, and readable errors."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from api.services import review as review_service
from models.governance import DecisionAction
from models.review import DecisionIn
from store import org as org_store
from tests.review_data import fill_queues

HTML = {"Accept": "text/html,application/xhtml+xml"}
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_sign_in(client, username: str, password: str = "handoff-demo") -> str:
    """Sign in through the login form like a browser; returns the session's CSRF token from a page."""
    form = client.get("/login")
    assert form.status_code == 200
    r = client.post("/login", data={"username": username, "password": password, "next": "/",
                                    "csrf_token": TOKEN_RE.search(form.text).group(1)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/queues" if username not in ("compliance", "admin") else "/compliance")
    return TOKEN_RE.search(page.text).group(1)


@pytest.fixture
def client(client):
    """The app's test client, asking for pages as a browser does (scripts get the API's JSON errors)."""
    client.headers["Accept"] = HTML["Accept"]
    return client


@pytest.fixture
def queues(runtime, client):
    return fill_queues(runtime)


def _user(runtime, username):
    with runtime.pool.connection() as conn:
        return org_store.get_user_by_username(conn, username=username)[0]


def test_signed_out_browser_goes_to_sign_in_and_comes_back(client):
    r = client.get("/queues", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fqueues"
    # A script (not asking for HTML) gets the API's JSON 401, as the access table promises.
    r = client.get("/queues", headers={"Accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 401 and r.json()["detail"]
    # A form posted after the session ended gets a page that says so.
    r = client.post("/queues/nursing/next", data={"csrf_token": "x"})
    assert r.status_code == 401 and "text/html" in r.headers["content-type"] and "sign in" in r.text.lower()
    form = client.get("/login?next=/queues")
    assert 'value="/queues"' in form.text
    r = client.post("/login", data={"username": "nurse", "password": "handoff-demo", "next": "/queues",
                                    "csrf_token": TOKEN_RE.search(form.text).group(1)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queues"
    cookie = r.headers["set-cookie"].lower()
    assert "handoff_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/queues")
    assert page.status_code == 200 and "Nora Nurse" in page.text and "primary-care" in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_sign_in_form_errors_are_readable(client):
    form = client.get("/login")
    token = TOKEN_RE.search(form.text).group(1)
    r = client.post("/login", data={"username": "nurse", "password": "wrong", "csrf_token": token})
    assert r.status_code == 401 and "wrong username or password" in r.text
    # Without the form's token (a login from another site), nothing is checked.
    r = client.post("/login", data={"username": "nurse", "password": "handoff-demo"})
    assert r.status_code == 400 and "expired" in r.text and "handoff_session" not in r.headers.get("set-cookie", "")
    # An open redirect is not possible through `next`.
    r = client.post("/login", data={"username": "nurse", "password": "handoff-demo", "next": "//evil.example",
                                    "csrf_token": TOKEN_RE.search(client.get("/login").text).group(1)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_forms_without_csrf_token_are_refused(client, queues):
    token = page_sign_in(client, "nurse")
    r = client.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text and "Traceback" not in r.text
    r = client.post("/queues/nursing/next", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    # With it, the same form works and the session really ends.
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?msg=signed_out"
    assert client.get("/queues", headers=HTML, follow_redirects=False).status_code == 303


def test_roles_per_page(client, queues):
    page_sign_in(client, "biller")
    queues_page = client.get("/queues").text
    assert "/queues/billing" in queues_page and "/queues/nursing" not in queues_page
    r = client.get("/queues/nursing")
    assert r.status_code == 403 and "does not work the nursing queue" in r.text
    token = TOKEN_RE.search(queues_page).group(1)
    r = client.post("/queues/nursing/next", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403
    nursing_item = queues["nursing"][0].review_item.id
    assert client.get(f"/items/{nursing_item}").status_code == 404
    assert client.get("/compliance").status_code == 403
    assert client.get("/dashboard").status_code == 403
    client.cookies.clear()
    page_sign_in(client, "compliance")
    assert client.get("/queues").status_code == 403
    assert client.get("/compliance").status_code == 200


def test_claim_override_through_forms(client, queues, runtime):
    token = page_sign_in(client, "frontdesk")
    r = client.post("/queues/front_desk/next", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/items/")
    item_url = r.headers["location"]
    page = client.get(item_url)
    assert page.status_code == 200 and "data-lease-until" in page.text and "Attorney requests records" in page.text
    assert "charges" not in page.text  # front desk sees no amounts
    version = re.search(r'name="item_version" value="(\d+)"', page.text).group(1)
    original = re.search(r'name="original_value" value="([^"]+)"', page.text).group(1)
    import html

    r = client.post(item_url + "/decision", follow_redirects=False, data={
        "csrf_token": token, "action": "override", "reason_code": "wrong_label", "note": "it is a referral",
        "item_version": version, "queue": "front_desk", "original_value": html.unescape(original),
        "v__doc_type": "referral"})
    assert r.status_code == 303 and r.headers["location"] == "/queues/front_desk?msg=decided", r.text
    assert "Decision recorded" in client.get(r.headers["location"]).text
    with runtime.pool.connection() as conn:
        from store import review as review_store

        d = review_store.decisions_for_item(conn, item_id=item_url.rsplit("/", 1)[1])[-1]
    assert d["action"] == "override" and d["new_value"]["doc_type"] == "referral" and d["decided_by"] == "frontdesk"
    assert d["new_value"]["summary"] == "Attorney requests records"  # untouched fields are kept


def test_decision_form_errors_and_someone_elses_item(client, queues, runtime):
    token = page_sign_in(client, "nurse")
    r = client.post("/queues/nursing/next", data={"csrf_token": token}, follow_redirects=False)
    item_url = r.headers["location"]
    version = re.search(r'name="item_version" value="(\d+)"', client.get(item_url).text).group(1)
    # "other" needs a note: the item page comes back with the reason, nothing recorded.
    r = client.post(item_url + "/decision", data={"csrf_token": token, "action": "reject", "reason_code": "other",
                                                  "item_version": version})
    assert r.status_code == 422 and "needs a note" in r.text and "Not recorded" in r.text
    # The practice manager did not claim it: deciding it is a conflict, said plainly.
    client.cookies.clear()
    manager_token = page_sign_in(client, "manager")
    page = client.get(item_url)
    assert "Nora" in page.text or "nurse" in page.text
    assert "You cannot decide it" in page.text and 'id="accept-form"' not in page.text
    r = client.post(item_url + "/decision", data={"csrf_token": manager_token, "action": "accept",
                                                  "reason_code": "correct", "item_version": version})
    assert r.status_code == 409 and "you do not hold this item" in r.text and "Traceback" not in r.text


def test_skip_gives_back_and_takes_another(client, queues):
    token = page_sign_in(client, "biller")
    first = client.post("/queues/billing/next", data={"csrf_token": token}, follow_redirects=False).headers["location"]
    second = client.post("/queues/billing/next", data={"csrf_token": token, "give_back": first.rsplit("/", 1)[1]},
                         follow_redirects=False).headers["location"]
    assert second != first
    assert "waiting in the queue" in client.get(first).text  # the skipped item is back, not held
    r = client.post(second + "/release", data={"csrf_token": token, "queue": "billing"}, follow_redirects=False)
    assert r.headers["location"] == "/queues/billing?msg=released"


def test_compliance_logs_filters_and_paging(client, queues, runtime):
    nurse = _user(runtime, "nurse")
    with runtime.pool.connection() as conn:
        item = review_service.claim_next(conn, user=nurse, queue="nursing")
        review_service.decide(conn, user=nurse, item_id=item.id, decision=DecisionIn(
            action=DecisionAction.override, reason_code="wrong_urgency", new_value={**item.value, "doc_type": "lab_result"},
            note="not an emergency", item_version=item.version))
    page_sign_in(client, "compliance")
    home = client.get("/compliance")
    assert home.status_code == 200 and "Intact" in home.text and "<svg" in home.text
    assert "/api/v1/compliance/export.csv" in home.text and "/api/v1/compliance/export.fhir" in home.text
    assert client.get("/compliance?by=group:language").status_code == 200
    assert client.get("/compliance?by=nonsense").status_code == 422
    log = client.get("/compliance/decisions?action=override&reviewer=nurse")
    assert "wrong urgency" in log.text and "not an emergency" in log.text and "lab_result" in log.text
    assert "wrong urgency" not in client.get("/compliance/decisions?action=accept").text
    first = client.get("/compliance/outputs?limit=5")
    assert first.status_code == 200 and first.text.count("<tr>") >= 5
    older = re.search(r'href="\?([^"]*before_seq=\d+[^"]*)"', first.text).group(1)
    assert "limit=5" in older
    second = client.get("/compliance/outputs?" + older.replace("&amp;", "&"))
    assert second.status_code == 200 and "Newest" in second.text
    assert client.get("/compliance/outputs?route=auto").text.count("badge review") == 0
    bad = client.get("/compliance/outputs?since=yesterday")
    assert bad.status_code == 422 and "since" in bad.text and "Traceback" not in bad.text
    assert client.get("/api/v1/compliance/export.csv").status_code == 200  # the export link works with the cookie


def test_dashboard_for_practice_manager(client, queues):
    page_sign_in(client, "manager")
    r = client.get("/")
    assert r.url.path == "/dashboard"
    assert r.status_code == 200 and r.text.count("<svg") == 4 and "No appointments scored for this day yet" in r.text
    assert "primary-care" in r.text and "nursing" in r.text
    assert client.get("/dashboard?days=7").status_code == 200
    assert client.get("/dashboard?days=abc").status_code == 422


def test_errors_are_pages_not_tracebacks(client, queues):
    page_sign_in(client, "nurse")
    r = client.get("/items/not-a-uuid")
    assert r.status_code == 422 and "text/html" in r.headers["content-type"] and "item_id" in r.text
    r = client.get(f"/items/{uuid4()}")
    assert r.status_code == 404 and "no such review item" in r.text
    r = client.get("/queues/NOT-A-QUEUE")
    assert r.status_code == 422
    client.cookies.clear()
    page_sign_in(client, "compliance")
    r = client.get("/compliance/outputs?agent=%00")  # PostgreSQL cannot store a NUL: the reader's to fix
    assert r.status_code == 422 and "cannot be stored" in r.text
    assert client.get("/static/handoff.css").status_code == 200
    # The API keeps its JSON errors, even for a browser.
    assert client.get("/api/v1/review/items/not-a-uuid").headers["content-type"].startswith("application/json")


def test_override_form_values_keep_their_types():
    from starlette.datastructures import FormData

    from api.errors import BadInput
    from api.pages.review import _override_value, highlight

    original = '{"doc_type": "referral", "pages": 3, "score": 0.5, "urgent": false, "mrn": null, "codes": ["A"]}'
    form = FormData([("original_value", original), ("v__doc_type", "lab_result"), ("v__pages", "4"),
                     ("v__score", "0.75"), ("v__urgent", "true"), ("v__mrn", ""), ("v__codes", "ignored")])
    assert _override_value(form) == {"doc_type": "lab_result", "pages": 4, "score": 0.75, "urgent": True,
                                     "mrn": None, "codes": ["A"]}
    # Fields the intake agent nests under "fields" are corrected the same way.
    nested = '{"doc_type": "referral", "fields": {"dob": "1970-01-02", "pages": 2, "npi": null}}'
    assert _override_value(FormData([("original_value", nested), ("f__dob", "1970-02-01"), ("f__pages", "3")])) == {
        "doc_type": "referral", "fields": {"dob": "1970-02-01", "pages": 3, "npi": None}}
    with pytest.raises(BadInput, match="pages: a whole number"):
        _override_value(FormData([("original_value", original), ("v__pages", "four")]))
    # Evidence spans by offset, or by their text when the offsets do not fit.
    assert highlight("abc chest pain xyz", [{"start": 4, "end": 14, "text": "chest pain"}, {"text": "xyz"}]) == [
        ("abc ", False), ("chest pain", True), (" ", False), ("xyz", True)]


def test_dashboard_shows_tomorrows_no_show_outlook(client, runtime):
    """The practice manager sees the no-show agent's flags for a day, from the logged suggestions."""
    from datetime import date

    from agents.gate import route_suggestion
    from api.services import operations
    from models.scheduling import Appointment
    from store import org as org_store
    from store import scheduling as scheduling_store
    from tests.factories import make_suggestion

    day = date(2026, 11, 23)
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=[
            Appointment(id=f"A{i}", patient_id=f"P{i}", scheduled_at="2026-11-20T09:00:00", appointment_day=day)
            for i in range(5)])
        for i, p in enumerate((0.7, 0.3)):
            route_suggestion(conn, make_suggestion(
                unit.id, agent="noshow", kind="noshow_support", label="extra_reminder", subject=f"appointment:A{i}",
                confidence=p, value={"appointment_id": f"A{i}", "day": day.isoformat(), "probability": p,
                                     "actions": ["extra_reminder"]}))
        route_suggestion(conn, make_suggestion(
            unit.id, agent="noshow", kind="noshow_overbook", label="overbook", subject="slot:A0", confidence=0.7,
            value={"appointment_id": "A0", "day": day.isoformat(), "probability": 0.7, "actions": ["overbook"]}))
        manager, _ = org_store.get_user_by_username(conn, username="manager")
        [pc] = [o for o in operations.noshow_outlook(conn, user=manager, day=day) if o.unit_code == "primary-care"]
    assert (pc.appointments, pc.high_risk, pc.elevated_risk, pc.overbook_proposals) == (5, 1, 1, 1)
    from tests.conftest import sign_in

    sign_in(client, "manager")
    page = client.get(f"/dashboard?day={day.isoformat()}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "No-show risk for 2026-11-23" in page.text and "Overbooking proposals" in page.text
    assert client.get("/dashboard?day=tomorrow", headers={"accept": "text/html"}).status_code == 422
