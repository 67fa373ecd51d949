"""Background jobs on procrastinate, in the same Postgres: one worker or many machines' worth.

Jobs carry ids, never live objects. An accepted item and its job are written in one transaction
(`enqueue_inbound` on the caller's connection), so an item is never queued before it is stored.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime, timezone
from uuid import UUID

import procrastinate
import psycopg
from procrastinate.manager import JobManager
from procrastinate.tasks import configure_task

from agents.runtime import Runtime
from agents.wiring import WIRING, Wiring
from store import inbound as inbound_store
from store import routing

log = logging.getLogger(__name__)

# The worker's app: its connector is replaced by one with the database URL when a worker starts.
app = procrastinate.App(connector=procrastinate.PsycopgConnector())
# Deferring happens on the caller's own (sync) connection, inside the caller's transaction, through a
# separate job manager, so it works the same whether or not a worker runs in this process.
_defer_manager = JobManager(procrastinate.SyncPsycopgConnector())

_runtime: Runtime | None = None
_wiring: Wiring = WIRING


def bind_runtime(runtime: Runtime, *, wiring: Wiring = WIRING) -> None:
    """Give tasks run by this process their settings, pool and agent table (agents/wiring.py; called
    by the worker's entry), and requeue what a crash left unfinished."""
    global _runtime, _wiring
    _runtime = runtime
    _wiring = wiring
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


@app.task(name="handoff.process_inbound", queue="inbound", retry=procrastinate.RetryStrategy(max_attempts=3, wait=5))
def process_inbound(item_id: str) -> None:
    rt = _require_runtime()
    with rt.pool.connection() as conn:
        item = inbound_store.get_inbound_item(conn, item_id=UUID(item_id))
        if item is None:
            log.warning("process_inbound: no inbound item %s", item_id)
            return
        handler = _wiring.inbound.get(item.channel)
        if handler is None:
            # Kept, and said plainly: the item waits until an agent for its channel is installed.
            inbound_store.record_inbound_event(conn, item_id=item.id, event="no_agent", detail={"channel": item.channel})
            conn.commit()
            return
    try:
        handler(rt, item)
    except Exception as exc:
        with rt.pool.connection() as conn:
            inbound_store.record_inbound_event(
                conn, item_id=item.id, event="error", detail={"error": exc.__class__.__name__}
            )
        raise
    with rt.pool.connection() as conn:
        inbound_store.record_inbound_event(conn, item_id=item.id, event="processed")


@app.task(name="handoff.apply_decision", queue="decisions", retry=procrastinate.RetryStrategy(max_attempts=3, wait=5))
def apply_decision(decision_id: str) -> None:
    rt = _require_runtime()
    with rt.pool.connection() as conn:
        agent = routing.agent_of_decision(conn, decision_id=UUID(decision_id))
    handler = _wiring.decisions.get(agent) if agent else None
    if handler is None:
        log.info("apply_decision: no decision handler for agent %s; the decision stays logged", agent)
        return
    handler(rt, UUID(decision_id))


@app.periodic(cron="* * * * *")
@app.task(name="handoff.expire_review_leases", queue="maintenance", queueing_lock="expire_review_leases")
def expire_review_leases(timestamp: int) -> None:
    _run_scheduled("expire_review_leases", timestamp)


@app.periodic(cron="*/5 * * * *")
@app.task(name="handoff.retry_stalled_jobs", queue="maintenance", queueing_lock="retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> None:
    """Jobs left `doing` by a worker that stopped sending heartbeats (it died) run again; every
    Handoff job is idempotent, so a second run is safe (procrastinate's documented pattern)."""
    await retry_stalled_jobs_now()


async def retry_stalled_jobs_now() -> int:
    stalled = list(await app.job_manager.get_stalled_jobs())
    for job in stalled:
        await app.job_manager.retry_job(job)
    if stalled:
        log.info("retried %d stalled jobs", len(stalled))
    return len(stalled)


def run_worker(runtime: Runtime, *, concurrency: int = 1, wait: bool = True, wiring: Wiring = WIRING) -> None:
    """Run a worker in the foreground until interrupted (or, with wait=False, until the queue is empty)."""
    bind_runtime(runtime, wiring=wiring)
    with app.replace_connector(procrastinate.PsycopgConnector(conninfo=runtime.database_url)):
        app.run_worker(concurrency=concurrency, wait=wait)


class InProcessWorker:
    """A worker on a background thread, for `handoff serve` and `handoff demo` on one machine."""

    def __init__(self, runtime: Runtime, *, concurrency: int = 1, wiring: Wiring = WIRING):
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
        with app.replace_connector(procrastinate.PsycopgConnector(conninfo=self._runtime.database_url)):
            async with app.open_async():
                self._task = asyncio.ensure_future(
                    app.run_worker_async(concurrency=self._concurrency, install_signal_handlers=False)
                )
                self._ready.set()
                try:
                    await self._task
                except asyncio.CancelledError:
                    pass

    def stop(self, timeout: float = 15) -> None:
        if self._loop and self._task and not self._task.done():
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread:
            self._thread.join(timeout=timeout)


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
    _run_scheduled("deliver_notifications", timestamp)


@app.periodic(cron="7 * * * *")
@app.task(name="handoff.anchor_audit_chain", queue="maintenance", queueing_lock="anchor_audit_chain")
def anchor_audit_chain(timestamp: int) -> None:
    _run_scheduled("anchor_audit_chain", timestamp)


@app.periodic(cron="0 18 * * *")
@app.task(name="handoff.score_tomorrow", queue="maintenance", queueing_lock="score_tomorrow")
def score_tomorrow(timestamp: int) -> None:
    _run_scheduled("score_tomorrow", timestamp)


@app.periodic(cron="30 6 * * *")
@app.task(name="handoff.daily_qa_summary", queue="maintenance", queueing_lock="daily_qa_summary")
def daily_qa_summary(timestamp: int) -> None:
    _run_scheduled("daily_qa_summary", timestamp)
