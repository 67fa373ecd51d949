"""A real `handoff serve` process for tests that need real concurrency (several requests at once,
a client streaming a body): the CLI started as a subprocess against the test's database, stopped
with SIGTERM (then SIGKILL) at the end, so nothing it was still doing outlives the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from models.settings import Settings
from tests.conftest import REPO, cli_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def handoff_serve(settings: Settings, *, extra_env: dict[str, str] | None = None, worker: bool = False,
                  startup_s: float = 90.0) -> Iterator[str]:
    """Start `handoff serve` on a free port; yields its base URL once /healthz answers."""
    port = free_port()
    env = cli_env(settings) | {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"} | (extra_env or {})
    log_path = Path(settings.home) / "serve.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                 "--worker" if worker else "--no-worker"],
                                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"handoff serve did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
