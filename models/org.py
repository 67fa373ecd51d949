"""Organizations, service units, users and roles, from the clinic's point of view."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    front_desk = "front_desk"
    referral_coordinator = "referral_coordinator"
    nurse = "nurse"
    biller = "biller"
    practice_manager = "practice_manager"
    compliance = "compliance"
    engineer = "engineer"
    admin = "admin"


# Who may change a unit's routing policy.
POLICY_EDITORS = frozenset({Role.admin, Role.practice_manager})


class Organization(BaseModel):
    id: UUID
    name: str
    created_at: datetime


class BillingProfile(BaseModel):
    """How a program bills: its fee schedule (code -> expected charge) and timely filing default."""

    model_config = ConfigDict(extra="forbid")

    taxonomy: str | None = None
    billing_npi: str | None = None
    fee_schedule: dict[str, Decimal] = Field(default_factory=dict)
    fee_tolerance: Decimal = Decimal("0.10")  # a charge more than 10% off the schedule is flagged
    timely_filing_days: int = 365


class ServiceUnit(BaseModel):
    id: UUID
    org_id: UUID
    code: str
    name: str
    billing_profile: BillingProfile = Field(default_factory=BillingProfile)
    created_at: datetime


class UnitRole(BaseModel):
    unit_id: UUID
    unit_code: str
    role: Role


class User(BaseModel):
    id: UUID
    org_id: UUID
    username: str
    display_name: str
    active: bool
    roles: list[UnitRole] = Field(default_factory=list)

    def roles_in(self, unit_id: UUID) -> set[Role]:
        return {r.role for r in self.roles if r.unit_id == unit_id}

    def has_role(self, unit_id: UUID, *roles: Role) -> bool:
        return bool(self.roles_in(unit_id) & set(roles))
