"""`handoff train`: retrain and register local models."""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer

from api.cli.common import UserError, cli_runtime, echo

app = typer.Typer(help="Train and register local models.", no_args_is_help=True)


@app.command("intake")
def train_intake(
    include_dev: Annotated[bool, typer.Option(help="Also train on the development test set (author w6); the "
                                                   "triage suite's default run is then no longer a clean test.")] = False,
    templates: Annotated[int, typer.Option(min=0, max=20000, help="Synthetic template items as augmentation.")] = 600,
    seed: Annotated[int, typer.Option(help="Seed of the template augmentation.")] = 11,
    with_reviews: Annotated[bool, typer.Option(help="Add reviewers' final labels as training data.")] = True,
) -> None:
    """Train the intake models on the hand-written corpus (+ template augmentation and reviewers' decisions), and register them."""
    from store import intake as intake_store
    from tools.intake.training import CorpusError, register_intake_classifier, train_service_intake

    with cli_runtime() as rt:
        extra = []
        if with_reviews:
            with rt.pool.connection() as conn:
                extra = intake_store.reviewed_parts(conn)
        try:
            clf = train_service_intake(include_dev=include_dev, n_templates=templates, seed=seed, extra=extra,
                                       cache=rt.settings.home / "cache" / "embeddings.npz")
        except CorpusError as exc:
            raise UserError(str(exc)) from None
        with rt.pool.connection() as conn:
            register_intake_classifier(conn, clf, registered_by="cli:train")
    report = clf.meta.params.get("auto_threshold_report", {})
    echo(f"registered intake model {clf.version} ({clf.meta.data_source}); cross-fitted auto rate "
         f"{report.get('auto_rate', 0):.3f} with error upper bound {report.get('upper95', 1):.3f}; "
         "running workers use it from their next item")
    thresholds = clf.meta.params.get("auto_thresholds")
    if thresholds:
        # Rounded up, so the printed value never auto-routes an item the chosen one would not.
        shown = {k: math.ceil(v * 1000) / 1000 for k, v in sorted(thresholds.items())}
        echo("its auto-routing thresholds (a unit's policy min_confidence; models/governance.py "
             f"INTAKE_MIN_CONFIDENCE for new units): {json.dumps(shown)}")
