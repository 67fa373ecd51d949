"""The claims agent: flag claim exceptions before a claim goes out.

Each received claim runs one checkpointed graph thread: check_rules (data-driven edits over the
code tables, with evidence and a fix) → score_denial_risk (a calibrated model, when one is
registered) → route (the gate). Claims over the unit's materiality amount, with a high-severity
finding, at high denial risk, or whose rules could not all run go to a biller; clean low-risk
claims pass automatically and are logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict
from uuid import UUID, uuid5

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime as GraphRuntime

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.claims import Claim, ClaimCheck, ClaimContext, FeeSchedule, PriorClaim, Severity
from models.governance import Evidence, Suggestion, financial_flag
from models.inbound import InboundItem
from models.org import BillingProfile
from store import claims as claims_store
from store import org as org_store

log = logging.getLogger(__name__)
AGENT = "claims"
RULES_VERSION = "claim-rules-1"
# Rules are deterministic table lookups; on the synthetic claims suite their precision is 1.0. A
# finding is reported with this confidence, not 1.0, to leave room for table errors.
FINDING_CONFIDENCE = 0.99
SUGGESTION_NAMESPACE = UUID("0c9e6f0a-3b7d-4c1e-8d2f-5a4b3c2d1e0f")
HIGH_RISK = 0.5  # a denial risk at or above this is a financial flag (always to a biller)


class ClaimsState(TypedDict, total=False):
    claim_row_id: str
    check: dict
    risk: float | None
    model_version: str
    route: dict


@dataclass(frozen=True)
class ClaimsContext:
    runtime: Runtime


def load_tables(rt: Runtime):
    """Code tables imported into Postgres (`handoff codes import`); otherwise the public files in
    HANDOFF_DATA_DIR; otherwise none, and every rule that needs a table says so in each result."""
    def build():
        from tools.claims.code_tables import load_code_tables
        from tools.claims.codes import CodeTables

        with rt.pool.connection() as conn:
            tables = load_code_tables(conn)
        if any(getattr(tables, name, None) is not None for name in ("icd10cm", "ptp", "mue")):
            return tables
        if rt.settings.data_dir.is_dir():
            try:
                return CodeTables.from_files(rt.settings.data_dir)
            except (FileNotFoundError, OSError) as exc:
                log.warning("claims: code table files unreadable (%s); rules will report tables missing",
                            exc.__class__.__name__)
        return CodeTables()

    return rt.cached("code_tables", build)


def load_denial_model(rt: Runtime):
    def build():
        from tools.claims.denial_model import load_denial_model as load

        try:
            return load(rt.settings.model_dir)
        except (FileNotFoundError, LookupError):
            return None

    return rt.cached("denial_model", build)


def _context_for(conn, row: dict, claim: Claim) -> ClaimContext:
    context = ClaimContext.model_validate(row["context"])
    updates = {}
    if context.prior_claims is None:
        earlier = claims_store.earlier_claims_of_patient(conn, claim_id=row["id"], unit_id=row["unit_id"],
                                                         patient_id=claim.patient.id)
        updates["prior_claims"] = [PriorClaim(
            claim_id=c.id, patient_id=c.patient.id, billing_npi=c.billing_npi, voided=c.frequency_code == "8",
            lines=[(ln.code, ln.service_date, tuple(ln.modifiers)) for ln in c.service_lines]) for c in earlier]
    if context.fee_schedule is None:
        unit = org_store.get_unit(conn, unit_id=row["unit_id"])
        profile: BillingProfile = unit.billing_profile
        if profile.fee_schedule:
            updates["fee_schedule"] = FeeSchedule(service_unit=unit.code, charges=profile.fee_schedule,
                                                  tolerance=profile.fee_tolerance)
    return context.model_copy(update=updates)


def check_rules(state: ClaimsState, runtime: GraphRuntime[ClaimsContext]) -> dict:
    from tools.claims.rules import check_claim

    rt = runtime.context.runtime
    with rt.pool.connection() as conn:
        row = claims_store.get_claim(conn, claim_id=UUID(state["claim_row_id"]))
        claim = Claim.model_validate(row["payload"])
        context = _context_for(conn, row, claim)
    check = check_claim(claim, tables=load_tables(rt), context=context)
    return {"check": check.model_dump(mode="json")}


def score_denial_risk(state: ClaimsState, runtime: GraphRuntime[ClaimsContext]) -> dict:
    rt = runtime.context.runtime
    model = load_denial_model(rt)
    if model is None:
        return {"risk": None, "model_version": RULES_VERSION}
    with rt.pool.connection() as conn:
        row = claims_store.get_claim(conn, claim_id=UUID(state["claim_row_id"]))
    claim = Claim.model_validate(row["payload"])
    check = ClaimCheck.model_validate(state["check"])
    risk = float(model.predict_proba([claim], [check], [ClaimContext.model_validate(row["context"])])[0])
    return {"risk": risk, "model_version": f"{RULES_VERSION}+{model.version}"}


def _suggestion(state: ClaimsState, row: dict) -> Suggestion:
    claim = Claim.model_validate(row["payload"])
    check = ClaimCheck.model_validate(state["check"])
    risk = state.get("risk")
    amount = claim.total_charge if claim.total_charge is not None else sum(
        (ln.charge or Decimal(0)) * ln.units for ln in claim.service_lines)
    flags = []
    if any(f.severity == Severity.high for f in check.findings):
        flags.append(financial_flag("high_severity_finding"))
    if risk is not None and risk >= HIGH_RISK:
        flags.append(financial_flag("denial_risk"))
    if check.incomplete:
        flags.append("incomplete")  # a rule could not run: its table or context is missing
    if check.findings:
        label, confidence = "exceptions", FINDING_CONFIDENCE
    else:
        # A clean claim is right when it is not denied; without a model that is unmeasured.
        label, confidence = "clean", (1.0 - risk) if risk is not None else 0.0
    evidence = [Evidence(kind="rule", source=f.rule_id, note=f.message, value={"kind": f.kind.value, "fix": f.suggested_fix, "carc": f.carc})
                for f in check.findings[:30]]
    return Suggestion(
        id=uuid5(SUGGESTION_NAMESPACE, f"claims:{row['id']}"),  # one per stored claim: a re-run routes once
        agent=AGENT, kind="claim_check", unit_id=row["unit_id"], subject=f"claim:{row['unit_code']}:{claim.id}",
        label=label, confidence=round(confidence, 6), amount=amount, evidence=evidence, flags=flags,
        value={"claim_id": claim.id, "payer_id": claim.coverage.payer_id, "total_charge": str(amount),
               "findings": [f.model_dump(mode="json") for f in check.findings],
               "rules_not_run": [s.model_dump(mode="json") for s in check.statuses if s.state != "ran"],
               "denial_risk": None if risk is None else round(risk, 4),
               "note": None if risk is not None else "no denial model registered: rules only"},
        model_version=state.get("model_version", RULES_VERSION), input_hash=str(row["id"]),
        patient_group={"sex": claim.patient.sex, "payer": claim.coverage.payer_id},
        contains_phi=True,
    )


def route(state: ClaimsState, runtime: GraphRuntime[ClaimsContext]) -> dict:
    rt = runtime.context.runtime
    with rt.pool.connection() as conn:
        row = claims_store.get_claim(conn, claim_id=UUID(state["claim_row_id"]))
        suggestion = _suggestion(state, row)
        outcome = route_suggestion(conn, suggestion)
    return {"route": {"suggestion_id": str(suggestion.id), "decision": outcome.route.decision.value,
                      "queue": outcome.route.queue, "reasons": outcome.route.reasons, "label": suggestion.label}}


def build_graph(*, checkpointer):
    g = StateGraph(ClaimsState, context_schema=ClaimsContext)
    g.add_node("check_rules", check_rules)
    g.add_node("score_denial_risk", score_denial_risk)
    g.add_node("route", route)
    g.add_edge(START, "check_rules")
    g.add_edge("check_rules", "score_denial_risk")
    g.add_edge("score_denial_risk", "route")
    g.add_edge("route", END)
    return g.compile(checkpointer=checkpointer)


def process_item(rt: Runtime, item: InboundItem) -> list[dict]:
    """Store every claim of a submission, then check and route each (once: reruns are no-ops)."""
    from tools.claims.claim_input import ClaimInputError, read_claims

    with rt.pool.connection() as conn:
        rows = claims_store.claims_of_item(conn, item_id=item.id)
    if not rows:
        try:
            parsed = read_claims(rt.read_blob(item.sha256))
        except ClaimInputError as exc:
            log.warning("claims: item %s unreadable: %s", item.id, exc.__class__.__name__)
            return []
        with rt.pool.connection() as conn, conn.transaction():
            rows = claims_store.insert_claims(conn, unit_id=item.unit_id, item_id=item.id, claims=parsed)
    graph = build_graph(checkpointer=rt.checkpointer)
    outcomes = []
    for row in rows:
        config = {"configurable": {"thread_id": f"claims:{row['id']}"}}
        done = graph.get_state(config)
        if done.values.get("route"):
            outcomes.append(done.values["route"])
            continue
        # A thread a crash stopped mid-way continues from its last checkpoint.
        given = None if done.next else {"claim_row_id": str(row["id"])}
        outcomes.append(graph.invoke(given, config, context=ClaimsContext(runtime=rt)).get("route", {}))
    return outcomes


def handle_inbound(rt: Runtime, item: InboundItem) -> None:
    process_item(rt, item)

