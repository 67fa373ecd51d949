"""Repository for accepted inbound items and their processing events."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from psycopg.types.json import Jsonb

from models.inbound import Accepted, Channel, InboundItem
from store.blobs import BlobStore, FilesystemBlobs
from store.db import Conn, fetch_one
from store.queries import load


def accept_inbound(
    conn: Conn,
    *,
    unit_id: UUID,
    channel: Channel,
    data: bytes,
    media_type: str,
    filename: str | None,
    received_by: str,
    blobs: BlobStore | None = None,
    blob_root: Path | None = None,
) -> Accepted:
    """Store the bytes (in `blobs`, or files under `blob_root`), then the row; the same bytes to the
    same unit and channel give the same item."""
    if blobs is None:
        if blob_root is None:
            raise TypeError("accept_inbound needs blobs (a BlobStore) or blob_root")
        blobs = FilesystemBlobs(blob_root)
    digest = blobs.put(conn, data)
    Q = load("inbound")
    row = conn.execute(
        Q.insert_inbound_item,
        {
            "id": uuid4(),
            "unit_id": unit_id,
            "channel": channel,
            "sha256": digest,
            "size_bytes": len(data),
            "media_type": media_type,
            "filename": filename,
            "received_by": received_by,
        },
    ).fetchone()
    if row is None:
        row = fetch_one(conn.execute(Q.find_inbound_item, {"unit_id": unit_id, "channel": channel, "sha256": digest}))
        return Accepted(item=InboundItem(**row), created=False)
    record_inbound_event(conn, item_id=row["id"], event="accepted")
    return Accepted(item=InboundItem(**row), created=True)


def get_inbound_item(conn: Conn, *, item_id: UUID) -> InboundItem | None:
    row = conn.execute(load("inbound").get_inbound_item, {"id": item_id}).fetchone()
    return InboundItem(**row) if row else None


def record_inbound_event(conn: Conn, *, item_id: UUID, event: str, detail: dict[str, Any] | None = None) -> None:
    conn.execute(load("inbound").insert_inbound_event, {"item_id": item_id, "event": event, "detail": Jsonb(detail or {})})


def inbound_events(conn: Conn, *, item_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(load("inbound").inbound_events, {"item_id": item_id}).fetchall()


def unfinished_inbound(conn: Conn) -> list[UUID]:
    return [r["id"] for r in conn.execute(load("inbound").inbound_without_outcome).fetchall()]
