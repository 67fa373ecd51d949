"""Minimum necessary as data: which parts of an agent's output each role may see, per document kind.

Every key of a suggestion's value, every extracted field nested under `fields`, every piece of
evidence and the item's source text belong to one *part* (identity, document text, clinical
details, amounts, claim findings, ...). A unit's policy grants parts per role and per document kind
(`intake:<doc_type>`, `claims`, `noshow`); `project_view` keeps only what the reader's roles were
granted, walking nested values too. Anything not classified counts as clinical, so a new field is
hidden from non-clinical roles until someone decides otherwise.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.org import CLINICAL_ROLES, Role


class Part(StrEnum):
    routing = "routing"  # labels, urgency, flags, reasons, page numbers: always shown to who works the item
    identity = "identity"  # who the patient is: name, date of birth, MRN, member ID
    # How to reach the patient (phone, e-mail, address): for who reaches patients, not billers, who
    # work from the account.
    contact = "contact"
    administrative = "administrative"  # senders, NPIs, dates, specialty, authorization numbers, payer
    document_text = "document_text"  # the document's text, its summary, quoted evidence, page images
    clinical = "clinical"  # clinical categories, clinical evidence, diagnoses and reasons, unknown fields
    amounts = "amounts"  # money: charges, totals, amounts at stake
    claim = "claim"  # the claim itself (codes, lines, modifiers), for correcting it
    claim_findings = "claim_findings"  # claim findings: CARC/RARC, evidence, the fix; denial risk
    scheduling = "scheduling"  # appointment, no-show probability, proposed actions, model features


P = Part
# Intake document types whose text is clinical whatever else they hold.
CLINICAL_DOC_TYPES = frozenset({"referral", "prior_auth", "lab_result", "imaging_report", "clinical_note",
                                "rx_refill", "clinical_question"})

# --- classification of what an output holds -------------------------------------------------------

# Top-level keys of a suggestion's value, per agent; GENERIC_VALUE_PARTS applies to every agent.
VALUE_PARTS: dict[str, dict[str, Part]] = {
    "intake": {
        "doc_type": P.routing, "urgency": P.routing, "classifier_urgency": P.routing, "missing": P.routing,
        "patient_match": P.routing, "duplicates": P.routing, "pages": P.routing, "rejected": P.routing,
        "patient_mrn": P.identity, "summary": P.document_text, "categories": P.clinical,
    },
    "claims": {
        "claim_id": P.identity, "payer_id": P.administrative, "total_charge": P.amounts,
        "findings": P.claim_findings, "rules_not_run": P.claim_findings, "denial_risk": P.claim_findings,
        "note": P.claim_findings, "fixes": P.claim_findings, "claim_row_id": P.routing, "claim_version": P.routing,
    },
    "noshow": {
        "appointment_id": P.scheduling, "day": P.scheduling, "probability": P.scheduling, "actions": P.scheduling,
        "action": P.scheduling,
    },
}
GENERIC_VALUE_PARTS: dict[str, Part] = {
    "doc_type": P.routing, "urgency": P.routing, "label": P.routing,
    "amount": P.amounts, "charges": P.amounts, "total_charge": P.amounts, "charge": P.amounts, "fee": P.amounts,
    "lines": P.amounts,
    "summary": P.document_text, "text": P.document_text, "source_text": P.document_text,
    "reason": P.clinical, "notes": P.clinical, "clinical_findings": P.clinical, "sensitivity": P.clinical,
    "categories": P.clinical,
}
# Extracted fields (intake's value.fields and evidence spans named after them).
FIELD_PARTS: dict[str, Part] = {
    "patient_name": P.identity, "dob": P.identity, "mrn": P.identity, "member_id": P.identity,
    "phone": P.contact, "email": P.contact, "address": P.contact,
    "referring_provider": P.administrative, "npi": P.administrative, "specialty": P.administrative,
    "auth_number": P.administrative, "date": P.administrative,
    "icd10": P.clinical, "reason": P.clinical, "requested_service": P.clinical,
}
# Parts of the item view outside the value.
VIEW_PARTS: dict[str, Part] = {"source_text": P.document_text, "amount": P.amounts, "claim": P.claim}


def known_value_part(agent: str, key: str) -> Part | None:
    """The part a value key of an agent's output belongs to, or None when it is not classified."""
    return VALUE_PARTS.get(agent, {}).get(key) or GENERIC_VALUE_PARTS.get(key) or FIELD_PARTS.get(key)


def value_part(agent: str, key: str) -> Part:
    """The part a value key of an agent's output belongs to (clinical when unknown)."""
    return known_value_part(agent, key) or P.clinical


def field_part(name: str) -> Part:
    """The part an extracted field belongs to (clinical when unknown)."""
    return FIELD_PARTS.get(name, P.clinical)


def evidence_part(evidence: dict[str, Any]) -> Part:
    """The part one piece of evidence belongs to, from its kind and source (never from its text)."""
    kind, source = evidence.get("kind"), str(evidence.get("source") or "")
    if kind == "page":
        return P.routing
    if kind in ("rule", "table_row"):
        return P.claim_findings
    if kind == "feature":
        return P.scheduling
    if source.startswith("clinical:"):
        return P.clinical
    if source in FIELD_PARTS:
        return FIELD_PARTS[source]
    return P.document_text if kind == "span" and source in ("message", "document", "text", "") else P.clinical


def doc_kind(agent: str, value: dict[str, Any] | None) -> str:
    """The document kind grants are keyed by: intake:<doc_type>, claims, noshow, or the agent."""
    if agent == "intake":
        doc_type = (value or {}).get("doc_type")
        return f"intake:{doc_type}" if isinstance(doc_type, str) and doc_type else "intake:other"
    return agent


# --- the policy -------------------------------------------------------------------------------------

_KIND_KEY = re.compile(r"^(\*|claims|noshow|intake:\*|intake:[a-z_]+)$")
_ALL = list(Part)


def _default_grants() -> dict[Role, dict[str, list[Part]]]:
    admin_docs = [P.identity, P.administrative, P.document_text]
    clinical_docs = [P.identity, P.contact, P.administrative, P.document_text, P.clinical]
    return {
        Role.nurse: {"intake:*": clinical_docs, "noshow": [P.identity, P.contact, P.scheduling]},
        Role.referral_coordinator: {"intake:*": clinical_docs},
        # Front desk: who the patient is everywhere; text only of what it schedules and handles.
        Role.front_desk: {
            "intake:*": [P.identity, P.contact, P.administrative],
            "intake:appointment_request": admin_docs + [P.contact], "intake:records_request": admin_docs + [P.contact],
            "intake:forms_request": admin_docs + [P.contact], "intake:other": admin_docs + [P.contact],
            "noshow": [P.identity, P.contact, P.scheduling],
        },
        # Billers: claims with their findings (CARC/RARC, evidence, fix), and payer correspondence text.
        # A patient's billing question often says what was done to them (clinical): billers see who
        # asks and the amounts, not its text; never the patient's contact details.
        Role.biller: {
            "claims": [P.identity, P.administrative, P.amounts, P.claim, P.claim_findings],
            "intake:payer_correspondence": [P.identity, P.administrative, P.document_text, P.amounts],
            "intake:billing_question": [P.identity, P.administrative, P.amounts],
        },
        Role.practice_manager: {"*": list(_ALL)},
    }


class FieldAccess(BaseModel):
    """Per role, per document kind, the parts of an output the role may see. The most specific key
    wins: `intake:lab_result`, then `intake:*`, then `*`; a role or kind not listed sees routing only."""

    model_config = ConfigDict(extra="forbid")

    grants: dict[Role, dict[str, list[Part]]] = Field(default_factory=_default_grants)

    @field_validator("grants")
    @classmethod
    def _clinical_stays_clinical(cls, grants: dict[Role, dict[str, list[Part]]]) -> dict[Role, dict[str, list[Part]]]:
        from models.intake import DOC_TYPES

        for role, kinds in grants.items():
            for key, parts in kinds.items():
                if not _KIND_KEY.match(key) or (key.startswith("intake:") and key != "intake:*"
                                                and key.split(":", 1)[1] not in DOC_TYPES):
                    raise ValueError(f"field_access: {key!r} is not a document kind (use *, claims, noshow, "
                                     "intake:* or intake:<doc_type>)")
                if role in CLINICAL_ROLES:
                    continue
                if P.clinical in parts:
                    raise ValueError(f"field_access: clinical text stays clinical; {role.value} may not be granted "
                                     f"clinical for {key}")
                covers_clinical_docs = key in ("*", "intake:*") or key.split(":", 1)[-1] in CLINICAL_DOC_TYPES
                if P.document_text in parts and covers_clinical_docs:
                    raise ValueError(f"field_access: clinical text stays clinical; {role.value} may not be granted "
                                     f"document_text for {key}, which covers clinical documents")
        return {role: {k: sorted(set(v)) for k, v in kinds.items()} for role, kinds in grants.items()}

    def parts_for(self, roles: set[Role] | frozenset[Role], kind: str) -> set[Part]:
        """The union over `roles` of what each may see of a `kind` document; routing always."""
        out = {P.routing}
        agent = kind.split(":", 1)[0]
        for role in roles:
            kinds = self.grants.get(role, {})
            for key in (kind, f"{agent}:*", "*"):
                if key in kinds:
                    out |= set(kinds[key])
                    break
        return out


# --- the projection ---------------------------------------------------------------------------------


def _project_nested(v: Any, parts: set[Part], withheld: set[Part]) -> Any:
    """A nested value with each key kept only when its part is granted; keys not classified recurse
    into what they hold, and scalars nobody classified count as clinical."""
    if isinstance(v, dict):
        out: dict[str, Any] = {}
        for k, x in v.items():
            part = GENERIC_VALUE_PARTS.get(k) or FIELD_PARTS.get(k)
            if part is None and isinstance(x, (dict, list)) and x:
                sub = _project_nested(x, parts, withheld)
                if sub:
                    out[k] = sub
                continue
            part = part or P.clinical
            if part in parts:
                out[k] = x
            else:
                withheld.add(part)
        return out
    if isinstance(v, list):
        items = [_project_nested(x, parts, withheld) for x in v]
        return [x for x in items if x not in (None, {}, [])]
    if P.clinical in parts:
        return v
    withheld.add(P.clinical)
    return None


def project_view(view: dict[str, Any], *, agent: str, parts: set[Part]) -> dict[str, Any]:
    """`view` (a review item as the store returns it) with only what `parts` cover; `withheld` names
    the parts that were left out, so a page can say what it does not show, and `shown` the parts the
    reader may see (a page image needs document_text)."""
    out = dict(view)
    withheld: set[Part] = set()
    raw = out.get("value")
    value: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kept: dict[str, Any] = {}
    for key, v in value.items():
        if key == "fields" and isinstance(v, dict) and agent == "intake":
            nested = {}
            for name, fv in v.items():
                part = field_part(name)
                if part in parts:
                    nested[name] = fv
                else:
                    withheld.add(part)
            kept["fields"] = nested
            continue
        known = known_value_part(agent, key)
        if known is None and isinstance(v, (dict, list)) and v:
            # Not classified as a whole: what it holds is, key by key, at every depth.
            nested_kept = _project_nested(v, parts, withheld)
            if nested_kept:
                kept[key] = nested_kept
            continue
        part = known or P.clinical
        if part in parts:
            kept[key] = v
        else:
            withheld.add(part)
    out["value"] = kept
    if out.get("evidence") is not None:
        evidence = []
        for ev in out["evidence"]:
            data = ev if isinstance(ev, dict) else ev.model_dump()
            part = evidence_part(data)
            if part in parts:
                evidence.append(ev)
            else:
                withheld.add(part)
        out["evidence"] = evidence
    for key, part in VIEW_PARTS.items():
        if out.get(key) is not None and part not in parts:
            out[key] = None
            withheld.add(part)
    out["withheld"] = sorted(p.value for p in withheld - parts)
    out["shown"] = sorted(p.value for p in parts)
    return out
