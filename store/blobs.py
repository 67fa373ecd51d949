"""Content-addressed file storage under HANDOFF_HOME/blobs: bytes are written (and synced) before
the database row that names them, so an accepted item is never lost by a crash."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def put_blob(root: Path, data: bytes) -> tuple[str, Path]:
    """Store `data` once; returns its sha256 and path. Idempotent and safe against torn writes and
    concurrent writers: each writes its own uniquely named temporary file (two threads of one
    process never share one), renames it into place, and the folder is synced so the new name
    survives a power cut before the database row that refers to it is committed."""
    digest = sha256_hex(data)
    path = blob_path(root, digest)
    if path.exists() and path.stat().st_size == len(data):
        return digest, path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{digest[:16]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return digest, path


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX: the directory entry is only safe once the
    directory itself is synced)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_blob(root: Path, digest: str) -> bytes:
    data = blob_path(root, digest).read_bytes()
    if sha256_hex(data) != digest:
        raise IOError(f"blob {digest[:12]}… is corrupt on disk (its content no longer matches its hash)")
    return data
