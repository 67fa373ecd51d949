"""Issue 11, row 2 of the red-team table: a worker killed with SIGKILL at random points loses
nothing and duplicates nothing. Real `handoff worker` processes (the CLI entry, see
tests/chaos_workers.py) process a batch of portal messages against the test database and are killed
over and over at random moments of their graph runs; after a last worker drains the queue every
document part has exactly one suggestion, one route, at most one open review item and, when routed
automatically, one filing; every item is marked processed; and `handoff audit verify` passes.

Bounded: about a minute here (the embeddings endpoint is the test's local fake, so workers load no
neural model). The figures (trials, kills that landed mid-graph, losses) are printed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from agents.intake import build_graph, thread_config, waiting_for_review
from api.services.intake import accept, message_bytes
from tests.conftest import REPO, cli_env
from tests.llm_server import FakeLlmServer

MESSAGES = [
    "Could you send my immunization records to my new school? Thank you.",
    "I need to reschedule my appointment next Tuesday to any morning the following week.",
    "Please refill my lisinopril 10 mg, I only have two pills left. Pharmacy: Walgreens on Main.",
    "I got a bill for $240 for my visit in March but my insurance should have paid it. Can you check?",
    "My daughter needs a sports physical form signed before Friday.",
    "Crushing chest pain for the last hour and my left arm is numb. What should I do?",
    "What time do you open on Saturday?",
    "Can I get a copy of my last lab results sent to my email?",
    "I have had a mild rash on my arm for three days, should I keep using the cream?",
    "Please cancel my appointment on the 14th, I will call to rebook.",
    "My insurance changed in January; here is my new member ID ABC123456 for your records.",
    "I am out of my metformin and the pharmacy says they need a new prescription.",
]
TRIALS = 20
# Kills must land inside a graph run (a trial waits up to 60 s for one to start): most of them, and at
# least this many (a faster machine may finish the items before all trials are used).
MIN_MID_GRAPH = 8
MIN_MID_GRAPH_SHARE = 0.75
SEED = 11


def _checkpoints(conn) -> int:
    return conn.execute("SELECT count(*) AS n FROM checkpoint_writes").fetchone()["n"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.timeout(2400)  # the bound is the suite's: about a minute on an idle machine
def test_kill_minus_nine_at_random_points_loses_and_duplicates_nothing(intake_runtime, intake_classifier, settings,
                                                                          record_property):
    rt = intake_runtime
    rng = random.Random(SEED)
    items = []
    with rt.pool.connection() as conn:
        for text in MESSAGES:
            items.append(accept(conn, rt, user=None, actor="chaos", unit_code="primary-care", channel="message",
                                data=message_bytes({"text": text})).item_id)
    started, started_pids = time.monotonic(), []
    with FakeLlmServer(lambda prompt, schema: None) as embeddings:
        env = cli_env(settings) | {
            "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HANDOFF_LLM_LOCAL_ONLY": "true",
            "HANDOFF_EMBED_BASE_URL": embeddings.base_url, "HANDOFF_EMBED_MODEL": "test-embed",
            "HANDOFF_WORKER_HEARTBEAT_S": "1", "HANDOFF_WORKER_STALLED_S": "4"}
        log = open(settings.home / "chaos-workers.log", "ab")
        zygote = subprocess.Popen([sys.executable, "-m", "tests.chaos_workers"], cwd=REPO, env=env, text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        try:
            assert zygote.stdout.readline().strip() == "ready"

            def start(*args: str) -> int:
                zygote.stdin.write(" ".join(args) + "\n")
                zygote.stdin.flush()
                started_pids.append(int(zygote.stdout.readline()))
                return started_pids[-1]

            kills, mid_graph = 0, 0
            with rt.pool.connection() as conn:
                conn.autocommit = True
                while kills < TRIALS:
                    pid = start("worker", "--concurrency", "1")
                    before, wanted = _checkpoints(conn), rng.randint(1, 14)
                    deadline = time.monotonic() + 60
                    # Let it run until it has written a random number of checkpoint writes, then kill it
                    # a random moment later: anywhere inside a node, a gate transaction, a checkpoint.
                    while _alive(pid) and _checkpoints(conn) - before < wanted and time.monotonic() < deadline:
                        time.sleep(0.02)
                    time.sleep(rng.uniform(0, 0.15))
                    if _alive(pid):
                        mid_graph += _checkpoints(conn) > before
                        os.kill(pid, signal.SIGKILL)
                        kills += 1
                    print(f"chaos trial {kills}: {_checkpoints(conn) - before} checkpoint writes before the kill "
                          f"({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
                    done = conn.execute("SELECT count(*) AS n FROM inbound_events WHERE event = 'processed'").fetchone()["n"]
                    if done >= len(MESSAGES) and kills < TRIALS:
                        break  # nothing left to interrupt
                    while _alive(pid):
                        time.sleep(0.02)
            time.sleep(4.5)  # the last victim's heartbeat is now stale: the next worker takes its job back
            last = start("worker", "--once")
            deadline = time.monotonic() + 600
            while _alive(last) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(last):
                with rt.pool.connection() as conn:
                    jobs_left = conn.execute("SELECT status, attempts, count(*) AS n FROM procrastinate_jobs "
                                             "GROUP BY 1, 2").fetchall()
                raise AssertionError(f"the last worker did not drain the queue within 600 s: {jobs_left}")
        finally:
            zygote.stdin.close()
            try:
                zygote.wait(timeout=30)
            except subprocess.TimeoutExpired:
                zygote.kill()
            log.close()
            for pid in started_pids:  # nothing this test started outlives it
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
    seconds = time.monotonic() - started

    graph = build_graph(checkpointer=rt.checkpointer)
    losses, duplicates = [], []
    with rt.pool.connection() as conn:
        for item_id in items:
            events = [e["event"] for e in conn.execute("SELECT event FROM inbound_events WHERE item_id = %s",
                                                        (item_id,)).fetchall()]
            parts = conn.execute("SELECT id FROM inbound_parts WHERE item_id = %s", (item_id,)).fetchall()
            if "processed" not in events or not parts:
                losses.append((item_id, "not processed"))
            for p in parts:
                subject = f"inbound_part:{p['id']}"
                rows = conn.execute(
                    "SELECT r.decision, r.qa_sample, (SELECT count(*) FROM review_items i WHERE i.subject = s.subject) AS items,"
                    " (SELECT count(*) FROM intake_filings f WHERE f.part_id = %s) AS filings "
                    "FROM suggestions s JOIN routes r ON r.suggestion_id = s.id WHERE s.subject = %s",
                    (p["id"], subject)).fetchall()
                n_suggestions = conn.execute("SELECT count(*) AS n FROM suggestions WHERE subject = %s",
                                             (subject,)).fetchone()["n"]
                if n_suggestions != 1 or len(rows) != 1:
                    (losses if not rows else duplicates).append((subject, n_suggestions, len(rows)))
                    continue
                r = rows[0]
                needs_item = r["decision"] == "review" or r["qa_sample"]
                if r["items"] != (1 if needs_item else 0) or r["filings"] != (1 if r["decision"] == "auto" else 0):
                    duplicates.append((subject, dict(r)))
                state = graph.get_state(thread_config(p["id"]))
                if not (state.values.get("filed") or waiting_for_review(state)):
                    losses.append((subject, "thread neither filed nor waiting for review", state.next))
    verify = subprocess.run([sys.executable, "-m", "api.cli", "audit", "verify"], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    figures = {"trials": kills, "kills_mid_graph": mid_graph, "items": len(items), "losses": len(losses),
               "duplicates": len(duplicates), "seconds": round(seconds, 1)}
    print(f"\nchaos: {figures}")
    record_property("chaos", figures)
    assert kills >= TRIALS
    # A kill only tests something when it interrupts work in progress: the victim had written at
    # least one checkpoint of a graph run (a worker killed while idle or starting proves nothing).
    assert mid_graph >= MIN_MID_GRAPH and mid_graph >= MIN_MID_GRAPH_SHARE * kills, figures
    assert not losses, losses
    assert not duplicates, duplicates
    assert verify.returncode == 0, verify.stdout + verify.stderr
