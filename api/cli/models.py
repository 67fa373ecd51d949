"""`handoff models`: the model registry — list the registered versions, and import the model folders
older installs kept under HANDOFF_HOME/models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo, settings

app = typer.Typer(help="The model registry: every version of every model, with what admitted it.",
                  no_args_is_help=True)


@app.command("list")
def models_list(
    name: Annotated[Optional[str], typer.Option(help="Only this model (intake, noshow, denial).")] = None,
) -> None:
    """Every registered version, oldest first: who registered it, when, its sha256 and its admission."""
    from tools.model_registry import list_versions

    with cli_runtime() as rt, rt.pool.connection() as conn:
        versions = list_versions(conn, name=name)
    if not versions:
        echo("no models registered" + (f" named {name}" if name else ""))
    for v in versions:
        admitted = (f"admitted by the {v.admitted_by.suite} run of {v.admitted_by.run_at:%Y-%m-%d %H:%M}"
                    if v.admitted_by else "not admitted by an eval run")
        echo(f"{v.name:<18} {v.version:<32} {v.registered_at:%Y-%m-%d %H:%M} by {v.registered_by}; "
             f"sha256 {v.sha256[:12]}; {admitted}")


@app.command("import")
def models_import(
    dir_: Annotated[Optional[Path], typer.Option("--dir", help="Folder of <name>/<version>/ model folders "
                                                               "(default HANDOFF_HOME/models).")] = None,
) -> None:
    """Register the file-based models of an older install (each version once; types checked)."""
    from tools.model_registry import UntrustedModelError, import_model_folders

    folder = dir_ or settings().model_dir
    if not folder.is_dir():
        raise UserError(f"--dir: {folder} is not a folder")
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            imported = import_model_folders(conn, folder, registered_by="cli:models-import")
        except UntrustedModelError as exc:
            raise UserError(f"--dir: {exc}") from None
    for v in imported:
        echo(f"imported {v.name} {v.version}")
    echo(f"{len(imported)} model versions imported from {folder}")
