"""`handoff patients import`: load the clinic's patient registry from a CSV (Handoff's columns or
Synthea's patients.csv) or FHIR R4 Patient resources (Bundle, Patient or NDJSON). Idempotent; the
report names problems by line or entry, never by a patient's details."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import UserError, cli_runtime, echo, read_input_file, settings

app = typer.Typer(help="The patient registry.", no_args_is_help=True)


@app.command("import")
def patients_import(
    files: Annotated[list[Path], typer.Argument(help="CSV or FHIR JSON files (Bundles, Patients, NDJSON).")],
) -> None:
    """Import patients: new ones are added, known ones (by MRN) updated, conflicts reported and left."""
    from api.errors import ServiceError
    from api.services.admin import the_organization
    from api.services.registry import import_registry

    operator = settings().operator_name
    totals = {"new": 0, "updated": 0, "unchanged": 0, "conflicts": 0}
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            org = the_organization(conn)
        except ServiceError as exc:
            raise UserError(exc.detail) from None
        for n, path in enumerate(files, start=1):
            label = f"file {n} of {len(files)}"  # not its name: Synthea and EHR exports name files after patients
            data = read_input_file(path, label=label)
            try:
                report = import_registry(conn, org_id=org.id, data=data, source=label, actor=operator)
            except ServiceError as exc:
                raise UserError(f"{label}: {exc.detail}") from None
            echo(f"{label} ({report.format}): {report.read} read, {report.new} new, {report.updated} updated, "
                 f"{report.unchanged} unchanged, {len(report.conflicts)} conflicts, {len(report.skipped)} skipped")
            for line in report.conflicts + report.skipped:
                echo(f"  {line}")
            for k in ("new", "updated", "unchanged"):
                totals[k] += getattr(report, k)
            totals["conflicts"] += len(report.conflicts)
    if len(files) > 1:
        echo("total: " + ", ".join(f"{v} {k}" for k, v in totals.items()))
