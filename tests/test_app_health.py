"""The HTTP app starts through its lifespan against a real database and reports health."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import cli_env


def test_healthz_through_lifespan(settings):
    with TestClient(create_app(settings, worker=True)) as client:
        r = client.get("/healthz")
        assert r.status_code == 200
        assert r.json()["database"] == "ok"
        assert client.get("/openapi.json").status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_handoff_demo_serves_healthz(settings):
    port = _free_port()
    env = cli_env(settings)
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "demo", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
                if status == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.5)
        assert status == 200, proc.stderr.read() if proc.poll() is not None else "no answer within 60 s"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, 9)


def test_docs_are_served_with_local_assets_and_no_cdn(client):
    """/docs works offline: Swagger UI's script and stylesheet come from the installed package."""
    import re

    page = client.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text) + re.findall(r"url: ?'([^']+)'", page.text)
    assert urls and not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        r = client.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and len(r.content) > 10_000, asset
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs/oauth2-redirect").status_code == 200
