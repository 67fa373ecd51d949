"""Issue 11, rows 5 and 10 of the red-team table: a body over the limit is refused (413) while it
streams in, before it is read, and JSON nested too deeply is a 422 naming the body on every route
that reads JSON, never a 500 or a traceback."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest

from api.services.auth import create_token
from store import org as org_store
from tests.conftest import sign_in
from tests.live_server import handoff_serve

MB = 1024 * 1024


def _bearer(runtime, username: str) -> dict[str, str]:
    with runtime.pool.connection() as conn:
        user, _ = org_store.get_user_by_username(conn, username=username)
        return {"Authorization": f"Bearer {create_token(conn, user=user, name='limits')[1]}"}


def _status_after_partial_body(base: str, path: str, headers: dict[str, str], declared: int, send: int) -> int:
    """Declare `declared` bytes, send only `send`, and read the status line: a server that waits
    for the whole body before refusing never answers (the socket times out)."""
    url = urlparse(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        head = [f"POST {path} HTTP/1.1", f"Host: {url.hostname}", f"Content-Length: {declared}",
                *[f"{k}: {v}" for k, v in headers.items()], "", ""]
        s.sendall("\r\n".join(head).encode())
        try:
            s.sendall(b"x" * send)
        except OSError:
            pass  # the server may close as soon as it has answered
        reply = s.recv(4096)
    return int(reply.split(b" ", 2)[1])


def test_oversized_bodies_are_refused_while_streaming(runtime, demo_org, settings):
    biller, front = _bearer(runtime, "biller"), _bearer(runtime, "frontdesk")
    with handoff_serve(settings) as base:
        # A declared 300 MB body is refused at once: for claims, faxes, messages, and unauthenticated.
        for path, headers in (("/api/v1/claims?unit=primary-care", {**biller, "Content-Type": "application/edi-x12"}),
                              ("/api/v1/faxes?unit=primary-care",
                               {**front, "Content-Type": "multipart/form-data; boundary=xyz"}),
                              ("/api/v1/messages?unit=primary-care", {**front, "Content-Type": "application/json"}),
                              ("/api/v1/auth/login", {"Content-Type": "application/json"})):
            assert _status_after_partial_body(base, path, headers, declared=300 * MB, send=64 * 1024) == 413, path

        # A chunked body (no length) is refused once it passes the limit, while it still streams.
        status, sent_mb = _chunked_until_answer(base, "/api/v1/claims?unit=primary-care",
                                                {**biller, "Content-Type": "application/edi-x12"}, max_mb=300)
        assert status == 413 and sent_mb < 100, (status, sent_mb)


def _chunked_until_answer(base: str, path: str, headers: dict[str, str], *, max_mb: int) -> tuple[int | None, int]:
    """Stream 1 MB chunks until the server answers; returns its status and the MB sent by then."""
    import select

    url = urlparse(base)
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        head = [f"POST {path} HTTP/1.1", f"Host: {url.hostname}", "Transfer-Encoding: chunked",
                *[f"{k}: {v}" for k, v in headers.items()], "", ""]
        s.sendall("\r\n".join(head).encode())
        chunk = b"%x\r\n" % MB + b"I" * MB + b"\r\n"
        for sent in range(max_mb + 1):
            if select.select([s], [], [], 0)[0]:
                return int(s.recv(4096).split(b" ", 2)[1]), sent
            if sent == max_mb:
                break
            try:
                s.sendall(chunk)
            except OSError:
                break
        s.sendall(b"0\r\n\r\n")
        return int(s.recv(4096).split(b" ", 2)[1]), max_mb


def _deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


def _deep_object(n: int) -> bytes:
    return b'{"a":' * n + b"1" + b"}" * n


@pytest.mark.parametrize("body", [_deep(100_000), _deep_object(5_000), _deep(300)], ids=["100k", "object-5k", "300"])
def test_deeply_nested_json_is_a_422_on_every_json_route(client, body):
    from uuid import uuid4

    manager = sign_in(client, "manager")
    some_id = uuid4()
    routes = [
        ("/api/v1/auth/login", None),
        ("/api/v1/auth/tokens", manager),
        (f"/api/v1/review/items/{some_id}/decision", manager),
        (f"/api/v1/review/items/{some_id}/reassign", manager),
        ("/api/v1/messages?unit=primary-care", manager),
        ("/api/v1/referrals?unit=primary-care", manager),
        ("/api/v1/claims?unit=primary-care", manager),
    ]
    for path, headers in routes:
        r = client.post(path, content=body, headers={**(headers or {}), "Content-Type": "application/json"})
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert "detail" in r.json()
