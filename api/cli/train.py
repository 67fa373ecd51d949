"""`handoff train`: retrain and register local models."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import cli_runtime, echo

app = typer.Typer(help="Train and register local models.", no_args_is_help=True)


@app.command("intake")
def train_intake(
    n: Annotated[int, typer.Option(min=100, max=20000, help="Synthetic training items.")] = 1200,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic corpus.")] = 11,
    with_reviews: Annotated[bool, typer.Option(help="Add reviewers' final labels as training data.")] = True,
) -> None:
    """Train the local intake classifier on the synthetic corpus plus reviewers' decisions, and register it."""
    from store import intake as intake_store
    from tools.intake.training import register_intake_classifier, train_synthetic_intake

    with cli_runtime() as rt:
        extra = []
        if with_reviews:
            with rt.pool.connection() as conn:
                extra = intake_store.reviewed_parts(conn)
        clf = train_synthetic_intake(n=n, seed=seed, extra=extra)
        with rt.pool.connection() as conn:
            register_intake_classifier(conn, clf, registered_by="cli:train")
    echo(f"registered intake classifier {clf.version} ({n} synthetic + {len(extra)} reviewed items); "
         "running workers use it from their next item")
