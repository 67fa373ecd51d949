"""The `handoff` command line: one module per command group, assembled here. Errors a user can
cause exit 2 with one clear line, never a trace."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from api.cli import (audit, bench, codes, db, demo, evals, ingest, init, models, noshow, patients, policy, referrals,
                     revenue, serve, train, units, users)
from api.cli.common import UserError, settings

app = typer.Typer(
    help="Handoff: governed AI agents for clinic operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a rich trace with locals could show PHI
)
app.command()(serve.serve)
app.command()(serve.worker)
app.command()(demo.demo)
app.command()(init.init)
app.command()(ingest.watch)
for name, group in (("db", db.app), ("users", users.app), ("audit", audit.app), ("policy", policy.app),
                    ("ingest", ingest.app), ("train", train.app), ("codes", codes.app), ("evals", evals.app),
                    ("noshow", noshow.app), ("bench", bench.app), ("eligibility", revenue.eligibility_app),
                    ("auths", revenue.auths_app), ("claims", revenue.claims_app), ("payers", revenue.payers_app),
                    ("referrals", referrals.app), ("models", models.app), ("units", units.app),
                    ("patients", patients.app)):
    app.add_typer(group, name=name)


def main(argv: list[str] | None = None) -> None:
    """Entry point: map errors a user can cause to one line and exit 2."""
    from agents.policy import NotAllowed
    from store.db import DatabaseUnavailable
    from store.org import UnitExists, UnknownUnit, UnknownUser, UserExists
    from store.policy import PolicyConflict

    from agents.runtime import configure_logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    configure_logging(settings())
    try:
        rc = app(args=argv, prog_name="handoff", standalone_mode=False)
        # Without standalone mode click returns the code of typer.Exit instead of raising it.
        if isinstance(rc, int) and rc != 0:
            sys.exit(rc)
    except (UserError, UnknownUnit, UnknownUser, UnitExists, UserExists, NotAllowed, PolicyConflict,
            DatabaseUnavailable) as exc:
        typer.echo(f"handoff: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:
        if hasattr(exc, "format_message") and getattr(exc, "exit_code", None) == 2:
            # A usage error from typer's click: wrong command, missing or bad option.
            typer.echo(f"handoff: {exc.format_message()}", err=True)
            sys.exit(2)
        _log_internal_error(exc)
        typer.echo(f"handoff: internal error ({exc.__class__.__name__}); details in {_error_log_path()}", err=True)
        sys.exit(1)


def _error_log_path() -> Path:
    return settings().home / "logs" / "cli-errors.log"


def _log_internal_error(exc: BaseException) -> None:
    """Keep the frames (not the message, which may quote data) for an engineer to read."""
    import traceback

    try:
        path = _error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        frames = "".join(traceback.format_tb(exc.__traceback__))
        with path.open("a") as fh:
            fh.write(f"--- {exc.__class__.__module__}.{exc.__class__.__name__}\n{frames}")
    except OSError:
        pass
