"""The review queue over HTTP: thin routes over api.services.review."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Path, Response

from api.deps import Conn, CurrentPrincipal
from api.errors import ERROR_RESPONSES, ErrorBody
from api.services import review as review_service
from models.governance import ReviewStatus
from models.review import REASON_CODES, DecisionIn, DecisionOut, QueueSummary, ReassignIn, ReviewItemView

router = APIRouter(prefix="/api/v1/review", tags=["review"], responses=ERROR_RESPONSES)
CONFLICT = {409: {"model": ErrorBody, "description": "You no longer hold the item, its lease expired, or it changed."}}
QueueName = Path(pattern=r"^[a-z_]{2,40}$", description="front_desk, referrals, nursing, billing, scheduling, escalations")


@router.get("/queues", response_model=list[QueueSummary])
def list_queues(principal: CurrentPrincipal, conn: Conn) -> list[QueueSummary]:
    return review_service.list_queues(conn, user=principal.user)


@router.post("/queues/{queue}/claim", response_model=ReviewItemView, responses={204: {"description": "The queue is empty."}})
def claim_next(principal: CurrentPrincipal, conn: Conn, queue: str = QueueName):
    item = review_service.claim_next(conn, user=principal.user, queue=queue)
    return item if item is not None else Response(status_code=204)


@router.get("/items/{item_id}", response_model=ReviewItemView)
def read_item(item_id: UUID, principal: CurrentPrincipal, conn: Conn) -> ReviewItemView:
    return review_service.read_item(conn, user=principal.user, item_id=item_id)


@router.post("/items/{item_id}/decision", response_model=DecisionOut, responses=CONFLICT)
def decide(item_id: UUID, body: DecisionIn, principal: CurrentPrincipal, conn: Conn) -> DecisionOut:
    return review_service.decide(conn, user=principal.user, item_id=item_id, decision=body)


@router.post("/items/{item_id}/release", response_model=ReviewStatus, responses=CONFLICT)
def release(item_id: UUID, principal: CurrentPrincipal, conn: Conn) -> ReviewStatus:
    return review_service.release(conn, user=principal.user, item_id=item_id)


@router.post("/items/{item_id}/reassign", response_model=ReviewStatus, responses=CONFLICT)
def reassign(item_id: UUID, body: ReassignIn, principal: CurrentPrincipal, conn: Conn) -> ReviewStatus:
    return review_service.reassign(conn, user=principal.user, item_id=item_id, queue=body.queue, note=body.note)


@router.get("/reason-codes", response_model=dict[str, list[str]])
def reason_codes(principal: CurrentPrincipal) -> dict[str, list[str]]:
    return {a.value: list(codes) for a, codes in REASON_CODES.items()}
