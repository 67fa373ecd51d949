"""Work that happens on time by itself: the periodic tasks are registered with procrastinate as the
schedule says; tomorrow's no-show scoring trains on the store's own history (with the same leakage
guarantees as training from a file) and scores through the gate; the audit anchor, the daily QA
summary and lease expiry run and are recorded; the manager's dashboard shows what ran and when."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, time, timedelta, timezone

import pytest

from agents import jobs, schedule
from agents.noshow import NotEnoughHistory, history_frame, train_from_store
from api.cli.demo import DEMO_TODAY
from evals.synthetic_clinic import generate_clinic
from store import audit
from store import intake as patient_store
from store import org as org_store
from store import scheduling as scheduling_store
from tests.conftest import cli_env, sign_in
from tests.review_data import fill_queues

TOMORROW = DEMO_TODAY + timedelta(days=1)
EVENING = datetime.combine(DEMO_TODAY, time(18, 0), tzinfo=timezone.utc)


@pytest.fixture
def clinic(runtime, demo_org):
    """A synthetic clinic's last 60 days (with outcomes) and tomorrow's bookings, in the store."""
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        c = generate_clinic(seed=3, n_patients=400, start=DEMO_TODAY - timedelta(days=60), days=62,
                            today=DEMO_TODAY, unit_id=unit.id)
        patient_store.register_patients(conn, org_id=unit.org_id, patients=c.patients)
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=c.appointments)
    return unit, c


def test_every_periodic_task_is_registered_as_scheduled():
    registered = {name: p.cron for (name, _), p in jobs.app.periodic_registry.periodic_tasks.items()}
    for task, (cron, _) in schedule.SCHEDULE.items():
        assert registered[f"handoff.{task}"] == cron, task


def test_noshow_trains_from_the_stores_own_history_without_leakage(runtime, clinic):
    from tools.noshow.appointment_frame import appointments_to_frame
    from tools.noshow.model import train

    unit, c = clinic
    cut = DEMO_TODAY - timedelta(days=10)
    model = train_from_store(runtime, before=cut)
    assert model.meta.calibration_end < cut and "Handoff store" in model.meta.data_source
    # The same model as training on exactly the appointments before the cut with a known outcome.
    past = [a for a in c.appointments if a.appointment_day < cut and a.no_show is not None]
    assert train(appointments_to_frame(past, c.patients), n_threads=1).version == model.version
    # Outcomes on or after the cut do not change the model trained before it (nothing leaks back).
    later = [a.model_copy(update={"no_show": not a.no_show}) for a in c.appointments
             if a.appointment_day >= cut and a.no_show is not None]
    with runtime.pool.connection() as conn:
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=later)
    frame, _ = history_frame(runtime, before=cut)
    assert frame["appointment_day"].max().date() < cut
    assert train_from_store(runtime, before=cut).version == model.version
    # ... while training up to today does see them.
    assert train_from_store(runtime, before=DEMO_TODAY).version != model.version


def test_not_enough_history_says_so(runtime, demo_org):
    with pytest.raises(NotEnoughHistory, match="ingest appointments"):
        train_from_store(runtime, before=DEMO_TODAY)


def test_cli_noshow_train_without_a_file_uses_the_store(settings, clinic):
    out = subprocess.run([sys.executable, "-m", "api.cli", "noshow", "train"], env=cli_env(settings),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "registered no-show model" in out.stdout and "store" in out.stdout


def test_tomorrow_is_scored_at_six_by_itself_and_the_dashboard_shows_it(runtime, clinic, client):
    summary = schedule.run_task(runtime, "score_tomorrow", schedule.score_tomorrow, EVENING)
    assert "trained" in summary and f"{TOMORROW.isoformat()}: " in summary and "primary-care: " in summary
    assert int(re.search(r"primary-care: (\d+) scored", summary).group(1)) > 0
    assert "already done" in schedule.run_task(runtime, "score_tomorrow", schedule.score_tomorrow, EVENING)
    sign_in(client, "manager")
    page = client.get(f"/dashboard?day={TOMORROW.isoformat()}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "handoff noshow score" not in page.text  # the manager is no longer told to type a command
    assert "score tomorrow&#39;s appointments" in page.text or "score tomorrow's appointments" in page.text
    assert "already done" in page.text and "not yet" in page.text  # scoring ran; anchoring has not yet


def test_anchor_qa_summary_and_lease_expiry_run_and_are_recorded(runtime, demo_org):
    made = fill_queues(runtime)
    from api.services import review as review_service
    from models.review import DecisionIn

    with runtime.pool.connection() as conn:
        biller = org_store.get_user_by_username(conn, username="biller")[0]
        item = review_service.claim_next(conn, user=biller, queue="billing", lease_seconds=1)
        review_service.decide(conn, user=biller, item_id=item.id,
                              decision=DecisionIn(action="reject", reason_code="duplicate", item_version=item.version))
        frontdesk = org_store.get_user_by_username(conn, username="frontdesk")[0]
        review_service.claim_next(conn, user=frontdesk, queue="front_desk", lease_seconds=1)
    now = datetime.now(timezone.utc)
    assert schedule.run_task(runtime, "anchor_audit_chain", schedule.anchor_audit_chain, now).startswith("anchored seq")
    line = runtime.settings.anchors_path.read_text().splitlines()[-1]
    with runtime.pool.connection() as conn:
        assert audit.verify_chain(conn, anchor=audit.Anchor.from_json(line)).ok
    later = now + timedelta(minutes=5)
    assert schedule.run_task(runtime, "expire_review_leases", schedule.expire_leases, later) == "1 leases expired"
    assert schedule.run_task(runtime, "expire_review_leases", schedule.expire_leases, later) == "0 leases expired"
    summary = schedule.run_task(runtime, "daily_qa_summary", schedule.daily_qa_summary, now + timedelta(days=1))
    assert "primary-care: " in summary
    schedule.run_task(runtime, "daily_qa_summary", schedule.daily_qa_summary, now + timedelta(days=1))  # a rerun
    with runtime.pool.connection() as conn:
        figures = conn.execute("SELECT q.figures FROM qa_summaries q JOIN service_units su ON su.id = q.unit_id "
                               "WHERE su.code = 'primary-care'").fetchone()["figures"]
        assert figures["outputs"] == sum(len(v) for v in made.values()) and figures["decisions"] == 1
        assert figures["overridden"] == 1 and figures["review"] == 9
        sent = conn.execute("SELECT kind, detail FROM notifications WHERE kind = 'qa.daily'").fetchall()
        assert len(sent) == 1 and "Chest" not in json.dumps(sent[0]["detail"])  # once a day, figures only
        tasks = {r["task"]: r for r in conn.execute("SELECT * FROM scheduled_tasks").fetchall()}
        runs = conn.execute("SELECT task FROM scheduled_runs WHERE task = 'expire_review_leases'").fetchall()
    assert tasks["expire_review_leases"]["runs"] == 2 and len(runs) == 1  # the idle run kept no history row
    assert tasks["anchor_audit_chain"]["last_ok"] and tasks["daily_qa_summary"]["runs"] == 2
