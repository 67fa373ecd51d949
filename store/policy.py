"""Repository for versioned routing policies: each change is a new, chained row."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from models.governance import Policy, PolicyVersion
from store.db import Conn, fetch_one
from store.queries import load


class PolicyConflict(RuntimeError):
    """Someone else changed the policy since the version the caller read."""


def current_policy(conn: Conn, *, unit_id: UUID) -> PolicyVersion | None:
    row = conn.execute(load("policy").current_policy, {"unit_id": unit_id}).fetchone()
    return PolicyVersion(**row) if row else None


def policy_at(conn: Conn, *, unit_id: UUID, version: int) -> PolicyVersion | None:
    row = conn.execute(load("policy").policy_at_version, {"unit_id": unit_id, "version": version}).fetchone()
    return PolicyVersion(**row) if row else None


def policy_history(conn: Conn, *, unit_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("policy").policy_history, {"unit_id": unit_id}).fetchall()


def append_policy_version(
    conn: Conn,
    *,
    unit_id: UUID,
    policy: Policy,
    changed_by: str,
    expected_version: int | None,
    note: str | None = None,
) -> PolicyVersion:
    """Write `policy` as the next version; `expected_version` is the version the editor started from."""
    current = current_policy(conn, unit_id=unit_id)
    current_version = current.version if current else 0
    if expected_version is not None and expected_version != current_version:
        raise PolicyConflict(
            f"the policy is at version {current_version}, not {expected_version}; read it again and reapply the change"
        )
    try:
        with conn.transaction():
            row = fetch_one(conn.execute(
                load("policy").insert_policy_version,
                {
                    "unit_id": unit_id,
                    "version": current_version + 1,
                    "policy": Jsonb(policy.model_dump(mode="json")),
                    "changed_by": changed_by,
                    "note": note,
                },
            ))
    except psycopg.errors.UniqueViolation:
        raise PolicyConflict("the policy changed while saving; read it again and reapply the change") from None
    return PolicyVersion(**row)
