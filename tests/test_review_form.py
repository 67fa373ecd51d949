"""The review form: label fields are selects from their allowed sets, the agent's bookkeeping is not
editable, overrides are checked against the label sets (they feed retraining); a faxed document shows
its page images beside the OCR text, with the evidence boxed on the page."""

from __future__ import annotations

import html
import io
import re

import pytest
from PIL import Image

from agents import jobs
from agents.gate import route_suggestion
from api.services.intake import accept
from evals.synthetic_faxes import render_fax
from store import audit
from store import org as org_store
from tests.conftest import sign_in
from tests.factories import make_suggestion
from tests.test_pages_http import TOKEN_RE, page_sign_in

LAB_FAX = ("Riverside Reference Laboratory\nCRITICAL RESULT NOTIFICATION\n"
           "Patient: Ann Lee   DOB: 01/02/1980   MRN: 4455667\n"
           "Potassium 6.9 mmol/L (critical high). Repeat sample confirmed.\n"
           "Please contact the patient today and advise emergency evaluation.\n")


@pytest.fixture
def intake_item(runtime, demo_org):
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        return route_suggestion(conn, make_suggestion(
            unit.id, label="records_request", confidence=0.4,
            value={"doc_type": "records_request", "urgency": "routine", "classifier_urgency": "routine",
                   "patient_match": "none", "duplicates": [], "summary": "Attorney asks for records.",
                   "fields": {"patient_name": "Ann Lee"}})).review_item


def test_labels_are_selects_and_internal_fields_are_not_in_the_form(client, intake_item):
    token = page_sign_in(client, "frontdesk")
    r = client.post("/queues/front_desk/next", data={"csrf_token": token}, follow_redirects=False)
    page = client.get(r.headers["location"]).text
    form = page[page.index('id="override-form"'):page.index('id="reject-form"')]
    assert '<select id="v-doc_type" name="v__doc_type">' in form and 'value="payer_correspondence"' in form
    assert '<select id="v-urgency" name="v__urgency">' in form
    for internal in ("classifier_urgency", "patient_match", "duplicates"):
        assert f'name="v__{internal}"' not in form
    # A label outside its set is refused, naming the field; nothing is recorded.
    version = re.search(r'name="item_version" value="(\d+)"', page).group(1)
    original = html.unescape(re.search(r'name="original_value" value="([^"]+)"', page).group(1))
    r = client.post(r.headers["location"] + "/decision", data={
        "csrf_token": token, "action": "override", "reason_code": "wrong_label", "item_version": version,
        "queue": "front_desk", "original_value": original, "v__doc_type": "subpoena"})
    assert r.status_code == 422 and "new_value.doc_type: one of referral" in r.text and "Not recorded" in r.text


def test_api_overrides_are_checked_against_the_label_sets(client, intake_item):
    h = sign_in(client, "frontdesk")
    item = client.post("/api/v1/review/queues/front_desk/claim", headers=h).json()

    def override(new_value):
        return client.post(f"/api/v1/review/items/{item['id']}/decision", headers=h, json={
            "action": "override", "reason_code": "wrong_urgency", "item_version": item["version"],
            "new_value": new_value})

    r = override({"urgency": "soon"})
    assert r.status_code == 422 and r.json()["field"] == "new_value.urgency"
    r = override({"patient_match": "confident"})
    assert r.status_code == 422 and "set by the agent" in r.json()["detail"]
    r = override({"fields": {"patient_name": 7}})
    assert r.status_code == 422 and r.json()["field"] == "new_value.fields"
    assert override({"urgency": "urgent", "fields": {"dob": "1980-01-02"}}).status_code == 200


def test_noshow_actions_are_checkboxes_from_their_set(client, runtime, demo_org):
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        route_suggestion(conn, make_suggestion(
            unit.id, agent="noshow", kind="noshow_support", label="offer_transport", subject="appointment:A1",
            confidence=0.3, value={"appointment_id": "A1", "day": "2026-11-23", "probability": 0.3,
                                   "actions": ["offer_transport", "extra_reminder"]}))
    h = sign_in(client, "frontdesk")
    item = client.post("/api/v1/review/queues/scheduling/claim", headers=h).json()
    bad = client.post(f"/api/v1/review/items/{item['id']}/decision", headers=h, json={
        "action": "override", "reason_code": "wrong_label", "item_version": item["version"],
        "new_value": {"actions": ["overbook"]}})
    assert bad.status_code == 422 and "extra_reminder, offer_transport, offer_telehealth" in bad.json()["detail"]
    page = client.get(f"/items/{item['id']}", headers={"Accept": "text/html"}).text
    assert page.count('type="checkbox" name="actions"') == 3 and 'name="v__probability"' not in page


def test_fax_pages_beside_the_text_with_evidence_boxed(intake_runtime, client):
    rt = intake_runtime
    data = render_fax([LAB_FAX], resolution="fine", seed=3).pdf_bytes()
    with rt.pool.connection() as conn:
        accept(conn, rt, user=None, actor="test", unit_code="primary-care", channel="fax", data=data)
    jobs.run_worker(rt, wait=False)
    h = sign_in(client, "nurse")
    item = client.post("/api/v1/review/queues/nursing/claim", headers=h)
    assert item.status_code == 200, item.text
    item = item.json()
    assert item["channel"] == "fax" and item["source_pages"] == [1, 1]
    page = client.get(f"/items/{item['id']}", headers={"Accept": "text/html"}).text
    assert f'<img src="/items/{item["id"]}/pages/1.png"' in page and "Text read from the pages (OCR)" in page
    png = client.get(f"/items/{item['id']}/pages/1.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.headers["cache-control"] == "no-store"
    image = Image.open(io.BytesIO(png.content)).convert("RGB")
    outline = sum(1 for px in image.getdata() if px == (180, 68, 26))
    assert outline > 100  # the evidence (name, date of birth, MRN, the critical value) is boxed on the page
    with rt.pool.connection() as conn:
        reads = audit.list_events(conn, limit=1)  # (any event) and the PHI read of the page image:
        shown = conn.execute("SELECT fields FROM phi_reads WHERE actor = 'nurse' ORDER BY seq DESC LIMIT 1").fetchone()
    assert reads is not None and shown["fields"] == ["page image 1"]
    assert client.get(f"/items/{item['id']}/pages/2.png").status_code == 404  # the document is page 1 only
    # A biller does not work the nursing queue: no page for them.
    sign_in(client, "biller")
    assert client.get(f"/items/{item['id']}/pages/1.png").status_code == 404


def test_page_images_follow_the_field_policy(runtime, demo_org):
    """Without the document's text (the field policy), no page image either."""
    from api.errors import Forbidden, NotFound
    from api.services.documents import page_png

    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        out = route_suggestion(conn, make_suggestion(unit.id, label="clinical_note", confidence=0.4,
                                                     value={"doc_type": "clinical_note"}))
        frontdesk = org_store.get_user_by_username(conn, username="frontdesk")[0]
        manager = org_store.get_user_by_username(conn, username="manager")[0]
        assert out.route.queue == "front_desk"  # the demo's policy leaves clinical notes at the front desk
        with pytest.raises(Forbidden, match="your role does not see"):
            page_png(conn, runtime, user=frontdesk, item_id=out.review_item.id, page=1)
        with pytest.raises(NotFound, match="no fax pages"):
            page_png(conn, runtime, user=manager, item_id=out.review_item.id, page=1)
    assert TOKEN_RE  # the pages' token pattern is shared with test_pages_http


def test_a_reviewer_may_enter_a_prior_auths_details_but_not_the_agents_bookkeeping():
    # Found by the referral-case test: the payer's approval letter's payer id is typed in by the
    # reviewer (agents/coverage.py keeps it as the authorization record), and the form refused it.
    from models.review import override_problems

    original = {"doc_type": "prior_auth", "urgency": "routine", "patient_match": {"mrn": "M1"}}
    assert override_problems("intake", "intake_triage", original,
                             {"doc_type": "prior_auth", "authorization": {"payer_id": "COM01", "number": None}}) == []
    assert override_problems("intake", "intake_triage", original, {"authorization": ["COM01"]}) == \
        [("new_value.authorization", "an object of field names to text")]
    assert override_problems("intake", "intake_triage", original, {"patient_match": {"mrn": "M2"}}) == \
        [("new_value.patient_match", "set by the agent; a reviewer cannot change it")]
