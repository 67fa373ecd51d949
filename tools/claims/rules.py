"""Data-driven claim edits: each rule checks a professional claim against the code tables and the
claim's context and returns findings (kind, severity, the CARC it prevents, evidence, a fix).

`check_claim(claim, tables=..., context=...)` runs every rule. A rule whose code table or context
is missing returns no findings and says so in the `RuleStatus` of every result.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models.claims import (
    Claim,
    ClaimCheck,
    ClaimContext,
    ExceptionKind,
    Finding,
    FindingEvidence,
    RuleState,
    RuleStatus,
    ServiceLine,
    Severity,
    TelehealthRules,
)
from models.patients import whole_years
from tools.claims.codes import CodeTables, date_key
from tools.npi import npi_is_valid

K = ExceptionKind

# Modifiers that CMS lists as NCCI-associated: they may bypass a PTP edit whose indicator is 1
# (NCCI Policy Manual, ch. I; "NCCI-associated modifiers").
PTP_BYPASS_MODIFIERS = frozenset({
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
    "LC", "LD", "LM", "LT", "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
    "24", "25", "27", "57", "58", "78", "79", "59", "91", "XE", "XS", "XP", "XU",
})
# On an E/M code only 25 (same-day significant, separately identifiable E/M) and 57 (decision
# for surgery) are appropriate; 59/X{EPSU} must not be used to unbundle an E/M.
EM_BYPASS_MODIFIERS = frozenset({"25", "57"})


def is_evaluation_and_management(code: str) -> bool:
    """CPT E/M codes 99202-99499 (office, hospital, consult, ED, nursing facility, home, prolonged...)."""
    return len(code) == 5 and code.isdigit() and 99202 <= int(code) <= 99499


def npi_check_digit_valid(npi: str) -> bool:
    """An NPI as CMS issues it: starts with 1 or 2, and its check digit fits (tools.npi).

    >>> npi_check_digit_valid("1234567893"), npi_check_digit_valid("1234567890")
    (True, False)
    """
    return npi[:1] in ("1", "2") and npi_is_valid(npi)


# ---------------------------------------------------------------------------------------------
# Rule plumbing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    kind: ExceptionKind
    severity: Severity
    carc: str
    rarc: str | None
    tables: tuple[str, ...]  # CodeTables attributes the rule needs
    context: tuple[str, ...]  # ClaimContext attributes the rule needs (None = not provided)
    check: Callable[..., Iterable[Finding]]  # (rule, claim, tables, context, prepared) -> findings
    description: str


class _Prepared:
    """Per-claim facts several rules share (computed once)."""

    __slots__ = ("lines_by_day", "codes_by_day", "age")

    def __init__(self, claim: Claim):
        self.lines_by_day: dict[date, list[ServiceLine]] = defaultdict(list)
        for line in claim.service_lines:
            self.lines_by_day[line.service_date].append(line)
        self.codes_by_day = {day: {line.code for line in lines} for day, lines in self.lines_by_day.items()}
        birth = claim.patient.birth_date
        self.age = whole_years(birth, claim.first_service_date) if birth else None


def _finding(rule: Rule, tables: CodeTables, message: str, fix: str, *, severity: Severity | None = None,
             carc: str | None = None, rarc: str | None = None, **evidence) -> Finding:
    carc = carc or rule.carc
    # model_construct: the values are built here from validated inputs; skipping validation keeps
    # the rules layer well above 1,000 claims/s.
    return Finding.model_construct(
        rule_id=rule.id,
        kind=rule.kind,
        severity=severity or rule.severity,
        carc=carc,
        carc_description=tables.describe_adjustment(carc),
        rarc=rarc if rarc is not None else rule.rarc,
        message=message,
        evidence=FindingEvidence.model_construct(**{**dict.fromkeys(FindingEvidence.model_fields), **evidence}),
        suggested_fix=fix,
    )


# ---------------------------------------------------------------------------------------------
# Diagnosis rules
# ---------------------------------------------------------------------------------------------


def _check_icd_exists(rule, claim, tables, context, prep):
    icd = tables.icd10cm
    for index, code in enumerate(claim.diagnoses, start=1):
        if code not in icd.codes:
            yield _finding(rule, tables, f"Diagnosis {index} ({code}) is not an ICD-10-CM code.",
                           "Correct the diagnosis to a valid ICD-10-CM code for the date of service (check for typos, dropped characters or an ICD-9 code).",
                           field=f"diagnoses[{index}]", code=code, value=code, table="icd10cm",
                           detail="not in the ICD-10-CM code table")


def _billable_children(tables: CodeTables, code: str, limit: int = 3) -> list[str]:
    icd = tables.icd10cm
    ordered = getattr(icd, "_sorted_billable", None)
    if ordered is None:
        ordered = sorted(icd.billable)
        icd._sorted_billable = ordered  # cached on the table: built once, on the first finding
    start = bisect.bisect_left(ordered, code)
    out = []
    for candidate in ordered[start:start + limit]:
        if candidate.startswith(code):
            out.append(candidate)
    return out


def _check_icd_billable(rule, claim, tables, context, prep):
    icd = tables.icd10cm
    for index, code in enumerate(claim.diagnoses, start=1):
        if code in icd.codes and code not in icd.billable:
            children = _billable_children(tables, code)
            hint = f" e.g. {', '.join(children)}" if children else ""
            yield _finding(rule, tables, f"Diagnosis {index} ({code}) is a header, not a billable ICD-10-CM code.",
                           f"Code to the highest specificity: use a billable code under {code}{hint}.",
                           field=f"diagnoses[{index}]", code=code, value=code, table="icd10cm",
                           table_row=f"{code} billable=0")


def _check_icd_age(rule, claim, tables, context, prep):
    if prep.age is None:
        return
    icd = tables.icd10cm
    for index, code in enumerate(claim.diagnoses, start=1):
        edit = icd.age_edits.get(code)
        if edit and not (edit[0] <= prep.age <= edit[1]):
            yield _finding(rule, tables, f"Diagnosis {index} ({code}) is for ages {edit[0]}-{edit[1]}; the patient is {prep.age}.",
                           "Check the diagnosis and the patient's date of birth; code the condition that fits the patient's age.",
                           field=f"diagnoses[{index}]", code=code, value=str(prep.age), table="icd10cm_age_edits",
                           table_row=f"{code} ages {edit[0]}-{edit[1]}", detail=icd.sources[edit[2]])


def _check_icd_sex(rule, claim, tables, context, prep):
    sex = claim.patient.sex
    if sex not in ("F", "M"):
        return
    icd = tables.icd10cm
    for index, code in enumerate(claim.diagnoses, start=1):
        edit = icd.sex_edits.get(code)
        if edit and edit[0] != sex:
            yield _finding(rule, tables, f"Diagnosis {index} ({code}) applies to sex {edit[0]}; the patient's sex is {sex}.",
                           "Check the diagnosis and the patient's recorded sex; correct whichever is wrong.",
                           field=f"diagnoses[{index}]", code=code, value=sex, table="icd10cm_sex_edits",
                           table_row=f"{code} sex={edit[0]}", detail=icd.sources[edit[1]])


def _check_dx_pointers(rule, claim, tables, context, prep):
    count = len(claim.diagnoses)
    if count == 0:
        yield _finding(rule, tables, "The claim has no diagnosis codes.", "Add the ICD-10-CM diagnoses that support the services.",
                       field="diagnoses", detail="no diagnoses")
        return
    for line in claim.service_lines:
        pointers = line.diagnosis_pointers
        if not pointers:
            yield _finding(rule, tables, f"Line {line.line_number} ({line.code}) points to no diagnosis.",
                           "Point the line to the diagnosis (1-12) that supports it.",
                           line_number=line.line_number, code=line.code, field="diagnosis_pointers", value="")
            continue
        bad = [p for p in pointers if p < 1 or p > count]
        if bad or len(set(pointers)) != len(pointers):
            yield _finding(rule, tables, f"Line {line.line_number} ({line.code}) has diagnosis pointers {pointers} but the claim lists {count} diagnoses.",
                           f"Use pointers between 1 and {count}, each once, primary first.",
                           line_number=line.line_number, code=line.code, field="diagnosis_pointers",
                           value=",".join(map(str, pointers)))


# ---------------------------------------------------------------------------------------------
# NCCI and modifier rules
# ---------------------------------------------------------------------------------------------


def _bypasses(line: ServiceLine, pair_is_em: bool) -> bool:
    """Whether the line carries a modifier that may bypass an indicator-1 edit.

    For a procedure + E/M pair only 25/57 on the E/M count; otherwise 25/57 count only on an E/M
    line (on a procedure they are themselves errors, see MOD-001).
    """
    if pair_is_em:
        return is_evaluation_and_management(line.code) and not EM_BYPASS_MODIFIERS.isdisjoint(line.modifiers)
    for modifier in line.modifiers:
        if modifier in PTP_BYPASS_MODIFIERS and (modifier not in EM_BYPASS_MODIFIERS or is_evaluation_and_management(line.code)):
            return True
    return False


def _check_ptp(rule, claim, tables, context, prep):
    ptp = tables.ptp
    for day, lines in prep.lines_by_day.items():
        if len(lines) < 2:
            continue
        day_key = date_key(day)
        for first in lines:
            if not ptp.has_code(first.code):
                continue
            for second in lines:
                if second is first or second.code == first.code:
                    continue
                for hit in ptp.edits_for(first.code, second.code, day_key):
                    if hit.modifier_indicator == 9:
                        continue
                    second_is_em = is_evaluation_and_management(second.code)
                    if hit.modifier_indicator == 1:
                        if _bypasses(first, second_is_em) or _bypasses(second, second_is_em):
                            continue
                        if second_is_em and not is_evaluation_and_management(first.code):
                            # The E/M is bundled into the procedure; MOD-002 reports the missing 25
                            # beside this finding (a biller sees both: the edit and its bypass).
                            fix = (f"If the E/M {second.code} was significant and separately identifiable from {first.code}, document it "
                                   f"and append modifier 25 to line {second.line_number}; otherwise remove line {second.line_number}.")
                        else:
                            fix = (f"If {second.code} was a distinct service (separate site, session or encounter), document it and append an "
                                   f"NCCI-associated modifier (59 or XE/XS/XP/XU, or an anatomic modifier); otherwise remove line {second.line_number}.")
                    else:
                        fix = f"Remove line {second.line_number} ({second.code}): it is bundled into {first.code} and no modifier can bypass this edit."
                    deletion = "none" if hit.deletion_date == 99991231 else str(hit.deletion_date)
                    yield _finding(rule, tables,
                                   f"{second.code} (line {second.line_number}) is a column-2 code of {first.code} (line {first.line_number}) on {day.isoformat()}.",
                                   fix, line_number=second.line_number, code=second.code, field="service_lines",
                                   value=f"{first.code}+{second.code}", table="ncci_ptp_prac",
                                   table_row=f"{hit.column1_code},{hit.column2_code},deletion={deletion},modifier_indicator={hit.modifier_indicator}",
                                   detail=hit.rationale)


def _check_mue(rule, claim, tables, context, prep):
    limits = tables.mue.limits
    for day, lines in prep.lines_by_day.items():
        per_day: dict[str, Decimal] = defaultdict(Decimal)
        last_line: dict[str, ServiceLine] = {}
        for line in lines:
            limit = limits.get(line.code)
            if limit is None:
                continue
            units, mai, rationale = limit
            per_day[line.code] += line.units
            last_line[line.code] = line
            if mai == 1 and line.units > units:
                yield _finding(rule, tables, f"Line {line.line_number} bills {line.units} units of {line.code}; the MUE is {units} per line.",
                               f"Bill at most {units} units on the line, or split across lines only with documented, separately identifiable services (e.g. modifier 76/91/XE).",
                               line_number=line.line_number, code=line.code, field="units", value=str(line.units),
                               table="ncci_mue", table_row=f"{line.code},{units},mai={mai}", detail=rationale)
        for code, total in per_day.items():
            units, mai, rationale = limits[code]
            if mai in (2, 3) and total > units:
                line = last_line[code]
                yield _finding(rule, tables, f"{total} units of {code} on {day.isoformat()}; the MUE is {units} per day.",
                               f"Reduce the units of {code} to at most {units} for the day" + (
                                   " (MAI 2: a policy limit, not appealable)." if mai == 2 else " (MAI 3: appeal with records if truly medically necessary)."),
                               line_number=line.line_number, code=code, field="units", value=str(total),
                               table="ncci_mue", table_row=f"{code},{units},mai={mai}", detail=rationale)


def _check_add_on(rule, claim, tables, context, prep):
    add_ons = tables.add_on.add_ons
    for day, lines in prep.lines_by_day.items():
        codes = prep.codes_by_day[day]
        for line in lines:
            entry = add_ons.get(line.code)
            if entry is None:
                continue
            edit_type, primaries = entry
            if edit_type == 2 or not primaries:
                continue  # CMS lists no primaries (contractor-defined): nothing checkable
            if primaries.isdisjoint(codes):
                examples = ", ".join(sorted(primaries)[:5])
                yield _finding(rule, tables, f"Add-on code {line.code} (line {line.line_number}) is billed without one of its primary procedures on {day.isoformat()}.",
                               f"Bill the primary procedure on the same date (one of: {examples}{'...' if len(primaries) > 5 else ''}) or remove the add-on.",
                               severity=Severity.high if edit_type == 1 else Severity.medium,
                               line_number=line.line_number, code=line.code, field="code", value=line.code,
                               table="ncci_add_on", table_row=f"add_on={line.code},type={edit_type},primaries={len(primaries)}")


def _check_modifiers(rule, claim, tables, context, prep):
    known = tables.modifiers
    for line in claim.service_lines:
        seen: set[str] = set()
        for position, modifier in enumerate(line.modifiers, start=1):
            problem = None
            if modifier not in known:
                problem = f"modifier {modifier} is not a CPT or HCPCS modifier"
                fix = f"Remove or correct modifier {modifier} on line {line.line_number}."
            elif modifier in seen:
                problem = f"modifier {modifier} is repeated"
                fix = f"List modifier {modifier} once on line {line.line_number}."
            elif modifier in ("25", "57") and not is_evaluation_and_management(line.code):
                problem = f"modifier {modifier} is for E/M services and {line.code} is not one"
                fix = f"Move modifier {modifier} to the E/M line, or use 59/XE/XS/XP/XU on the procedure if it is distinct."
            seen.add(modifier)
            if problem:
                yield _finding(rule, tables, f"Line {line.line_number} ({line.code}): {problem}.", fix,
                               line_number=line.line_number, code=line.code, field=f"modifiers[{position}]",
                               value=modifier, table="modifiers", table_row=f"{modifier}: {known.get(modifier, 'not found')}")


def _check_modifier_25(rule, claim, tables, context, prep):
    """An E/M needs 25 exactly when it and a same-day procedure form an active PTP pair (procedure in
    column 1, the E/M in column 2) whose modifier indicator is 1: the data, not a CPT range, decides.
    Codes with no global period (venipuncture, lab panels) have no such pair with an office E/M."""
    ptp = tables.ptp
    for day, lines in prep.lines_by_day.items():
        em_lines = [line for line in lines if is_evaluation_and_management(line.code)]
        if not em_lines:
            continue
        procedures = [line for line in lines if not is_evaluation_and_management(line.code)]
        day_key = date_key(day)
        for em in em_lines:
            if EM_BYPASS_MODIFIERS.intersection(em.modifiers):
                continue
            for procedure in procedures:
                hits = [h for h in ptp.edits_for(procedure.code, em.code, day_key) if h.modifier_indicator == 1]
                if hits:
                    deletion = "none" if hits[0].deletion_date == 99991231 else str(hits[0].deletion_date)
                    yield _finding(rule, tables,
                                   f"E/M {em.code} (line {em.line_number}) is billed with procedure {procedure.code} on {day.isoformat()} without modifier 25.",
                                   f"If the E/M was significant and separately identifiable from the procedure, document it and append modifier 25 to line {em.line_number}; otherwise remove the E/M.",
                                   line_number=em.line_number, code=em.code, field="modifiers", value=",".join(em.modifiers),
                                   table="ncci_ptp_prac",
                                   table_row=f"{procedure.code},{em.code},deletion={deletion},modifier_indicator=1",
                                   detail=hits[0].rationale)
                    break


def _check_telehealth(rule, claim, tables, context, prep):
    rules = context.payer_rules.telehealth if context.payer_rules else TelehealthRules()
    tele_pos = set(rules.places_of_service)
    tele_mods = set(rules.modifiers)
    for line in claim.service_lines:
        pos = line.place_of_service or claim.place_of_service
        has_mod = bool(tele_mods.intersection(line.modifiers))
        if pos in tele_pos and rules.modifier_required and not has_mod:
            yield _finding(rule, tables, f"Line {line.line_number} ({line.code}) is billed at telehealth place of service {pos} without a telehealth modifier.",
                           f"Append the payer's telehealth modifier ({'/'.join(rules.modifiers[:3])}) or correct the place of service.",
                           line_number=line.line_number, code=line.code, field="place_of_service", value=pos,
                           table="payer_rules.telehealth", table_row=f"pos={sorted(tele_pos)} modifier_required=True")
        elif has_mod and pos not in tele_pos and rules.modifier_only_with_telehealth_pos:
            yield _finding(rule, tables, f"Line {line.line_number} ({line.code}) carries a telehealth modifier but place of service {pos} is not telehealth.",
                           f"Use place of service {' or '.join(sorted(tele_pos))} for a telehealth visit, or remove the telehealth modifier for an in-person visit.",
                           line_number=line.line_number, code=line.code, field="place_of_service", value=pos,
                           table="payer_rules.telehealth", table_row=f"pos={sorted(tele_pos)}")


# ---------------------------------------------------------------------------------------------
# Provider, payer and context rules
# ---------------------------------------------------------------------------------------------


def _check_npi(rule, claim, tables, context, prep):
    for field_name, rarc in (("billing_npi", "N257"), ("rendering_npi", "N290")):
        npi = getattr(claim, field_name)
        if npi is None:
            continue
        if not npi_check_digit_valid(npi):
            label = field_name.split("_")[0]
            yield _finding(rule, tables, f"The {label} NPI fails the NPI format or check digit.",
                           "Re-enter the NPI from NPPES (10 digits starting with 1 or 2; last digit is a Luhn check digit over 80840 + the first 9).",
                           rarc=rarc, field=field_name, value=npi, table="npi_check_digit")


def _auth_candidates(claim, context, code):
    member = claim.coverage.member_id
    return [a for a in context.authorizations if code in a.codes and a.member_id == member
            and (claim.prior_auth_number is None or a.number == claim.prior_auth_number)]


def _auth_lines(claim, context):
    required = set(context.payer_rules.codes_requiring_auth)
    return [line for line in claim.service_lines if line.code in required]


def _check_auth_missing(rule, claim, tables, context, prep):
    for line in _auth_lines(claim, context):
        candidates = _auth_candidates(claim, context, line.code)
        if not candidates:
            detail = (f"authorization {claim.prior_auth_number} is not on file for this member and code"
                      if claim.prior_auth_number else "no authorization number on the claim and none on file")
            yield _finding(rule, tables, f"{context.payer_rules.payer_id} requires prior authorization for {line.code} (line {line.line_number}); none applies.",
                           "Obtain the authorization (or a retro-authorization) and put its number on the claim before submitting.",
                           line_number=line.line_number, code=line.code, field="prior_auth_number",
                           value=claim.prior_auth_number, table="payer_rules.codes_requiring_auth",
                           table_row=f"{context.payer_rules.payer_id}:{line.code}", detail=detail)
        elif claim.prior_auth_number is None:
            numbers = ", ".join(sorted({a.number for a in candidates}))
            yield _finding(rule, tables, f"Line {line.line_number} ({line.code}) needs prior authorization and the claim carries no authorization number.",
                           f"Add the authorization number on file ({numbers}) to the claim (REF*G1).",
                           severity=Severity.medium, rarc="M62", line_number=line.line_number, code=line.code,
                           field="prior_auth_number", table="authorizations", table_row=numbers)


def _check_auth_expired(rule, claim, tables, context, prep):
    for line in _auth_lines(claim, context):
        candidates = _auth_candidates(claim, context, line.code)
        if candidates and not any(a.start <= line.service_date <= a.end for a in candidates):
            spans = "; ".join(f"{a.number} {a.start.isoformat()}..{a.end.isoformat()}" for a in candidates)
            yield _finding(rule, tables, f"The authorization for {line.code} (line {line.line_number}) does not cover the date of service {line.service_date.isoformat()}.",
                           "Request an extension or a new authorization covering the date of service, then resubmit with its number.",
                           line_number=line.line_number, code=line.code, field="service_date",
                           value=line.service_date.isoformat(), table="authorizations", table_row=spans)


def _check_coverage(rule, claim, tables, context, prep):
    coverage = claim.coverage
    for line in claim.service_lines:
        day = line.service_date
        if coverage.start and day < coverage.start:
            yield _finding(rule, tables, f"Line {line.line_number} was provided on {day.isoformat()}, before coverage started ({coverage.start.isoformat()}).",
                           "Verify eligibility for the date of service; bill the coverage active then, or the patient.",
                           carc="CO-26", line_number=line.line_number, code=line.code, field="coverage.start",
                           value=day.isoformat(), table="coverage", table_row=f"{coverage.payer_id} {coverage.start}..{coverage.end or 'open'}")
        elif coverage.end and day > coverage.end:
            yield _finding(rule, tables, f"Line {line.line_number} was provided on {day.isoformat()}, after coverage ended ({coverage.end.isoformat()}).",
                           "Verify eligibility (270/271) for the date of service; bill the new coverage or the patient.",
                           line_number=line.line_number, code=line.code, field="coverage.end",
                           value=day.isoformat(), table="coverage", table_row=f"{coverage.payer_id} {coverage.start or 'open'}..{coverage.end}")


def _check_timely_filing(rule, claim, tables, context, prep):
    limit = context.payer_rules.timely_filing_days
    for line in claim.service_lines:
        elapsed = (claim.submission_date - line.service_date).days
        if elapsed > limit:
            yield _finding(rule, tables, f"Line {line.line_number} is submitted {elapsed} days after its date of service; {context.payer_rules.payer_id} allows {limit}.",
                           "Submit only with proof of timely filing (an earlier acceptance report) or a payer-approved exception; otherwise it is not billable to the payer.",
                           line_number=line.line_number, code=line.code, field="submission_date", value=str(elapsed),
                           table="payer_rules.timely_filing_days", table_row=f"{context.payer_rules.payer_id}:{limit}")


def _check_duplicate(rule, claim, tables, context, prep):
    if claim.frequency_code in ("7", "8"):
        return  # a replacement or void refers to an earlier claim on purpose
    mine = {(line.code, line.service_date, tuple(sorted(line.modifiers))): line for line in claim.service_lines}
    for prior in context.prior_claims:
        if prior.voided or prior.claim_id == claim.id or prior.patient_id != claim.patient.id or prior.billing_npi != claim.billing_npi:
            continue
        for code, day, modifiers in prior.lines:
            line = mine.get((code, day, tuple(sorted(modifiers))))
            if line is not None:
                yield _finding(rule, tables, f"Line {line.line_number} ({code} on {day.isoformat()}) was already billed on claim {prior.claim_id}.",
                               f"Do not resubmit; follow up on claim {prior.claim_id}, or send a replacement (frequency 7) if it needs correcting.",
                               line_number=line.line_number, code=code, field="service_lines", value=prior.claim_id,
                               table="prior_claims", table_row=f"{prior.claim_id}:{code}:{day.isoformat()}")


def _check_charge_missing(rule, claim, tables, context, prep):
    for line in claim.service_lines:
        if line.charge is None or line.charge <= 0:
            yield _finding(rule, tables, f"Line {line.line_number} ({line.code}) has no charge.",
                           "Enter the charge from the service unit's fee schedule.",
                           line_number=line.line_number, code=line.code, field="charge",
                           value=None if line.charge is None else str(line.charge))


def _check_charge_schedule(rule, claim, tables, context, prep):
    schedule = context.fee_schedule
    for line in claim.service_lines:
        if line.charge is None or line.charge <= 0:
            continue  # charge_missing owns it
        fee = schedule.charges.get(line.code)
        if fee is None:
            yield _finding(rule, tables, f"{line.code} (line {line.line_number}) is not on the {schedule.service_unit} fee schedule.",
                           "Check the code; if it is right, add it to the unit's billing profile before billing it.",
                           severity=Severity.low, line_number=line.line_number, code=line.code, field="code",
                           table="fee_schedule", table_row=f"{schedule.service_unit}:{line.code} not found")
            continue
        expected = fee * line.units
        if abs(line.charge - expected) > schedule.tolerance * expected:
            yield _finding(rule, tables, f"Line {line.line_number} charges {line.charge} for {line.units} x {line.code}; the {schedule.service_unit} fee schedule says {expected}.",
                           f"Charge {expected} ({fee} per unit), or correct the units.",
                           line_number=line.line_number, code=line.code, field="charge", value=str(line.charge),
                           table="fee_schedule", table_row=f"{schedule.service_unit}:{line.code}={fee}")


def _check_demographics(rule, claim, tables, context, prep):
    patient, subscriber = claim.patient, claim.subscriber
    problems: list[tuple[str, str, str]] = []  # (field, what, rarc)
    eligibility = context.eligibility
    if eligibility is not None:
        if eligibility.member_id != claim.coverage.member_id:
            problems.append(("coverage.member_id", "member id differs from the payer's eligibility record", "N382"))
        if eligibility.birth_date and patient.birth_date and eligibility.birth_date != patient.birth_date:
            problems.append(("patient.birth_date", "date of birth differs from the payer's eligibility record", "N329"))
        if eligibility.sex in ("F", "M") and patient.sex in ("F", "M") and eligibility.sex != patient.sex:
            problems.append(("patient.sex", "sex differs from the payer's eligibility record", "MA39"))
    if patient.relationship_to_subscriber == "18":  # the patient is the subscriber: both records must agree
        if subscriber.birth_date and patient.birth_date and subscriber.birth_date != patient.birth_date:
            problems.append(("subscriber.birth_date", "patient is the subscriber but the dates of birth differ", "N329"))
        if subscriber.sex in ("F", "M") and patient.sex in ("F", "M") and subscriber.sex != patient.sex:
            problems.append(("subscriber.sex", "patient is the subscriber but the sexes differ", "MA39"))
        if subscriber.member_id != claim.coverage.member_id:
            problems.append(("subscriber.member_id", "subscriber member id differs from the coverage member id", "N382"))
    for field_name, what, rarc in problems:
        # Values are PHI (DOB, sex): evidence names the field, never the values.
        yield _finding(rule, tables, f"Demographic mismatch: {what}.",
                       "Verify the patient's demographics against the insurance card and a fresh eligibility response (271); correct the registration.",
                       rarc=rarc, field=field_name, table="eligibility" if field_name.startswith(("patient", "coverage")) else "claim")


RULES: tuple[Rule, ...] = (
    Rule("DX-001", K.icd_invalid, Severity.high, "CO-146", "M76", ("icd10cm",), (), _check_icd_exists,
         "Every diagnosis is an ICD-10-CM code."),
    Rule("DX-002", K.icd_not_billable, Severity.high, "CO-16", "M81", ("icd10cm",), (), _check_icd_billable,
         "Every diagnosis is billable (a leaf, coded to the highest specificity)."),
    Rule("DX-003", K.icd_age_conflict, Severity.high, "CO-9", None, ("icd10cm",), (), _check_icd_age,
         "Diagnoses restricted to an age range fit the patient's age on the date of service."),
    Rule("DX-004", K.icd_sex_conflict, Severity.high, "CO-10", "MA39", ("icd10cm",), (), _check_icd_sex,
         "Sex-specific diagnoses fit the patient's sex."),
    Rule("DX-005", K.dx_pointer_invalid, Severity.high, "CO-16", "M76", (), (), _check_dx_pointers,
         "Every line points to 1-4 existing diagnoses."),
    Rule("NCCI-001", K.ncci_ptp, Severity.high, "CO-236", "N20", ("ptp",), (), _check_ptp,
         "NCCI procedure-to-procedure edits in force on the date of service, honouring the modifier indicator."),
    Rule("NCCI-002", K.mue_exceeded, Severity.high, "CO-151", "N362", ("mue",), (), _check_mue,
         "Units within the practitioner MUE (per line for MAI 1, per day for MAI 2/3)."),
    Rule("NCCI-003", K.addon_without_primary, Severity.high, "CO-107", None, ("add_on",), (), _check_add_on,
         "Add-on codes are billed with one of their primary codes on the same date."),
    Rule("MOD-001", K.modifier_invalid, Severity.medium, "CO-4", None, ("modifiers",), (), _check_modifiers,
         "Modifiers exist, are not repeated, and 25/57 sit only on E/M codes."),
    Rule("MOD-002", K.modifier_25_missing, Severity.high, "CO-4", "N822", ("ptp",), (), _check_modifier_25,
         "An E/M that forms an active PTP pair (indicator 1) with a same-day procedure carries modifier 25."),
    Rule("POS-001", K.pos_telehealth_mismatch, Severity.medium, "CO-5", "M77", (), (), _check_telehealth,
         "Telehealth place of service (02/10) and telehealth modifiers (95/GT/...) agree, per the payer."),
    Rule("PRV-001", K.npi_invalid, Severity.high, "CO-16", None, (), (), _check_npi,
         "Billing and rendering NPIs pass the format and Luhn check digit (80840 prefix)."),
    Rule("PAY-001", K.auth_missing, Severity.high, "CO-197", None, (), ("payer_rules", "authorizations"), _check_auth_missing,
         "Codes the payer requires prior authorization for have one on file and on the claim."),
    Rule("PAY-002", K.auth_expired, Severity.high, "CO-302", "N54", (), ("payer_rules", "authorizations"), _check_auth_expired,
         "The authorization covers the date of service."),
    Rule("PAY-003", K.coverage_inactive, Severity.high, "CO-27", None, (), (), _check_coverage,
         "Coverage is active on every date of service."),
    Rule("PAY-004", K.timely_filing, Severity.high, "CO-29", None, (), ("payer_rules",), _check_timely_filing,
         "The claim is submitted within the payer's timely filing limit."),
    Rule("PAY-005", K.duplicate_claim, Severity.high, "OA-18", None, (), ("prior_claims",), _check_duplicate,
         "No line repeats a line of an earlier claim (same patient, provider, code, date, modifiers)."),
    Rule("CHG-001", K.charge_missing, Severity.high, "CO-16", "M79", (), (), _check_charge_missing,
         "Every line has a positive charge."),
    Rule("CHG-002", K.charge_off_schedule, Severity.medium, "CO-45", None, (), ("fee_schedule",), _check_charge_schedule,
         "Charges match the service unit's fee schedule."),
    Rule("DEM-001", K.demographic_mismatch, Severity.high, "CO-31", None, (), (), _check_demographics,
         "Patient, subscriber and the payer's eligibility record agree on member id, birth date and sex."),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


def rule_catalog() -> list[dict[str, str | None]]:
    """One row per rule (id, kind, severity, CARC, RARC, tables, context, description), for docs and the API."""
    return [{"id": r.id, "kind": r.kind.value, "severity": r.severity.value, "carc": r.carc, "rarc": r.rarc,
             "tables": ",".join(r.tables) or None, "context": ",".join(r.context) or None, "description": r.description}
            for r in RULES]


def _status(rule: Rule, tables: CodeTables, context: ClaimContext, claim: Claim) -> RuleStatus:
    missing_tables = [name for name in rule.tables if getattr(tables, name) is None]
    if missing_tables:
        return RuleStatus.model_construct(rule_id=rule.id, kind=rule.kind, state=RuleState.table_not_loaded,
                                          detail=f"code table not loaded: {', '.join(missing_tables)}")
    missing_context = [name for name in rule.context if getattr(context, name) is None]
    if missing_context:
        return RuleStatus.model_construct(rule_id=rule.id, kind=rule.kind, state=RuleState.context_missing,
                                          detail=f"context not provided: {', '.join(missing_context)}")
    if rule.kind == K.coverage_inactive and claim.coverage.start is None and claim.coverage.end is None:
        return RuleStatus.model_construct(rule_id=rule.id, kind=rule.kind, state=RuleState.context_missing,
                                          detail="coverage dates unknown")
    return RuleStatus.model_construct(rule_id=rule.id, kind=rule.kind, state=RuleState.ran, detail=None)


def check_claim(claim: Claim, *, tables: CodeTables, context: ClaimContext | None = None,
                rules: Iterable[Rule] = RULES) -> ClaimCheck:
    """Run every rule on one claim; findings plus one status per rule (ran / table not loaded / context missing)."""
    context = context or ClaimContext()
    prep = _Prepared(claim)
    findings: list[Finding] = []
    statuses: list[RuleStatus] = []
    for rule in rules:
        status = _status(rule, tables, context, claim)
        statuses.append(status)
        if status.state is RuleState.ran:
            findings.extend(rule.check(rule, claim, tables, context, prep))
    return ClaimCheck.model_construct(claim_id=claim.id, findings=findings, statuses=statuses)
