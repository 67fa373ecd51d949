"""The revenue cycle around a claim, as records: eligibility inquiries and responses (X12 270/271),
enrollment (834), claim status (276/277), remittances (835), the coverage registry, prior
authorizations, denials and the KPIs a practice manager is judged by. Shapes only (no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, ValidationInfo

from models.claims import PayerRules

SexCode = Literal["F", "M", "U"]


class X12Problem(BaseModel):
    """A validation problem found in an X12 file (kept beside what was read)."""

    segment: str
    line: int | None = None
    position: int | None = None
    element: str | None = None
    problem: str


# ---------------------------------------------------------------------------------------------
# 270 / 271 eligibility
# ---------------------------------------------------------------------------------------------


class EligibilityInquiry(BaseModel):
    """One patient of a 270: whom we ask about, at which payer, for which date and services."""

    model_config = ConfigDict(extra="forbid")

    trace_number: str = Field(min_length=1, max_length=50)  # TRN02, echoed in the 271
    payer_id: str = Field(min_length=1, max_length=80)
    payer_name: str | None = None
    provider_npi: str | None = None
    provider_name: str | None = None
    member_id: str = Field(min_length=1, max_length=80)
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    sex: SexCode | None = None
    service_date: date | None = None
    service_types: list[str] = Field(default_factory=lambda: ["30"])  # 30 = health benefit plan coverage


class Benefit(BaseModel):
    """One EB segment of a 271."""

    code: str  # EB01: 1 active coverage, 6 inactive, B co-payment, C deductible, ...
    meaning: str | None = None
    service_types: list[str] = Field(default_factory=list)  # EB03
    insurance_type: str | None = None  # EB04
    plan: str | None = None  # EB05
    time_period: str | None = None  # EB06
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08
    auth_required: bool | None = None  # EB11 Y/N (U = unknown -> None)
    in_network: bool | None = None  # EB12


class EligibilityReject(BaseModel):
    """An AAA segment: the payer could not answer, and why."""

    loop: str  # where it sat: payer, receiver, subscriber, dependent
    valid_request: bool
    reason_code: str
    reason: str | None = None
    follow_up: str | None = None


class EligibilityResponse(BaseModel):
    """One patient of a 271 (a subscriber, or a dependent under one)."""

    trace_number: str | None = None
    response_date: date | None = None
    payer_id: str | None = None
    payer_name: str | None = None
    provider_id: str | None = None
    member_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    sex: SexCode | None = None
    dependent: bool = False
    relationship: str = "18"
    status: Literal["active", "inactive", "rejected", "unknown"]
    plan: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None
    benefits: list[Benefit] = Field(default_factory=list)
    rejects: list[EligibilityReject] = Field(default_factory=list)

    @property
    def auth_required_service_types(self) -> list[str]:
        return sorted({st for b in self.benefits if b.auth_required for st in b.service_types})


# ---------------------------------------------------------------------------------------------
# 834 enrollment
# ---------------------------------------------------------------------------------------------


class EnrollmentCoverage(BaseModel):
    insurance_line: str | None = None  # HD03: HLT, DEN, VIS, ...
    maintenance: str | None = None  # HD01
    start: date | None = None  # DTP*348
    end: date | None = None  # DTP*349


class EnrollmentMember(BaseModel):
    """One INS loop of an 834."""

    subscriber: bool
    relationship: str  # INS02: 18 self, 01 spouse, 19 child, ...
    maintenance: str  # INS03: 001 change, 021 add, 024 cancel/terminate, 025 reinstate, 030 audit
    maintenance_meaning: str | None = None
    payer_id: str | None = None  # N1*IN N104
    sponsor_id: str | None = None  # N1*P5 N104
    member_id: str | None = None  # NM109, else REF*0F
    subscriber_id: str | None = None  # REF*0F
    group_number: str | None = None  # REF*1L
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    sex: SexCode | None = None
    eligibility_start: date | None = None  # DTP*356
    eligibility_end: date | None = None  # DTP*357
    coverages: list[EnrollmentCoverage] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# 835 remittance
# ---------------------------------------------------------------------------------------------

AdjustmentGroup = Literal["CO", "PR", "OA", "PI", "CR"]


class Adjustment(BaseModel):
    group: str  # CO contractual, PR patient responsibility, OA other, PI payer initiated, CR correction
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None

    @property
    def code(self) -> str:
        """Group-prefixed, as the rules name what they prevent: "CO-50"."""
        return f"{self.group}-{self.reason}"


class RemitLine(BaseModel):
    """One SVC loop of an 835 claim."""

    code: str | None  # CPT/HCPCS; None when the payer left it out
    qualifier: str | None = None  # HC, AD, ER, IV, N4, ...
    modifiers: list[str] = Field(default_factory=list)
    charge: Decimal | None = None
    paid: Decimal | None = None
    units: Decimal | None = None
    service_date: date | None = None
    allowed: Decimal | None = None  # AMT*B6
    line_control: str | None = None  # REF*6R
    adjustments: list[Adjustment] = Field(default_factory=list)
    remarks: list[str] = Field(default_factory=list)  # RARC (LQ*HE)


CLAIM_STATUS_CODES = {
    "1": "processed as primary", "2": "processed as secondary", "3": "processed as tertiary", "4": "denied",
    "19": "processed as primary, forwarded", "20": "processed as secondary, forwarded",
    "21": "processed as tertiary, forwarded", "22": "reversal of previous payment", "23": "not our claim, forwarded",
    "25": "predetermination pricing only, no payment",
}


class RemitClaim(BaseModel):
    """One CLP loop of an 835."""

    patient_control_number: str  # CLP01 = CLM01 of the claim we sent
    status_code: str  # CLP02
    charge: Decimal | None = None
    paid: Decimal | None = None
    patient_responsibility: Decimal | None = None
    filing_indicator: str | None = None
    payer_claim_number: str | None = None  # CLP07
    member_id: str | None = None  # NM1*QC / NM1*IL NM109
    service_start: date | None = None  # DTM*232 (or the first line's date)
    service_end: date | None = None
    received: date | None = None  # DTM*050
    adjustments: list[Adjustment] = Field(default_factory=list)  # claim-level CAS
    remarks: list[str] = Field(default_factory=list)  # RARC (MOA/MIA)
    lines: list[RemitLine] = Field(default_factory=list)

    @property
    def status(self) -> str:
        return CLAIM_STATUS_CODES.get(self.status_code, f"status {self.status_code}")

    @property
    def all_adjustments(self) -> list[Adjustment]:
        return [*self.adjustments, *(a for line in self.lines for a in line.adjustments)]

    @property
    def all_remarks(self) -> list[str]:
        return list(dict.fromkeys([*self.remarks, *(r for line in self.lines for r in line.remarks)]))


class RemittanceAdvice(BaseModel):
    """One 835 transaction: the payment (or not) and the claims it explains."""

    payer_id: str | None = None
    payer_name: str | None = None
    payee_id: str | None = None
    payment_amount: Decimal | None = None  # BPR02
    payment_method: str | None = None  # BPR04: ACH, CHK, NON, ...
    payment_date: date | None = None  # BPR16
    trace_number: str | None = None  # TRN02 (check or EFT number)
    production_date: date | None = None  # DTM*405
    claims: list[RemitClaim] = Field(default_factory=list)
    provider_adjustments: list[Adjustment] = Field(default_factory=list)  # PLB


# ---------------------------------------------------------------------------------------------
# 276 / 277 claim status
# ---------------------------------------------------------------------------------------------

STATUS_CATEGORIES = {
    "A0": "acknowledged: forwarded", "A1": "acknowledged: received", "A2": "acknowledged: accepted",
    "A3": "acknowledged: returned as unprocessable", "A4": "acknowledged: not found", "A6": "acknowledged: rejected, missing information",
    "A7": "acknowledged: rejected, invalid information", "A8": "acknowledged: rejected, relational field error",
    "P0": "pending: adjudication", "P1": "pending: in process", "P2": "pending: payer review", "P3": "pending: provider requested information",
    "P4": "pending: patient requested information", "P5": "pending: payer administrative", "F0": "finalized",
    "F1": "finalized: payment", "F2": "finalized: denial", "F3": "finalized: revised", "F3F": "finalized: forwarded",
    "F3N": "finalized: not forwarded", "F4": "finalized: adjudication complete, no payment forthcoming",
    "R0": "requests for additional information: general", "R1": "requests for additional information: entity",
    "E0": "response not possible: error on submitted request", "E1": "response not possible: system status",
    "E2": "response not possible: payer error", "E3": "response not possible: payer system unavailable",
    "D0": "data search unsuccessful",
}


class StatusCode(BaseModel):
    category: str  # STC01-1
    code: str | None = None  # STC01-2 (claim status code)
    entity: str | None = None  # STC01-3
    on: date | None = None  # STC02
    charge: Decimal | None = None  # STC04
    paid: Decimal | None = None  # STC05

    @property
    def meaning(self) -> str:
        return STATUS_CATEGORIES.get(self.category, self.category)


class ClaimStatusEntry(BaseModel):
    """One claim (or one level's status) of a 277, or one claim asked about in a 276."""

    level: Literal["receiver", "provider", "claim"]
    payer_id: str | None = None
    payer_name: str | None = None
    provider_id: str | None = None
    member_id: str | None = None
    dependent: bool = False
    trace_number: str | None = None  # TRN02
    patient_control_number: str | None = None  # REF*EJ = CLM01
    payer_claim_number: str | None = None  # REF*1K
    charge: Decimal | None = None  # AMT*T3 in a 276
    service_start: date | None = None
    service_end: date | None = None
    statuses: list[StatusCode] = Field(default_factory=list)
    line_codes: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Records kept by the store
# ---------------------------------------------------------------------------------------------


class PayerProfile(BaseModel):
    """A payer as the organization bills it: the rules claims are checked against, and the patient
    registry's payer category (medicare, medicaid, ...) that maps patients to this payer."""

    model_config = ConfigDict(extra="forbid")

    payer_id: str = Field(min_length=1, max_length=80)
    name: str | None = None
    category: str | None = None
    rules: PayerRules


class CoverageRecord(BaseModel):
    """What the registry knows of a patient's coverage with one payer, from a 271 or an 834."""

    id: UUID
    org_id: UUID
    unit_id: UUID | None = None
    patient_key: str  # the payer's member id (what claims and 271s carry)
    payer_id: str
    member_id: str
    status: str  # active / inactive / rejected / unknown / terminated
    plan: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None
    birth_date: date | None = None
    sex: SexCode | None = None
    auth_required_service_types: list[str] = Field(default_factory=list)
    source: str  # "271", "834"
    source_item_id: UUID | None = None
    as_of: date | None = None
    recorded_at: datetime | None = None


class PriorAuthorizationIn(BaseModel):
    """A prior authorization to keep: from the CSV import, or a reviewed prior_auth intake item."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=50)
    payer_id: str = Field(min_length=1, max_length=80)
    member_id: str = Field(min_length=1, max_length=80)
    codes: list[str] = Field(min_length=1, max_length=50)
    units_authorized: Decimal | None = Field(default=None, ge=0)
    start: date
    end: date
    provider_npi: str | None = None
    patient_mrn: str | None = None

    @field_validator("codes")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        out = [c.strip().upper() for c in value if c and c.strip()]
        if not out:
            raise ValueError("at least one service code (CPT/HCPCS)")
        return out

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError("end is before start")
        return end


class PriorAuthorization(PriorAuthorizationIn):
    id: UUID
    org_id: UUID
    unit_id: UUID | None = None
    units_used: Decimal = Decimal(0)
    source: str  # "csv", "intake"
    source_ref: str | None = None
    recorded_by: str
    recorded_at: datetime | None = None


class DenialItem(BaseModel):
    """A denied or underpaid claim on the work list, with its root cause and remedy."""

    id: UUID
    unit_code: str
    claim_key: str
    payer_id: str | None
    kind: Literal["denied", "underpaid"]
    carcs: list[str]
    remarks: list[str] = Field(default_factory=list)
    charge: Decimal | None = None
    paid: Decimal | None = None
    root_cause: str  # a rule id (e.g. "NCCI-001") or "payer-only"
    root_cause_kind: str | None = None  # the exception kind of that rule
    root_cause_detail: str | None = None
    remedy: Literal["appeal", "corrected_claim", "bill_patient", "write_off", "review"]
    appeal_document_id: UUID | None = None
    review_item_id: UUID | None = None
    status: str | None = None  # the review item's status
    created_at: datetime | None = None
