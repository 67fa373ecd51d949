"""Database-side benches: log appends per second with concurrent writers (one chain, as before
migration 080, against the shard chains), `audit verify` over a large log (full, then incremental
from its anchor), and the review API's claim/decide latency with many open items."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import SQL, BenchServer, Figure, percentile, timed
from store import audit
from store.db import connect

REPO = Path(__file__).resolve().parents[1]


def bench_log_appends(srv: BenchServer, *, writers: int = 8, per_writer: int) -> list[Figure]:
    """Each writer appends audit events in its own transactions (a commit each, as requests do)."""
    out = []
    rates = {}
    for shards in (1, 16):
        url = srv.fresh_database("appends")
        with connect(url) as conn:
            audit.set_shards(conn, shards=shards)
        barrier = threading.Barrier(writers + 1)
        errors: list[str] = []

        def write(i: int, url=url, barrier=barrier, errors=errors) -> None:
            try:
                with connect(url) as conn:
                    barrier.wait()
                    for n in range(per_writer):
                        audit.record_event(conn, actor=f"writer{i}", action="bench.append", detail={"n": n})
                        conn.commit()
            except Exception as exc:  # a bench reports, it does not stop at one writer
                errors.append(exc.__class__.__name__)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        barrier.wait()
        started = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        rates[shards] = writers * per_writer / elapsed
        with connect(url) as conn:
            ok = audit.verify_chain(conn).ok
        label = "one chain (before)" if shards == 1 else f"{shards} shard chains (now)"
        out.append(Figure("log_appends", f"appends/s, {writers} writers, {label}", round(rates[shards], 1), "rows/s",
                          sizes={"writers": writers, "per_writer": per_writer, "shards": shards},
                          note=("chain verifies" if ok else "CHAIN BROKEN") + (f"; errors {errors}" if errors else "")))
    out.append(Figure("log_appends", "speed-up of shard chains over one chain", round(rates[16] / rates[1], 2), "x",
                      sizes={"writers": writers}))
    return out


def seed_log(url: str, *, open_items: int, log_rows: int, batch: int = 50_000) -> int:
    """`open_items` ready review items (each with its logged suggestion and route) and filler audit
    events up to `log_rows` log rows in all. Returns the log rows."""
    from api.cli.demo import seed_demo
    from agents.runtime import open_runtime
    from models.settings import Settings
    from store import org as org_store

    rt = open_runtime(Settings(database_url=url, inprocess_worker=False), migrate=False)
    try:
        seed_demo(rt)
    finally:
        rt.close()
    with connect(url) as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        for start in range(1, open_items + 1, batch):
            conn.execute(SQL.seed_open_items, {"unit_id": unit.id, "queue": "front_desk", "start": start,
                                               "stop": min(open_items, start + batch - 1)})
            conn.commit()
        have = conn.execute(SQL.log_row_count).fetchone()["n"]
        start = 1
        while have < log_rows:
            n = min(batch, log_rows - have)
            conn.execute(SQL.seed_audit_events, {"start": start, "stop": start + n - 1})
            conn.commit()
            have += n
            start += n
        rows = conn.execute(SQL.log_row_count).fetchone()["n"]
    with connect(url, autocommit=True) as conn:
        conn.execute(SQL.vacuum_analyze)
    return rows


def bench_audit_verify(url: str, *, rows: int, new_rows: int) -> list[Figure]:
    with connect(url) as conn:
        full_s, report = timed(audit.verify_chain, conn)
        assert report.ok, report.first_problem
        for i in range(new_rows):
            audit.record_event(conn, actor="bench", action="bench.after_anchor", detail={"n": i})
        conn.commit()
        inc_s, inc = timed(audit.verify_chain, conn, incremental=True)
    return [
        Figure("audit_verify", "full verify", round(full_s, 2), "s", "<= 60", sizes={"log_rows": report.rows}),
        Figure("audit_verify", "incremental verify from the last anchor", round(inc_s, 3), "s", "<= 1",
               sizes={"new_rows": inc.rows, "log_rows": report.rows + new_rows},
               note="ok" if inc.ok and inc.incremental else "NOT OK"),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_review_api(url: str, *, iterations: int, home: Path) -> list[Figure]:
    """`handoff serve` in its own process on loopback; one client claims, reads and decides items
    one after another (a bounded loop), timing each call."""
    import httpx

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_") and k != "DATABASE_URL"}
    env.update({"DATABASE_URL": url, "HANDOFF_HOME": str(home), "HANDOFF_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--no-worker", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    claim_ms, decide_ms, read_ms = [], [], []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/livez", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post("/api/v1/auth/login", json={"username": "frontdesk", "password": "handoff-demo"})
            r.raise_for_status()
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            for _ in range(3):  # warm-up: first requests pay imports and prepared statements
                item = c.post("/api/v1/review/queues/front_desk/claim").json()
                c.post(f"/api/v1/review/items/{item['id']}/release")
            for _ in range(iterations):
                t0 = time.perf_counter()
                r = c.post("/api/v1/review/queues/front_desk/claim")
                t1 = time.perf_counter()
                r.raise_for_status()
                item = r.json()
                g = c.get(f"/api/v1/review/items/{item['id']}")
                t2 = time.perf_counter()
                g.raise_for_status()
                d = c.post(f"/api/v1/review/items/{item['id']}/decision",
                           json={"action": "accept", "reason_code": "correct", "item_version": g.json()["version"]})
                t3 = time.perf_counter()
                d.raise_for_status()
                claim_ms.append((t1 - t0) * 1000)
                read_ms.append((t2 - t1) * 1000)
                decide_ms.append((t3 - t2) * 1000)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    with connect(url) as conn:
        open_items = conn.execute(SQL.open_items).fetchone()["n"]
        log_rows = conn.execute(SQL.log_row_count).fetchone()["n"]
    sizes = {"open_items": open_items, "log_rows": log_rows, "iterations": iterations}
    out = []
    for name, values in (("claim", claim_ms), ("read", read_ms), ("decide", decide_ms)):
        out.append(Figure("review_api", f"{name} p50", round(percentile(values, 50), 1), "ms", sizes=sizes))
        out.append(Figure("review_api", f"{name} p99", round(percentile(values, 99), 1), "ms",
                          "<= 50" if name != "read" else "", sizes=sizes))
    return out
