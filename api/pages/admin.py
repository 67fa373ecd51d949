"""The admin pages: the organization's service units (with billing profiles) and people (add, disable,
enable, reset a password, e-mail, grant and revoke roles), and the patient registry import. An admin
acts in the units they administer; every change is an audit event under their name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import ServiceError
from api.pages.common import PageRoute, committed, none_if_blank, render
from api.services import admin as service
from api.services.registry import MAX_BYTES, import_registry
from models.org import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
Username = Annotated[str, FastPath(pattern=r"^[a-z0-9_.@-]{2,80}$")]
UnitCode = Annotated[str, FastPath(pattern=r"^[a-z0-9_-]{2,40}$")]
ROLES = [r.value for r in Role]
MESSAGES = {
    "unit_added": "Service unit added with the default policy.",
    "billing_saved": "Billing profile saved.",
    "disabled": "Account disabled: the person is signed out everywhere and their API tokens are revoked.",
    "enabled": "Account enabled.",
    "granted": "Role granted.",
    "revoked": "Role taken away.",
    "email_saved": "E-mail saved.",
}


def _context(conn, principal, **extra):
    org = service.the_organization(conn)
    overview = service.units_overview(conn, admin=principal.user)
    units = [u for u, _ in overview]
    versions = {u.code: v for u, v in overview}
    return {"title": "Administration", "org": org, "units": units, "versions": versions,
            "people": service.people(conn, org_id=org.id), "roles": ROLES,
            "admin_message": MESSAGES.get(extra.pop("done", "") or ""), **extra}


@router.get("/admin")
def admin_page(request: Request, principal: CurrentPrincipal, conn: Conn, done: str | None = None) -> Response:
    return render(request, "admin.html", _context(conn, principal, done=done))


def _back(done: str) -> RedirectResponse:
    return RedirectResponse(f"/admin?done={done}", status_code=303)


def _error(request: Request, conn, principal, exc: ServiceError) -> Response:
    conn.rollback()
    return render(request, "admin.html", _context(conn, principal, error=exc.detail), status=exc.status)


@router.post("/admin/units")
def add_unit(request: Request, principal: CurrentPrincipal, conn: Conn, code: str = Form("", max_length=40),
             name: str = Form("", max_length=200), billing_profile: str = Form("", max_length=200_000)) -> Response:
    try:
        service.add_unit(conn, code=code.strip(), name=name.strip(), org_id=principal.user.org_id,
                         billing_profile=service.parse_billing_profile(billing_profile), actor=principal.user.username)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("unit_added"))


@router.post("/admin/units/{unit}/billing")
def set_billing(request: Request, unit: UnitCode, principal: CurrentPrincipal, conn: Conn,
                billing_profile: str = Form("", max_length=200_000)) -> Response:
    try:
        target = service.unit_by_code(conn, unit, admin=principal.user)
        service.set_billing_profile(conn, unit=target, billing_profile=service.parse_billing_profile(billing_profile),
                                    actor=principal.user.username)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("billing_saved"))


@router.post("/admin/users")
def add_user(request: Request, principal: CurrentPrincipal, conn: Conn, username: str = Form("", max_length=80),
             display_name: str = Form("", max_length=200), email: str = Form("", max_length=200),
             role: str = Form("", max_length=40), unit: str = Form("", max_length=40)) -> Response:
    try:
        new = service.add_user(conn, username=username.strip(), display_name=none_if_blank(display_name),
                               email=none_if_blank(email), grants=[(service.check_role(role), unit)],
                               actor=principal.user.username, admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    conn.commit()
    return render(request, "shown_once.html", {"title": "New account", "username": new.user.username,
                                                "password": new.password, "what": "added"})


@router.post("/admin/users/{username}/disable")
def disable(request: Request, username: Username, principal: CurrentPrincipal, conn: Conn) -> Response:
    try:
        service.disable_user(conn, username=username, actor=principal.user.username, admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("disabled"))


@router.post("/admin/users/{username}/enable")
def enable(request: Request, username: Username, principal: CurrentPrincipal, conn: Conn) -> Response:
    try:
        service.enable_user(conn, username=username, actor=principal.user.username, admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("enabled"))


@router.post("/admin/users/{username}/reset")
def reset(request: Request, username: Username, principal: CurrentPrincipal, conn: Conn) -> Response:
    try:
        new = service.reset_password(conn, username=username, actor=principal.user.username, admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    conn.commit()
    return render(request, "shown_once.html", {"title": "New password", "username": username,
                                                "password": new.password, "what": "given a new password"})


@router.post("/admin/users/{username}/email")
def email(request: Request, username: Username, principal: CurrentPrincipal, conn: Conn,
          email: str = Form("", max_length=200)) -> Response:
    try:
        service.set_email(conn, username=username, email=none_if_blank(email), actor=principal.user.username,
                          admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("email_saved"))


@router.post("/admin/users/{username}/grant")
def grant(request: Request, username: Username, principal: CurrentPrincipal, conn: Conn,
          role: str = Form("", max_length=40), unit: str = Form("", max_length=40)) -> Response:
    try:
        service.grant(conn, username=username, role=service.check_role(role), unit_code=unit,
                      actor=principal.user.username, admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("granted"))


@router.post("/admin/users/{username}/revoke")
def revoke(request: Request, username: Username, principal: CurrentPrincipal, conn: Conn,
           role: str = Form("", max_length=40), unit: str = Form("", max_length=40)) -> Response:
    try:
        service.revoke(conn, username=username, role=service.check_role(role), unit_code=unit,
                       actor=principal.user.username, admin=principal.user)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    return committed(conn, _back("revoked"))


@router.post("/admin/patients/import")
def registry_import(request: Request, principal: CurrentPrincipal, conn: Conn,
                    file: Annotated[UploadFile, File(description="CSV or FHIR JSON")]) -> Response:
    data = file.file.read(MAX_BYTES + 1)  # a plain def: no database work on the event loop
    try:
        report = import_registry(conn, org_id=principal.user.org_id, data=data, source="the uploaded file",
                                 actor=principal.user.username)
    except ServiceError as exc:
        return _error(request, conn, principal, exc)
    conn.commit()
    return render(request, "import_report.html", {"title": "Registry import", "report": report})
