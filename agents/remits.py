"""Remittances back to the claim: 835 payments and 277 statuses matched to the claims we checked,
and the denial work list.

Each CLP of an 835 is matched to the unit's checked claim by its patient control number (CLP01 =
CLM01) and stored with its adjustments. A denied or underpaid claim gets a root cause (the rule
whose finding names the same adjustment reason, or "payer-only"), a remedy, an appeal letter drafted
from prompts/letter_appeal.txt where an appeal is the remedy, and goes to a biller through the gate
(it is financially material by nature: always reviewed). Matched outcomes are the denial model's
training data (`remit_history`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import psycopg

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.claims import Claim, ClaimCheck, LabeledClaim
from models.governance import Evidence, Suggestion, financial_flag
from models.inbound import InboundItem
from models.org import ServiceUnit
from models.revenue import ClaimStatusEntry, RemitClaim, RemittanceAdvice
from store import claims as claims_store
from store import coverage as coverage_store
from store import letters as letters_store
from store import remits as remits_store

log = logging.getLogger(__name__)
AGENT = "claims"
VERSION = "remit-rules-1"
ROOT_CAUSE_CONFIDENCE = 0.99  # a rule's finding named the very reason the payer gave

# What to argue in an appeal, by adjustment reason (the CARC number).
_ARGUMENTS = {
    "medical_necessity": ("The service was medically necessary for the diagnoses on the claim; the enclosed records "
                          "document the indication and the decision to provide it.",
                          "visit notes and orders for the date(s) of service"),
    "authorization": ("Prior authorization {auths} was obtained before the service and covers the date(s) of service.",
                      "the payer's authorization approval"),
    "retro_authorization": ("No authorization was on file; we request a retrospective authorization, as the service "
                            "could not be delayed, and reconsideration of the claim.",
                            "visit notes documenting the urgency"),
    "timely_filing": ("The claim was first submitted on {submitted}, within the filing limit; proof of timely filing "
                      "is enclosed.", "the clearing-house acceptance report"),
    "records": ("The records you requested are enclosed.", "the requested medical records"),
    "credentialing": ("The rendering provider was enrolled with your plan on the date(s) of service; the enrollment "
                      "confirmation is enclosed.", "the provider enrollment confirmation"),
    "general": ("We believe the service is payable under the member's plan; the enclosed documentation supports the "
                "claim.", "visit notes for the date(s) of service"),
}
_ARGUMENT_OF = {**dict.fromkeys(("50", "55", "56", "57", "58", "150", "151", "152", "167", "119", "114"), "medical_necessity"),
                **dict.fromkeys(("197", "198", "15"), "authorization"), "29": "timely_filing", "252": "records",
                "B7": "credentialing"}


def _rule_carcs() -> dict[str, tuple[str, str]]:
    from tools.claims.rules import RULES

    out: dict[str, tuple[str, str]] = {}
    for rule in RULES:
        out.setdefault(rule.carc.split("-", 1)[-1], (rule.id, rule.kind.value))
    return out


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _appeal(conn: psycopg.Connection, *, unit: ServiceUnit, payer_name: str | None, rc_id: UUID, remit: RemitClaim,
            claim: Claim | None, carcs: list[str]) -> UUID:
    from tools.letters import draft_letter

    reason = next((c.split("-", 1)[-1] for c in carcs if c.split("-", 1)[-1] in _ARGUMENT_OF), None)
    kind = _ARGUMENT_OF.get(reason or "", "general")
    auths = ""
    if kind == "authorization":
        on_file = coverage_store.prior_auths(conn, org_id=unit.org_id, payer_id=claim.coverage.payer_id,
                                             member_id=claim.coverage.member_id) if claim else []
        days = [ln.service_date for ln in claim.service_lines] if claim else []
        covering = [a.number for a in on_file if days and all(a.start <= d <= a.end for d in days)]
        if covering:
            auths = ", ".join(covering)
        else:
            kind = "retro_authorization"
    argument, enclosures = _ARGUMENTS[kind]
    dates = sorted({ln.service_date for ln in claim.service_lines}) if claim else \
        [d for d in (remit.service_start, remit.service_end) if d]
    draft = draft_letter(
        "appeal", today=date.today().isoformat(), payer_name=payer_name or "Claims department",
        claim_id=remit.patient_control_number, payer_claim_number=remit.payer_claim_number or "—",
        member_id=(claim.coverage.member_id if claim else remit.member_id) or "—",
        service_dates=", ".join(d.isoformat() for d in dict.fromkeys(dates)) or "—",
        charge=_money(remit.charge), paid=_money(remit.paid), carcs=", ".join(carcs) or "—",
        remarks=", ".join(remit.all_remarks) or "none",
        argument=argument.format(auths=auths, submitted=claim.submission_date.isoformat() if claim else "—"),
        enclosures=enclosures, unit_name=unit.name)
    row = letters_store.insert_letter(conn, unit_id=unit.id, kind="appeal", subject=f"remittance_claim:{rc_id}",
                                      recipient=payer_name, template=draft.template,
                                      template_sha256=draft.template_sha256, body=draft.body, created_by="claims-agent")
    return row["id"]


def _check(conn: psycopg.Connection, row: dict | None, tables) -> tuple[Claim | None, ClaimCheck | None]:
    """The matched claim checked again with today's records (what the rules would say now)."""
    if row is None or tables is None:
        return None, None
    from agents.claims import context_for
    from tools.claims.rules import check_claim

    claim = Claim.model_validate(row["payload"])
    claim, context, _ = context_for(conn, row, claim)
    return claim, check_claim(claim, tables=tables, context=context)


def open_denial(conn: psycopg.Connection, *, unit: ServiceUnit, row: dict | None, advice: RemittanceAdvice,
                remit: RemitClaim, rc_id: UUID, outcome, tables) -> UUID:
    """Put a denied or underpaid claim on the work list: root cause, remedy, appeal draft, and a
    suggestion through the gate to the unit's billing queue."""
    from tools.claims.remit_outcomes import remedy_for, root_cause

    claim, check = _check(conn, row, tables)
    cause = root_cause(outcome.denial_carcs, check, _rule_carcs())
    remedy = remedy_for(outcome.denial_carcs)
    letter_id = _appeal(conn, unit=unit, payer_name=advice.payer_name, rc_id=rc_id, remit=remit, claim=claim,
                        carcs=outcome.denial_carcs) if remedy == "appeal" else None
    payer_id = row["payer_id"] if row else advice.payer_id
    suggestion = Suggestion(
        agent=AGENT, kind="denial", unit_id=unit.id, subject=f"denial:{unit.code}:{remit.patient_control_number}:{rc_id}",
        label="denial", confidence=ROOT_CAUSE_CONFIDENCE if cause.rule_id != "payer-only" else 0.0,
        amount=outcome.amount_at_stake, flags=[financial_flag(outcome.outcome)],
        evidence=[Evidence(kind="table_row", source="835", note=f"{c} adjustment") for c in outcome.denial_carcs]
        + ([Evidence(kind="rule", source=cause.rule_id, note=cause.detail)] if cause.rule_id != "payer-only" else []),
        value={"claim_id": remit.patient_control_number, "payer_id": payer_id, "outcome": outcome.outcome,
               "carcs": outcome.denial_carcs, "remarks": outcome.remarks, "root_cause": cause.rule_id,
               "root_cause_kind": cause.kind, "root_cause_detail": cause.detail, "remedy": remedy,
               "appeal_letter_id": str(letter_id) if letter_id else None, "charge": _money(remit.charge),
               "total_charge": _money(remit.charge), "paid_amount": _money(remit.paid),
               "payer_claim_number": remit.payer_claim_number, "matched_claim": row is not None},
        model_version=VERSION, input_hash=str(rc_id), patient_group={"payer": payer_id or "unknown"}, contains_phi=True)
    routed = route_suggestion(conn, suggestion)
    return remits_store.insert_denial(
        conn, unit_id=unit.id, remittance_claim_id=rc_id, claim_row_id=row["id"] if row else None,
        claim_key=remit.patient_control_number, payer_id=payer_id, kind=outcome.outcome, carcs=outcome.denial_carcs,
        remarks=outcome.remarks, charge=remit.charge, paid=remit.paid, root_cause=cause.rule_id,
        root_cause_kind=cause.kind, root_cause_detail=cause.detail, remedy=remedy, appeal_letter_id=letter_id,
        suggestion_id=routed.suggestion.id)


def record_remittances(conn: psycopg.Connection, *, unit: ServiceUnit, advices: list[RemittanceAdvice],
                       item_id: UUID | None, issues: int = 0, tables=None) -> Counter:
    """Store each payment and claim, matched to the unit's checked claims; open the work list items."""
    from tools.claims.remit_outcomes import classify

    counts: Counter = Counter()
    for advice in advices:
        remittance_id = remits_store.insert_remittance(conn, unit_id=unit.id, item_id=item_id, advice=advice, issues=issues)
        for remit in advice.claims:
            rows = claims_store.find_claims(conn, unit_id=unit.id, claim_key=remit.patient_control_number)
            row = rows[0] if rows else None
            outcome = classify(remit)
            rc_id = remits_store.insert_remittance_claim(
                conn, remittance_id=remittance_id, unit_id=unit.id, claim_row_id=row["id"] if row else None,
                payer_id=row["payer_id"] if row else advice.payer_id, claim=remit, outcome=outcome.outcome,
                denial_carcs=outcome.denial_carcs)
            counts[outcome.outcome] += 1
            counts["matched" if row else "unmatched"] += 1
            if outcome.needs_work:
                open_denial(conn, unit=unit, row=row, advice=advice, remit=remit, rc_id=rc_id, outcome=outcome,
                            tables=tables)
    return counts


def record_claim_statuses(conn: psycopg.Connection, *, unit: ServiceUnit, entries: list[ClaimStatusEntry],
                          item_id: UUID | None) -> Counter:
    """Attach 277 claim statuses to the stored claims they name; counts of matched and unmatched."""
    counts: Counter = Counter()
    for entry in entries:
        rows = claims_store.find_claims(conn, unit_id=unit.id, claim_key=entry.patient_control_number) \
            if entry.patient_control_number else []
        for status in entry.statuses:
            remits_store.insert_claim_status(conn, unit_id=unit.id, item_id=item_id,
                                             claim_row_id=rows[0]["id"] if rows else None, entry=entry, status=status)
            counts[status.category[:1]] += 1
        counts["matched" if rows else "unmatched"] += 1
    return counts


def handle_remit(rt: Runtime, item: InboundItem) -> None:
    """The wiring table's handler for X12 835 files: payments matched to claims, denials to the work list."""
    from agents.claims import load_tables
    from agents.coverage import parse_x12_item, record_x12_item
    from tools.claims.x12_remit import parse_835

    if (parsed := parse_x12_item(rt, item, parse_835)) is None:
        return
    advices, issues = parsed
    tables = load_tables(rt)
    record_x12_item(rt, item, action="remittance.recorded", issues=len(issues),
                    record=lambda conn, unit: record_remittances(conn, unit=unit, advices=advices, item_id=item.id,
                                                                 issues=len(issues), tables=tables))


def handle_claim_status(rt: Runtime, item: InboundItem) -> None:
    """The wiring table's handler for X12 277 files: statuses attached to the claims they name."""
    from agents.coverage import parse_x12_item, record_x12_item
    from tools.claims.x12_status import parse_277

    if (parsed := parse_x12_item(rt, item, parse_277)) is None:
        return
    entries, issues = parsed
    record_x12_item(rt, item, action="claim_status.recorded", issues=len(issues),
                    record=lambda conn, unit: record_claim_statuses(conn, unit=unit, entries=entries, item_id=item.id))


# ---------------------------------------------------------------------------------------------
# Outcomes as training data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemitOutcomeLabel:
    """What the denial model learns from: did the payer deny (or underpay) the claim."""

    denied: bool
    carcs: tuple[str, ...] = ()


@dataclass
class RemitHistory:
    """Checked claims with the payer's first answer, sorted by submission date (the shape
    tools.claims.denial_model.train_denial_model takes: aligned `.items` and `.remits`)."""

    items: list[LabeledClaim]
    remits: list[RemitOutcomeLabel]

    def __len__(self) -> int:
        return len(self.items)

    def slice(self, start: int, stop: int) -> RemitHistory:
        return RemitHistory(self.items[start:stop], self.remits[start:stop])

    @property
    def denied(self) -> list[bool]:
        return [r.denied for r in self.remits]

    def sha256(self) -> str:
        import hashlib

        digest = hashlib.sha256()
        for item, remit in zip(self.items, self.remits, strict=True):
            digest.update(item.model_dump_json(exclude_none=True).encode())
            digest.update(f"|{remit.denied}\n".encode())
        return digest.hexdigest()


def remit_history(conn: psycopg.Connection, *, unit_ids: list[UUID]) -> RemitHistory:
    """Every checked claim of the units that a payer has answered, with its context completed from
    today's records, labeled denied when the first answer denied or underpaid it."""
    from agents.claims import context_for

    pairs = []
    for r in remits_store.remit_outcomes(conn, unit_ids=unit_ids):
        claim = Claim.model_validate(r["payload"])
        row = {"id": r["claim_row_id"], "unit_id": r["unit_id"], "context": r["context"]}
        claim, context, _ = context_for(conn, row, claim)
        item = LabeledClaim(id=str(r["claim_row_id"]), claim=claim, context=context)
        pairs.append((item, RemitOutcomeLabel(denied=r["outcome"] in ("denied", "underpaid"),
                                              carcs=tuple(r["denial_carcs"]))))
    pairs.sort(key=lambda p: (p[0].claim.submission_date, p[0].id))
    return RemitHistory([p[0] for p in pairs], [p[1] for p in pairs])


