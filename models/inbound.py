"""Inbound items as accepted by Handoff, before any processing."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

# The channels the intake agent reads (and labeled intake data names), then every accepted channel.
IntakeChannel = Literal["fax", "message", "referral"]
Channel = Literal[IntakeChannel, "appointments", "claim", "eligibility", "enrollment", "remit", "claim_status"]


class InboundItem(BaseModel):
    id: UUID
    unit_id: UUID
    channel: Channel
    sha256: str
    size_bytes: int
    media_type: str
    filename: str | None = None
    received_by: str
    received_at: datetime


class Accepted(BaseModel):
    item: InboundItem
    created: bool  # False when the same bytes had been accepted before (idempotent re-send)
