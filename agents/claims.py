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
from typing import Any
from uuid import UUID, uuid4, uuid5

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime as GraphRuntime
from pydantic import BaseModel, ConfigDict

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.claims import Claim, ClaimCheck, ClaimContext, FeeSchedule, PriorClaim, Severity
from models.governance import Evidence, ReviewCutoffs, Suggestion, financial_flag
from models.graph_state import RouteSummary
from models.inbound import InboundItem
from models.org import BillingProfile
from store import claims as claims_store
from store import org as org_store
from store import policy as policy_store
from tools.claims.claim_input import ClaimInputError, read_claims
from tools.claims.code_tables import load_code_tables
from tools.claims.codes import CodeTables
from tools.claims.denial_model import MODEL_NAME as DENIAL_MODEL
from tools.claims.denial_model import DenialModel
from tools.claims.fixes import ClaimFix, apply_fixes, proposed_fixes
from tools.claims.rules import check_claim
from tools.model_registry import NoModelRegistered

log = logging.getLogger(__name__)
AGENT = "claims"
RULES_VERSION = "claim-rules-1"
# Rules are deterministic table lookups; on the synthetic claims suite their precision is 1.0. A
# finding is reported with this confidence, not 1.0, to leave room for table errors.
FINDING_CONFIDENCE = 0.99
SUGGESTION_NAMESPACE = UUID("0c9e6f0a-3b7d-4c1e-8d2f-5a4b3c2d1e0f")


class ClaimsState(BaseModel):
    """One claim's thread (checkpointed): the rules' result, the denial risk and the route."""

    model_config = ConfigDict(extra="ignore")

    claim_row_id: str
    # A recheck after the claim's records changed is a run of its own (its own suggestion); the first
    # check has none, so a run a crash interrupted routes the same suggestion once.
    run_key: str | None = None
    claim: dict[str, Any] | None = None  # as checked: the stored claim with coverage dates from the registry
    context: dict[str, Any] | None = None  # as checked: the claim's context completed from the records
    context_sources: dict[str, str] = {}
    check: ClaimCheck | None = None
    risk: float | None = None
    model_version: str = RULES_VERSION
    route: RouteSummary | None = None

    def checked(self) -> ClaimCheck:
        if self.check is None:
            raise RuntimeError(f"claim {self.claim_row_id}: a node ran before check_rules")
        return self.check


@dataclass(frozen=True)
class ClaimsContext:
    runtime: Runtime


def load_tables(rt: Runtime):
    """Code tables imported into Postgres (`handoff codes import`); otherwise the public files in
    HANDOFF_DATA_DIR; otherwise none, and every rule that needs a table says so in each result."""
    def build():
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


def load_denial_model(rt: Runtime) -> DenialModel | None:
    """The newest registered denial-risk model (reloaded when a newer one is registered), or None."""
    try:
        return rt.current_model(DENIAL_MODEL, DenialModel.from_estimators)
    except NoModelRegistered:
        return None


def context_for(conn: Any, row: dict, claim: Claim) -> tuple[Claim, ClaimContext, dict[str, str]]:
    """The claim's own context, completed from the records: earlier claims and the unit's fee
    schedule, then payer rules, authorizations, eligibility and coverage dates (agents.coverage)."""
    from agents.coverage import assemble_claim_context

    context = ClaimContext.model_validate(row["context"])
    updates: dict[str, Any] = {}
    if context.prior_claims is None:
        earlier = claims_store.earlier_claims_of_patient(conn, claim_id=row["id"], unit_id=row["unit_id"],
                                                         patient_id=claim.patient.id)
        updates["prior_claims"] = [PriorClaim(
            claim_id=c.id, patient_id=c.patient.id, billing_npi=c.billing_npi, voided=c.frequency_code == "8",
            lines=[(ln.code, ln.service_date, tuple(ln.modifiers)) for ln in c.service_lines]) for c in earlier]
    unit = org_store.get_unit(conn, unit_id=row["unit_id"])
    if context.fee_schedule is None:
        profile: BillingProfile = unit.billing_profile
        if profile.fee_schedule:
            updates["fee_schedule"] = FeeSchedule(service_unit=unit.code, charges=profile.fee_schedule,
                                                  tolerance=profile.fee_tolerance)
    return assemble_claim_context(conn, org_id=unit.org_id, claim=claim, context=context.model_copy(update=updates))


def check_rules(state: ClaimsState, runtime: GraphRuntime[ClaimsContext]) -> dict:
    """Run the data-driven claim rules over the stored claim and its context."""
    rt = runtime.context.runtime
    with rt.pool.connection() as conn:
        row = claims_store.get_claim(conn, claim_id=UUID(state.claim_row_id))
        claim = Claim.model_validate(row["payload"])
        claim, context, sources = context_for(conn, row, claim)
    return {"check": check_claim(claim, tables=load_tables(rt), context=context),
            "claim": claim.model_dump(mode="json"), "context": context.model_dump(mode="json"),
            "context_sources": sources}


def score_denial_risk(state: ClaimsState, runtime: GraphRuntime[ClaimsContext]) -> dict:
    """The calibrated denial risk, when a denial model is registered (rules only otherwise)."""
    rt = runtime.context.runtime
    model = load_denial_model(rt)
    if model is None:
        return {"risk": None, "model_version": RULES_VERSION}
    if state.claim is None or state.context is None:
        raise RuntimeError(f"claim {state.claim_row_id}: score_denial_risk ran before check_rules")
    claim = Claim.model_validate(state.claim)
    risk = float(model.predict_proba([claim], [state.checked()], [ClaimContext.model_validate(state.context)])[0])
    return {"risk": risk, "model_version": f"{RULES_VERSION}+{model.version}"}


def _suggestion(state: ClaimsState, row: dict, cutoffs: ReviewCutoffs) -> Suggestion:
    claim = Claim.model_validate(state.claim or row["payload"])
    check = state.checked()
    risk = state.risk
    amount = claim.total_charge if claim.total_charge is not None else sum(
        (ln.charge or Decimal(0)) * ln.units for ln in claim.service_lines)
    flags = []
    if any(f.severity == Severity.high for f in check.findings):
        flags.append(financial_flag("high_severity_finding"))
    if risk is not None and risk >= cutoffs.claims_denial_risk:
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
    run = f"claims:{row['id']}" + (f":{state.run_key}" if state.run_key else "")
    return Suggestion(
        id=uuid5(SUGGESTION_NAMESPACE, run),  # one per run of a stored claim: a re-run routes once
        agent=AGENT, kind="claim_check", unit_id=row["unit_id"], subject=f"claim:{row['unit_code']}:{claim.id}",
        label=label, confidence=round(confidence, 6), amount=amount, evidence=evidence, flags=flags,
        value={"claim_id": claim.id, "payer_id": claim.coverage.payer_id, "total_charge": str(amount),
               "claim_row_id": str(row["id"]), "claim_version": row["version"],
               "findings": [f.model_dump(mode="json") for f in check.findings],
               "fixes": [f.model_dump(mode="json") for f in proposed_fixes(claim, check.findings)],
               "rules_not_run": [s.model_dump(mode="json") for s in check.statuses if s.state != "ran"],
               "context_sources": state.context_sources,
               "denial_risk": None if risk is None else round(risk, 4),
               "note": None if risk is not None else "no denial model registered: rules only"},
        model_version=state.model_version, input_hash=str(row["id"]),
        patient_group={"sex": claim.patient.sex, "payer": claim.coverage.payer_id},
        contains_phi=True,
    )


def route(state: ClaimsState, runtime: GraphRuntime[ClaimsContext]) -> dict:
    """Turn the check and risk into a suggestion and route it through the gate; a clean claim routed
    auto is ready to submit, the rest wait for a biller."""
    rt = runtime.context.runtime
    with rt.pool.connection() as conn, conn.transaction():
        row = claims_store.get_claim(conn, claim_id=UUID(state.claim_row_id))
        current = policy_store.current_policy(conn, unit_id=row["unit_id"])
        suggestion = _suggestion(state, row, current.policy.cutoffs if current else ReviewCutoffs())
        outcome = route_suggestion(conn, suggestion)
        auto = outcome.route.decision.value == "auto"
        if outcome.suggestion is suggestion:  # routed now, not a re-run the gate already recorded
            claims_store.record_claim_event(conn, claim_id=row["id"], unit_id=row["unit_id"],
                                            event="ready" if auto else "review", actor="auto" if auto else "gate")
    return {"route": RouteSummary(suggestion_id=str(suggestion.id), decision=outcome.route.decision.value,
                                  queue=outcome.route.queue, reasons=outcome.route.reasons, label=suggestion.label,
                                  qa_sample=outcome.route.qa_sample,
                                  review_item_id=str(outcome.review_item.id) if outcome.review_item else None)}


def build_graph(*, checkpointer):
    """check_rules -> score_denial_risk -> route, checkpointed per claim."""
    g = StateGraph(ClaimsState, context_schema=ClaimsContext)
    g.add_node("check_rules", check_rules)
    g.add_node("score_denial_risk", score_denial_risk)
    g.add_node("route", route)
    g.add_edge(START, "check_rules")
    g.add_edge("check_rules", "score_denial_risk")
    g.add_edge("score_denial_risk", "route")
    g.add_edge("route", END)
    return g.compile(checkpointer=checkpointer)


def process_item(rt: Runtime, item: InboundItem) -> list[RouteSummary | None]:
    """Store every claim of a submission, then check and route each (once: reruns are no-ops)."""
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
        outcomes.append(graph.invoke(given, config, context=ClaimsContext(runtime=rt)).get("route"))
    return outcomes


def handle_inbound(rt: Runtime, item: InboundItem) -> None:
    """The wiring table's handler for the `claim` channel."""
    process_item(rt, item)


def check_version(rt: Runtime, claim_row_id: UUID) -> RouteSummary | None:
    """Check one claim version (a correction) through the graph, once; a thread a crash stopped
    mid-way continues from its last checkpoint."""
    graph = build_graph(checkpointer=rt.checkpointer)
    config = {"configurable": {"thread_id": f"claims:{claim_row_id}"}}
    done = graph.get_state(config)
    if done.values.get("route"):
        return done.values["route"]
    given = None if done.next else {"claim_row_id": str(claim_row_id)}
    return graph.invoke(given, config, context=ClaimsContext(runtime=rt)).get("route")


class CorrectionRefused(ValueError):
    """A corrected claim that is not a correction of this claim (another claim id, or not a claim)."""


def corrected_claim(original: Claim, new_value: dict) -> Claim:
    """The claim a biller's override carries, validated; it must stay the same claim (same id)."""
    from pydantic import ValidationError

    raw = new_value.get("claim")
    if not isinstance(raw, dict):
        raise CorrectionRefused("new_value.claim: the corrected claim (Handoff claim JSON)")
    try:
        claim = Claim.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CorrectionRefused(f"new_value.claim.{where}: {first['msg']}") from None
    if claim.id != original.id:
        raise CorrectionRefused(f"new_value.claim.id: a correction keeps the claim's id ({original.id})")
    return claim


def apply_decision(rt: Runtime, decision_id: UUID) -> None:
    """A biller's final decision takes effect on the claim: an accepted check applies its machine fixes
    and an override its corrected claim, as the claim's next version (checked again); a rejection holds
    the claim with the reason; an accepted clean claim is ready to submit."""
    from store.intake import get_decision
    from store.routing import get_suggestion

    with rt.pool.connection() as conn:
        d = get_decision(conn, decision_id=decision_id)
        if d is None or not d["final"]:
            return
        done, corrected_id = claims_store.effects_of_decision(conn, decision_id=decision_id)
    if done:  # applied before (a retried job): only finish checking the version it made
        if corrected_id is not None:
            check_version(rt, corrected_id)
        return
    with rt.pool.connection() as conn:
        suggestion = get_suggestion(conn, suggestion_id=d["suggestion_id"])
        row_id = suggestion.value.get("claim_row_id") if suggestion is not None else None
        row = claims_store.get_claim(conn, claim_id=UUID(row_id)) if row_id else None
    if suggestion is None or row is None:
        log.info("claims decision %s: no stored claim version to act on", decision_id)
        return
    original = Claim.model_validate(row["payload"])
    common: dict[str, Any] = dict(claim_id=row["id"], unit_id=row["unit_id"], actor=d["decided_by"],
                                  decision_id=decision_id)
    with rt.pool.connection() as conn, conn.transaction():
        if d["action"] == "reject":
            claims_store.record_claim_event(conn, event="held", reason_code=d["reason_code"], note=d["note"], **common)
            return
        new_value = d["new_value"] or {}
        if d["action"] == "override" and new_value.get("claim"):
            corrected = corrected_claim(original, new_value)
        elif d["action"] == "override" and new_value.get("submit_as_is"):
            claims_store.record_claim_event(conn, event="ready", reason_code=d["reason_code"], note=d["note"], **common)
            return
        elif suggestion.label == "exceptions":
            fixes = [ClaimFix.model_validate(f) for f in suggestion.value.get("fixes") or []]
            if not fixes:
                claims_store.record_claim_event(
                    conn, event="held", reason_code="needs_correction",
                    note="findings accepted; they have no automatic fix: correct the claim (override)", **common)
                return
            corrected = apply_fixes(original, fixes)
        else:
            claims_store.record_claim_event(conn, event="ready", reason_code=d["reason_code"], **common)
            return
        new_row = claims_store.insert_corrected_version(conn, previous=row, claim=corrected, decision_id=decision_id)
        claims_store.record_claim_event(conn, event="corrected", reason_code=d["reason_code"],
                                        note=f"version {new_row['version']}", **common)
    check_version(rt, new_row["id"])


def recheck_claim(rt: Runtime, *, claim_row_id: UUID, actor: str) -> RouteSummary | None:
    """Check a stored claim again after its records changed (a 271, an authorization, a payer
    profile): a new graph thread and a new suggestion, logged; the gate replaces the claim's open
    review item."""
    from store import audit

    with rt.pool.connection() as conn:
        row = claims_store.get_claim(conn, claim_id=claim_row_id)
        if row is None:
            raise LookupError(f"no stored claim {claim_row_id}")
        audit.record_event(conn, actor=actor, action="claim.rechecked", unit_id=row["unit_id"],
                           subject=f"claim:{row['unit_code']}:{row['claim_key']}")
    run_key = str(uuid4())
    graph = build_graph(checkpointer=rt.checkpointer)
    config = {"configurable": {"thread_id": f"claims:{claim_row_id}:recheck:{run_key}"}}
    return graph.invoke({"claim_row_id": str(claim_row_id), "run_key": run_key}, config,
                        context=ClaimsContext(runtime=rt)).get("route")
