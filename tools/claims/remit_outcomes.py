"""What an 835 claim payment means for the work list and for training: paid, denied or underpaid;
which adjustment reasons (CARC) are denials; the rule that would have caught a denial (its root
cause) or "payer-only"; and the remedy (appeal, corrected claim, bill the patient, write off).

Adjustments that are the ordinary arithmetic of a paid claim are not denials: contractual
obligations (CO-45, CO-A2, CO-42, CO-94, CO-253 sequestration), the prior payer's payment (23) and
anything the patient owes (group PR). Everything else that takes money off a claim is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from models.claims import ClaimCheck
from models.revenue import Adjustment, RemitClaim

NOT_DENIAL_REASONS = frozenset({"45", "A2", "42", "94", "253", "23", "59", "144"})
# Remedies by CARC (the reason number, whatever the group): what a biller does next.
APPEAL_REASONS = frozenset({"50", "55", "56", "57", "58", "96", "114", "119", "150", "151", "152", "167", "197", "198",
                            "15", "29", "252", "B7", "204", "226", "227", "39", "40", "49", "108", "B15", "234", "N130"})
CORRECTED_CLAIM_REASONS = frozenset({"4", "5", "6", "7", "8", "9", "10", "11", "16", "31", "107", "110", "125", "140",
                                     "146", "181", "182", "183", "185", "189", "206", "236", "A1", "B5", "B14"})
BILL_PATIENT_REASONS = frozenset({"1", "2", "3", "26", "27", "33", "100", "177", "200", "201"})
WRITE_OFF_REASONS = frozenset({"18", "97", "B13", "24"})
Remedy = Literal["appeal", "corrected_claim", "bill_patient", "write_off", "review"]
Outcome = Literal["paid", "denied", "underpaid", "patient_responsibility"]


def is_denial(adjustment: Adjustment) -> bool:
    """Whether an adjustment denies payment (not the patient's share, not a contractual write-off)."""
    return adjustment.group != "PR" and adjustment.reason not in NOT_DENIAL_REASONS and adjustment.amount > 0


@dataclass(frozen=True)
class RemitOutcome:
    outcome: Outcome
    denial_carcs: list[str]  # group-prefixed, e.g. ["CO-197"]; empty when nothing was denied
    remarks: list[str]
    amount_at_stake: Decimal  # what the denial adjustments took off the claim

    @property
    def needs_work(self) -> bool:
        return self.outcome in ("denied", "underpaid")


def classify(claim: RemitClaim) -> RemitOutcome:
    """Denied: CLP02 = 4, or nothing paid with a denial adjustment. Underpaid: something paid and a
    denial adjustment took the rest of a line or claim. Paid with only the patient's share owed:
    patient_responsibility."""
    denials = [a for a in claim.all_adjustments if is_denial(a)]
    carcs = list(dict.fromkeys(a.code for a in denials))
    at_stake = sum((a.amount for a in denials), Decimal(0))
    paid = claim.paid or Decimal(0)
    if claim.status_code == "4" or (paid == 0 and denials):
        outcome: Outcome = "denied"
        if not carcs:
            carcs = list(dict.fromkeys(a.code for a in claim.all_adjustments if a.group != "PR")) or ["CO-?"]
        if at_stake == 0:
            at_stake = claim.charge or Decimal(0)
    elif denials:
        outcome = "underpaid"
    elif paid == 0 and any(a.group == "PR" for a in claim.all_adjustments):
        outcome = "patient_responsibility"
    else:
        outcome = "paid"
    return RemitOutcome(outcome=outcome, denial_carcs=carcs, remarks=claim.all_remarks, amount_at_stake=at_stake)


def _reason(code: str) -> str:
    return code.split("-", 1)[-1]


def remedy_for(carcs: list[str]) -> Remedy:
    """The remedy of the first denial reason that has one (appeal before correction before billing)."""
    reasons = [_reason(c) for c in carcs]
    for table, remedy in ((APPEAL_REASONS, "appeal"), (CORRECTED_CLAIM_REASONS, "corrected_claim"),
                          (BILL_PATIENT_REASONS, "bill_patient"), (WRITE_OFF_REASONS, "write_off")):
        if any(r in table for r in reasons):
            return remedy  # type: ignore[return-value]
    return "review"


@dataclass(frozen=True)
class RootCause:
    rule_id: str  # a rule id, or "payer-only"
    kind: str | None  # the exception kind of that rule
    detail: str


def root_cause(carcs: list[str], check: ClaimCheck | None, rule_carcs: dict[str, tuple[str, str]]) -> RootCause:
    """The rule whose finding on the claim names the same adjustment reason as the denial; when none
    fired, "payer-only" (saying which rule, if any, owns that CARC, so its data can be looked at).

    `rule_carcs` maps a CARC reason number to (rule id, kind) for every rule.
    """
    reasons = [_reason(c) for c in carcs]
    if check is not None:
        for reason in reasons:
            for finding in check.findings:
                if _reason(finding.carc) == reason:
                    return RootCause(finding.rule_id, finding.kind.value,
                                     f"{finding.rule_id} flagged this before submission: {finding.message}")
    owner = next(((r, rule_carcs[r]) for r in reasons if r in rule_carcs), None)
    if check is None:
        detail = "the claim was not found among the checked claims"
    elif owner is not None:
        detail = f"{owner[1][0]} owns CARC {owner[0]} but did not fire on this claim"
    else:
        detail = "no rule encodes this payer's reason"
    return RootCause("payer-only", None, detail)
