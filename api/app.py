"""The FastAPI application: one lifespan opens the pool (and an in-process worker), routers attach."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import psycopg
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.concurrency import run_in_threadpool

from agents.jobs import InProcessWorker
from agents.runtime import Runtime, open_runtime
from api import docs, pages
from api.deps import enforce_access, enforce_public_access
from api.errors import ServiceError
from api.observability import RequestContextMiddleware
from api.routers import auth, compliance, health, metrics, policy, review
from api.routers import intake as intake_router
from api.routers import referrals as referrals_router
from api.routers import revenue as revenue_router
from models.settings import Settings
from tools.jsonsafe import MAX_DEPTH

log = logging.getLogger(__name__)
# The largest body any route reads, except uploads (faxes, claims: api.routers.intake.FILE_BODY_LIMIT).
# Enforced while the body streams in: a larger one gets 413 before it is read.
MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024


class QuietErrors:
    """Any error no handler took: a 500 with a JSON body, and one log line with the error's class and
    the frames, never its message (it may quote a document or a claim); the server's own traceback
    print, message included, never happens because nothing is re-raised."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except StarletteHTTPException:
            raise
        except Exception as exc:  # noqa: BLE001 - every other error ends here, quietly
            import traceback

            log.error("%s %s failed: %s\n%s", scope.get("method"), scope.get("path"), exc.__class__.__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            if not started:
                await JSONResponse(status_code=500, content={
                    "detail": "internal error; it is logged (without request data) for an engineer"})(scope, receive, send)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None, worker: bool | None = None) -> FastAPI:
    """Build the app. Pass `runtime` to share an already-open pool (tests, `handoff demo`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Opening the database, starting and stopping the worker block: in a thread, never on the loop.
        nonlocal runtime
        own_runtime = runtime is None
        rt = runtime or await run_in_threadpool(open_runtime, settings or Settings())
        app.state.runtime = rt
        in_process = None
        if worker if worker is not None else rt.settings.inprocess_worker:
            in_process = InProcessWorker(rt)
            await run_in_threadpool(in_process.start)
        try:
            yield
        finally:
            if in_process:
                await run_in_threadpool(in_process.stop)
            if own_runtime:
                await run_in_threadpool(rt.close)

    app = FastAPI(
        title="Handoff",
        version="0.1.0",
        description="Governed AI agents for clinic operations: every output is logged and routed by policy.",
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
        docs_url=None,  # served by api/docs.py with local assets (FastAPI's default loads them from a CDN)
        redoc_url=None,  # ReDoc has no local build to serve; /docs covers it
    )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Name each field and what is wrong with it; never echo the submitted values (may be PHI).
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": "invalid request", "errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 413:
            limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
            return JSONResponse(status_code=413, content={"field": "body", "detail": (
                f"body: over the size limit of {limit:,} bytes" if limit else "body: over the size limit")})
        if exc.status_code == 400 and isinstance(exc.__cause__, RecursionError):
            # FastAPI could not parse a JSON body nested deeper than Python can recurse.
            return JSONResponse(status_code=422, content={
                "field": "body", "detail": f"body: JSON nested more than {MAX_DEPTH} levels deep; flatten it"})
        return await http_exception_handler(request, exc)

    @app.exception_handler(psycopg.errors.DataError)
    async def _data_error(request: Request, exc: psycopg.errors.DataError) -> JSONResponse:
        # Input PostgreSQL cannot store (a NUL character, an out-of-range number): the client's to fix.
        return JSONResponse(status_code=422, content={
            "detail": "a value in the request cannot be stored (for example a NUL character or a number out of range)"})

    @app.exception_handler(psycopg.errors.LockNotAvailable)
    async def _busy(request: Request, exc: psycopg.errors.LockNotAvailable) -> JSONResponse:
        # A row stayed locked past the lock timeout (HANDOFF_DB_LOCK_TIMEOUT_MS): busy, not broken.
        return JSONResponse(status_code=503, headers={"Retry-After": "2"},
                            content={"detail": "the record is busy (another request holds it); try again shortly"})

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(status_code=exc.status, content=exc.body(), headers=headers)

    app.add_middleware(QuietErrors)

    # Every router goes through the access table (api/access.py); there is no route without it.
    guarded = [Depends(enforce_access)]
    for router in (auth.router, review.router, compliance.router, metrics.router, pages.router, intake_router.router,
                   revenue_router.router, referrals_router.router, policy.router):
        app.include_router(router, dependencies=guarded)
    # Probes must answer when the database does not: their check reads the table without a connection.
    app.include_router(health.router, dependencies=[Depends(enforce_public_access)])
    # The documentation routes (DOC_ROUTES in the access table): public, no database needed.
    app.include_router(docs.router)
    app.add_middleware(RequestContextMiddleware)
    # Stylesheet and script of the pages: public, no data.
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    docs.mount_doc_assets(app)
    return app
