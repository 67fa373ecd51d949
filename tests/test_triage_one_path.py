"""The triage suite judges what runs: for the same items, the routes the suite computes
(evals.suite_triage.score_items) and the routes the intake agent writes (through the graph, the store
and the gate) are identical, item by item; and the parts of the triage the two share keep their
safety promises (an emergent signal makes the item emergent whatever the urgency head says)."""

from __future__ import annotations

from uuid import UUID

from agents import jobs
from api.services.intake import accept, message_bytes
from tools.intake.training import TRAIN_AUTHORS, load_written
from evals.suite_triage import score_items
from models.governance import Policy
from store import intake as intake_store
from store import org as org_store
from store import policy as policy_store
from tools.intake.classifier import final_urgency_of


def _sample(per_language: int = 6):
    """A fixed, varied handful of the written corpus: per language, the first items by id of as many
    different doc_types as possible (referrals, sensitive and injected ones included)."""
    items = sorted(load_written(TRAIN_AUTHORS), key=lambda i: i.id)
    chosen, seen = [], set()
    for lang in ("en", "es", "vi", "zh"):
        pool = [i for i in items if i.group.get("language") == lang]
        picked = []
        for it in pool:
            key = (lang, it.doc_type)
            if key not in seen and len(picked) < per_language:
                seen.add(key)
                picked.append(it)
        picked += [i for i in pool if i.sensitive and i not in picked][:1]
        picked += [i for i in pool if i.model_extra.get("injection") and i not in picked][:1]
        chosen += picked
    return chosen


def test_suite_and_agent_route_every_item_identically(intake_runtime, intake_classifier):
    rt = intake_runtime
    items = _sample()
    part_of = {}
    with rt.pool.connection() as conn:
        for it in items:
            out = accept(conn, rt, user=None, actor="test", unit_code="primary-care", channel="message",
                         data=message_bytes({"text": it.text}))
            part_of[it.id] = out.item_id
    jobs.run_worker(rt, wait=False)
    with rt.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        policy = policy_store.current_policy(conn, unit_id=unit.id).policy
        agent = {}
        for it in items:
            [part] = intake_store.parts_of_item(conn, item_id=UUID(part_of[it.id]))
            agent[it.id] = conn.execute(
                "SELECT s.label, s.urgency, s.confidence, r.decision, r.queue, r.priority, r.reasons "
                "FROM suggestions s JOIN routes r ON r.suggestion_id = s.id WHERE s.subject = %s",
                (f"inbound_part:{part['id']}",)).fetchone()
    frame = score_items(items, [i.text for i in items], [False] * len(items), intake_classifier, embeddings=None,
                        policy=policy)
    assert len(frame) == len(items) >= 24
    differences = []
    for row in frame.itertuples():
        a = agent[row.id]
        suite = (row.pred_doc_type, row.pred_urgency, round(row.confidence, 6), "auto" if row.auto else "review",
                 row.queue, row.priority, sorted(set(row.reasons.split(";")) - {"qa_sample", ""}))
        ran = (a["label"], a["urgency"], round(a["confidence"], 6), a["decision"], a["queue"], a["priority"],
               sorted(set(a["reasons"]) - {"qa_sample"}))
        if suite != ran:
            differences.append((row.id, suite, ran))
    assert not differences, differences
    # The sample exercises both routes and the text's own flags.
    assert frame["auto"].any() or (frame["reasons"].str.contains("low_confidence")).any()
    assert frame["pred_sensitive"].any() and (~frame["auto"]).any()


def test_an_emergent_signal_makes_the_item_emergent_whatever_the_urgency_head_said():
    for head in ("routine", "urgent"):
        assert final_urgency_of(head, "routine", True)[0] == "emergent"
        assert final_urgency_of(head, "emergent", False)[0] == "emergent"
    assert final_urgency_of("urgent", "routine", False) == ("urgent", ["urgency_head"])
    assert Policy().threshold_for("intake", "other") <= 1.0


def test_the_learned_heads_are_cross_fitted_to_their_recall_targets_and_survive_the_registry(intake_classifier, conn):
    from tools.intake.synthetic_corpus import generate_heldout_corpus, make_patients
    from tools.intake.classifier import BINARY_HEADS, DEFAULT_RECALL_TARGETS, IntakeClassifier
    from tools.intake.training import register_intake_classifier
    from tools.model_registry import load_model

    clf = intake_classifier
    assert set(clf.binary_models) == set(BINARY_HEADS) and clf.category_model is not None
    assert all(0.0 < clf.thresholds[h] <= 0.5 for h in BINARY_HEADS)
    # On the cross-fitted predictions the rules together with each head reach the head's recall target.
    assert clf.meta.params["recall_targets"]["sensitive"] == DEFAULT_RECALL_TARGETS["sensitive"]
    assert clf.oof is not None and len(clf.oof.index) and clf.oof.confidence_cross.shape == clf.oof.index.shape
    register_intake_classifier(conn, clf, registered_by="test")
    estimators, record = load_model(conn, name=clf.meta.name, version=clf.version)
    loaded = IntakeClassifier.from_estimators(estimators, record.meta)
    texts = [i.text for i in generate_heldout_corpus(seed=9, n=8, patients=make_patients(seed=9, n=5))]
    assert [(p.doc_type, p.final_urgency, p.head_flags, round(p.confidence, 9)) for p in loaded.predict(texts)] == \
        [(p.doc_type, p.final_urgency, p.head_flags, round(p.confidence, 9)) for p in clf.predict(texts)]
