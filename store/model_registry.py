"""Repository of model versions (append-only; each registration is also an audit event)."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from models.model_registry import Admission, ModelHead, ModelVersion
from models.scheduling import ModelMeta
from store import audit
from store.db import Conn
from store.queries import load


class ModelVersionExists(RuntimeError):
    """A version of that name is already registered (versions are never replaced)."""


def insert_model_version(conn: Conn, *, meta: ModelMeta, artifact: bytes, sha256: str,
                         types: list[str], registered_by: str, admitted_by: Admission | None) -> ModelVersion:
    """Store a new version and record its registration in the audit chain, in one transaction."""
    with conn.transaction():
        row = conn.execute(load("model_registry").insert_model_version, {
            "name": meta.name, "version": meta.version, "registered_by": registered_by, "sha256": sha256,
            "artifact": artifact, "types": types, "meta": Jsonb(meta.model_dump(mode="json")),
            "admitted_by": Jsonb(admitted_by.model_dump(mode="json")) if admitted_by else None,
        }).fetchone()
        if row is None:
            raise ModelVersionExists(f"model {meta.name} version {meta.version} is already registered")
        audit.record_event(conn, actor=registered_by, action="model.registered",
                           subject=f"model:{meta.name}:{meta.version}",
                           detail={"sha256": sha256, "admitted_by": admitted_by.suite if admitted_by else None})
    return ModelVersion.model_validate(row)


def latest_model_head(conn: Conn, *, name: str) -> ModelHead | None:
    """The newest version's name, version and hash (no bytes: cheap enough to ask before every use)."""
    row = conn.execute(load("model_registry").latest_model_head, {"name": name}).fetchone()
    return ModelHead.model_validate(row) if row else None


def get_model_artifact(conn: Conn, *, name: str, version: str) -> tuple[ModelVersion, bytes] | None:
    row: dict[str, Any] | None = conn.execute(load("model_registry").get_model_version,
                                              {"name": name, "version": version}).fetchone()
    if row is None:
        return None
    artifact = bytes(row.pop("artifact"))
    return ModelVersion.model_validate(row), artifact


def list_model_versions(conn: Conn, *, name: str | None = None) -> list[ModelVersion]:
    """Every version (of `name`, or of all models), oldest first."""
    rows = conn.execute(load("model_registry").list_model_versions, {"name": name}).fetchall()
    return [ModelVersion.model_validate(r) for r in rows]
