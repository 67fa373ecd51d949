"""The no-show agent: score a day's appointments with the latest trained model and propose actions.

Supportive actions (an extra reminder, transport help, a telehealth offer) may auto-apply when the
unit's policy is satisfied; overbooking a slot always goes to a practice manager (policy label
`noshow:overbook`), because overbooking on predicted no-shows is known to make some patient groups
wait longer. Confidence is the calibrated no-show probability: the chance the action is warranted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime as GraphRuntime
from pydantic import BaseModel, ConfigDict, Field

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.governance import RouteDecision, Suggestion
from models.graph_state import RouteSummary
from models.patients import Patient
from models.scheduling import NoShowScore
from store import intake as patient_store
from store import org as org_store
from store import scheduling as scheduling_store
from store.intake import get_decision
from store.routing import get_suggestion
from tools.model_registry import NoModelRegistered
from tools.noshow.appointment_frame import appointments_to_frame
from tools.noshow.model import MODEL_NAME, TrainedNoShowModel, scores_for_day

AGENT = "noshow"
# Probability floors for proposing each action; the policy's thresholds decide auto vs review.
REMINDER_FROM = 0.20
SUPPORT_FROM = 0.30
OVERBOOK_FROM = 0.50
FAR_KM = 20.0


class NoModel(LookupError):
    """No trained no-show model in the registry yet."""


class NotEnoughHistory(LookupError):
    """The store holds too few appointments with a known outcome to train on."""


MIN_TRAINING_APPOINTMENTS = 200


@dataclass(frozen=True)
class NoShowContext:
    runtime: Runtime


class NoShowState(BaseModel):
    """One unit-day's thread (checkpointed): scores, the actions proposed, and their routes."""

    model_config = ConfigDict(extra="ignore")

    unit_id: str
    day: str
    scores: list[NoShowScore] = Field(default_factory=list)
    proposals: list[Suggestion] = Field(default_factory=list)
    routed: list[RouteSummary] = Field(default_factory=list)


def load_model(runtime: Runtime) -> TrainedNoShowModel:
    """The newest registered no-show model, reloaded when a newer version is registered."""
    try:
        return runtime.current_model(MODEL_NAME, TrainedNoShowModel.from_estimators)
    except NoModelRegistered:
        raise NoModel("no trained no-show model: run `handoff noshow train --data PATH` first") from None


def score_appointments(state: NoShowState, runtime: GraphRuntime[NoShowContext]) -> dict:
    """Calibrated no-show probabilities for the day's appointments of known patients."""
    rt = runtime.context.runtime
    unit_id, day = UUID(state.unit_id), date.fromisoformat(state.day)
    model = load_model(rt)
    with rt.pool.connection() as conn:
        unit = org_store.get_unit(conn, unit_id=unit_id)
        appointments = scheduling_store.appointments_through(conn, unit_id=unit_id, day=day)
        patients = patient_store.patients_by_mrn(conn, org_id=unit.org_id,
                                                 mrns=sorted({a.patient_id for a in appointments}))
    known = {p.id for p in patients}
    appointments = [a for a in appointments if a.patient_id in known]
    if not any(a.appointment_day == day for a in appointments):
        return {"scores": []}
    frame = appointments_to_frame(appointments, patients)
    return {"scores": scores_for_day(model, frame, day=day)}


def _actions_for(probability: float, patient: Patient | None, telehealth: bool) -> list[str]:
    actions = []
    if probability >= SUPPORT_FROM and patient is not None and not patient.has_transport:
        actions.append("offer_transport")
    if probability >= SUPPORT_FROM and not telehealth and patient is not None and (patient.distance_km or 0) > FAR_KM:
        actions.append("offer_telehealth")
    if probability >= REMINDER_FROM:
        actions.append("extra_reminder")
    return actions


def propose_actions(state: NoShowState, runtime: GraphRuntime[NoShowContext]) -> dict:
    """Supportive actions and overbooking proposals from each score, as suggestions."""
    rt = runtime.context.runtime
    unit_id, day = UUID(state.unit_id), date.fromisoformat(state.day)
    with rt.pool.connection() as conn:
        unit = org_store.get_unit(conn, unit_id=unit_id)
        mrns = sorted({s.patient_id for s in state.scores})
        patients = {p.id: p for p in patient_store.patients_by_mrn(conn, org_id=unit.org_id, mrns=mrns)}
        telehealth = {a.id: a.telehealth for a in scheduling_store.appointments_through(conn, unit_id=unit_id, day=day)
                      if a.appointment_day == day}
    proposals = []
    for score in state.scores:
        p = score.probability
        patient = patients.get(score.patient_id)
        group = patient.group_on(day).model_dump(exclude_none=True) if patient else {}
        common = dict(agent=AGENT, unit_id=unit_id, confidence=p, model_version=score.model_version,
                      input_hash=f"{score.appointment_id}:{day.isoformat()}", patient_group=group,
                      evidence=[{"kind": "feature", "source": k, "value": v} for k, v in sorted(score.features.items())])
        actions = _actions_for(p, patient, telehealth.get(score.appointment_id, False))
        if actions:
            proposals.append(Suggestion(kind="noshow_support", subject=f"appointment:{score.appointment_id}",
                                        label=actions[0], value={"appointment_id": score.appointment_id,
                                        "day": day.isoformat(), "probability": round(p, 4), "actions": actions},
                                        **common))
        if p >= OVERBOOK_FROM:
            proposals.append(Suggestion(kind="noshow_overbook", subject=f"slot:{score.appointment_id}",
                                        label="overbook", value={"appointment_id": score.appointment_id,
                                        "day": day.isoformat(), "probability": round(p, 4), "actions": ["overbook"]},
                                        **common))
    return {"proposals": proposals}


def route_through_gate(state: NoShowState, runtime: GraphRuntime[NoShowContext]) -> dict:
    """Every proposal goes through the one gate; auto-routed supportive actions are applied here."""
    rt = runtime.context.runtime
    routed = []
    with rt.pool.connection() as conn:
        for suggestion in state.proposals:
            with conn.transaction():
                outcome = route_suggestion(conn, suggestion)
                if outcome.route.decision == RouteDecision.auto:
                    for action in suggestion.value["actions"]:
                        scheduling_store.record_action(
                            conn, unit_id=suggestion.unit_id, appointment_id=suggestion.value["appointment_id"],
                            action=action, suggestion_id=suggestion.id, decision_id=None, applied_by="auto")
            routed.append(RouteSummary(suggestion_id=str(suggestion.id), decision=outcome.route.decision.value,
                                       queue=outcome.route.queue, reasons=outcome.route.reasons,
                                       label=suggestion.label, qa_sample=outcome.route.qa_sample,
                                       review_item_id=str(outcome.review_item.id) if outcome.review_item else None))
    return {"routed": routed}


def history_frame(runtime: Runtime, *, before: date, unit_codes: list[str] | None = None):
    """The store's own appointments with a known outcome, on days strictly before `before`, with their
    patients, as the one appointment table features and models read (tools/noshow/appointment_frame)."""
    from tools.noshow.appointment_frame import appointments_to_frame

    appointments, patients = [], {}
    with runtime.pool.connection() as conn:
        units = [u for u in org_store.list_units(conn) if unit_codes is None or u.code in unit_codes]
        for unit in units:
            labeled = [a for a in scheduling_store.labeled_appointments(conn, unit_id=unit.id, before=before)
                       if a.no_show is not None]
            known = {p.id: p for p in patient_store.patients_by_mrn(
                conn, org_id=unit.org_id, mrns=sorted({a.patient_id for a in labeled}))}
            # Patient ids are MRNs within an organization; keep them apart across units of other orgs.
            appointments += [a for a in labeled if a.patient_id in known]
            patients.update(known)
    return appointments_to_frame(appointments, patients.values()), [u.code for u in units]


def train_from_store(runtime: Runtime, *, before: date, unit_codes: list[str] | None = None,
                     n_threads: int | None = 1):
    """Train and register a no-show model on the clinic's own history (appointments before `before`
    whose outcome is known). The version is derived from the data, so retraining on the same history
    registers nothing new."""
    from tools.model_registry import list_versions, load_model, register_model
    from tools.noshow.model import train

    frame, codes = history_frame(runtime, before=before, unit_codes=unit_codes)
    if len(frame) < MIN_TRAINING_APPOINTMENTS or frame["no_show"].nunique() < 2:
        raise NotEnoughHistory(f"{len(frame)} appointments with a known outcome before {before.isoformat()}; "
                               f"training needs at least {MIN_TRAINING_APPOINTMENTS} with both shows and no-shows "
                               "(load them with `handoff ingest appointments`)")
    model = train(frame, n_threads=n_threads,
                  data_source=f"Handoff store: units {', '.join(codes)}, appointment days before {before.isoformat()}")
    with runtime.pool.connection() as conn:
        if any(m.version == model.version for m in list_versions(conn, name=MODEL_NAME)):
            estimators, record = load_model(conn, name=MODEL_NAME, version=model.version)
            return TrainedNoShowModel.from_estimators(estimators, record.meta)
        register_model(conn, estimators=model.to_estimators(), meta=model.meta, registered_by="noshow:store-history")
    return model


def build_graph(*, checkpointer):
    """score_appointments -> propose_actions -> route_through_gate, checkpointed per unit and day."""
    graph = StateGraph(NoShowState, context_schema=NoShowContext)
    graph.add_node("score_appointments", score_appointments)
    graph.add_node("propose_actions", propose_actions)
    graph.add_node("route_through_gate", route_through_gate)
    graph.add_edge(START, "score_appointments")
    graph.add_edge("score_appointments", "propose_actions")
    graph.add_edge("propose_actions", "route_through_gate")
    graph.add_edge("route_through_gate", END)
    return graph.compile(checkpointer=checkpointer)


@dataclass(frozen=True)
class DaySummary:
    scored: int
    auto: int
    review: int
    already_done: bool = False


def score_day(runtime: Runtime, *, unit_code: str, day: date) -> DaySummary:
    """Score `day` for a unit once (the graph's thread is the unit and day; a rerun is a no-op)."""
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code=unit_code)
    graph = build_graph(checkpointer=runtime.checkpointer)
    config = {"configurable": {"thread_id": f"noshow:{unit.id}:{day.isoformat()}"}}
    existing = graph.get_state(config)
    if existing.values and not existing.next:
        done = NoShowState.model_validate(existing.values)
        return DaySummary(scored=len(done.scores), auto=sum(r.decision == "auto" for r in done.routed),
                          review=sum(r.decision == "review" for r in done.routed), already_done=True)
    final = NoShowState.model_validate(graph.invoke({"unit_id": str(unit.id), "day": day.isoformat()}, config,
                                                    context=NoShowContext(runtime=runtime)))
    return DaySummary(scored=len(final.scores), auto=sum(r.decision == "auto" for r in final.routed),
                      review=sum(r.decision == "review" for r in final.routed))


def apply_decision(runtime: Runtime, decision_id: UUID) -> None:
    """A reviewer's final decision on a no-show suggestion: apply the accepted (or corrected) actions."""
    with runtime.pool.connection() as conn, conn.transaction():
        d = get_decision(conn, decision_id=decision_id)
        if d is None or d["action"] == "reject":
            return
        value = d["new_value"] if d["action"] == "override" and d["new_value"] else d["suggested_value"]
        actions = value.get("actions") or ([value["action"]] if value.get("action") else [])
        suggestion = get_suggestion(conn, suggestion_id=d["suggestion_id"])
        for action in actions:
            scheduling_store.record_action(conn, unit_id=suggestion.unit_id,
                                           appointment_id=suggestion.value["appointment_id"], action=str(action),
                                           suggestion_id=suggestion.id, decision_id=decision_id,
                                           applied_by=d["decided_by"])

