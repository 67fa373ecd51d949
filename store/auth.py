"""Repository for web sessions, API tokens and sign-in attempts (secrets stored only as sha256)."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID, uuid4

from store.db import Conn, fetch_one
from store.queries import load


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def insert_session(conn: Conn, *, session_secret: str, user_id: UUID, csrf_token: str) -> None:
    conn.execute(load("auth").insert_session,
                 {"id_hash": secret_hash(session_secret), "user_id": user_id, "csrf_token": csrf_token})


def active_session(conn: Conn, *, session_secret: str, idle_minutes: int,
                   max_hours: int = 12) -> dict[str, Any] | None:
    h = secret_hash(session_secret)
    row = conn.execute(load("auth").active_session,
                       {"id_hash": h, "idle_minutes": idle_minutes, "max_hours": max_hours}).fetchone()
    if row:
        conn.execute(load("auth").touch_session, {"id_hash": h})
    return row


def end_session(conn: Conn, *, session_secret: str) -> None:
    conn.execute(load("auth").end_session, {"id_hash": secret_hash(session_secret)})


def insert_token(conn: Conn, *, user_id: UUID, name: str, token: str, days: int = 90) -> dict[str, Any]:
    return fetch_one(conn.execute(load("auth").insert_token, {"id": uuid4(), "user_id": user_id, "name": name,
                                                              "token_hash": secret_hash(token), "days": days}))


def token_user(conn: Conn, *, token: str) -> UUID | None:
    row = conn.execute(load("auth").token_user, {"token_hash": secret_hash(token)}).fetchone()
    if row is None:
        return None
    conn.execute(load("auth").touch_token, {"id": row["id"]})
    user_id: UUID = row["user_id"]
    return user_id


def revoke_token(conn: Conn, *, token_id: UUID, user_id: UUID) -> bool:
    return conn.execute(load("auth").revoke_token, {"id": token_id, "user_id": user_id}).fetchone() is not None


def lock_sign_in(conn: Conn, *, username: str) -> None:
    """Serialize sign-ins of one username until the caller's transaction ends."""
    conn.execute(load("auth").lock_sign_in, {"username": username})


def record_login_attempt(conn: Conn, *, username: str, client: str, succeeded: bool) -> None:
    conn.execute(load("auth").insert_login_attempt, {"username": username, "client": client, "succeeded": succeeded})


def recent_failures(conn: Conn, *, username: str, window_minutes: int) -> tuple[int, object]:
    row = fetch_one(conn.execute(load("auth").recent_failures,
                                 {"username": username, "window_minutes": window_minutes}))
    return int(row["n"]), row["last_at"]


def client_attempts_last_minute(conn: Conn, *, client: str) -> int:
    return int(fetch_one(conn.execute(load("auth").client_attempts, {"client": client}))["n"])
