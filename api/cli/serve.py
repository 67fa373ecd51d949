"""`handoff serve` and `handoff worker`: the API with its pages, and background job workers."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from api.cli.common import UserError, cli_runtime, configure_server_logging, settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run a job worker in this process.")] = True,
) -> None:
    """Serve the API and pages (with an in-process job worker by default)."""
    import uvicorn

    from api.app import create_app

    configure_server_logging(settings(), process="api")
    with cli_runtime() as rt:
        # Uvicorn's own access log would print query strings (which may hold values): ours, from
        # api.observability, prints the route template, the status and the request id instead.
        uvicorn.run(create_app(runtime=rt, worker=worker), host=host, port=port, log_config=None, access_log=False)


def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 1,
    once: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
    queue: Annotated[Optional[list[str]], typer.Option(help="Take jobs only from this queue (repeat for several): "
                                                       "inbound, decisions, maintenance. Default: every queue.")] = None,
    metrics_port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="Serve this worker's Prometheus "
                                                        "metrics (LLM, OCR, jobs) on 127.0.0.1:PORT/metrics.")] = None,
    metrics_host: Annotated[str, typer.Option(help="Address for --metrics-port.")] = "127.0.0.1",
) -> None:
    """Run a background job worker (any number may run against one database, on any host)."""
    from agents.jobs import known_queues, run_worker

    known = known_queues()
    unknown = [q for q in queue or [] if q not in known]
    if unknown:
        raise UserError(f"--queue: no queue named {unknown[0]!r}; the queues are {', '.join(known)}")
    cfg = settings()
    configure_server_logging(cfg, process="worker")
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host)
    with cli_runtime() as rt:
        run_worker(rt, concurrency=concurrency, wait=not once, queues=list(queue or []) or None)
