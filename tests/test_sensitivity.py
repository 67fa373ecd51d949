"""Clinical-sensitivity rules: recall on the held-out synthetic family, negation and family history in
English and Spanish, lab tables, urgency floors, and freshly written probe sentences."""

from __future__ import annotations

import pytest

from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients
from models.governance import Priority
from tools.intake.sensitivity import detect_sensitivity, evaluate_sensitivity


@pytest.fixture(scope="module")
def heldout():
    return generate_heldout_corpus(21, 500, make_patients(seed=21, n=120))


def test_sensitive_recall_on_heldout_sample(heldout):
    m = evaluate_sensitivity(heldout)
    assert m["tp"] + m["fn"] >= 100  # enough sensitive items for the figure to mean something
    assert m["sensitive_recall"] >= 0.99, m
    assert m["sensitive_precision"] >= 0.85, m  # precision matters less; this guards against flagging everything
    assert m["emergent_floor_recall"] >= 0.99, m


@pytest.mark.parametrize("text", [
    "Patient denies chest pain or shortness of breath.",
    "No chest pain, no palpitations.",
    "ROS: negative for chest pain.",
    "Paciente niega dolor de pecho.",
    "Sin dolor torácico ni falta de aire.",
    "Patient denies suicidal ideation.",
    "No SI/HI.",
    "Niega ideación suicida.",
    "Pregnancy test negative.",
    "Prueba de embarazo negativa.",
    "Serum hCG (pregnancy test): NEGATIVE",
    "Denies domestic violence; feels safe at home.",
    "Tamizaje de violencia negativo.",
    "Family history of heart attack in father.",
    "Antecedente familiar de infarto en el padre.",
    "Heart attack in paternal grandmother.",
    "Past history of chest pain with negative stress test in 2021.",
    "Prior labs showed elevated liver enzymes, since normalized.",
    "Shortness of breath on exertion (R06.02).",
])
def test_negated_family_and_past_mentions_are_not_sensitive(text):
    r = detect_sensitivity(text)
    assert not r.sensitive, [(f.category.value, f.span.text, f.context) for f in r.findings]
    assert r.findings, "the cue is still reported, suppressed, for audit"
    assert all(f.suppressed_by for f in r.findings)


@pytest.mark.parametrize(("text", "category", "floor"), [
    ("Also, I am having chest pain right now.", "emergency_symptoms", Priority.emergent),
    ("Tengo dolor de pecho ahorita.", "emergency_symptoms", Priority.emergent),
    ("I took a bunch of pills an hour ago.", "self_harm", Priority.emergent),
    ("He estado pensando en quitarme la vida.", "self_harm", Priority.emergent),
    ("History of suicide attempt in 2019.", "self_harm", Priority.routine),
    ("Refill of oxycodone 5 mg please.", "controlled_substance", Priority.routine),
    ("Estoy embarazada de 6 semanas.", "pregnancy", Priority.routine),
    ("My husband hits me when he drinks.", "abuse", Priority.urgent),
    ("Mi esposo me pega.", "abuse", Priority.urgent),
    ("Potassium  6.8  CRIT  3.5-5.1 mmol/L", "critical_result", Priority.emergent),
    ("Sodium: 112 mmol/L (ref 136-145)", "critical_result", Priority.emergent),
    ("Hemoglobin A1c   9.1  H   4-5.6 %", "abnormal_result", Priority.urgent),
    ("TSH: 9.8 mIU/L (ref 0.4-4.5)", "abnormal_result", Priority.urgent),
    ("IMPRESSION: 3.1 cm mass suspicious for malignancy.", "abnormal_result", Priority.urgent),
    ("Supervision of normal pregnancy (Z34.90)", "pregnancy", Priority.routine),
])
def test_current_findings_are_sensitive_with_a_floor(text, category, floor):
    r = detect_sensitivity(text)
    assert category in {c.value for c in r.categories}, [(f.category.value, f.span.text, f.context) for f in r.findings]
    assert r.urgency_floor == floor
    f = next(f for f in r.findings if f.category.value == category and not f.suppressed_by)
    assert text[f.span.start:f.span.end] == f.span.text


def test_evidence_spans_point_into_noisy_text():
    text = "Pat'ient writes: I {} chest pain since this morning.".format("have")
    r = detect_sensitivity(text)
    f = next(f for f in r.findings if not f.suppressed_by)
    assert text[f.span.start:f.span.end].lower() == "chest pain"


def test_out_of_medicine_raises_the_floor_without_a_category():
    r = detect_sensitivity("I am completely out of my insulin glargine since yesterday.")
    assert not r.sensitive
    assert r.urgency_floor == Priority.urgent
    assert "out_of_medicine:urgent" in r.urgency_reasons


def test_normal_results_are_not_sensitive():
    text = "TEST   RESULT FLAG REF RANGE\nSodium    140      136-145 mmol/L\nPotassium  4.2     3.5-5.1 mmol/L\nFax (555) 201-3344"
    assert not detect_sensitivity(text).sensitive


# Sentences written after the lexicon, as a check on paraphrase it was not built from (the first
# run of each probe set is in the report; these floors catch regressions, not prove generalisation).
PROBE_POSITIVE = [
    "My heart is racing and I feel like I'm going to pass out right now.",
    "I've been bleeding through a pad every hour since this morning.",
    "I don't see the point of going on anymore and I've been saving up my pills.",
    "Sodium 114 mmol/L - phoned to the on-call physician.",
    "Ferritin 4 ng/mL (ref 15-150) L",
    "Necesito más Xanax, se me terminó antier.",
    "Tengo 3 meses de embarazo y me duele la espalda.",
    "Mi pareja me amenaza con quitarme a los niños y me empuja.",
    "Honestly I've been googling ways to die.",
    "Since about 20 minutes ago my mom can't find her words and her smile is uneven.",
]
PROBE_NEGATIVE = [
    "No fever, no chest pain, no shortness of breath at this visit.",
    "Urine hCG negative prior to the procedure.",
    "Mother had a stroke at 70; patient asymptomatic.",
    "La paciente niega dolor torácico y palpitaciones.",
    "Hemoglobin A1c 5.4% (ref 4.0-5.6).",
    "No thoughts of self-harm per PHQ-9.",
]


def test_probe_sentences_floor():
    hits = sum(detect_sensitivity(t).sensitive for t in PROBE_POSITIVE)
    assert hits >= 8  # 8 of 10 today; the last two are known misses (no lexicon cue)
    assert not any(detect_sensitivity(t).sensitive for t in PROBE_NEGATIVE)
