"""`handoff demo`: the demo organization (two service units, a user per role, default policies) and
every agent's share of a synthetic clinic day (`DEMO_DAY_STEPS`), then serve on localhost.

The demo is the one command that reads synthetic data from evals/; demo users exist only here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

import typer

from agents.policy import install_default_policy
from agents.runtime import Runtime
from api.cli.common import UserError, cli_runtime, drain_jobs, echo
from api.security import hash_password
from models.governance import INTAKE_MIN_CONFIDENCE, Policy
from models.org import BillingProfile, Role
from store import org as org_store

DEMO_ORG = "Riverside Community Clinic (demo)"
DEMO_PASSWORD = "handoff-demo"  # demo data only; printed on purpose so a newcomer can sign in

DEMO_UNITS = [
    ("primary-care", "Primary Care", Decimal("1000")),
    ("cardiology", "Cardiology", Decimal("2500")),
]
# username -> (display name, role, units)
DEMO_USERS: list[tuple[str, str, Role, list[str]]] = [
    ("frontdesk", "Fran Desk", Role.front_desk, ["primary-care"]),
    ("referrals", "Rey Ferral", Role.referral_coordinator, ["primary-care"]),
    ("nurse", "Nora Nurse", Role.nurse, ["primary-care"]),
    ("biller", "Bill Ling", Role.biller, ["primary-care"]),
    ("manager", "Mona Manager", Role.practice_manager, ["primary-care", "cardiology"]),
    ("compliance", "Cora Compliance", Role.compliance, ["primary-care", "cardiology"]),
    ("engineer", "Eng Ineer", Role.engineer, ["primary-care", "cardiology"]),
    ("admin", "Ada Admin", Role.admin, ["primary-care", "cardiology"]),
    ("cardio.nurse", "Carl Cardio", Role.nurse, ["cardiology"]),
    ("cardio.biller", "Cathy Claims", Role.biller, ["cardiology"]),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    units: list[str]


DEMO_TODAY = date(2026, 11, 22)


def demo_noshow(runtime: Runtime, seed: int) -> str:
    """A synthetic clinic's history and tomorrow's appointments; train if needed; score tomorrow."""
    from agents.noshow import score_day
    from evals.synthetic_clinic import generate_clinic
    from store import intake as patient_store
    from store import scheduling as scheduling_store
    from tools.model_registry import latest_head, register_model
    from tools.noshow.model import MODEL_NAME, train

    tomorrow = DEMO_TODAY + timedelta(days=1)
    with runtime.pool.connection() as conn, conn.transaction():
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        clinic = generate_clinic(seed=seed, n_patients=1500, start=DEMO_TODAY - timedelta(days=90), days=92,
                                 today=DEMO_TODAY, unit_id=unit.id)
        patient_store.register_patients(conn, org_id=unit.org_id, patients=clinic.patients)
        scheduling_store.upsert_appointments(conn, unit_id=unit.id, appointments=clinic.appointments)
    with runtime.pool.connection() as conn:
        if latest_head(conn, name=MODEL_NAME) is None:
            from tools.noshow.appointment_frame import appointments_to_frame
            from tools.noshow.datasets import frame_sha256

            frame = appointments_to_frame([a for a in clinic.appointments if a.no_show is not None], clinic.patients)
            model = train(frame, data_sha256=frame_sha256(frame), data_source=f"synthetic clinic, seed {seed}",
                          n_threads=1)
            register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="demo")
    summary = score_day(runtime, unit_code="primary-care", day=tomorrow)
    return (f"{summary.scored} of tomorrow's appointments scored; {summary.auto} supportive actions applied, "
            f"{summary.review} suggestions sent to review")


def demo_intake(runtime: Runtime, seed: int) -> str:
    """This morning's faxes, portal messages and referrals (held-out phrasings), for patients in the
    registry; faxes are rendered to PDF at fax resolution so they go through OCR like real ones."""
    from api.services.intake import accept, message_bytes
    from evals.synthetic_faxes import render_fax
    from store import intake as patient_store
    from tools.intake.classifier import MODEL_NAME
    from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients
    from tools.intake.training import register_intake_classifier, train_service_intake
    from tools.model_registry import latest_head

    with runtime.pool.connection() as conn:
        registered = latest_head(conn, name=MODEL_NAME) is not None
    if not registered:
        # What `handoff train intake` registers: the hand-written corpus (all but w6) + templates (minutes;
        # no connection is held meanwhile).
        clf = train_service_intake(cache=runtime.settings.home / "cache" / "embeddings.npz")
        with runtime.pool.connection() as conn:
            register_intake_classifier(conn, clf, registered_by="demo")
    patients = make_patients(seed=seed, n=60)
    items = generate_heldout_corpus(seed, 36, patients)
    counts = {"fax": 0, "message": 0, "referral": 0}
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        patient_store.register_patients(conn, org_id=unit.org_id, patients=patients)
        conn.commit()
        for n, item in enumerate(items):
            if item.channel == "fax" and counts["fax"] < 6:
                data = render_fax([item.text], resolution="fine", seed=n, cover_sheet=n % 2 == 0).pdf_bytes()
                channel = "fax"
            elif item.channel == "referral":
                data, channel = message_bytes({"letter": item.text}), "referral"
            else:
                data, channel = message_bytes({"text": item.text}), "message"
            accept(conn, runtime, user=None, actor="demo", unit_code="primary-care", channel=channel, data=data)
            counts[channel] += 1
    return f"{counts['fax']} faxes, {counts['message']} portal messages and {counts['referral']} referrals received"


def demo_claims(runtime: Runtime, seed: int) -> str:
    """Claims about to go out: a batch with the usual upstream mistakes, checked before submission."""
    import json

    from agents.claims import load_tables
    from api.services.intake import accept
    from evals.synthetic_claims import generate_labeled_claims, make_patients
    from evals.synthetic_remits import generate_claim_history
    from tools.claims.denial_model import MODEL_NAME as DENIAL_MODEL
    from tools.claims.denial_model import train_denial_model
    from tools.model_registry import latest_head, register_model

    tables = load_tables(runtime)
    if tables.icd10cm is None:
        return "skipped: no code tables (run `handoff codes import` or set HANDOFF_DATA_DIR)"
    with runtime.pool.connection() as conn:
        if latest_head(conn, name=DENIAL_MODEL) is None:
            history = generate_claim_history(tables, n=3000, seed=seed % 1000, error_rate=0.2)
            model = train_denial_model(history, seed=seed % 1000, tables=tables, data_source="synthetic claim history")
            register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="demo")
    items = generate_labeled_claims(make_patients(40, seed=seed), tables=tables, n=30, seed=seed, error_rate=0.35)
    body = {"claims": [{"claim": i.claim.model_dump(mode="json"), "context": i.context.model_dump(mode="json")}
                       for i in items]}
    with runtime.pool.connection() as conn:
        accept(conn, runtime, user=None, actor="demo", unit_code="primary-care", channel="claim",
               data=json.dumps(body).encode())
    return f"{len(items)} outgoing claims received for checking"


# Each step adds one agent's share of the synthetic clinic day; it gets the runtime and a seed.
DEMO_DAY_STEPS: list[tuple[str, Callable[[Runtime, int], str]]] = [
    ("no-show", demo_noshow),
    ("intake", demo_intake),
    ("claims", demo_claims),
]


def seed_demo(runtime: Runtime) -> list[DemoLogin]:
    """Create (idempotently) the demo organization, units, users and policies. Refused on a database
    that holds a real clinic: demo users have a published password and exist only in the demo."""
    logins = []
    with runtime.pool.connection() as conn, conn.transaction():
        others = [o.name for o in org_store.list_organizations(conn) if o.name != DEMO_ORG]
        if others:
            raise UserError(f"this database holds {others[0]!r}; the demo (whose users' password is published) "
                            "runs only on its own database: set another HANDOFF_HOME or DATABASE_URL")
        org = org_store.ensure_organization(conn, name=DEMO_ORG)
        for code, name, materiality in DEMO_UNITS:
            org_store.ensure_unit(conn, org_id=org.id, code=code, name=name, billing_profile=BillingProfile())
            install_default_policy(conn, unit_code=code, policy=Policy(
                materiality_amount=materiality,
                high_risk_amount=materiality * 10,
                queues={
                    "intake": "front_desk",
                    "intake:referral": "referrals",
                    "intake:clinical_question": "nursing",
                    "intake:lab_result": "nursing",
                    "intake:imaging_report": "nursing",
                    "intake:rx_refill": "nursing",
                    "intake:billing_question": "billing",
                    "intake:payer_correspondence": "billing",
                    "claims": "billing",
                    "referrals": "referrals",  # attaching a later document to a referral case
                    "noshow": "scheduling",
                    "noshow:overbook": "management",
                },
                review_labels=["noshow:overbook"],
                # A reminder to someone who would have come costs little: act from a lower risk.
                min_confidence={**INTAKE_MIN_CONFIDENCE, "noshow:extra_reminder": 0.25,
                                "noshow:offer_transport": 0.35, "noshow:offer_telehealth": 0.35},
            ))
        password_hash = hash_password(DEMO_PASSWORD)
        for username, display, role, units in DEMO_USERS:
            found = org_store.get_user_by_username(conn, username=username)
            user = found[0] if found else org_store.create_user(
                conn, org_id=org.id, username=username, display_name=display, password_hash=password_hash, actor="demo"
            )
            for code in units:
                unit = org_store.get_unit_by_code(conn, code=code)
                org_store.grant_role(conn, user_id=user.id, unit_id=unit.id, role=role, actor="demo")
            logins.append(DemoLogin(username=username, role=role.value, units=units))
    return logins


def run_demo_day(runtime: Runtime, *, seed: int = 20261122, on_error=None):
    """Run every agent's share of the synthetic clinic day, yielding one line of summary per step.
    A step that fails is reported through `on_error` and the others still run."""
    for name, step in DEMO_DAY_STEPS:
        try:
            yield f"{name}: {step(runtime, seed)}"
        except Exception as exc:  # a demo step must not take the server down with it
            if on_error is None:
                raise
            on_error(name, exc)


def demo(
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve while the day is loaded (else load it, process it, exit).")] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic clinic day.")] = 20261122,
    day: Annotated[bool, typer.Option("--day/--no-day", help="Load the synthetic clinic day (else only the organization).")] = True,
) -> None:
    """Seed a demo organization and a synthetic clinic day, then serve on localhost."""
    import threading

    with cli_runtime() as rt:
        logins = seed_demo(rt)
        echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            echo(f"  {login.username:<14} {login.role:<22} {', '.join(login.units)}")

        def load_day() -> None:
            if not day:
                return
            for line in run_demo_day(rt, seed=seed, on_error=lambda name, exc: echo(
                    f"  {name}: failed ({exc.__class__.__name__}); the rest of the day goes on")):
                echo(f"  {line}")

        if not serve_:
            load_day()
            drain_jobs(rt)
            echo("The demo day is processed.")
            return
        import uvicorn

        from api.app import create_app

        echo(f"Serving on http://{host}:{port}  (health: http://{host}:{port}/healthz)")
        echo("Loading the synthetic clinic day in the background; queues fill over the next minutes.")
        threading.Thread(target=load_day, name="demo-day", daemon=True).start()
        uvicorn.run(create_app(runtime=rt), host=host, port=port, log_level="warning")
