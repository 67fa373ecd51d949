"""The `handoff` command line. Errors a user can cause exit 2 with one clear line, never a trace."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from models.settings import Settings

app = typer.Typer(
    help="Handoff: governed AI agents for clinic operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a rich trace with locals could show PHI
)
db_app = typer.Typer(help="The database: status and migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)
policy_app = typer.Typer(help="Routing policy per service unit.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
evals_app = typer.Typer(help="Evaluation suites: accuracy, calibration, fairness, model cards.", no_args_is_help=True)
noshow_app = typer.Typer(help="The no-show agent: train a model, score a day.", no_args_is_help=True)
ingest_app = typer.Typer(help="Accept inbound faxes, portal messages and referrals.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(evals_app, name="evals")
app.add_typer(noshow_app, name="noshow")


class UserError(Exception):
    """Something the user can fix; printed as one line, exit 2."""


def _settings() -> Settings:
    return Settings()


def _runtime(migrate: bool = True):
    from agents.runtime import open_runtime

    return open_runtime(_settings(), migrate=migrate)


def _echo(msg: str) -> None:
    typer.echo(msg)


# --- serving and workers -----------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run a job worker in this process.")] = True,
) -> None:
    """Serve the API and pages (with an in-process job worker by default)."""
    import uvicorn

    from api.app import create_app

    rt = _runtime()
    uvicorn.run(create_app(runtime=rt, worker=worker), host=host, port=port, log_level="info")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 1,
    once: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
) -> None:
    """Run a background job worker (any number may run against one database)."""
    from agents.jobs import run_worker

    run_worker(_runtime(), concurrency=concurrency, wait=not once)


@app.command()
def demo(
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve while the day is loaded (else load it, process it, exit).")] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic clinic day.")] = 20261122,
    day: Annotated[bool, typer.Option("--day/--no-day", help="Load the synthetic clinic day (else only the organization).")] = True,
) -> None:
    """Seed a demo organization and a synthetic clinic day, then serve on localhost."""
    import threading

    from api.demo import DEMO_PASSWORD, run_demo_day, seed_demo

    rt = _runtime()
    logins = seed_demo(rt)
    _echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        _echo(f"  {login.username:<14} {login.role:<22} {', '.join(login.units)}")

    def load_day() -> None:
        if not day:
            return
        for line in run_demo_day(rt, seed=seed, on_error=lambda name, exc: _echo(
                f"  {name}: failed ({exc.__class__.__name__}); the rest of the day goes on")):
            _echo(f"  {line}")

    if not serve_:
        load_day()
        from agents.jobs import run_worker

        run_worker(rt, wait=False)
        _echo("The demo day is processed.")
        rt.close()
        return
    import uvicorn

    from api.app import create_app

    _echo(f"Serving on http://{host}:{port}  (health: http://{host}:{port}/healthz)")
    _echo("Loading the synthetic clinic day in the background; queues fill over the next minutes.")
    threading.Thread(target=load_day, name="demo-day", daemon=True).start()
    uvicorn.run(create_app(runtime=rt), host=host, port=port, log_level="warning")


# --- database ----------------------------------------------------------------------------------


@db_app.command("status")
def db_status() -> None:
    """Show which migrations are applied and pending."""
    from store import db
    from store.migrate import migration_status

    url = db.database_url(_settings())
    with db.connect(url, autocommit=True) as conn:
        st = migration_status(conn)
    _echo(f"applied: {', '.join(map(str, st.applied)) or 'none'}")
    _echo(f"pending: {', '.join(map(str, st.pending)) or 'none'}")
    if st.changed:
        _echo(f"changed since applied (do not edit applied migrations): {', '.join(map(str, st.changed))}")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (also done at every start)."""
    from store import db
    from store.migrate import migrate

    url = db.database_url(_settings())
    with db.connect(url, autocommit=True) as conn:
        done = migrate(conn)
    _echo(f"applied: {', '.join(map(str, done))}" if done else "up to date")


# --- users -------------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Option(help="Username (lower case, digits, . _ - @).")],
    role: Annotated[str, typer.Option(help="Role: front_desk, referral_coordinator, nurse, biller, practice_manager, compliance, engineer, admin.")],
    unit: Annotated[list[str], typer.Option(help="Service unit code; repeat for several units.")],
    display_name: Annotated[Optional[str], typer.Option(help="Name shown in pages.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input instead of generating one.")] = False,
) -> None:
    """Add a user with a role in one or more units; prints a generated password once."""
    from api.security import generate_password, hash_password
    from models.org import Role
    from store import org as org_store

    try:
        role_ = Role(role)
    except ValueError:
        raise UserError(f"--role: unknown role {role!r}; use one of {', '.join(r.value for r in Role)}") from None
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    rt = _runtime()
    with rt.pool.connection() as conn, conn.transaction():
        units = [org_store.get_unit_by_code(conn, code=c) for c in unit]
        user = org_store.create_user(conn, org_id=units[0].org_id, username=name, display_name=display_name or name,
                                     password_hash=password_hash, actor="cli")
        for u in units:
            org_store.grant_role(conn, user_id=user.id, unit_id=u.id, role=role_, actor="cli")
    _echo(f"added {name} as {role_.value} in {', '.join(unit)}")
    if not password_stdin:
        _echo(f"password (shown once): {password}")


@users_app.command("list")
def users_list() -> None:
    """List users with their roles and units."""
    from store import org as org_store

    rt = _runtime()
    with rt.pool.connection() as conn:
        for r in org_store.list_users(conn):
            _echo(f"{r['username']:<16} {r['role'] or '-':<22} {r['unit_code'] or '-':<16} {'active' if r['active'] else 'inactive'}")


# --- audit -------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[Optional[Path], typer.Option(help="An anchor file written earlier by `handoff audit anchor --out`.")] = None,
) -> None:
    """Walk the hash chain; exits 1 naming the first bad row."""
    from store import audit

    anchor_ = None
    if anchor is not None:
        try:
            anchor_ = audit.Anchor.from_json(anchor.read_text())
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"--anchor: cannot read an anchor from {anchor}: {exc.__class__.__name__}") from None
    rt = _runtime()
    with rt.pool.connection() as conn:
        report = audit.verify_chain(conn, anchor=anchor_)
    if report.ok:
        _echo(f"audit chain OK: {report.rows} rows, head seq {report.head_seq} hash {report.head_hash}")
        return
    _echo(f"audit chain BROKEN at {report.first_problem}")
    raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    out: Annotated[Optional[Path], typer.Option(help="Also append the anchor to this file (keep it outside the database's machine).")] = None,
) -> None:
    """Print the chain head (seq and hash); compare later with `audit verify --anchor`."""
    from store import audit

    rt = _runtime()
    with rt.pool.connection() as conn:
        a = audit.current_anchor(conn)
    _echo(a.to_json())
    if out is not None:
        try:
            out.write_text(a.to_json() + "\n")
        except OSError as exc:
            raise UserError(f"--out: cannot write {out}: {exc.strerror}") from None


# --- policy ------------------------------------------------------------------------------------


@policy_app.command("show")
def policy_show(unit: Annotated[str, typer.Option(help="Service unit code.")]) -> None:
    """Print the unit's current policy as JSON, with its version."""
    from agents.policy import show_policy

    rt = _runtime()
    with rt.pool.connection() as conn:
        pv = show_policy(conn, unit_code=unit)
    if pv is None:
        raise UserError(f"--unit: {unit} has no policy yet")
    _echo(json.dumps({"unit": unit, "version": pv.version, "changed_by": pv.changed_by,
                      "changed_at": pv.changed_at.isoformat(), "policy": pv.policy.model_dump(mode="json")}, indent=2))


@policy_app.command("set")
def policy_set(
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    file: Annotated[Path, typer.Option(help="JSON with the policy keys to change (merged over the current policy).")],
    by: Annotated[str, typer.Option(help="Username of the admin or practice manager making the change.")],
    expected_version: Annotated[Optional[int], typer.Option(help="The version you edited; refused if it changed since.")] = None,
    note: Annotated[Optional[str], typer.Option(help="Why the policy changes (kept in the log).")] = None,
) -> None:
    """Change a unit's policy: a new version, logged, by an admin or practice manager."""
    from agents.policy import set_policy, show_policy
    from models.governance import Policy
    from store import org as org_store

    try:
        changes = json.loads(file.read_text())
    except OSError as exc:
        raise UserError(f"--file: cannot read {file}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"--file: {file} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(changes, dict):
        raise UserError("--file: the JSON must be an object of policy keys")
    rt = _runtime()
    with rt.pool.connection() as conn, conn.transaction():
        found = org_store.get_user_by_username(conn, username=by)
        if found is None:
            raise UserError(f"--by: no user named {by!r}")
        current = show_policy(conn, unit_code=unit)
        base = current.policy.model_dump(mode="json") if current else {}
        try:
            policy = Policy.model_validate({**base, **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "policy"
            raise UserError(f"--file: {field}: {first['msg']}") from None
        pv = set_policy(conn, unit_code=unit, policy=policy, editor=found[0],
                        expected_version=expected_version, note=note)
    _echo(f"policy of {unit} is now version {pv.version}")


# --- ingest ------------------------------------------------------------------------------------


def _accept_files(channel: str, files: list[Path], unit: str, *, process: bool) -> None:
    from api.errors import ServiceError
    from api.services.intake import accept

    rt = _runtime()
    try:
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise UserError(f"{path}: cannot read ({exc.strerror})") from None
            with rt.pool.connection() as conn:
                try:
                    out = accept(conn, rt, user=None, actor="cli", unit_code=unit, channel=channel, data=data,
                                 filename=path.name)
                except ServiceError as exc:
                    raise UserError(f"{path}: {exc.detail}") from None
            _echo(f"{path}: {'accepted' if out.created else 'already received'} as {out.item_id}"
                  + (f" ({out.note})" if out.note and out.created else ""))
        if process:
            from agents.jobs import run_worker

            run_worker(rt, wait=False)
    finally:
        rt.close()


@ingest_app.command("fax")
def ingest_fax(
    files: Annotated[list[Path], typer.Argument(help="PDF, TIFF, PNG or JPEG files.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept faxes (stored before processing; re-sending the same file is a no-op)."""
    _accept_files("fax", files, unit, process=process)


@ingest_app.command("referral")
def ingest_referral(
    file: Annotated[Path, typer.Argument(help="Handoff referral JSON, or a FHIR R4 ServiceRequest/Bundle.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept a referral."""
    _accept_files("referral", [file], unit, process=process)


@ingest_app.command("claims")
def ingest_claims(
    file: Annotated[Path, typer.Argument(help="Handoff claims JSON or an X12 837P file.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    process: Annotated[bool, typer.Option(help="Process now (otherwise a worker does).")] = True,
) -> None:
    """Accept claims to check before submission; a bad file names the field or segment."""
    _accept_files("claim", [file], unit, process=process)


train_app = typer.Typer(help="Train and register local models.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("intake")
def train_intake(
    n: Annotated[int, typer.Option(min=100, max=20000, help="Synthetic training items.")] = 1200,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic corpus.")] = 11,
    with_reviews: Annotated[bool, typer.Option(help="Add reviewers' final labels as training data.")] = True,
) -> None:
    """Train the local intake classifier on the synthetic corpus plus reviewers' decisions, and register it."""
    from evals.intake_training import train_synthetic_intake
    from store import intake as intake_store

    rt = _runtime()
    try:
        extra = []
        if with_reviews:
            with rt.pool.connection() as conn:
                extra = intake_store.reviewed_parts(conn)
        clf = train_synthetic_intake(rt.settings.model_dir, n=n, seed=seed, extra=extra)
        _echo(f"registered intake classifier {clf.version} ({n} synthetic + {len(extra)} reviewed items)")
    finally:
        rt.close()


codes_app = typer.Typer(help="Code tables (CMS quarterly files, ICD-10-CM) as data.", no_args_is_help=True)
app.add_typer(codes_app, name="codes")


@codes_app.command("import")
def codes_import(
    data_dir: Annotated[Optional[Path], typer.Option(help="Folder with icd10cm/, ncci/ and codes/ (default HANDOFF_DATA_DIR).")] = None,
) -> None:
    """Load the code tables into Postgres with their effective dates; re-importing a file is a no-op."""
    from tools.claims.code_tables import import_code_tables

    folder = data_dir or _settings().data_dir
    if not folder.is_dir():
        raise UserError(f"--data-dir: {folder} is not a folder")
    rt = _runtime()
    try:
        with rt.pool.connection() as conn:
            try:
                reports = import_code_tables(conn, data_dir=folder, actor="cli")
            except FileNotFoundError as exc:
                raise UserError(f"--data-dir: {exc}") from None
        for r in reports:
            _echo(f"{r.table:<10} {r.status:<12} {r.rows:>9,} rows  {r.source_file}  ({r.seconds:.1f} s)")
    finally:
        rt.close()


@ingest_app.command("appointments")
def ingest_appointments(
    file: Annotated[Path, typer.Argument(help="Handoff's appointment CSV (evals/README_appointments_csv.md).")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
) -> None:
    """Load a clinic's appointments (and their outcomes, when known) for no-show scoring."""
    from api.errors import ServiceError
    from api.services.scheduling import load_appointments_csv

    if not file.is_file():
        raise UserError(f"{file}: not a file")
    rt = _runtime()
    try:
        with rt.pool.connection() as conn:
            try:
                out = load_appointments_csv(conn, unit_code=unit, path=file)
            except ServiceError as exc:
                raise UserError(exc.detail) from None
        span = f" from {out.days[0]} to {out.days[-1]}" if out.days else ""
        _echo(f"{out.appointments} appointments{span} loaded; {out.new_patients} patients added to the registry")
    finally:
        rt.close()


@ingest_app.command("messages")
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
    rt = _runtime()
    try:
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
        _echo(f"{accepted} new messages accepted")
        if process:
            from agents.jobs import run_worker

            run_worker(rt, wait=False)
    finally:
        rt.close()


@app.command()
def watch(
    folder: Annotated[Path, typer.Argument(help="A folder a fax server drops files into.")],
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    interval: Annotated[float, typer.Option(help="Seconds between scans.")] = 5.0,
    once: Annotated[bool, typer.Option(help="Scan once and stop.")] = False,
) -> None:
    """Watch a folder for faxes: each new file is accepted once (by content) and moved to .accepted/."""
    import time

    from api.errors import ServiceError
    from api.services.intake import accept

    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder")
    done = folder / ".accepted"
    done.mkdir(exist_ok=True)
    rt = _runtime()
    try:
        while True:
            for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
                if time.time() - path.stat().st_mtime < 1:
                    continue  # still being written
                with rt.pool.connection() as conn:
                    try:
                        out = accept(conn, rt, user=None, actor="watch", unit_code=unit, channel="fax",
                                     data=path.read_bytes(), filename=path.name)
                    except ServiceError as exc:
                        _echo(f"{path.name}: refused: {exc.detail}")
                        path.rename(folder / f".refused-{path.name}")
                        continue
                path.rename(done / path.name)
                _echo(f"{path.name}: {'accepted' if out.created else 'already received'} as {out.item_id}")
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        rt.close()


# --- evals -------------------------------------------------------------------------------------


@evals_app.command("list")
def evals_list() -> None:
    """List the evaluation suites."""
    from evals.runner import list_suites

    for name, description in list_suites():
        _echo(f"{name:<10} {description}")


@evals_app.command("run")
def evals_run(
    suite: Annotated[str, typer.Option(help="Suite name (see `handoff evals list`).")],
    data: Annotated[Optional[Path], typer.Option(help="Labeled data; without it the suite uses synthetic data.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default evals-out/<suite>).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run a suite: writes metrics.json, report.html (+ PNG plots) and model_card.md; exits 1 when a gate fails."""
    from evals.runner import list_suites, run_suite

    names = [n for n, _ in list_suites()]
    if suite not in names:
        raise UserError(f"--suite: unknown suite {suite!r}; use one of {', '.join(names)}")
    if data is not None and not data.exists():
        raise UserError(f"--data: {data} does not exist")
    out = out or Path("evals-out") / suite
    try:
        result = run_suite(suite, data=data, out=out, progress=progress)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        raise UserError(f"--data: {exc}") from None
    _echo(f"wrote {result.metrics_path}, {result.report_path}, {result.card_path} in {result.seconds:.1f} s")
    for gate in result.failed_gates:
        _echo(f"GATE FAILED: {gate.describe()}")
    if result.failed_gates:
        raise typer.Exit(1)


# --- no-show -----------------------------------------------------------------------------------


@noshow_app.command("train")
def noshow_train(
    data: Annotated[Path, typer.Option(help="The public no-show CSV or Handoff's appointment CSV.")],
) -> None:
    """Train and register a no-show model (stored with skops in HANDOFF_HOME/models)."""
    from evals.datasets_noshow import file_sha256, load_appointments
    from tools.model_registry import save_noshow_model
    from tools.noshow.model import train

    if not data.is_file():
        raise UserError(f"--data: {data} is not a file")
    try:
        frame = load_appointments(data)
    except ValueError as exc:
        raise UserError(f"--data: {exc}") from None
    settings = _settings()
    model = train(frame, data_sha256=file_sha256(data), data_source=str(data))
    path = save_noshow_model(settings.model_dir, model)
    _echo(f"registered no-show model {model.meta.version} at {path}")


@noshow_app.command("score")
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
    rt = _runtime()
    try:
        with rt.pool.connection() as conn:
            codes = unit or [u.code for u in org_store.list_units(conn)]
        for code in codes:
            summary = score_day(rt, unit_code=code, day=day)
            _echo(f"{code}: {summary.scored} appointments scored, {summary.auto} actions auto-applied, "
                  f"{summary.review} sent to review" + (" (already scored)" if summary.already_done else ""))
    except NoModel as exc:
        raise UserError(str(exc)) from None
    finally:
        rt.close()


# --- entry -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Entry point: map errors a user can cause to one line and exit 2."""
    from agents.policy import NotAllowed
    from store.db import DatabaseUnavailable
    from store.org import UnknownUnit, UserExists
    from store.policy import PolicyConflict

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        rc = app(args=argv, prog_name="handoff", standalone_mode=False)
        # Without standalone mode click returns the code of typer.Exit instead of raising it.
        if isinstance(rc, int) and rc != 0:
            sys.exit(rc)
    except (UserError, UnknownUnit, UserExists, NotAllowed, PolicyConflict, DatabaseUnavailable) as exc:
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
    return _settings().home / "logs" / "cli-errors.log"


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


if __name__ == "__main__":
    main()
