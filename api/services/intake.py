"""Accepting inbound faxes, portal messages and referrals: check limits, store the bytes
(content-addressed) and queue processing in the same transaction. A file that is corrupt is still
accepted and kept: the agent marks it degraded and sends it to a person."""

from __future__ import annotations

import json

import psycopg
from pydantic import BaseModel

from agents import jobs
from agents.runtime import Runtime
from api.access import INGEST_ROLES
from api.errors import BadInput, Forbidden, NotFound, ServiceError
from models.documents import DocumentLimits
from models.inbound import Channel
from models.org import User
from store import inbound as inbound_store
from store import org as org_store

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


def _unit_for(conn: psycopg.Connection, user: User | None, unit_code: str, channel: Channel):
    """The target unit, when the user holds a role there that may send this channel (a role held
    in another unit does not count). A unit the user has no role in is not named as existing."""
    try:
        unit = org_store.get_unit_by_code(conn, code=unit_code)
    except org_store.UnknownUnit:
        raise NotFound(f"no service unit {unit_code!r}", field="unit") from None
    if user is not None:
        held = user.roles_in(unit.id)
        if not held:
            raise NotFound(f"no service unit {unit_code!r}", field="unit")
        allowed = INGEST_ROLES.get(channel, frozenset())
        if not held & allowed:
            raise Forbidden(f"unit: your role in {unit_code} ({', '.join(sorted(r.value for r in held))}) may not "
                            f"send {channel}s; that needs {', '.join(sorted(r.value for r in allowed))}", field="unit")
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
    unit = _unit_for(conn, user, unit_code, channel)
    note = None
    if channel == "fax":
        media_type, note = check_fax(data)
    elif channel == "claim":
        media_type = check_claims(data)
    elif channel in X12_CHANNELS:
        media_type = check_x12(data, channel)
    else:
        check_json(data, channel)
        media_type = "application/json"
    if filename:
        filename = "".join(c for c in filename if ord(c) >= 32) or None  # a NUL cannot be stored
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
        claims = read_claims(data)
    except ClaimInputError as exc:
        raise BadInput(str(exc), field=str(exc).split(":", 1)[0]) from None
    for i, (claim, context) in enumerate(claims):
        where = (_control_character_at(claim.model_dump(mode="json"))
                 or _control_character_at(context.model_dump(mode="json"), "context"))
        if where:
            # PostgreSQL cannot store a NUL, and no claim field needs a control character: refused
            # here, with the field named, instead of failing (and being retried) after acceptance.
            raise BadInput(f"claims[{i}].{where}: contains a control character (such as NUL); remove it",
                           field=f"claims[{i}].{where}")
    return "application/edi-x12" if is_x12(data) else "application/json"


def _control_character_at(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL or another control character (tabs and
    newlines allowed), or None."""
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, str):
            if any(ord(c) < 32 and c not in "\t\n\r" for c in v):
                return p.lstrip(".")
        elif isinstance(v, dict):
            stack.extend((x, f"{p}.{k}") for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((x, f"{p}[{n}]") for n, x in enumerate(v))
    return None


class DroppedFileRefused(ValueError):
    """A file in a watched folder that will not be read (a link, not a regular file, too large)."""


def list_dropped_files(folder) -> list:
    """The files a fax server dropped in `folder` that `handoff watch` may read: regular files
    only, hidden ones skipped, and never through a symbolic link (a link could point anywhere the
    watcher may read: /etc, another clinic's folder)."""
    import stat
    from pathlib import Path

    out = []
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith("."):
            continue
        st = path.lstat()
        if stat.S_ISREG(st.st_mode):
            out.append(path)
    return out


def read_dropped_file(path, *, max_bytes: int = LIMITS.max_bytes) -> bytes:
    """The bytes of a dropped file, opened without following a symbolic link and checked against
    the size limit before anything is read (at most max_bytes + 1 bytes are read, even if the file
    grows meanwhile). Raises DroppedFileRefused saying why."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno in (40, 62):  # ELOOP (Linux), ELOOP (BSD): a symbolic link
            raise DroppedFileRefused(f"{path.name}: a symbolic link; only regular files are read") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DroppedFileRefused(f"{path.name}: not a regular file")
        if st.st_size > max_bytes:
            raise DroppedFileRefused(f"{path.name}: {st.st_size:,} bytes; the limit is {max_bytes:,} bytes")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise DroppedFileRefused(f"{path.name}: over the limit of {max_bytes:,} bytes (it grew while read)")
    return data


# Revenue-cycle X12 files (issue 13): the transaction each channel takes, and its reader.
X12_CHANNELS = {"eligibility": "271", "enrollment": "834", "remit": "835", "claim_status": "277"}


def check_x12(data: bytes, channel: str) -> str:
    """An X12 file is read before it is accepted: the wrong transaction or a broken file is refused
    with the segment named (a file that reads, with validation notes, is accepted)."""
    from tools.claims.x12_edi import X12Error
    from tools.claims.x12_eligibility import parse_271
    from tools.claims.x12_enrollment import parse_834
    from tools.claims.x12_remit import parse_835
    from tools.claims.x12_status import parse_277

    if not data:
        raise BadInput("file: the file is empty (0 bytes)", field="file")
    if len(data) > LIMITS.max_bytes:
        raise PayloadTooLarge(f"file: {len(data):,} bytes; the limit is {LIMITS.max_bytes:,} bytes", field="file")
    reader = {"271": parse_271, "834": parse_834, "835": parse_835, "277": parse_277}[X12_CHANNELS[channel]]
    try:
        reader(data)
    except X12Error as exc:
        raise BadInput(f"file: {exc}", field="file") from None
    return "application/edi-x12"
