"""Seeded synthetic professional claims, clean or with injected errors of every claim exception kind,
labeled (`expected: [...]`) with the context the rules need, plus the JSON Lines writer and reader.

Codes come from the real tables (billable ICD-10-CM codes without age/sex edits, active NCCI PTP
pairs, MUE limits, type-1 add-on codes), so the rules are exercised against real data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from models.claims import (
    EXCEPTION_KINDS,
    Authorization,
    Claim,
    ClaimContext,
    ClaimPatient,
    Coverage,
    EligibilityRecord,
    FeeSchedule,
    LabeledClaim,
    PayerRules,
    PriorClaim,
    ServiceLine,
    Subscriber,
    TelehealthRules,
)
from models.patients import Patient
from tools.claims.codes import CodeTables, date_key
from tools.npi import npi_check_digit

EM_CODES = ("99202", "99203", "99204", "99212", "99213", "99214")
LAB_CODES = ("36415", "85025", "80053", "83036", "84443", "80061", "81002", "87880", "82947", "87804")
PROCEDURE_CODES = ("11102", "17110", "20610", "69210", "96372", "93000", "J1100", "90686")
AUTH_CODES = ("70551", "72148", "97110", "90837")
# Kinds whose injection adds service lines; they are not combined with telehealth claims because
# the new lines would not carry the telehealth modifier.
LINE_ADDING = {"ncci_ptp", "addon_without_primary", "modifier_25_missing"}
INCOMPATIBLE = [
    {"charge_missing", "charge_off_schedule"},
    {"auth_missing", "auth_expired"},
    {"icd_invalid", "icd_not_billable"},
]
INJECTION_ORDER = {kind: 1 for kind in EXCEPTION_KINDS} | {
    "icd_invalid": 0, "icd_not_billable": 0, "charge_missing": 1.5, "charge_off_schedule": 1.5, "dx_pointer_invalid": 1.7,
    "modifier_25_missing": 2, "duplicate_claim": 3}
SERVICE_UNITS = ("family_medicine", "behavioral_health", "imaging")
FIRST_NAMES = ("Ana", "Ben", "Chen", "Dina", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo")
LAST_NAMES = ("Alvarez", "Baker", "Chu", "Diaz", "Evans", "Fischer", "Garcia", "Huang", "Ito", "Jones")


def npi_with_check_digit(nine_digits: str) -> str:
    """Append the NPI check digit (tools.npi) to 9 digits."""
    return nine_digits + str(npi_check_digit(nine_digits))


def make_patients(n: int, *, seed: int = 0) -> list[Patient]:
    """A tiny standalone population (synthetic names, all ages, F/M/X) for tests and benches.

    >>> len(make_patients(3, seed=1))
    3
    """
    rng = random.Random(seed)
    payers = ("medicare", "medicaid", "commercial", "commercial", "tricare")
    patients = []
    for i in range(n):
        age_days = rng.choice([rng.randint(0, 365), rng.randint(366, 17 * 365), rng.randint(18 * 365, 90 * 365),
                               rng.randint(18 * 365, 60 * 365)])
        patients.append(Patient(
            id=f"MRN{seed:03d}{i:06d}",
            given_name=rng.choice(FIRST_NAMES),
            family_name=rng.choice(LAST_NAMES),
            birth_date=date(2025, 1, 1) - timedelta(days=age_days),
            sex=rng.choices(("F", "M", "X"), weights=(49, 49, 2))[0],
            payer=rng.choice(payers),
            member_id=f"M{rng.randint(10**8, 10**9 - 1)}",
        ))
    return patients


def default_payer_rules() -> dict[str, PayerRules]:
    """Payer rules of the synthetic clinic, by Patient.payer."""
    return {
        "medicare": PayerRules(payer_id="MCR01", name="Medicare", codes_requiring_auth=["70551", "72148"],
                               timely_filing_days=365),
        "medicaid": PayerRules(payer_id="MCD01", name="Medicaid", codes_requiring_auth=list(AUTH_CODES),
                               timely_filing_days=120, telehealth=TelehealthRules(modifiers=["GT", "95"])),
        "commercial": PayerRules(payer_id="COM01", name="Commercial PPO", codes_requiring_auth=list(AUTH_CODES),
                                 timely_filing_days=90),
        "tricare": PayerRules(payer_id="TRI01", name="Tricare", codes_requiring_auth=["70551", "72148", "90837"],
                              timely_filing_days=365),
        "self_pay": PayerRules(payer_id="SELF", name="Self pay", timely_filing_days=3650),
    }


class ClaimFactory:
    """Builds clean claims and injects errors, with pools of real codes drawn from the tables."""

    def __init__(self, tables: CodeTables, *, seed: int = 0):
        missing = [name for name, ok in tables.loaded().items() if not ok and name in ("icd10cm", "ptp", "mue", "add_on", "modifiers")]
        if missing:
            raise ValueError(f"synthetic claims need these code tables loaded: {missing}")
        self.tables = tables
        self.rng = random.Random(seed)
        icd = tables.icd10cm
        clean = sorted(c for c in icd.billable if c not in icd.age_edits and c not in icd.sex_edits
                       and c[0] in "EFGIJKLMR")  # common outpatient chapters
        self.dx_pool = self.rng.sample(clean, 400)
        headers = sorted(c for c in icd.codes - icd.billable if c not in icd.age_edits and c not in icd.sex_edits and c[0] in "EIJKLM")
        self.header_pool = self.rng.sample(headers, 200)
        edits = sorted(c for c in icd.billable if c in icd.age_edits and c not in icd.sex_edits)
        self.age_pool = [(c, icd.age_edits[c][0], icd.age_edits[c][1]) for c in edits]
        self.sex_pool = {sex: sorted(c for c, (s, _) in icd.sex_edits.items() if s == sex and c in icd.billable and c not in icd.age_edits)
                         for sex in ("F", "M")}
        self.ptp_pairs = self._sample_ptp_pairs(300)
        self.add_on_pool = sorted(code for code, (kind, primaries) in tables.add_on.add_ons.items()
                                  if kind == 1 and primaries and code[:1].isdigit() and code[-1].isdigit()
                                  and not code.startswith("99")  # E/M-section add-ons (prolonged services)
                                  and tables.mue.limits.get(code, (1,))[0] >= 1)
        self.bad_modifiers = [m for m in ("Z9", "0Q", "5X", "K9", "Y7") if m not in tables.modifiers]
        self.payer_rules = default_payer_rules()
        self.fee_schedules = {unit: FeeSchedule(service_unit=unit, charges={}) for unit in SERVICE_UNITS}
        self._claim_counter = 0

    # -- pools -----------------------------------------------------------------------------------

    def _sample_ptp_pairs(self, n: int) -> list[tuple[str, str, int]]:
        ptp = self.tables.ptp
        mue = self.tables.mue.limits
        add_ons = self.tables.add_on.add_ons
        pairs: list[tuple[str, str, int]] = []
        tries = 0
        while len(pairs) < n and tries < n * 200:
            tries += 1
            i = self.rng.randrange(len(ptp.keys))
            if ptp.deletion[i] != 99991231 or ptp.indicator[i] not in (0, 1):
                continue
            key = int(ptp.keys[i])
            c1, c2 = ptp.codes[key // ptp.stride], ptp.codes[key % ptp.stride]
            if not all(c.isdigit() and len(c) == 5 and not c.startswith("99") for c in (c1, c2)):
                continue
            if c1 in add_ons or c2 in add_ons or c1 in AUTH_CODES or c2 in AUTH_CODES:
                continue
            if mue.get(c1, (1,))[0] < 1 or mue.get(c2, (1,))[0] < 1:
                continue
            pairs.append((c1, c2, int(ptp.indicator[i])))
        return pairs

    def _fee(self, unit: str, code: str) -> Decimal:
        charges = self.fee_schedules[unit].charges
        if code not in charges:
            # Deterministic per code, so every unit's schedule is stable for a seed.
            base = 25 + (int.from_bytes(code.encode(), "little") % 400)
            charges[code] = Decimal(base).quantize(Decimal("0.01"))
        return charges[code]

    def _has_edit(self, first: str, second: str, day: date) -> list:
        return [h for h in self.tables.ptp.edits_for(first, second, date_key(day)) if h.modifier_indicator in (0, 1)]

    def _lines_conflict(self, codes: Sequence[str], day: date, *, ignore_em_pairs: bool) -> bool:
        """True when any two codes form a PTP edit in force (optionally ignoring procedure+E/M pairs bypassed by 25)."""
        for a in codes:
            for b in codes:
                if a == b:
                    continue
                for hit in self._has_edit(a, b, day):
                    if ignore_em_pairs and b in EM_CODES and a not in EM_CODES and hit.modifier_indicator == 1:
                        continue
                    return True
        return False

    def _em_needs_25(self, codes: Sequence[str], day: date) -> bool:
        """An E/M needs 25 when a same-day procedure has an active indicator-1 PTP edit with it in
        column 2 (the data decides; a venipuncture or lab panel has none with an office E/M)."""
        return any(c not in EM_CODES and any(h.modifier_indicator == 1 for h in self._has_edit(c, em, day))
                   for c in codes for em in codes if em in EM_CODES)

    # -- clean claims ------------------------------------------------------------------------------

    def clean_claim(self, patient: Patient, *, template: str, day: date) -> tuple[Claim, ClaimContext]:
        rng = self.rng
        unit = {"auth_service": "imaging", "telehealth_em": "behavioral_health"}.get(template, "family_medicine")
        for _ in range(50):
            codes: list[str]
            if template == "office_em":
                codes = [rng.choice(EM_CODES)]
            elif template == "office_em_lab":
                codes = [rng.choice(EM_CODES), *rng.sample(LAB_CODES, rng.randint(1, 2))]
            elif template == "office_em_proc":
                codes = [rng.choice(EM_CODES), rng.choice(PROCEDURE_CODES)]
            elif template == "proc_only":
                codes = rng.sample(PROCEDURE_CODES + LAB_CODES, rng.randint(1, 2))
            elif template == "auth_service":
                codes = [rng.choice(AUTH_CODES)]
            elif template == "telehealth_em":
                codes = [rng.choice(EM_CODES)]
            else:
                raise ValueError(f"unknown template {template!r}")
            if not self._lines_conflict(codes, day, ignore_em_pairs=True):
                break
        else:
            raise RuntimeError("could not draw a conflict-free set of codes")
        dx = rng.sample(self.dx_pool, rng.randint(1, 3))
        pos = rng.choice(["10", "02"]) if template == "telehealth_em" else ("22" if template == "auth_service" and rng.random() < 0.3 else "11")
        payer = self.payer_rules[patient.payer]
        needs_25 = self._em_needs_25(codes, day)
        lines = []
        for number, code in enumerate(codes, start=1):
            modifiers: list[str] = []
            if code in EM_CODES and needs_25:
                modifiers.append("25")
            if template == "telehealth_em":
                modifiers.append(payer.telehealth.modifiers[0])
            units = Decimal(1)
            if code == "97110":
                units = Decimal(rng.randint(1, 3))
            lines.append(ServiceLine(line_number=number, code=code, modifiers=modifiers, units=units,
                                     charge=self._fee(unit, code) * units,
                                     diagnosis_pointers=sorted(rng.sample(range(1, len(dx) + 1), rng.randint(1, len(dx)))),
                                     service_date=day))
        sex = patient.sex if patient.sex in ("F", "M") else "U"
        member = patient.member_id or f"M{patient.id}"
        start = day - timedelta(days=rng.randint(30, 900))
        end = None if rng.random() < 0.6 else day + timedelta(days=rng.randint(1, 400))
        self._claim_counter += 1
        auth_number = None
        authorizations: list[Authorization] = []
        if any(code in payer.codes_requiring_auth for code in codes):
            auth_number = f"PA{rng.randint(10**6, 10**7 - 1)}"
            authorizations.append(Authorization(number=auth_number, member_id=member, codes=list(codes),
                                                start=day - timedelta(days=rng.randint(1, 60)),
                                                end=day + timedelta(days=rng.randint(0, 90))))
        rendering = npi_with_check_digit(f"1{rng.randint(10**7, 10**8 - 1)}")
        claim = Claim(
            id=f"CLM{self._claim_counter:07d}",
            patient=ClaimPatient(id=patient.id, birth_date=patient.birth_date, sex=sex, relationship_to_subscriber="18"),
            subscriber=Subscriber(member_id=member, birth_date=patient.birth_date, sex=sex),
            coverage=Coverage(payer_id=payer.payer_id, member_id=member, plan=payer.name, start=start, end=end),
            billing_npi=npi_with_check_digit(f"1{rng.randint(10**7, 10**8 - 1)}"),
            rendering_npi=rendering,
            place_of_service=pos,
            diagnoses=dx,
            service_lines=lines,
            prior_auth_number=auth_number,
            submission_date=day + timedelta(days=rng.randint(1, 30)),
            service_unit=unit,
        )
        prior: list[PriorClaim] = []
        if rng.random() < 0.5:  # an earlier visit of the same patient: not a duplicate
            earlier = day - timedelta(days=rng.randint(7, 120))
            prior.append(PriorClaim(claim_id=f"OLD{self._claim_counter:07d}", patient_id=patient.id,
                                    billing_npi=claim.billing_npi, lines=[(code, earlier, ()) for code in codes]))
        context = ClaimContext(
            payer_rules=payer,
            authorizations=authorizations,
            eligibility=EligibilityRecord(member_id=member, birth_date=patient.birth_date, sex=sex if sex != "U" else None),
            prior_claims=prior,
            fee_schedule=self.fee_schedules[unit],
        )
        return claim, context

    # -- injections --------------------------------------------------------------------------------

    def _add_line(self, claim: Claim, code: str, *, units: Decimal = Decimal(1), modifiers: list[str] | None = None) -> ServiceLine:
        line = ServiceLine(line_number=len(claim.service_lines) + 1, code=code, modifiers=modifiers or [], units=units,
                           charge=self._fee(claim.service_unit, code) * units, diagnosis_pointers=[1],
                           service_date=claim.service_lines[0].service_date)
        claim.service_lines.append(line)
        return line

    def _ensure_25(self, claim: Claim) -> None:
        for line in claim.service_lines:
            if line.code in EM_CODES and "25" not in line.modifiers:
                line.modifiers.append("25")

    def inject(self, kind: str, claim: Claim, context: ClaimContext, patient: Patient) -> bool:
        """Introduce one error of `kind`; False when this claim cannot carry it."""
        rng = self.rng
        day = claim.service_lines[0].service_date
        age = patient.age_on(day)
        if kind == "icd_invalid":
            code = rng.choice(self.dx_pool)
            bogus = rng.choice([code[:3] + "9" * (7 - 3) + "Z", "250" + code[-2:], code + "X9"])
            if bogus in self.tables.icd10cm.codes:
                return False
            claim.diagnoses[rng.randrange(len(claim.diagnoses))] = bogus
        elif kind == "icd_not_billable":
            claim.diagnoses[rng.randrange(len(claim.diagnoses))] = rng.choice(self.header_pool)
        elif kind == "icd_age_conflict":
            options = [code for code, lo, hi in self.age_pool if not lo <= age <= hi]
            if not options or len(claim.diagnoses) >= 12:
                return False
            claim.diagnoses.append(rng.choice(options))
        elif kind == "icd_sex_conflict":
            if claim.patient.sex not in ("F", "M") or len(claim.diagnoses) >= 12:
                return False
            claim.diagnoses.append(rng.choice(self.sex_pool["M" if claim.patient.sex == "F" else "F"]))
        elif kind == "dx_pointer_invalid":
            line = rng.choice(claim.service_lines)
            line.diagnosis_pointers = rng.choice([[len(claim.diagnoses) + 1], [], [1, 1]])
        elif kind == "ncci_ptp":
            existing = [line.code for line in claim.service_lines]
            for _ in range(30):
                c1, c2, _indicator = rng.choice(self.ptp_pairs)
                codes = [*existing, c1, c2]
                # only the intended pair may conflict: the rest must stay clean
                if not self._lines_conflict([*existing, c1], day, ignore_em_pairs=True) and not self._lines_conflict([*existing, c2], day, ignore_em_pairs=True):
                    break
            else:
                return False
            self._add_line(claim, c1)
            self._add_line(claim, c2)
            if self._em_needs_25(codes, day):
                self._ensure_25(claim)
        elif kind == "mue_exceeded":
            line = rng.choice(claim.service_lines)
            limit = self.tables.mue.limits.get(line.code)
            if limit is None:
                return False
            line.units = Decimal(limit[0] + rng.randint(1, 3))
            line.charge = self._fee(claim.service_unit, line.code) * line.units
        elif kind == "addon_without_primary":
            existing = [line.code for line in claim.service_lines]
            for _ in range(30):
                code = rng.choice(self.add_on_pool)
                if self.tables.add_on.add_ons[code][1].isdisjoint(existing) and not self._lines_conflict(
                        [*existing, code], day, ignore_em_pairs=True):
                    break
            else:
                return False
            self._add_line(claim, code)
            if self._em_needs_25([*existing, code], day):
                self._ensure_25(claim)
        elif kind == "modifier_invalid":
            candidates = [line for line in claim.service_lines if len(line.modifiers) < 4]
            if not candidates:
                return False
            line = rng.choice(candidates)
            if line.code not in EM_CODES and rng.random() < 0.3:
                line.modifiers.append("25")
            else:
                line.modifiers.append(rng.choice(self.bad_modifiers))
        elif kind == "modifier_25_missing":
            existing = [line.code for line in claim.service_lines]
            em_lines = [line for line in claim.service_lines if line.code in EM_CODES]
            if not em_lines:
                em = rng.choice(EM_CODES)
                if self._lines_conflict([*existing, em], day, ignore_em_pairs=True):
                    return False
                self._add_line(claim, em)
                existing.append(em)
            for _ in range(30):
                code = rng.choice(("11102", "17110", "20610", "69210", "96372", "94640"))
                if (code not in existing and not self._lines_conflict([*existing, code], day, ignore_em_pairs=True)
                        and self._em_needs_25([*existing, code], day)):
                    break
            else:
                return False
            self._add_line(claim, code)
            for line in claim.service_lines:
                if line.code in EM_CODES:
                    line.modifiers = [m for m in line.modifiers if m not in ("25", "57")]
        elif kind == "pos_telehealth_mismatch":
            tele = context.payer_rules.telehealth
            if claim.place_of_service in tele.places_of_service:
                for line in claim.service_lines:
                    line.modifiers = [m for m in line.modifiers if m not in tele.modifiers]
            else:
                line = rng.choice(claim.service_lines)
                if len(line.modifiers) >= 4:
                    return False
                line.modifiers.append(tele.modifiers[0])
        elif kind == "npi_invalid":
            field = rng.choice(["billing_npi", "rendering_npi"])
            npi = getattr(claim, field)
            setattr(claim, field, npi[:9] + str((int(npi[9]) + rng.randint(1, 9)) % 10))
        elif kind == "auth_missing":
            if not context.authorizations:
                return False
            if rng.random() < 0.5:
                claim.prior_auth_number = None
            else:
                claim.prior_auth_number = f"PA{rng.randint(10**6, 10**7 - 1)}X"
            context.authorizations = []
        elif kind == "auth_expired":
            if not context.authorizations:
                return False
            auth = context.authorizations[0]
            auth.end = day - timedelta(days=rng.randint(1, 60))
            auth.start = auth.end - timedelta(days=rng.randint(30, 180))
        elif kind == "coverage_inactive":
            if rng.random() < 0.5:
                claim.coverage.end = day - timedelta(days=rng.randint(1, 200))
                claim.coverage.start = claim.coverage.end - timedelta(days=rng.randint(200, 700))
            else:
                claim.coverage.start = day + timedelta(days=rng.randint(1, 60))
                claim.coverage.end = None
        elif kind == "timely_filing":
            claim.submission_date = claim.last_service_date + timedelta(days=context.payer_rules.timely_filing_days + rng.randint(1, 90))
        elif kind == "duplicate_claim":
            context.prior_claims = [*(context.prior_claims or []), PriorClaim(
                claim_id=f"DUP{rng.randint(10**6, 10**7 - 1)}", patient_id=claim.patient.id, billing_npi=claim.billing_npi,
                lines=[(line.code, line.service_date, tuple(line.modifiers)) for line in claim.service_lines])]
        elif kind == "charge_missing":
            rng.choice(claim.service_lines).charge = rng.choice([None, Decimal(0)])
        elif kind == "charge_off_schedule":
            line = rng.choice(claim.service_lines)
            line.charge = (line.charge * Decimal(rng.choice(["1.37", "0.5", "2", "0.9"]))).quantize(Decimal("0.01"))
        elif kind == "demographic_mismatch":
            choice = rng.choice(["dob", "sex", "member", "subscriber_dob"])
            if choice == "dob" and claim.patient.birth_date:
                context.eligibility.birth_date = claim.patient.birth_date + timedelta(days=rng.choice([1, 31, 365, 3650]))
            elif choice == "sex" and claim.patient.sex in ("F", "M"):
                context.eligibility.sex = "M" if claim.patient.sex == "F" else "F"
            elif choice == "member":
                context.eligibility.member_id = context.eligibility.member_id + "01"
            else:
                claim.subscriber.birth_date = claim.patient.birth_date - timedelta(days=rng.choice([1, 40, 365]))
        else:
            raise ValueError(f"unknown exception kind {kind!r}")
        return True


def _pick_template(rng: random.Random, kinds: Sequence[str]) -> str:
    kinds = set(kinds)
    if kinds & {"auth_missing", "auth_expired"}:
        return "auth_service"
    if kinds & LINE_ADDING:
        return rng.choice(["office_em", "office_em_lab", "office_em_proc", "proc_only"])
    if "pos_telehealth_mismatch" in kinds:
        return rng.choice(["office_em", "telehealth_em"])
    return rng.choice(["office_em", "office_em", "office_em_lab", "office_em_proc", "proc_only", "auth_service", "telehealth_em"])


def generate_labeled_claims(
    patients: Sequence[Patient],
    *,
    tables: CodeTables,
    n: int,
    seed: int = 0,
    error_rate: float = 0.5,
    kinds: Sequence[str] = EXCEPTION_KINDS,
    start: date = date(2024, 10, 1),
    end: date = date(2025, 6, 30),
) -> list[LabeledClaim]:
    """`n` labeled claims: about `error_rate` of them carry 1-2 injected errors (kinds cycle so all appear).

    Dates of service fall in [start, end] (ICD-10-CM FY2025 and NCCI 2024Q3 edits in force).
    """
    if not patients:
        raise ValueError("patients must not be empty")
    factory = ClaimFactory(tables, seed=seed)
    rng = factory.rng
    span = (end - start).days
    out: list[LabeledClaim] = []
    cycle = 0
    for i in range(n):
        wanted: list[str] = []
        if rng.random() < error_rate:
            wanted.append(kinds[cycle % len(kinds)])
            cycle += 1
            if rng.random() < 0.3:
                other = rng.choice(kinds)
                if other != wanted[0] and not any({wanted[0], other} <= pair for pair in INCOMPATIBLE) and not (
                        {wanted[0], other} & LINE_ADDING and "pos_telehealth_mismatch" in {wanted[0], other}):
                    wanted.append(other)
        # Order matters: replacements of a diagnosis before appended ones, modifier 25 removal after
        # the kinds that add lines (they may add 25), duplicate_claim last (it copies the final lines).
        wanted.sort(key=INJECTION_ORDER.get)
        for _attempt in range(20):
            patient = rng.choice(patients)
            day = start + timedelta(days=rng.randint(0, span))
            claim, context = factory.clean_claim(patient, template=_pick_template(rng, wanted), day=day)
            expected = [kind for kind in wanted if factory.inject(kind, claim, context, patient)]
            if len(expected) == len(wanted):
                break
        if "modifier_25_missing" in expected and "ncci_ptp" not in expected:
            # An E/M without 25 beside a procedure that bundles it hits that PTP edit too; a
            # biller lists both (the edit and the missing bypass).
            expected.append("ncci_ptp")
        claim = Claim.model_validate(claim.model_dump())  # re-validate after in-place injections
        out.append(LabeledClaim(id=f"syn-{seed}-{i:06d}", claim=claim, context=context, expected=expected,
                                group={"sex": patient.sex, "age_band": patient.group_on(day).age_band, "payer": patient.payer}))
    return out


def write_labeled_claims(items: Iterable[LabeledClaim], path: Path) -> int:
    """Write labeled claims as JSON Lines; returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(item.model_dump_json(exclude_none=True) + "\n")
            count += 1
    return count


class LabeledClaimsError(ValueError):
    """A line of a labeled claims file breaks the format; names the line number."""


def claims_of(item: LabeledClaim, *, base_dir: Path) -> list[Claim]:
    """The claim(s) of a labeled item: its inline `claim`, or the 837P `file` (relative to the JSONL)."""
    if item.claim is not None:
        return [item.claim]
    from tools.claims.x12_837 import read_837p

    return read_837p(Path(base_dir) / item.file)


def read_labeled_claims(path: Path) -> list[LabeledClaim]:
    """Read labeled claims JSON Lines; a bad line raises `LabeledClaimsError` naming its line number."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                item = LabeledClaim.model_validate(json.loads(text))
            except (json.JSONDecodeError, ValueError) as exc:
                raise LabeledClaimsError(f"{path}: line {number}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None
            if item.claim is None and item.file is None:
                raise LabeledClaimsError(f"{path}: line {number}: needs `claim` or `file`")
            items.append(item)
    return items
