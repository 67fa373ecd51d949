"""Accepted files, content-addressed by sha256, behind one small interface with two stores:

* `FilesystemBlobs` (the default): files under HANDOFF_BLOB_DIR (HANDOFF_HOME/blobs), written and
  synced before the database row that names them. With many hosts, point every host at one shared
  directory (a network file system or an object store mounted as one).
* `PostgresBlobs`: the bytes in the database itself (table `blobs`), written in the same transaction
  as the row that names them, so every host that reaches the database reads every file.

Either way an accepted item is never lost by a crash, and storing the same bytes twice is a no-op.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


from store.queries import load
from store.db import Conn


class BlobMissing(IOError):
    """No stored file has this hash (or it is corrupt)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    def put(self, conn: Conn, data: bytes) -> str:
        """Store `data` (idempotent); returns its sha256. Durable before the caller's row commits."""

    def get(self, conn: Conn, digest: str) -> bytes:
        """The bytes stored under `digest`; raises BlobMissing."""


class FilesystemBlobs:
    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, conn: Conn | None, data: bytes) -> str:
        return put_blob(self.root, data)[0]

    def get(self, conn: Conn | None, digest: str) -> bytes:
        return read_blob(self.root, digest)


class PostgresBlobs:
    def put(self, conn: Conn, data: bytes) -> str:
        digest = sha256_hex(data)
        conn.execute(load("blobs").insert_blob, {"sha256": digest, "data": data, "size": len(data)})
        return digest

    def get(self, conn: Conn, digest: str) -> bytes:
        row = conn.execute(load("blobs").get_blob, {"sha256": digest}).fetchone()
        if row is None:
            raise BlobMissing(f"no stored file has sha256 {digest[:12]}…")
        data = bytes(row["data"])
        if sha256_hex(data) != digest:
            raise BlobMissing(f"blob {digest[:12]}… is corrupt (its content no longer matches its hash)")
        return data


def open_blob_store(kind: str, root: Path) -> BlobStore:
    """The store HANDOFF_BLOB_STORE names ("filesystem" under `root`, or "postgres")."""
    if kind == "postgres":
        return PostgresBlobs()
    if kind == "filesystem":
        return FilesystemBlobs(root)
    raise ValueError(f"HANDOFF_BLOB_STORE must be filesystem or postgres, not {kind!r}")


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
    try:
        data = blob_path(root, digest).read_bytes()
    except FileNotFoundError:
        raise BlobMissing(f"no stored file has sha256 {digest[:12]}… under {root}") from None
    if sha256_hex(data) != digest:
        raise BlobMissing(f"blob {digest[:12]}… is corrupt on disk (its content no longer matches its hash)")
    return data
