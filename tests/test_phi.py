"""PHI redaction: every planted identifier is gone at `identifiers`, `strict` removes more, `none`
changes nothing, spans describe the replacements without carrying the original."""

from __future__ import annotations

import pytest

from tools.intake.synthetic_corpus import generate_heldout_corpus, generate_training_corpus, leaked_identifiers, make_patients
from models.intake import RedactedSpan
from tools.intake.phi import redact_phi

LETTER = (
    "Patient Name: Rosa Hernández\nDOB: 07/14/1948\nMRN: 88812345\nMember ID: MC123456789\n"
    "Address: 1420 Maple Ave, Apt 3, Fresno, CA 93721\nPhone: (559) 201-3344  Email: rosa.h@example.com\n"
    "SSN 123-45-6789\nReferring Provider: Dr. Alan Whitfield, MD  NPI: 1234567893\n"
    "Seen on 10/01/2026. Rosa reports knee pain.\nThanks, Rosa"
)
PLANTED = ["Rosa", "Hernández", "07/14/1948", "88812345", "MC123456789", "1420 Maple Ave", "(559) 201-3344",
           "rosa.h@example.com", "123-45-6789"]


def test_none_changes_nothing():
    r = redact_phi(LETTER, level="none")
    assert r.text == LETTER and r.spans == []


def test_identifiers_removes_every_planted_identifier():
    r = redact_phi(LETTER, level="identifiers")
    for value in PLANTED:
        assert value not in r.text, value
    # Provider identity and event dates stay at this level (they are not the patient's identifiers).
    assert "1234567893" in r.text and "Whitfield" in r.text and "10/01/2026" in r.text
    assert "[NAME]" in r.text and "[DOB]" in r.text and "[SSN]" in r.text and "[EMAIL]" in r.text


def test_npi_optional_and_strict_removes_more():
    assert "1234567893" not in redact_phi(LETTER, level="identifiers", redact_npi=True).text
    strict = redact_phi(LETTER, level="strict").text
    for value in PLANTED + ["1234567893", "Whitfield", "10/01/2026"]:
        assert value not in strict, value


def test_spans_locate_the_replacements_without_the_original():
    r = redact_phi(LETTER, level="identifiers")
    assert r.spans and all(isinstance(s, RedactedSpan) for s in r.spans)
    assert "text" not in RedactedSpan.model_fields  # nothing to leak into a log
    starts = [s.start for s in r.spans]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(r.spans, r.spans[1:]))
    # Rebuild the redacted text from the original and the spans.
    out, pos = [], 0
    for s in r.spans:
        out += [LETTER[pos:s.start], s.replacement]
        pos = s.end
    assert "".join(out) + LETTER[pos:] == r.text


def test_known_names_are_removed_everywhere():
    r = redact_phi("Spoke with the daughter about Mr. Okonkwo's meds.", level="identifiers", known_names=["Chidi Okonkwo"])
    assert "Okonkwo" not in r.text


@pytest.mark.parametrize("family", ["train", "heldout"])
def test_no_planted_identifier_survives_on_corpus(family):
    pts = make_patients(seed=51, n=120)
    gen = generate_training_corpus if family == "train" else generate_heldout_corpus
    items = gen(51, 300, pts)
    result = leaked_identifiers(items)
    assert result["planted"] > 500
    assert result["leaked"] == 0, result
