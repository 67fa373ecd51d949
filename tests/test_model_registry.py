"""One model registry for every model, in Postgres: versions are append-only and audited, carry the
eval run that admitted them, are type- and hash-checked on load, and a running process picks up a
newly registered version at its next use. Older installs' model folders import once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import numpy as np
import psycopg
import pytest
from sklearn.linear_model import LogisticRegression

from models.scheduling import ModelMeta
from store import model_registry as registry_store
from tools.model_registry import (
    Admission,
    NoModelRegistered,
    UntrustedModelError,
    dump_estimators,
    import_model_folders,
    latest_head,
    list_versions,
    load_model,
    register_model,
    write_model_folder,
)


def _tiny(version: str, *, coef: float = 1.0, name: str = "tiny") -> tuple[dict, ModelMeta]:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    clf = LogisticRegression().fit(x * coef, [0, 0, 1, 1])
    meta = ModelMeta(name=name, version=version, created_at=datetime.now(UTC), data_sha256="0" * 64)
    return {"clf": clf}, meta


def test_versions_carry_their_admission_and_are_audited_and_append_only(conn):
    estimators, meta = _tiny("v1")
    admission = Admission(suite="noshow", run_at=datetime.now(UTC), data="kaggle.csv (sha256 ab)",
                          metrics={"auc": 0.71}, gates_passed=True, report="evals-out/noshow/report.html")
    v1 = register_model(conn, estimators=estimators, meta=meta, registered_by="engineer", admitted_by=admission)
    assert v1.admitted_by == admission and v1.registered_by == "engineer" and len(v1.sha256) == 64
    assert [v.version for v in list_versions(conn, name="tiny")] == ["v1"]
    event = conn.execute("SELECT action, subject, detail FROM audit_events WHERE action = 'model.registered'").fetchone()
    assert event["subject"] == "model:tiny:v1" and event["detail"]["sha256"] == v1.sha256
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE model_versions SET registered_by = 'someone else'")
    conn.rollback()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM model_versions")
    conn.rollback()


def test_loading_checks_types_and_hash(conn):
    class NotAllowed:
        pass

    estimators, meta = _tiny("v1")
    with pytest.raises(UntrustedModelError):
        register_model(conn, estimators={"x": NotAllowed()}, meta=meta, registered_by="test")
    # Bytes written around register_model (another tool, a restored backup) are checked on load too.
    import skops.io as sio

    bad = sio.dumps({"x": NotAllowed()})
    registry_store.insert_model_version(conn, meta=meta.model_copy(update={"version": "v-bad-types"}), artifact=bad,
                                        sha256=hashlib.sha256(bad).hexdigest(), types=[], registered_by="x",
                                        admitted_by=None)
    with pytest.raises(UntrustedModelError, match="allowlist"):
        load_model(conn, name="tiny", version="v-bad-types")
    good, types = dump_estimators(estimators)
    registry_store.insert_model_version(conn, meta=meta.model_copy(update={"version": "v-bad-hash"}), artifact=good,
                                        sha256="f" * 64, types=types, registered_by="x", admitted_by=None)
    with pytest.raises(UntrustedModelError, match="sha256"):
        load_model(conn, name="tiny", version="v-bad-hash")
    with pytest.raises(NoModelRegistered):
        load_model(conn, name="nothing-here")


def test_a_running_process_uses_a_newly_registered_version_without_restart(runtime):
    built = []

    def build(estimators, meta):
        built.append(meta.version)
        return estimators["clf"]

    with pytest.raises(NoModelRegistered):
        runtime.current_model("tiny", build)
    with runtime.pool.connection() as conn:
        register_model(conn, estimators=_tiny("v1")[0], meta=_tiny("v1")[1], registered_by="test")
    first = runtime.current_model("tiny", build)
    assert runtime.current_model("tiny", build) is first and built == ["v1"]  # loaded once per version
    # Another process (here: another connection) registers v2; the next use picks it up.
    with psycopg.connect(runtime.database_url, autocommit=True, row_factory=psycopg.rows.dict_row) as other:
        estimators, meta = _tiny("v2", coef=-1.0)
        register_model(other, estimators=estimators, meta=meta, registered_by="other-process")
    second = runtime.current_model("tiny", build)
    assert built == ["v1", "v2"] and second is not first
    assert second.predict([[3.0]])[0] != first.predict([[3.0]])[0]
    with runtime.pool.connection() as conn:
        assert latest_head(conn, name="tiny").version == "v2"


def test_model_folders_of_an_older_install_are_imported_once(conn, tmp_path):
    for version in ("v1", "v2"):
        estimators, meta = _tiny(version)
        write_model_folder(tmp_path, estimators=estimators, meta=meta)
    imported = import_model_folders(conn, tmp_path, registered_by="cli:models-import")
    assert [v.version for v in imported] == ["v1", "v2"] and all(v.admitted_by is None for v in imported)
    assert import_model_folders(conn, tmp_path, registered_by="cli:models-import") == []
    estimators, record = load_model(conn, name="tiny")
    assert record.version == "v2" and estimators["clf"].predict([[3.0]])[0] == 1


def test_cli_imports_model_folders_and_lists_versions(settings, runtime, tmp_path):
    import subprocess
    import sys

    from tests.conftest import cli_env

    estimators, meta = _tiny("v1")
    write_model_folder(tmp_path / "old-models", estimators=estimators, meta=meta)
    env = cli_env(settings)
    run = [sys.executable, "-m", "api.cli", "models"]
    imported = subprocess.run([*run, "import", "--dir", str(tmp_path / "old-models")], env=env, capture_output=True,
                              text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    assert "imported tiny v1" in imported.stdout
    listed = subprocess.run([*run, "list"], env=env, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0 and "tiny" in listed.stdout and "not admitted by an eval run" in listed.stdout
    missing = subprocess.run([*run, "import", "--dir", str(tmp_path / "nowhere")], env=env, capture_output=True,
                             text=True, timeout=300)
    assert missing.returncode == 2 and "--dir" in missing.stderr


def test_a_passing_suite_run_registers_its_model_admitted_by_that_run(settings, runtime, tmp_path, monkeypatch):
    """`handoff evals run --suite noshow --register`: the suite writes the model it evaluated; the CLI
    registers it with the run's suite, data, figures, gates and report as its admission."""
    from api.cli.evals import _register_admitted
    from evals.runner import run_suite
    from tools.noshow.model import TrainedNoShowModel

    out = tmp_path / "run"
    # A small synthetic clinic (fast) under a gate it passes; the real gates need the default size.
    gates = tmp_path / "gates.toml"
    gates.write_text('[[gate]]\nname = "auc_floor"\nsuite = "noshow"\nmetric = "roc_auc"\nthreshold = 0.6\n'
                     'direction = ">="\nwhy = "the small clinic still has signal"\n')
    result = run_suite("noshow", data=None, out=out, progress=False, n_boot=30, n_threads=1, gates_path=gates,
                       options={"n_patients": 1000, "days": 70, "registry": str(out / "model")})
    assert not result.failed_gates
    monkeypatch.setenv("HANDOFF_HOME", str(settings.home))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    [version] = _register_admitted(out / "model", metrics_path=result.metrics_path, report_path=result.report_path)
    admission = version.admitted_by
    assert version.name == "noshow" and admission.suite == "noshow" and admission.gates_passed is True
    assert admission.metrics["roc_auc"] > 0.6 and admission.report.endswith("report.html")
    model = runtime.current_model("noshow", TrainedNoShowModel.from_estimators)
    assert model.version == version.version
