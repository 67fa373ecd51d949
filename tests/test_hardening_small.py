"""Issue 11, row 14 of the red-team table: blob writes from two threads of one process do not share
a temporary file and the folder is synced; the watched-folder reader refuses symbolic links and
checks the size before reading; sessions end after an absolute lifetime and tokens expire;
HANDOFF_LOG_LEVEL is applied."""

from __future__ import annotations

import logging
import os
import threading

import pytest

from api.services.auth import create_token, principal_from_session, principal_from_token, sign_in
from api.services.intake import DroppedFileRefused, list_dropped_files, read_dropped_file
from models.settings import Settings
from store import org as org_store
from store.blobs import blob_path, put_blob, read_blob


def test_concurrent_writers_of_one_blob_in_one_process(tmp_path):
    data = os.urandom(4 * 1024 * 1024)
    errors = []
    for _ in range(10):
        root = tmp_path / f"blobs{_}"
        barrier = threading.Barrier(4)

        def write(root=root, barrier=barrier):
            barrier.wait()
            try:
                put_blob(root, data)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc.__class__.__name__)

        threads = [threading.Thread(target=write) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        digest, _ = put_blob(root, data)
        assert read_blob(root, digest) == data
        assert sorted(p.name for p in blob_path(root, digest).parent.iterdir()) == [digest]  # no temp file left
    assert errors == []


def test_the_blob_folder_is_synced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def recording_fsync(fd):  # the OS call is observed, and still made
        synced.append(os.path.isdir(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    put_blob(tmp_path, b"a fax")
    assert synced == [False, True]  # the file, then its folder


def test_watched_folder_reader_refuses_links_and_checks_size_first(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("another clinic's file")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "fax.pdf").write_bytes(b"%PDF-1.4 ok")
    (drop / "link.pdf").symlink_to(secret)
    (drop / ".hidden").write_bytes(b"x")
    (drop / "sub").mkdir()
    big = drop / "big.tif"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: 64 MB of size, nothing to read
    assert [p.name for p in list_dropped_files(drop)] == ["big.tif", "fax.pdf"]
    assert read_dropped_file(drop / "fax.pdf") == b"%PDF-1.4 ok"
    with pytest.raises(DroppedFileRefused, match="symbolic link"):
        read_dropped_file(drop / "link.pdf")
    with pytest.raises(DroppedFileRefused, match="limit"):
        read_dropped_file(big, max_bytes=1024)


def test_sessions_have_an_absolute_lifetime_and_tokens_expire(conn, demo_org):
    user, _ = org_store.get_user_by_username(conn, username="nurse")
    new = sign_in(conn, username="nurse", password="handoff-demo", client="t")
    assert principal_from_session(conn, session_secret=new.session_secret, idle_minutes=30) is not None
    # Active all day (never idle), but signed in 13 hours ago: over the 12-hour lifetime.
    conn.execute("UPDATE web_sessions SET created_at = now() - interval '13 hours'")
    assert principal_from_session(conn, session_secret=new.session_secret, idle_minutes=30, max_hours=12) is None
    row, token = create_token(conn, user=user, name="t", days=30)
    assert principal_from_token(conn, token=token) is not None
    conn.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = %s", (row["id"],))
    assert principal_from_token(conn, token=token) is None


def test_log_level_is_applied(settings):
    from agents.runtime import configure_logging

    configure_logging(Settings(home=settings.home, database_url=settings.database_url, log_level="debug"))
    assert logging.getLogger("agents").level == logging.DEBUG
    assert logging.getLogger("openai").level == logging.WARNING  # it would log prompts at DEBUG
    configure_logging(Settings(home=settings.home, database_url=settings.database_url, log_level="WARNING"))
    assert logging.getLogger("tools").level == logging.WARNING
    with pytest.raises(ValueError):
        Settings(log_level="LOUD")


def test_handoff_watch_never_reads_through_a_link(settings, demo_org, tmp_path):
    """The real `handoff watch --once`: a link dropped beside a fax is refused, never accepted."""
    import subprocess
    import sys

    from tests.conftest import cli_env

    secret = tmp_path / "secret.txt"
    secret.write_text("another clinic's file")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "link.pdf").symlink_to(secret)
    old = 1_600_000_000  # written long ago: not "still being written"
    os.utime(drop / "link.pdf", (old, old), follow_symlinks=False)
    out = subprocess.run([sys.executable, "-m", "api.cli", "watch", str(drop), "--unit", "primary-care", "--once"],
                         env=cli_env(settings), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    # A link is not a regular file: never listed, so never read, accepted or moved.
    assert "link.pdf" not in out.stdout
    assert (drop / "link.pdf").is_symlink() and not (drop / ".accepted" / "link.pdf").exists()
    assert secret.read_text() == "another clinic's file"
