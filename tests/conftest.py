"""Test fixtures: one embedded PostgreSQL per test session; each test gets a fresh database cloned
from a migrated template, so tests are isolated and nothing of our own is mocked."""

from __future__ import annotations

import itertools
import os
import warnings
from pathlib import Path

import pytest

from models.settings import Settings

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
if not SHARED_DATA.is_dir() and os.environ.get("HANDOFF_DATA_DIR"):
    # A checkout that does not sit beside the data (e.g. a git worktree) names it explicitly.
    SHARED_DATA = Path(os.environ["HANDOFF_DATA_DIR"])
TEMPLATE_DB = "handoff_template"
_counter = itertools.count()


# The longest test modules, longest first. pytest-xdist's loadfile hands out modules in collection
# order, so starting the long ones first keeps one process from finishing the run alone for minutes.
LONG_MODULES_FIRST = (
    "test_bench.py", "test_intake_agent.py", "test_chaos_workers.py", "test_many_hosts.py", "test_revenue_cli.py",
    "test_hardening_poison.py", "test_suite_triage.py", "test_hardening_llm.py", "test_hardening_concurrency.py",
    "test_intake_classifier.py", "test_clinic_walkthrough.py", "test_referral_cases.py", "test_x12_revenue.py",
    "test_pages.py", "test_review_concurrency.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONG_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a module keeps its own order


@pytest.fixture(scope="session")
def pg_server():
    import shutil
    import tempfile

    from store.db import start_embedded_server

    # Not under pytest's tmp tree: pytest keeps its root at mode 0700, and the embedded server runs
    # as its own system user when we are root, so it must be able to traverse the parents.
    data_dir = Path(tempfile.mkdtemp(prefix="handoff-test-pg-"))
    server = start_embedded_server(data_dir)
    yield server
    server.cleanup()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def template_url(pg_server) -> str:
    from store.db import connect, embedded_url, ensure_database
    from store.migrate import migrate

    ensure_database(embedded_url(pg_server, "postgres"), TEMPLATE_DB)
    url = embedded_url(pg_server, TEMPLATE_DB)
    with connect(url, autocommit=True) as conn:
        migrate(conn)
    return url


@pytest.fixture
def db_url(pg_server, template_url) -> str:
    """A fresh, migrated database for this test."""
    from store.db import embedded_url, ensure_database

    name = f"t_{os.getpid()}_{next(_counter)}"
    ensure_database(embedded_url(pg_server, "postgres"), name, template=TEMPLATE_DB)
    return embedded_url(pg_server, name)


@pytest.fixture
def settings(tmp_path, db_url) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=db_url,
        inprocess_worker=False,
        llm_local_only=True,
        data_dir=SHARED_DATA,
    )


@pytest.fixture
def runtime(settings):
    from agents.runtime import open_runtime

    rt = open_runtime(settings, migrate=False)
    yield rt
    rt.close()


@pytest.fixture
def conn(runtime):
    with runtime.pool.connection() as c:
        yield c


@pytest.fixture
def demo_org(runtime):
    """The demo organization, units, users and policies."""
    from api.cli.demo import seed_demo

    return seed_demo(runtime)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public data sets not found at {SHARED_DATA} (they sit beside the repo in CI)")
    return SHARED_DATA


def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running the real `handoff` CLI against the test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_") and k != "DATABASE_URL"}
    env.update({"HANDOFF_HOME": str(settings.home), "DATABASE_URL": settings.database_url or "",
                "HANDOFF_DATA_DIR": str(settings.data_dir)})
    return env


@pytest.fixture
def client(runtime, demo_org):
    """The real app over the test's database (no in-process worker)."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(runtime=runtime, worker=False)) as c:
        yield c


def sign_in(client, username: str, password: str = "handoff-demo") -> dict[str, str]:
    """Sign in through the API; returns the headers a browser script would send (CSRF token)."""
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


@pytest.fixture(scope="session")
def intake_classifier(tmp_path_factory):
    """One small local intake classifier per test run (cross-fitting its heads takes minutes). Under
    pytest-xdist the first worker that needs it trains it and writes it as a registry model folder
    beside the workers' temp dirs; the others wait for it and read it back (the same skops path the
    registry uses), so two cores do not both spend minutes on it."""
    from filelock import FileLock

    from tools.intake.classifier import IntakeClassifier
    from tools.intake.training import train_synthetic_intake
    from tools.model_registry import read_model_folder, write_model_folder

    def train() -> IntakeClassifier:
        # Light options: these tests check the agent's wiring, the triage suite measures accuracy.
        return train_synthetic_intake(n=200, seed=5, augment=False, use_embeddings=False)

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return train()
    shared = tmp_path_factory.getbasetemp().parent / "intake-classifier"
    with FileLock(str(shared) + ".lock"):
        folders = [p.parent for p in shared.glob("*/*/meta.json")]
        if not folders:
            clf = train()
            write_model_folder(shared, estimators=clf.to_estimators(), meta=clf.meta)
            _save_cross_fitted(clf.oof, shared / "cross_fitted.npz")
            return clf
    estimators, meta = read_model_folder(folders[0])
    clf = IntakeClassifier.from_estimators(estimators, meta)
    # The training run's cross-fitted predictions are not part of a registered model; tests of the
    # training read them, so they travel beside the folder.
    clf.oof = _load_cross_fitted(shared / "cross_fitted.npz")
    return clf


def _save_cross_fitted(cf, path: Path) -> None:
    from dataclasses import fields

    arrays = {f.name: getattr(cf, f.name) for f in fields(cf) if f.name != "heads" and getattr(cf, f.name) is not None}
    arrays |= {f"heads:{k}": v for k, v in cf.heads.items()}
    import numpy as np

    np.savez(path, **arrays)


def _load_cross_fitted(path: Path):
    import numpy as np

    from tools.intake.classifier import CrossFitted

    with np.load(path, allow_pickle=True) as data:  # written by this test run just above
        values = {k: data[k] for k in data.files}
    heads = {k.split(":", 1)[1]: values.pop(k) for k in list(values) if k.startswith("heads:")}
    return CrossFitted(heads=heads, **values)


@pytest.fixture
def intake_runtime(runtime, demo_org, intake_classifier):
    """A runtime whose intake agent uses the session's classifier."""
    from tools.intake.training import register_intake_classifier

    with runtime.pool.connection() as conn:
        register_intake_classifier(conn, intake_classifier, registered_by="test")
    return runtime


@pytest.fixture(scope="session")
def code_tables():
    """The public code tables, loaded once per session from ../shared/data."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public data sets not found at {SHARED_DATA} (they sit beside the repo in CI)")
    from tools.claims.codes import CodeTables

    return CodeTables.from_files(SHARED_DATA)
