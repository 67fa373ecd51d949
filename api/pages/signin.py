"""Sign-in, sign-out and the home page that sends each role to its first page."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SESSION_COOKIE, Conn, CurrentPrincipal, authenticate, client_address, set_session_cookie
from api.errors import ServiceError
from api.pages.common import LOGIN_CSRF_COOKIE, PageRoute, committed, describe_user, render
from api.services import auth as auth_service
from api.services.admin import has_organization

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never another host (an open redirect), never the sign-in page itself.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or target.startswith("/login"):
        return "/"
    return target


def _login_page(request: Request, *, status: int = 200, error: str | None = None, username: str = "",
                next_: str = "/") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_token": token, "error": error, "username": username,
                                               "next": _safe_next(next_)}, status=status)
    # Double-submit token: the form must come from a page this site served (login CSRF).
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=request.url.hostname not in {"localhost", "127.0.0.1", "::1", "testserver"})
    return response


@router.get("/login")
def login_form(request: Request, conn: Conn, next: str = "/") -> Response:
    settings = request.app.state.runtime.settings
    if authenticate(request, conn, settings) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    if not has_organization(conn):
        return _login_page(request, next_=next, error="This Handoff has no organization yet: on the server, run "
                                                        "`handoff init` (or `handoff demo` for a demo clinic).")
    return _login_page(request, next_=next)


@router.post("/login")
def login_submit(request: Request, conn: Conn, username: str = Form("", max_length=80),
                 password: str = Form("", max_length=200), csrf_token: str = Form("", max_length=100),
                 next: str = Form("/", max_length=500)) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not csrf_token or not expected or not secrets.compare_digest(csrf_token, expected):
        return _login_page(request, status=400, username=username, next_=next,
                           error="The sign-in form had expired. Please enter your details again.")
    if not username or not password:
        return _login_page(request, status=422, username=username, next_=next,
                           error="Enter your username and your password.")
    settings = request.app.state.runtime.settings
    try:
        new = auth_service.sign_in(conn, username=username, password=password,
                                   client=client_address(request, settings),
                                   previous_session=request.cookies.get(SESSION_COOKIE))
    except ServiceError as exc:
        conn.rollback()
        return _login_page(request, status=exc.status, username=username, next_=next, error=exc.detail)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, new.session_secret, settings.session_idle_minutes * 60 * 16)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return committed(conn, response)


@router.post("/logout")
def logout(principal: CurrentPrincipal, conn: Conn) -> Response:
    auth_service.sign_out(conn, principal=principal)
    response = RedirectResponse("/login?msg=signed_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return committed(conn, response)


@router.get("/")
def home(request: Request, principal: CurrentPrincipal) -> Response:
    me = describe_user(principal.user)
    if me["manages"]:
        return RedirectResponse("/dashboard", status_code=303)
    if me["works_queues"]:
        return RedirectResponse("/queues", status_code=303)
    if me["administers"]:
        return RedirectResponse("/admin", status_code=303)
    if me["audits"]:
        return RedirectResponse("/compliance", status_code=303)
    return render(request, "home.html", {"title": "Handoff"})
