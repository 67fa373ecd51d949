"""The triage suite runs end to end on small synthetic sets (generated, and from a labelled JSONL with a
broken line and an image through OCR), writes the metric names the issue asks for, and its figures are
recomputed by hand on a tiny frame."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from evals.runner import run_suite
from evals.suite_triage import LabelledDataError, load_labelled, triage_metrics
from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients, write_jsonl

REQUIRED = ("doc_type_macro_f1", "urgency_macro_f1", "sensitive_recall", "ece", "auto_rate", "auto_error_rate")
SMALL = {"n_train": 80, "n_test": 30, "embeddings": False, "folds": 2}


def test_suite_writes_the_required_metrics_and_never_auto_routes_emergent_or_injected(tmp_path):
    result = run_suite("triage", data=None, out=tmp_path, progress=False, n_boot=10, min_group_n=10, options=SMALL)
    doc = json.loads(result.metrics_path.read_text())
    for name in REQUIRED:
        assert name in doc["metrics"]
        # auto_error_rate is undefined (null) when a tiny model auto-routes nothing
        assert doc["metrics"][name] is not None or name == "auto_error_rate"
    assert doc["metrics"]["emergent_auto_routed"] == 0
    assert doc["metrics"]["injection_suspected_auto_routed"] == 0
    assert "language" in doc["by_group"] and "doc_type_macro_f1" in next(iter(doc["by_group"]["language"].values()))
    assert {g.name for g in result.gates} >= {"triage_doc_type_macro_f1", "triage_ece", "triage_sensitive_recall"}
    assert "share no sentence template" in result.card_path.read_text()


def test_suite_reads_labelled_jsonl_with_a_broken_line_and_a_fax_image(tmp_path):
    pytest.importorskip("pytesseract")
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed")
    from PIL import Image, ImageDraw, ImageFont

    items = generate_heldout_corpus(seed=3, n=12, patients=make_patients(seed=4, n=10))
    path = write_jsonl(items, tmp_path / "labelled.jsonl")
    text = "Please refill lisinopril 10 mg.\nThe patient is out of medication."
    image = Image.new("L", (1300, 300), 255)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 36)
    except OSError:
        font = ImageFont.load_default()
    ImageDraw.Draw(image).multiline_text((40, 60), text, fill=0, font=font, spacing=20)
    image.save(tmp_path / "fax1.png", dpi=(300, 300))
    fax = {"id": "f-1", "channel": "fax", "text": text, "file": "fax1.png", "doc_type": "rx_refill", "urgency": "urgent",
           "sensitive": False, "group": {"language": "en"}}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(fax) + "\n")
        fh.write('{"id": "bad", "channel": "pigeon"}\n')
    result = run_suite("triage", data=path, out=tmp_path / "out", progress=False, n_boot=10, min_group_n=5,
                       options=SMALL)
    doc = json.loads(result.metrics_path.read_text())
    assert doc["data"]["kind"] == "external" and doc["n"] == 13
    assert doc["metrics"]["broken_lines"] == 1
    assert doc["details"]["broken_lines"][0].startswith("line 14:")
    assert doc["metrics"]["ocr_items"] == 1 and doc["metrics"]["ocr_cer_mean"] < 0.2


def test_load_labelled_reports_line_numbers(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text("not json\n", encoding="utf-8")
    with pytest.raises(LabelledDataError, match="no usable line"):
        load_labelled(p)


def test_metrics_by_hand_on_a_tiny_frame():
    f = pd.DataFrame({
        "doc_type": ["referral", "referral", "rx_refill", "other"],
        "pred_doc_type": ["referral", "rx_refill", "rx_refill", "other"],
        "urgency": ["routine", "routine", "urgent", "emergent"],
        "pred_urgency": ["routine", "routine", "urgent", "emergent"],
        "pred_urgency_model": ["routine", "routine", "routine", "emergent"],
        "p_doc": [0.95, 0.6, 0.9, 0.8], "confidence": [0.95, 0.55, 0.85, 0.7],
        "sensitive": [False, False, True, True], "pred_sensitive": [False, True, True, True],
        "auto": [True, True, False, False], "injection_suspected": [False, False, False, False],
        "injected": [False, False, False, False],
    })
    f["doc_ok"] = f["doc_type"] == f["pred_doc_type"]
    f["urg_ok"] = f["urgency"] == f["pred_urgency"]
    f["correct"] = f["doc_ok"] & f["urg_ok"]
    m = triage_metrics(f, n_boot=5)
    # doc_type F1: referral P=1 R=.5 -> 2/3; rx_refill P=.5 R=1 -> 2/3; other 1 -> macro 7/9
    assert m["doc_type_macro_f1"] == pytest.approx(7 / 9)
    assert m["sensitive_recall"] == 1.0 and m["sensitive_precision"] == pytest.approx(2 / 3)
    assert m["auto_rate"] == 0.5 and m["auto_error_rate"] == 0.5 and m["auto_rate_non_sensitive"] == 1.0
    # ECE, 10 uniform bins: bins .9 {.95 ok}, .5 {.55 wrong}, .8 {.85 ok}, .7 {.7 ok}
    assert m["ece"] == pytest.approx((0.05 + 0.55 + 0.15 + 0.3) / 4)
    assert m["urgency_macro_f1"] == 1.0 and m["emergent_auto_routed"] == 0
