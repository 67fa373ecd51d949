"""Dependencies for HTTP routes: the connection, the signed-in principal, and the access check that
applies `api.access.ACCESS` to every request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import psycopg
from fastapi import Depends, Request, Response

from agents.runtime import Runtime
from api.access import ACCESS, DOC_ROUTES
from api.errors import Forbidden, Unauthorized
from api.services.auth import Principal, principal_from_session, principal_from_token
from models.settings import Settings
from store import audit

SESSION_COOKIE = "handoff_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_conn(request: Request) -> Iterator[psycopg.Connection]:
    """A pooled connection; its transaction commits when the request succeeds, else rolls back."""
    with request.app.state.runtime.pool.connection() as conn:
        yield conn


def get_settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# scope="function": the transaction commits before the response is sent, so a client that acts on
# the response (a redirect, the next call) always sees its own write.
Conn = Annotated[psycopg.Connection, Depends(get_conn, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def authenticate(request: Request, conn: psycopg.Connection, settings: Settings) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return principal_from_token(conn, token=header[7:].strip())
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        return principal_from_session(conn, session_secret=secret, idle_minutes=settings.session_idle_minutes,
                                      max_hours=settings.session_max_hours)
    return None


async def raw_body(request: Request) -> bytes:
    """The request body (already bounded by the size limit, api.limits), read on the event loop so
    that the route itself can be a plain `def` whose parsing and database work run in a thread."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


async def _form_csrf(request: Request) -> str | None:
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def check_access(request: Request, conn: Conn, settings: SettingsDep) -> Principal | None:
    """The access table's database side: who is signed in and whether a role of theirs may call the
    route. A plain `def` (FastAPI runs it in a worker thread): a query that waits on a row lock must
    never hold up the event loop, or every other request (and /healthz) waits with it."""
    route = request.scope.get("route")
    key = (request.method, getattr(route, "path", request.url.path))
    if key in DOC_ROUTES:
        return None
    access = ACCESS.get(key)
    if access is None:
        raise Forbidden("this route is not in the access table")
    if access.roles is None:
        return None
    principal = authenticate(request, conn, settings)
    if principal is None:
        raise Unauthorized("sign in first (session cookie or Authorization: Bearer token)")
    if not any(r.role in access.roles for r in principal.user.roles):
        audit.record_event(conn, actor=principal.user.username, action="access.denied",
                           detail={"method": key[0], "route": key[1]})
        conn.commit()
        raise Forbidden("your role may not do this")
    return principal


async def enforce_access(request: Request, principal: Annotated[Principal | None, Depends(check_access)]) -> Principal | None:
    """Apply the access table: 401 without a session or token, 403 for a role that may not, 403
    for a session's unsafe request without its CSRF token. Only the form is awaited here; the
    database work is `check_access`'s, off the event loop."""
    if principal is not None and principal.via == "session" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or await _form_csrf(request)
        if not sent or sent != principal.csrf_token:
            raise Forbidden("missing or wrong CSRF token", field="csrf_token")
    request.state.principal = principal
    return principal


def enforce_public_access(request: Request) -> None:
    """The access table for routes that must work without the database (probes): they must be
    listed there as public, or they are refused like any unlisted route."""
    route = request.scope.get("route")
    access = ACCESS.get((request.method, getattr(route, "path", request.url.path)))
    if access is None or access.roles is not None:
        raise Forbidden("this route is not in the access table as a public route")


def client_address(request: Request, settings: Settings) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy (HANDOFF_TRUSTED_PROXIES),
    the nearest address in X-Forwarded-For that is not one of ours. Without trusted proxies the
    header is ignored (anyone can send it)."""
    import ipaddress

    peer = request.client.host if request.client else "unknown"
    nets = settings.trusted_proxy_networks
    if not nets:
        return peer

    def trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in n for n in nets)

    if not trusted(peer):
        return peer
    hops = [h.strip() for v in request.headers.getlist("x-forwarded-for") for h in v.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed hop: believe nothing beyond our own proxy
        if not trusted(hop):
            return hop
    return hops[0] if hops else peer


def current_principal(principal: Annotated[Principal | None, Depends(enforce_access)]) -> Principal:
    if principal is None:  # only on a misconfigured route: public routes do not ask for a principal
        raise Unauthorized("sign in first")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def is_local_request(request: Request) -> bool:
    return (request.url.hostname or "") in {"localhost", "127.0.0.1", "::1", "testserver"}


def set_session_cookie(response: Response, request: Request, secret: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=not is_local_request(request),
                        max_age=max_age, path="/")
