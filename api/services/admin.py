"""Setting up and running an organization without the demo: the first run (organization, first unit,
first admin, default policy), service units with their billing profiles, and people (add, disable,
enable, reset a password, e-mail, grant and revoke roles). Shared by `handoff init|units|users` (as a
named local operator) and the admin pages (as a signed-in admin); every change is an audit event."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from uuid import UUID

import psycopg
from pydantic import ValidationError

from agents.policy import install_default_policy
from api.errors import BadInput, Conflict, Forbidden, NotFound
from api.security import generate_password, hash_password
from models.governance import clinic_default_policy
from models.org import EMAIL_PATTERN, UNIT_CODE_PATTERN, USERNAME_PATTERN, BillingProfile, Role, ServiceUnit, User
from store import org as org_store

DEMO_ORG_MARK = "(demo)"  # the demo organization's name ends with it (api/cli/demo.py)


@dataclass(frozen=True)
class NewUser:
    user: User
    password: str | None  # generated: shown once; None when the caller chose it


def _check(pattern: str, value: str, field: str, what: str) -> str:
    if not re.match(pattern, value or ""):
        raise BadInput(f"{field}: {what}", field=field)
    return value


def check_username(username: str) -> str:
    return _check(USERNAME_PATTERN, username, "username", "2-80 characters: lower-case letters, digits, . _ - @")


def check_unit_code(code: str) -> str:
    return _check(UNIT_CODE_PATTERN, code, "code", "2-40 characters: lower-case letters, digits, _ and -")


def check_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return _check(EMAIL_PATTERN, email.strip(), "email", "an address like name@clinic.org")


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise BadInput(f"role: unknown role {role!r}; use one of {', '.join(r.value for r in Role)}",
                       field="role") from None


def password_hash_of(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as exc:
        raise BadInput(str(exc), field="password") from None


def parse_billing_profile(text: str | bytes | None) -> BillingProfile:
    """A billing profile from JSON (taxonomy, billing_npi, fee_schedule {code: charge}, fee_tolerance,
    timely_filing_days); empty means the defaults."""
    if text is None or not str(text if isinstance(text, str) else text.decode("utf-8", "replace")).strip():
        return BillingProfile()
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"billing_profile: not JSON ({exc})", field="billing_profile") from None
    try:
        profile = BillingProfile.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"])
        raise BadInput(f"billing_profile.{where}: {e['msg']}", field="billing_profile") from None
    if profile.billing_npi:
        from tools.npi import npi_is_valid

        if not npi_is_valid(profile.billing_npi):
            raise BadInput("billing_profile.billing_npi: not a valid NPI (check digit)", field="billing_profile")
    return profile


# --- the first run ------------------------------------------------------------------------------------


def initialize(conn: psycopg.Connection, *, org_name: str, unit_code: str, unit_name: str, admin_username: str,
               admin_display_name: str, password: str, email: str | None, actor: str) -> tuple[ServiceUnit, User]:
    """A fresh database becomes a clinic: the organization, its first service unit with the default
    policy, and the first admin. Refused when any organization exists (the demo's included: demo
    users, whose password is published, must never share a database with a real clinic)."""
    existing = org_store.list_organizations(conn)
    if existing:
        raise Conflict(f"this database already holds the organization {existing[0].name!r}; "
                       "`handoff init` runs once, on an empty database (another HANDOFF_HOME or DATABASE_URL)")
    if not org_name.strip() or DEMO_ORG_MARK in org_name:
        raise BadInput("org: a name, not the demo's", field="org")
    check_unit_code(unit_code)
    check_username(admin_username)
    password_hash = password_hash_of(password)
    with conn.transaction():
        org = org_store.create_organization(conn, name=org_name.strip(), actor=actor)
        unit = org_store.create_unit(conn, org_id=org.id, code=unit_code, name=unit_name or unit_code,
                                     billing_profile=BillingProfile(), actor=actor)
        install_default_policy(conn, unit_code=unit.code, policy=clinic_default_policy())
        admin = org_store.create_user(conn, org_id=org.id, username=admin_username,
                                      display_name=admin_display_name or admin_username, password_hash=password_hash,
                                      actor=actor, email=check_email(email))
        org_store.grant_role(conn, user_id=admin.id, unit_id=unit.id, role=Role.admin, actor=actor)
    return unit, admin


def has_organization(conn: psycopg.Connection) -> bool:
    return bool(org_store.list_organizations(conn))


def units_overview(conn: psycopg.Connection, *, admin: User) -> list[tuple[ServiceUnit, int | None]]:
    """The units an admin administers, each with its current policy version."""
    from store import policy as policy_store

    mine = administered_units(admin)
    out = []
    for unit in org_store.list_units(conn):
        if unit.id in mine:
            pv = policy_store.current_policy(conn, unit_id=unit.id)
            out.append((unit, pv.version if pv else None))
    return out


def the_organization(conn: psycopg.Connection):
    orgs = org_store.list_organizations(conn)
    if not orgs:
        raise NotFound("no organization yet: run `handoff init` first", field="org")
    return orgs[0]


# --- service units -------------------------------------------------------------------------------------


def administered_units(user: User) -> set[UUID]:
    return {r.unit_id for r in user.roles if r.role == Role.admin}


def add_unit(conn: psycopg.Connection, *, code: str, name: str, billing_profile: BillingProfile, actor: str,
             org_id: UUID | None = None) -> ServiceUnit:
    """A new service unit with the default policy; every admin of the organization administers it."""
    check_unit_code(code)
    org_id = org_id or the_organization(conn).id
    try:
        with conn.transaction():
            unit = org_store.create_unit(conn, org_id=org_id, code=code, name=name or code,
                                         billing_profile=billing_profile, actor=actor)
            install_default_policy(conn, unit_code=unit.code, policy=clinic_default_policy())
            for admin_id in org_store.admins_of_org(conn, org_id=org_id):
                org_store.grant_role(conn, user_id=admin_id, unit_id=unit.id, role=Role.admin, actor=actor)
    except org_store.UnitExists as exc:
        raise Conflict(str(exc), field="code") from None
    return unit


def unit_by_code(conn: psycopg.Connection, code: str, *, admin: User | None = None) -> ServiceUnit:
    try:
        unit = org_store.get_unit_by_code(conn, code=code)
    except org_store.UnknownUnit:
        raise NotFound(f"no service unit {code!r}", field="unit") from None
    if admin is not None and unit.id not in administered_units(admin):
        raise NotFound(f"no service unit {code!r}", field="unit")
    return unit


def set_billing_profile(conn: psycopg.Connection, *, unit: ServiceUnit, billing_profile: BillingProfile,
                        actor: str) -> ServiceUnit:
    return org_store.set_billing_profile(conn, unit_id=unit.id, billing_profile=billing_profile, actor=actor)


# --- people ------------------------------------------------------------------------------------------------


def _target(conn: psycopg.Connection, username: str, *, admin: User | None) -> User:
    found = org_store.get_user_by_username(conn, username=username)
    if found is None or (admin is not None and found[0].org_id != admin.org_id):
        raise NotFound(f"no user named {username!r}", field="username")
    return found[0]


def add_user(conn: psycopg.Connection, *, username: str, display_name: str | None, email: str | None,
             grants: list[tuple[Role, str]], actor: str, password: str | None = None,
             admin: User | None = None) -> NewUser:
    """A person with roles in units; a generated password is returned once when none is given."""
    check_username(username)
    if not grants:
        raise BadInput("role: a new user needs a role in a unit", field="role")
    units = [(role, unit_by_code(conn, code, admin=admin)) for role, code in grants]
    generated = password is None
    password = password or generate_password()
    password_hash = password_hash_of(password)
    try:
        with conn.transaction():
            user = org_store.create_user(conn, org_id=units[0][1].org_id, username=username,
                                         display_name=display_name or username, password_hash=password_hash,
                                         actor=actor, email=check_email(email))
            for role, unit in units:
                org_store.grant_role(conn, user_id=user.id, unit_id=unit.id, role=role, actor=actor)
    except org_store.UserExists as exc:
        raise Conflict(str(exc), field="username") from None
    return NewUser(user=org_store.get_user(conn, user_id=user.id), password=password if generated else None)


def disable_user(conn: psycopg.Connection, *, username: str, actor: str, admin: User | None = None) -> User:
    user = _target(conn, username, admin=admin)
    if admin is not None and user.id == admin.id:
        raise Forbidden("you cannot disable your own account", field="username")
    org_store.set_user_active(conn, user=user, active=False, actor=actor)
    return user


def enable_user(conn: psycopg.Connection, *, username: str, actor: str, admin: User | None = None) -> User:
    user = _target(conn, username, admin=admin)
    org_store.set_user_active(conn, user=user, active=True, actor=actor)
    return user


def reset_password(conn: psycopg.Connection, *, username: str, actor: str, password: str | None = None,
                   admin: User | None = None) -> NewUser:
    user = _target(conn, username, admin=admin)
    generated = password is None
    password = password or generate_password()
    org_store.set_password_hash(conn, user=user, password_hash=password_hash_of(password), actor=actor)
    return NewUser(user=user, password=password if generated else None)


def set_email(conn: psycopg.Connection, *, username: str, email: str | None, actor: str,
              admin: User | None = None) -> User:
    user = _target(conn, username, admin=admin)
    org_store.set_email(conn, user=user, email=check_email(email), actor=actor)
    return user


def grant(conn: psycopg.Connection, *, username: str, role: Role, unit_code: str, actor: str,
          admin: User | None = None) -> User:
    user = _target(conn, username, admin=admin)
    unit = unit_by_code(conn, unit_code, admin=admin)
    org_store.grant_role(conn, user_id=user.id, unit_id=unit.id, role=role, actor=actor)
    return user


def revoke(conn: psycopg.Connection, *, username: str, role: Role, unit_code: str, actor: str,
           admin: User | None = None) -> User:
    user = _target(conn, username, admin=admin)
    unit = unit_by_code(conn, unit_code, admin=admin)
    if admin is not None and user.id == admin.id and role == Role.admin:
        raise Forbidden("you cannot take your own admin role away; another admin can", field="role")
    if not org_store.revoke_role(conn, user_id=user.id, unit_id=unit.id, role=role, actor=actor):
        raise NotFound(f"{username} is not {role.value} in {unit_code}", field="role")
    return user


def people(conn: psycopg.Connection, *, org_id: UUID) -> list[dict]:
    """Each person of the organization with their roles (unit, role) grouped."""
    out: dict[str, dict] = {}
    for r in org_store.users_of_org(conn, org_id=org_id):
        person = out.setdefault(r["username"], {"username": r["username"], "display_name": r["display_name"],
                                                "active": r["active"], "email": r["email"], "roles": []})
        if r["role"]:
            person["roles"].append((r["role"], r["unit_code"]))
    return list(out.values())
