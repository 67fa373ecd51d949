"""`handoff evals`: list and run the evaluation suites (the CLI's one door into evals/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, echo

app = typer.Typer(help="Evaluation suites: accuracy, calibration, fairness, model cards.", no_args_is_help=True)


@app.command("list")
def evals_list() -> None:
    """List the evaluation suites."""
    from evals.runner import list_suites

    for name, description in list_suites():
        echo(f"{name:<10} {description}")


@app.command("run")
def evals_run(
    suite: Annotated[str, typer.Option(help="Suite name (see `handoff evals list`).")],
    data: Annotated[Optional[Path], typer.Option(help="Labeled data; without it the suite uses synthetic data.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default evals-out/<suite>).")] = None,
    remits: Annotated[Optional[Path], typer.Option(
        help="claims suite: an 835 file or a folder of them; each claim payment is matched to --data by claim id.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run a suite: writes metrics.json, report.html (+ PNG plots) and model_card.md; exits 1 when a gate fails."""
    from evals.runner import list_suites, run_suite

    names = [n for n, _ in list_suites()]
    if suite not in names:
        raise UserError(f"--suite: unknown suite {suite!r}; use one of {', '.join(names)}")
    if data is not None and not data.exists():
        raise UserError(f"--data: {data} does not exist")
    if remits is not None and (suite != "claims" or data is None):
        raise UserError("--remits: only with --suite claims and --data (the claims the 835s answer)")
    if remits is not None and not remits.exists():
        raise UserError(f"--remits: {remits} does not exist")
    out = out or Path("evals-out") / suite
    try:
        result = run_suite(suite, data=data, out=out, progress=progress,
                           options={"remits": remits} if remits is not None else None)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        raise UserError(f"--data: {exc}") from None
    echo(f"wrote {result.metrics_path}, {result.report_path}, {result.card_path} in {result.seconds:.1f} s")
    for gate in result.failed_gates:
        echo(f"GATE FAILED: {gate.describe()}")
    if result.failed_gates:
        raise typer.Exit(1)
