"""A unit's routing and field policy over HTTP: read it and its history (admins, practice managers and
compliance of the unit), change it (admins and practice managers; a new version, logged)."""

from __future__ import annotations

from fastapi import APIRouter, Path

from api.deps import Conn, CurrentPrincipal
from api.errors import ERROR_RESPONSES, ErrorBody
from api.services import policy as service

router = APIRouter(prefix="/api/v1/units", tags=["policy"], responses=ERROR_RESPONSES)
UnitCode = Path(pattern=r"^[a-z0-9_-]{2,40}$", description="Service unit code.")


@router.get("/{unit}/policy", response_model=service.PolicyOut)
def read_policy(principal: CurrentPrincipal, conn: Conn, unit: str = UnitCode) -> service.PolicyOut:
    return service.current(conn, user=principal.user, unit_code=unit)


@router.get("/{unit}/policy/history", response_model=list[service.VersionOut])
def policy_history(principal: CurrentPrincipal, conn: Conn, unit: str = UnitCode) -> list[service.VersionOut]:
    return service.history(conn, user=principal.user, unit_code=unit)


@router.put("/{unit}/policy", response_model=service.PolicyOut,
            responses={409: {"model": ErrorBody, "description": "The policy changed since the version you edited."}})
def change_policy(body: service.PolicyChangeIn, principal: CurrentPrincipal, conn: Conn,
                  unit: str = UnitCode) -> service.PolicyOut:
    return service.change(conn, user=principal.user, unit_code=unit, body=body)
