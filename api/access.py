"""Who may do what: one declarative table of every route's allowed roles, the queues each role works,
and the fields each role may see. `enforce_access` applies the table to every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.org import Role

R = Role
WORKERS = frozenset({R.front_desk, R.referral_coordinator, R.nurse, R.biller, R.practice_manager})
AUDITORS = frozenset({R.compliance, R.admin})
EVERYONE = frozenset(Role)
INGESTERS = frozenset({R.front_desk, R.referral_coordinator, R.nurse, R.practice_manager})
CLAIM_SENDERS = frozenset({R.biller, R.practice_manager})
BILLING = frozenset({R.biller, R.practice_manager})
ELIGIBILITY = frozenset({R.front_desk, R.biller, R.practice_manager})
AUTHORIZERS = frozenset({R.biller, R.referral_coordinator, R.practice_manager})
REFERRALS = frozenset({R.referral_coordinator, R.front_desk, R.practice_manager})
# The one list of who may send what: the route's access check and the unit check of
# api.services.intake both read it, and the role must be held in the unit the item is sent to.
INGEST_ROLES: dict[str, frozenset[Role]] = {
    "fax": INGESTERS, "message": INGESTERS, "referral": INGESTERS, "claim": CLAIM_SENDERS,
    "eligibility": ELIGIBILITY, "enrollment": ELIGIBILITY, "remit": BILLING, "claim_status": BILLING,
}


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role] | None  # None: public (no sign-in)
    note: str = ""


# Every route of the app, by (method, path template). A route missing here is refused (and a test
# fails), so nothing is reachable by accident.
ACCESS: dict[tuple[str, str], Access] = {
    ("GET", "/healthz"): Access(None, "the database answers (no counters)"),
    ("GET", "/livez"): Access(None, "liveness: the process answers"),
    ("GET", "/readyz"): Access(None, "readiness: database, a worker's heartbeat, the intake model"),
    ("GET", "/metrics"): Access(frozenset({R.engineer, R.admin}), "Prometheus scrapes with an API token"),
    ("POST", "/api/v1/auth/login"): Access(None, "sign-in"),
    ("POST", "/api/v1/auth/logout"): Access(EVERYONE),
    ("GET", "/api/v1/auth/me"): Access(EVERYONE),
    ("POST", "/api/v1/auth/tokens"): Access(EVERYONE, "a token acts as its user, with the same roles"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): Access(EVERYONE),
    ("GET", "/api/v1/review/queues"): Access(WORKERS),
    ("POST", "/api/v1/review/queues/{queue}/claim"): Access(WORKERS),
    ("GET", "/api/v1/review/items/{item_id}"): Access(WORKERS),
    ("POST", "/api/v1/review/items/{item_id}/decision"): Access(WORKERS),
    ("POST", "/api/v1/review/items/{item_id}/release"): Access(WORKERS),
    ("POST", "/api/v1/review/items/{item_id}/reassign"): Access(frozenset({R.practice_manager})),
    ("GET", "/api/v1/review/reason-codes"): Access(WORKERS),
    ("POST", "/api/v1/faxes"): Access(INGEST_ROLES["fax"], "also for integration tokens of a fax server"),
    ("POST", "/api/v1/messages"): Access(INGEST_ROLES["message"]),
    ("POST", "/api/v1/referrals"): Access(INGEST_ROLES["referral"]),
    ("POST", "/api/v1/claims"): Access(INGEST_ROLES["claim"]),
    ("GET", "/api/v1/compliance/outputs"): Access(AUDITORS),
    ("GET", "/api/v1/compliance/decisions"): Access(AUDITORS),
    ("GET", "/api/v1/compliance/rates"): Access(AUDITORS),
    ("GET", "/api/v1/compliance/qa"): Access(AUDITORS),
    ("GET", "/api/v1/compliance/audit-chain"): Access(AUDITORS),
    ("GET", "/api/v1/compliance/export.csv"): Access(AUDITORS),
    ("GET", "/api/v1/compliance/export.fhir"): Access(AUDITORS),
    # --- revenue cycle (issue 13): coverage, authorizations, remittances, denials, letters ---------
    ("POST", "/api/v1/eligibility"): Access(INGEST_ROLES["eligibility"], "X12 271 files into the coverage registry"),
    ("POST", "/api/v1/enrollment"): Access(INGEST_ROLES["enrollment"], "X12 834 files into the coverage registry"),
    ("POST", "/api/v1/eligibility/requests"): Access(ELIGIBILITY, "writes the 270 file for a day's appointments"),
    ("GET", "/api/v1/coverage"): Access(ELIGIBILITY | {R.referral_coordinator}),
    ("POST", "/api/v1/auths/import"): Access(AUTHORIZERS),
    ("GET", "/api/v1/auths"): Access(AUTHORIZERS),
    ("POST", "/api/v1/remits"): Access(INGEST_ROLES["remit"], "X12 835 files: payments and denials"),
    ("POST", "/api/v1/claim-status"): Access(INGEST_ROLES["claim_status"], "X12 277 files"),
    ("GET", "/api/v1/denials"): Access(BILLING),
    ("GET", "/api/v1/letters/{letter_id}"): Access(AUTHORIZERS, "appeals and referral letters; each read is logged"),
    ("GET", "/api/v1/letters/{letter_id}/pdf"): Access(AUTHORIZERS),
    ("POST", "/api/v1/claims/{claim_id}/recheck"): Access(BILLING),
    ("POST", "/api/v1/models/denial/retrain"): Access(frozenset({R.engineer, R.admin}), "registered only behind the gates"),
    ("GET", "/api/v1/operations/kpis"): Access(frozenset({R.practice_manager}), "the units the manager manages"),
    ("GET", "/api/v1/referrals/cases"): Access(REFERRALS, "the ageing list of referral cases"),
    ("GET", "/api/v1/referrals/cases/{case_id}"): Access(REFERRALS, "each read is logged"),
    ("POST", "/api/v1/referrals/cases/{case_id}/status"): Access(REFERRALS),
    ("POST", "/api/v1/referrals/cases/{case_id}/update"): Access(REFERRALS),
    ("POST", "/api/v1/referrals/cases/{case_id}/report"): Access(frozenset({R.referral_coordinator, R.practice_manager})),
    # --- pages (api/pages/): the same roles as the API routes they show ---------------------------
    ("GET", "/login"): Access(None, "sign-in form"),
    ("POST", "/login"): Access(None, "sign-in (a double-submit token guards the form)"),
    ("POST", "/logout"): Access(EVERYONE),
    ("GET", "/"): Access(EVERYONE, "sends each role to its start page"),
    ("GET", "/queues"): Access(WORKERS),
    ("GET", "/queues/{queue}"): Access(WORKERS, "QUEUE_ROLES decides which queues"),
    ("POST", "/queues/{queue}/next"): Access(WORKERS, "QUEUE_ROLES decides which queues"),
    ("GET", "/items/{item_id}"): Access(WORKERS),
    ("POST", "/items/{item_id}/decision"): Access(WORKERS),
    ("POST", "/items/{item_id}/release"): Access(WORKERS),
    ("GET", "/compliance"): Access(AUDITORS),
    ("GET", "/compliance/outputs"): Access(AUDITORS),
    ("GET", "/compliance/decisions"): Access(AUDITORS),
    ("GET", "/dashboard"): Access(frozenset({R.practice_manager})),
    ("GET", "/referrals"): Access(REFERRALS),
    ("GET", "/referrals/{case_id}"): Access(REFERRALS),
    ("POST", "/referrals/{case_id}/status"): Access(REFERRALS),
    ("POST", "/referrals/{case_id}/report"): Access(frozenset({R.referral_coordinator, R.practice_manager})),
    ("GET", "/denials"): Access(BILLING),
    ("GET", "/coverage"): Access(ELIGIBILITY | AUTHORIZERS),
    # --- end of pages ---------------------------------------------------------------------------------
}

# The documentation routes (FastAPI's /openapi.json, api/docs.py's Swagger UI with local assets):
# public, they describe but expose no data.
DOC_ROUTES = {("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect")}

# Which roles work which queue (practice managers work every queue of their units).
QUEUE_ROLES: dict[str, frozenset[Role]] = {
    "front_desk": frozenset({R.front_desk, R.practice_manager}),
    "scheduling": frozenset({R.front_desk, R.practice_manager}),
    "referrals": frozenset({R.referral_coordinator, R.practice_manager}),
    "nursing": frozenset({R.nurse, R.practice_manager}),
    "billing": frozenset({R.biller, R.practice_manager}),
    "escalations": frozenset({R.practice_manager}),
    "management": frozenset({R.practice_manager}),  # decisions such as overbooking a slot
}

# Keys of a suggestion's value that carry clinical content; roles that do not see clinical text never
# see them, at any depth (an intake item's extracted `fields` nest them: reason, icd10, ...).
CLINICAL_VALUE_KEYS = frozenset({"summary", "text", "reason", "categories", "clinical_findings", "notes", "findings",
                                 "sensitivity", "source_text", "requested_service", "icd10", "diagnosis",
                                 "diagnoses", "medication", "medications", "symptoms", "allergies",
                                 "classifier_urgency"})
# Keys that carry money; only billers and practice managers see them, at any depth.
MONEY_VALUE_KEYS = frozenset({"amount", "charges", "total_charge", "charge", "lines", "fee", "paid_amount"})
# Contact details a role needs only to reach the patient (front desk, nurses, coordinators); billers
# work from the account (name, date of birth, member id) and never see them.
CONTACT_VALUE_KEYS = frozenset({"phone", "email", "address"})


def roles_for_queue(queue: str) -> frozenset[Role]:
    return QUEUE_ROLES.get(queue, frozenset({R.practice_manager}))


def sees_clinical(roles: set[Role]) -> bool:
    return bool(roles & {R.nurse, R.referral_coordinator, R.front_desk, R.practice_manager})


def _without(value: Any, hidden: frozenset[str]) -> Any:
    """`value` with every dict key in `hidden` removed, however deeply it is nested."""
    if isinstance(value, dict):
        return {k: _without(v, hidden) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [_without(v, hidden) for v in value]
    return value


def hidden_keys(roles: set[Role]) -> frozenset[str]:
    """The value keys none of `roles` (the reader's roles in the item's unit) needs."""
    hidden: set[str] = set()
    if not sees_clinical(roles):
        hidden |= CLINICAL_VALUE_KEYS | CONTACT_VALUE_KEYS
    if not roles & {R.biller, R.practice_manager}:
        hidden |= MONEY_VALUE_KEYS
    return frozenset(hidden)


def project_item(view: dict[str, Any], roles: set[Role]) -> dict[str, Any]:
    """Leave out of an item what none of the reader's roles (in the item's unit) needs, at every
    depth of its value."""
    out = dict(view)
    hidden = hidden_keys(roles)
    if not sees_clinical(roles):
        out["evidence"] = None
        out["source_text"] = None
    if not roles & {R.biller, R.practice_manager}:
        out["amount"] = None
    out["value"] = _without(dict(out.get("value") or {}), hidden)
    return out
