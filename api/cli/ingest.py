"""`handoff ingest` and `handoff watch`: accept faxes, portal messages, referrals, claims and a
clinic's appointments. Whatever is accepted is stored before any processing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.common import UserError, cli_runtime, drain_jobs, echo, read_input_file

if TYPE_CHECKING:
    from agents.runtime import Runtime

app = typer.Typer(help="Accept inbound faxes, portal messages, referrals, claims and appointments.", no_args_is_help=True)


def _accept_files(rt: Runtime, channel: str, files: list[Path], unit: str) -> None:
    from api.errors import ServiceError
    from api.services.intake import accept

    for path in files:
        data = read_input_file(path)
        with rt.pool.connection() as conn:
            try:
                out = accept(conn, rt, user=None, actor="cli", unit_code=unit, channel=channel, data=data,
                             filename=path.name)
            except ServiceError as exc:
                raise UserError(f"{path}: {exc.detail}") from None
        echo(f"{path}: {'accepted' if out.created else 'already received'} as {out.item_id}"
             + (f" ({out.note})" if out.note and out.created else ""))


def _accept_and_maybe_process(channel: str, files: list[Path], unit: str, *, process: bool) -> None:
    with cli_runtime() as rt:
        _accept_files(rt, channel, files, unit)
        if process:
            drain_jobs(rt)


@app.command("fax")
def ingest_fax(
    files: Annotated[list[Path], typer.Argument(help="PDF, TIFF, PNG or JPEG files.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept faxes (stored before processing; re-sending the same file is a no-op)."""
    _accept_and_maybe_process("fax", files, unit, process=process)


@app.command("referral")
def ingest_referral(
    file: Annotated[Path, typer.Argument(help="Handoff referral JSON, or a FHIR R4 ServiceRequest/Bundle.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept a referral."""
    _accept_and_maybe_process("referral", [file], unit, process=process)


@app.command("claims")
def ingest_claims(
    file: Annotated[Path, typer.Argument(help="Handoff claims JSON or an X12 837P file.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept claims to check before submission; a bad file names the field or segment."""
    _accept_and_maybe_process("claim", [file], unit, process=process)


@app.command("appointments")
def ingest_appointments(
    file: Annotated[Path, typer.Argument(help="Handoff's appointment CSV (evals/README_appointments_csv.md).")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
) -> None:
    """Load a clinic's appointments (and their outcomes, when known) for no-show scoring."""
    from api.errors import ServiceError
    from api.services.scheduling import load_appointments_csv

    if not file.is_file():
        raise UserError(f"{file}: not a file")
    with cli_runtime() as rt, rt.pool.connection() as conn:
        try:
            out = load_appointments_csv(conn, unit_code=unit, path=file)
        except ServiceError as exc:
            raise UserError(exc.detail) from None
    span = f" from {out.days[0]} to {out.days[-1]}" if out.days else ""
    echo(f"{out.appointments} appointments{span} loaded; {out.new_patients} patients added to the registry")


@app.command("messages")
def ingest_messages(
    file: Annotated[Path, typer.Argument(help="JSON Lines, one portal message per line ({\"text\": ...}).")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept portal messages from a JSON Lines file; a bad line is reported with its number."""
    from api.errors import ServiceError
    from api.services.intake import accept, message_bytes

    try:
        lines = file.read_text().splitlines()
    except OSError as exc:
        raise UserError(f"{file}: cannot read ({exc.strerror})") from None
    with cli_runtime() as rt:
        accepted = 0
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                payload = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{file}: line {n}: not JSON ({exc.msg})") from None
            if not isinstance(payload, dict):
                raise UserError(f"{file}: line {n}: expected a JSON object with a text field")
            with rt.pool.connection() as conn:
                try:
                    out = accept(conn, rt, user=None, actor="cli", unit_code=unit, channel="message",
                                 data=message_bytes(payload))
                except ServiceError as exc:
                    raise UserError(f"{file}: line {n}: {exc.detail}") from None
            accepted += out.created
        echo(f"{accepted} new messages accepted")
        if process:
            drain_jobs(rt)


def watch(
    folder: Annotated[Path, typer.Argument(help="A folder a fax server drops files into.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    interval: Annotated[float, typer.Option(help="Seconds between scans.")] = 5.0,
    once: Annotated[bool, typer.Option(help="Scan once and stop.")] = False,
) -> None:
    """Watch a folder for faxes: each new file is accepted once (by content) and moved to .accepted/."""
    import time

    from api.errors import ServiceError
    from api.services.intake import DroppedFileRefused, accept, list_dropped_files, read_dropped_file

    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder")
    done = folder / ".accepted"
    done.mkdir(exist_ok=True)
    with cli_runtime() as rt:
        try:
            while True:
                # Regular files only, never through a symbolic link, size checked before reading.
                for path in list_dropped_files(folder):
                    if time.time() - path.lstat().st_mtime < 1:
                        continue  # still being written
                    try:
                        data = read_dropped_file(path)
                    except DroppedFileRefused as exc:
                        echo(f"{path.name}: refused: {exc}")
                        path.rename(folder / f".refused-{path.name}")
                        continue
                    with rt.pool.connection() as conn:
                        try:
                            out = accept(conn, rt, user=None, actor="watch", unit_code=unit, channel="fax",
                                         data=data, filename=path.name)
                        except ServiceError as exc:
                            echo(f"{path.name}: refused: {exc.detail}")
                            path.rename(folder / f".refused-{path.name}")
                            continue
                    path.rename(done / path.name)
                    echo(f"{path.name}: {'accepted' if out.created else 'already received'} as {out.item_id}")
                if once:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
