"""Every output reaches its person: what intake filed is on its queue's work list (as the field policy
lets each role see it) until someone marks it done; supportive no-show actions are on an outreach
list with who to call, exported as CSV and as FHIR CommunicationRequests."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from fhir.resources.R4B.bundle import Bundle

from agents import noshow
from agents.gate import route_suggestion
from models.patients import Patient
from models.scheduling import Appointment
from store import inbound as inbound_store
from store import intake as intake_store
from store import org as org_store
from store import scheduling as scheduling_store
from tests.conftest import sign_in
from tests.factories import make_suggestion

DAY = date(2026, 11, 23)
HTML = {"Accept": "text/html"}


def _filed(conn, settings, unit, *, text, doc_type, queue, urgency="routine"):
    """A document part filed the way intake's file_item files it (after the gate routed it)."""
    accepted = inbound_store.accept_inbound(conn, blob_root=settings.blob_dir, unit_id=unit.id, channel="message",
                                            data=text.encode(), media_type="application/json", filename=None,
                                            received_by="test")
    part_id = intake_store.insert_part(conn, item_id=accepted.item.id, part_no=1, text=text, page_start=None,
                                       page_end=None, ocr_confidence=None, degraded=False, degraded_reason=None)
    value = {"doc_type": doc_type, "urgency": urgency, "summary": text[:60],
             "fields": {"patient_name": "Ann Lee", "reason": "chest pain"}, "categories": []}
    outcome = route_suggestion(conn, make_suggestion(unit.id, subject=f"inbound_part:{part_id}", label=doc_type,
                                                     confidence=0.999, value=value))
    intake_store.insert_filing(conn, part_id=part_id, suggestion_id=outcome.suggestion.id, decision_id=None,
                               value=value, queue=queue, filed_by="auto")
    return part_id


def test_filed_items_are_on_their_queues_work_list_until_done(client, runtime, settings):
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        _filed(conn, settings, unit, text="Please send the records of Ann Lee to our office.", doc_type="records_request",
               queue="front_desk")
        _filed(conn, settings, unit, text="EOB: claim C-9 paid 80.00, patient responsibility 20.00.",
               doc_type="payer_correspondence", queue="billing")
        _filed(conn, settings, unit, text="Referral to cardiology for chest pain.", doc_type="referral", queue="referrals",
               urgency="urgent")
    sign_in(client, "frontdesk")
    lists = client.get("/worklists", headers=HTML).text
    assert "/worklists/front_desk" in lists and "/worklists/referrals" not in lists
    page = client.get("/worklists/front_desk", headers=HTML)
    assert page.status_code == 200 and "records request" in page.text
    assert client.get("/worklists/referrals", headers=HTML).status_code == 404
    link = next(line for line in page.text.splitlines() if "/worklists/front_desk/" in line)
    filing_url = link.split('href="')[1].split('"')[0]
    detail = client.get(filing_url, headers=HTML).text
    assert "Please send the records" in detail and "chest pain" not in detail  # the reason field is clinical
    token = detail.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(filing_url + "/done", data={"csrf_token": token, "note": "sent by mail"}, follow_redirects=False)
    assert r.status_code == 303
    assert "records request" not in client.get("/worklists/front_desk", headers=HTML).text
    assert "done by frontdesk" in client.get("/worklists/front_desk?all=1", headers=HTML).text
    client.cookies.clear()
    sign_in(client, "biller")
    billing = client.get("/worklists/billing", headers=HTML).text
    assert "payer correspondence" in billing and "EOB: claim C-9" in billing  # billers read payer letters


def _scored_day(runtime):
    """Two of tomorrow's appointments, scored: supportive actions applied automatically, an overbooking
    proposal routed to a practice manager (the no-show agent's own gate node)."""
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        intake_store.register_patients(conn, org_id=unit.org_id, patients=[
            Patient(id="P1", given_name="Ann", family_name="Lee", birth_date=date(1980, 1, 2), sex="F",
                    phone="555-0101", language="es", has_transport=False),
            Patient(id="P2", given_name="Bo", family_name="Ng", birth_date=date(1970, 5, 5), sex="M", phone="555-0102")])
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=[
            Appointment(id="A1", patient_id="P1", scheduled_at=datetime(2026, 11, 1, 9), appointment_day=DAY),
            Appointment(id="A2", patient_id="P2", scheduled_at=datetime(2026, 11, 2, 9), appointment_day=DAY)])
    ctx = type("R", (), {"context": noshow.NoShowContext(runtime=runtime)})()
    scores = [{"appointment_id": "A1", "patient_id": "P1", "appointment_day": DAY, "probability": 0.97,
               "model_version": "m1", "features": {"lead_days": 22}},
              {"appointment_id": "A2", "patient_id": "P2", "appointment_day": DAY, "probability": 0.95,
               "model_version": "m1", "features": {"lead_days": 21}}]
    state = noshow.NoShowState.model_validate({"unit_id": str(unit.id), "day": DAY.isoformat(), "scores": scores})
    state = state.model_copy(update=noshow.propose_actions(state, ctx))
    routed = noshow.route_through_gate(state, ctx)["routed"]
    return unit, routed


def test_outreach_list_and_its_exports(client, runtime):
    unit, routed = _scored_day(runtime)
    assert {r.queue for r in routed if r.decision == "review"} >= {"management"}  # overbooking: a manager
    sign_in(client, "frontdesk")
    page = client.get(f"/outreach?day={DAY.isoformat()}", headers=HTML)
    assert page.status_code == 200
    assert "Ann Lee" in page.text and "555-0101" in page.text and "Offer help with transport" in page.text
    assert "overbook" not in page.text.lower()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/outreach.csv?day={DAY.isoformat()}").text)))
    assert {(r["appointment_id"], r["action"]) for r in rows} >= {("A1", "offer_transport"), ("A1", "extra_reminder")}
    assert all(r["done"] == "no" for r in rows)
    fhir = client.get(f"/outreach.fhir?day={DAY.isoformat()}")
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(fhir.json())  # valid FHIR (R4B models)
    requests = [e.resource for e in bundle.entry]
    assert len(requests) == len(rows) and {r.__resource_type__ for r in requests} == {"CommunicationRequest"}
    assert all(r.status == "active" and r.subject.identifier.value in {"P1", "P2"} for r in requests)
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    action_id = page.text.split('action="/outreach/')[1].split("/done")[0]
    r = client.post(f"/outreach/{action_id}/done", data={"csrf_token": token, "day": DAY.isoformat()},
                    follow_redirects=False)
    assert r.status_code == 303
    assert sum(r["done"] == "yes" for r in csv.DictReader(io.StringIO(
        client.get(f"/outreach.csv?day={DAY.isoformat()}").text))) == 1
    client.cookies.clear()
    sign_in(client, "nurse")
    assert client.get(f"/outreach?day={DAY.isoformat()}", headers=HTML).status_code == 403
