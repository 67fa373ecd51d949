"""A clinic from `handoff init` to its first day's outputs reaching their people, in a real browser
(Debian's Chromium through Playwright), with no demo data: the admin adds the staff and uploads the
registry; bookings, a claims batch and portal messages come in through the command line; a nurse gets
an e-mail about an emergent message (a local SMTP server) and opens it from the link; a biller
corrects a claim from its findings and sees the corrected version ready; a practice manager changes
the policy, approves an overbooking the evening scoring proposed, and downloads the outreach list.
Screenshots go to test-artifacts/screenshots/walk-*.png."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys
from datetime import datetime, time, timedelta, timezone

import pytest

from agents import jobs, schedule
from tools.noshow.datasets import write_handoff_csv
from evals.synthetic_clinic import generate_clinic
from tests.conftest import cli_env
from tests.pages_server import serve
from tests.receivers import smtp_server
from tests.test_claim_decisions import CLAIM
from tests.test_pages import _page, _shot, browser  # noqa: F401 (the module's browser fixture)

TODAY = datetime(2026, 11, 22).date()
TOMORROW = TODAY + timedelta(days=1)
ADMIN_PASSWORD = "lakeside admin passphrase"
UNIT = "family-med"
EMERGENT = ("I have crushing chest pain right now, it spreads to my left arm and I am short of breath. "
            "What should I do?")


def _handoff(settings, *args, stdin: str | None = None):
    env = {**cli_env(settings), "HANDOFF_OPERATOR": "it-admin"}
    out = subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, input=stdin, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _drain(runtime) -> None:
    """Run queued jobs to the end, as `handoff serve`'s worker would, on a thread of its own (the
    browser driver holds this thread's event loop)."""
    import threading

    errors = []

    def run():
        try:
            jobs.run_worker(runtime, wait=False)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    worker = threading.Thread(target=run, name="walkthrough-worker")
    worker.start()
    worker.join()
    assert not errors, errors


def _sign_in(page, base, username, password, *, start="/"):
    page.goto(base + start)
    page.wait_for_url(re.compile(r"/login"))
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _add_person(page, base, username, role, email=None) -> str:
    page.goto(base + "/admin")
    page.fill("#user-name", username)
    if email:
        page.fill("#user-email", email)
    page.select_option("#user-role", role)
    page.select_option("#user-unit", UNIT)
    with page.expect_navigation():
        page.click("#add-user-form button[type=submit]")
    return page.inner_text("#new-password").strip()


@pytest.fixture
def clinic_files(tmp_path):
    """The clinic's own exports: its registry (Handoff CSV), three months of bookings with outcomes plus
    tomorrow's, a claims batch and this morning's portal messages. Synthetic, and not the demo."""
    clinic = generate_clinic(seed=20261122, n_patients=1500, start=TODAY - timedelta(days=90), days=92, today=TODAY)
    registry = tmp_path / "registry.csv"
    with registry.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["mrn", "given_name", "family_name", "birth_date", "sex", "payer", "language", "race_ethnicity",
                    "phone", "distance_km", "has_transport"])
        for p in clinic.patients:
            w.writerow([p.id, p.given_name, p.family_name, p.birth_date.isoformat(), p.sex, p.payer, p.language,
                        p.race_ethnicity or "", p.phone or f"555-01{len(p.id):02d}", p.distance_km or "",
                        "true" if p.has_transport else "false"])
    from tools.noshow.appointment_frame import appointments_to_frame

    bookings = write_handoff_csv(appointments_to_frame(clinic.appointments, clinic.patients), tmp_path / "bookings.csv")
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps({"claims": [{"claim": copy.deepcopy(CLAIM)}]}))
    messages = tmp_path / "messages.jsonl"
    messages.write_text(json.dumps({"text": EMERGENT}) + "\n")
    return {"registry": registry, "bookings": bookings, "claims": claims, "messages": messages}


def test_a_clinic_from_init_to_its_first_day(browser, runtime, settings, clinic_files, code_tables,  # noqa: F811
                                             intake_classifier):
    _handoff(settings, "init", "--org", "Lakeside Family Health", "--unit", UNIT, "--unit-name", "Family Medicine",
             "--admin", "ada", "--admin-name", "Ada Admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    runtime.cached("code_tables", lambda: code_tables)
    # The clinic's intake classifier (what `handoff train intake` would register); no denial model.
    from tools.intake.training import register_intake_classifier

    with runtime.pool.connection() as conn:
        register_intake_classifier(conn, intake_classifier, registered_by="it-admin")
    from api.app import create_app

    with smtp_server() as smtp, serve(create_app(runtime=runtime, worker=False)) as base:
        runtime.settings = runtime.settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": smtp.server_address[1], "smtp_from": "handoff@lakeside.example",
            "public_url": base})

        # --- The admin sets up the staff and uploads the registry ------------------------------------
        context, page = _page(browser)
        _sign_in(page, base, "ada", ADMIN_PASSWORD)
        page.wait_for_url(base + "/admin")
        assert "Lakeside Family Health" in page.inner_text("h1")
        passwords = {
            "nina": _add_person(page, base, "nina", "nurse", email="nina@lakeside.example"),
            "bill": _add_person(page, base, "bill", "biller"),
            "mo": _add_person(page, base, "mo", "practice_manager", email="mo@lakeside.example"),
            "fran": _add_person(page, base, "fran", "front_desk"),
        }
        page.goto(base + "/admin")
        page.set_input_files("#registry-file", str(clinic_files["registry"]))
        with page.expect_navigation():
            page.click("#import-form button[type=submit]")
        assert "1500 new" in page.inner_text("#import-summary")
        _shot(page, "walk-01-admin-import.png")
        page.goto(base + "/admin")
        assert page.locator("tr.person").count() == 5  # the admin and four people: no demo users
        _shot(page, "walk-02-admin.png", full_page=True)
        context.close()

        # --- The day's input arrives from the clinic's systems ------------------------------------
        assert "appointments" in _handoff(settings, "ingest", "appointments", str(clinic_files["bookings"]), "--unit", UNIT)
        _handoff(settings, "ingest", "claims", str(clinic_files["claims"]), "--unit", UNIT, "--no-process")
        _handoff(settings, "ingest", "messages", str(clinic_files["messages"]), "--unit", UNIT, "--no-process")
        _drain(runtime)  # what `handoff serve`'s worker does as items arrive
        schedule.run_task(runtime, "deliver_notifications", schedule.deliver_notifications, datetime.now(timezone.utc))

        # --- The nurse gets an e-mail about the emergent message and opens it ---------------------
        [(rcpt, mail)] = [m for m in smtp.messages if m[0] == ["nina@lakeside.example"]]
        body = mail.get_payload(decode=True).decode()
        assert "emergent" in mail["Subject"] and "crushing" not in body  # what and where, not the text
        link = re.search(r"Open it: (\S+)", body).group(1)
        assert link.startswith(base + "/items/")
        context, page = _page(browser)
        page.goto(link)
        page.wait_for_url(re.compile(r"/login\?next="))
        page.fill("#username", "nina")
        page.fill("#password", passwords["nina"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == link
        assert "emergent" in page.inner_text(".item-head") and "crushing chest pain" in page.inner_text(".source-text")
        _shot(page, "walk-03-nurse-emergent.png")
        context.close()

        # --- The biller corrects a claim from its findings ------------------------------------------
        context, page = _page(browser)
        _sign_in(page, base, "bill", passwords["bill"], start="/queues/billing")
        page.keyboard.press("n")
        page.wait_for_url(re.compile(r"/items/[0-9a-f-]{36}$"))
        findings = page.inner_text("#findings")
        assert "modifier 25 missing" in findings and "Fix:" in findings and re.search(r"CO-\d+", findings)
        _shot(page, "walk-04-biller-findings.png", full_page=True)
        page.fill("#l1-modifiers", "25")
        page.select_option("#override-reason", "wrong_fields")
        page.fill("#override-note", "E/M separately identifiable: documented")
        with page.expect_navigation():
            page.click("#override-form button[type=submit]")
        assert "Decision recorded" in page.inner_text("[role=status]")
        _drain(runtime)  # the decision takes effect: version 2, checked again
        page.goto(base + "/claims")
        row = page.locator("tr.claim-row", has_text="CLM-1001").inner_text()
        assert "\t2\t" in row and "waiting for a biller" in row  # clean now; no denial model, so a person confirms
        page.goto(base + "/queues/billing")
        page.keyboard.press("n")
        page.wait_for_url(re.compile(r"/items/"))
        assert "25" in page.locator("#claim-lines").inner_text() and page.locator("#findings").count() == 0
        with page.expect_navigation():
            page.click("#accept-form button[type=submit]")
        _drain(runtime)
        page.goto(base + "/claims")
        assert "ready to submit" in page.locator("tr.claim-row", has_text="CLM-1001").inner_text()
        _shot(page, "walk-05-claims.png")
        context.close()

        # --- The manager: a policy change, the evening's scoring, an overbooking, the outreach list -----
        context, page = _page(browser)
        _sign_in(page, base, "mo", passwords["mo"])
        page.wait_for_url(base + "/dashboard")
        page.goto(base + f"/policy/{UNIT}")
        page.fill("#policy-changes", json.dumps({"min_confidence": {
            "noshow:extra_reminder": 0.25, "noshow:offer_transport": 0.35, "noshow:offer_telehealth": 0.35}}))
        page.fill("#policy-note", "a reminder to someone who would have come costs little")
        with page.expect_navigation():
            page.click("#policy-form button[type=submit]")
        assert "noshow:extra_reminder" in page.inner_text("#policy-diff")
        with page.expect_navigation():
            page.click("#policy-confirm button[type=submit]")
        assert "Saved as version 2" in page.inner_text("#policy-saved")
        # 18:00 UTC: the worker scores tomorrow by itself (training first on the clinic's own history).
        evening = datetime.combine(TODAY, time(18, 0), tzinfo=timezone.utc)
        summary = schedule.run_task(runtime, "score_tomorrow", schedule.score_tomorrow, evening)
        assert "trained" in summary and f"{UNIT}: " in summary
        page.goto(base + f"/dashboard?day={TOMORROW.isoformat()}")
        assert "ok" in page.locator("tr.task-row[data-task=score_tomorrow]").inner_text()
        _shot(page, "walk-06-dashboard.png", full_page=True)
        page.goto(base + "/queues/management")
        page.keyboard.press("n")
        page.wait_for_url(re.compile(r"/items/"))
        assert "overbook" in page.inner_text(".item-head") and "human_only:noshow:overbook" in page.inner_text("body")
        with page.expect_navigation():
            page.click("#accept-form button[type=submit]")
        _drain(runtime)  # the approval takes effect: the slot is overbooked
        with runtime.pool.connection() as conn:
            overbooked = conn.execute("SELECT count(*) AS n FROM scheduling_actions WHERE action = 'overbook' "
                                      "AND applied_by = 'mo'").fetchone()["n"]
        assert overbooked == 1
        page.goto(base + f"/outreach?day={TOMORROW.isoformat()}")
        assert page.locator("tr.outreach-row").count() > 0
        _shot(page, "walk-07-outreach.png", full_page=True)
        with page.expect_download() as download:
            page.click("#outreach-csv")
        rows = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))
        assert rows and {"extra_reminder"} <= {r["action"] for r in rows} and all(r["name"] for r in rows)
        assert all(r["appointment_day"] == TOMORROW.isoformat() for r in rows)
        context.close()
