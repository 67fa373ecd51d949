"""The no-show agent: score a day's appointments with the latest trained model and propose actions.

Supportive actions (an extra reminder, transport help, a telehealth offer) may auto-apply when the
unit's policy is satisfied; overbooking a slot always goes to a practice manager (policy label
`noshow:overbook`), because overbooking on predicted no-shows is known to make some patient groups
wait longer. Confidence is the calibrated no-show probability: the chance the action is warranted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict
from uuid import UUID

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime as GraphRuntime

from agents.gate import route_suggestion
from agents.runtime import Runtime
from models.governance import RouteDecision, Suggestion
from models.patients import Patient
from store import intake as patient_store
from store import org as org_store
from store import scheduling as scheduling_store
from store.intake import get_decision

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


class NoShowState(TypedDict, total=False):
    unit_id: str
    day: str
    scores: list[dict]
    proposals: list[dict]
    routed: list[dict]


def load_model(runtime: Runtime):
    from tools.model_registry import load_noshow_model

    def build():
        try:
            return load_noshow_model(runtime.settings.model_dir)
        except (FileNotFoundError, LookupError) as exc:
            raise NoModel("no trained no-show model: run `handoff noshow train --data PATH` first") from exc

    return runtime.cached("noshow_model", build)


def score_appointments(state: NoShowState, runtime: GraphRuntime[NoShowContext]) -> dict:
    from tools.noshow.appointment_frame import appointments_to_frame
    from tools.noshow.model import scores_for_day

    rt = runtime.context.runtime
    unit_id, day = UUID(state["unit_id"]), date.fromisoformat(state["day"])
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
    scores = scores_for_day(model, frame, day=day)
    return {"scores": [s.model_dump(mode="json") for s in scores]}


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
    rt = runtime.context.runtime
    unit_id, day = UUID(state["unit_id"]), date.fromisoformat(state["day"])
    with rt.pool.connection() as conn:
        unit = org_store.get_unit(conn, unit_id=unit_id)
        mrns = sorted({s["patient_id"] for s in state.get("scores", [])})
        patients = {p.id: p for p in patient_store.patients_by_mrn(conn, org_id=unit.org_id, mrns=mrns)}
        telehealth = {a.id: a.telehealth for a in scheduling_store.appointments_through(conn, unit_id=unit_id, day=day)
                      if a.appointment_day == day}
    proposals = []
    for score in state.get("scores", []):
        p = score["probability"]
        patient = patients.get(score["patient_id"])
        group = patient.group_on(day).model_dump(exclude_none=True) if patient else {}
        common = dict(agent=AGENT, unit_id=unit_id, confidence=p, model_version=score["model_version"],
                      input_hash=f"{score['appointment_id']}:{day.isoformat()}", patient_group=group,
                      evidence=[{"kind": "feature", "source": k, "value": v} for k, v in sorted(score["features"].items())])
        actions = _actions_for(p, patient, telehealth.get(score["appointment_id"], False))
        if actions:
            proposals.append(Suggestion(kind="noshow_support", subject=f"appointment:{score['appointment_id']}",
                                        label=actions[0], value={"appointment_id": score["appointment_id"],
                                        "day": day.isoformat(), "probability": round(p, 4), "actions": actions},
                                        **common).model_dump(mode="json"))
        if p >= OVERBOOK_FROM:
            proposals.append(Suggestion(kind="noshow_overbook", subject=f"slot:{score['appointment_id']}",
                                        label="overbook", value={"appointment_id": score["appointment_id"],
                                        "day": day.isoformat(), "probability": round(p, 4), "actions": ["overbook"]},
                                        **common).model_dump(mode="json"))
    return {"proposals": proposals}


def route_through_gate(state: NoShowState, runtime: GraphRuntime[NoShowContext]) -> dict:
    """Every proposal goes through the one gate; auto-routed supportive actions are applied here."""
    rt = runtime.context.runtime
    routed = []
    with rt.pool.connection() as conn:
        for raw in state.get("proposals", []):
            suggestion = Suggestion.model_validate(raw)
            with conn.transaction():
                outcome = route_suggestion(conn, suggestion)
                if outcome.route.decision == RouteDecision.auto:
                    for action in suggestion.value["actions"]:
                        scheduling_store.record_action(
                            conn, unit_id=suggestion.unit_id, appointment_id=suggestion.value["appointment_id"],
                            action=action, suggestion_id=suggestion.id, decision_id=None, applied_by="auto")
            routed.append({"suggestion_id": str(suggestion.id), "route": outcome.route.decision.value,
                           "queue": outcome.route.queue})
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
    from tools.model_registry import list_versions, load_noshow_model, save_noshow_model
    from tools.noshow.model import MODEL_NAME, train

    frame, codes = history_frame(runtime, before=before, unit_codes=unit_codes)
    if len(frame) < MIN_TRAINING_APPOINTMENTS or frame["no_show"].nunique() < 2:
        raise NotEnoughHistory(f"{len(frame)} appointments with a known outcome before {before.isoformat()}; "
                               f"training needs at least {MIN_TRAINING_APPOINTMENTS} with both shows and no-shows "
                               "(load them with `handoff ingest appointments`)")
    model = train(frame, n_threads=n_threads,
                  data_source=f"Handoff store: units {', '.join(codes)}, appointment days before {before.isoformat()}")
    if any(m.version == model.version for m in list_versions(runtime.settings.model_dir, name=MODEL_NAME)):
        return load_noshow_model(runtime.settings.model_dir, version=model.version)
    save_noshow_model(runtime.settings.model_dir, model)
    runtime.forget("noshow_model")
    return model


def build_graph(*, checkpointer):
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
        routed = existing.values.get("routed", [])
        return DaySummary(scored=len(existing.values.get("scores", [])), auto=sum(r["route"] == "auto" for r in routed),
                          review=sum(r["route"] == "review" for r in routed), already_done=True)
    state = graph.invoke({"unit_id": str(unit.id), "day": day.isoformat()}, config,
                         context=NoShowContext(runtime=runtime))
    routed = state.get("routed", [])
    return DaySummary(scored=len(state.get("scores", [])), auto=sum(r["route"] == "auto" for r in routed),
                      review=sum(r["route"] == "review" for r in routed))


def apply_decision(runtime: Runtime, decision_id: UUID) -> None:
    """A reviewer's final decision on a no-show suggestion: apply the accepted (or corrected) actions."""
    with runtime.pool.connection() as conn, conn.transaction():
        d = get_decision(conn, decision_id=decision_id)
        if d is None or d["action"] == "reject":
            return
        value = d["new_value"] if d["action"] == "override" and d["new_value"] else d["suggested_value"]
        actions = value.get("actions") or ([value["action"]] if value.get("action") else [])
        from store.routing import get_suggestion

        suggestion = get_suggestion(conn, suggestion_id=d["suggestion_id"])
        for action in actions:
            scheduling_store.record_action(conn, unit_id=suggestion.unit_id,
                                           appointment_id=suggestion.value["appointment_id"], action=str(action),
                                           suggestion_id=suggestion.id, decision_id=decision_id,
                                           applied_by=d["decided_by"])

