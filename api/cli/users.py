"""`handoff users`: people, their roles and the units they hold them in. The command line acts as the
named local operator (HANDOFF_OPERATOR or the system account), and every change is logged as such."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo, settings

app = typer.Typer(help="Users and their roles.", no_args_is_help=True)

Name = Annotated[str, typer.Option(help="Username.")]


def _fail(exc) -> UserError:
    flag = {"username": "--name", "role": "--role", "unit": "--unit", "email": "--email", "password": "password"}
    return UserError(f"{flag.get(exc.field, '--name')}: {exc.detail}" if exc.field != "password" else exc.detail)


def _read_password(password_stdin: bool) -> str | None:
    return sys.stdin.readline().rstrip("\n") if password_stdin else None


@app.command("add")
def users_add(
    name: Annotated[str, typer.Option(help="Username (lower case, digits, . _ - @).")],
    role: Annotated[str, typer.Option(help="Role: front_desk, referral_coordinator, nurse, biller, practice_manager, compliance, engineer, admin.")],
    unit: Annotated[list[str], typer.Option(help="Service unit code; repeat for several units.")],
    display_name: Annotated[Optional[str], typer.Option(help="Name shown in pages.")] = None,
    email: Annotated[Optional[str], typer.Option(help="E-mail for notifications (emergent items in their queues).")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input instead of generating one.")] = False,
) -> None:
    """Add a user with a role in one or more units; prints a generated password once."""
    from api.errors import ServiceError
    from api.services.admin import add_user, check_role

    try:
        role_ = check_role(role)
    except ServiceError as exc:
        raise _fail(exc) from None
    password = _read_password(password_stdin)
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            new = add_user(conn, username=name, display_name=display_name, email=email,
                           grants=[(role_, u) for u in unit], actor=settings().operator_name, password=password)
        except ServiceError as exc:
            raise _fail(exc) from None
    echo(f"added {name} as {role_.value} in {', '.join(unit)}")
    if new.password:
        echo(f"password (shown once): {new.password}")


@app.command("list")
def users_list() -> None:
    """List users with their roles and units."""
    from store import org as org_store

    with cli_runtime() as rt, rt.pool.connection() as conn:
        for r in org_store.list_users(conn):
            echo(f"{r['username']:<16} {r['role'] or '-':<22} {r['unit_code'] or '-':<16} {'active' if r['active'] else 'inactive'}")


@app.command("disable")
def users_disable(name: Name) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    from api.errors import ServiceError
    from api.services.admin import disable_user

    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            disable_user(conn, username=name, actor=settings().operator_name)
        except ServiceError as exc:
            raise _fail(exc) from None
    echo(f"{name} is disabled (signed out everywhere)")


@app.command("enable")
def users_enable(name: Name) -> None:
    """Enable a disabled account again."""
    from api.errors import ServiceError
    from api.services.admin import enable_user

    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            enable_user(conn, username=name, actor=settings().operator_name)
        except ServiceError as exc:
            raise _fail(exc) from None
    echo(f"{name} is enabled")


@app.command("reset")
def users_reset(
    name: Name,
    password_stdin: Annotated[bool, typer.Option(help="Read the new password from standard input instead of generating one.")] = False,
) -> None:
    """Give a user a new password (generated and shown once, or from standard input); their sessions end."""
    from api.errors import ServiceError
    from api.services.admin import reset_password

    password = _read_password(password_stdin)
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            new = reset_password(conn, username=name, actor=settings().operator_name, password=password)
        except ServiceError as exc:
            raise _fail(exc) from None
    echo(f"{name}: new password set; signed out everywhere")
    if new.password:
        echo(f"password (shown once): {new.password}")


@app.command("email")
def users_email(name: Name, email: Annotated[str, typer.Option(help="E-mail address; empty to remove it.")]) -> None:
    """Set (or clear) a user's e-mail for notifications."""
    from api.errors import ServiceError
    from api.services.admin import set_email

    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            set_email(conn, username=name, email=email or None, actor=settings().operator_name)
        except ServiceError as exc:
            raise _fail(exc) from None
    echo(f"{name}: e-mail {'set' if email else 'removed'}")


def _role_change(grant: bool, name: str, role: str, unit: str) -> None:
    from api.errors import ServiceError
    from api.services import admin

    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            role_ = admin.check_role(role)
            (admin.grant if grant else admin.revoke)(conn, username=name, role=role_, unit_code=unit,
                                                     actor=settings().operator_name)
        except ServiceError as exc:
            raise _fail(exc) from None
    echo(f"{name}: {'granted' if grant else 'revoked'} {role} in {unit}")


@app.command("grant")
def users_grant(name: Name, role: Annotated[str, typer.Option(help="Role to grant.")],
                unit: Annotated[str, typer.Option(help="Service unit code.")]) -> None:
    """Grant a role in a unit."""
    _role_change(True, name, role, unit)


@app.command("revoke")
def users_revoke(name: Name, role: Annotated[str, typer.Option(help="Role to take away.")],
                 unit: Annotated[str, typer.Option(help="Service unit code.")]) -> None:
    """Take a role in a unit away."""
    _role_change(False, name, role, unit)
