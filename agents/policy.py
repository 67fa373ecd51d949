"""Reading and changing a unit's routing policy: only admins and practice managers may change it."""

from __future__ import annotations

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
    return policy_store.append_policy_version(
        conn, unit_id=unit.id, policy=policy, changed_by=editor.username, expected_version=expected_version, note=note
    )


def install_default_policy(conn: psycopg.Connection, *, unit_code: str, policy: Policy | None = None) -> PolicyVersion:
    """Give a new unit its first policy (version 1), written by the system at set-up."""
    unit = org_store.get_unit_by_code(conn, code=unit_code)
    existing = policy_store.current_policy(conn, unit_id=unit.id)
    if existing is not None:
        return existing
    return policy_store.append_policy_version(
        conn, unit_id=unit.id, policy=policy or Policy(), changed_by="system", expected_version=0, note="initial policy"
    )
