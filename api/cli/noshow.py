"""`handoff noshow`: train the no-show model, and score a day's appointments through the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, echo

app = typer.Typer(help="The no-show agent: train a model, score a day.", no_args_is_help=True)


@app.command("train")
def noshow_train(
    data: Annotated[Optional[Path], typer.Option(help="The public no-show CSV or Handoff's appointment CSV; "
                                                      "without it, the store's own appointments and outcomes.")] = None,
    unit: Annotated[Optional[list[str]], typer.Option(help="With no --data: only these units' history.")] = None,
) -> None:
    """Train and register a no-show model (skops bytes in the database's model registry): from the
    clinic's own history in the store (appointments before today with a known outcome), or from a file."""
    if data is None:
        _train_from_store(unit)
        return
    from tools.model_registry import register_model
    from tools.noshow.datasets import file_sha256, load_appointments
    from tools.noshow.model import train

    if not data.is_file():
        raise UserError(f"--data: {data} is not a file")
    try:
        frame = load_appointments(data)
    except ValueError as exc:
        raise UserError(f"--data: {exc}") from None
    model = train(frame, data_sha256=file_sha256(data), data_source=str(data))
    with cli_runtime() as rt, rt.pool.connection() as conn:
        register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="cli:noshow-train")
    echo(f"registered no-show model {model.meta.version} (not admitted by an eval run: "
         "`handoff evals run --suite noshow --data PATH --register` evaluates and registers)")


def _train_from_store(units: list[str] | None) -> None:
    from datetime import date

    from agents.noshow import NotEnoughHistory, train_from_store

    with cli_runtime() as rt:
        try:
            model = train_from_store(rt, before=date.today(), unit_codes=units or None, n_threads=None)
        except NotEnoughHistory as exc:
            raise UserError(str(exc)) from None
    m = model.meta
    echo(f"registered no-show model {m.version} from the store ({m.n_train} appointments to train, "
         f"{m.n_calibration} to calibrate; days {m.train_start}..{m.calibration_end})")


@app.command("score")
def noshow_score(
    date_: Annotated[str, typer.Option("--date", help="The day to score, YYYY-MM-DD (usually tomorrow).")],
    unit: Annotated[Optional[list[str]], typer.Option(help="Service unit code(s); default all.")] = None,
) -> None:
    """Score a day's appointments and route the suggested actions through the gate."""
    from datetime import date as date_type

    from agents.noshow import NoModel, score_day
    from store import org as org_store

    try:
        day = date_type.fromisoformat(date_)
    except ValueError:
        raise UserError(f"--date: {date_!r} is not YYYY-MM-DD") from None
    with cli_runtime() as rt:
        try:
            with rt.pool.connection() as conn:
                codes = unit or [u.code for u in org_store.list_units(conn)]
            for code in codes:
                summary = score_day(rt, unit_code=code, day=day)
                echo(f"{code}: {summary.scored} appointments scored, {summary.auto} actions auto-applied, "
                     f"{summary.review} sent to review" + (" (already scored)" if summary.already_done else ""))
        except NoModel as exc:
            raise UserError(str(exc)) from None
