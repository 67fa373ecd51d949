"""The no-show agent end to end: a synthetic clinic in the store, a trained model in the registry,
tomorrow scored through the graph and the gate; overbooking always goes to a practice manager."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents import noshow
from agents.noshow import NoShowContext, build_graph, score_day
from api.cli.demo import DEMO_TODAY
from evals.synthetic_clinic import generate_clinic
from models.governance import ReviewStatus
from store import intake as patient_store
from store import org as org_store
from store import routing
from store import scheduling as scheduling_store
from tests.conftest import sign_in


@pytest.fixture
def clinic(runtime, demo_org):
    from tools.model_registry import register_model
    from tools.noshow.datasets import appointments_to_frame, frame_sha256
    from tools.noshow.model import train

    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        c = generate_clinic(seed=3, n_patients=400, start=DEMO_TODAY - timedelta(days=60), days=62,
                            today=DEMO_TODAY, unit_id=unit.id)
        patient_store.register_patients(conn, org_id=unit.org_id, patients=c.patients)
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=c.appointments)
    frame = appointments_to_frame([a for a in c.appointments if a.no_show is not None], c.patients)
    model = train(frame, data_sha256=frame_sha256(frame), n_threads=1)
    with runtime.pool.connection() as conn:
        register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="test")
    return unit


def test_tomorrow_is_scored_routed_and_idempotent(runtime, clinic):
    tomorrow = DEMO_TODAY + timedelta(days=1)
    summary = score_day(runtime, unit_code="primary-care", day=tomorrow)
    assert summary.scored > 0
    state = build_graph(checkpointer=runtime.checkpointer).get_state(
        {"configurable": {"thread_id": f"noshow:{clinic.id}:{tomorrow.isoformat()}"}}).values
    expected = sum(s.probability >= noshow.REMINDER_FROM for s in state["scores"]) + \
        sum(s.probability >= noshow.OVERBOOK_FROM for s in state["scores"])
    assert summary.auto + summary.review == len(state["proposals"]) == expected  # every proposal went through the gate
    with runtime.pool.connection() as conn:
        applied = scheduling_store.actions_for_day(conn, unit_id=clinic.id, day=tomorrow)
        assert {a["applied_by"] for a in applied} <= {"auto"}
        assert len({a["appointment_id"] for a in applied}) <= summary.auto
    again = score_day(runtime, unit_code="primary-care", day=tomorrow)
    assert again.already_done and again.scored == summary.scored


def test_history_features_use_only_earlier_days(runtime, clinic):
    tomorrow = DEMO_TODAY + timedelta(days=1)
    with runtime.pool.connection() as conn:
        appts = scheduling_store.appointments_through(conn, unit_id=clinic.id, day=tomorrow)
    assert all(a.no_show is None for a in appts if a.appointment_day == tomorrow)
    assert all(a.appointment_day <= tomorrow for a in appts)


def test_overbooking_always_goes_to_a_practice_manager(runtime, clinic, client):
    tomorrow = DEMO_TODAY + timedelta(days=1)
    graph = build_graph(checkpointer=runtime.checkpointer)
    ctx = NoShowContext(runtime=runtime)
    state = graph.invoke({"unit_id": str(clinic.id), "day": tomorrow.isoformat()},
                         {"configurable": {"thread_id": "test-overbook"}}, context=ctx)
    # Whatever the model said, every overbooking proposal was routed to review in `management`.
    overbooks = [p for p in state["proposals"] if p.label == "overbook"]
    high = [s for s in state["scores"] if s.probability >= noshow.OVERBOOK_FROM]
    assert len(overbooks) == len(high)
    # Craft one certain high-risk proposal through the same node to exercise the path every time.
    crafted = state["scores"][0].model_copy(update={"probability": 0.97})
    day_state = noshow.NoShowState(unit_id=str(clinic.id), day=tomorrow.isoformat(), scores=[crafted])
    proposals = noshow.propose_actions(day_state, type("R", (), {"context": ctx})())["proposals"]
    over = next(p for p in proposals if p.label == "overbook")
    assert over.confidence == 0.97
    routed = noshow.route_through_gate(day_state.model_copy(update={"proposals": [over]}),
                                       type("R", (), {"context": ctx})())["routed"]
    assert [(r.suggestion_id, r.decision, r.queue) for r in routed] == [(str(over.id), "review", "management")]
    with runtime.pool.connection() as conn:
        item = next(i for i in routing.list_review_items(conn, queue="management") if i.suggestion_id == over.id)
        assert item.status == ReviewStatus.ready
    # The front desk cannot take it; the manager accepts; the action is applied by the decision job.
    h = sign_in(client, "frontdesk")
    assert client.post("/api/v1/review/queues/management/claim", headers=h).status_code == 403
    h = sign_in(client, "manager")
    got = client.post("/api/v1/review/queues/management/claim", headers=h).json()
    while got["id"] != str(item.id):
        client.post(f"/api/v1/review/items/{got['id']}/release", headers=h)
        got = client.post("/api/v1/review/queues/management/claim", headers=h).json()
    r = client.post(f"/api/v1/review/items/{got['id']}/decision", headers=h,
                    json={"action": "accept", "reason_code": "correct", "item_version": got["version"]})
    assert r.status_code == 200
    from agents.jobs import run_worker

    run_worker(runtime, wait=False)
    with runtime.pool.connection() as conn:
        applied = scheduling_store.actions_for_day(conn, unit_id=clinic.id, day=tomorrow)
    assert any(a["action"] == "overbook" and a["applied_by"] == "manager" for a in applied)


def test_clinic_appointment_csv_loads_and_is_scored(runtime, demo_org, tmp_path, settings):
    """A clinic's own appointment CSV goes into the store and `handoff noshow score` scores the day."""
    import subprocess
    import sys

    from tools.noshow.datasets import write_handoff_csv
    from tests.conftest import cli_env
    from tools.noshow.appointment_frame import appointments_to_frame

    c = generate_clinic(seed=8, n_patients=300, start=DEMO_TODAY - timedelta(days=45), days=47, today=DEMO_TODAY)
    path = write_handoff_csv(appointments_to_frame(c.appointments, c.patients), tmp_path / "appointments.csv")
    env = cli_env(settings)
    out = subprocess.run([sys.executable, "-m", "api.cli", "ingest", "appointments", str(path), "--unit", "cardiology"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"{len(c.appointments)} appointments" in out.stdout
    assert "patients added" in out.stdout and " 0 patients added" not in out.stdout
    again = subprocess.run([sys.executable, "-m", "api.cli", "ingest", "appointments", str(path), "--unit", "cardiology"],
                           env=env, capture_output=True, text=True, timeout=300)
    assert "0 patients added" in again.stdout  # idempotent
    bad = tmp_path / "bad.csv"
    bad.write_text("appointment_id,patient_id\nA1,P1\n")
    refused = subprocess.run([sys.executable, "-m", "api.cli", "ingest", "appointments", str(bad), "--unit", "cardiology"],
                             env=env, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "missing required columns" in refused.stderr
    # Score tomorrow from the loaded bookings with a model trained on the file's history.
    from tools.model_registry import register_model
    from tools.noshow.datasets import load_handoff_appointments
    from tools.noshow.model import train

    model = train(load_handoff_appointments(path), n_threads=1)
    with runtime.pool.connection() as conn:
        register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="test")
    scored = subprocess.run([sys.executable, "-m", "api.cli", "noshow", "score", "--date",
                             (DEMO_TODAY + timedelta(days=1)).isoformat(), "--unit", "cardiology"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert scored.returncode == 0, scored.stderr
    assert "cardiology:" in scored.stdout and " 0 appointments scored" not in scored.stdout
