"""Accepted input is stored before anything else, idempotently, and its job is queued in the same
transaction; a real procrastinate worker then runs it."""

from __future__ import annotations

import psycopg
import pytest

from agents import jobs
from agents.wiring import WIRING
from store import inbound as inbound_store
from store import org as org_store
from store.blobs import read_blob


def _accept(conn, settings, data: bytes, channel="fax"):
    unit = org_store.get_unit_by_code(conn, code="primary-care")
    return inbound_store.accept_inbound(conn, blob_root=settings.blob_dir, unit_id=unit.id, channel=channel,
                                        data=data, media_type="application/pdf", filename="x.pdf", received_by="test")


def _job_count(conn) -> int:
    return conn.execute("SELECT count(*) AS n FROM procrastinate_jobs WHERE task_name = 'handoff.process_inbound'").fetchone()["n"]


def test_item_and_job_commit_together_or_not_at_all(conn, settings, demo_org):
    with conn.transaction():
        acc = _accept(conn, settings, b"%PDF-1.4 fax one")
        jobs.enqueue_inbound(conn, item_id=acc.item.id)
    assert acc.created and _job_count(conn) == 1
    assert read_blob(settings.blob_dir, acc.item.sha256) == b"%PDF-1.4 fax one"

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with conn.transaction():
            acc2 = _accept(conn, settings, b"%PDF-1.4 fax two")
            jobs.enqueue_inbound(conn, item_id=acc2.item.id)
            raise Boom
    assert _job_count(conn) == 1
    assert inbound_store.get_inbound_item(conn, item_id=acc2.item.id) is None


def test_same_bytes_twice_give_the_same_item(conn, settings, demo_org):
    a = _accept(conn, settings, b"same bytes")
    b = _accept(conn, settings, b"same bytes")
    assert a.created and not b.created and a.item.id == b.item.id
    c = _accept(conn, settings, b"same bytes", channel="message")
    assert c.created and c.item.id != a.item.id


def test_inbound_items_are_insert_only(conn, settings, demo_org):
    a = _accept(conn, settings, b"keep me")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM inbound_items WHERE id = %s", (a.item.id,))
    conn.rollback()


def test_worker_runs_registered_handler_and_keeps_items_without_one(runtime, settings, demo_org):
    seen = []

    def count_pages(rt, item):  # a real handler function, as an agent would register
        seen.append(item.id)

    with runtime.pool.connection() as conn, conn.transaction():
        msg = _accept(conn, settings, b"portal message", channel="message")
        jobs.enqueue_inbound(conn, item_id=msg.item.id)
        appts = _accept(conn, settings, b"appointment file", channel="appointments")  # no agent reads these
        jobs.enqueue_inbound(conn, item_id=appts.item.id)
    # The real table, with this test's handler standing in for intake's on messages.
    jobs.run_worker(runtime, wait=False, wiring=WIRING.with_inbound("message", count_pages))
    assert seen == [msg.item.id]
    with runtime.pool.connection() as conn:
        assert [e["event"] for e in inbound_store.inbound_events(conn, item_id=msg.item.id)] == ["accepted", "queued", "processed"]
        assert [e["event"] for e in inbound_store.inbound_events(conn, item_id=appts.item.id)][-1] == "no_agent"
        assert inbound_store.unfinished_inbound(conn) == []


def test_items_whose_job_was_lost_are_requeued_when_a_worker_starts(runtime, settings, demo_org):
    seen = []
    with runtime.pool.connection() as conn, conn.transaction():
        acc = _accept(conn, settings, b"a message whose worker died", channel="message")
        jobs.enqueue_inbound(conn, item_id=acc.item.id)
        # The same item cannot have two waiting jobs.
        from procrastinate.exceptions import AlreadyEnqueued

        with pytest.raises(AlreadyEnqueued), conn.transaction():
            jobs.enqueue_inbound(conn, item_id=acc.item.id)
    with runtime.pool.connection() as conn:  # the job is lost (a crash, a purged queue)
        conn.execute("DELETE FROM procrastinate_jobs WHERE queueing_lock = %s", (f"inbound:{acc.item.id}",))
        conn.commit()
    # bind_runtime requeues, then the worker runs it
    jobs.run_worker(runtime, wait=False, wiring=WIRING.with_inbound("message", lambda rt, item: seen.append(item.id)))
    assert seen == [acc.item.id]
    with runtime.pool.connection() as conn:
        assert inbound_store.unfinished_inbound(conn) == []


def test_jobs_of_a_dead_worker_run_again(runtime, settings, demo_org):
    """A worker died mid-job: its heartbeat is old and its job still says `doing`. The maintenance
    task puts the job back, and the next worker runs it."""
    import asyncio

    import procrastinate

    seen = []
    with runtime.pool.connection() as conn, conn.transaction():
        acc = _accept(conn, settings, b"processing when the worker died", channel="message")
        jobs.enqueue_inbound(conn, item_id=acc.item.id)
        dead = conn.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') "
                            "RETURNING id").fetchone()["id"]
        conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE queueing_lock = %s",
                     (dead, f"inbound:{acc.item.id}"))

    async def retry():
        with jobs.app.replace_connector(procrastinate.PsycopgConnector(conninfo=runtime.database_url)):
            async with jobs.app.open_async():
                return await jobs.retry_stalled_jobs_now()

    assert asyncio.run(retry()) == 1
    jobs.run_worker(runtime, wait=False, wiring=WIRING.with_inbound("message", lambda rt, item: seen.append(item.id)))
    assert seen == [acc.item.id]


def test_one_table_wires_channels_and_decisions_to_agents():
    """agents/wiring.py is the only place that says which agent reads a channel or applies a
    decision; agent modules do not reach into the job queue to register themselves on import."""
    import ast
    from pathlib import Path
    from typing import get_args

    from agents import claims, intake, noshow, referrals
    from models.inbound import Channel

    assert set(WIRING.inbound) == set(get_args(Channel)) - {"appointments"}
    assert WIRING.inbound["fax"] is intake.handle_inbound and WIRING.inbound["claim"] is claims.handle_inbound
    assert WIRING.decisions == {"intake": intake.apply_decision, "noshow": noshow.apply_decision,
                                "claims": claims.apply_decision,  # issue 12: a biller's decision takes effect
                                "referrals": referrals.apply_decision}
    agents_dir = Path(jobs.__file__).parent
    for module in ("intake", "noshow", "claims", "coverage", "referrals", "remits"):
        tree = ast.parse((agents_dir / f"{module}.py").read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "agents.jobs" not in imported, f"agents/{module}.py imports the job queue"
