"""Referral cases for people: the ageing list, one case with its events and letters (a logged PHI
read), moving a case, changing owner or due date, sending the report back."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

import psycopg

from api.errors import BadInput, Conflict, NotFound
from models.org import Role, User
from models.referrals import CLOSED, CaseEvent, CaseMoveIn, CaseStatus, CaseUpdateIn, ReferralCase
from store import audit
from store import letters as letters_store
from store import org as org_store
from store import referrals as referrals_store

READ_ROLES = frozenset({Role.referral_coordinator, Role.front_desk, Role.practice_manager})
MOVE_ROLES = READ_ROLES
REPORT_ROLES = frozenset({Role.referral_coordinator, Role.practice_manager})


def _units(user: User | None, roles: frozenset[Role], conn: psycopg.Connection, unit_code: str | None) -> list[UUID]:
    if unit_code is not None:
        try:
            unit = org_store.get_unit_by_code(conn, code=unit_code)
        except org_store.UnknownUnit:
            raise NotFound(f"no service unit {unit_code!r}", field="unit") from None
        if user is not None and not user.has_role(unit.id, *roles):
            raise NotFound(f"no service unit {unit_code!r}", field="unit")
        return [unit.id]
    if user is None:
        return [u.id for u in org_store.list_units(conn)]
    return sorted({r.unit_id for r in user.roles if r.role in roles}, key=str)


def _case(row: dict[str, Any], events: list[dict] | None = None) -> ReferralCase:
    today = datetime.now(timezone.utc).date()
    return ReferralCase(
        id=row["id"], unit_code=row["unit_code"], patient_mrn=row["patient_mrn"], service=row["service"],
        urgency=row["urgency"], status=row["status"], owner=row["owner"], due=row["due"], opened_at=row["opened_at"],
        updated_at=row["updated_at"], age_days=round(float(row["age_days"]), 2), sender=row["sender"] or {},
        overdue=row["due"] is not None and row["due"] < today and row["status"] not in CLOSED,
        events=[CaseEvent(**e) for e in events or []])


def list_cases(conn: psycopg.Connection, *, user: User | None, unit_code: str | None = None,
               status: CaseStatus | None = None, open_only: bool = True, limit: int = 200) -> list[ReferralCase]:
    """Cases of the units the user works referrals in, most urgent due date first (overdue on top)."""
    unit_ids = _units(user, READ_ROLES, conn, unit_code)
    if not unit_ids:
        return []
    rows = referrals_store.list_cases(conn, unit_ids=unit_ids, status=status.value if status else None,
                                      open_only=open_only, limit=limit)
    cases = [_case(r) for r in rows]
    return sorted(cases, key=lambda c: (not c.overdue, c.due or date.max, c.opened_at))


def _visible(conn: psycopg.Connection, user: User | None, case_id: UUID, roles: frozenset[Role]) -> dict:
    unit_ids = _units(user, roles, conn, None)
    row = referrals_store.get_case(conn, case_id=case_id, unit_ids=unit_ids) if unit_ids else None
    if row is None:
        raise NotFound("no such referral case", field="case_id")
    return row


def get_case(conn: psycopg.Connection, *, user: User | None, case_id: UUID, actor: str) -> dict[str, Any]:
    row = _visible(conn, user, case_id, READ_ROLES)
    audit.record_phi_read(conn, actor=actor, subject=f"referral_case:{case_id}", purpose="referral case",
                          unit_id=row["unit_id"], fields=["case", "events"])
    case = _case(row, referrals_store.case_events(conn, case_id=case_id))
    letters = [{k: (str(v) if k in ("id", "created_at") else v) for k, v in r.items() if k not in ("unit_id",)}
               for r in letters_store.letters_of(conn, subject=f"referral_case:{case_id}")]
    return {"case": case, "letters": letters}


def _run(fn, **kwargs):
    from agents.referrals import CaseError

    try:
        return fn(**kwargs)
    except CaseError as exc:
        message = str(exc)
        head = message.split(":", 1)[0]
        field = head if ":" in message and " " not in head else None
        raise (Conflict if exc.conflict else BadInput)(message, field=field) from None


def move_case(conn: psycopg.Connection, *, user: User | None, actor: str, case_id: UUID, body: CaseMoveIn) -> ReferralCase:
    from agents.referrals import move_case as move

    _visible(conn, user, case_id, MOVE_ROLES)
    _run(move, conn=conn, case_id=case_id, to=body.status, actor=actor, note=body.note)
    return _case(_visible(conn, user, case_id, MOVE_ROLES))


def update_case(conn: psycopg.Connection, *, user: User | None, actor: str, case_id: UUID, body: CaseUpdateIn) -> ReferralCase:
    from agents.referrals import update_case as update

    _visible(conn, user, case_id, MOVE_ROLES)
    _run(update, conn=conn, case_id=case_id, actor=actor, owner=body.owner, due=body.due)
    return _case(_visible(conn, user, case_id, MOVE_ROLES))


def send_report(conn: psycopg.Connection, *, user: User | None, actor: str, case_id: UUID) -> dict[str, Any]:
    from agents.referrals import send_report as send

    _visible(conn, user, case_id, REPORT_ROLES)
    letter = _run(send, conn=conn, case_id=case_id, actor=actor)
    return {"case": _case(_visible(conn, user, case_id, REPORT_ROLES)), "letter_id": str(letter["id"])}
