"""The model registry's vocabulary: a registered model version, the evaluation run that admitted
it, and the cheap head a process checks before reusing a loaded model. No I/O here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.scheduling import ModelMeta


class Admission(BaseModel):
    """The evaluation run that admitted a version: which suite, on what data, its figures and gates."""

    model_config = ConfigDict(extra="forbid")

    suite: str  # an evals suite name (noshow, triage, claims), or "training" for a training-time check
    run_at: datetime
    data: str | None = None  # what it was measured on (file and sha256, or the synthetic seed)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    gates_passed: bool | None = None  # None: no release gates were run
    report: str | None = None  # where the run's report was written


class ModelHead(BaseModel):
    """The newest version of a model: what a process compares to decide whether to reload."""

    name: str
    version: str
    sha256: str
    registered_at: datetime


class ModelVersion(BaseModel):
    """One registered version (without its bytes)."""

    name: str
    version: str
    registered_at: datetime
    registered_by: str
    sha256: str
    types: list[str]
    meta: ModelMeta
    admitted_by: Admission | None = None

    @property
    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "registered_at": self.registered_at.isoformat(),
                "registered_by": self.registered_by, "sha256": self.sha256,
                "admitted_by": self.admitted_by.suite if self.admitted_by else None}
