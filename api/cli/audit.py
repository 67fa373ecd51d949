"""`handoff audit`: walk the hash chain, and write anchors to keep outside the database's machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo

app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@app.command("verify")
def audit_verify(
    anchor: Annotated[Optional[Path], typer.Option(help="An anchor file written earlier by `handoff audit anchor --out`.")] = None,
    incremental: Annotated[bool, typer.Option(help="Walk only the rows after the last verified anchor (or after --anchor).")] = False,
) -> None:
    """Walk the hash chain; exits 1 naming the first bad row. Each successful walk records the heads
    it reached, so the next `--incremental` walk starts there."""
    from store import audit

    anchor_ = None
    if anchor is not None:
        try:
            anchor_ = audit.Anchor.from_json(anchor.read_text())
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"--anchor: cannot read an anchor from {anchor}: {exc.__class__.__name__}") from None
    with cli_runtime() as rt, rt.pool.connection() as conn:
        report = audit.verify_chain(conn, anchor=anchor_, incremental=incremental,
                                    since=anchor_ if incremental and anchor_ and anchor_.heads else None)
    if report.ok:
        how = "rows since the last anchor" if report.incremental else "rows"
        echo(f"audit chain OK: {report.rows} {how}, head seq {report.head_seq} hash {report.head_hash}")
        return
    echo(f"audit chain BROKEN at {report.first_problem}")
    raise typer.Exit(1)


@app.command("anchor")
def audit_anchor(
    out: Annotated[Optional[Path], typer.Option(help="Also append the anchor to this file (keep it outside the database's machine).")] = None,
) -> None:
    """Print the heads of the chain (seq, hash and each shard's head); compare later with `audit verify --anchor`."""
    from store import audit

    with cli_runtime() as rt, rt.pool.connection() as conn:
        a = audit.current_anchor(conn)
    echo(a.to_json())
    if out is not None:
        try:
            out.write_text(a.to_json() + "\n")
        except OSError as exc:
            raise UserError(f"--out: cannot write {out}: {exc.strerror}") from None
