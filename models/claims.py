"""Professional claims in Handoff JSON, the context claim rules need, and the findings they return.

Shapes only (no I/O): `Claim` is what `POST /api/v1/claims`, the 837P reader and the synthetic
generator produce; `ClaimContext` carries payer rules, authorizations, earlier claims and the
service unit's fee schedule; `ClaimCheck` is what `tools.claims.rules.check_claim` returns.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Sex = Literal["F", "M", "U"]


class ExceptionKind(StrEnum):
    """The claim exception kinds of DESIGN.md; every rule, report and label uses these names."""

    icd_invalid = "icd_invalid"
    icd_not_billable = "icd_not_billable"
    icd_age_conflict = "icd_age_conflict"
    icd_sex_conflict = "icd_sex_conflict"
    dx_pointer_invalid = "dx_pointer_invalid"
    ncci_ptp = "ncci_ptp"
    mue_exceeded = "mue_exceeded"
    addon_without_primary = "addon_without_primary"
    modifier_invalid = "modifier_invalid"
    modifier_25_missing = "modifier_25_missing"
    pos_telehealth_mismatch = "pos_telehealth_mismatch"
    npi_invalid = "npi_invalid"
    auth_missing = "auth_missing"
    auth_expired = "auth_expired"
    coverage_inactive = "coverage_inactive"
    timely_filing = "timely_filing"
    duplicate_claim = "duplicate_claim"
    charge_missing = "charge_missing"
    charge_off_schedule = "charge_off_schedule"
    demographic_mismatch = "demographic_mismatch"


EXCEPTION_KINDS: tuple[str, ...] = tuple(k.value for k in ExceptionKind)


class Severity(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


# ---------------------------------------------------------------------------------------------
# The claim
# ---------------------------------------------------------------------------------------------


class ClaimPatient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # MRN (or the payer's patient id when read from an 837 without one)
    birth_date: date | None = None
    sex: Sex = "U"
    relationship_to_subscriber: str = "18"  # X12 individual relationship code; 18 = self


class Subscriber(BaseModel):
    """The insured person as the claim states them (loop 2010BA)."""

    model_config = ConfigDict(extra="forbid")

    member_id: str
    birth_date: date | None = None
    sex: Sex = "U"


class Coverage(BaseModel):
    """The coverage the claim is billed against (payer, member, plan, dates)."""

    model_config = ConfigDict(extra="forbid")

    payer_id: str
    member_id: str
    plan: str | None = None
    start: date | None = None
    end: date | None = None  # None = open-ended


class ServiceLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_number: int = Field(ge=1)
    code: str  # CPT or HCPCS Level II
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(default=Decimal(1), gt=0)
    charge: Decimal | None = None  # None = missing on the claim
    diagnosis_pointers: list[int] = Field(default_factory=list, max_length=4)  # 1-based into Claim.diagnoses
    service_date: date
    place_of_service: str | None = None  # overrides the claim's when present (SV1-05)

    @field_validator("code")
    @classmethod
    def _upper_code(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("modifiers")
    @classmethod
    def _upper_modifiers(cls, value: list[str]) -> list[str]:
        return [m.strip().upper() for m in value if m and m.strip()]


class Claim(BaseModel):
    """A professional claim (837P / CMS-1500) in Handoff JSON."""

    model_config = ConfigDict(extra="forbid")

    id: str  # patient control number (CLM01) or our own id
    patient: ClaimPatient
    subscriber: Subscriber
    coverage: Coverage
    billing_npi: str
    rendering_npi: str | None = None
    place_of_service: str = "11"
    frequency_code: str = "1"  # 1 original, 7 replacement, 8 void
    diagnoses: list[str] = Field(default_factory=list, max_length=12)  # ICD-10-CM, ordered, no dots
    service_lines: list[ServiceLine] = Field(min_length=1, max_length=50)
    prior_auth_number: str | None = None
    submission_date: date
    total_charge: Decimal | None = None
    service_unit: str | None = None  # the program or department that billed it

    @field_validator("diagnoses")
    @classmethod
    def _normalize_diagnoses(cls, value: list[str]) -> list[str]:
        return [d.strip().upper().replace(".", "") for d in value]

    @property
    def first_service_date(self) -> date:
        return min(line.service_date for line in self.service_lines)

    @property
    def last_service_date(self) -> date:
        return max(line.service_date for line in self.service_lines)


# ---------------------------------------------------------------------------------------------
# What the rules need besides the claim
# ---------------------------------------------------------------------------------------------


class TelehealthRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    places_of_service: list[str] = Field(default_factory=lambda: ["02", "10"])
    modifiers: list[str] = Field(default_factory=lambda: ["95", "GT", "GQ", "FQ", "93"])
    modifier_required: bool = True  # a telehealth POS needs a telehealth modifier on every line
    modifier_only_with_telehealth_pos: bool = True  # a telehealth modifier needs a telehealth POS


class PayerRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payer_id: str
    name: str | None = None
    codes_requiring_auth: list[str] = Field(default_factory=list)
    timely_filing_days: int = Field(default=365, ge=1)
    telehealth: TelehealthRules = Field(default_factory=TelehealthRules)


class Authorization(BaseModel):
    """A prior authorization on file: its number, the codes it covers and its date range."""

    model_config = ConfigDict(extra="forbid")

    number: str
    member_id: str
    codes: list[str]
    start: date
    end: date
    units: Decimal | None = None


class EligibilityRecord(BaseModel):
    """The payer's record of the patient (from a 271 or the enrollment file)."""

    model_config = ConfigDict(extra="forbid")

    member_id: str
    birth_date: date | None = None
    sex: Sex | None = None


class PriorClaim(BaseModel):
    """An earlier claim, reduced to what duplicate detection compares."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str
    patient_id: str
    billing_npi: str
    lines: list[tuple[str, date, tuple[str, ...]]]  # (code, date of service, modifiers)
    voided: bool = False


class FeeSchedule(BaseModel):
    """A service unit's billing profile: the charge per unit for each code."""

    model_config = ConfigDict(extra="forbid")

    service_unit: str
    charges: dict[str, Decimal]
    tolerance: Decimal = Decimal("0.005")  # relative difference still treated as on schedule


class ClaimContext(BaseModel):
    """Everything besides the code tables that a claim is checked against; any part may be absent."""

    model_config = ConfigDict(extra="forbid")

    payer_rules: PayerRules | None = None
    authorizations: list[Authorization] | None = None  # None = not provided; [] = none on file
    eligibility: EligibilityRecord | None = None
    prior_claims: list[PriorClaim] | None = None  # None = not provided; [] = no earlier claims
    fee_schedule: FeeSchedule | None = None


# ---------------------------------------------------------------------------------------------
# What the rules return
# ---------------------------------------------------------------------------------------------


class FindingEvidence(BaseModel):
    """Where a claim rule's finding comes from: the line, the code, and the table row that decided it."""

    model_config = ConfigDict(extra="forbid")

    line_number: int | None = None
    code: str | None = None
    field: str | None = None  # e.g. "diagnoses[2]", "billing_npi", "coverage.end"
    value: str | None = None  # the offending value (never PHI such as names)
    table: str | None = None  # e.g. "ncci_ptp_prac", "icd10cm", "payer_rules"
    table_row: str | None = None  # the row that decided it, as text
    detail: str | None = None


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: str
    kind: ExceptionKind
    severity: Severity
    carc: str  # the denial it prevents, group-code-prefixed, e.g. "CO-16"
    carc_description: str | None = None
    rarc: str | None = None
    message: str
    evidence: FindingEvidence
    suggested_fix: str


class RuleState(StrEnum):
    ran = "ran"
    table_not_loaded = "table_not_loaded"
    context_missing = "context_missing"


class RuleStatus(BaseModel):
    """Whether a rule could run; a rule whose table or context is missing says so, never passes silently."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    kind: ExceptionKind
    state: RuleState
    detail: str | None = None


class ClaimCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim_id: str
    findings: list[Finding]
    statuses: list[RuleStatus]

    @property
    def kinds(self) -> set[str]:
        return {f.kind.value for f in self.findings}

    @property
    def incomplete(self) -> bool:
        """True when at least one rule could not run (its table or context is missing)."""
        return any(s.state != RuleState.ran for s in self.statuses)

    @property
    def max_severity(self) -> Severity | None:
        order = {Severity.low: 0, Severity.medium: 1, Severity.high: 2}
        return max((f.severity for f in self.findings), key=order.__getitem__, default=None)


class LabeledClaim(BaseModel):
    """One line of the labeled claims JSON Lines format (`handoff evals run --suite claims --data`)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    claim: Claim | None = None
    file: str | None = None  # an 837P file, relative to the JSONL, instead of `claim`
    context: ClaimContext = Field(default_factory=ClaimContext)
    expected: list[ExceptionKind] = Field(default_factory=list)
    group: dict[str, str | None] = Field(default_factory=dict)
