"""Issue 11, row 3 of the red-team table: input that fails processing on every attempt reaches a
person (a `failed` event and a `processing_failed` review item through the gate, carrying the error's
class and nothing of the data) instead of being retried forever; a claim holding a NUL is refused at
the door naming the field; and no log line anywhere (the application's, the CLI's error log, the
embedded PostgreSQL's) carries a canary name or SSN planted in every ingest path."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time

from agents import jobs
from api.services.intake import accept, message_bytes
from store import inbound as inbound_store
from store.blobs import blob_path
from tests.conftest import REPO, cli_env, sign_in

CANARY_NAME = "Quillon Zarathustra-Vex"
CANARY_SSN = "987-65-4320"
CANARY_TOKENS = ("Quillon", "Zarathustra", "987-65-4320", "987654320", "987 65 4320")


def _claim(plan: str = CANARY_NAME, member: str = "QZV987654320") -> dict:
    return {"id": "C-CANARY-1", "patient": {"id": "987654320", "birth_date": "1960-01-02", "sex": "F"},
            "subscriber": {"member_id": member}, "coverage": {"payer_id": "P1", "member_id": member, "plan": plan},
            "billing_npi": "1234567893", "submission_date": "2026-11-02",
            "service_lines": [{"line_number": 1, "code": "99213", "charge": "100", "service_date": "2026-11-01"}]}


def _run_until_final(rt, item_id, rounds: int = 8) -> list[str]:
    """Run the worker until the item's job is done or failed; between rounds, wait until its retry is
    due (retries wait 5 s each; the job's own scheduled time, not a fixed sleep)."""
    for _ in range(rounds):
        jobs.run_worker(rt, wait=False)
        with rt.pool.connection() as conn:
            events = [e["event"] for e in inbound_store.inbound_events(conn, item_id=item_id)]
            if "failed" in events or "processed" in events:
                return events
            due = conn.execute(
                "SELECT coalesce(max(extract(epoch FROM scheduled_at - now())), 0) AS s FROM procrastinate_jobs "
                "WHERE queueing_lock = %s AND status = 'todo'", (f"inbound:{item_id}",)).fetchone()["s"]
        time.sleep(min(max(float(due), 0) + 0.1, 5.5))
    return events


def _poison(rt, text: str):
    """Accept a message, then damage its stored bytes: every attempt to read it fails."""
    with rt.pool.connection() as conn:
        out = accept(conn, rt, user=None, actor="test", unit_code="primary-care", channel="message",
                     data=message_bytes({"text": text}))
    path = blob_path(rt.settings.blob_dir, out.sha256)
    path.write_bytes(b"damaged on disk " + text.encode())
    return out


def test_poison_item_reaches_a_person_with_the_error_class_only(runtime, demo_org):
    out = _poison(runtime, f"Patient {CANARY_NAME}, SSN {CANARY_SSN}, asks for a refill.")
    events = _run_until_final(runtime, out.item_id)
    assert events.count("error") == jobs.INBOUND_RETRIES + 1 and events[-1] == "failed", events
    with runtime.pool.connection() as conn:
        [row] = conn.execute(
            "SELECT s.value, s.flags, r.decision, r.queue, r.reasons, i.status FROM suggestions s "
            "JOIN routes r ON r.suggestion_id = s.id JOIN review_items i ON i.suggestion_id = s.id "
            "WHERE s.subject = %s", (f"inbound:{out.item_id}",)).fetchall()
        assert inbound_store.unfinished_inbound(conn) == []  # no worker queues it again
    assert row["decision"] == "review" and "processing_failed" in row["reasons"] and row["status"] == "ready"
    assert row["value"]["error"] == "BlobMissing" and row["value"]["reason"] == "processing_failed"
    assert not any(t in json.dumps(row["value"]) for t in CANARY_TOKENS)
    assert jobs.requeue_unfinished(runtime) == 0


def test_a_claim_holding_a_nul_is_refused_naming_the_field(client, settings):
    h = sign_in(client, "biller")
    r = client.post("/api/v1/claims?unit=primary-care", headers={**h, "Content-Type": "application/json"},
                    content=json.dumps({"claims": [_claim(plan="Gold\u0000Plan")]}))
    assert r.status_code == 422 and r.json()["field"] == "claims[0].coverage.plan", r.text
    settings.home.mkdir(parents=True, exist_ok=True)
    path = settings.home / "nul-claim.json"
    path.write_text(json.dumps(_claim(plan="Gold\u0000Plan")))
    out = subprocess.run([sys.executable, "-m", "api.cli", "ingest", "claims", str(path), "--unit", "primary-care"],
                         env=cli_env(settings) | {"PYTHONPATH": str(REPO)}, cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "control character" in out.stderr, out.stderr


def test_no_log_line_carries_a_canary_planted_in_every_ingest_path(intake_runtime, intake_classifier, client, settings,
                                                                    pg_server, caplog):
    from evals.synthetic_faxes import render_fax
    from agents.runtime import configure_logging

    rt = intake_runtime
    configure_logging(settings.model_copy(update={"log_level": "DEBUG"}))
    caplog.set_level(logging.DEBUG)
    pg_log = pg_server.log.read_text(errors="replace") if pg_server.log.exists() else ""
    letter = f"Patient: {CANARY_NAME}\nSSN: {CANARY_SSN}\nDOB: 01/02/1960\nPlease see her for chest pain on exertion."
    front = sign_in(client, "frontdesk")
    assert client.post("/api/v1/messages?unit=primary-care", headers=front, json={"text": letter}).status_code == 202
    assert client.post("/api/v1/referrals?unit=primary-care", headers=front,
                       json={"letter": letter, "reason": f"{CANARY_NAME} chest pain"}).status_code == 202
    fax = render_fax([letter], resolution="fine", seed=1, cover_sheet=False, max_skew_degrees=0.3)
    assert client.post("/api/v1/faxes?unit=primary-care", headers=front,
                       files={"file": ("canary.pdf", fax.pdf_bytes(), "application/pdf")}).status_code == 202
    assert client.post("/api/v1/messages?unit=primary-care", headers=front,
                       json={"text": letter + "\u0000 again"}).status_code in (202, 422)
    biller = sign_in(client, "biller")  # the client's session is the biller's from here on
    assert client.post("/api/v1/claims?unit=primary-care", headers={**biller, "Content-Type": "application/json"},
                       content=json.dumps(_claim())).status_code == 202
    nul = _claim(plan=CANARY_NAME + "\u0000")
    assert client.post("/api/v1/claims?unit=primary-care", headers={**biller, "Content-Type": "application/json"},
                       content=json.dumps(nul)).status_code == 422
    poisoned = _poison(rt, letter + " (poisoned)")
    # The CLI's ingest paths, with the application log at DEBUG.
    env = cli_env(settings) | {"PYTHONPATH": str(REPO), "HANDOFF_LOG_LEVEL": "DEBUG"}
    settings.home.mkdir(parents=True, exist_ok=True)
    jsonl = settings.home / "canary.jsonl"
    jsonl.write_text(json.dumps({"text": letter + "\nSent from the CLI."}) + "\n")
    claim_file = settings.home / "canary-nul.json"
    claim_file.write_text(json.dumps(nul))
    cli_out = []
    for args in (["ingest", "messages", str(jsonl), "--unit", "primary-care"],
                 ["ingest", "claims", str(claim_file), "--unit", "primary-care"]):
        done = subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, cwd=REPO, capture_output=True,
                              text=True, timeout=600)
        cli_out.append(done.stdout + done.stderr)
    _run_until_final(rt, poisoned.item_id)
    jobs.run_worker(rt, wait=False)

    lines = [caplog.handler.format(r) for r in caplog.records]
    error_log = settings.home / "logs" / "cli-errors.log"
    sources = {"application log": "\n".join(lines), "CLI output": "\n".join(cli_out),
               "CLI error log": error_log.read_text() if error_log.exists() else "",
               "PostgreSQL log": (pg_server.log.read_text(errors="replace") if pg_server.log.exists() else "")[len(pg_log):]}
    hits = {name: [t for t in CANARY_TOKENS if t in text] for name, text in sources.items()}
    print(f"\ncanary hits: {hits} over {len(lines)} application log lines")
    assert all(not found for found in hits.values()), hits
