"""Issue 11, row 11 of the red-team table: a `handoff worker` killed with SIGKILL in the middle of
OCR leaves no copy of the fax in the system's temp folder (working copies live under HANDOFF_HOME,
where the next worker's start sweeps what a dead one left), and its OCR pool processes do not outlive
it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil

from api.services.intake import accept
from tests.conftest import REPO, cli_env
from tools.intake.ocr import sweep_stale_tmp


def _ocr_leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("handoff-ocr")) if folder.is_dir() else []


def test_a_worker_killed_mid_ocr_leaves_no_copy_and_no_processes(runtime, demo_org, settings, tmp_path):
    from evals.synthetic_faxes import render_fax

    pages = [f"Referral for cardiology consult, page {n}\nPatient: Ana Ruiz\nDOB: 11/30/1990\n"
             "Reason: exertional chest tightness. Please evaluate." for n in range(1, 5)]
    fax = render_fax(pages, resolution="fine", seed=2, max_skew_degrees=0.5)
    with runtime.pool.connection() as conn:
        accept(conn, runtime, user=None, actor="test", unit_code="primary-care", channel="fax", data=fax.pdf_bytes())
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    env = cli_env(settings) | {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TMPDIR": str(system_tmp)}
    log = open(tmp_path / "worker.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    pool: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and worker.poll() is None:
            # OCR is under way once a pool process has made its run's folder of page images.
            copies = _ocr_leftovers(settings.tmp_dir) + _ocr_leftovers(system_tmp)
            pool = [p for p in psutil.Process(worker.pid).children(recursive=True) if "python" in p.name()]
            if pool and any(name.startswith("handoff-ocr-run") for name in copies):
                break
            time.sleep(0.1)
        assert pool, "OCR never started: " + (tmp_path / "worker.log").read_text()[-1500:]
        time.sleep(0.5)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        gone, alive = psutil.wait_procs(pool, timeout=30)
    finally:
        log.close()
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
    for p in alive:  # nothing this test started outlives it, whatever the outcome
        p.kill()
    assert not alive, f"OCR pool processes outlived the killed worker: {[p.pid for p in alive]}"
    assert _ocr_leftovers(system_tmp) == [], "a copy of the fax was left in the system temp folder"
    # What the dead worker left under HANDOFF_HOME is swept when the next worker starts.
    assert _ocr_leftovers(settings.tmp_dir)
    assert sweep_stale_tmp(settings.tmp_dir) >= 1 and _ocr_leftovers(settings.tmp_dir) == []
