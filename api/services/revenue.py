"""The revenue cycle's service functions, shared by the API, the pages and the CLI: eligibility
inquiries (270 files) for a day, prior authorizations (CSV import, list), the coverage registry,
the denial work list grouped by root cause, letters (text and PDF), and retraining the denial model
on remittances behind the claims suite's gates."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import psycopg
from pydantic import BaseModel

from agents.runtime import Runtime
from api.errors import BadInput, NotFound
from models.org import Role, User
from models.revenue import DenialItem, PayerProfile, PriorAuthorization
from store import audit
from store import coverage as coverage_store
from store import letters as letters_store
from store import org as org_store
from store import remits as remits_store

BILLING_ROLES = frozenset({Role.biller, Role.practice_manager})
ELIGIBILITY_ROLES = frozenset({Role.front_desk, Role.biller, Role.practice_manager})
AUTH_ROLES = frozenset({Role.biller, Role.referral_coordinator, Role.practice_manager})
LETTER_ROLES = frozenset({Role.biller, Role.referral_coordinator, Role.practice_manager})


def unit_for(conn: psycopg.Connection, user: User | None, unit_code: str, roles: frozenset[Role]):
    """The unit, if the user holds one of `roles` in it (None: the CLI, trusted like the server)."""
    try:
        unit = org_store.get_unit_by_code(conn, code=unit_code)
    except org_store.UnknownUnit:
        raise NotFound(f"no service unit {unit_code!r}", field="unit") from None
    if user is not None and not user.has_role(unit.id, *roles):
        raise NotFound(f"no service unit {unit_code!r}", field="unit")
    return unit


def units_with(user: User, roles: frozenset[Role]) -> list[UUID]:
    return sorted({r.unit_id for r in user.roles if r.role in roles}, key=str)


# ---------------------------------------------------------------------------------------------
# Eligibility (270) and coverage
# ---------------------------------------------------------------------------------------------


class EligibilityBatchOut(BaseModel):
    unit: str
    day: date
    asked: int
    problems: list[dict[str, str]]
    file_name: str | None
    path: str | None = None


def write_eligibility_requests(conn: psycopg.Connection, *, user: User | None, actor: str, unit_code: str, day: date,
                               out_dir: Path | None) -> tuple[EligibilityBatchOut, str | None]:
    """Write tomorrow's (or any day's) 270 file for the unit; returns the summary and the file text."""
    from agents.coverage import eligibility_requests

    unit_for(conn, user, unit_code, ELIGIBILITY_ROLES)
    batch = eligibility_requests(conn, unit_code=unit_code, day=day, actor=actor)
    path = None
    if out_dir is not None and batch.text is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / batch.file_name
        tmp = target.with_suffix(".tmp")
        tmp.write_text(batch.text, encoding="ascii")
        tmp.replace(target)  # a clearing-house pick-up folder never sees half a file
        path = str(target)
    return EligibilityBatchOut(unit=unit_code, day=day, asked=batch.asked, problems=batch.problems,
                               file_name=batch.file_name, path=path), batch.text


def coverage_list(conn: psycopg.Connection, *, user: User, unit_code: str) -> list[dict[str, Any]]:
    unit = unit_for(conn, user, unit_code, ELIGIBILITY_ROLES | AUTH_ROLES)
    return coverage_store.list_coverage(conn, org_id=unit.org_id)


# ---------------------------------------------------------------------------------------------
# Payer profiles (the rules claims are checked against)
# ---------------------------------------------------------------------------------------------


def set_payer_profile(conn: psycopg.Connection, *, actor: str, unit_code: str, data: bytes) -> PayerProfile:
    """Record a payer's profile for the unit's organization from JSON (models.revenue.PayerProfile);
    the latest version is what claims are checked against. A bad field is named."""
    import json

    from pydantic import ValidationError

    unit = unit_for(conn, None, unit_code, BILLING_ROLES)
    try:
        profile = PayerProfile.model_validate(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"file: not UTF-8 JSON ({exc.__class__.__name__})", field="file") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"file: {'.'.join(str(p) for p in first['loc']) or 'profile'}: {first['msg']}", field="file") from None
    if profile.rules.payer_id != profile.payer_id:
        raise BadInput("file: rules.payer_id must equal payer_id", field="file")
    coverage_store.set_payer_profile(conn, org_id=unit.org_id, profile=profile, changed_by=actor)
    audit.record_event(conn, actor=actor, action="payer_profile.set", unit_id=unit.id, subject=f"payer:{profile.payer_id}",
                       detail={"codes_requiring_auth": len(profile.rules.codes_requiring_auth),
                               "timely_filing_days": profile.rules.timely_filing_days})
    return profile


def payer_profiles(conn: psycopg.Connection, *, unit_code: str) -> list:
    unit = unit_for(conn, None, unit_code, BILLING_ROLES)
    return coverage_store.payer_profiles(conn, org_id=unit.org_id)


# ---------------------------------------------------------------------------------------------
# Prior authorizations
# ---------------------------------------------------------------------------------------------


def import_auths(conn: psycopg.Connection, *, user: User | None, actor: str, unit_code: str, data: bytes) -> dict[str, int]:
    from agents.coverage import CoverageInputError, import_prior_auths_csv

    unit_for(conn, user, unit_code, AUTH_ROLES)
    if not data.strip():
        raise BadInput("file: the file is empty", field="file")
    try:
        return import_prior_auths_csv(conn, unit_code=unit_code, data=data, actor=actor)
    except CoverageInputError as exc:
        raise BadInput(f"file: {exc}", field="file") from None


def list_auths(conn: psycopg.Connection, *, user: User, unit_code: str, member_id: str | None = None) -> list[PriorAuthorization]:
    unit = unit_for(conn, user, unit_code, AUTH_ROLES)
    return coverage_store.prior_auths(conn, org_id=unit.org_id, member_id=member_id)


# ---------------------------------------------------------------------------------------------
# The denial work list
# ---------------------------------------------------------------------------------------------


class DenialGroup(BaseModel):
    root_cause: str
    root_cause_kind: str | None
    count: int
    at_stake: str
    items: list[DenialItem]


def denial_worklist(conn: psycopg.Connection, *, user: User, unit_code: str | None = None,
                    since: datetime | None = None, open_only: bool = False) -> list[DenialGroup]:
    """Denied and underpaid claims grouped by root cause (the rule that would have caught the denial,
    or payer-only), largest groups first."""
    unit_ids = units_with(user, BILLING_ROLES)
    if unit_code is not None:
        unit_ids = [unit_for(conn, user, unit_code, BILLING_ROLES).id]
    if not unit_ids:
        return []
    groups: dict[str, list[DenialItem]] = defaultdict(list)
    for row in remits_store.denial_worklist(conn, unit_ids=unit_ids, since=since, open_only=open_only):
        groups[row["root_cause"]].append(DenialItem(**row))
    out = []
    for cause, items in groups.items():
        stake = sum(((i.charge or 0) - (i.paid or 0) for i in items), 0)
        out.append(DenialGroup(root_cause=cause, root_cause_kind=items[0].root_cause_kind, count=len(items),
                               at_stake=f"{stake:.2f}", items=items))
    return sorted(out, key=lambda g: (-g.count, g.root_cause))


# ---------------------------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------------------------


def read_letter(conn: psycopg.Connection, *, user: User, letter_id: UUID) -> dict[str, Any]:
    """A letter of a unit the user works for letters; reading it (it names a patient) is logged."""
    row = letters_store.get_letter(conn, letter_id=letter_id)
    if row is None or not user.has_role(row["unit_id"], *LETTER_ROLES):
        raise NotFound("no such letter", field="letter_id")
    audit.record_phi_read(conn, actor=user.username, subject=f"letter:{letter_id}", purpose="letter",
                          unit_id=row["unit_id"], fields=["body"])
    return row


# ---------------------------------------------------------------------------------------------
# Retraining the denial model on remittances
# ---------------------------------------------------------------------------------------------

HOLDOUT_FRACTION = 0.25
REMIT_GATES = ("claims_remit_outcomes", "claims_remit_model_roc_auc", "claims_remit_model_ece")


@dataclass
class RetrainReport:
    n: int
    n_train: int
    n_holdout: int
    candidate: dict[str, float | None] = field(default_factory=dict)
    current: dict[str, float | None] | None = None
    current_version: str | None = None
    gates: list[str] = field(default_factory=list)  # descriptions of failed gates
    registered: str | None = None  # the new version, when registered
    reason: str = ""


def _figures(y: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from tools.calibration import expected_calibration_error

    # Both classes are needed for an AUC; a gate on a missing figure fails (tools/gates.py).
    auc = float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None
    return {"model_roc_auc_remits": auc, "model_ece_remits": expected_calibration_error(y, p),
            "brier": float(brier_score_loss(y, p)) if len(y) else None, "n_outcomes_remits": float(len(y)), "denial_rate": float(y.mean()) if len(y) else None}


def retrain_denial_model(rt: Runtime, *, unit_codes: list[str], actor: str, seed: int = 0,
                         params: dict[str, Any] | None = None) -> RetrainReport:
    """Train a candidate on the units' remittance outcomes (earliest 75% by submission date), judge it
    and the registered model on the latest 25% with the claims suite's remittance gates
    (tools/gates.toml), and register the candidate only if it passes them and beats the current model
    (ROC-AUC on the same held-out claims). Every attempt is an audit event."""
    from agents.claims import load_denial_model, load_tables
    from agents.remits import remit_history
    from tools.gates import evaluate_gates, load_gates
    from models.model_registry import Admission
    from tools.claims.denial_model import train_denial_model
    from tools.model_registry import register_model
    from tools.claims.rules import check_claim

    with rt.pool.connection() as conn:
        unit_ids = [org_store.get_unit_by_code(conn, code=code).id for code in unit_codes]
        history = remit_history(conn, unit_ids=unit_ids)
    n = len(history)
    cut = int(n * (1 - HOLDOUT_FRACTION))
    report = RetrainReport(n=n, n_train=cut, n_holdout=n - cut)
    train, holdout = history.slice(0, cut), history.slice(cut, n)
    if n < 40 or len(set(train.denied)) < 2 or len(set(holdout.denied)) < 2:
        report.reason = (f"not enough remittance outcomes to train and judge a model: {n} claims answered "
                         f"({sum(history.denied)} denied); both slices need denied and paid claims")
        _log(rt, actor, unit_ids, report)
        return report
    tables = load_tables(rt)
    checks = [check_claim(i.claim, tables=tables, context=i.context) for i in history.items]
    try:
        candidate = train_denial_model(train, seed=seed, checks=checks[:cut], params=params,
                                       data_source=f"remittances of {', '.join(unit_codes)}")
    except ValueError as exc:
        report.reason = f"training failed: {exc}"
        _log(rt, actor, unit_ids, report)
        return report
    y = np.array(holdout.denied, dtype=int)
    args = ([i.claim for i in holdout.items], checks[cut:], [i.context for i in holdout.items])
    report.candidate = _figures(y, candidate.predict_proba(*args))
    current = load_denial_model(rt)
    if current is not None:
        report.current_version = current.version
        report.current = _figures(y, current.predict_proba(*args))
    gates = [g for g in load_gates() if g.name in REMIT_GATES]
    results = evaluate_gates(gates, suite="claims", metrics=report.candidate, data_kind="external")
    report.gates = [r.describe() for r in results if not r.passed]
    cand_auc = report.candidate["model_roc_auc_remits"] or 0.0
    cur_auc = (report.current or {}).get("model_roc_auc_remits")
    if report.gates:
        report.reason = "the candidate fails the claims suite's remittance gates"
    elif cur_auc is not None and cand_auc <= cur_auc:
        report.reason = f"the candidate does not beat the registered model on held-out remittances ({cand_auc:.4f} <= {cur_auc:.4f})"
    else:
        admission = Admission(suite="claims", run_at=datetime.now(timezone.utc),
                              data=f"remittance outcomes of {', '.join(unit_codes)}: {report.n_holdout} held-out claims",
                              metrics={k: v for k, v in report.candidate.items() if isinstance(v, (int, float))},
                              gates_passed=True)
        with rt.pool.connection() as conn:
            register_model(conn, estimators=candidate.to_estimators(), meta=candidate.meta, registered_by=actor,
                           admitted_by=admission)
        report.registered = candidate.version
        report.reason = "registered: passes the gates and beats the registered model" if cur_auc is not None \
            else "registered: passes the gates (no model was registered)"
    _log(rt, actor, unit_ids, report)
    return report


def _log(rt: Runtime, actor: str, unit_ids: list[UUID], report: RetrainReport) -> None:
    def clean(d):
        return None if d is None else {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else round(v, 6))
                                       for k, v in d.items()}

    with rt.pool.connection() as conn:
        audit.record_event(conn, actor=actor, action="denial_model.retrain", subject="model:denial",
                           detail={"units": [str(u) for u in unit_ids], "n": report.n, "n_holdout": report.n_holdout,
                                   "candidate": clean(report.candidate), "current": clean(report.current),
                                   "current_version": report.current_version, "registered": report.registered,
                                   "failed_gates": report.gates, "reason": report.reason})
