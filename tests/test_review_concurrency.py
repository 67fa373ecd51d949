"""20 reviewers claim concurrently from 200 items: no item held by two, none lost, exactly one
decision per item."""

from __future__ import annotations

import random
import threading
from collections import Counter

from agents.gate import route_suggestion
from api.security import hash_password
from api.services import review as review_service
from models.org import Role
from models.review import DecisionIn
from store import org as org_store
from store import review as review_store
from tests.factories import make_suggestion

N_ITEMS = 200
N_REVIEWERS = 20


def test_twenty_reviewers_two_hundred_items(runtime, demo_org):
    with runtime.pool.connection() as conn:
        unit = org_store.get_unit_by_code(conn, code="primary-care")
        items = {str(route_suggestion(conn, make_suggestion(unit.id, confidence=0.2)).review_item.id)
                 for _ in range(N_ITEMS)}
        pw = hash_password("reviewer-password")
        users = []
        for i in range(N_REVIEWERS):
            u = org_store.create_user(conn, org_id=unit.org_id, username=f"rev{i:02d}", display_name=f"R{i}",
                                      password_hash=pw, actor="test")
            org_store.grant_role(conn, user_id=u.id, unit_id=unit.id, role=Role.front_desk, actor="test")
            users.append(org_store.get_user(conn, user_id=u.id))
        conn.commit()

    decided: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(user, seed):
        rng = random.Random(seed)
        try:
            while True:
                with runtime.pool.connection() as conn:
                    item = review_service.claim_next(conn, user=user, queue="front_desk")
                if item is None:
                    return
                with runtime.pool.connection() as conn:
                    if rng.random() < 0.1:  # skip some: they must come back, not be lost
                        review_service.release(conn, user=user, item_id=item.id)
                        continue
                    review_service.decide(conn, user=user, item_id=item.id, decision=DecisionIn(
                        action="accept", reason_code="correct", item_version=item.version))
                with lock:
                    decided.append(str(item.id))
        except BaseException as exc:  # surfaced below with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u, i)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[:3]
    assert Counter(decided).most_common(1)[0][1] == 1, "an item was decided twice"
    assert set(decided) == items, f"{len(items - set(decided))} items lost"

    with runtime.pool.connection() as conn:
        for item_id in items:
            decisions = review_store.decisions_for_item(conn, item_id=item_id)
            assert len(decisions) == 1
            # Replay the item's events: a claim only ever follows a release or the creation.
            holder = None
            for e in review_store.item_events(conn, item_id=item_id):
                if e["event"] == "claimed":
                    assert holder is None, f"item {item_id} claimed by {e['actor']} while {holder} held it"
                    holder = e["actor"]
                elif e["event"] in ("released", "decided", "lease_expired"):
                    assert e["event"] == "lease_expired" or e["actor"] == holder
                    holder = None
            assert holder is None
    reviewers = Counter(d for d in decided)
    assert len(reviewers) == N_ITEMS
