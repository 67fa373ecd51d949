"""`handoff referrals list|show`: the referral cases, their status, owner, due date and history. No
patient identifiers are printed (the pages show them to the people who may see them)."""

from __future__ import annotations

from typing import Annotated, Optional
from uuid import UUID

import typer

from api.cli.common import UserError, cli_runtime, echo

app = typer.Typer(help="Referral cases: from an accepted referral to the report sent back.", no_args_is_help=True)


@app.command("list")
def referrals_list(
    unit: Annotated[Optional[str], typer.Option(help="Service unit code; default every unit.")] = None,
    status: Annotated[Optional[str], typer.Option(help="Only cases in this status.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include closed cases.")] = False,
) -> None:
    """Cases, overdue first then by due date."""
    from api.errors import ServiceError
    from api.services.referrals import list_cases
    from models.referrals import CaseStatus

    try:
        wanted = CaseStatus(status) if status else None
    except ValueError:
        raise UserError(f"--status: one of {', '.join(s.value for s in CaseStatus)}") from None
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            cases = list_cases(conn, user=None, unit_code=unit, status=wanted, open_only=not all_)
        except ServiceError as exc:
            raise UserError(exc.detail) from None
    if not cases:
        echo("no cases")
    for c in cases:
        due = f"OVERDUE {c.due}" if c.overdue else str(c.due or "-")
        echo(f"{c.id}  {c.unit_code:<14} {c.status.value:<22} owner={c.owner or 'unassigned':<12} due={due:<18} "
             f"age={c.age_days:.1f}d  patient={'matched' if c.patient_mrn else 'not matched'}")


@app.command("show")
def referrals_show(case_id: Annotated[str, typer.Argument(help="The case id.")]) -> None:
    """A case's status, owner, due date, history and letters."""
    from api.errors import ServiceError
    from api.services.referrals import get_case

    try:
        cid = UUID(case_id)
    except ValueError:
        raise UserError(f"{case_id!r} is not a case id") from None
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            found = get_case(conn, user=None, case_id=cid, actor="cli")
        except ServiceError as exc:
            raise UserError(exc.detail) from None
    c = found["case"]
    echo(f"case {c.id} ({c.unit_code}): {c.status.value}, owner {c.owner or 'unassigned'}, due {c.due or '-'}"
         + (" OVERDUE" if c.overdue else ""))
    for e in c.events:
        extra = ", ".join(f"{k}={v}" for k, v in e.detail.items() if k in ("missing", "doc_type", "letter_id"))
        echo(f"  {e.at:%Y-%m-%d %H:%M} {e.event:<22} -> {e.status_after.value:<22} by {e.actor}" + (f"  [{extra}]" if extra else ""))
    for letter in found["letters"]:
        echo(f"  letter {letter['id']} ({letter['kind']})")
