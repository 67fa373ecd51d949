"""What every command shares: the one-line user error, settings, and a runtime that is always closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from models.settings import Settings

if TYPE_CHECKING:
    from agents.runtime import Runtime


class UserError(Exception):
    """Something the user can fix; printed as one line, exit 2."""


def read_input_file(path: Path, *, label: str | None = None) -> bytes:
    """A file the user named, or a one-line UserError saying why it cannot be read (named by `label`
    instead of its path when the path itself may be PHI)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"{label or path}: cannot read ({exc.strerror})") from None


def settings() -> Settings:
    return Settings()


@contextmanager
def cli_runtime(*, migrate: bool = True) -> Iterator[Runtime]:
    """Open the database pool (and the checkpointer on first use) for one command; always closed."""
    from agents.runtime import open_runtime

    rt = open_runtime(settings(), migrate=migrate)
    try:
        yield rt
    finally:
        rt.close()


def configure_server_logging(cfg: Settings, *, process: str) -> None:
    """Logs (JSON or text, HANDOFF_LOG_FORMAT) and spans (HANDOFF_OTEL_EXPORTER) of a server process."""
    from api.observability import configure_logging
    from tools.telemetry import configure_tracing

    configure_logging(fmt=cfg.log_format, level=cfg.log_level, process=process)
    try:
        configure_tracing(cfg.otel_exporter, service_name=f"handoff-{process}", endpoint=cfg.otel_endpoint)
    except RuntimeError as exc:
        raise UserError(str(exc)) from None


def echo(msg: str) -> None:
    typer.echo(msg)


def drain_jobs(rt: Runtime) -> None:
    """Run queued jobs in this process until the queue is empty (`--process`)."""
    from agents.jobs import run_worker

    run_worker(rt, wait=False)
