"""Reading and changing a unit's routing policy: only a signed-in admin or practice manager of the
unit, or the named local operator at the command line (who has the machine anyway, and is logged as
such); every change is a new version and an audit event, and `policy_diff` says what changed."""

from __future__ import annotations

from typing import Any

import psycopg

from models.governance import Policy, PolicyVersion
from models.org import POLICY_EDITORS, User
from store import audit
from store import org as org_store
from store import policy as policy_store


class NotAllowed(PermissionError):
    pass


def show_policy(conn: psycopg.Connection, *, unit_code: str) -> PolicyVersion | None:
    """The unit's current policy version, or None before it has one."""
    unit = org_store.get_unit_by_code(conn, code=unit_code)
    return policy_store.current_policy(conn, unit_id=unit.id)


def set_policy(
    conn: psycopg.Connection,
    *,
    unit_code: str,
    policy: Policy,
    editor: User,
    expected_version: int | None,
    note: str | None = None,
) -> PolicyVersion:
    """Save `policy` as the unit's next version, if `editor` may change it; refusals are audited."""
    unit = org_store.get_unit_by_code(conn, code=unit_code)
    if not editor.has_role(unit.id, *POLICY_EDITORS):
        audit.record_event(conn, actor=editor.username, action="policy.change_refused", unit_id=unit.id,
                           subject=f"unit:{unit.code}")
        raise NotAllowed(f"{editor.username} may not change the policy of {unit.code}: needs admin or practice_manager")
    pv = policy_store.append_policy_version(
        conn, unit_id=unit.id, policy=policy, changed_by=editor.username, expected_version=expected_version, note=note
    )
    audit.record_event(conn, actor=editor.username, action="policy.changed", unit_id=unit.id,
                       subject=f"unit:{unit.code}", detail={"version": pv.version, "via": "signed-in user"})
    return pv


def set_policy_as_operator(
    conn: psycopg.Connection,
    *,
    unit_code: str,
    policy: Policy,
    operator: str,
    expected_version: int | None,
    note: str | None = None,
) -> PolicyVersion:
    """Save a new version from the command line: the local operator (`local:<name>`) is who the
    version and the audit event name, never a user the operator claims to be."""
    unit = org_store.get_unit_by_code(conn, code=unit_code)
    pv = policy_store.append_policy_version(
        conn, unit_id=unit.id, policy=policy, changed_by=operator, expected_version=expected_version, note=note
    )
    audit.record_event(conn, actor=operator, action="policy.changed", unit_id=unit.id, subject=f"unit:{unit.code}",
                       detail={"version": pv.version, "via": "command line (local operator)"})
    return pv


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k in sorted(value, key=str):
            out.update(_flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def policy_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, before, after) for every leaf that differs between two policies as JSON.

    >>> policy_diff({"a": 1, "q": {"x": "n"}}, {"a": 2, "q": {"x": "n", "y": "b"}})
    [('a', 1, 2), ('q.y', None, 'b')]
    """
    old, new = _flatten(before or {}), _flatten(after)
    return [(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def install_default_policy(conn: psycopg.Connection, *, unit_code: str, policy: Policy | None = None) -> PolicyVersion:
    """Give a new unit its first policy (version 1), written by the system at set-up."""
    unit = org_store.get_unit_by_code(conn, code=unit_code)
    existing = policy_store.current_policy(conn, unit_id=unit.id)
    if existing is not None:
        return existing
    return policy_store.append_policy_version(
        conn, unit_id=unit.id, policy=policy or Policy(), changed_by="system", expected_version=0, note="initial policy"
    )
