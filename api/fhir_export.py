"""Build the compliance export as a FHIR Bundle with fhir.resources (R4B, FHIR 4.3.0: Provenance,
Task and AuditEvent are unchanged from R4). Every resource is constructed through its model, so an
invalid one fails here rather than in a reader's system."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.task import Task

CONFIDENCE_EXT = "urn:handoff:fhir:StructureDefinition:confidence"
ROUTE_EXT = "urn:handoff:fhir:StructureDefinition:route"
PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
RESTFUL = "http://hl7.org/fhir/restful-interaction"
OBSERVER = {"display": "Handoff"}


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _output_provenance(o: dict[str, Any], task_id: str | None) -> Provenance:
    target = {"reference": f"Task/{task_id}"} if task_id else {
        "identifier": {"system": "urn:handoff:subject", "value": o["subject"]}}
    return Provenance(
        id=str(o["id"]),
        target=[target],
        recorded=_iso(o["created_at"]),
        activity={"text": f"{o['agent']} {o['kind']}: {o['label'] or '-'}"},
        agent=[{
            "type": {"coding": [{"system": PARTICIPANT, "code": "author"}]},
            "who": {"display": f"Handoff {o['agent']} agent, model {o['model_version']}"},
        }],
        reason=[{"text": r} for r in o["reasons"]],
        extension=[
            {"url": CONFIDENCE_EXT, "valueDecimal": round(float(o["confidence"]), 6)},
            {"url": ROUTE_EXT, "valueString": f"{o['route']} to {o['queue']} (policy v{o['policy_version']})"},
        ],
    )


def _event_provenance(e: dict[str, Any]) -> Provenance:
    return Provenance(
        id=f"review-event-{e['seq']}",
        target=[{"reference": f"Task/{e['review_item_id']}"}],
        recorded=_iso(e["at"]),
        activity={"text": f"{e['event']} -> {e['status_after']}"},
        agent=[{"who": {"display": e["actor"]}}],
    )


def _task(i: dict[str, Any], history: list[str]) -> Task:
    return Task(
        id=str(i["id"]),
        status=i["status"],
        intent="order",
        code={"text": "Review an AI suggestion"},
        focus={"reference": f"Provenance/{i['suggestion_id']}"},
        businessStatus={"text": f"{i['unit_code']} / {i['queue']}"},
        authoredOn=_iso(i["created_at"]),
        lastModified=_iso(i["updated_at"]),
        relevantHistory=[{"reference": f"Provenance/{h}"} for h in history] or None,
    )


def _audit_event(*, id_: str, at: datetime, actor: str, action: str, subtype: str, entity: str, purpose: str) -> AuditEvent:
    return AuditEvent(
        id=id_,
        type={"system": AUDIT_TYPE, "code": "rest", "display": "Restful Operation"},
        subtype=[{"system": RESTFUL, "code": subtype}],
        action=action,
        recorded=_iso(at),
        outcome="0",
        agent=[{"who": {"display": actor}, "requestor": True}],
        source={"observer": OBSERVER},
        entity=[{"what": {"identifier": {"system": "urn:handoff:subject", "value": entity}}, "description": purpose}],
    )


def build_bundle(*, outputs: list[dict], items: list[dict], events: list[dict], decisions: list[dict],
                 reads: list[dict], now: datetime) -> dict:
    task_by_suggestion = {str(i["suggestion_id"]): str(i["id"]) for i in items}
    history: dict[str, list[str]] = defaultdict(list)
    resources: list[Any] = []
    for o in outputs:
        resources.append(_output_provenance(o, task_by_suggestion.get(str(o["id"]))))
    for e in events:
        p = _event_provenance(e)
        history[str(e["review_item_id"])].append(p.id)
        resources.append(p)
    for i in items:
        resources.append(_task(i, history[str(i["id"])]))
    for d in decisions:
        resources.append(_audit_event(id_=f"decision-{d['id']}", at=d["decided_at"], actor=d["decided_by"], action="U",
                                      subtype="update", entity=f"review_item:{d['review_item_id']}",
                                      purpose=f"{d['action']} ({d['reason_code']}), round {d['round']}"))
    for r in reads:
        resources.append(_audit_event(id_=f"phi-read-{r['id']}", at=r["at"], actor=r["actor"], action="R",
                                      subtype="read", entity=r["subject"], purpose=r["purpose"]))
    bundle = Bundle(
        type="collection",
        timestamp=_iso(now),
        entry=[{"fullUrl": f"urn:handoff:{res.get_resource_type()}:{res.id}", "resource": res} for res in resources],
    )
    return bundle.model_dump(mode="json", exclude_none=True)
