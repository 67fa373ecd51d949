"""Synthetic labeled claims: seeded, every kind present, JSON Lines round trip, bad lines named."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.synthetic_claims import (
    LabeledClaimsError,
    generate_labeled_claims,
    make_patients,
    read_labeled_claims,
    write_labeled_claims,
)
from models.claims import EXCEPTION_KINDS
from tools.claims.codes import ICD10CM_CSV, NCCI_PTP_PRAC, CodeTables
from tests.conftest import SHARED_DATA as DEFAULT_DATA_DIR


@pytest.fixture(scope="module")
def tables() -> CodeTables:
    if not (DEFAULT_DATA_DIR / ICD10CM_CSV).exists() or not (DEFAULT_DATA_DIR / NCCI_PTP_PRAC).exists():
        pytest.skip(f"code tables not found at {DEFAULT_DATA_DIR}")
    return CodeTables.from_files(DEFAULT_DATA_DIR, include=["icd10cm", "ptp", "mue", "add_on", "modifiers"])


def test_make_patients_is_seeded():
    assert make_patients(5, seed=2) == make_patients(5, seed=2)
    assert make_patients(5, seed=2) != make_patients(5, seed=3)


def test_generation_is_seeded_and_covers_every_kind(tables):
    patients = make_patients(80, seed=4)
    first = generate_labeled_claims(patients, tables=tables, n=120, seed=5, error_rate=0.6)
    again = generate_labeled_claims(patients, tables=tables, n=120, seed=5, error_rate=0.6)
    assert [i.model_dump() for i in first] == [i.model_dump() for i in again]
    kinds = {k.value for item in first for k in item.expected}
    assert kinds == set(EXCEPTION_KINDS)
    assert any(not item.expected for item in first)
    assert all(item.context.payer_rules and item.context.fee_schedule for item in first)


def test_jsonl_round_trip_and_bad_line(tables, tmp_path: Path):
    items = generate_labeled_claims(make_patients(20, seed=1), tables=tables, n=15, seed=2)
    path = tmp_path / "claims.jsonl"
    assert write_labeled_claims(items, path) == 15
    back = read_labeled_claims(path)
    assert [i.model_dump() for i in back] == [i.model_dump() for i in items]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"id": "x", "claim": {"id": 3}}\n')
    with pytest.raises(LabeledClaimsError, match="line 16"):
        read_labeled_claims(path)
