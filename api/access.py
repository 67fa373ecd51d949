"""Who may do what: one declarative table of every route's allowed roles, the queues each role works,
and (through each unit's field policy) the fields each role may see. `enforce_access` applies the
table to every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.org import QUEUE_ROLES as _QUEUE_ROLES
from models.org import Role
from models.org import roles_for_queue as _roles_for_queue
from models.visibility import FieldAccess, doc_kind, project_view

R = Role
WORKERS = frozenset({R.front_desk, R.referral_coordinator, R.nurse, R.biller, R.practice_manager})
AUDITORS = frozenset({R.compliance, R.admin})
EVERYONE = frozenset(Role)
INGESTERS = frozenset({R.front_desk, R.referral_coordinator, R.nurse, R.practice_manager})
ADMINS = frozenset({R.admin})
POLICY_EDITORS = frozenset({R.admin, R.practice_manager})
POLICY_READERS = POLICY_EDITORS | {R.compliance}
OUTREACH = frozenset({R.front_desk, R.practice_manager})
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
    ("GET", "/api/v1/units/{unit}/policy"): Access(POLICY_READERS, "and only of a unit where the role is held"),
    ("GET", "/api/v1/units/{unit}/policy/history"): Access(POLICY_READERS, "and only of a unit where the role is held"),
    ("PUT", "/api/v1/units/{unit}/policy"): Access(POLICY_EDITORS, "a new version; refusals are logged"),
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
    ("GET", "/items/{item_id}/pages/{page}.png"): Access(WORKERS, "and the field policy's document text"),
    ("GET", "/admin"): Access(ADMINS),
    ("POST", "/admin/units"): Access(ADMINS),
    ("POST", "/admin/units/{unit}/billing"): Access(ADMINS, "units the admin administers"),
    ("POST", "/admin/users"): Access(ADMINS),
    ("POST", "/admin/users/{username}/disable"): Access(ADMINS),
    ("POST", "/admin/users/{username}/enable"): Access(ADMINS),
    ("POST", "/admin/users/{username}/reset"): Access(ADMINS),
    ("POST", "/admin/users/{username}/email"): Access(ADMINS),
    ("POST", "/admin/users/{username}/grant"): Access(ADMINS, "in units the admin administers"),
    ("POST", "/admin/users/{username}/revoke"): Access(ADMINS, "in units the admin administers"),
    ("POST", "/admin/patients/import"): Access(ADMINS),
    ("GET", "/policy"): Access(POLICY_READERS),
    ("GET", "/policy/{unit}"): Access(POLICY_READERS, "and only of a unit where the role is held"),
    ("POST", "/policy/{unit}/preview"): Access(POLICY_EDITORS),
    ("POST", "/policy/{unit}"): Access(POLICY_EDITORS),
    ("GET", "/worklists"): Access(WORKERS),
    ("GET", "/worklists/{queue}"): Access(WORKERS, "QUEUE_ROLES decides which lists"),
    ("GET", "/worklists/{queue}/{filing_id}"): Access(WORKERS, "QUEUE_ROLES decides which lists"),
    ("POST", "/worklists/{queue}/{filing_id}/done"): Access(WORKERS, "QUEUE_ROLES decides which lists"),
    ("GET", "/claims"): Access(BILLING),
    ("GET", "/outreach"): Access(OUTREACH),
    ("GET", "/outreach.csv"): Access(OUTREACH),
    ("GET", "/outreach.fhir"): Access(OUTREACH),
    ("POST", "/outreach/{action_id}/done"): Access(OUTREACH),
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

# Which roles work which queue: one table, in models/org.py (notifications need it too).
QUEUE_ROLES = _QUEUE_ROLES


def roles_for_queue(queue: str) -> frozenset[Role]:
    return _roles_for_queue(queue)


def project_item(view: dict[str, Any], roles: set[Role], field_access: FieldAccess) -> dict[str, Any]:
    """Leave out of an item what none of the reader's roles (in the item's unit) may see, by the unit's
    field policy (minimum necessary as data, models/visibility.py): value keys, extracted fields nested
    in the value, evidence, the source text, amounts and the claim, each by the part it belongs to."""
    kind = doc_kind(view.get("agent") or "", view.get("value"))
    return project_view(view, agent=view.get("agent") or "", parts=field_access.parts_for(roles, kind))
