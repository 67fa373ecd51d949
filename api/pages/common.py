"""What every page shares: templates and their filters, the security headers, the page route class
that turns errors into readable pages, rendering, and small form parsers."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.access import AUDITORS, WORKERS
from api.errors import BadInput, ServiceError, Unauthorized
from models.org import Role, User

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parents[1]
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

LOGIN_CSRF_COOKIE = "handoff_login_csrf"
# Pages hold PHI: never cached, never framed, scripts and styles only from this origin.
PAGE_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# Short messages a redirect may ask a page to show, by code (never free text from the URL).
MESSAGES = {
    "signed_out": "You are signed out.",
    "decided": "Decision recorded. The item is closed.",
    "second_review": ("Decision recorded as the first of two independent reviews. The item went back to the queue "
                      "for a second reviewer, who will not see your decision."),
    "escalated": "The two reviewers disagreed, so the item went to a practice manager (escalations queue).",
    "released": "You gave the item back to the queue without deciding it.",
    "empty": "Nothing is waiting in this queue right now.",
}
GROUP_ATTRIBUTES = ("sex", "age_band", "race_ethnicity", "language", "payer")
RATE_DIMENSIONS = ("agent", "model_version", "label", "unit") + tuple(f"group:{a}" for a in GROUP_ATTRIBUTES)
SCALAR = (str, int, float, bool, type(None))


# --- errors as pages -------------------------------------------------------------------------------

def error_page(request: Request, *, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "error_message": message, "message": None}, status=status)


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


class PageRoute(APIRoute):
    """A page route. For a browser (Accept: text/html), the errors the access check, validation or a
    service raise become readable pages, and a signed-out browser is sent to sign in; never a stack
    trace. Other clients (scripts, the access-matrix test) get the API's JSON errors unchanged."""

    def get_route_handler(self):
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await inner(request)
            except (ServiceError, RequestValidationError, psycopg.errors.DataError) as exc:
                if not wants_html(request):
                    raise
                response = _page_for_error(request, exc)
            except Exception as exc:  # noqa: BLE001 - the page must stay readable; details go to the log
                log.error("page %s %s failed: %s", request.method, self.path, type(exc).__name__)
                response = error_page(request, status=500, title="Something went wrong",
                                       message="The page could not be shown. Anything the page confirmed was "
                                               "saved; try again, and tell your administrator if it repeats.")
            for k, v in PAGE_HEADERS.items():
                response.headers.setdefault(k, v)
            return response

        return handler


def _page_for_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Unauthorized):
        return _signed_out(request)
    if isinstance(exc, ServiceError):
        return error_page(request, status=exc.status, title=_STATUS_TITLES.get(exc.status, "Error"),
                           message=exc.detail)
    if isinstance(exc, psycopg.errors.DataError):
        return error_page(request, status=422, title="That request is not valid",
                           message="A value you sent cannot be stored (for example a NUL character or a number "
                                   "out of range).")
    return error_page(request, status=422, title="That request is not valid",
                       message=_validation_message(exc.errors()))


_STATUS_TITLES = {400: "That request is not valid", 403: "Not allowed", 404: "Not found",
                  409: "This item cannot be changed now", 422: "That request is not valid", 429: "Too many attempts"}


def _validation_message(errors: list[dict]) -> str:
    parts = []
    for e in errors:
        field = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form"))
        parts.append(f"{field or 'request'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is malformed"


def _signed_out(request: Request) -> Response:
    """A browser asking for a page goes to sign-in and comes back; a form posted after the session
    ended gets a page saying so."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method == "GET":
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return error_page(request, status=401, title="Please sign in",
                       message="Your session has ended or you are not signed in. Sign in, then try again.")


# --- rendering helpers ---------------------------------------------------------------------------

def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    base = {"me": describe_user(principal.user) if principal else None,
            "csrf_token": principal.csrf_token if principal else None,
            "message": MESSAGES.get(request.query_params.get("msg", ""))}
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status)


def describe_user(user: User) -> dict[str, Any]:
    roles = {r.role for r in user.roles}
    return {
        "name": user.display_name, "username": user.username,
        "roles": sorted({(r.role.value, r.unit_code) for r in user.roles}),
        "works_queues": bool(roles & WORKERS), "audits": bool(roles & AUDITORS),
        "manages": Role.practice_manager in roles,
        "referrals": bool(roles & {Role.referral_coordinator, Role.front_desk, Role.practice_manager}),
        "bills": bool(roles & {Role.biller, Role.practice_manager}),
        "does_outreach": bool(roles & {Role.front_desk, Role.practice_manager}),
        "reads_policy": bool(roles & {Role.admin, Role.practice_manager, Role.compliance}),
        "administers": Role.admin in roles,
    }


def age(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    m = int(minutes)
    if m < 60:
        return f"{m} min"
    if m < 48 * 60:
        return f"{m // 60} h {m % 60} min"
    return f"{m // (24 * 60)} days"


def when(dt: datetime | None) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if dt else "—"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _group_values(group: dict[str, Any]) -> str:
    return " · ".join(str(group[k]) for k in ("sex", "age_band", "language", "payer", "race_ethnicity") if group.get(k))


templates.env.filters.update(age=age, when=when, pct=pct, group_values=_group_values)
templates.env.globals.update(MESSAGES=MESSAGES)


def none_if_blank(v: str | None) -> str | None:
    return v.strip() if v and v.strip() else None


def parse_time(name: str, v: str | None) -> datetime | None:
    v = none_if_blank(v)
    if v is None:
        return None
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise BadInput(f"{name}: use a date like 2026-11-22 or a time like 2026-11-22T08:00", field=name) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def parse_int(name: str, v: str | None, *, low: int, high: int) -> int | None:
    v = none_if_blank(v)
    if v is None:
        return None
    if not v.isdigit() or not low <= int(v) <= high:
        raise BadInput(f"{name}: a whole number from {low} to {high}", field=name)
    return int(v)


def committed(conn: psycopg.Connection, response: Response) -> Response:
    """Commit before answering: the connection dependency commits only after the response is sent, and a
    browser follows a redirect at once, so the next page must already see what this request wrote."""
    conn.commit()
    return response
