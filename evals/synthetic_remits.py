"""Seeded synthetic claim history with remittance outcomes (denied or paid, with the CARC), from the
synthetic claims generator: a payer simulator that denies what the rules catch and more.

How the simulated payers adjudicate (the model card quotes this):

1. **Rule-expressible errors are always denied.** A claim labeled with any exception kind (an
   injected error the rules layer is built to catch) is denied with the CARC of the rule for its
   first kind (e.g. `ncci_ptp` -> CO-236, `timely_filing` -> CO-29); every kind's CARC is listed.
2. **Medical necessity by payer, CPT and diagnosis chapter** (CO-50, an LCD/NCD-style policy the
   rules do not encode): Medicare pays 83036 (HbA1c) and 84443 (TSH) only with an endocrine
   diagnosis (ICD-10-CM chapter E), 80061 (lipid panel) only with E or I, 93000 (ECG) only with I
   or R; the commercial PPO pays 20610 (arthrocentesis) only with M and 87880 (rapid strep) only
   with J or R; Medicaid pays 81002 (urinalysis) and 85025 (CBC) only with R, D or E. Without a
   supporting diagnosis the line is denied with probability 0.85.
3. **Telehealth new-patient visits** (CO-5): the commercial PPO and Tricare deny new-patient E/M
   (99202-99204) billed at POS 10 (patient's home) with probability 0.9.
4. **High-charge outliers** (CO-252, records requested): the commercial PPO and Medicaid deny
   claims whose total charge is at least $600 with probability 0.5.
5. **Payer frequency limits** (CO-119): Medicaid and the commercial PPO pay at most 2 units of
   97110 a day (probability 0.95 when exceeded); Medicare pays 96372 (injection) at most once a
   claim (2+ units: 0.9).
6. **Provider credentialing gaps** (CO-B7): two family-medicine clinicians of the synthetic roster
   are not enrolled with Medicaid; Medicaid denies their claims with probability 0.95.
7. **Noise**: a base denial rate per payer (Medicare 2%, Medicaid 5%, commercial 4%, Tricare 3%,
   self-pay 0%) for reasons no claim feature predicts (CO-16 missing information, CO-22
   coordination of benefits, CO-96 non-covered).

Behaviours 2-6 are learnable from claim features (payer, CPT, diagnosis chapter, POS, charges,
units, rendering provider); 7 is not. Each claim also carries `p_denial`, the simulator's true
denial probability, so an evaluation can report the best any model could do (the oracle).
The history's rendering NPIs come from a fixed roster (8 clinicians per service unit) instead of
the generator's fresh NPI per claim, so provider patterns exist; a claim whose injected error is
`npi_invalid` keeps its invalid NPI.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from evals.synthetic_claims import SERVICE_UNITS, generate_labeled_claims, make_patients, npi_with_check_digit
from models.claims import LabeledClaim
from tools.claims.rules import RULES
from tools.claims.codes import CodeTables

# The CARC of the rule for each exception kind, in rule order (the first kind of a claim decides).
KIND_CARC: dict[str, str] = {}
for _rule in RULES:
    KIND_CARC.setdefault(_rule.kind.value, _rule.carc)
KIND_ORDER = {rule.kind.value: i for i, rule in enumerate(RULES)}

MEDICAL_NECESSITY: dict[str, dict[str, frozenset[str]]] = {
    "MCR01": {"83036": frozenset("E"), "84443": frozenset("E"), "80061": frozenset("EI"), "93000": frozenset("IR")},
    "COM01": {"20610": frozenset("M"), "87880": frozenset("JR")},
    "MCD01": {"81002": frozenset("RDE"), "85025": frozenset("RDE")},
}
MEDICAL_NECESSITY_P = 0.85
TELEHEALTH_NEW_PATIENT_PAYERS = frozenset({"COM01", "TRI01"})
NEW_PATIENT_EM = frozenset({"99202", "99203", "99204"})
TELEHEALTH_NEW_PATIENT_P = 0.9
HIGH_CHARGE_PAYERS = frozenset({"COM01", "MCD01"})
HIGH_CHARGE_AMOUNT = Decimal(600)
HIGH_CHARGE_P = 0.5
FREQUENCY_LIMITS: dict[str, dict[str, tuple[int, float]]] = {  # payer -> code -> (max units a day, p)
    "MCD01": {"97110": (2, 0.95)},
    "COM01": {"97110": (2, 0.95)},
    "MCR01": {"96372": (1, 0.9)},
}
CREDENTIALING_P = 0.95
BASE_DENIAL_RATE = {"MCR01": 0.02, "MCD01": 0.05, "COM01": 0.04, "TRI01": 0.03, "SELF": 0.0}
NOISE_CARCS = ("CO-16", "CO-22", "CO-96")
ROSTER_PER_UNIT = 8


class Remittance(BaseModel):
    """The payer's answer to one claim (as an 835 would carry it), plus the simulator's truth."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str
    payer_id: str
    denied: bool
    carc: str | None = None  # group-prefixed, e.g. "CO-50"; None when paid
    carcs: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)  # "rule:<kind>" or a behaviour name
    p_denial: float | None = Field(default=None, ge=0.0, le=1.0)  # simulator's truth (None in a real 835)
    adjudicated: date


@dataclass
class ClaimHistory:
    """Labeled claims with their remittances, aligned and sorted by submission date."""

    items: list[LabeledClaim]
    remits: list[Remittance]
    seed: int
    roster: dict[str, list[str]]  # service unit -> rendering NPIs
    uncredentialed: dict[str, list[str]]  # payer id -> rendering NPIs it does not pay

    def __len__(self) -> int:
        return len(self.items)

    def slice(self, start: int, stop: int) -> ClaimHistory:
        return ClaimHistory(self.items[start:stop], self.remits[start:stop], self.seed, self.roster, self.uncredentialed)

    @property
    def denied(self) -> list[bool]:
        return [r.denied for r in self.remits]

    def sha256(self) -> str:
        """Fingerprint of the claims and outcomes (the model's data hash)."""
        digest = hashlib.sha256()
        for item, remit in zip(self.items, self.remits, strict=True):
            digest.update(item.model_dump_json(exclude_none=True).encode())
            digest.update(f"|{remit.denied}|{remit.carc}\n".encode())
        return digest.hexdigest()


def provider_roster(*, seed: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(service unit -> 8 rendering NPIs, payer -> NPIs not credentialed with it), seeded."""
    rng = random.Random(f"roster-{seed}")
    roster = {unit: [npi_with_check_digit(f"1{rng.randint(10**7, 10**8 - 1)}") for _ in range(ROSTER_PER_UNIT)]
              for unit in SERVICE_UNITS}
    return roster, {"MCD01": roster["family_medicine"][:2]}


def _stable_rng(seed: int, claim_id: str) -> random.Random:
    # Per-claim RNG: a claim's outcome does not depend on which other claims are in the batch.
    return random.Random(int.from_bytes(hashlib.sha256(f"{seed}|{claim_id}".encode()).digest()[:8], "little"))


def adjudicate(item: LabeledClaim, *, seed: int, uncredentialed: dict[str, Sequence[str]] | None = None) -> Remittance:
    """Simulate the payer's decision on one labeled claim (see the module docstring)."""
    claim = item.claim
    if claim is None:
        raise ValueError(f"item {item.id}: adjudication needs an inline claim")
    rng = _stable_rng(seed, item.id)
    payer = claim.coverage.payer_id
    submitted = claim.submission_date
    adjudicated = submitted + timedelta(days=rng.randint(10, 30))
    expected = sorted({k.value for k in item.expected}, key=KIND_ORDER.get)
    if expected:
        carcs = list(dict.fromkeys(KIND_CARC[k] for k in expected))
        return Remittance(claim_id=claim.id, payer_id=payer, denied=True, carc=carcs[0], carcs=carcs,
                          reasons=[f"rule:{k}" for k in expected], p_denial=1.0, adjudicated=adjudicated)
    # (behaviour, carc, probability) of every hidden payer behaviour that applies to this claim
    risks: list[tuple[str, str, float]] = []
    chapters = {dx[:1] for dx in claim.diagnoses}
    necessity = MEDICAL_NECESSITY.get(payer, {})
    units_by_code: dict[str, Decimal] = {}
    for line in claim.service_lines:
        units_by_code[line.code] = units_by_code.get(line.code, Decimal(0)) + line.units
        supported = necessity.get(line.code)
        if supported is not None and chapters.isdisjoint(supported):
            risks.append(("medical_necessity", "CO-50", MEDICAL_NECESSITY_P))
        pos = line.place_of_service or claim.place_of_service
        if payer in TELEHEALTH_NEW_PATIENT_PAYERS and pos == "10" and line.code in NEW_PATIENT_EM:
            risks.append(("telehealth_new_patient", "CO-5", TELEHEALTH_NEW_PATIENT_P))
    total = sum((line.charge or Decimal(0) for line in claim.service_lines), Decimal(0))
    if payer in HIGH_CHARGE_PAYERS and total >= HIGH_CHARGE_AMOUNT:
        risks.append(("high_charge_records", "CO-252", HIGH_CHARGE_P))
    for code, (limit, p) in FREQUENCY_LIMITS.get(payer, {}).items():
        if units_by_code.get(code, Decimal(0)) > limit:
            risks.append(("frequency_limit", "CO-119", p))
    if claim.rendering_npi in (uncredentialed or {}).get(payer, ()):
        risks.append(("provider_credentialing", "CO-B7", CREDENTIALING_P))
    base = BASE_DENIAL_RATE.get(payer, 0.03)
    if base > 0:
        risks.append(("noise", rng.choice(NOISE_CARCS), base))
    p_paid = 1.0
    hits: list[tuple[str, str]] = []
    for behaviour, carc, p in risks:
        p_paid *= 1.0 - p
        if rng.random() < p:
            hits.append((behaviour, carc))
    carcs = list(dict.fromkeys(c for _, c in hits))
    return Remittance(claim_id=claim.id, payer_id=payer, denied=bool(hits), carc=carcs[0] if carcs else None,
                      carcs=carcs, reasons=list(dict.fromkeys(b for b, _ in hits)), p_denial=round(1.0 - p_paid, 6),
                      adjudicated=adjudicated)


def simulate_remits(items: Iterable[LabeledClaim], *, seed: int,
                    uncredentialed: dict[str, Sequence[str]] | None = None) -> list[Remittance]:
    """One remittance per labeled claim, seeded per claim id."""
    return [adjudicate(item, seed=seed, uncredentialed=uncredentialed) for item in items]


def assign_roster(items: Iterable[LabeledClaim], *, roster: dict[str, list[str]], seed: int) -> None:
    """Give each claim a rendering NPI from its service unit's roster (in place); invalid NPIs stay."""
    rng = random.Random(f"assign-{seed}")
    for item in items:
        claim = item.claim
        if claim is None or "npi_invalid" in {k.value for k in item.expected}:
            continue
        claim.rendering_npi = rng.choice(roster.get(claim.service_unit or "family_medicine", roster["family_medicine"]))


def generate_claim_history(
    tables: CodeTables,
    *,
    n: int,
    seed: int = 0,
    error_rate: float = 0.3,
    n_patients: int = 1500,
    start: date = date(2024, 10, 1),
    end: date = date(2025, 6, 30),
) -> ClaimHistory:
    """`n` labeled claims (about `error_rate` with injected errors) with simulated remittances,
    sorted by submission date (so a time split is a slice)."""
    patients = make_patients(n_patients, seed=seed)
    items = generate_labeled_claims(patients, tables=tables, n=n, seed=seed, error_rate=error_rate, start=start, end=end)
    roster, uncredentialed = provider_roster(seed=seed)
    assign_roster(items, roster=roster, seed=seed)
    items.sort(key=lambda i: (i.claim.submission_date, i.id))
    remits = simulate_remits(items, seed=seed, uncredentialed=uncredentialed)
    return ClaimHistory(items, remits, seed, roster, uncredentialed)


def write_claim_history(history: ClaimHistory, path: Path) -> int:
    """JSON Lines in the labeled-claims format with a `remit` object per line (readers ignore it
    unless they ask for it, see `read_remits`)."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for item, remit in zip(history.items, history.remits, strict=True):
            doc = json.loads(item.model_dump_json(exclude_none=True))
            doc["remit"] = json.loads(remit.model_dump_json())
            fh.write(json.dumps(doc) + "\n")
            count += 1
    return count


def read_remits(path: Path) -> dict[str, Remittance]:
    """Item id -> remittance for the lines of a labeled-claims file that carry a `remit` object."""
    out: dict[str, Remittance] = {}
    with open(path, encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            doc = json.loads(text)
            if isinstance(doc, dict) and doc.get("remit") is not None:
                try:
                    out[str(doc["id"])] = Remittance.model_validate(doc["remit"])
                except ValueError as exc:
                    raise ValueError(f"{path}: line {number}: bad remit: {str(exc).splitlines()[0]}") from None
    return out


# ---------------------------------------------------------------------------------------------
# The simulated payer answers in X12 835, as a real one would
# ---------------------------------------------------------------------------------------------

PAID_SHARE = Decimal("0.80")  # the simulated payers allow 80% of the charge on a paid claim


def write_835(pairs: Sequence[tuple], *, payer_name: str = "SIMULATED PAYER", control_number: int = 1,
              production: date | None = None) -> str:
    """An 835 interchange answering each (Claim, Remittance) pair: one transaction per payer; a
    denied claim is CLP02 4 with its CARCs as claim-level CO adjustments of the full charge, a paid
    one pays 80% with the rest as CO-45. pyx12's writer computes the trailers' counts."""
    import io

    import pyx12.segment
    import pyx12.x12file

    out = io.StringIO()
    writer = pyx12.x12file.X12Writer(out, seg_term="~", ele_term="*", subele_term=":", eol="\n", repetition_term="^")

    def put(*elements: str) -> None:
        writer.Write(pyx12.segment.Segment("*".join(elements), "~", "*", ":"))

    production = production or max((r.adjudicated for _, r in pairs), default=date(2025, 1, 1))
    isa = f"{control_number:09d}"
    put("ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'SIMPAYER':<15}", "ZZ", f"{'HANDOFF':<15}",
        production.strftime("%y%m%d"), "1200", "^", "00501", isa, "0", "T", ":")
    put("GS", "HP", "SIMPAYER", "HANDOFF", production.strftime("%Y%m%d"), "1200", str(control_number), "X", "005010X221A1")
    by_payer: dict[str, list[tuple]] = {}
    for claim, remit in pairs:
        by_payer.setdefault(claim.coverage.payer_id, []).append((claim, remit))
    for st, (payer_id, group) in enumerate(sorted(by_payer.items()), start=1):
        total = Decimal(0)
        body: list[tuple[str, ...]] = []
        for claim, remit in group:
            charge = sum((ln.charge or Decimal(0) for ln in claim.service_lines), Decimal(0))
            if remit.denied:
                paid = Decimal("0.00")
                body.append(("CLP", claim.id, "4", f"{charge:.2f}", "0.00", "", "12", f"SIM{claim.id}"))
                reasons = [c.split("-", 1) for c in (remit.carcs or [remit.carc or "CO-16"])]
                # One CAS per group: the first reason carries the whole charge, the others are named.
                for n, parts in enumerate(reasons[:5]):
                    group, reason = (parts[0], parts[1]) if len(parts) == 2 else ("CO", parts[0])
                    body.append(("CAS", group, reason, f"{charge if n == 0 else Decimal('0.01'):.2f}"))
            else:
                paid = (charge * PAID_SHARE).quantize(Decimal("0.01"))
                body.append(("CLP", claim.id, "1", f"{charge:.2f}", f"{paid:.2f}", "", "12", f"SIM{claim.id}"))
                if charge > paid:
                    body.append(("CAS", "CO", "45", f"{charge - paid:.2f}"))
            body.append(("NM1", "QC", "1", "", "", "", "", "", "MI", claim.coverage.member_id))
            for line in claim.service_lines:
                line_charge = line.charge or Decimal(0)
                line_paid = Decimal(0) if remit.denied else (line_charge * PAID_SHARE).quantize(Decimal("0.01"))
                composite = ":".join(["HC", line.code, *line.modifiers])
                body.append(("SVC", composite, f"{line_charge:.2f}", f"{line_paid:.2f}", "", f"{line.units}"))
                body.append(("DTM", "472", line.service_date.strftime("%Y%m%d")))
            total += paid
        put("ST", "835", f"{st:04d}")
        put("BPR", "I", f"{total:.2f}", "C", "ACH", "CCP", "01", "999999999", "DA", "123456", "1512345678", "", "01",
            "999988880", "DA", "98765", production.strftime("%Y%m%d"))
        put("TRN", "1", f"SIM{control_number}{st:04d}", "1512345678")
        put("DTM", "405", production.strftime("%Y%m%d"))
        put("N1", "PR", payer_name)
        put("N3", "1 PAYER WAY")
        put("N4", "ANYTOWN", "CA", "90001")
        put("REF", "2U", payer_id)
        put("PER", "BL", "EDI", "TE", "8005551212")
        put("N1", "PE", "HANDOFF CLINIC", "XX", "1234567893")
        put("LX", "1")
        for seg in body:
            put(*seg)
        put("SE", "0", f"{st:04d}")
    put("GE", "0", str(control_number))
    put("IEA", "0", isa)
    writer.close()
    return out.getvalue()
