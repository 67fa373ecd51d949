"""Content-addressed file storage under HANDOFF_HOME/blobs: bytes are written (and synced) before
the database row that names them, so an accepted item is never lost by a crash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def put_blob(root: Path, data: bytes) -> tuple[str, Path]:
    """Store `data` once; returns its sha256 and path. Idempotent and safe against torn writes."""
    digest = sha256_hex(data)
    path = blob_path(root, digest)
    if path.exists() and path.stat().st_size == len(data):
        return digest, path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return digest, path


def read_blob(root: Path, digest: str) -> bytes:
    data = blob_path(root, digest).read_bytes()
    if sha256_hex(data) != digest:
        raise IOError(f"blob {digest[:12]}… is corrupt on disk (its content no longer matches its hash)")
    return data
