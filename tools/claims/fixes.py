"""Machine-applicable fixes for claim findings: the edits a biller accepts with one decision.

A finding always carries a fix in words (`suggested_fix`); some also have an edit that needs no
judgement beyond agreeing with the finding (append modifier 25 to the E/M line, cut units to the
MUE, bill the fee schedule's charge, drop diagnosis pointers past the end of the list). Those are
`ClaimFix`es; accepting a claim check applies them and makes the claim's next version.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

from models.claims import Claim, ExceptionKind, Finding

Op = Literal["add_modifier", "set_units", "set_charge", "set_pointers"]


class ClaimFix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ExceptionKind
    line_number: int
    op: Op
    value: str  # the modifier, the units, the charge or the pointers ("1,2")
    description: str


def _fix_for(claim: Claim, finding: Finding) -> ClaimFix | None:
    ev = finding.evidence
    if ev.line_number is None:
        return None
    line = next((ln for ln in claim.service_lines if ln.line_number == ev.line_number), None)
    if line is None:
        return None
    if finding.kind == ExceptionKind.modifier_25_missing and "25" not in line.modifiers and len(line.modifiers) < 4:
        return ClaimFix(kind=finding.kind, line_number=line.line_number, op="add_modifier", value="25",
                        description=f"append modifier 25 to line {line.line_number} ({line.code})")
    if finding.kind == ExceptionKind.mue_exceeded and ev.table_row and ev.field == "units":
        try:
            mue = Decimal(ev.table_row.split(",")[1])
        except (IndexError, InvalidOperation):
            return None
        if 0 < mue < line.units:
            return ClaimFix(kind=finding.kind, line_number=line.line_number, op="set_units", value=str(mue),
                            description=f"bill {mue} units on line {line.line_number} ({line.code}), the MUE")
    if finding.kind == ExceptionKind.charge_off_schedule and ev.table_row and "=" in ev.table_row:
        try:
            fee = Decimal(ev.table_row.rsplit("=", 1)[1])
        except InvalidOperation:
            return None
        charge = (fee * line.units).quantize(Decimal("0.01"))
        return ClaimFix(kind=finding.kind, line_number=line.line_number, op="set_charge", value=str(charge),
                        description=f"charge {charge} on line {line.line_number} ({line.code}), the fee schedule's")
    if finding.kind == ExceptionKind.dx_pointer_invalid and claim.diagnoses and line.diagnosis_pointers:
        valid = [p for p in line.diagnosis_pointers if 1 <= p <= len(claim.diagnoses)] or [1]
        if valid != line.diagnosis_pointers:
            return ClaimFix(kind=finding.kind, line_number=line.line_number, op="set_pointers",
                            value=",".join(map(str, valid)),
                            description=f"point line {line.line_number} to diagnoses {','.join(map(str, valid))}")
    return None


def proposed_fixes(claim: Claim, findings: list[Finding]) -> list[ClaimFix]:
    """The machine-applicable fixes of `findings`, one per (line, op), in finding order."""
    out: dict[tuple[int, str], ClaimFix] = {}
    for finding in findings:
        fix = _fix_for(claim, finding)
        if fix is not None:
            out.setdefault((fix.line_number, fix.op), fix)
    return list(out.values())


def apply_fixes(claim: Claim, fixes: list[ClaimFix]) -> Claim:
    """`claim` with `fixes` applied (a new object; the totals follow the lines when the claim had one).

    >>> from datetime import date
    >>> c = Claim.model_validate({"id": "c1", "patient": {"id": "p"}, "subscriber": {"member_id": "m"},
    ...     "coverage": {"payer_id": "x", "member_id": "m"}, "billing_npi": "1234567893",
    ...     "diagnoses": ["M1711"], "submission_date": date(2026, 1, 2),
    ...     "service_lines": [{"line_number": 1, "code": "99213", "service_date": date(2026, 1, 1)}]})
    >>> fix = ClaimFix(kind="modifier_25_missing", line_number=1, op="add_modifier", value="25", description="")
    >>> apply_fixes(c, [fix]).service_lines[0].modifiers
    ['25']
    """
    data = claim.model_dump(mode="json")
    lines = {ln["line_number"]: ln for ln in data["service_lines"]}
    for fix in fixes:
        line = lines.get(fix.line_number)
        if line is None:
            continue
        if fix.op == "add_modifier" and fix.value not in line["modifiers"]:
            line["modifiers"] = line["modifiers"] + [fix.value]
        elif fix.op == "set_units":
            line["units"] = fix.value
        elif fix.op == "set_charge":
            line["charge"] = fix.value
        elif fix.op == "set_pointers":
            line["diagnosis_pointers"] = [int(p) for p in fix.value.split(",")]
    fixed = Claim.model_validate(data)
    if claim.total_charge is not None and all(ln.charge is not None for ln in fixed.service_lines):
        fixed = fixed.model_copy(update={"total_charge": sum((ln.charge for ln in fixed.service_lines), Decimal(0))})
    return fixed
