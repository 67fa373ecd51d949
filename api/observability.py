"""What operators see of a running server: JSON log lines with request ids, an access line per
request, and Prometheus metrics of HTTP requests.

No log line carries a request body, a query string, a form field or an exception's message (a
database error's message can quote the row it refused): only the route template, the status, the
duration, ids and exception class names and frames.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import datetime, timezone

from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("handoff_request_id", default=None)
access_log = logging.getLogger("handoff.access")

HTTP_SECONDS = Histogram("handoff_http_request_seconds", "Duration of HTTP requests", ["method", "route", "status"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
HTTP_ERRORS = Counter("handoff_http_server_errors", "Requests that ended in an unhandled exception", ["route"])


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, process role; for an
    exception its class and frames but never its message."""

    def __init__(self, process: str = "handoff"):
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "process": self.process,
        }
        rid = request_id_var.get()
        if rid:
            out["request_id"] = rid
        for key in ("method", "route", "status", "duration_ms", "job_id", "task"):
            value = record.__dict__.get(key)
            if value is not None:
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            out["exc_type"] = f"{exc_type.__module__}.{exc_type.__name__}"
            out["exc_frames"] = "".join(traceback.format_tb(tb))
        return json.dumps(out, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal, with the same rule: an exception's class and frames, no message."""

    def format(self, record: logging.LogRecord) -> str:
        rid = request_id_var.get()
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if rid:
            line += f" request_id={rid}"
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            line += f"\n{exc_type.__name__}\n" + "".join(traceback.format_tb(tb))
        return line


def configure_logging(*, fmt: str, level: str, process: str) -> None:
    """Route every logger (ours, uvicorn's, procrastinate's) to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(process) if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # it would print query strings
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry full URLs


def new_request_id(sent: str | None) -> str:
    """The caller's X-Request-ID when it is a plain token, else a fresh one."""
    if sent and _SAFE_REQUEST_ID.match(sent):
        return sent
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Pure ASGI: gives each request an id (X-Request-ID in and out), times it into the metrics and
    writes one access line with the route template (not the path's values or the query string)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                sent = value.decode("latin-1")
                break
        rid = new_request_id(sent)
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            HTTP_ERRORS.labels(route=_route_of(scope)).inc()
            raise
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            HTTP_SECONDS.labels(method=scope["method"], route=route, status=str(status["code"])).observe(elapsed)
            access_log.info("%s %s %d", scope["method"], route, status["code"],
                            extra={"method": scope["method"], "route": route, "status": status["code"],
                                   "duration_ms": round(elapsed * 1000, 1)})
            request_id_var.reset(token)


def _route_of(scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"
