"""Repository for letters drafted from templates (appeals, information requests, report covers)."""

from __future__ import annotations

from typing import Any

from uuid import UUID, uuid4


from store.db import Conn, fetch_one
from store.queries import load


def insert_letter(conn: Conn, *, unit_id: UUID, kind: str, subject: str, recipient: str | None,
                  template: str, template_sha256: str, body: str, created_by: str) -> dict[str, Any]:
    return fetch_one(conn.execute(load("letters").insert_letter, {
        "id": uuid4(), "unit_id": unit_id, "kind": kind, "subject": subject, "recipient": recipient,
        "template": template, "template_sha256": template_sha256, "body": body, "created_by": created_by}))


def get_letter(conn: Conn, *, letter_id: UUID) -> dict[str, Any] | None:
    return conn.execute(load("letters").get_letter, {"id": letter_id}).fetchone()


def letters_of(conn: Conn, *, subject: str) -> list[dict[str, Any]]:
    return conn.execute(load("letters").letters_of, {"subject": subject}).fetchall()
