"""Compliance over HTTP: logs, rates, QA error, chain status and exports (compliance and admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import ERROR_RESPONSES
from api.services import compliance as service
from models.compliance import ChainStatus, DecisionRow, OutputRow, Page, QaRow, RateRow

router = APIRouter(prefix="/api/v1/compliance", tags=["compliance"], responses=ERROR_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=service.MAX_PAGE)]
Name = Annotated[str | None, Query(min_length=1, max_length=80)]
Group = Annotated[str | None, Query(max_length=80, description="attribute=value, e.g. language=es")]


@router.get("/outputs", response_model=Page[OutputRow])
def outputs(principal: CurrentPrincipal, conn: Conn, agent: Name = None, model_version: Name = None,
            label: Name = None, route: Literal["auto", "review"] | None = None, group: Group = None,
            since: datetime | None = None, until: datetime | None = None,
            before_seq: Annotated[int | None, Query(ge=1)] = None, limit: Limit = 50) -> Page[OutputRow]:
    return service.outputs(conn, user=principal.user, agent=agent, model_version=model_version, label=label,
                           route=route, group=group, since=since, until=until, before_seq=before_seq, limit=limit)


@router.get("/decisions", response_model=Page[DecisionRow])
def decisions(principal: CurrentPrincipal, conn: Conn, agent: Name = None, model_version: Name = None,
              label: Name = None, reviewer: Name = None, action: Literal["accept", "override", "reject"] | None = None,
              group: Group = None, since: datetime | None = None, until: datetime | None = None,
              before_seq: Annotated[int | None, Query(ge=1)] = None, limit: Limit = 50) -> Page[DecisionRow]:
    return service.decisions(conn, user=principal.user, agent=agent, model_version=model_version, label=label,
                             reviewer=reviewer, action=action, group=group, since=since, until=until,
                             before_seq=before_seq, limit=limit)


@router.get("/rates", response_model=list[RateRow])
def rates(principal: CurrentPrincipal, conn: Conn,
          by: Annotated[str, Query(max_length=40, description="agent, model_version, label, unit or group:<attribute>")] = "agent",
          since: datetime | None = None, until: datetime | None = None) -> list[RateRow]:
    return service.rates(conn, user=principal.user, by=by, since=since, until=until)


@router.get("/qa", response_model=list[QaRow])
def qa(principal: CurrentPrincipal, conn: Conn, since: datetime | None = None) -> list[QaRow]:
    return service.qa_error(conn, user=principal.user, since=since)


@router.get("/audit-chain", response_model=ChainStatus)
def audit_chain(principal: CurrentPrincipal, conn: Conn) -> ChainStatus:
    return service.chain_status(conn)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(principal: CurrentPrincipal, conn: Conn, since: datetime | None = None,
               until: datetime | None = None) -> Response:
    return Response(service.export_csv(conn, user=principal.user, since=since, until=until), media_type="text/csv",
                    headers={"Content-Disposition": "attachment; filename=handoff-outputs.csv"})


@router.get("/export.fhir", responses={200: {"content": {"application/fhir+json": {}}}})
def export_fhir(principal: CurrentPrincipal, conn: Conn, since: datetime | None = None,
                until: datetime | None = None) -> Response:
    import json

    bundle = service.export_fhir(conn, user=principal.user, since=since, until=until)
    return Response(json.dumps(bundle), media_type="application/fhir+json")
