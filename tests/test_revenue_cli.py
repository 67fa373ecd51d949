"""The revenue-cycle commands through the real `handoff` CLI: X12 files in (a bad one exits 2 naming
its segment), 270 files out, authorizations imported, referral cases listed without patient
identifiers on stdout."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

from models.claims import PayerRules
from models.patients import Patient
from models.revenue import PayerProfile
from models.scheduling import Appointment
from store import coverage as coverage_store
from store import intake as intake_store
from store import org as org_store
from store import scheduling as scheduling_store
from tests.conftest import SHARED_DATA, cli_env

X12 = SHARED_DATA / "x12"


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=cli_env(settings), capture_output=True,
                          text=True, timeout=300)


def test_x12_ingest_commands(settings, demo_org, tmp_path, shared_data):
    r = _cli(settings, "ingest", "eligibility", str(X12 / "271_005010X279A1" / "subscriber-health-benefit-check.271"),
             "--unit", "primary-care")
    assert r.returncode == 0, r.stderr
    assert "accepted as" in r.stdout
    r = _cli(settings, "ingest", "enrollment", str(X12 / "834_005010X220A1" / "add-dependent.834"), "--unit", "primary-care")
    assert r.returncode == 0, r.stderr
    r = _cli(settings, "ingest", "remits", str(X12 / "835_005010X221A1" / "managed-care.835"), "--unit", "primary-care")
    assert r.returncode == 0, r.stderr
    r = _cli(settings, "ingest", "claim-status", str(X12 / "277_005010X212" / "claim-level-status.277"), "--unit", "primary-care")
    assert r.returncode == 0, r.stderr
    # The wrong transaction, or a broken one: one line naming the segment, exit 2.
    r = _cli(settings, "ingest", "remits", str(X12 / "271_005010X279A1" / "subscriber-health-benefit-check.271"),
             "--unit", "primary-care")
    assert r.returncode == 2 and "segment GS" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    broken = tmp_path / "broken.835"
    broken.write_text((X12 / "835_005010X221A1" / "managed-care.835").read_text().split("SE*26")[0])
    r = _cli(settings, "ingest", "remits", str(broken), "--unit", "primary-care")
    assert r.returncode == 2 and "segment SE" in r.stderr
    r = _cli(settings, "ingest", "remits", str(broken), "--unit", "no-such-unit")
    assert r.returncode == 2


def test_eligibility_requests_and_auths_import(settings, demo_org, conn, tmp_path):
    unit = org_store.get_unit_by_code(conn, code="primary-care")
    intake_store.register_patients(conn, org_id=unit.org_id, patients=[
        Patient(id="C1", given_name="Ana", family_name="Ruiz", birth_date=date(1968, 4, 2), sex="F", payer="commercial",
                member_id="W100"),
        Patient(id="C2", given_name="Ben", family_name="Baker", birth_date=date(1950, 1, 9), sex="M", payer="commercial")])
    scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=[
        Appointment(id="V1", patient_id="C1", scheduled_at=datetime(2026, 2, 1, 9), appointment_day=date(2026, 3, 2)),
        Appointment(id="V2", patient_id="C2", scheduled_at=datetime(2026, 2, 1, 9), appointment_day=date(2026, 3, 2))])
    coverage_store.set_payer_profile(conn, org_id=unit.org_id, changed_by="test", profile=PayerProfile(
        payer_id="COM01", name="Commercial PPO", category="commercial", rules=PayerRules(payer_id="COM01")))
    conn.commit()
    out = tmp_path / "outbox"
    r = _cli(settings, "eligibility", "requests", "--date", "2026-03-02", "--unit", "primary-care", "--out", str(out))
    assert r.returncode == 0, r.stderr
    (written,) = out.iterdir()
    assert written.read_text().startswith("ISA*") and "1 inquiries" in r.stdout
    assert "appointment V2: no member id on file" in r.stdout
    assert "Ruiz" not in r.stdout and "W100" not in r.stdout  # nothing identifying on stdout
    r = _cli(settings, "eligibility", "requests", "--date", "03/02/2026", "--unit", "primary-care", "--out", str(out))
    assert r.returncode == 2 and "--date" in r.stderr

    csv = tmp_path / "auths.csv"
    csv.write_text("number,payer_id,member_id,codes,units_authorized,start,end\nPA9,COM01,W100,97110;97112,12,2026-01-01,2026-06-30\n")
    r = _cli(settings, "auths", "import", str(csv), "--unit", "primary-care")
    assert r.returncode == 0 and "1 new" in r.stdout, r.stderr
    csv.write_text("number,payer_id,member_id,codes,units_authorized,start,end\nPA9,COM01,W100,97110,x,2026-01-01,2026-06-30\n")
    r = _cli(settings, "auths", "import", str(csv), "--unit", "primary-care")
    assert r.returncode == 2 and "line 2: units_authorized" in r.stderr

    profile = tmp_path / "payer.json"
    profile.write_text('{"payer_id": "KEY01", "name": "Key", "category": "commercial", '
                       '"rules": {"payer_id": "KEY01", "codes_requiring_auth": ["72148"], "timely_filing_days": 180}}')
    r = _cli(settings, "payers", "set", "--file", str(profile), "--unit", "primary-care")
    assert r.returncode == 0 and "1 codes need authorization" in r.stdout, r.stderr
    assert "KEY01" in _cli(settings, "payers", "list", "--unit", "primary-care").stdout
    profile.write_text('{"payer_id": "KEY01", "rules": {"payer_id": "KEY01", "timely_filing_days": 0}}')
    r = _cli(settings, "payers", "set", "--file", str(profile), "--unit", "primary-care")
    assert r.returncode == 2 and "rules.timely_filing_days" in r.stderr
    r = _cli(settings, "referrals", "list", "--unit", "primary-care")
    assert r.returncode == 0 and "no cases" in r.stdout
    r = _cli(settings, "referrals", "show", "not-a-uuid")
    assert r.returncode == 2
