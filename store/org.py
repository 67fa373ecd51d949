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


class UnitExists(ValueError):
    pass


class UnknownUser(LookupError):
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
    conn: Conn, *, org_id: UUID, username: str, display_name: str, password_hash: str, actor: str,
    email: str | None = None,
) -> User:
    Q = load("org")
    if conn.execute(Q.get_user_by_username, {"username": username}).fetchone():
        raise UserExists(f"a user named {username!r} exists already")
    row = fetch_one(conn.execute(
        Q.insert_user,
        {"id": uuid4(), "org_id": org_id, "username": username, "display_name": display_name,
         "password_hash": password_hash, "email": email},
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


# --- setting up and running an organization (issue 12) ---------------------------------------------


def list_organizations(conn: Conn) -> list[Organization]:
    return [Organization(**r) for r in conn.execute(load("org").list_organizations).fetchall()]


def create_organization(conn: Conn, *, name: str, actor: str) -> Organization:
    row = conn.execute(load("org").create_organization, {"id": uuid4(), "name": name}).fetchone()
    if row is None:
        raise UnitExists(f"an organization named {name!r} exists already")
    audit.record_event(conn, actor=actor, action="organization.created", subject=f"organization:{row['id']}")
    return Organization(**row)


def create_unit(conn: Conn, *, org_id: UUID, code: str, name: str, billing_profile: BillingProfile,
                actor: str) -> ServiceUnit:
    row = conn.execute(load("org").create_unit, {
        "id": uuid4(), "org_id": org_id, "code": code, "name": name,
        "billing_profile": Jsonb(billing_profile.model_dump(mode="json"))}).fetchone()
    if row is None:
        raise UnitExists(f"a service unit with code {code!r} exists already")
    audit.record_event(conn, actor=actor, action="unit.created", unit_id=row["id"], subject=f"unit:{code}")
    return ServiceUnit(**row)


def set_billing_profile(conn: Conn, *, unit_id: UUID, billing_profile: BillingProfile,
                        actor: str) -> ServiceUnit:
    row = fetch_one(conn.execute(load("org").set_billing_profile, {
        "id": unit_id, "billing_profile": Jsonb(billing_profile.model_dump(mode="json"))}))
    audit.record_event(conn, actor=actor, action="unit.billing_profile_changed", unit_id=unit_id,
                       subject=f"unit:{row['code']}", detail={"codes": len(billing_profile.fee_schedule)})
    return ServiceUnit(**row)


def units_of_org(conn: Conn, *, org_id: UUID) -> list[ServiceUnit]:
    return [ServiceUnit(**r) for r in conn.execute(load("org").units_of_org, {"org_id": org_id}).fetchall()]


def require_user(conn: Conn, *, username: str) -> User:
    found = get_user_by_username(conn, username=username)
    if found is None:
        raise UnknownUser(f"no user named {username!r}")
    return found[0]


def set_user_active(conn: Conn, *, user: User, active: bool, actor: str) -> None:
    Q = load("org")
    conn.execute(Q.set_user_active, {"id": user.id, "active": active})
    if not active:
        conn.execute(Q.end_user_sessions, {"user_id": user.id})
        conn.execute(Q.revoke_user_tokens, {"user_id": user.id})
    audit.record_event(conn, actor=actor, action="user.enabled" if active else "user.disabled",
                       subject=f"user:{user.username}")


def set_password_hash(conn: Conn, *, user: User, password_hash: str, actor: str) -> None:
    """A new password; every session of the user ends (tokens stay: they are the integrations')."""
    Q = load("org")
    conn.execute(Q.set_password_hash, {"id": user.id, "password_hash": password_hash})
    conn.execute(Q.end_user_sessions, {"user_id": user.id})
    audit.record_event(conn, actor=actor, action="user.password_reset", subject=f"user:{user.username}")


def set_email(conn: Conn, *, user: User, email: str | None, actor: str) -> None:
    conn.execute(load("org").set_email, {"id": user.id, "email": email})
    audit.record_event(conn, actor=actor, action="user.email_changed", subject=f"user:{user.username}")


def revoke_role(conn: Conn, *, user_id: UUID, unit_id: UUID, role: Role, actor: str) -> bool:
    revoked = conn.execute(load("org").revoke_role, {"user_id": user_id, "unit_id": unit_id, "role": role.value}).fetchone()
    if revoked:
        audit.record_event(conn, actor=actor, action="role.revoked", unit_id=unit_id, subject=f"user:{user_id}",
                           detail={"role": role.value})
    return revoked is not None


def users_of_org(conn: Conn, *, org_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("org").users_of_org, {"org_id": org_id}).fetchall()


def admins_of_org(conn: Conn, *, org_id: UUID) -> list[UUID]:
    return [r["id"] for r in conn.execute(load("org").admins_of_org, {"org_id": org_id}).fetchall()]


def users_with_roles(conn: Conn, *, unit_id: UUID, roles: list[Role]) -> list[dict[str, Any]]:
    """Active people holding any of `roles` in the unit (with their e-mail, for notifications)."""
    return conn.execute(load("org").users_with_role_in_unit,
                        {"unit_id": unit_id, "roles": [r.value for r in roles]}).fetchall()
