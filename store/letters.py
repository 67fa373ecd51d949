"""Repository for letters drafted from templates (appeals, information requests, report covers)."""

from __future__ import annotations

from uuid import UUID, uuid4

import psycopg

from store.queries import load


def insert_letter(conn: psycopg.Connection, *, unit_id: UUID, kind: str, subject: str, recipient: str | None,
                  template: str, template_sha256: str, body: str, created_by: str) -> dict:
    return conn.execute(load("letters").insert_letter, {
        "id": uuid4(), "unit_id": unit_id, "kind": kind, "subject": subject, "recipient": recipient,
        "template": template, "template_sha256": template_sha256, "body": body, "created_by": created_by}).fetchone()


def get_letter(conn: psycopg.Connection, *, letter_id: UUID) -> dict | None:
    return conn.execute(load("letters").get_letter, {"id": letter_id}).fetchone()


def letters_of(conn: psycopg.Connection, *, subject: str) -> list[dict]:
    return conn.execute(load("letters").letters_of, {"subject": subject}).fetchall()
