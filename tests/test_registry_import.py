"""The patient registry from the clinic's own files: Synthea's FHIR R4 bundles and patients.csv (test
input from ../shared/data), Handoff's CSV; idempotent, audited, reported as new / updated / unchanged /
conflicts by place in the file, and usable by intake's patient matching."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from api.services.registry import import_registry
from models.patients import Patient
from store import audit
from store import intake as patient_store
from store import org as org_store
from tests.conftest import cli_env

JORGE = "593aaa05-d864-1df7-5b96-155fbdb19f28"  # a Synthea patient (synthetic)


@pytest.fixture
def org_id(conn, demo_org):
    return org_store.get_unit_by_code(conn, code="primary-care").org_id


@pytest.fixture
def synthea(shared_data):
    return shared_data / "synthea_ca50"


def test_synthea_fhir_bundles_then_csv(conn, org_id, synthea):
    bundles = sorted((synthea / "fhir").glob("*.json"))
    reports = [import_registry(conn, org_id=org_id, data=p.read_bytes(), source=p.name, actor="tester") for p in bundles]
    assert sum(r.new for r in reports) == 4  # four patient bundles; the hospital and practitioner files hold none
    assert all(r.format == "fhir" and not r.conflicts and not r.skipped for r in reports)
    jorge = patient_store.patients_by_mrn(conn, org_id=org_id, mrns=[JORGE])[0]
    assert (jorge.given_name, jorge.family_name, jorge.birth_date, jorge.sex) == ("Jorge Luis88", "Vela532", date(2021, 8, 22), "M")
    assert jorge.race_ethnicity == "hispanic" and jorge.phone == "555-860-6812"

    # The same files again change nothing.
    again = [import_registry(conn, org_id=org_id, data=p.read_bytes(), source=p.name, actor="tester") for p in bundles]
    assert sum(r.new + r.updated for r in again) == 0 and sum(r.unchanged for r in again) == 4

    # Synthea's CSV of the same population: the four are known, the rest are new.
    csv_report = import_registry(conn, org_id=org_id, data=(synthea / "csv" / "patients.csv").read_bytes(),
                                 source="patients.csv", actor="tester")
    assert csv_report.format == "synthea_csv" and csv_report.read == 59
    assert csv_report.new == 55 and csv_report.new + csv_report.updated + csv_report.unchanged == 59
    assert not csv_report.conflicts
    events = audit.list_events(conn, action="registry.imported", limit=50)
    assert len(events) == len(bundles) * 2 + 1 and events[0]["detail"]["new"] == 55
    # Intake's matcher finds an imported patient by date of birth.
    found = patient_store.patient_candidates(conn, org_id=org_id, birth_date=date(2021, 8, 22))
    assert JORGE in {c["mrn"] for c in found}


def test_handoff_csv_conflicts_placeholders_and_bad_rows(conn, org_id):
    patient_store.register_patients(conn, org_id=org_id, patients=[
        Patient(id="MRN-1", given_name="Ann", family_name="Lee", birth_date=date(1980, 1, 2), sex="F"),
        Patient(id="MRN-2", given_name="", family_name="", birth_date=date(1990, 1, 1), sex="X")],
        source=patient_store.PLACEHOLDER_SOURCE)  # MRN-2: known only from an appointments file
    patient_store.register_patients(conn, org_id=org_id, patients=[
        Patient(id="MRN-3", given_name="Bo", family_name="Ng", birth_date=date(1970, 5, 5), sex="M")], source="emr")
    csv = ("mrn,given_name,family_name,birth_date,sex,member_id,payer,language,phone\n"
           "MRN-1,Ann,Lee,1980-01-02,F,M1,medicaid,es,555-0101\n"  # known: fills member, payer, language, phone
           "MRN-2,Cy,Park,1990-03-04,M,,,,\n"  # placeholder: names and the real birth date arrive
           "MRN-3,Bo,Ng,1971-05-05,M,,,,\n"  # a different birth date for a known MRN: conflict, left alone
           "MRN-4,Di,Ro,2001-02-03,female,,,,\n"
           "MRN-4,Di,Ro,2001-02-04,F,,,,\n"  # the same MRN twice, differently: conflict
           "MRN-5,Ed,Su,not-a-date,M,,,,\n"
           "MRN-6,Fa,Wu,1999-09-09,M,,bitcoin,,\n").encode()
    report = import_registry(conn, org_id=org_id, data=csv, source="registry.csv", actor="tester")
    assert (report.format, report.read, report.new, report.updated, report.unchanged) == ("csv", 7, 1, 2, 0)
    assert report.conflicts == ["line 4: birth date differs from the registry's record with that MRN (not changed)",
                                "line 6: the same MRN appears earlier in the file with other details"]
    assert [s.split(":")[0] for s in report.skipped] == ["line 7", "line 8"]
    assert not any("Ed" in s or "Wu" in s for s in report.skipped)  # places, never content
    by = {p.id: p for p in patient_store.patients_by_mrn(conn, org_id=org_id, mrns=["MRN-1", "MRN-2", "MRN-3"])}
    assert (by["MRN-1"].member_id, by["MRN-1"].payer, by["MRN-1"].language) == ("M1", "medicaid", "es")
    assert (by["MRN-2"].given_name, by["MRN-2"].birth_date, by["MRN-2"].sex) == ("Cy", date(1990, 3, 4), "M")
    assert by["MRN-3"].birth_date == date(1970, 5, 5)
    again = import_registry(conn, org_id=org_id, data=csv, source="registry.csv", actor="tester")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3) and len(again.conflicts) == 2


def test_cli_import_reports_counts_without_content(settings, demo_org, synthea):
    out = subprocess.run([sys.executable, "-m", "api.cli", "patients", "import",
                          *map(str, sorted((synthea / "fhir").glob("*.json")))],
                         env=cli_env(settings), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "total: 4 new, 0 updated, 0 unchanged, 0 conflicts" in out.stdout
    assert "Jorge" not in out.stdout and JORGE not in out.stdout  # no PHI on stdout
    bad = subprocess.run([sys.executable, "-m", "api.cli", "patients", "import", str(synthea / "metadata")],
                         env=cli_env(settings), capture_output=True, text=True, timeout=180)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
