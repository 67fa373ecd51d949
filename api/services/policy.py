"""A unit's policy for signed-in people: read it (admins, practice managers, compliance of the unit),
see each version's changes, and change it (admins and practice managers of the unit) as a new
version from a set of changed keys merged over the current policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.policy import NotAllowed, policy_diff, set_policy
from api.errors import BadInput, Conflict, Forbidden, NotFound
from models.governance import Policy, PolicyVersion
from models.org import POLICY_EDITORS, Role, ServiceUnit, User
from store import org as org_store
from store import policy as policy_store
from store.policy import PolicyConflict

POLICY_READERS = POLICY_EDITORS | {Role.compliance}


class PolicyOut(BaseModel):
    unit: str
    version: int
    changed_by: str
    changed_at: datetime
    note: str | None = None
    policy: dict[str, Any]


class Change(BaseModel):
    path: str
    before: Any = None
    after: Any = None


class VersionOut(BaseModel):
    version: int
    changed_by: str
    changed_at: datetime
    note: str | None = None
    changes: list[Change]


class PolicyChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] = Field(description="Top-level policy keys to change, merged over the current policy.")
    expected_version: int = Field(ge=0, description="The version you edited; a newer one gives 409.")
    note: str | None = Field(None, max_length=2000, description="Why the policy changes (kept in the log).")


def readable_units(conn: psycopg.Connection, user: User) -> list[ServiceUnit]:
    ids = {r.unit_id for r in user.roles if r.role in POLICY_READERS}
    return [u for u in org_store.list_units(conn) if u.id in ids]


def _unit(conn: psycopg.Connection, user: User, code: str, roles: frozenset[Role]) -> ServiceUnit:
    try:
        unit = org_store.get_unit_by_code(conn, code=code)
    except org_store.UnknownUnit:
        raise NotFound(f"no service unit {code!r}", field="unit") from None
    if not user.has_role(unit.id, *roles):
        raise NotFound(f"no service unit {code!r}", field="unit")
    return unit


def current(conn: psycopg.Connection, *, user: User, unit_code: str) -> PolicyOut:
    unit = _unit(conn, user, unit_code, POLICY_READERS)
    pv = policy_store.current_policy(conn, unit_id=unit.id)
    if pv is None:
        raise NotFound(f"{unit_code} has no policy yet", field="unit")
    return _out(unit, pv)


def _out(unit: ServiceUnit, pv: PolicyVersion) -> PolicyOut:
    return PolicyOut(unit=unit.code, version=pv.version, changed_by=pv.changed_by, changed_at=pv.changed_at,
                     note=pv.note, policy=pv.policy.model_dump(mode="json"))


def history(conn: psycopg.Connection, *, user: User, unit_code: str) -> list[VersionOut]:
    """Every version, newest first, with what it changed from the one before."""
    unit = _unit(conn, user, unit_code, POLICY_READERS)
    out, previous = [], None
    for h in policy_store.policy_history(conn, unit_id=unit.id):
        pv = policy_store.policy_at(conn, unit_id=unit.id, version=h["version"])
        now = pv.policy.model_dump(mode="json")
        changes = [Change(path=p, before=b, after=a) for p, b, a in policy_diff(previous, now)] if previous else []
        out.append(VersionOut(version=pv.version, changed_by=pv.changed_by, changed_at=pv.changed_at, note=pv.note,
                              changes=changes))
        previous = now
    return list(reversed(out))


def proposed(conn: psycopg.Connection, *, user: User, unit_code: str, changes: dict[str, Any]) -> tuple[Policy, list[Change]]:
    """The policy `changes` would make, validated (422 naming the key otherwise), and its diff."""
    unit = _unit(conn, user, unit_code, POLICY_READERS)
    pv = policy_store.current_policy(conn, unit_id=unit.id)
    base = pv.policy.model_dump(mode="json") if pv else {}
    unknown = sorted(set(changes) - set(Policy.model_fields))
    if unknown:
        raise BadInput(f"changes.{unknown[0]}: not a policy key (keys: {', '.join(Policy.model_fields)})",
                       field=f"changes.{unknown[0]}")
    try:
        policy = Policy.model_validate({**base, **changes})
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"]) or "policy"
        raise BadInput(f"changes.{where}: {str(e['msg']).removeprefix('Value error, ')}", field=f"changes.{where}") from None
    return policy, [Change(path=p, before=b, after=a) for p, b, a in policy_diff(base, policy.model_dump(mode="json"))]


def change(conn: psycopg.Connection, *, user: User, unit_code: str, body: PolicyChangeIn) -> PolicyOut:
    """A new version by a signed-in admin or practice manager of the unit; refusals are logged."""
    unit = _unit(conn, user, unit_code, POLICY_READERS)
    policy, diff = proposed(conn, user=user, unit_code=unit_code, changes=body.changes)
    if not diff:
        raise BadInput("changes: they change nothing", field="changes")
    try:
        pv = set_policy(conn, unit_code=unit.code, policy=policy, editor=user, expected_version=body.expected_version,
                        note=body.note)
    except NotAllowed as exc:
        conn.commit()  # keep the refusal's audit event
        raise Forbidden(str(exc), field="unit") from None
    except PolicyConflict as exc:
        raise Conflict(str(exc), field="expected_version") from None
    return _out(unit, pv)
