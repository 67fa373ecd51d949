"""The pages in a real browser (Debian's Chromium through Playwright) against the app on localhost with
the demo organization: a nurse signs in, claims the next item and overrides it from the keyboard; the
compliance officer finds that override in the log; a biller cannot open the nursing queue; a form
without its CSRF token is refused. Screenshots of the main pages go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agents.gate import route_suggestion
from api.services import review as review_service
from models.governance import DecisionAction, Evidence, Priority, clinical_flag
from models.review import DecisionIn
from store import org as org_store
from tests.factories import make_suggestion
from tests.pages_server import serve
from tests.review_data import fill_queues

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Synthetic message text (no real person); the evidence spans point into it.
MESSAGE = ("Portal message, 08:10. I have had chest pain since this morning, and it goes down my left arm. "
           "No fever. Should I come in today or go to the emergency room?")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium not found at {CHROMIUM} (apt-get install chromium; `make deps` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _user(conn, username):
    return org_store.get_user_by_username(conn, username=username)[0]


def _decide(conn, username, queue, action, reason, **extra):
    user = _user(conn, username)
    item = review_service.claim_next(conn, user=user, queue=queue)
    review_service.decide(conn, user=user, item_id=item.id,
                          decision=DecisionIn(action=action, reason_code=reason, item_version=item.version, **extra))


@pytest.fixture
def site(runtime, demo_org):
    """The app on localhost over the test's database: a clinical message with evidence first in the
    nursing queue, the usual queue content of both units, and a few decisions already made."""
    from api.app import create_app

    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        start = MESSAGE.index("chest pain")
        arm = MESSAGE.index("goes down my left arm")
        route_suggestion(conn, make_suggestion(
            unit.id, confidence=0.91, label="clinical_question", urgency=Priority.emergent,
            flags=[clinical_flag("emergency_symptoms")],
            patient_group={"sex": "F", "age_band": "45-64", "language": "en", "payer": "commercial"},
            value={"doc_type": "clinical_question", "urgency": "emergent", "callback_requested": True,
                   "fields": {"symptom": "chest pain", "onset": "this morning", "callback_number": "555-0100"},
                   "summary": "Chest pain since this morning radiating to the left arm; asks whether to come in.",
                   "source_text": MESSAGE},
            evidence=[Evidence(kind="span", source="message", start=start, end=start + len("chest pain since this morning"),
                               text="chest pain since this morning"),
                      Evidence(kind="span", source="message", start=arm, end=arm + len("goes down my left arm"),
                               text="goes down my left arm")]))
    fill_queues(runtime)
    fill_queues(runtime, unit_code="cardiology", n_each=1)
    with runtime.pool.connection() as conn:
        _decide(conn, "biller", "billing", DecisionAction.accept, "correct")
        _decide(conn, "frontdesk", "front_desk", DecisionAction.reject, "duplicate", note="sent twice")
    with serve(create_app(runtime=runtime, worker=False)) as base:
        yield base


def _page(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
    # A ceiling, not a pace: the machine may be shared, and argon2 sign-in is slow on purpose.
    context.set_default_timeout(30_000)
    return context, context.new_page()


def _sign_in(page, base, username, *, start="/"):
    page.goto(base + start)
    page.wait_for_url(re.compile(r"/login"))
    page.fill("#username", username)
    page.fill("#password", "handoff-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _shot(page, name, *, full_page=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def test_nurse_overrides_from_the_keyboard_and_compliance_finds_it(site, browser):
    base = site
    context, page = _page(browser)
    # Signed out, the browser lands on the sign-in page and comes back where it was going.
    page.goto(base + "/queues")
    page.wait_for_url(re.compile(r"/login\?next=%2Fqueues"))
    _shot(page, "01-login.png")
    page.fill("#username", "nurse")
    page.fill("#password", "handoff-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/queues")
    header = page.locator(".site-header").inner_text()
    assert "Nora Nurse" in header and "nurse · primary-care" in header
    assert page.locator("a[href='/queues/nursing']").count() == 1
    assert page.locator("a[href='/queues/billing']").count() == 0
    _shot(page, "02-queues.png")

    # Keyboard only from here: the skip link comes first, then into the nursing queue.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.goto(base + "/queues/nursing")
    page.keyboard.press("n")  # take the next item
    page.wait_for_url(re.compile(r"/items/[0-9a-f-]{36}$"))
    item_url = page.url
    assert page.locator("mark", has_text="chest pain since this morning").count() >= 1
    assert page.locator("mark", has_text="goes down my left arm").count() >= 1
    assert re.search(r"\d+:\d\d left", page.locator(".lease-left").inner_text())
    assert "No resolved case like this one yet" in page.locator("#h-similar + p").inner_text()
    assert "clinical:emergency_symptoms" in page.inner_text("body")
    _shot(page, "03-item.png")
    _shot(page, "03-item-full.png", full_page=True)

    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()

    page.keyboard.press("o")  # to the override form, cursor in its first field
    assert page.evaluate("document.activeElement.closest('#override-form') !== null")
    # Labels are chosen from their sets; the agent's bookkeeping is not in the form.
    assert page.locator("#v-urgency option").all_inner_texts() == ["routine", "urgent", "emergent"]
    assert page.locator("#v-doc_type option").count() == 13 and page.locator("#v-callback_requested").count() == 0
    page.select_option("#v-urgency", "urgent")
    assert page.locator("#override-form label", has_text="onset").count() == 1  # extracted fields are editable
    page.select_option("#override-reason", "wrong_urgency")
    page.fill("#override-note", "Pain resolved, stable: call back today")
    _shot(page, "04-item-override.png")
    page.focus("#override-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/queues/nursing\?msg=second_review"))
    assert "first of two independent reviews" in page.inner_text("[role=status]")

    # The item went back for a second reviewer: the nurse cannot decide it again from its page.
    page.goto(item_url)
    assert page.locator("#override-form").count() == 0
    context.close()

    # The compliance officer finds that override in the log, with what changed.
    context, page = _page(browser)
    _sign_in(page, base, "compliance")
    page.wait_for_url(base + "/compliance")
    assert "Intact" in page.inner_text("#h-chain + p")
    _shot(page, "05-compliance.png")
    page.click("text=Decision log")
    page.select_option("#f-action", "override")
    page.fill("#f-reviewer", "nurse")
    page.click(".filters button[type=submit]")
    page.wait_for_url(re.compile(r"action=override"))
    rows = page.locator("tr.decision-row")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "nurse" in row and "wrong urgency" in row and "Pain resolved" in row
    assert "emergent" in row and "urgent" in row
    _shot(page, "06-decision-log.png")
    page.goto(base + "/compliance/outputs?limit=10")
    assert page.locator("table.log tbody tr").count() == 10
    assert page.locator("a[rel=next]").count() == 1  # paging to older rows
    _shot(page, "07-output-log.png")
    context.close()


def test_biller_is_refused_nursing_and_forms_need_their_token(site, browser):
    base = site
    context, page = _page(browser)
    _sign_in(page, base, "biller", start="/queues")
    page.wait_for_url(base + "/queues")
    assert page.locator("a[href='/queues/nursing']").count() == 0
    response = page.goto(base + "/queues/nursing")
    assert response.status == 403
    assert "does not work the nursing queue" in page.inner_text("[role=alert]")
    _shot(page, "09-refused.png")
    # A form whose CSRF token is missing is refused, and the session stays.
    page.goto(base + "/queues")
    page.evaluate("document.querySelector('#logout-form input[name=csrf_token]').remove()")
    with page.expect_navigation() as nav:
        page.click("#logout-form button")
    assert nav.value.status == 403
    assert "CSRF" in page.inner_text("[role=alert]")
    assert page.goto(base + "/queues").status == 200  # still signed in
    context.close()

    # The practice manager's operations dashboard.
    context, page = _page(browser)
    _sign_in(page, base, "manager")
    page.wait_for_url(base + "/dashboard")
    assert page.locator("svg.chart").count() == 4
    assert "No-show risk for" in page.inner_text("body")  # tomorrow's outlook (empty: nothing scored here)
    _shot(page, "08-dashboard.png")
    _shot(page, "08-dashboard-full.png", full_page=True)
    context.close()
