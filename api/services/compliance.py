"""Compliance service functions: the logs with filters and paging, the human loop's rates by agent,
model version, label and patient group, automation's measured error from the QA sample, the audit
chain, and exports (CSV, FHIR R4 Bundle of Provenance, Task and AuditEvent)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import psycopg

from api.access import AUDITORS
from api.errors import BadInput
from models.compliance import ChainStatus, DecisionRow, OutputRow, Page, QaRow, RateRow
from models.org import User
from store import audit
from store import compliance as store

MAX_PAGE = 500


def audited_units(user: User) -> list[UUID]:
    return sorted({r.unit_id for r in user.roles if r.role in AUDITORS}, key=str)


def _group_filter(group: str | None) -> tuple[str | None, str | None]:
    if not group:
        return None, None
    if "=" not in group:
        raise BadInput("group: use attribute=value, e.g. language=es", field="group")
    attr, value = group.split("=", 1)
    if attr not in {"sex", "age_band", "race_ethnicity", "language", "payer"}:
        raise BadInput("group: attribute must be sex, age_band, race_ethnicity, language or payer", field="group")
    return attr, value


def outputs(conn: psycopg.Connection, *, user: User, limit: int = 50, group: str | None = None, **filters: Any) -> Page[OutputRow]:
    attr, value = _group_filter(group)
    rows = store.outputs_log(conn, unit_ids=audited_units(user), group_attr=attr, group_value=value,
                             limit=min(limit, MAX_PAGE), **filters)
    audit.record_phi_read(conn, actor=user.username, subject="compliance:outputs", purpose="compliance_audit",
                          fields=[f"{len(rows)} rows"])
    return Page[OutputRow](items=[OutputRow(**r) for r in rows],
                           next_before_seq=rows[-1]["seq"] if len(rows) == min(limit, MAX_PAGE) else None)


def decisions(conn: psycopg.Connection, *, user: User, limit: int = 50, group: str | None = None, **filters: Any) -> Page[DecisionRow]:
    attr, value = _group_filter(group)
    rows = store.decisions_log(conn, unit_ids=audited_units(user), group_attr=attr, group_value=value,
                               limit=min(limit, MAX_PAGE), **filters)
    audit.record_phi_read(conn, actor=user.username, subject="compliance:decisions", purpose="compliance_audit",
                          fields=[f"{len(rows)} rows"])
    return Page[DecisionRow](items=[DecisionRow(**r) for r in rows],
                             next_before_seq=rows[-1]["seq"] if len(rows) == min(limit, MAX_PAGE) else None)


def rates(conn: psycopg.Connection, *, user: User, by: str, since: datetime | None = None,
          until: datetime | None = None) -> list[RateRow]:
    """Rates of the human loop by one dimension: agent, model_version, label, unit, or group:<attr>."""
    group_attr = None
    dimension = by
    if by.startswith("group:"):
        dimension, group_attr = "group", by.split(":", 1)[1]
        if group_attr not in {"sex", "age_band", "race_ethnicity", "language", "payer"}:
            raise BadInput("by: group attribute must be sex, age_band, race_ethnicity, language or payer", field="by")
    elif by not in store.RATE_DIMENSIONS or by == "group":
        raise BadInput("by: use agent, model_version, label, unit or group:<attribute>", field="by")
    rows = store.rates_by(conn, unit_ids=audited_units(user), dimension=dimension, group_attr=group_attr,
                          since=since, until=until)
    return [RateRow(**r) for r in rows]


def wilson_interval(k: int, n: int) -> tuple[float, float] | None:
    """95% Wilson score interval for k successes in n trials (via scipy).

    >>> [round(x, 3) for x in wilson_interval(2, 100)]
    [0.006, 0.07]
    """
    if n == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def qa_error(conn: psycopg.Connection, *, user: User, since: datetime | None = None) -> list[QaRow]:
    """The measured error of auto-applied items: QA-sampled items a reviewer overrode or rejected."""
    out = []
    for r in store.qa_outcomes(conn, unit_ids=audited_units(user), since=since):
        ci = wilson_interval(r["wrong"], r["reviewed"])
        note = "no QA item reviewed yet" if not r["reviewed"] else (
            "fewer than 30 reviewed: the interval is wide" if r["reviewed"] < 30 else "")
        out.append(QaRow(agent=r["agent"], sampled=r["sampled"], reviewed=r["reviewed"], wrong=r["wrong"],
                         error_rate=(r["wrong"] / r["reviewed"]) if r["reviewed"] else None,
                         ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None, note=note))
    return out


def chain_status(conn: psycopg.Connection) -> ChainStatus:
    """The chain from the last verified anchor on (the whole chain the first time), so that a page
    view stays quick however long the log grows."""
    report = audit.verify_chain(conn, incremental=True)
    return ChainStatus(ok=report.ok, rows=report.rows, head_seq=report.head_seq, head_hash=report.head_hash,
                       problem=str(report.first_problem) if report.first_problem else None,
                       incremental=report.incremental)


CSV_COLUMNS = ["seq", "created_at", "unit_code", "agent", "kind", "subject", "label", "confidence", "flags",
               "model_version", "prompt_hash", "route", "queue", "priority", "reasons", "policy_version", "qa_sample"]


def export_csv(conn: psycopg.Connection, *, user: User, since: datetime | None = None,
               until: datetime | None = None) -> str:
    """The output log as CSV (without suggestion values, which may hold clinical text)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    before = None
    while True:
        rows = store.outputs_log(conn, unit_ids=audited_units(user), since=since, until=until,
                                 before_seq=before, limit=MAX_PAGE)
        for r in rows:
            writer.writerow([";".join(r[c]) if isinstance(r[c], list) else r[c] for c in CSV_COLUMNS])
        if len(rows) < MAX_PAGE:
            break
        before = rows[-1]["seq"]
    audit.record_event(conn, actor=user.username, action="compliance.export_csv")
    return buf.getvalue()


def export_fhir(conn: psycopg.Connection, *, user: User, since: datetime | None = None,
                until: datetime | None = None, limit: int = 5000) -> dict:
    """A FHIR R4 (4.3.0, R4B) Bundle: a Provenance per AI output (model and confidence), a Task per
    review item with its status history (Provenance per state change), an AuditEvent per PHI read
    and per decision. Built and validated with fhir.resources."""
    from api.fhir_export import build_bundle

    units = audited_units(user)
    outputs_rows = store.outputs_log(conn, unit_ids=units, since=since, until=until, limit=limit)
    items = store.items_for_export(conn, unit_ids=units, since=since, until=until, limit=limit)
    events = store.events_for_items(conn, item_ids=[i["id"] for i in items]) if items else []
    decisions_rows = store.decisions_log(conn, unit_ids=units, since=since, until=until, limit=limit)
    reads = store.phi_reads_log(conn, unit_ids=units, since=since, until=until, limit=limit)
    bundle = build_bundle(outputs=outputs_rows, items=items, events=events, decisions=decisions_rows, reads=reads,
                          now=datetime.now(timezone.utc))
    audit.record_event(conn, actor=user.username, action="compliance.export_fhir",
                       detail={"entries": len(bundle.get("entry", []))})
    return bundle
