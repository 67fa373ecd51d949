"""The FastAPI application: one lifespan opens the pool (and an in-process worker), routers attach."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import psycopg
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from agents.jobs import InProcessWorker
from agents.runtime import Runtime, open_runtime
from api import pages
from api.deps import enforce_access
from api.errors import ServiceError
from api.routers import auth, compliance, health, policy, review
from api.routers import intake as intake_router
from models.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None, worker: bool | None = None) -> FastAPI:
    """Build the app. Pass `runtime` to share an already-open pool (tests, `handoff demo`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        nonlocal runtime
        own_runtime = runtime is None
        rt = runtime or open_runtime(settings or Settings())
        app.state.runtime = rt
        in_process = None
        if worker if worker is not None else rt.settings.inprocess_worker:
            in_process = InProcessWorker(rt)
            in_process.start()
        try:
            yield
        finally:
            if in_process:
                in_process.stop()
            if own_runtime:
                rt.close()

    app = FastAPI(
        title="Handoff",
        version="0.1.0",
        description="Governed AI agents for clinic operations: every output is logged and routed by policy.",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Name each field and what is wrong with it; never echo the submitted values (may be PHI).
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": "invalid request", "errors": errors})

    @app.exception_handler(psycopg.errors.DataError)
    async def _data_error(request: Request, exc: psycopg.errors.DataError) -> JSONResponse:
        # Input PostgreSQL cannot store (a NUL character, an out-of-range number): the client's to fix.
        return JSONResponse(status_code=422, content={
            "detail": "a value in the request cannot be stored (for example a NUL character or a number out of range)"})

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(status_code=exc.status, content=exc.body(), headers=headers)

    # Every router goes through the access table (api/access.py); there is no route without it.
    guarded = [Depends(enforce_access)]
    for router in (health.router, auth.router, review.router, compliance.router, pages.router, intake_router.router,
                   policy.router):
        app.include_router(router, dependencies=guarded)
    # Stylesheet and script of the pages: public, no data.
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app
