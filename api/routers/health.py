"""Probes for load balancers and orchestrators: `/livez` (the process answers), `/readyz` (the
database answers, a worker has sent a heartbeat, the intake model is loaded) and `/healthz` (the
database answers). Each answers within about a second even when the database hangs or is gone, and
none shows internal counters."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from store import operations as operations_store

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)

PROBE_DEADLINE_S = 0.9
WORKER_HEARTBEAT_MAX_AGE_S = 60
# Probes run here so that a hung connection attempt never holds a request thread past the deadline.
_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="handoff-probe")


class Health(BaseModel):
    status: str
    database: str


class Readiness(BaseModel):
    status: str
    database: str
    worker: str
    model: str


class Liveness(BaseModel):
    status: str


def _within_deadline(fn, *args, default):
    try:
        return _probes.submit(fn, *args).result(timeout=PROBE_DEADLINE_S)
    except FutureTimeout:
        return default
    except Exception as exc:  # the probe says "unreachable"; the log says which kind of failure
        log.warning("probe failed: %s", exc.__class__.__name__)
        return default


def _database_ok(rt) -> str:
    with rt.pool.connection(timeout=PROBE_DEADLINE_S) as conn:
        operations_store.ping(conn)
    return "ok"


def _worker_ok(rt) -> str:
    with rt.pool.connection(timeout=PROBE_DEADLINE_S) as conn:
        alive = operations_store.workers_alive(conn, max_age_s=WORKER_HEARTBEAT_MAX_AGE_S)
    return "ok" if alive else "no recent heartbeat"


def _load_model(rt) -> None:
    from agents.intake import load_classifier

    load_classifier(rt)


def _model_ok(rt) -> str:
    """"ok" once the intake classifier is loaded in this process. Loading takes longer than a probe
    may, so it runs in the background from the first probe on ("loading" until it is done)."""
    from agents.intake import NoModel

    load = rt.cached("intake_model_probe", lambda: _probes.submit(_load_model, rt))
    if not load.done():
        return "loading"
    exc = load.exception()
    if exc is None:
        return "ok"
    rt.forget("intake_model_probe")  # try again next time: a model may be trained meanwhile
    return "missing" if isinstance(exc, NoModel) else "failed"


@router.get("/livez", response_model=Liveness)
def livez() -> Liveness:
    return Liveness(status="ok")


@router.get("/healthz", response_model=Health)
def healthz(request: Request, response: Response) -> Health:
    database = _within_deadline(_database_ok, request.app.state.runtime, default="unreachable")
    if database != "ok":
        response.status_code = 503
        return Health(status="degraded", database=database)
    return Health(status="ok", database="ok")


@router.get("/readyz", response_model=Readiness)
def readyz(request: Request, response: Response) -> Readiness:
    rt = request.app.state.runtime
    futures = {name: _probes.submit(fn, rt) for name, fn in (("database", _database_ok), ("worker", _worker_ok),
                                                             ("model", _model_ok))}
    checks = {}
    for name, future in futures.items():
        try:
            checks[name] = future.result(timeout=PROBE_DEADLINE_S)
        except FutureTimeout:
            checks[name] = "timed out"
        except Exception as exc:
            log.warning("readiness probe %s failed: %s", name, exc.__class__.__name__)
            checks[name] = "unreachable" if name != "model" else "failed"
    ready = all(v == "ok" for v in checks.values())
    if not ready:
        response.status_code = 503
    return Readiness(status="ready" if ready else "not ready", **checks)
