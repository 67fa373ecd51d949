"""Fax pages as reviewers see them: a page of the stored file rendered to PNG on request, with boxes
drawn around the evidence the reader's role may see (from the page's OCR word boxes). The same access
as reading the item, plus the field policy's document text; every page shown is a logged PHI read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg

from agents.runtime import Runtime
from api.errors import Forbidden, NotFound
from api.services import review as review_service
from models.org import User
from models.visibility import Part
from store import audit
from store import inbound as inbound_store
from store import intake as intake_store


def _quotes(evidence: list[dict[str, Any]], text: str) -> list[str]:
    out = []
    for ev in evidence:
        if ev.get("kind") != "span":
            continue
        quote = ev.get("text")
        start, end = ev.get("start"), ev.get("end")
        if not quote and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            quote = text[start:end]
        if quote:
            out.append(quote)
    return out


def page_png(conn: psycopg.Connection, runtime: Runtime, *, user: User, item_id: UUID, page: int) -> bytes:
    from tools.intake.page_image import boxes_for, draw_boxes, png_bytes, render_page

    view = review_service.read_item(conn, user=user, item_id=item_id, purpose="review:page_image")
    if Part.document_text.value not in view.shown:
        raise Forbidden("page images are shown with the document's text, which your role does not see here",
                        field="page")
    if not view.subject.startswith("inbound_part:") or view.channel != "fax" or not view.source_pages:
        raise NotFound("this item has no fax pages", field="page")
    first, last = view.source_pages
    if not first <= page <= last:
        raise NotFound(f"page: this document is pages {first}-{last}", field="page")
    part = intake_store.get_part(conn, part_id=UUID(view.subject.split(":", 1)[1]))
    item = inbound_store.get_inbound_item(conn, item_id=part["item_id"])
    data = runtime.read_blob(item.sha256)
    image = render_page(data, page)
    words = intake_store.page_words(conn, item_id=item.id, page_no=page) or []
    evidence = [e.model_dump() for e in view.evidence or []]
    image = draw_boxes(image, boxes_for(_quotes(evidence, part["text"]), words))
    audit.record_phi_read(conn, actor=user.username, subject=view.subject, purpose="review",
                          fields=[f"page image {page}"])
    return png_bytes(image)
