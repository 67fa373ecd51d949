"""`handoff init`: make an empty database a clinic — the organization, its first service unit with the
default policy, and the first admin (password from standard input). No demo data, no demo users."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo, settings


def init(
    org: Annotated[str, typer.Option(help="The organization's name.")],
    unit: Annotated[str, typer.Option(help="Code of the first service unit (e.g. primary-care).")],
    admin: Annotated[str, typer.Option(help="Username of the first admin.")],
    unit_name: Annotated[Optional[str], typer.Option(help="Name of the first service unit shown in pages.")] = None,
    admin_name: Annotated[Optional[str], typer.Option(help="The admin's name shown in pages.")] = None,
    email: Annotated[Optional[str], typer.Option(help="The admin's e-mail (for notifications).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the admin's password from standard input (required).")] = False,
) -> None:
    """Set up a clinic on an empty database: organization, first unit (default policy), first admin."""
    from api.errors import ServiceError
    from api.services.admin import initialize

    if not password_stdin:
        raise UserError("--password-stdin: give the first admin's password on standard input "
                        "(e.g. `read -s P; printf '%s\\n' \"$P\" | handoff init ... --password-stdin`)")
    password = sys.stdin.readline().rstrip("\n")
    operator = settings().operator_name
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            unit_, user = initialize(conn, org_name=org, unit_code=unit, unit_name=unit_name or unit,
                                     admin_username=admin, admin_display_name=admin_name or admin,
                                     password=password, email=email, actor=operator)
        except ServiceError as exc:
            raise UserError(f"--{exc.field or 'org'}: {exc.detail}" if exc.field in ("code", "username", "email", "org", "password")
                            else exc.detail) from None
    echo(f"{org}: service unit {unit_.code} with the default policy (version 1); admin {user.username}")
    echo(f"logged as {operator}. Next: `handoff units add`, `handoff users add`, `handoff patients import`, "
         "then `handoff serve` and sign in as the admin.")
