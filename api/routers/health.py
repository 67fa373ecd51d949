"""Liveness and readiness: is the database reachable and the audit chain head known."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from store import audit

router = APIRouter()


class Health(BaseModel):
    status: str
    database: str
    audit_head_seq: int | None = None


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz(request: Request, response: Response) -> Health:
    rt = request.app.state.runtime
    try:
        with rt.pool.connection(timeout=5) as conn:
            head = audit.current_anchor(conn)
        return Health(status="ok", database="ok", audit_head_seq=head.seq)
    except Exception:
        response.status_code = 503
        return Health(status="degraded", database="unreachable")
