"""End-to-end benches through the real agents and job workers: fax arrival to route (p95, one
worker of concurrency 2 on this machine's 2 cores) and a clinic's day (faxes, portal messages, claims,
appointments) from acceptance until every item has its outcome. Models are trained before timing."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.common import SQL, Figure, percentile

REPO = Path(__file__).resolve().parents[1]
DAY = {"faxes": 500, "messages": 300, "claims": 200, "appointments": 400}


def _runtime(url: str, home: Path):
    from agents.runtime import open_runtime
    from models.settings import Settings

    return open_runtime(Settings(database_url=url, home=home, inprocess_worker=False, llm_local_only=True), migrate=False)


def prepare_clinic(url: str, home: Path, *, training: int = 800, noshow: bool = True, seed: int = 7) -> dict:
    """Demo org and users, the intake classifier, the no-show model with the clinic's appointments,
    and (when the code tables are there) the denial model: everything a day needs, untimed."""
    from api.cli.demo import demo_noshow, seed_demo
    from tools.intake.classifier import MODEL_NAME
    from tools.intake.training import register_intake_classifier
    from tools.model_registry import latest_head

    rt = _runtime(url, home)
    try:
        seed_demo(rt)
        with rt.pool.connection() as conn:
            if latest_head(conn, name=MODEL_NAME) is None:
                register_intake_classifier(conn, _intake_classifier(training, seed), registered_by="bench")
        # The demo clinic's patients and appointments, and the no-show model (scores tomorrow once).
        return {"noshow": demo_noshow(rt, seed) if noshow else "skipped"}
    finally:
        rt.close()


@functools.cache
def _intake_classifier(training: int, seed: int):
    """The intake classifier of `training` synthetic items, trained once per bench run: every bench
    database registers the same model (training it is untimed preparation, and took most of a quick run)."""
    from tools.intake.training import train_synthetic_intake

    return train_synthetic_intake(n=training, seed=seed,
                                  **({} if training >= 800 else {"augment": False, "use_embeddings": False}))


def _start_worker(url: str, home: Path, *, concurrency: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_") and k != "DATABASE_URL"}
    env.update({"DATABASE_URL": url, "HANDOFF_HOME": str(home), "HANDOFF_LOG_LEVEL": "WARNING",
                "HANDOFF_LLM_LOCAL_ONLY": "true", "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--concurrency", str(concurrency)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _wait_started(url: str, workers: list[subprocess.Popen], *, before: int, limit_s: float = 300) -> None:
    """Until the workers have registered with the job queue: their start-up (imports, runtime, pool)
    is not an item's wait. A worker that exits instead is a failed bench."""
    from store.db import connect

    deadline = time.monotonic() + limit_s
    with connect(url, autocommit=True) as conn:
        while conn.execute(SQL.workers_started).fetchone()["n"] < before + len(workers):
            if any(w.poll() is not None for w in workers):
                raise RuntimeError("a worker exited during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not start within {limit_s:.0f} s")
            time.sleep(0.1)


def _workers_started(url: str) -> int:
    from store.db import connect

    with connect(url, autocommit=True) as conn:
        return conn.execute(SQL.workers_started).fetchone()["n"]


def _wait_drained(url: str, *, limit_s: float) -> float:
    """Seconds until every accepted item has an outcome (bounded by limit_s)."""
    from store.db import connect

    started = time.perf_counter()
    with connect(url) as conn:
        while time.perf_counter() - started < limit_s:
            left = conn.execute(SQL.items_without_outcome).fetchone()["n"]
            conn.commit()
            if left == 0:
                break
            time.sleep(0.5)
    return time.perf_counter() - started


def _faxes(n: int, seed: int) -> list[bytes]:
    from evals.synthetic_faxes import render_fax
    from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients

    items = generate_heldout_corpus(seed, max(n * 3, 12), make_patients(seed=seed, n=60))
    texts = [i.text for i in items][:n]
    return [render_fax([t], resolution="fine", seed=k, cover_sheet=k % 2 == 0).pdf_bytes() for k, t in enumerate(texts)]


def _accept(url: str, home: Path, channel: str, payloads: list[bytes]) -> None:
    from api.services.intake import accept

    rt = _runtime(url, home)
    try:
        with rt.pool.connection() as conn:
            for data in payloads:
                accept(conn, rt, user=None, actor="bench", unit_code="primary-care", channel=channel, data=data)
    finally:
        rt.close()


def bench_fax_turnaround(url: str, home: Path, *, faxes: int, interval_s: float, seed: int = 21) -> list[Figure]:
    """Faxes arrive one every `interval_s` seconds; each one's time from acceptance to its route."""
    payloads = _faxes(faxes, seed)
    before = _workers_started(url)
    worker = _start_worker(url, home, concurrency=2)
    try:
        _wait_started(url, [worker], before=before)
        for data in payloads:
            _accept(url, home, "fax", [data])
            time.sleep(interval_s)
        drained = _wait_drained(url, limit_s=600 + faxes * 60)
    finally:
        _stop(worker)
    from store.db import connect

    with connect(url) as conn:
        seconds = [float(r["seconds"]) for r in conn.execute(SQL.fax_turnaround).fetchall()]
    sizes = {"faxes": faxes, "routed": len(seconds), "interval_s": interval_s, "worker_concurrency": 2}
    return [Figure("fax_turnaround", "arrival to routed p50", round(percentile(seconds, 50), 1), "s", sizes=sizes),
            Figure("fax_turnaround", "arrival to routed p95", round(percentile(seconds, 95), 1), "s", "<= 30",
                   sizes=sizes, note=f"drained {drained:.0f} s after the last arrival")]


def bench_clinic_day(url: str, home: Path, *, scale: float, quick: bool = False, seed: int = 33) -> list[Figure]:
    """A clinic's day at `scale` of 500 faxes, 300 messages, 200 claims and 400 appointments, all
    accepted at once and worked by two workers (concurrency 1 each); the day's time is the measured
    time divided by `scale` when scale < 1 (said so in the note)."""
    from api.services.intake import message_bytes
    from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients

    counts = {k: max(1, round(v * scale)) for k, v in DAY.items()}
    faxes = _faxes(counts["faxes"], seed)
    msgs = [message_bytes({"text": i.text}) for i in generate_heldout_corpus(seed + 1, counts["messages"] * 2,
                                                                             make_patients(seed=seed, n=60))]
    msgs = msgs[:counts["messages"]]
    claims_body, claims_note = (None, "claims skipped in --quick (code tables take minutes to load)") if quick \
        else _claims(url, home, counts["claims"], seed)
    before = _workers_started(url)
    workers = [_start_worker(url, home, concurrency=1) for _ in range(2)]
    try:
        _wait_started(url, workers, before=before)
        started = time.perf_counter()
        _accept(url, home, "fax", faxes)
        _accept(url, home, "message", msgs)
        if claims_body:
            _accept(url, home, "claim", [claims_body])
        scored = "appointments skipped in --quick (the no-show model takes minutes to train)" if quick \
            else _score_appointments(url, home, counts["appointments"], seed)
        drained = _wait_drained(url, limit_s=3600)
        elapsed = time.perf_counter() - started
    finally:
        for w in workers:
            _stop(w)
    day_s = elapsed / scale if scale < 1 else elapsed
    note = (f"measured {elapsed:.0f} s at {scale:.0%} of a day, scaled linearly" if scale < 1 else "a whole day") + \
        f"; {scored}; {claims_note}; drained {drained:.0f} s"
    return [Figure("clinic_day", "a clinic's day through every agent", round(day_s / 60, 1), "min", "<= 15",
                   sizes={**counts, "scale": scale, "workers": 2}, note=note)]


def _claims(url: str, home: Path, n: int, seed: int) -> tuple[bytes | None, str]:
    from agents.claims import load_tables
    from evals.synthetic_claims import generate_labeled_claims, make_patients

    rt = _runtime(url, home)
    try:
        tables = load_tables(rt)
        if tables.icd10cm is None:
            return None, "claims skipped: no code tables"
        items = generate_labeled_claims(make_patients(40, seed=seed), tables=tables, n=n, seed=seed, error_rate=0.35)
        body = {"claims": [{"claim": i.claim.model_dump(mode="json"), "context": i.context.model_dump(mode="json")}
                           for i in items]}
        return json.dumps(body).encode(), f"{n} claims in one batch"
    finally:
        rt.close()


def _score_appointments(url: str, home: Path, n: int, seed: int) -> str:
    """Book about `n` appointments on coming days the demo clinic has not scored (the demo's own
    history ends tomorrow), for the clinic's registered patients, and score those days."""
    from agents.noshow import score_day
    from api.cli.demo import DEMO_TODAY
    from evals.synthetic_clinic import generate_clinic
    from store import org as org_store
    from store import scheduling as scheduling_store

    rt = _runtime(url, home)
    try:
        first = DEMO_TODAY + timedelta(days=3)
        with rt.pool.connection() as conn, conn.transaction():
            unit = org_store.get_unit_by_code(conn, code="primary-care")
            # About 60 visits a weekday for 1,500 patients: enough days for `n`, all booked the evening before.
            clinic = generate_clinic(seed=seed, n_patients=1500, start=first, days=max(3, n // 40 + 3),
                                     today=first - timedelta(days=1), unit_id=unit.id)
            booked = [a.model_copy(update={"id": f"B{i:07d}"}) for i, a in enumerate(clinic.appointments[:n])]
            scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=booked)
        days = sorted({a.appointment_day for a in booked})
        total = sum(score_day(rt, unit_code="primary-care", day=day).scored for day in days)
        return f"{total} appointments scored over {len(days)} day{'s' if len(days) != 1 else ''} (asked for {n})"
    finally:
        rt.close()
