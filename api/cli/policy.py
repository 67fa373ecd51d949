"""`handoff policy`: show a unit's routing policy, and change it as a new, logged version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from api.cli.common import UserError, cli_runtime, echo, settings

app = typer.Typer(help="Routing policy per service unit.", no_args_is_help=True)


@app.command("show")
def policy_show(unit: Annotated[str, typer.Option(help="Service unit code.")]) -> None:
    """Print the unit's current policy as JSON, with its version."""
    from agents.policy import show_policy

    with cli_runtime() as rt, rt.pool.connection() as conn:
        pv = show_policy(conn, unit_code=unit)
    if pv is None:
        raise UserError(f"--unit: {unit} has no policy yet")
    echo(json.dumps({"unit": unit, "version": pv.version, "changed_by": pv.changed_by,
                     "changed_at": pv.changed_at.isoformat(), "policy": pv.policy.model_dump(mode="json")}, indent=2))


@app.command("set")
def policy_set(
    unit: Annotated[str, typer.Option(help="Service unit code.")],
    file: Annotated[Path, typer.Option(help="JSON with the policy keys to change (merged over the current policy).")],
    expected_version: Annotated[Optional[int], typer.Option(help="The version you edited; refused if it changed since.")] = None,
    note: Annotated[Optional[str], typer.Option(help="Why the policy changes (kept in the log).")] = None,
) -> None:
    """Change a unit's policy as the local operator: a new version, logged under `local:<name>`.
    People change it signed in (the policy page, or PUT /api/v1/units/{unit}/policy)."""
    from agents.policy import policy_diff, set_policy_as_operator, show_policy
    from models.governance import Policy

    try:
        changes = json.loads(file.read_text())
    except OSError as exc:
        raise UserError(f"--file: cannot read {file}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"--file: {file} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(changes, dict):
        raise UserError("--file: the JSON must be an object of policy keys")
    unknown = sorted(set(changes) - set(Policy.model_fields))
    if unknown:
        raise UserError(f"--file: {unknown[0]}: not a policy key")
    operator = settings().operator_name
    with cli_runtime() as rt, rt.pool.connection() as conn, conn.transaction():
        current = show_policy(conn, unit_code=unit)
        base = current.policy.model_dump(mode="json") if current else {}
        try:
            if isinstance(changes.get("cutoffs"), dict):  # change some cut-offs, keep the others
                changes = {**changes, "cutoffs": {**base.get("cutoffs", {}), **changes["cutoffs"]}}
            policy = Policy.model_validate({**base, **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "policy"
            raise UserError(f"--file: {field}: {first['msg']}") from None
        diff = policy_diff(base, policy.model_dump(mode="json"))
        if not diff:
            raise UserError("--file: the changes change nothing")
        pv = set_policy_as_operator(conn, unit_code=unit, policy=policy, operator=operator,
                                    expected_version=expected_version, note=note)
    for path, before, after in diff:
        echo(f"  {path}: {json.dumps(before)} -> {json.dumps(after)}")
    echo(f"policy of {unit} is now version {pv.version} (changed by {operator}, the local operator)")
