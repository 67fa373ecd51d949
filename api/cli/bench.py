"""`handoff bench run [--quick]`: the benchmark suite (bench/), every figure beside its goal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from api.cli.common import UserError, echo

app = typer.Typer(help="Benchmarks: figures beside their goals.", no_args_is_help=True)


@app.command("run")
def bench_run(
    quick: Annotated[bool, typer.Option(help="Small sizes (a smoke run of a few minutes; goals not judged).")] = False,
    out: Annotated[Path, typer.Option(help="Where bench.json and report.md go.")] = Path("bench-results"),
    only: Annotated[Optional[list[str]], typer.Option(help="Run only this bench (repeat for several).")] = None,
    vectors: Annotated[Optional[int], typer.Option(min=1000, help="Vectors for the pgvector bench (full: 1,000,000).")] = None,
    day_scale: Annotated[Optional[float], typer.Option(min=0.001, max=1.0, help="Share of a clinic's day to run "
                                                       "(full: 1.0); the day's time is scaled up from it.")] = None,
    faxes: Annotated[Optional[int], typer.Option(min=1, help="Faxes for the turnaround bench (full: 20).")] = None,
) -> None:
    """Run the benches on a private embedded PostgreSQL and write bench.json and report.md."""
    try:
        from bench import suite
    except ImportError:
        raise UserError("the bench/ folder is not installed here; run from a checkout of Handoff") from None
    unknown = [b for b in only or [] if b not in suite.BENCHES]
    if unknown:
        raise UserError(f"--only: no bench named {unknown[0]!r}; the benches are {', '.join(suite.BENCHES)}")
    report = suite.run(quick=quick, out_dir=out, only=list(only or []) or None, progress=lambda m: typer.echo(m, err=True),
                       vectors=vectors, day_scale=day_scale, faxes=faxes)
    echo(report.read_text())
    echo(f"figures in {out / 'bench.json'}, report in {report}")
