"""Accepting inbound faxes, portal messages and referrals: check limits, store the bytes
(content-addressed) and queue processing in the same transaction. A file that is corrupt is still
accepted and kept: the agent marks it degraded and sends it to a person."""

from __future__ import annotations

import json

import psycopg
from pydantic import BaseModel

from agents import jobs
from agents.runtime import Runtime
from api.errors import BadInput, NotFound, ServiceError
from models.documents import DocumentLimits
from models.inbound import Channel
from models.org import Role, User
from store import inbound as inbound_store
from store import org as org_store

INGEST_ROLES = frozenset({Role.front_desk, Role.referral_coordinator, Role.nurse, Role.biller, Role.practice_manager})
LIMITS = DocumentLimits()
MAX_JSON_BYTES = 1_000_000


class PayloadTooLarge(ServiceError):
    status = 413


class AcceptedOut(BaseModel):
    item_id: str
    created: bool
    channel: Channel
    sha256: str
    note: str | None = None


def _unit_for(conn: psycopg.Connection, user: User | None, unit_code: str):
    try:
        unit = org_store.get_unit_by_code(conn, code=unit_code)
    except org_store.UnknownUnit:
        raise NotFound(f"no service unit {unit_code!r}", field="unit") from None
    if user is not None and not user.has_role(unit.id, *INGEST_ROLES):
        raise NotFound(f"no service unit {unit_code!r}", field="unit")
    return unit


def check_fax(data: bytes) -> tuple[str, str | None]:
    """The media type and, for a file we cannot parse, a note (it is still accepted)."""
    from tools.intake.ocr import DocumentRejected, OcrError, count_pages, detect_kind

    if not data:
        raise BadInput("file: the file is empty (0 bytes)", field="file")
    if len(data) > LIMITS.max_bytes:
        raise PayloadTooLarge(f"file: {len(data):,} bytes; the limit is {LIMITS.max_bytes:,} bytes", field="file")
    try:
        kind = detect_kind(data)
        pages = count_pages(data, kind, max_page_pixels=LIMITS.max_page_pixels)
    except DocumentRejected as exc:
        raise PayloadTooLarge(f"file: {exc}", field="file") from None
    except OcrError:
        return "application/octet-stream", "the file could not be read; it is kept and sent to review"
    if pages > LIMITS.max_pages:
        raise PayloadTooLarge(f"file: {pages} pages; the limit is {LIMITS.max_pages} pages", field="file")
    media = {"pdf": "application/pdf", "tiff": "image/tiff", "png": "image/png", "jpeg": "image/jpeg"}[kind]
    return media, None


def check_json(data: bytes, channel: Channel) -> None:
    from tools.intake.inbound_parse import InboundFormatError, message_text, referral_text

    if len(data) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"body: {len(data):,} bytes; the limit is {MAX_JSON_BYTES:,} bytes")
    try:
        message_text(data) if channel == "message" else referral_text(data)
    except InboundFormatError as exc:
        raise BadInput(str(exc), field=str(exc).split(":", 1)[0]) from None


def accept(conn: psycopg.Connection, runtime: Runtime, *, user: User | None, actor: str, unit_code: str,
           channel: Channel, data: bytes, filename: str | None = None) -> AcceptedOut:
    unit = _unit_for(conn, user, unit_code)
    note = None
    if channel == "fax":
        media_type, note = check_fax(data)
    elif channel == "claim":
        media_type = check_claims(data)
    else:
        check_json(data, channel)
        media_type = "application/json"
    with conn.transaction():
        accepted = inbound_store.accept_inbound(conn, blobs=runtime.blobs, unit_id=unit.id,
                                                channel=channel, data=data, media_type=media_type,
                                                filename=filename, received_by=actor)
        if accepted.created:
            jobs.enqueue_inbound(conn, item_id=accepted.item.id)
    return AcceptedOut(item_id=str(accepted.item.id), created=accepted.created, channel=channel,
                       sha256=accepted.item.sha256, note=note if accepted.created else "already received")


def message_bytes(payload: dict) -> bytes:
    """Canonical bytes of a JSON message, so the same message sent twice is the same item."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_claims(data: bytes) -> str:
    """Claims are checked for form before they are accepted: a bad file names the field or segment."""
    from tools.claims.claim_input import ClaimInputError, is_x12, read_claims

    if len(data) > LIMITS.max_bytes:
        raise PayloadTooLarge(f"body: {len(data):,} bytes; the limit is {LIMITS.max_bytes:,} bytes")
    try:
        read_claims(data)
    except ClaimInputError as exc:
        raise BadInput(str(exc), field=str(exc).split(":", 1)[0]) from None
    return "application/edi-x12" if is_x12(data) else "application/json"
