"""A clinic without the demo: `handoff init` on an empty database, units with billing profiles, people
added, disabled, reset, granted and revoked from the command line as the named local operator; the
policy changed by that operator (never by a name it claims), and the demo kept out of a real clinic's
database."""

from __future__ import annotations

import json
import subprocess
import sys

from fastapi.testclient import TestClient

from store import audit
from store import org as org_store
from store import policy as policy_store
from tests.conftest import cli_env

ADMIN_PASSWORD = "correct horse battery"
PROFILE = {"billing_npi": "1234567893", "taxonomy": "207R00000X", "fee_schedule": {"99213": "110.00", "20610": "95.00"},
           "timely_filing_days": 180}


def _handoff(settings, *args, stdin: str | None = None, operator: str = "jdoe"):
    env = {**cli_env(settings), "HANDOFF_OPERATOR": operator}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=180)


def _ok(out):
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_clinic_from_init_without_the_demo(settings, runtime, tmp_path):
    init = ["init", "--org", "Lakeside Family Health", "--unit", "family-med", "--unit-name", "Family Medicine",
            "--admin", "ada", "--admin-name", "Ada Admin", "--email", "ada@lakeside.example", "--password-stdin"]
    no_password = _handoff(settings, *init[:-1])
    assert no_password.returncode == 2 and "--password-stdin" in no_password.stderr
    _ok(_handoff(settings, *init, stdin=ADMIN_PASSWORD + "\n"))
    again = _handoff(settings, *init, stdin=ADMIN_PASSWORD + "\n")
    assert again.returncode == 2 and "already holds" in again.stderr and "Traceback" not in again.stderr

    profile = tmp_path / "cardio.json"
    profile.write_text(json.dumps(PROFILE))
    _ok(_handoff(settings, "units", "add", "--code", "cardiology", "--name", "Cardiology", "--billing-profile", str(profile)))
    profile.write_text(json.dumps({**PROFILE, "billing_npi": "1234567890"}))
    bad = _handoff(settings, "units", "billing", "--code", "cardiology", "--billing-profile", str(profile))
    assert bad.returncode == 2 and "billing_npi" in bad.stderr
    assert "cardiology" in _ok(_handoff(settings, "units", "list"))

    added = _ok(_handoff(settings, "users", "add", "--name", "nina", "--role", "nurse", "--unit", "family-med",
                         "--email", "nina@lakeside.example"))
    assert "password (shown once):" in added
    _ok(_handoff(settings, "users", "grant", "--name", "nina", "--role", "nurse", "--unit", "cardiology"))
    _ok(_handoff(settings, "users", "revoke", "--name", "nina", "--role", "nurse", "--unit", "cardiology"))
    missing = _handoff(settings, "users", "revoke", "--name", "nina", "--role", "nurse", "--unit", "cardiology")
    assert missing.returncode == 2 and "is not nurse in cardiology" in missing.stderr
    _ok(_handoff(settings, "users", "reset", "--name", "nina", "--password-stdin", stdin="a new long password\n"))
    _ok(_handoff(settings, "users", "disable", "--name", "nina"))
    assert _handoff(settings, "users", "disable", "--name", "nobody").returncode == 2

    with runtime.pool.connection() as conn:
        # No demo users, no demo organization: only what was set up.
        assert [o.name for o in org_store.list_organizations(conn)] == ["Lakeside Family Health"]
        assert {r["username"] for r in org_store.list_users(conn)} == {"ada", "nina"}
        cardio = org_store.get_unit_by_code(conn, code="cardiology")
        assert str(cardio.billing_profile.fee_schedule["99213"]) == "110.00"
        ada = org_store.get_user_by_username(conn, username="ada")[0]
        assert {(r.unit_code, r.role.value) for r in ada.roles} == {("family-med", "admin"), ("cardiology", "admin")}
        assert ada.email == "ada@lakeside.example"
        assert not org_store.get_user_by_username(conn, username="nina")[0].active
        pv = policy_store.current_policy(conn, unit_id=cardio.id)
        assert pv.version == 1 and pv.policy.queues["claims"] == "billing"
        actors = {e["action"]: e["actor"] for e in audit.list_events(conn, limit=200)}
        for action in ("organization.created", "unit.created", "user.created", "role.granted", "role.revoked",
                       "user.password_reset", "user.disabled"):
            assert actors[action] == "local:jdoe", action

    # The admin signs in with the password given on standard input; the disabled nurse cannot.
    from api.app import create_app

    with TestClient(create_app(runtime=runtime, worker=False)) as client:
        r = client.post("/api/v1/auth/login", json={"username": "ada", "password": ADMIN_PASSWORD})
        assert r.status_code == 200, r.text
        assert client.post("/api/v1/auth/login", json={"username": "nina", "password": "a new long password"}).status_code == 401

    # The demo, whose users' password is published, never joins a real clinic's database.
    demo = _handoff(settings, "demo", "--no-serve", "--no-day")
    assert demo.returncode == 2 and "Lakeside Family Health" in demo.stderr


def test_init_refuses_a_demo_database(settings, demo_org):
    out = _handoff(settings, "init", "--org", "Real Clinic", "--unit", "main", "--admin", "boss", "--password-stdin",
                   stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 2 and "(demo)" in out.stderr


def test_policy_set_acts_as_the_local_operator(settings, demo_org, conn, tmp_path):
    change = tmp_path / "p.json"
    change.write_text(json.dumps({"materiality_amount": "750"}))
    # The old --by trusted any name given; the option is gone.
    claimed = _handoff(settings, "policy", "set", "--unit", "primary-care", "--file", str(change), "--by", "manager")
    assert claimed.returncode == 2 and "--by" in claimed.stderr
    out = _ok(_handoff(settings, "policy", "set", "--unit", "primary-care", "--file", str(change), "--note", "lower",
                       operator="pat"))
    assert "materiality_amount" in out and "local:pat" in out
    unit = org_store.get_unit_by_code(conn, code="primary-care")
    pv = policy_store.current_policy(conn, unit_id=unit.id)
    assert pv.changed_by == "local:pat" and str(pv.policy.materiality_amount) == "750"
    event = audit.list_events(conn, action="policy.changed", limit=1)[0]
    assert event["actor"] == "local:pat" and "local operator" in event["detail"]["via"]
    same = _handoff(settings, "policy", "set", "--unit", "primary-care", "--file", str(change))
    assert same.returncode == 2 and "change nothing" in same.stderr
