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
    data: Annotated[Optional[Path], typer.Option(help="Labeled data; without it the suite's own (triage: the written development test set, w6; "
                          "the others: synthetic data).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default evals-out/<suite>).")] = None,
    remits: Annotated[Optional[Path], typer.Option(
        help="claims suite: an 835 file or a folder of them; each claim payment is matched to --data by claim id.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    retrain: Annotated[bool, typer.Option(help="Train a model afresh for this run instead of judging the "
                                                "registered one the service loads (triage).")] = False,
    register: Annotated[bool, typer.Option(help="Register the model the suite trained, admitted by this run, "
                                                "when every gate passes (no-show suite).")] = False,
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
    if register and suite not in REGISTERING_SUITES:
        raise UserError(f"--register: the {suite} suite trains no model to register; "
                        f"use it with {', '.join(REGISTERING_SUITES)}")
    if retrain and suite not in RETRAINING_SUITES:
        raise UserError(f"--retrain: the {suite} suite has no registered model to replace; "
                        f"use it with {', '.join(RETRAINING_SUITES)}")
    options: dict[str, object] = {"registry": str(out / "model")} if register else {}
    if remits is not None:
        options["remits"] = remits
    if retrain:
        options["retrain"] = True
    try:
        result = run_suite(suite, data=data, out=out, progress=progress, options=options or None)
    except LookupError as exc:
        if isinstance(exc, KeyError):
            raise UserError(f"--data: {exc}") from None
        raise UserError(str(exc)) from None  # e.g. no registered model: says to train one or pass --retrain
    except (ValueError, FileNotFoundError) as exc:
        raise UserError(f"--data: {exc}") from None
    echo(f"wrote {result.metrics_path}, {result.report_path}, {result.card_path} in {result.seconds:.1f} s")
    for gate in result.failed_gates:
        echo(f"GATE FAILED: {gate.describe()}")
    if result.failed_gates:
        if register:
            echo("not registered: a gate failed")
        raise typer.Exit(1)
    if register:
        for version in _register_admitted(out / "model", metrics_path=result.metrics_path,
                                          report_path=result.report_path):
            echo(f"registered {version.name} {version.version}, admitted by this {suite} run")


REGISTERING_SUITES = ("noshow",)
RETRAINING_SUITES = ("triage",)  # the suites that judge the registered model unless told to train one


def _register_admitted(folder: Path, *, metrics_path: Path, report_path: Path) -> list:
    """Register the model folders a suite wrote, each admitted by the run whose metrics.json is given."""
    import json
    from datetime import datetime

    from api.cli.common import cli_runtime
    from tools.model_registry import Admission, read_model_folder, register_model

    doc = json.loads(metrics_path.read_text(encoding="utf-8"))
    data = doc.get("data") or {}
    admission = Admission(
        suite=doc["suite"], run_at=datetime.fromisoformat(doc["created_at"]), report=str(report_path),
        data=f"{data.get('path') or data.get('kind')} (sha256 {data.get('sha256')})",
        metrics={k: float(v) for k, v in doc["metrics"].items() if isinstance(v, int | float)},
        gates_passed=all(g.get("passed", True) for g in doc.get("gates", [])))
    registered = []
    with cli_runtime() as rt, rt.pool.connection() as conn:
        for meta_file in sorted(folder.glob("*/*/meta.json")):
            estimators, meta = read_model_folder(meta_file.parent)
            registered.append(register_model(conn, estimators=estimators, meta=meta, registered_by="cli:evals",
                                             admitted_by=admission))
    return registered
