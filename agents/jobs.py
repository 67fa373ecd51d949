"""Background jobs on procrastinate, in the same Postgres: one worker or many machines' worth.

Jobs carry ids, never live objects. An accepted item and its job are written in one transaction
(`enqueue_inbound` on the caller's connection), so an item is never queued before it is stored.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

import procrastinate
import psycopg
from procrastinate.manager import JobManager
from procrastinate.tasks import configure_task

from agents.runtime import Runtime
from models.inbound import InboundItem
from store import inbound as inbound_store
from store import routing

if TYPE_CHECKING:
    from agents.wiring import Wiring

log = logging.getLogger(__name__)

# The worker's app: its connector is replaced by one with the database URL when a worker starts.
app = procrastinate.App(connector=procrastinate.PsycopgConnector())
# Deferring happens on the caller's own (sync) connection, inside the caller's transaction, through a
# separate job manager, so it works the same whether or not a worker runs in this process.
_defer_manager = JobManager(procrastinate.SyncPsycopgConnector())

_runtime: Runtime | None = None
_wiring: Wiring | None = None


def default_wiring() -> Wiring:
    """agents/wiring.py's table. Imported only by a process that runs jobs: it imports every agent
    (and scikit-learn, the graph, the detectors: seconds of start-up), which a process that only
    accepts and queues items, or refuses them at the door, never needs."""
    from agents.wiring import WIRING

    return WIRING


def bind_runtime(runtime: Runtime, *, wiring: Wiring | None = None) -> None:
    """Give tasks run by this process their settings, pool and agent table (agents/wiring.py unless
    `wiring` is given; called by the worker's entry), sweep what a killed worker left mid-OCR, and
    requeue what a crash left unfinished."""
    global _runtime, _wiring
    from tools.intake.ocr import sweep_stale_tmp

    _runtime = runtime
    _wiring = wiring or default_wiring()
    swept = sweep_stale_tmp(runtime.settings.tmp_dir)  # copies a killed worker left mid-OCR
    if swept:
        log.info("removed %d temporary OCR folders left by stopped workers", swept)
    requeue_unfinished(runtime)


def requeue_unfinished(runtime: Runtime) -> int:
    """Queue again every accepted item without an outcome whose job is gone (a worker that died,
    retries used up): processing is idempotent, so a second run is safe. Returns how many."""
    from procrastinate.exceptions import AlreadyEnqueued

    requeued = 0
    with runtime.pool.connection() as conn:
        for item_id in inbound_store.unfinished_inbound(conn):
            try:
                with conn.transaction():
                    enqueue_inbound(conn, item_id=item_id)
                requeued += 1
            except AlreadyEnqueued:
                continue  # a job for it is already waiting
    if requeued:
        log.info("requeued %d accepted items left unfinished", requeued)
    return requeued


def _require_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("jobs ran before bind_runtime(); start workers through `handoff worker`")
    return _runtime


def enqueue_decision(conn: psycopg.Connection, *, decision_id: UUID) -> int:
    """Queue the application of a final decision inside the caller's transaction."""
    deferrer = configure_task(name=apply_decision.name, job_manager=_defer_manager, connection=conn,
                              queue=apply_decision.queue)
    return deferrer.defer(decision_id=str(decision_id))


def enqueue_inbound(conn: psycopg.Connection, *, item_id: UUID) -> int:
    """Queue processing of an accepted item inside the caller's transaction (at most one waiting job
    per item: the queueing lock)."""
    deferrer = configure_task(name=process_inbound.name, job_manager=_defer_manager, connection=conn,
                              queue=process_inbound.queue, queueing_lock=f"inbound:{item_id}")
    job_id = deferrer.defer(item_id=str(item_id))
    inbound_store.record_inbound_event(conn, item_id=item_id, event="queued", detail={"job_id": job_id})
    return job_id


INBOUND_RETRIES = 3  # retries after the first attempt; after the last one the item goes to a person
# Which agent's queue a failed item goes to, by channel (the gate picks the queue from the policy).
FAILURE_AGENT = {"claim": "claims", "appointments": "noshow"}
FAILURE_NAMESPACE = UUID("3d0c7a9e-54b1-4f6e-9a0c-2b7e1f4d8c65")


class ProcessingFailed(Exception):
    """A job's failure as it is logged and stored: the error's class name only, never its message,
    which may quote the document or claim (a Postgres error's CONTEXT, a parser's complaint)."""


def _frames(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_tb(exc.__traceback__))


@app.task(name="handoff.process_inbound", queue="inbound", pass_context=True,
          retry=procrastinate.RetryStrategy(max_attempts=INBOUND_RETRIES, wait=5))
def process_inbound(context, item_id: str) -> None:
    """Run the handler the wiring table names for the item's channel (or record `no_agent`); after
    the last failed attempt the item goes to a person (fail_inbound)."""
    rt = _require_runtime()
    with rt.pool.connection() as conn:
        item = inbound_store.get_inbound_item(conn, item_id=UUID(item_id))
        if item is None:
            log.warning("process_inbound: no inbound item %s", item_id)
            return
        handler = (_wiring or default_wiring()).inbound.get(item.channel)
        if handler is None:
            # Kept, and said plainly: the item waits until an agent for its channel is installed.
            inbound_store.record_inbound_event(conn, item_id=item.id, event="no_agent", detail={"channel": item.channel})
            conn.commit()
            return
    try:
        handler(rt, item)
    except Exception as exc:
        attempt = context.job.attempts + 1 if context and context.job else 1
        error = exc.__class__.__name__
        log.error("process_inbound: item %s failed on attempt %d of %d (%s)\n%s", item.id, attempt,
                  INBOUND_RETRIES + 1, error, _frames(exc))
        with rt.pool.connection() as conn:
            inbound_store.record_inbound_event(conn, item_id=item.id, event="error",
                                               detail={"error": error, "attempt": attempt})
        if attempt > INBOUND_RETRIES:
            fail_inbound(rt, item, error=error, attempts=attempt)
        raise ProcessingFailed(error) from None
    with rt.pool.connection() as conn:
        inbound_store.record_inbound_event(conn, item_id=item.id, event="processed")


def fail_inbound(rt: Runtime, item: InboundItem, *, error: str, attempts: int) -> None:
    """The last attempt failed: record `failed` (so no worker queues it again) and put the item in
    front of a person through the gate, with the error's class and nothing of its content."""
    from agents.gate import route_suggestion
    from models.governance import Suggestion

    suggestion = Suggestion(
        id=uuid5(FAILURE_NAMESPACE, str(item.id)), agent=FAILURE_AGENT.get(item.channel, "intake"),
        kind="processing_failed", unit_id=item.unit_id, subject=f"inbound:{item.id}", label=None,
        value={"reason": "processing_failed", "error": error, "attempts": attempts, "channel": item.channel,
               "received_at": item.received_at.isoformat()},
        confidence=0.0, flags=["processing_failed"], model_version="handoff-jobs", input_hash=item.sha256,
    )
    with rt.pool.connection() as conn, conn.transaction():
        route_suggestion(conn, suggestion)
        inbound_store.record_inbound_event(conn, item_id=item.id, event="failed",
                                           detail={"error": error, "attempts": attempts})


@app.task(name="handoff.apply_decision", queue="decisions", retry=procrastinate.RetryStrategy(max_attempts=3, wait=5))
def apply_decision(decision_id: str) -> None:
    """Apply a final review decision through its agent's decision handler, if it has one."""
    rt = _require_runtime()
    with rt.pool.connection() as conn:
        agent = routing.agent_of_decision(conn, decision_id=UUID(decision_id))
    handler = (_wiring or default_wiring()).decisions.get(agent) if agent else None
    if handler is None:
        log.info("apply_decision: no decision handler for agent %s; the decision stays logged", agent)
        return
    try:
        handler(rt, UUID(decision_id))
    except Exception as exc:
        log.error("apply_decision: decision %s failed (%s)\n%s", decision_id, exc.__class__.__name__, _frames(exc))
        raise ProcessingFailed(exc.__class__.__name__) from None


@app.periodic(cron="* * * * *")
@app.task(name="handoff.expire_review_leases", queue="maintenance", queueing_lock="expire_review_leases")
def expire_review_leases(timestamp: int) -> None:
    """Return review items whose lease ran out to `ready` (every minute); the run is recorded."""
    _run_scheduled("expire_review_leases", timestamp)


@app.periodic(cron="*/5 * * * *")
@app.task(name="handoff.retry_stalled_jobs", queue="maintenance", queueing_lock="retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> None:
    """Jobs left `doing` by a worker that stopped sending heartbeats (it died) run again; every
    Handoff job is idempotent, so a second run is safe (procrastinate's documented pattern)."""
    await retry_stalled_jobs_now()


async def retry_stalled_jobs_now(seconds_since_heartbeat: float = 30) -> int:
    """Put back in the queue the jobs of workers silent for `seconds_since_heartbeat`; returns how many."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat))
    for job in stalled:
        await app.job_manager.retry_job(job)
    if stalled:
        log.info("retried %d stalled jobs", len(stalled))
    return len(stalled)


def known_queues() -> list[str]:
    """Every queue a task of ours runs on."""
    return sorted({task.queue for task in app.tasks.values()})


def _connector(runtime: Runtime, concurrency: int) -> procrastinate.PsycopgConnector:
    # Connection budget: procrastinate's own pool (one listens for new jobs, one per job fetch).
    size = max(runtime.settings.worker_pool_max_size, concurrency + 2)
    return procrastinate.PsycopgConnector(conninfo=runtime.database_url, min_size=1, max_size=size)


async def sweep_stalled_jobs(stalled_s: float) -> None:
    """While a worker runs, every `stalled_s` seconds: put back the jobs of workers that stopped
    sending heartbeats (killed, or their machine died), so a crash costs seconds, not the five
    minutes of the periodic task. (Each worker also sweeps once before it starts.)"""
    while True:
        await asyncio.sleep(stalled_s)
        try:
            await retry_stalled_jobs_now(stalled_s)
        except Exception as exc:  # noqa: BLE001 - a failed sweep is retried at the next interval
            log.warning("stalled-job sweep failed (%s)", exc.__class__.__name__)


def _worker_options(settings) -> dict:
    return {"update_heartbeat_interval": settings.worker_heartbeat_s,
            "stalled_worker_timeout": settings.worker_stalled_s}


def run_worker(runtime: Runtime, *, concurrency: int = 1, wait: bool = True, queues: list[str] | None = None,
               wiring: Wiring | None = None) -> None:
    """Run a worker in the foreground until interrupted (or, with wait=False, until the queue is
    empty); `queues` limits it to some queues (None: every queue). At start, jobs a dead worker left
    running go back to the queue; at exit, by any path, the OCR worker processes stop with it."""
    from tools.intake.ocr import shutdown_ocr_pools

    bind_runtime(runtime, wiring=wiring)

    async def main() -> None:
        async with app.open_async():
            await retry_stalled_jobs_now(runtime.settings.worker_stalled_s)
            sweeper = asyncio.ensure_future(sweep_stalled_jobs(runtime.settings.worker_stalled_s))
            try:
                await app.run_worker_async(concurrency=concurrency, wait=wait, queues=queues or None,
                                           **_worker_options(runtime.settings))
            finally:
                sweeper.cancel()

    try:
        with app.replace_connector(_connector(runtime, concurrency)):
            asyncio.run(main())
    finally:
        shutdown_ocr_pools()


class InProcessWorker:
    """A worker on a background thread, for `handoff serve` and `handoff demo` on one machine."""

    def __init__(self, runtime: Runtime, *, concurrency: int = 1, wiring: Wiring | None = None):
        self._runtime = runtime
        self._wiring = wiring
        self._concurrency = concurrency
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        bind_runtime(self._runtime, wiring=self._wiring)
        self._thread = threading.Thread(target=self._run, name="handoff-worker", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        with app.replace_connector(_connector(self._runtime, self._concurrency)):
            async with app.open_async():
                await retry_stalled_jobs_now(self._runtime.settings.worker_stalled_s)
                sweeper = asyncio.ensure_future(sweep_stalled_jobs(self._runtime.settings.worker_stalled_s))
                self._task = asyncio.ensure_future(
                    app.run_worker_async(concurrency=self._concurrency, install_signal_handlers=False,
                                         **_worker_options(self._runtime.settings))
                )
                self._ready.set()
                try:
                    await self._task
                except asyncio.CancelledError:
                    pass
                finally:
                    sweeper.cancel()

    def stop(self, timeout: float = 15) -> None:
        from tools.intake.ocr import shutdown_ocr_pools

        if self._loop and self._task and not self._task.done():
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread:
            self._thread.join(timeout=timeout)
        shutdown_ocr_pools()  # the OCR worker processes end with the worker that started them


# --- work on time by itself (agents/schedule.py holds what each task does and records its runs) ------


def _run_scheduled(name: str, timestamp: int) -> str:
    from agents import schedule

    fn = {"expire_review_leases": schedule.expire_leases, "deliver_notifications": schedule.deliver_notifications,
          "anchor_audit_chain": schedule.anchor_audit_chain, "score_tomorrow": schedule.score_tomorrow,
          "daily_qa_summary": schedule.daily_qa_summary}[name]
    summary = schedule.run_task(_require_runtime(), name, fn, datetime.fromtimestamp(timestamp, timezone.utc))
    log.info("%s: %s", name, summary)
    return summary


@app.periodic(cron="* * * * *")
@app.task(name="handoff.deliver_notifications", queue="maintenance", queueing_lock="deliver_notifications")
def deliver_notifications(timestamp: int) -> None:
    """Send pending notifications (every minute)."""
    _run_scheduled("deliver_notifications", timestamp)


@app.periodic(cron="7 * * * *")
@app.task(name="handoff.anchor_audit_chain", queue="maintenance", queueing_lock="anchor_audit_chain")
def anchor_audit_chain(timestamp: int) -> None:
    """Anchor the audit chain's head to the anchor directory (hourly)."""
    _run_scheduled("anchor_audit_chain", timestamp)


@app.periodic(cron="0 18 * * *")
@app.task(name="handoff.score_tomorrow", queue="maintenance", queueing_lock="score_tomorrow")
def score_tomorrow(timestamp: int) -> None:
    """Score tomorrow's appointments of every unit through the gate (18:00)."""
    _run_scheduled("score_tomorrow", timestamp)


@app.periodic(cron="30 6 * * *")
@app.task(name="handoff.daily_qa_summary", queue="maintenance", queueing_lock="daily_qa_summary")
def daily_qa_summary(timestamp: int) -> None:
    """Yesterday's QA figures per unit, to its managers (06:30)."""
    _run_scheduled("daily_qa_summary", timestamp)
