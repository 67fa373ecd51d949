"""Sign-in, sessions and API tokens: argon2 passwords, lockout after repeated failures, all audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID

import psycopg

from api.errors import TooManyRequests, Unauthorized
from api.security import hash_password, verify_password
from models.org import User
from store import audit
from store import auth as auth_store
from store import org as org_store

MAX_FAILURES = 5  # consecutive failures before the account locks
LOCK_MINUTES = 15
CLIENT_ATTEMPTS_PER_MINUTE = 30
_DUMMY_HASH = None  # verified against when the user is unknown, so timing does not reveal who exists


@dataclass(frozen=True)
class NewSession:
    user: User
    session_secret: str
    csrf_token: str


@dataclass(frozen=True)
class Principal:
    user: User
    via: str  # "session" or "token"
    session_secret: str | None = None
    csrf_token: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def sign_in(conn: psycopg.Connection, *, username: str, password: str, client: str,
            previous_session: str | None = None) -> NewSession:
    """Check the password and open a new session (ending the one the browser had: rotation).

    Attempts for one username take turns (an advisory lock held until the transaction ends), so
    concurrent guesses cannot all pass the failure count before any of them is recorded: at most
    MAX_FAILURES passwords are ever checked before the lockout."""
    auth_store.lock_sign_in(conn, username=username)
    if auth_store.client_attempts_last_minute(conn, client=client) >= CLIENT_ATTEMPTS_PER_MINUTE:
        audit.record_event(conn, actor=username[:80], action="auth.rate_limited", detail={"client": client})
        conn.commit()
        raise TooManyRequests("too many sign-in attempts from this address; wait a minute")
    failures, last_at = auth_store.recent_failures(conn, username=username, window_minutes=LOCK_MINUTES)
    if failures >= MAX_FAILURES and last_at and last_at > datetime.now(timezone.utc) - timedelta(minutes=LOCK_MINUTES):
        auth_store.record_login_attempt(conn, username=username, client=client, succeeded=False)
        audit.record_event(conn, actor=username[:80], action="auth.locked_out", detail={"client": client})
        conn.commit()
        raise Unauthorized(f"this account is locked after {MAX_FAILURES} failed sign-ins; try again in {LOCK_MINUTES} minutes")
    found = org_store.get_user_by_username(conn, username=username)
    ok = verify_password(found[1] if found else _dummy_hash(), password) and found is not None and found[0].active
    auth_store.record_login_attempt(conn, username=username, client=client, succeeded=ok)
    if not ok:
        audit.record_event(conn, actor=username[:80], action="auth.sign_in_failed", detail={"client": client})
        conn.commit()
        raise Unauthorized("wrong username or password")
    user = found[0]
    if previous_session:
        auth_store.end_session(conn, session_secret=previous_session)
    session_secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    auth_store.insert_session(conn, session_secret=session_secret, user_id=user.id, csrf_token=csrf)
    audit.record_event(conn, actor=user.username, action="auth.signed_in", detail={"client": client})
    return NewSession(user=user, session_secret=session_secret, csrf_token=csrf)


def sign_out(conn: psycopg.Connection, *, principal: Principal) -> None:
    if principal.session_secret:
        auth_store.end_session(conn, session_secret=principal.session_secret)
    audit.record_event(conn, actor=principal.user.username, action="auth.signed_out")


def principal_from_session(conn: psycopg.Connection, *, session_secret: str, idle_minutes: int,
                           max_hours: int = 12) -> Principal | None:
    row = auth_store.active_session(conn, session_secret=session_secret, idle_minutes=idle_minutes,
                                    max_hours=max_hours)
    if row is None:
        return None
    user = org_store.get_user(conn, user_id=row["user_id"])
    if user is None or not user.active:
        return None
    return Principal(user=user, via="session", session_secret=session_secret, csrf_token=row["csrf_token"])


def principal_from_token(conn: psycopg.Connection, *, token: str) -> Principal | None:
    user_id = auth_store.token_user(conn, token=token)
    if user_id is None:
        return None
    user = org_store.get_user(conn, user_id=user_id)
    if user is None or not user.active:
        return None
    return Principal(user=user, via="token")


def create_token(conn: psycopg.Connection, *, user: User, name: str, days: int = 90) -> tuple[dict, str]:
    """A new API token for `user`, valid `days` days; the secret is returned once and stored only
    as a hash."""
    token = "hnd_" + secrets.token_urlsafe(32)
    row = auth_store.insert_token(conn, user_id=user.id, name=name, token=token, days=days)
    audit.record_event(conn, actor=user.username, action="auth.token_created", subject=f"token:{row['id']}")
    return row, token


def revoke_token(conn: psycopg.Connection, *, user: User, token_id: UUID) -> bool:
    revoked = auth_store.revoke_token(conn, token_id=token_id, user_id=user.id)
    if revoked:
        audit.record_event(conn, actor=user.username, action="auth.token_revoked", subject=f"token:{token_id}")
    return revoked
