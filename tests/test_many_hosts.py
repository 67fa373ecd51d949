"""Many hosts, one Postgres (issue 15): two API processes and three workers, each with its own
HANDOFF_HOME (as if on its own machine) and accepted files kept in Postgres, process a batch sent to
both APIs with nothing lost and nothing done twice, and the audit chain they all wrote verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from store import audit
from tests.conftest import REPO, cli_env

N_MESSAGES = 12
TEXTS = [
    "Please refill my lisinopril 10 mg, I have two pills left.",
    "I need to reschedule my appointment next Tuesday to the afternoon.",
    "Question about my bill from March: I was charged twice for the same visit.",
    "Can you fill out the school sports form for my son before Friday?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_live(port: int, procs: list[subprocess.Popen], deadline: float) -> None:
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"a process exited early with status {p.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/livez", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the API on port {port} did not start")


def test_two_apis_and_three_workers_on_one_postgres(runtime, demo_org, settings, intake_classifier, tmp_path):
    from tools.intake.training import register_intake_classifier

    # Every host reads the intake model from the one Postgres (the registry), as it reads the files.
    with runtime.pool.connection() as conn:
        register_intake_classifier(conn, intake_classifier, registered_by="test")

    def host_env(name: str) -> dict[str, str]:
        env = cli_env(settings)
        home = tmp_path / name
        env.update({"HANDOFF_HOME": str(home), "HANDOFF_BLOB_STORE": "postgres", "HANDOFF_LLM_LOCAL_ONLY": "true",
                    "HANDOFF_POOL_MAX_SIZE": "3", "HANDOFF_WORKER_POOL_MAX_SIZE": "3", "HANDOFF_LOG_LEVEL": "WARNING",
                    "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
        return env

    procs: list[subprocess.Popen] = []
    ports = [_free_port(), _free_port()]
    try:
        for i, port in enumerate(ports):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--no-worker", "--port", str(port)], env=host_env(f"api{i}"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        for i in range(3):
            queues = ["--queue", "inbound", "--queue", "decisions"] if i < 2 else []
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker", "--concurrency", "2", *queues], env=host_env(f"worker{i}"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + 180  # start-up of five processes on a busy machine
        for port in ports:
            _wait_live(port, procs, deadline)

        item_ids: set[str] = set()
        clients = []
        for port in ports:
            c = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
            r = c.post("/api/v1/auth/login", json={"username": "frontdesk", "password": "handoff-demo"})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            clients.append(c)
        for i in range(N_MESSAGES):
            body = {"text": f"{TEXTS[i % len(TEXTS)]} (message {i})"}
            r = clients[i % 2].post("/api/v1/messages", params={"unit": "primary-care"}, json=body)
            assert r.status_code == 202, r.text
            item_ids.add(r.json()["item_id"])
            if i % 5 == 0:  # re-sending the same message to the other API is the same item
                again = clients[(i + 1) % 2].post("/api/v1/messages", params={"unit": "primary-care"}, json=body)
                assert again.json()["item_id"] == r.json()["item_id"] and not again.json()["created"]
        for c in clients:
            c.close()
        assert len(item_ids) == N_MESSAGES

        deadline = time.monotonic() + 600  # a bound on the wait (a hang guard), not a timing assert
        with runtime.pool.connection() as conn:
            while time.monotonic() < deadline:
                done = conn.execute(
                    "SELECT count(DISTINCT item_id) AS n FROM inbound_events WHERE event = 'processed' "
                    "AND item_id = ANY(%s::uuid[])", (list(item_ids),)).fetchone()["n"]
                conn.commit()
                if done == N_MESSAGES:
                    break
                for p in procs:
                    assert p.poll() is None, "a process died while the batch was processed"
                time.sleep(1)
            assert done == N_MESSAGES, f"only {done} of {N_MESSAGES} items were processed"
            twice = conn.execute(
                "SELECT item_id, count(*) AS n FROM inbound_events WHERE event = 'processed' AND item_id = ANY(%s::uuid[]) "
                "GROUP BY item_id HAVING count(*) > 1", (list(item_ids),)).fetchall()
            assert twice == []
            dup_outputs = conn.execute(
                "SELECT subject, count(*) AS n FROM suggestions WHERE agent = 'intake' AND kind = 'triage' "
                "GROUP BY subject HAVING count(*) > 1").fetchall()
            assert dup_outputs == []
            per_item = conn.execute(
                "SELECT count(DISTINCT p.item_id) AS n FROM inbound_parts p JOIN suggestions s "
                "ON s.subject = 'inbound_part:' || p.id::text WHERE p.item_id = ANY(%s::uuid[])",
                (list(item_ids),)).fetchone()["n"]
            assert per_item == N_MESSAGES
            stored = conn.execute("SELECT count(*) AS n FROM blobs").fetchone()["n"]
            assert stored == N_MESSAGES
            failed = conn.execute("SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'failed'").fetchone()["n"]
            assert failed == 0
            report = audit.verify_chain(conn)
            assert report.ok, report.first_problem
        assert not any((tmp_path / name / "blobs").exists() for name in ("api0", "api1"))
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
