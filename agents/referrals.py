"""Referral cases: an accepted referral opens a case with an owner, a due date and a status, followed
until the report goes back to the sender. Every change is an event in the hash-chained log.

- Opening (after intake files a referral): completeness is checked; what is missing is named and a
  request to the sender is drafted from prompts/letter_info_request.txt (stored, exportable).
- Later documents about the same patient (records, authorizations, the consult note) are matched to
  the patient's open cases by similarity of their embeddings (pgvector). Attaching one is a
  suggestion through the gate: above the unit policy's confidence for `referrals:attach` it is
  applied at once, below it a person confirms it in the review queue (the decision handler applies
  it). An attached document moves the case on (records complete it; a consult note after the visit
  marks it seen).
- People move cases along the allowed path, change owner and due date, and send the report back
  (a cover letter from prompts/letter_report_cover.txt).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import psycopg

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.governance import Suggestion
from models.referrals import ALLOWED_MOVES, CLOSED, DUE_DAYS, CaseStatus
from store import intake as intake_store
from store import letters as letters_store
from store import org as org_store
from store import referrals as referrals_store

log = logging.getLogger(__name__)
AGENT = "referrals"
ATTACH_LABEL = "attach"
MODEL_VERSION = "referral-attach-1"
# Documents that can belong to an open referral (a new referral opens its own case).
RECORD_TYPES = frozenset({"clinical_note", "lab_result", "imaging_report"})
AUTH_TYPES = frozenset({"prior_auth", "payer_correspondence"})
ATTACHABLE = RECORD_TYPES | AUTH_TYPES
# What a referral must carry before it can be scheduled, in words the sender reads.
MISSING_TEXT = {
    "diagnosis": "the diagnosis (an ICD-10 code, or the reason for the referral)",
    "insurance": "the patient's insurance plan and member ID",
    "notes": "recent clinical notes supporting the referral",
    "referring_provider": "the referring provider's name and NPI",
    "service": "the service or specialty requested",
}


class CaseError(ValueError):
    """A move or change the case does not allow (the message names the field and what is allowed).
    `conflict` is True when the refusal depends on the case's current state (HTTP 409)."""

    def __init__(self, message: str, *, conflict: bool = True):
        super().__init__(message)
        self.conflict = conflict


def _state(conn: psycopg.Connection, case_id: UUID) -> dict:
    events = referrals_store.case_events(conn, case_id=case_id)
    if not events:
        raise CaseError(f"no referral case {case_id}")
    return events[-1]


def _event(conn: psycopg.Connection, case_id: UUID, *, event: str, status: str | None = None, actor: str,
           owner: Any = ..., due: Any = ..., detail: dict[str, Any] | None = None) -> int:
    last = _state(conn, case_id)
    return referrals_store.insert_case_event(
        conn, case_id=case_id, event=event, status_after=status or last["status_after"],
        owner_after=last["owner_after"] if owner is ... else owner, due_after=last["due_after"] if due is ... else due,
        actor=actor, detail=detail)


def missing_information(value: dict[str, Any], text: str) -> list[str]:
    """What the referral lacks, from its extracted fields and text (intake checks only what it
    classified as a referral; a reviewer may have corrected the type since): a diagnosis, the
    insurance, supporting notes, the sender and the service asked for."""
    fields = value.get("fields") or {}
    missing = list(value.get("missing") or [])
    if not (fields.get("icd10") or fields.get("reason")):
        missing.append("diagnosis")
    if not fields.get("member_id"):
        missing.append("insurance")
    if len(text.split()) < 40:
        missing.append("notes")
    if not (fields.get("referring_provider") or fields.get("npi")):
        missing.append("referring_provider")
    if not (fields.get("specialty") or fields.get("requested_service") or fields.get("reason")):
        missing.append("service")
    return list(dict.fromkeys(m for m in missing if m in MISSING_TEXT))


def _patient_line(conn: psycopg.Connection, patient_id: UUID | None, fields: dict[str, Any]) -> tuple[str, str]:
    if patient_id is not None:
        p = intake_store.get_patient(conn, patient_id=patient_id)
        if p is not None:
            return f"{p['given_name']} {p['family_name']}", p["birth_date"].isoformat()
    return fields.get("patient_name") or "the patient", fields.get("dob") or "not stated"


def open_case(conn: psycopg.Connection, *, unit_id: UUID, part_id: UUID, patient_id: UUID | None,
              value: dict[str, Any], text: str, filed_by: str, now: datetime | None = None) -> UUID | None:
    """Open the case of an accepted referral (once per document), check it is complete and, when it
    is not, draft the request for what is missing. Returns the case id (None if it existed)."""
    from tools.letters import draft_letter

    fields = value.get("fields") or {}
    urgency = value.get("urgency") if value.get("urgency") in DUE_DAYS else "routine"
    service = fields.get("specialty") or fields.get("requested_service") or fields.get("reason")
    sender = {k: v for k, v in {"name": fields.get("referring_provider"), "npi": fields.get("npi"),
                                "phone": fields.get("phone")}.items() if v}
    case_id = referrals_store.insert_case(conn, unit_id=unit_id, part_id=part_id, patient_id=patient_id,
                                          service=service, sender=sender, urgency=urgency, opened_by=filed_by)
    if case_id is None:
        return None
    today = (now or datetime.now(timezone.utc)).date()
    owner = filed_by if filed_by not in ("auto", "gate") else None
    referrals_store.insert_case_event(conn, case_id=case_id, event="opened", status_after=CaseStatus.received,
                                      owner_after=owner, due_after=today + timedelta(days=DUE_DAYS[urgency]),
                                      actor=filed_by, detail={"part_id": str(part_id)})
    missing = missing_information(value, text)
    if not missing:
        _event(conn, case_id, event="completeness_checked", status=CaseStatus.complete, actor="referrals-agent",
               detail={"missing": []})
        return case_id
    unit = org_store.get_unit(conn, unit_id=unit_id)
    name, dob = _patient_line(conn, patient_id, fields)
    draft = draft_letter("info_request", today=today.isoformat(), recipient=sender.get("name") or "Referring provider",
                         patient_name=name, patient_dob=dob, case_ref=str(case_id)[:8], unit_name=unit.name,
                         service=service or "the requested service",
                         missing_list="\n".join(f"  - {MISSING_TEXT[m]}" for m in missing))
    letter = letters_store.insert_letter(conn, unit_id=unit_id, kind="info_request", subject=f"referral_case:{case_id}",
                                         recipient=sender.get("name"), template=draft.template,
                                         template_sha256=draft.template_sha256, body=draft.body,
                                         created_by="referrals-agent")
    _event(conn, case_id, event="information_requested", status=CaseStatus.information_missing, actor="referrals-agent",
           detail={"missing": missing, "letter_id": str(letter["id"])})
    return case_id


def move_for(doc_type: str, status: str) -> str:
    """The status an attached document moves a case to (unchanged when it says nothing new)."""
    if doc_type in RECORD_TYPES and status in (CaseStatus.received, CaseStatus.information_missing):
        return CaseStatus.complete
    if doc_type == "clinical_note" and status == CaseStatus.scheduled:
        return CaseStatus.seen  # the consult note after the visit
    return status


def propose_attach(conn: psycopg.Connection, *, unit_id: UUID, part_id: UUID, patient_id: UUID, doc_type: str,
                   patient_group: dict[str, str], filed_by: str) -> dict | None:
    """Offer a filed document to the patient's most similar open case, through the gate."""
    candidates = referrals_store.open_cases_for_part(conn, unit_id=unit_id, patient_id=patient_id, part_id=part_id)
    if not candidates:
        return None
    best = candidates[0]
    similarity = min(max(float(best["similarity"]), 0.0), 1.0)
    suggestion = Suggestion(
        agent=AGENT, kind="case_attach", unit_id=unit_id, subject=f"referral_case:{best['id']}:attach:{part_id}",
        label=ATTACH_LABEL, confidence=round(similarity, 6),
        value={"case_id": str(best["id"]), "part_id": str(part_id), "doc_type": doc_type,
               "similarity": round(similarity, 4), "from_status": best["status"],
               "move_to": move_for(doc_type, best["status"]),
               "other_cases": [{"case_id": str(c["id"]), "similarity": round(float(c["similarity"]), 4)}
                               for c in candidates[1:5]]},
        model_version=MODEL_VERSION, input_hash=str(part_id), patient_group=patient_group, contains_phi=True)
    routed = route_suggestion(conn, suggestion)
    if routed.route.decision.value == "auto":
        attach(conn, case_id=best["id"], part_id=part_id, doc_type=doc_type, actor="auto",
               detail={"suggestion_id": str(suggestion.id), "similarity": round(similarity, 4)})
    return {"case_id": str(best["id"]), "decision": routed.route.decision.value, "similarity": similarity}


def attach(conn: psycopg.Connection, *, case_id: UUID, part_id: UUID, doc_type: str, actor: str,
           detail: dict[str, Any] | None = None) -> str:
    """Attach a document to a case and move it on; attaching the same document twice is a no-op."""
    events = referrals_store.case_events(conn, case_id=case_id)
    if any(e["event"] == "document_attached" and e["detail"].get("part_id") == str(part_id) for e in events):
        return events[-1]["status_after"]
    status = events[-1]["status_after"]
    if status in CLOSED:
        raise CaseError(f"case {case_id} is {status}; a document cannot be attached")
    new = move_for(doc_type, status)
    extra = {"authorization_received": True} if doc_type in AUTH_TYPES else {}
    _event(conn, case_id, event="document_attached", status=new, actor=actor,
           detail={"part_id": str(part_id), "doc_type": doc_type, **extra, **(detail or {})})
    return new


def after_filing(conn: psycopg.Connection, *, unit_id: UUID, part_id: UUID, value: dict[str, Any], text: str,
                 filed_by: str, patient_id: str | None, patient_group: dict[str, str]) -> None:
    """Called by intake when a document is filed: a referral opens a case; a record, authorization or
    consult note about a patient with an open case is offered to it."""
    if value.get("rejected"):
        return
    doc_type = value.get("doc_type")
    pid = UUID(patient_id) if patient_id else None
    if doc_type == "referral":
        open_case(conn, unit_id=unit_id, part_id=part_id, patient_id=pid, value=value, text=text, filed_by=filed_by)
    elif doc_type in ATTACHABLE and pid is not None:
        propose_attach(conn, unit_id=unit_id, part_id=part_id, patient_id=pid, doc_type=doc_type,
                       patient_group=patient_group, filed_by=filed_by)


def apply_decision(rt: Runtime, decision_id: UUID) -> None:
    """A person decided an attach: accept attaches to the proposed case, override with
    {"case_id": ...} attaches to that one, reject leaves every case as it was."""
    with rt.pool.connection() as conn, conn.transaction():
        d = intake_store.get_decision(conn, decision_id=decision_id)
        if d is None or d["agent"] != AGENT or not d["final"] or d["action"] == "reject":
            return
        value = d["suggested_value"]
        case_id = UUID((d["new_value"] or {}).get("case_id") or value["case_id"])
        try:
            attach(conn, case_id=case_id, part_id=UUID(value["part_id"]), doc_type=value["doc_type"],
                   actor=d["decided_by"], detail={"decision_id": str(decision_id)})
        except CaseError as exc:
            log.info("referral attach not applied: %s", exc.__class__.__name__)


def move_case(conn: psycopg.Connection, *, case_id: UUID, to: CaseStatus, actor: str, note: str | None = None) -> int:
    """A person moves a case along its path (ALLOWED_MOVES); anything else is refused."""
    status = CaseStatus(_state(conn, case_id)["status_after"])
    to = CaseStatus(to)
    if to not in ALLOWED_MOVES[status]:
        allowed = ", ".join(sorted(ALLOWED_MOVES[status])) or "none (the case is closed)"
        raise CaseError(f"status: a case that is {status.value} can move to {allowed}, not {to.value}")
    if to == CaseStatus.report_sent_back:
        raise CaseError("status: use send-report, which drafts the cover letter to the sender", conflict=False)
    return _event(conn, case_id, event="status_changed", status=to, actor=actor, detail={"from": status.value, "note": bool(note)})


def update_case(conn: psycopg.Connection, *, case_id: UUID, actor: str, owner: str | None = None,
                due: date | None = None) -> int:
    """Change a case's owner or due date (an event in the chain); a closed case is refused."""
    status = _state(conn, case_id)["status_after"]
    if status in CLOSED:
        raise CaseError(f"case is {status}; it cannot be changed")
    changes: dict[str, Any] = {}
    if owner is not None:
        changes["owner"] = owner
    if due is not None:
        changes["due"] = due
    if not changes:
        raise CaseError("owner or due: nothing to change", conflict=False)
    return _event(conn, case_id, event="updated", actor=actor, owner=changes.get("owner", ...), due=changes.get("due", ...),
                  detail={"changed": sorted(changes)})


def send_report(conn: psycopg.Connection, *, case_id: UUID, actor: str, seen_on: date | None = None) -> dict:
    """Draft the cover letter of the consult report to the sender and close the case as sent back."""
    from tools.letters import draft_letter

    events = referrals_store.case_events(conn, case_id=case_id)
    if not events:
        raise CaseError(f"no referral case {case_id}")
    if events[-1]["status_after"] != CaseStatus.seen:
        raise CaseError(f"status: the report goes back once the patient was seen; the case is {events[-1]['status_after']}")
    case = conn_case(conn, case_id)
    seen = seen_on or next((e["at"].date() for e in reversed(events) if e["status_after"] == CaseStatus.seen), date.today())
    name, dob = _patient_line(conn, case["patient_id"], {})
    unit = org_store.get_unit(conn, unit_id=case["unit_id"])
    draft = draft_letter("report_cover", today=date.today().isoformat(),
                         recipient=case["sender"].get("name") or "Referring provider", patient_name=name, patient_dob=dob,
                         case_ref=str(case_id)[:8], unit_name=unit.name, service=case["service"] or "a consultation",
                         seen_on=seen.isoformat())
    letter = letters_store.insert_letter(conn, unit_id=case["unit_id"], kind="report_cover", subject=f"referral_case:{case_id}",
                                         recipient=case["sender"].get("name"), template=draft.template,
                                         template_sha256=draft.template_sha256, body=draft.body, created_by=actor)
    _event(conn, case_id, event="report_sent", status=CaseStatus.report_sent_back, actor=actor,
           detail={"letter_id": str(letter["id"])})
    return letter


def conn_case(conn: psycopg.Connection, case_id: UUID) -> dict:
    """The case as opened (unit, patient, service, sender), whatever unit the caller may see."""
    units = [u.id for u in org_store.list_units(conn)]
    row = referrals_store.get_case(conn, case_id=case_id, unit_ids=units)
    if row is None:
        raise CaseError(f"no referral case {case_id}")
    return row


