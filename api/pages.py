"""Server-rendered pages for the people who work the queues and audit them: sign-in, queues, an item,
compliance logs and the operations dashboard. Thin routes over the same service functions as the API,
under the same access table, with a CSRF token in every form; errors render as readable pages."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from uuid import UUID

import psycopg
from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as FastPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.access import AUDITORS, WORKERS, roles_for_queue
from api.deps import SESSION_COOKIE, Conn, CurrentPrincipal, authenticate
from api.errors import BadInput, Forbidden, ServiceError, Unauthorized
from api.routers.auth import set_session_cookie
from api.services import auth as auth_service
from api.services import compliance as compliance_service
from api.services import review as review_service
from models.governance import DecisionAction
from models.org import Role, User
from models.review import REASON_CODES, DecisionIn, ReviewItemView

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
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

def _error_page(request: Request, *, status: int, title: str, message: str) -> HTMLResponse:
    return _render(request, "error.html", {"title": title, "error_message": message, "message": None}, status=status)


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
                response = _error_page(request, status=500, title="Something went wrong",
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
        return _error_page(request, status=exc.status, title=_STATUS_TITLES.get(exc.status, "Error"),
                           message=exc.detail)
    if isinstance(exc, psycopg.errors.DataError):
        return _error_page(request, status=422, title="That request is not valid",
                           message="A value you sent cannot be stored (for example a NUL character or a number "
                                   "out of range).")
    return _error_page(request, status=422, title="That request is not valid",
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
    return _error_page(request, status=401, title="Please sign in",
                       message="Your session has ended or you are not signed in. Sign in, then try again.")


router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


# --- rendering helpers ------------------------------------------------------------------------------

def _render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    base = {"me": _me(principal.user) if principal else None,
            "csrf_token": principal.csrf_token if principal else None,
            "message": MESSAGES.get(request.query_params.get("msg", ""))}
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status)


def _me(user: User) -> dict[str, Any]:
    roles = {r.role for r in user.roles}
    return {
        "name": user.display_name, "username": user.username,
        "roles": sorted({(r.role.value, r.unit_code) for r in user.roles}),
        "works_queues": bool(roles & WORKERS), "audits": bool(roles & AUDITORS),
        "manages": Role.practice_manager in roles,
    }


def _age(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    m = int(minutes)
    if m < 60:
        return f"{m} min"
    if m < 48 * 60:
        return f"{m // 60} h {m % 60} min"
    return f"{m // (24 * 60)} days"


def _when(dt: datetime | None) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if dt else "—"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _group_values(group: dict[str, Any]) -> str:
    return " · ".join(str(group[k]) for k in ("sex", "age_band", "language", "payer", "race_ethnicity") if group.get(k))


templates.env.filters.update(age=_age, when=_when, pct=_pct, group_values=_group_values)
templates.env.globals.update(MESSAGES=MESSAGES)


def bar_chart(rows: list[tuple[str, float, str]], *, title: str, max_value: float | None = None,
              color: str = "#1d5fa8") -> Markup:
    """Horizontal bars as inline SVG drawn on the server: (label, value, value shown as text) per row."""
    # Sized to sit unscaled in half of a 1280-pixel-wide page, so the 14px text stays 14px.
    label_w, bar_w, row_h, text_w = 200, 260, 26, 110
    top = max_value if max_value else max((v for _, v, _ in rows), default=0) or 1
    height = row_h * max(len(rows), 1) + 8
    width = label_w + bar_w + text_w
    parts = [f'<svg class="chart" role="img" aria-labelledby="{_svg_id(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{_svg_id(title)}">{escape(title)}</title>']
    if not rows:
        parts.append(f'<text x="0" y="18" font-size="14" fill="#333">No data yet</text>')
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * row_h
        w = 0 if top <= 0 else max(0.0, min(1.0, value / top)) * bar_w
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="14" text-anchor="end" fill="#1b1b1b">'
                     f'{escape(label if len(label) <= 26 else label[:25] + "…")}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="18" fill="#eef1f5"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="18" fill="{color}"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 17}" font-size="14" fill="#1b1b1b">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _svg_id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]


def highlight(text: str, evidence: list[dict]) -> list[tuple[str, bool]]:
    """Split `text` into (segment, highlighted) parts: evidence spans by offsets when they fit the text,
    else by the span's quoted text found in it."""
    marks: list[tuple[int, int]] = []
    for ev in evidence:
        start, end, quoted = ev.get("start"), ev.get("end"), ev.get("text")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and (
                not quoted or text[start:end] == quoted):
            marks.append((start, end))
        elif quoted and quoted in text:
            at = text.index(quoted)
            marks.append((at, at + len(quoted)))
    merged: list[list[int]] = []
    for s, e in sorted(marks):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _none_if_blank(v: str | None) -> str | None:
    return v.strip() if v and v.strip() else None


def _parse_time(name: str, v: str | None) -> datetime | None:
    v = _none_if_blank(v)
    if v is None:
        return None
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise BadInput(f"{name}: use a date like 2026-11-22 or a time like 2026-11-22T08:00", field=name) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _parse_int(name: str, v: str | None, *, low: int, high: int) -> int | None:
    v = _none_if_blank(v)
    if v is None:
        return None
    if not v.isdigit() or not low <= int(v) <= high:
        raise BadInput(f"{name}: a whole number from {low} to {high}", field=name)
    return int(v)


def _committed(conn: psycopg.Connection, response: Response) -> Response:
    """Commit before answering: the connection dependency commits only after the response is sent, and a
    browser follows a redirect at once, so the next page must already see what this request wrote."""
    conn.commit()
    return response


# --- sign-in and home -------------------------------------------------------------------------------

def _safe_next(target: str | None) -> str:
    # Only a path on this site: never another host (an open redirect), never the sign-in page itself.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or target.startswith("/login"):
        return "/"
    return target


def _login_page(request: Request, *, status: int = 200, error: str | None = None, username: str = "",
                next_: str = "/") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _render(request, "login.html", {"login_token": token, "error": error, "username": username,
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
                                   client=request.client.host if request.client else "unknown",
                                   previous_session=request.cookies.get(SESSION_COOKIE))
    except ServiceError as exc:
        conn.rollback()
        return _login_page(request, status=exc.status, username=username, next_=next, error=exc.detail)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, new.session_secret, settings.session_idle_minutes * 60 * 16)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return _committed(conn, response)


@router.post("/logout")
def logout(principal: CurrentPrincipal, conn: Conn) -> Response:
    auth_service.sign_out(conn, principal=principal)
    response = RedirectResponse("/login?msg=signed_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return _committed(conn, response)


@router.get("/")
def home(request: Request, principal: CurrentPrincipal) -> Response:
    me = _me(principal.user)
    if me["manages"]:
        return RedirectResponse("/dashboard", status_code=303)
    if me["works_queues"]:
        return RedirectResponse("/queues", status_code=303)
    if me["audits"]:
        return RedirectResponse("/compliance", status_code=303)
    return _render(request, "home.html", {"title": "Handoff"})


# --- queues and items --------------------------------------------------------------------------------

QueueName = Annotated[str, FastPath(pattern=r"^[a-z_]{2,40}$", description="a queue, e.g. nursing")]


def _back_to_queue(queue: str, msg: str) -> RedirectResponse:
    ok = 2 <= len(queue) <= 40 and all(c.islower() or c == "_" for c in queue)
    return RedirectResponse(f"/queues/{queue}?msg={msg}" if ok else f"/queues?msg={msg}", status_code=303)


def _works_queue(user: User, queue: str) -> bool:
    return any(r.role in roles_for_queue(queue) for r in user.roles)


@router.get("/queues")
def queues(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    rows = review_service.list_queues(conn, user=principal.user)
    return _render(request, "queues.html", {"title": "Queues", "queues": rows})


@router.get("/queues/{queue}")
def queue_page(request: Request, queue: QueueName, principal: CurrentPrincipal, conn: Conn) -> Response:
    if not _works_queue(principal.user, queue):
        raise Forbidden(f"Your role does not work the {queue} queue.", field="queue")
    rows = [q for q in review_service.list_queues(conn, user=principal.user) if q.queue == queue]
    return _render(request, "queue.html", {"title": f"Queue: {queue}", "queue": queue, "rows": rows})


@router.post("/queues/{queue}/next")
def take_next(queue: QueueName, principal: CurrentPrincipal, conn: Conn,
              give_back: str = Form("", max_length=40)) -> Response:
    # Claim first, then give back the item being skipped, so the skipped item is not handed out again.
    item = review_service.claim_next(conn, user=principal.user, queue=queue)
    skipped = _none_if_blank(give_back)
    released = False
    if skipped:
        try:
            review_service.release(conn, user=principal.user, item_id=UUID(skipped))
            released = True
        except (ValueError, ServiceError):
            pass  # already decided, expired or not ours: nothing to give back
    if item is None:
        return _committed(conn, _back_to_queue(queue, "released" if released else "empty"))
    return _committed(conn, RedirectResponse(f"/items/{item.id}", status_code=303))


def _item_context(item: ReviewItemView, user: User) -> dict[str, Any]:
    value = item.value or {}
    evidence = [e.model_dump() for e in item.evidence or []]
    source_text = item.source_text or next(
        (value[k] for k in ("source_text", "text") if isinstance(value.get(k), str)), None)
    scalars = {k: v for k, v in value.items() if isinstance(v, SCALAR) and k not in ("source_text", "text")}
    # The intake agent nests what it extracted under "fields"; those are what a reviewer corrects most.
    nested = value.get("fields") if isinstance(value.get("fields"), dict) else {}
    held = item.status.value == "in-progress" and item.holder == user.username
    return {
        "title": f"Review: {item.label or item.kind}",
        "item": item,
        "value": value,
        "summary": value.get("summary") if isinstance(value.get("summary"), str) else None,
        "fields": {k: v for k, v in value.items() if k not in ("summary", "source_text", "text")
                   and not (k == "fields" and nested)},
        "extracted": nested,
        "scalars": scalars,
        "nested_scalars": {k: v for k, v in nested.items() if isinstance(v, SCALAR)},
        "source_segments": highlight(source_text, evidence) if source_text else None,
        "evidence": evidence,
        "held_by_me": held,
        "similar": item.similar_cases,
        "reason_codes": {a.value: codes for a, codes in REASON_CODES.items()},
        "original_value": json.dumps(value, default=str),
        "json": lambda v: json.dumps(v, default=str, ensure_ascii=False),
    }


@router.get("/items/{item_id}")
def item_page(request: Request, item_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    item = review_service.read_item(conn, user=principal.user, item_id=item_id)
    return _render(request, "item.html", _item_context(item, principal.user))


def _typed(original: Any, raw: str, *, field: str) -> Any:
    """A form's text back in the type the field had, so an override keeps the value's shape."""
    raw = raw.strip()
    if isinstance(original, bool):
        if raw not in ("true", "false"):
            raise BadInput(f"{field}: choose true or false", field=field)
        return raw == "true"
    if isinstance(original, int):
        try:
            return int(raw)
        except ValueError:
            raise BadInput(f"{field}: a whole number", field=field) from None
    if isinstance(original, float):
        try:
            return float(raw)
        except ValueError:
            raise BadInput(f"{field}: a number", field=field) from None
    if original is None and raw == "":
        return None
    return raw


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _override_value(form: FormData) -> dict[str, Any]:
    """The corrected value: the item's value with the reviewer's edits to its top-level scalar fields."""
    try:
        original = json.loads(str(form.get("original_value") or "{}"))
    except ValueError:
        raise BadInput("the form lost the item's value; open the item again", field="original_value") from None
    if not isinstance(original, dict):
        raise BadInput("the form lost the item's value; open the item again", field="original_value")
    new = dict(original)
    for key, old in original.items():
        sent = form.get(f"v__{key}")
        if isinstance(sent, str) and isinstance(old, SCALAR):
            new[key] = _typed(old, sent, field=key)
    if isinstance(original.get("fields"), dict):
        nested = dict(original["fields"])
        for key, old in original["fields"].items():
            sent = form.get(f"f__{key}")
            if isinstance(sent, str) and isinstance(old, SCALAR):
                nested[key] = _typed(old, sent, field=f"fields.{key}")
        new["fields"] = nested
    return new


@router.post("/items/{item_id}/decision")
def decide(request: Request, item_id: UUID, principal: CurrentPrincipal, conn: Conn, form: FormDep) -> Response:
    action = str(form.get("action") or "")
    try:
        new_value = _override_value(form) if action == DecisionAction.override.value else None
        decision = DecisionIn(action=action, reason_code=str(form.get("reason_code") or ""),
                              note=_none_if_blank(str(form.get("note") or "")), new_value=new_value,
                              item_version=int(str(form.get("item_version") or "0")))
    except BadInput as exc:
        return _item_with_error(request, conn, principal.user, item_id, 422, exc.detail)
    except ValidationError as exc:
        msgs = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
        return _item_with_error(request, conn, principal.user, item_id, 422, "; ".join(msgs))
    except ValueError:
        return _item_with_error(request, conn, principal.user, item_id, 422,
                                "the form lost the item's version; open the item again")
    try:
        out = review_service.decide(conn, user=principal.user, item_id=item_id, decision=decision)
    except ServiceError as exc:
        conn.rollback()
        if exc.status == 404:
            raise
        return _item_with_error(request, conn, principal.user, item_id, exc.status, exc.detail)
    msg = "escalated" if out.escalated else ("decided" if out.final else "second_review")
    return _committed(conn, _back_to_queue(str(form.get("queue") or ""), msg))


def _item_with_error(request: Request, conn, user: User, item_id: UUID, status: int, error: str) -> Response:
    item = review_service.read_item(conn, user=user, item_id=item_id)
    return _render(request, "item.html", {**_item_context(item, user), "error": error}, status=status)


@router.post("/items/{item_id}/release")
def release(item_id: UUID, principal: CurrentPrincipal, conn: Conn, queue: str = Form("", max_length=40)) -> Response:
    review_service.release(conn, user=principal.user, item_id=item_id)
    return _committed(conn, _back_to_queue(queue, "released"))


# --- compliance -------------------------------------------------------------------------------------

def _query_without(request: Request, *drop: str, **extra: Any) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in drop and v}
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


@router.get("/compliance")
def compliance_home(request: Request, principal: CurrentPrincipal, conn: Conn, by: str = "agent") -> Response:
    if by not in RATE_DIMENSIONS:
        raise BadInput(f"by: choose one of {', '.join(RATE_DIMENSIONS)}", field="by")
    user = principal.user
    rates = compliance_service.rates(conn, user=user, by=by)
    chain = compliance_service.chain_status(conn)
    qa = compliance_service.qa_error(conn, user=user)
    override_chart = bar_chart([(r.group or "unknown", r.override_rate or 0.0,
                                 f"{_pct(r.override_rate)} of {r.decided}") for r in rates],
                               title=f"Override rate by {by}", max_value=1.0, color="#b4441a")
    auto_chart = bar_chart([(r.group or "unknown", r.auto_rate or 0.0, f"{_pct(r.auto_rate)} of {r.n}") for r in rates],
                           title=f"Auto rate by {by}", max_value=1.0)
    return _render(request, "compliance.html", {
        "title": "Compliance", "by": by, "dimensions": RATE_DIMENSIONS, "rates": rates, "chain": chain, "qa": qa,
        "override_chart": override_chart, "auto_chart": auto_chart})


def _log_filters(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    q = request.query_params
    f: dict[str, Any] = {n: _none_if_blank(q.get(n)) for n in names}
    for n in names:
        if f[n] and len(f[n]) > 80:
            raise BadInput(f"{n}: at most 80 characters", field=n)
    f["since"] = _parse_time("since", q.get("since"))
    f["until"] = _parse_time("until", q.get("until"))
    f["before_seq"] = _parse_int("before_seq", q.get("before_seq"), low=1, high=2**62)
    f["limit"] = _parse_int("limit", q.get("limit"), low=1, high=compliance_service.MAX_PAGE) or 50
    return f


@router.get("/compliance/outputs")
def outputs_log(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    f = _log_filters(request, ("agent", "model_version", "label", "route", "group"))
    if f["route"] not in (None, "auto", "review"):
        raise BadInput("route: auto or review", field="route")
    page = compliance_service.outputs(conn, user=principal.user, **f)
    return _render(request, "outputs.html", {
        "title": "AI output log", "page": page, "f": request.query_params,
        "older": _query_without(request, "before_seq", before_seq=page.next_before_seq) if page.next_before_seq else None,
        "newest": _query_without(request, "before_seq") if f["before_seq"] else None})


@router.get("/compliance/decisions")
def decisions_log(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    f = _log_filters(request, ("agent", "model_version", "label", "reviewer", "action", "group"))
    if f["action"] not in (None, "accept", "override", "reject"):
        raise BadInput("action: accept, override or reject", field="action")
    page = compliance_service.decisions(conn, user=principal.user, **f)
    changes = {row.id: _changes(row.suggested_value, row.new_value) for row in page.items}
    return _render(request, "decisions.html", {
        "title": "Decision and override log", "page": page, "f": request.query_params, "changes": changes,
        "older": _query_without(request, "before_seq", before_seq=page.next_before_seq) if page.next_before_seq else None,
        "newest": _query_without(request, "before_seq") if f["before_seq"] else None})


def _changes(before: dict[str, Any], after: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    if not after:
        return []
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    show = lambda v: "—" if v is None else (v if isinstance(v, str) else json.dumps(v, default=str))  # noqa: E731
    return [(k, show(before.get(k)), show(after.get(k))) for k in keys]


# --- operations dashboard --------------------------------------------------------------------------

@router.get("/dashboard")
def dashboard(request: Request, principal: CurrentPrincipal, conn: Conn, days: str = "30",
              day: str | None = None) -> Response:
    from api.services import operations

    if days not in ("1", "7", "30", "all"):
        raise BadInput("days: 1, 7, 30 or all", field="days")
    try:
        outlook_day = date.fromisoformat(day) if day else date.today() + timedelta(days=1)
    except ValueError:
        raise BadInput("day: use YYYY-MM-DD", field="day") from None
    since = None if days == "all" else datetime.now(timezone.utc) - timedelta(days=int(days))
    queues = review_service.list_queues(conn, user=principal.user)
    rates = operations.unit_rates(conn, user=principal.user, since=since)
    outlook = operations.noshow_outlook(conn, user=principal.user, day=outlook_day)
    risk_chart = bar_chart([(o.unit_code, float(o.high_risk + o.elevated_risk),
                             f"{o.high_risk + o.elevated_risk} of {o.appointments} flagged") for o in outlook],
                           title="Appointments flagged at risk of no-show",
                           max_value=max([o.appointments for o in outlook] or [1]))
    label = lambda q: f"{q.unit_code} · {q.queue}"  # noqa: E731
    # At least an hour wide, so a few minutes' wait does not look like a full bar.
    ageing = bar_chart([(label(q), q.oldest_age_minutes or 0.0, _age(q.oldest_age_minutes)) for q in queues],
                       title="Oldest open item by queue",
                       max_value=max([60.0] + [q.oldest_age_minutes or 0.0 for q in queues]))
    breaches = bar_chart([(label(q), float(q.sla_breaches), f"{q.sla_breaches} of {q.ready + q.in_progress}")
                          for q in queues], title="SLA breaches by queue", color="#b4441a",
                         max_value=max([q.ready + q.in_progress for q in queues] or [1]))
    auto = bar_chart([(r.group or "unknown", r.auto_rate or 0.0, f"{_pct(r.auto_rate)} of {r.n}") for r in rates],
                     title="Auto rate by unit", max_value=1.0)
    override = bar_chart([(r.group or "unknown", r.override_rate or 0.0, f"{_pct(r.override_rate)} of {r.decided}")
                          for r in rates], title="Override rate by unit", max_value=1.0, color="#b4441a")
    return _render(request, "dashboard.html", {
        "title": "Operations", "queues": queues, "rates": rates, "days": days,
        "ageing_chart": ageing, "breach_chart": breaches, "auto_chart": auto, "override_chart": override,
        "outlook": outlook, "outlook_day": outlook_day, "risk_chart": risk_chart})
