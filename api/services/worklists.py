"""Every output reaches its person: what intake filed into each queue (a work list people mark done),
the claims and their status (ready to submit, waiting, held with a reason, corrected), and the outreach
list of supportive no-show actions with its exports (CSV, FHIR R4 CommunicationRequest). Reads of PHI
are logged; what a role sees follows the unit's field policy."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

import psycopg
from pydantic import BaseModel

from api.access import project_item, roles_for_queue
from api.errors import NotFound
from api.services.review import field_access_of
from models.org import Role, User
from store import audit
from store import claims as claims_store
from store import work as work_store

SUPPORTIVE_ACTIONS = ["extra_reminder", "offer_transport", "offer_telehealth"]
OUTREACH_ROLES = frozenset({Role.front_desk, Role.practice_manager})
CLAIM_ROLES = frozenset({Role.biller, Role.practice_manager})
ACTION_TEXT = {
    "extra_reminder": "Call or text an extra reminder before the visit",
    "offer_transport": "Offer help with transport to the visit",
    "offer_telehealth": "Offer to hold the visit by telehealth",
}


class FiledItem(BaseModel):
    id: UUID
    unit_code: str
    queue: str
    channel: str
    filed_by: str
    filed_at: datetime
    doc_type: str | None = None
    urgency: str | None = None
    value: dict[str, Any]
    withheld: list[str] = []
    pages: list[int] | None = None
    mark: str | None = None
    marked_by: str | None = None
    marked_at: datetime | None = None
    source_text: str | None = None


def _units(user: User, roles: frozenset[Role]) -> list[UUID]:
    return sorted({r.unit_id for r in user.roles if r.role in roles}, key=str)


def filed_queues(conn: psycopg.Connection, *, user: User) -> list[dict]:
    """Filed items by unit and queue (those the user works), with how many are still open."""
    rows = work_store.filed_queue_counts(conn, unit_ids=_units(user, frozenset(Role)))
    return [r for r in rows if any(ur.unit_code == r["unit_code"] and ur.role in roles_for_queue(r["queue"])
                                   for ur in user.roles)]


def _project(conn: psycopg.Connection, user: User, row: dict, text: str | None = None) -> FiledItem:
    roles = user.roles_in(row["unit_id"])
    view = project_item({"agent": "intake", "value": row["value"], "evidence": None, "source_text": text,
                         "amount": None, "claim": None}, roles, field_access_of(conn, row["unit_id"]))
    value = view["value"]
    return FiledItem(id=row["id"], unit_code=row["unit_code"], queue=row["queue"], channel=row["channel"],
                     filed_by=row["filed_by"], filed_at=row["filed_at"], doc_type=value.get("doc_type"),
                     urgency=value.get("urgency"), value=value, withheld=view["withheld"],
                     pages=[row["page_start"], row["page_end"]] if row.get("page_start") else None,
                     mark=row.get("mark"), marked_by=row.get("marked_by"), marked_at=row.get("marked_at"),
                     source_text=view["source_text"])


def filed_list(conn: psycopg.Connection, *, user: User, queue: str, open_only: bool = True) -> list[FiledItem]:
    units = _units(user, roles_for_queue(queue))
    if not units:
        raise NotFound(f"no work list {queue!r} for your roles", field="queue")
    rows = work_store.filed_items(conn, unit_ids=units, queue=queue, open_only=open_only)
    audit.record_phi_read(conn, actor=user.username, subject=f"worklist:{queue}", purpose="work_list",
                          fields=[f"{len(rows)} filed items"])
    return [_project(conn, user, r) for r in rows]


def _visible_filing(conn: psycopg.Connection, user: User, filing_id: UUID) -> dict:
    row = work_store.get_filing(conn, filing_id=filing_id)
    if row is None or not user.roles_in(row["unit_id"]) & roles_for_queue(row["queue"]):
        raise NotFound("no such filed item", field="filing_id")
    return row


def filed_item(conn: psycopg.Connection, *, user: User, filing_id: UUID) -> FiledItem:
    row = _visible_filing(conn, user, filing_id)
    audit.record_phi_read(conn, actor=user.username, subject=f"inbound_part:{row['part_id']}", purpose="work_list",
                          unit_id=row["unit_id"], fields=["value", "text"])
    return _project(conn, user, row, text=row["text"])


def mark_filed(conn: psycopg.Connection, *, user: User, filing_id: UUID, done: bool, note: str | None = None) -> str:
    row = _visible_filing(conn, user, filing_id)
    work_store.mark(conn, unit_id=row["unit_id"], subject=f"filing:{filing_id}", status="done" if done else "reopened",
                    actor=user.username, note=note)
    return row["queue"]


# --- claims --------------------------------------------------------------------------------------------


def claims_list(conn: psycopg.Connection, *, user: User, status: str | None = None) -> list[dict]:
    """Each claim's latest version and status for the units where the user bills or manages."""
    units = _units(user, CLAIM_ROLES)
    if not units:
        return []
    return claims_store.claim_worklist(conn, unit_ids=units, status=status)


# --- outreach ------------------------------------------------------------------------------------------


def outreach(conn: psycopg.Connection, *, user: User, day: date) -> list[dict]:
    """Supportive actions for a day's appointments: who to contact, how, and whether it is done."""
    units = _units(user, OUTREACH_ROLES)
    if not units:
        return []
    rows = work_store.outreach_for_day(conn, unit_ids=units, day=day, actions=SUPPORTIVE_ACTIONS)
    audit.record_phi_read(conn, actor=user.username, subject=f"outreach:{day.isoformat()}", purpose="outreach",
                          fields=[f"{len(rows)} actions"])
    for r in rows:
        r["what"] = ACTION_TEXT.get(r["action"], r["action"])
        r["name"] = " ".join(x for x in (r["given_name"], r["family_name"]) if x) or None
    return rows


def mark_action(conn: psycopg.Connection, *, user: User, action_id: UUID, done: bool) -> None:
    row = work_store.get_action(conn, action_id=action_id)
    if row is None or not user.roles_in(row["unit_id"]) & OUTREACH_ROLES:
        raise NotFound("no such outreach action", field="action_id")
    work_store.mark(conn, unit_id=row["unit_id"], subject=f"action:{action_id}", status="done" if done else "reopened",
                    actor=user.username)


CSV_COLUMNS = ["unit", "appointment_day", "appointment_id", "mrn", "name", "phone", "language", "action", "what",
               "no_show_probability", "applied_by", "done"]


def outreach_csv(conn: psycopg.Connection, *, user: User, day: date) -> str:
    rows = outreach(conn, user=user, day=day)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r["unit_code"], r["appointment_day"].isoformat(), r["appointment_id"], r["patient_mrn"],
                         r["name"] or "", r["phone"] or "", r["language"] or "", r["action"], r["what"],
                         "" if r["probability"] is None else f"{r['probability']:.3f}", r["applied_by"],
                         "yes" if r["mark"] == "done" else "no"])
    audit.record_event(conn, actor=user.username, action="outreach.export_csv", detail={"day": day.isoformat(),
                                                                                      "rows": len(rows)})
    return buf.getvalue()


def outreach_fhir(conn: psycopg.Connection, *, user: User, day: date) -> dict:
    """A FHIR R4 (R4B models) Bundle of CommunicationRequest, one per action, for a call-center or
    messaging system; built through fhir.resources so an invalid resource fails here."""
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.communicationrequest import CommunicationRequest

    rows = outreach(conn, user=user, day=day)
    entries = []
    for r in rows:
        patient = {"identifier": {"system": f"urn:handoff:unit:{r['unit_code']}:mrn", "value": r["patient_mrn"]}}
        if r["name"]:
            patient["display"] = r["name"]
        request = CommunicationRequest(
            id=str(r["id"]),
            status="completed" if r["mark"] == "done" else "active",
            category=[{"coding": [{"system": "urn:handoff:outreach", "code": r["action"]}], "text": r["what"]}],
            priority="routine",
            subject=patient,
            recipient=[patient],
            medium=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode",
                                 "code": "PHONE", "display": "telephone"}]}],
            payload=[{"contentString": f"{r['what']} on {r['appointment_day'].isoformat()} (appointment "
                                       f"{r['appointment_id']})."}],
            occurrenceDateTime=r["appointment_day"].isoformat(),
            authoredOn=r["applied_at"].isoformat(),
            identifier=[{"system": "urn:handoff:appointment", "value": r["appointment_id"]}],
        )
        entries.append({"fullUrl": f"urn:uuid:{r['id']}", "resource": request})
    bundle = Bundle(type="collection", timestamp=datetime.now(timezone.utc).isoformat(), entry=entries)
    audit.record_event(conn, actor=user.username, action="outreach.export_fhir", detail={"day": day.isoformat(),
                                                                                       "rows": len(rows)})
    return bundle.model_dump(mode="json", exclude_none=True)
