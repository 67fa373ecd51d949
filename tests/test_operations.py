"""Operator signals and many-host settings (issue 15): /metrics scraped with a token, probes that
answer when the database hangs, JSON logs with request ids and no content, spans around LLM calls,
the trusted-proxy setting, accepted files in Postgres, and `handoff worker --queue`."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.requests import Request

from agents.runtime import Runtime
from api.app import create_app
from api.deps import client_address
from api.observability import JsonFormatter
from models.settings import Settings
from store import audit
from tests.conftest import cli_env, sign_in
from tests.llm_server import FakeLlmServer
from tests.review_data import fill_queues

CANARY = "Zebulon-Quartermaine-1962"  # a "patient name" that must never reach a log line


def _token(client, username: str) -> str:
    headers = sign_in(client, username)
    r = client.post("/api/v1/auth/tokens", json={"name": "prometheus"}, headers=headers)
    assert r.status_code == 201, r.text
    client.cookies.clear()
    return r.json()["token"]


def _samples(text: str, name: str) -> list[tuple[dict, float]]:
    from prometheus_client.parser import text_string_to_metric_families

    out = []
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name:
                out.append((s.labels, s.value))
    return out


def test_metrics_are_scraped_with_an_engineers_token(client, runtime):
    fill_queues(runtime, n_each=2)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {_token(client, 'frontdesk')}"}).status_code == 403
    token = _token(client, "engineer")
    r = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    depth = _samples(r.text, "handoff_review_queue_depth")
    assert depth and all(labels["unit"] == "primary-care" for labels, _ in depth)
    assert sum(v for labels, v in depth if labels["status"] == "ready") > 0
    assert _samples(r.text, "handoff_review_oldest_ready_age_seconds")
    routes = _samples(r.text, "handoff_routes_24h")
    assert {labels["decision"] for labels, _ in routes} >= {"review"}
    assert _samples(r.text, "handoff_auto_rate_24h")
    # This process's own figures: HTTP requests timed by route template.
    assert any(labels["route"] == "/metrics" for labels, _ in _samples(r.text, "handoff_http_request_seconds_count"))
    assert CANARY not in r.text


def test_llm_calls_are_timed_counted_and_traced_without_content(runtime):
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from pydantic import BaseModel
    from prometheus_client import REGISTRY, generate_latest

    from tools.llm import LlmError, LlmGateway

    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    class Label(BaseModel):
        doc_type: str

    answers = iter([{"doc_type": "referral"}, None])
    with FakeLlmServer(lambda prompt, schema: next(answers)) as server:
        gw = LlmGateway(Settings(llm_base_url=server.base_url, llm_model="test-model", llm_local_only=True,
                                 llm_max_retries=0))
        assert gw.structured("intake_classify", Label, document=CANARY).value.doc_type == "referral"
        with pytest.raises(LlmError):
            gw.structured("intake_classify", Label, document=CANARY)
    spans = [s for s in exporter.get_finished_spans() if s.name == "llm.call"]
    assert [s.attributes["llm.outcome"] for s in spans[-2:]] == ["ok", "error"]
    assert spans[-1].attributes["llm.model"] == "test-model"
    assert all(CANARY not in json.dumps(dict(s.attributes)) for s in spans)
    text = generate_latest(REGISTRY).decode()
    assert any(labels["prompt"] == "intake_classify" for labels, _ in _samples(text, "handoff_llm_errors_total"))
    assert any(labels["outcome"] == "ok" for labels, _ in _samples(text, "handoff_llm_call_seconds_count"))


def test_probes_and_healthz_show_no_internal_counters(client):
    assert client.get("/livez").json() == {"status": "ok"}
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    ready = client.get("/readyz")
    for _ in range(120):  # the model loads in the background from the first probe on
        if ready.json()["model"] != "loading":
            break
        time.sleep(0.5)
        ready = client.get("/readyz")
    # No worker has sent a heartbeat and no intake model is trained in this database: not ready.
    assert ready.status_code == 503
    assert ready.json()["database"] == "ok" and ready.json()["worker"] != "ok" and ready.json()["model"] == "missing"


def _blackhole() -> tuple[socket.socket, int]:
    """A TCP port that accepts connections and never answers: a database that hangs."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s, s.getsockname()[1]


class _Serve:
    def __init__(self, app):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_probes_answer_when_the_database_hangs(tmp_path):
    from psycopg_pool import ConnectionPool

    hole, port = _blackhole()
    url = f"postgresql://postgres@127.0.0.1:{port}/handoff"
    pool = ConnectionPool(url, min_size=1, open=False, name="hung")
    pool.open(wait=False)
    rt = Runtime(settings=Settings(home=tmp_path, database_url=url, inprocess_worker=False), pool=pool, database_url=url)
    try:
        with _Serve(create_app(runtime=rt, worker=False)) as base:
            # A bound on the client, not a timing assert: before, /healthz waited on the pool (30 s).
            with httpx.Client(base_url=base, timeout=10) as http:
                assert http.get("/livez").status_code == 200
                r = http.get("/healthz")
                assert r.status_code == 503 and r.json()["database"] != "ok"
                r = http.get("/readyz")
                assert r.status_code == 503 and r.json()["status"] == "not ready"
    finally:
        pool.close(timeout=1)
        hole.close()


def test_json_access_lines_carry_the_request_id_and_no_content(client):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    keep = Keep()
    logging.getLogger("handoff.access").addHandler(keep)
    logging.getLogger("handoff.access").setLevel(logging.INFO)
    try:
        r = client.get(f"/api/v1/review/queues?patient={CANARY}", headers={"X-Request-ID": "req-42"})
        client.post("/api/v1/auth/login", json={"username": CANARY, "password": CANARY})
        bad = client.get("/livez", headers={"X-Request-ID": "bad id with spaces " + CANARY})
    finally:
        logging.getLogger("handoff.access").removeHandler(keep)
    assert r.headers["x-request-id"] == "req-42"
    assert CANARY not in bad.headers["x-request-id"]
    fmt = JsonFormatter("api")
    lines = []
    for rec in records:
        from api.observability import request_id_var

        token = request_id_var.set(getattr(rec, "request_id", None) or "req-42")
        try:
            lines.append(json.loads(fmt.format(rec)))
        finally:
            request_id_var.reset(token)
    first = lines[0]
    assert first["route"] == "/api/v1/review/queues" and first["status"] == 401 and first["request_id"] == "req-42"
    assert all(CANARY not in json.dumps(line) for line in lines)
    try:
        raise ValueError(f"duplicate key value violates unique constraint: ({CANARY})")
    except ValueError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "job failed", None, sys.exc_info())
    out = json.loads(fmt.format(rec))
    assert out["exc_type"] == "builtins.ValueError" and CANARY not in json.dumps(out)


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 1234)})


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path):
    none = Settings(home=tmp_path)
    proxies = Settings(home=tmp_path, trusted_proxies="10.0.0.0/8, 127.0.0.1")
    assert client_address(_request("10.0.0.5", "203.0.113.9"), none) == "10.0.0.5"
    assert client_address(_request("10.0.0.5", "203.0.113.9, 10.0.0.7"), proxies) == "203.0.113.9"
    # A client that sends its own header through the proxy cannot pick its address.
    assert client_address(_request("10.0.0.5", "198.51.100.1, 203.0.113.9"), proxies) == "203.0.113.9"
    assert client_address(_request("198.51.100.77", "203.0.113.9"), proxies) == "198.51.100.77"
    with pytest.raises(ValueError, match="HANDOFF_TRUSTED_PROXIES"):
        _ = Settings(home=tmp_path, trusted_proxies="not-an-ip").trusted_proxy_networks


def test_sign_in_limits_key_on_the_forwarded_client_behind_a_trusted_proxy(runtime, demo_org):
    runtime.settings.trusted_proxies = "127.0.0.1"
    with TestClient(create_app(runtime=runtime, worker=False), client=("127.0.0.1", 50000)) as c:
        c.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong"},
               headers={"X-Forwarded-For": "203.0.113.9"})
    with runtime.pool.connection() as conn:
        events = audit.list_events(conn, action="auth.sign_in_failed")
    assert events[0]["detail"]["client"] == "203.0.113.9"


def test_accepted_files_can_live_in_postgres(runtime, demo_org, settings):
    runtime.settings.blob_store = "postgres"
    runtime.forget("blob_store")
    with TestClient(create_app(runtime=runtime, worker=False)) as c:
        headers = sign_in(c, "frontdesk")
        r = c.post("/api/v1/messages?unit=primary-care", content=json.dumps({"text": "Please call me back."}),
                   headers={**headers, "Content-Type": "application/json"})
        assert r.status_code in (200, 201, 202), r.text
        digest = r.json()["sha256"]
    assert json.loads(runtime.read_blob(digest)) == {"text": "Please call me back."}
    assert not (settings.blob_dir.exists() and any(settings.blob_dir.rglob("*")))


def test_worker_refuses_an_unknown_queue(settings):
    out = subprocess.run([sys.executable, "-m", "api.cli", "worker", "--once", "--queue", "nope"], env=cli_env(settings),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "--queue" in out.stderr and "inbound" in out.stderr
