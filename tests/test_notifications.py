"""An emergent review item notifies the people of its queue through the pluggable notifier: e-mail to a
local SMTP server and a JSON POST to a local webhook, both started by the test; once per item, without
PHI, retried when the server is down, and every outcome audited."""

from __future__ import annotations

from datetime import datetime, timezone

from agents import jobs, schedule
from agents.gate import route_suggestion
from api.services import admin
from models.governance import Priority, clinical_flag
from store import audit
from store import org as org_store
from tests.factories import make_suggestion
from tests.receivers import smtp_server, webhook_receiver

SECRET = "Chest pain since 6am radiating to the left arm, Ann Lee DOB 1980-01-02"


def _emergent(conn, unit_id, **extra):
    return route_suggestion(conn, make_suggestion(
        unit_id, label="clinical_question", confidence=0.95, urgency=Priority.emergent,
        flags=[clinical_flag("emergency_symptoms")],
        value={"doc_type": "clinical_question", "summary": SECRET, "fields": {"patient_name": "Ann Lee"}}, **extra))


def _outbox(conn):
    return conn.execute("SELECT kind, queue, status, attempts, last_error FROM notifications ORDER BY created_at").fetchall()


def test_emergent_item_reaches_the_nurse_by_mail_and_webhook(runtime, demo_org):
    with runtime.pool.connection() as conn:
        admin.set_email(conn, username="nurse", email="nora@clinic.example", actor="test")
        admin.set_email(conn, username="manager", email="mona@clinic.example", actor="test")
        admin.set_email(conn, username="biller", email="bill@clinic.example", actor="test")  # not nursing
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        outcome = _emergent(conn, unit.id)
        route_suggestion(conn, make_suggestion(unit.id, label="records_request", confidence=0.2))  # routine: silent
        assert outcome.route.queue == "nursing" and [r["status"] for r in _outbox(conn)] == ["pending"]
        # The same subject routed again replaces the suggestion in its item: still one notification.
        _emergent(conn, unit.id, subject=outcome.suggestion.subject)
        assert len(_outbox(conn)) == 1
    with smtp_server() as smtp, webhook_receiver() as hook:
        runtime.settings = runtime.settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": smtp.server_address[1], "smtp_from": "handoff@clinic.example",
            "notify_webhook_url": f"http://127.0.0.1:{hook.server_address[1]}/hook",
            "public_url": "https://handoff.clinic.example"})
        jobs.bind_runtime(runtime)
        summary = jobs._run_scheduled("deliver_notifications", int(datetime.now(timezone.utc).timestamp()))
        assert summary.startswith("1 sent")
        assert schedule.run_task(runtime, "deliver_notifications", schedule.deliver_notifications,
                                 datetime.now(timezone.utc)).startswith("0 sent")  # nothing twice
    recipients = sorted(r for rcpt, _ in smtp.messages for r in rcpt)
    assert recipients == ["mona@clinic.example", "nora@clinic.example"]  # the nursing queue's people, not the biller
    rcpt, mail = next(m for m in smtp.messages if m[0] == ["nora@clinic.example"])
    body = mail.get_payload(decode=True).decode()
    link = f"https://handoff.clinic.example/items/{outcome.review_item.id}"
    assert "emergent" in mail["Subject"] and "nursing" in mail["Subject"] and link in body
    assert "Ann Lee" not in body + mail["Subject"] and "Chest pain" not in body and "1980" not in body  # no PHI
    [event] = hook.received
    assert event["event"] == "review.emergent" and event["queue"] == "nursing" and event["link"] == link
    assert set(event["usernames"]) >= {"nurse", "manager"} and "Chest" not in str(event)
    with runtime.pool.connection() as conn:
        assert [r["status"] for r in _outbox(conn)] == ["sent"]
        sent = audit.list_events(conn, action="notification.sent", limit=5)
        assert sent[0]["detail"]["recipients"] == 2 and sent[0]["detail"]["channels"] == ["smtp", "webhook"]
        status = {r["task"]: r for r in conn.execute("SELECT * FROM scheduled_tasks").fetchall()}
        assert status["deliver_notifications"]["runs"] == 2 and status["deliver_notifications"]["last_ok"]


def test_a_server_that_is_down_is_retried_then_given_up(runtime, demo_org):
    from agents.notifications import MAX_ATTEMPTS, deliver_pending
    from tests.pages_server import free_port

    with runtime.pool.connection() as conn:
        admin.set_email(conn, username="nurse", email="nora@clinic.example", actor="test")
        _emergent(conn, org_store.get_unit_by_code(conn, code="primary-care").id)
    runtime.settings = runtime.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    first = deliver_pending(runtime)
    assert (first.sent, first.retrying) == (0, 1)
    with runtime.pool.connection() as conn:
        [row] = _outbox(conn)
        assert row["status"] == "pending" and row["attempts"] == 1 and "smtp: ConnectionRefusedError" in row["last_error"]
    for _ in range(MAX_ATTEMPTS - 1):
        deliver_pending(runtime)
    with runtime.pool.connection() as conn:
        assert _outbox(conn)[0]["status"] == "failed"


def test_without_a_notifier_or_an_address_it_says_so(runtime, demo_org):
    from agents.notifications import deliver_pending

    with runtime.pool.connection() as conn:
        _emergent(conn, org_store.get_unit_by_code(conn, code="primary-care").id)
    out = deliver_pending(runtime)
    assert (out.failed, out.no_channel) == (0, 1)  # not a delivery failure: nothing to deliver through
    with runtime.pool.connection() as conn:
        row = _outbox(conn)[0]
        assert row["status"] == "no_channel" and "no notification channel is configured" in row["last_error"]
        assert "HANDOFF_SMTP_HOST" in row["last_error"]
        _emergent(conn, org_store.get_unit_by_code(conn, code="cardiology").id)
    with smtp_server() as smtp:
        runtime.settings = runtime.settings.model_copy(update={"smtp_host": "127.0.0.1",
                                                               "smtp_port": smtp.server_address[1]})
        assert deliver_pending(runtime).retrying == 1  # nobody of cardiology's nursing queue has an address
    with runtime.pool.connection() as conn:
        assert "nobody of the nursing queue has an e-mail address" in _outbox(conn)[1]["last_error"]
