"""KPIs from the records, by unit and period: a referral carried to "report sent back" counts as
completed with its days; eligibility exceptions per 100 appointments count what could not be
asked and answers that are not active coverage on the day; ageing buckets count open items."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from api.services.kpis import DEFINITIONS, kpis
from models.claims import PayerRules
from models.patients import Patient
from models.revenue import EligibilityReject, EligibilityResponse, PayerProfile
from models.scheduling import Appointment
from store import coverage as coverage_store
from store import intake as intake_store
from store import org as org_store
from store import scheduling as scheduling_store


def test_kpis_count_what_their_definitions_say(runtime, demo_org):
    from agents.coverage import eligibility_requests, record_eligibility
    from agents.referrals import attach, move_case, open_case, send_report
    from api.services.intake import accept

    day = date.today()
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="cardiology")
        manager = org_store.get_user_by_username(conn, username="manager")[0]
        # Two referrals: one carried to the end, one still waiting for information.
        item = accept(conn, runtime, user=None, actor="t", unit_code="cardiology", channel="message",
                      data=b'{"text": "two referral parts for the KPI test"}')
        parts = [intake_store.insert_part(conn, item_id=item.item_id, part_no=n, text="r", page_start=None, page_end=None,
                                          ocr_confidence=None, degraded=False, degraded_reason=None) for n in (1, 2)]
        complete = {"doc_type": "referral", "urgency": "routine",
                    "fields": {"referring_provider": "Dr. A", "reason": "palpitations", "member_id": "W1", "icd10": "R00.2"}}
        done = open_case(conn, unit_id=unit.id, part_id=parts[0], patient_id=None, value=complete, text="x " * 50, filed_by="referrals")
        open_case(conn, unit_id=unit.id, part_id=parts[1], patient_id=None, value={"doc_type": "referral", "fields": {}},
                  text="short", filed_by="referrals")
        move_case(conn, case_id=done, to="scheduled", actor="frontdesk")
        attach(conn, case_id=done, part_id=parts[1], doc_type="clinical_note", actor="referrals")
        send_report(conn, case_id=done, actor="referrals")
        # Four appointments: asked and active, asked and rejected, not askable (no member id), never asked.
        intake_store.register_patients(conn, org_id=unit.org_id, patients=[
            Patient(id=f"K{n}", given_name="P", family_name=f"K{n}", birth_date=date(1970, 1, n), sex="F", payer="commercial",
                    member_id=None if n == 3 else f"WK{n}") for n in (1, 2, 3)])
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=[
            Appointment(id=f"V{n}", patient_id=f"K{n}", scheduled_at=datetime(2026, 1, 1, 9), appointment_day=day) for n in (1, 2, 3)])
        coverage_store.set_payer_profile(conn, org_id=unit.org_id, changed_by="t", profile=PayerProfile(
            payer_id="COM01", category="commercial", rules=PayerRules(payer_id="COM01")))
        batch = eligibility_requests(conn, unit_code="cardiology", day=day, actor="frontdesk")
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=[
            Appointment(id="V4", patient_id="K1", scheduled_at=datetime(2026, 1, 1, 9), appointment_day=day)])
        from tools.claims.x12_eligibility import parse_270

        traces = {i.member_id: i.trace_number for i in parse_270(batch.text)[0]}
        record_eligibility(conn, unit=unit, responses=[
            EligibilityResponse(trace_number=traces["WK1"], payer_id="COM01", member_id="WK1", status="active",
                                coverage_start=date(2020, 1, 1)),
            EligibilityResponse(trace_number=traces["WK2"], status="rejected",
                                rejects=[EligibilityReject(loop="subscriber", valid_request=True, reason_code="72")])])
        report = kpis(conn, user=manager, since=datetime.now(timezone.utc) - timedelta(days=1), unit_code="cardiology")
    (u,) = report.units
    assert (u.referrals_opened, u.referrals_completed, u.referral_completion_rate) == (2, 1, 0.5)
    assert u.median_days_to_completion is not None and 0 <= u.median_days_to_completion < 1
    # V2 rejected, V3 not askable; V1 active; V4 never asked (not an exception): 2 per 4 appointments.
    assert (u.appointments, u.appointments_checked, u.eligibility_exceptions) == (4, 3, 2)
    assert u.eligibility_exceptions_per_100 == 50.0
    cases_row = next(a for a in u.ageing if a["queue"] == "referral cases")
    assert cases_row["under_1_day"] == 1  # the open case
    assert u.claims_answered == 0 and u.denial_rate is None
    assert set(DEFINITIONS) <= set(report.definitions)
    with runtime.pool.connection() as conn:
        # A manager of other units sees nothing of cardiology's; an unknown unit is an empty report.
        frontdesk = org_store.get_user_by_username(conn, username="frontdesk")[0]
        assert kpis(conn, user=frontdesk, since=None).units == []
