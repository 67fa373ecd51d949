"""Repository for organizations, service units, users and their roles."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.org import BillingProfile, Organization, Role, ServiceUnit, UnitRole, User
from store import audit
from store.db import Conn, fetch_one
from store.queries import load


class UnknownUnit(LookupError):
    pass


class UserExists(ValueError):
    pass


def ensure_organization(conn: Conn, *, name: str) -> Organization:
    row = fetch_one(conn.execute(load("org").insert_organization, {"id": uuid4(), "name": name}))
    return Organization(**row)


def ensure_unit(
    conn: Conn, *, org_id: UUID, code: str, name: str, billing_profile: BillingProfile | None = None
) -> ServiceUnit:
    Q = load("org")
    profile = (billing_profile or BillingProfile()).model_dump(mode="json")
    row = conn.execute(
        Q.insert_unit, {"id": uuid4(), "org_id": org_id, "code": code, "name": name, "billing_profile": Jsonb(profile)}
    ).fetchone()
    if row is None:
        row = fetch_one(conn.execute(Q.get_unit_by_code, {"code": code}))
    else:
        audit.record_event(conn, actor="system", action="unit.created", unit_id=row["id"], subject=f"unit:{code}")
    return ServiceUnit(**row)


def get_unit_by_code(conn: Conn, *, code: str) -> ServiceUnit:
    row = conn.execute(load("org").get_unit_by_code, {"code": code}).fetchone()
    if row is None:
        raise UnknownUnit(f"no service unit with code {code!r}")
    return ServiceUnit(**row)


def get_unit(conn: Conn, *, unit_id: UUID) -> ServiceUnit | None:
    row = conn.execute(load("org").get_unit, {"id": unit_id}).fetchone()
    return ServiceUnit(**row) if row else None


def list_units(conn: Conn) -> list[ServiceUnit]:
    return [ServiceUnit(**r) for r in conn.execute(load("org").list_units).fetchall()]


def create_user(
    conn: Conn, *, org_id: UUID, username: str, display_name: str, password_hash: str, actor: str
) -> User:
    Q = load("org")
    if conn.execute(Q.get_user_by_username, {"username": username}).fetchone():
        raise UserExists(f"a user named {username!r} exists already")
    row = fetch_one(conn.execute(
        Q.insert_user,
        {"id": uuid4(), "org_id": org_id, "username": username, "display_name": display_name, "password_hash": password_hash},
    ))
    audit.record_event(conn, actor=actor, action="user.created", subject=f"user:{username}")
    return User(**row)


def grant_role(conn: Conn, *, user_id: UUID, unit_id: UUID, role: Role, actor: str) -> None:
    granted = conn.execute(load("org").grant_role, {"user_id": user_id, "unit_id": unit_id, "role": role.value}).fetchone()
    if granted:
        audit.record_event(
            conn, actor=actor, action="role.granted", unit_id=unit_id, subject=f"user:{user_id}", detail={"role": role.value}
        )


def get_user_by_username(conn: Conn, *, username: str) -> tuple[User, str] | None:
    """The user and their password hash (for sign-in only)."""
    row = conn.execute(load("org").get_user_by_username, {"username": username}).fetchone()
    if row is None:
        return None
    password_hash = row.pop("password_hash")
    return _with_roles(conn, row), password_hash


def get_user(conn: Conn, *, user_id: UUID) -> User | None:
    row = conn.execute(load("org").get_user, {"id": user_id}).fetchone()
    return _with_roles(conn, row) if row else None


def _with_roles(conn: Conn, row: dict[str, Any]) -> User:
    roles = [UnitRole(**r) for r in conn.execute(load("org").user_roles, {"user_id": row["id"]}).fetchall()]
    return User(**row, roles=roles)


def list_users(conn: Conn) -> list[dict[str, Any]]:
    return conn.execute(load("org").list_users).fetchall()
