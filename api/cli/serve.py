"""`handoff serve` and `handoff worker`: the API with its pages, and background job workers."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import cli_runtime


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run a job worker in this process.")] = True,
) -> None:
    """Serve the API and pages (with an in-process job worker by default)."""
    import uvicorn

    from api.app import create_app

    with cli_runtime() as rt:
        uvicorn.run(create_app(runtime=rt, worker=worker), host=host, port=port, log_level="info")


def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 1,
    once: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
) -> None:
    """Run a background job worker (any number may run against one database)."""
    from agents.jobs import run_worker

    with cli_runtime() as rt:
        run_worker(rt, concurrency=concurrency, wait=not once)
