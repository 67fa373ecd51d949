"""Sign-in and sign-out for the web (server-side sessions) and API tokens for scripts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SESSION_COOKIE, Conn, CurrentPrincipal, SettingsDep, client_address, set_session_cookie
from api.errors import ERROR_RESPONSES, NotFound
from api.services import auth as auth_service
from models.org import UnitRole

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=ERROR_RESPONSES)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    username: str
    display_name: str
    roles: list[UnitRole]
    csrf_token: str | None = None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    days: int | None = Field(None, ge=1, le=3650, description="Lifetime in days (default HANDOFF_TOKEN_DAYS).")


class TokenOut(BaseModel):
    id: UUID
    name: str
    token: str = Field(description="Shown once; only its hash is kept.")
    expires_at: datetime


@router.post("/login", response_model=Me)
def login(body: LoginIn, request: Request, response: Response, conn: Conn) -> Me:
    settings = request.app.state.runtime.settings
    new = auth_service.sign_in(conn, username=body.username, password=body.password,
                               client=client_address(request, settings),
                               previous_session=request.cookies.get(SESSION_COOKIE))
    set_session_cookie(response, request, new.session_secret, settings.session_idle_minutes * 60 * 16)
    return Me(username=new.user.username, display_name=new.user.display_name, roles=new.user.roles,
              csrf_token=new.csrf_token)


@router.post("/logout", status_code=204)
def logout(principal: CurrentPrincipal, response: Response, conn: Conn) -> Response:
    auth_service.sign_out(conn, principal=principal)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    u = principal.user
    return Me(username=u.username, display_name=u.display_name, roles=u.roles, csrf_token=principal.csrf_token)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, principal: CurrentPrincipal, conn: Conn, settings: SettingsDep) -> TokenOut:
    row, token = auth_service.create_token(conn, user=principal.user, name=body.name,
                                           days=body.days or settings.token_days)
    return TokenOut(id=row["id"], name=row["name"], token=token, expires_at=row["expires_at"])


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    if not auth_service.revoke_token(conn, user=principal.user, token_id=token_id):
        raise NotFound("no such token of yours", field="token_id")
    return Response(status_code=204)
