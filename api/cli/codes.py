"""`handoff codes`: load CMS code tables and ICD-10-CM into Postgres, as data with effective dates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo, settings

app = typer.Typer(help="Code tables (CMS quarterly files, ICD-10-CM) as data.", no_args_is_help=True)


@app.command("import")
def codes_import(
    data_dir: Annotated[Optional[Path], typer.Option(help="Folder with icd10cm/, ncci/ and codes/ (default HANDOFF_DATA_DIR).")] = None,
) -> None:
    """Load the code tables into Postgres with their effective dates; re-importing a file is a no-op."""
    from tools.claims.code_tables import import_code_tables

    folder = data_dir or settings().data_dir
    if not folder.is_dir():
        raise UserError(f"--data-dir: {folder} is not a folder")
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            reports = import_code_tables(conn, data_dir=folder, actor="cli")
        except FileNotFoundError as exc:
            raise UserError(f"--data-dir: {exc}") from None
    for r in reports:
        echo(f"{r.table:<10} {r.status:<12} {r.rows:>9,} rows  {r.source_file}  ({r.seconds:.1f} s)")
