"""Revenue-cycle commands (issue 13): `handoff ingest eligibility|enrollment|remits|claim-status`
(X12 271, 834, 835, 277), `handoff eligibility requests` (270 files for a day's appointments),
`handoff auths import`, `handoff claims recheck` and `handoff train denial` (on remittances)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli import ingest, train
from api.cli.common import UserError, cli_runtime, echo, read_input_file

eligibility_app = typer.Typer(help="Eligibility: 270 inquiries for a day's appointments.", no_args_is_help=True)
auths_app = typer.Typer(help="Prior authorizations on file.", no_args_is_help=True)
claims_app = typer.Typer(help="Checked claims.", no_args_is_help=True)
payers_app = typer.Typer(help="Payer profiles: the rules claims are checked against.", no_args_is_help=True)

File = Annotated[Path, typer.Argument(help="The X12 file.")]
Unit = Annotated[str, typer.Option(help="Service unit code.")]
Process = Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")]


@ingest.app.command("eligibility")
def ingest_eligibility(file: File, unit: Unit, process: Process = True) -> None:
    """Accept an X12 271 eligibility response into the coverage registry (a bad file names its segment)."""
    ingest._accept_and_maybe_process("eligibility", [file], unit, process=process)


@ingest.app.command("enrollment")
def ingest_enrollment(file: File, unit: Unit, process: Process = True) -> None:
    """Accept an X12 834 benefit enrollment file into the coverage registry."""
    ingest._accept_and_maybe_process("enrollment", [file], unit, process=process)


@ingest.app.command("remits")
def ingest_remits(file: File, unit: Unit, process: Process = True) -> None:
    """Accept an X12 835 remittance: payments matched to claims, denials onto the work list."""
    ingest._accept_and_maybe_process("remit", [file], unit, process=process)


@ingest.app.command("claim-status")
def ingest_claim_status(file: File, unit: Unit, process: Process = True) -> None:
    """Accept an X12 277 claim status file."""
    ingest._accept_and_maybe_process("claim_status", [file], unit, process=process)


@eligibility_app.command("requests")
def eligibility_requests(
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    out: Annotated[Path, typer.Option(help="Folder to write the 270 file into (a clearing-house pick-up folder).")],
    date_: Annotated[Optional[str], typer.Option("--date", help="Appointment day, YYYY-MM-DD (default tomorrow).")] = None,
) -> None:
    """Write the 270 inquiries for a day's appointments; appointments that cannot be asked about are listed."""
    from api.errors import ServiceError
    from api.services.revenue import write_eligibility_requests

    try:
        day = date.fromisoformat(date_) if date_ else date.today() + timedelta(days=1)
    except ValueError:
        raise UserError(f"--date: {date_!r} is not YYYY-MM-DD") from None
    if out.exists() and not out.is_dir():
        raise UserError(f"--out: {out} is not a folder")
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            summary, _ = write_eligibility_requests(conn, user=None, actor="cli", unit_code=unit, day=day, out_dir=out)
        except ServiceError as exc:
            raise UserError(exc.detail) from None
    echo(f"{unit} {day}: {summary.asked} inquiries" + (f" written to {summary.path}" if summary.path else " (nothing to write)"))
    for p in summary.problems:
        echo(f"  appointment {p['appointment_id']}: {p['problem']}")


@auths_app.command("import")
def auths_import(
    file: Annotated[Path, typer.Argument(help="CSV: number,payer_id,member_id,codes,units_authorized,start,end,provider_npi,patient_mrn")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
) -> None:
    """Import prior authorizations; every row is checked first and a bad one is named (line, column)."""
    from api.errors import ServiceError
    from api.services.revenue import import_auths

    data = read_input_file(file)
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            out = import_auths(conn, user=None, actor="cli", unit_code=unit, data=data)
        except ServiceError as exc:
            raise UserError(f"{file}: {exc.detail.removeprefix('file: ')}") from None
    echo(f"{out['rows']} authorizations read: {out['new']} new, {out['unchanged']} already on file")


@claims_app.command("recheck")
def claims_recheck(
    claim_id: Annotated[str, typer.Argument(help="The claim id (CLM01 / patient control number).")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
) -> None:
    """Check a stored claim again after its records changed (coverage, authorizations, payer rules)."""
    from agents.claims import recheck_claim
    from store import claims as claims_store
    from store import org as org_store

    with cli_runtime() as rt:
        with rt.pool.connection() as conn:
            found = claims_store.find_claims(conn, unit_id=org_store.get_unit_by_code(conn, code=unit).id, claim_key=claim_id)
        if not found:
            raise UserError(f"no claim {claim_id!r} in {unit}")
        out = recheck_claim(rt, claim_row_id=found[0]["id"], actor="cli")
    if out is None:
        raise UserError(f"{claim_id}: the recheck did not reach a route")
    echo(f"{claim_id}: {out.label} -> {out.decision} ({out.queue})")


@train.app.command("denial")
def train_denial(
    unit: Annotated[list[str], typer.Option(help="Unit(s) whose remittance outcomes train the model.")],
) -> None:
    """Retrain the denial model on remittances; registered only if it passes the claims suite's
    remittance gates and beats the registered model on the latest quarter of outcomes."""
    from api.services.revenue import retrain_denial_model

    with cli_runtime() as rt:
        report = retrain_denial_model(rt, unit_codes=unit, actor="cli")
    fmt = lambda d, k: "n/a" if not d or d.get(k) is None else f"{d[k]:.4f}"  # noqa: E731
    echo(f"{report.n} claims with a remittance ({report.n_train} to train, {report.n_holdout} held out)")
    if report.candidate:
        echo(f"candidate: ROC-AUC {fmt(report.candidate, 'model_roc_auc_remits')}, ECE {fmt(report.candidate, 'model_ece_remits')}"
             + (f"; registered {report.current_version}: ROC-AUC {fmt(report.current, 'model_roc_auc_remits')}"
                if report.current else ""))
    for gate in report.gates:
        echo(f"GATE FAILED: {gate}")
    echo(report.reason)
    if report.registered is None:
        raise typer.Exit(1)


@payers_app.command("set")
def payers_set(
    file: Annotated[Path, typer.Option(help='JSON: {"payer_id", "name", "category", "rules": {"payer_id", '
                                            '"codes_requiring_auth", "timely_filing_days", "telehealth"}}')],
    unit: Annotated[str, typer.Option(help="A unit of the organization the payer bills.")],
) -> None:
    """Record a payer's profile (a new version; claims are checked against the latest)."""
    from api.errors import ServiceError
    from api.services.revenue import set_payer_profile

    data = read_input_file(file)
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            profile = set_payer_profile(conn, actor="cli", unit_code=unit, data=data)
        except ServiceError as exc:
            raise UserError(f"{file}: {exc.detail.removeprefix('file: ')}") from None
    echo(f"payer {profile.payer_id}: {len(profile.rules.codes_requiring_auth)} codes need authorization, "
         f"timely filing {profile.rules.timely_filing_days} days")


@payers_app.command("list")
def payers_list(unit: Annotated[str, typer.Option(help="A unit of the organization.")]) -> None:
    """The latest profile of each payer."""
    from api.errors import ServiceError
    from api.services.revenue import payer_profiles

    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            profiles = payer_profiles(conn, unit_code=unit)
        except ServiceError as exc:
            raise UserError(exc.detail) from None
    for p in profiles:
        echo(f"{p.payer_id:<12} {p.name or '':<24} category={p.category or '-':<11} auth codes="
             f"{','.join(p.rules.codes_requiring_auth) or '-'} timely filing={p.rules.timely_filing_days}d")
