"""The synthetic inbound corpus: reproducible, labeled by the DESIGN.md guide, balanced enough, two
disjoint template families, and ground truth that matches the text."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tools.intake import synthetic_corpus as si
from tools.intake.synthetic_corpus import (
    generate_heldout_corpus,
    generate_training_corpus,
    make_patients,
    npi_check_digit,
    write_jsonl,
)
from models.intake import CATEGORIES, DOC_TYPES, InboundLabel
from tools.intake.extract import npi_is_valid

ICD_TABLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "icd10cm" / "icd10cm_fy2025_codes.csv"


@pytest.fixture(scope="module")
def patients():
    return make_patients(seed=11, n=150)


@pytest.fixture(scope="module")
def train(patients):
    return generate_training_corpus(5, 900, patients)


@pytest.fixture(scope="module")
def heldout(patients):
    return generate_heldout_corpus(5, 700, patients)


def test_same_seed_same_corpus_other_seed_other_corpus(patients):
    a = [i.model_dump() for i in generate_heldout_corpus(3, 60, patients)]
    b = [i.model_dump() for i in generate_heldout_corpus(3, 60, patients)]
    c = [i.model_dump() for i in generate_heldout_corpus(4, 60, patients)]
    assert a == b
    assert a != c
    assert [p.model_dump() for p in make_patients(seed=2, n=10)] == [p.model_dump() for p in make_patients(seed=2, n=10)]


def test_labels_follow_the_guide(train, heldout):
    for it in train + heldout:
        assert it.doc_type in DOC_TYPES
        assert set(it.categories) <= set(CATEGORIES)
        assert it.sensitive == bool(it.categories), it.id
        # Urgency comes from content: these categories force it, whatever the channel or doc_type.
        if {"emergency_symptoms", "critical_result"} & set(it.categories):
            assert it.urgency == "emergent", it.id
        if "abnormal_result" in it.categories or "abuse" in it.categories:
            assert it.urgency in ("urgent", "emergent"), it.id
        if not it.categories and not it.meta["urgency_reasons"]:
            assert it.urgency == "routine", it.id
        assert (it.expected_route == "review") == (it.sensitive or it.meta["injected"]), it.id


def test_negated_family_and_history_mentions_are_not_labeled(train, heldout):
    distractors = [it for it in train + heldout if it.meta["scenario"] in ("neg", "fam", "hist")]
    assert len(distractors) > 30
    for it in distractors:
        # Only a planted pregnancy/opioid diagnosis or reason may make such an item sensitive.
        assert set(it.categories) <= {"pregnancy", "controlled_substance"}, (it.id, it.categories)


def test_urgency_whatever_the_channel(train):
    # A billing question or appointment request that mentions a current emergency is emergent.
    odd = [it for it in train if it.doc_type in ("billing_question", "appointment_request") and "emergency_symptoms" in it.categories]
    assert odd and all(it.urgency == "emergent" for it in odd)


def test_every_doc_type_has_items_in_both_families(train, heldout):
    for items, floor in ((train, 40), (heldout, 25)):
        counts = Counter(it.doc_type for it in items)
        assert set(counts) == set(DOC_TYPES)
        assert min(counts.values()) >= floor, counts


def test_spanish_share_and_channels(train, heldout):
    for items in (train, heldout):
        es = sum(it.meta["lang"] == "es" for it in items) / len(items)
        assert 0.12 <= es <= 0.35, es
        assert {it.channel for it in items} == {"fax", "message", "referral"}
        assert sum(it.meta["injected"] for it in items) / len(items) > 0.05
        assert any(it.meta["noise_rate"] > 0 for it in items)
        assert all(it.meta["noise_rate"] == 0 for it in items if it.channel != "fax")


def test_the_two_families_share_no_line(train, heldout):
    def lines(items):
        return {re.sub(r"\d", "#", ln.strip()) for it in items for ln in it.text.split("\n") if len(ln.strip()) >= 30}

    assert not lines(train) & lines(heldout)
    assert si.TRAIN != si.HELDOUT
    assert {it.meta["family"] for it in train} == {"train"} and {it.meta["family"] for it in heldout} == {"heldout"}


def test_group_comes_from_the_patient(patients, heldout):
    by_id = {p.id: p for p in patients}
    # The MRN planted in the text belongs to a patient whose group the item carries.
    with_mrn = [it for it in heldout if "mrn" in it.truth]
    assert with_mrn
    for it in with_mrn:
        p = by_id[it.truth["mrn"]]
        assert it.group["sex"] == p.sex and it.group["language"] == p.language and it.group["payer"] == p.payer
        assert it.group["age_band"] in ("0-17", "18-44", "45-64", "65+")


def test_truth_values_are_in_the_text(train, heldout):
    for it in train + heldout:
        for key in ("mrn", "member_id", "npi", "auth_number"):
            if key in it.truth:
                assert it.truth[key] in it.text, (it.id, key)
        for code in it.truth.get("icd10", []):
            assert code in it.text
        for p in it.truth.get("phi", []):
            assert p["text"] in it.text, (it.id, p["kind"])
        if "npi" in it.truth:
            assert npi_is_valid(it.truth["npi"])


def test_referrals_carry_the_incomplete_rule(train):
    refs = [it for it in train if it.doc_type == "referral"]
    assert all("referral_parts" in it.truth for it in refs)
    assert all(it.truth["incomplete"] == (not all(it.truth["referral_parts"].values())) for it in refs)
    incomplete = sum(it.truth["incomplete"] for it in refs)
    assert 0.2 * len(refs) < incomplete < 0.9 * len(refs)


def test_npi_check_digit_matches_the_cms_example():
    # CMS "NPI check digit" example: 123456789 -> 3 (Luhn over 80840123456789).
    assert npi_check_digit("123456789") == 3


def test_jsonl_round_trip(tmp_path, heldout):
    path = write_jsonl(heldout[:25], tmp_path / "x" / "h.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25
    for line in lines:
        raw = json.loads(line)
        # The fields DESIGN.md's labeled format names.
        assert {"id", "channel", "text", "doc_type", "urgency", "sensitive", "categories", "group"} <= set(raw)
        assert InboundLabel.model_validate(raw).id == raw["id"]


def test_icd_codes_are_billable_in_the_real_table():
    if not ICD_TABLE.exists():
        pytest.skip(f"ICD-10-CM table not found at {ICD_TABLE}")
    billable = set()
    with ICD_TABLE.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["billable"] == "1":
                billable.add(row["code_dot"])
    codes = {code for spec in si._SPECIALTIES for code, _, _ in spec[3]}
    assert codes <= billable, codes - billable
