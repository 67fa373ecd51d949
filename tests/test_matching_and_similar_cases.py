"""Patient matching sees every candidate in a stable order, and similar-case search returns k
resolved cases of the reviewer's own unit however many other units' cases lie nearer (issue 15)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import numpy as np

from models.patients import Patient
from store import intake as intake_store
from store import org as org_store


def test_patient_candidates_keep_the_identifier_match_among_many_sharing_a_birth_date(conn, demo_org):
    unit = org_store.get_unit_by_code(conn, code="primary-care")
    dob = date(1961, 4, 2)
    crowd = [Patient(id=f"C{i:04d}", given_name="Ann", family_name=f"Able{i:03d}", birth_date=dob, sex="F")
             for i in range(80)]
    target = Patient(id="Z9999", given_name="Zed", family_name="Zylstra", birth_date=date(1970, 1, 1), sex="M",
                     member_id="MEM-77")
    # Registered last, so a LIMIT without ORDER BY over the crowd's date of birth leaves it out.
    intake_store.register_patients(conn, org_id=unit.org_id, patients=crowd + [target])
    found = intake_store.patient_candidates(conn, org_id=unit.org_id, birth_date=dob, mrn="Z9999", member_id=None)
    assert found[0]["mrn"] == "Z9999"
    assert len(found) == 81
    again = intake_store.patient_candidates(conn, org_id=unit.org_id, birth_date=dob, mrn="Z9999", member_id=None)
    assert [r["mrn"] for r in again] == [r["mrn"] for r in found]


def _resolved_case(conn, unit_id, vec: np.ndarray) -> None:
    item_id, part_id = uuid4(), uuid4()
    conn.execute("INSERT INTO inbound_items (id, unit_id, channel, sha256, size_bytes, media_type, received_by) "
                 "VALUES (%s, %s, 'message', %s, 1, 'application/json', 'test')",
                 (item_id, unit_id, uuid4().hex + uuid4().hex))
    conn.execute("INSERT INTO inbound_parts (id, item_id, part_no, text) VALUES (%s, %s, 1, 'x')", (part_id, item_id))
    conn.execute("INSERT INTO resolved_cases (part_id, unit_id, embedding, doc_type, urgency, queue, filed_at) "
                 "VALUES (%s, %s, %s::vector, 'referral', 'routine', 'referrals', now())",
                 (part_id, unit_id, "[" + ",".join(f"{x:.6f}" for x in vec) + "]"))


def test_similar_cases_are_k_of_the_units_own_however_near_other_units_are(conn, demo_org):
    rng = np.random.default_rng(3)
    query = rng.normal(size=384)
    query /= np.linalg.norm(query)
    mine = org_store.get_unit_by_code(conn, code="cardiology")
    other = org_store.get_unit_by_code(conn, code="primary-care")
    for _ in range(300):  # the other unit's cases crowd around the query
        v = query + 0.05 * rng.normal(size=384)
        _resolved_case(conn, other.id, v / np.linalg.norm(v))
    for _ in range(6):  # this unit's are farther away
        v = query + 1.5 * rng.normal(size=384)
        _resolved_case(conn, mine.id, v / np.linalg.norm(v))
    conn.commit()
    conn.execute("SET enable_seqscan = off")  # plan as at scale: through the vector index
    found = intake_store.similar_resolved(conn, part_id=uuid4(), unit_id=mine.id, embedding=query, limit=5)
    assert len(found) == 5
    sims = [r["similarity"] for r in found]
    assert sims == sorted(sims, reverse=True)
    plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(
        "EXPLAIN SELECT part_id FROM resolved_cases WHERE unit_id = %s ORDER BY embedding <=> %s::vector LIMIT 5",
        (mine.id, "[" + ",".join(f"{x:.6f}" for x in query) + "]")).fetchall())
    assert "resolved_cases_hnsw_" + str(mine.id).replace("-", "") in plan
