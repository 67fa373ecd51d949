"""Policy versions and the CLI: only admins and practice managers change a policy, every change is a
new logged version, and errors a user can cause exit 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agents.policy import NotAllowed, set_policy
from models.governance import Policy
from store import audit
from store import org as org_store
from store import policy as policy_store
from store.policy import PolicyConflict
from tests.conftest import cli_env


def _handoff(settings, *args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=cli_env(settings), input=stdin,
                          capture_output=True, text=True, timeout=180)


def test_policy_versions_and_roles(conn, demo_org):
    manager = org_store.get_user_by_username(conn, username="manager")[0]
    nurse = org_store.get_user_by_username(conn, username="nurse")[0]
    pv = set_policy(conn, unit_code="primary-care", policy=Policy(qa_sample_rate=0.1), editor=manager,
                    expected_version=1, note="more QA")
    assert pv.version == 2 and pv.changed_by == "manager"
    with pytest.raises(NotAllowed):
        set_policy(conn, unit_code="primary-care", policy=Policy(), editor=nurse, expected_version=2)
    refused = audit.list_events(conn, action="policy.change_refused")
    assert refused and refused[0]["actor"] == "nurse"
    with pytest.raises(PolicyConflict):
        set_policy(conn, unit_code="primary-care", policy=Policy(), editor=manager, expected_version=1)
    unit = org_store.get_unit_by_code(conn, code="primary-care")
    assert [h["version"] for h in policy_store.policy_history(conn, unit_id=unit.id)] == [1, 2]
    assert policy_store.policy_at(conn, unit_id=unit.id, version=1).policy.qa_sample_rate == 0.05


def test_cli_policy_set_show_and_errors(settings, demo_org, tmp_path):
    change = tmp_path / "p.json"
    change.write_text(json.dumps({"materiality_amount": "750"}))
    out = _handoff(settings, "policy", "set", "--unit", "primary-care", "--file", str(change),
                   "--note", "lower materiality")
    assert out.returncode == 0, out.stderr
    shown = json.loads(_handoff(settings, "policy", "show", "--unit", "primary-care").stdout)
    assert shown["version"] == 2 and shown["policy"]["materiality_amount"] == "750"

    change.write_text(json.dumps({"review_categories": ["pregnancy"]}))
    bad = _handoff(settings, "policy", "set", "--unit", "primary-care", "--file", str(change))
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "review_categories" in bad.stderr and "Traceback" not in bad.stderr

    change.write_text("{not json")
    assert _handoff(settings, "policy", "set", "--unit", "primary-care", "--file", str(change)).returncode == 2
    assert _handoff(settings, "policy", "show", "--unit", "no-such-unit").returncode == 2


def test_cli_users_add_and_errors(settings, demo_org):
    ok = _handoff(settings, "users", "add", "--name", "new.nurse", "--role", "nurse", "--unit", "cardiology")
    assert ok.returncode == 0, ok.stderr
    assert "password (shown once):" in ok.stdout
    listed = _handoff(settings, "users", "list").stdout
    assert "new.nurse" in listed and "cardiology" in listed
    again = _handoff(settings, "users", "add", "--name", "new.nurse", "--role", "nurse", "--unit", "cardiology")
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    bad_role = _handoff(settings, "users", "add", "--name", "x.y", "--role", "surgeon", "--unit", "cardiology")
    assert bad_role.returncode == 2 and "--role" in bad_role.stderr
    short = _handoff(settings, "users", "add", "--name", "x.z", "--role", "nurse", "--unit", "cardiology",
                     "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr


def test_cli_db_status_and_demo_seed_are_idempotent(settings):
    # The organization only: the clinic day is each agent's own tests' business (and takes minutes).
    first = _handoff(settings, "demo", "--no-serve", "--no-day")
    assert first.returncode == 0, first.stderr
    assert "nurse" in first.stdout and "handoff-demo" in first.stdout
    second = _handoff(settings, "demo", "--no-serve", "--no-day")
    assert second.returncode == 0, second.stderr
    status = _handoff(settings, "db", "status")
    assert "pending: none" in status.stdout
    assert _handoff(settings, "audit", "verify").returncode == 0
    assert _handoff(settings, "no-such-command").returncode == 2


def test_cli_evals_refuses_options_a_suite_does_not_take(settings):
    """--retrain and --register name the suites they apply to instead of being ignored silently."""
    out = _handoff(settings, "evals", "run", "--suite", "claims", "--retrain", "--no-progress")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "--retrain" in out.stderr and "triage" in out.stderr and "Traceback" not in out.stderr
    out = _handoff(settings, "evals", "run", "--suite", "triage", "--register", "--no-progress")
    assert out.returncode == 2 and "--register" in out.stderr and "noshow" in out.stderr
