"""`handoff users`: people, their roles and the units they hold them in."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo

app = typer.Typer(help="Users and their roles.", no_args_is_help=True)


@app.command("add")
def users_add(
    name: Annotated[str, typer.Option(help="Username (lower case, digits, . _ - @).")],
    role: Annotated[str, typer.Option(help="Role: front_desk, referral_coordinator, nurse, biller, practice_manager, compliance, engineer, admin.")],
    unit: Annotated[list[str], typer.Option(help="Service unit code; repeat for several units.")],
    display_name: Annotated[Optional[str], typer.Option(help="Name shown in pages.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input instead of generating one.")] = False,
) -> None:
    """Add a user with a role in one or more units; prints a generated password once."""
    from api.security import generate_password, hash_password
    from models.org import Role
    from store import org as org_store

    try:
        role_ = Role(role)
    except ValueError:
        raise UserError(f"--role: unknown role {role!r}; use one of {', '.join(r.value for r in Role)}") from None
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with cli_runtime() as rt, rt.pool.connection() as conn, conn.transaction():
        units = [org_store.get_unit_by_code(conn, code=c) for c in unit]
        user = org_store.create_user(conn, org_id=units[0].org_id, username=name, display_name=display_name or name,
                                     password_hash=password_hash, actor="cli")
        for u in units:
            org_store.grant_role(conn, user_id=user.id, unit_id=u.id, role=role_, actor="cli")
    echo(f"added {name} as {role_.value} in {', '.join(unit)}")
    if not password_stdin:
        echo(f"password (shown once): {password}")


@app.command("list")
def users_list() -> None:
    """List users with their roles and units."""
    from store import org as org_store

    with cli_runtime() as rt, rt.pool.connection() as conn:
        for r in org_store.list_users(conn):
            echo(f"{r['username']:<16} {r['role'] or '-':<22} {r['unit_code'] or '-':<16} {'active' if r['active'] else 'inactive'}")
