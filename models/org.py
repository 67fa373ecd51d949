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
# Roles whose work needs clinical text (DESIGN promise 6: clinical text stays with them).
CLINICAL_ROLES = frozenset({Role.nurse, Role.referral_coordinator, Role.practice_manager})

# Which roles work which review queue (practice managers work every queue of their units). A queue
# missing here is worked by practice managers only.
QUEUE_ROLES: dict[str, frozenset[Role]] = {
    "front_desk": frozenset({Role.front_desk, Role.practice_manager}),
    "scheduling": frozenset({Role.front_desk, Role.practice_manager}),
    "referrals": frozenset({Role.referral_coordinator, Role.practice_manager}),
    "nursing": frozenset({Role.nurse, Role.practice_manager}),
    "billing": frozenset({Role.biller, Role.practice_manager}),
    "escalations": frozenset({Role.practice_manager}),
    "management": frozenset({Role.practice_manager}),  # decisions such as overbooking a slot
}


def roles_for_queue(queue: str) -> frozenset[Role]:
    """The roles that work a queue (practice managers for a queue not listed)."""
    return QUEUE_ROLES.get(queue, frozenset({Role.practice_manager}))


UNIT_CODE_PATTERN = r"^[a-z0-9_-]{2,40}$"
USERNAME_PATTERN = r"^[a-z0-9_.@-]{2,80}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


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
    email: str | None = None
    roles: list[UnitRole] = Field(default_factory=list)

    def roles_in(self, unit_id: UUID) -> set[Role]:
        return {r.role for r in self.roles if r.unit_id == unit_id}

    def has_role(self, unit_id: UUID, *roles: Role) -> bool:
        return bool(self.roles_in(unit_id) & set(roles))
