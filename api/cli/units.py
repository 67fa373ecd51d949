"""`handoff units`: service units of the organization, each with its billing profile and policy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo, settings

app = typer.Typer(help="Service units (programs or departments) and their billing profiles.", no_args_is_help=True)


def _profile(path: Path | None):
    from api.errors import ServiceError
    from api.services.admin import parse_billing_profile

    if path is None:
        return parse_billing_profile(None)
    try:
        text = path.read_text()
    except OSError as exc:
        raise UserError(f"--billing-profile: cannot read {path}: {exc.strerror}") from None
    try:
        return parse_billing_profile(text)
    except ServiceError as exc:
        raise UserError(f"--billing-profile: {exc.detail}") from None


@app.command("add")
def units_add(
    code: Annotated[str, typer.Option(help="Unit code: lower-case letters, digits, _ and - (e.g. cardiology).")],
    name: Annotated[str, typer.Option(help="Name shown in pages.")],
    billing_profile: Annotated[Optional[Path], typer.Option(help="JSON: taxonomy, billing_npi, fee_schedule {code: charge}, fee_tolerance, timely_filing_days.")] = None,
) -> None:
    """Add a service unit with the default policy; the organization's admins administer it."""
    from api.errors import ServiceError
    from api.services.admin import add_unit

    profile = _profile(billing_profile)
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            unit = add_unit(conn, code=code, name=name, billing_profile=profile, actor=settings().operator_name)
        except ServiceError as exc:
            raise UserError(f"--{exc.field or 'code'}: {exc.detail}") from None
    echo(f"added service unit {unit.code} ({unit.name}) with the default policy; "
         f"{len(profile.fee_schedule)} codes on its fee schedule")


@app.command("billing")
def units_billing(
    code: Annotated[str, typer.Option(help="Unit code.")],
    billing_profile: Annotated[Path, typer.Option(help="JSON billing profile (replaces the unit's).")],
) -> None:
    """Replace a unit's billing profile (fee schedule, billing NPI, timely filing)."""
    from api.errors import ServiceError
    from api.services.admin import set_billing_profile, unit_by_code

    profile = _profile(billing_profile)
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            unit = set_billing_profile(conn, unit=unit_by_code(conn, code), billing_profile=profile,
                                       actor=settings().operator_name)
        except ServiceError as exc:
            raise UserError(f"--code: {exc.detail}") from None
    echo(f"{unit.code}: billing profile replaced ({len(profile.fee_schedule)} codes on its fee schedule)")


@app.command("list")
def units_list() -> None:
    """List service units with their policy version and fee schedule size."""
    from store import org as org_store
    from store import policy as policy_store

    with cli_runtime() as rt, rt.pool.connection() as conn:
        for u in org_store.list_units(conn):
            pv = policy_store.current_policy(conn, unit_id=u.id)
            echo(f"{u.code:<20} {u.name:<30} policy v{pv.version if pv else '-'}  "
                 f"{len(u.billing_profile.fee_schedule)} fee schedule codes")
