"""Coverage and authorizations as records, and the claim context assembled from them.

Accepted 271 and 834 files (inbound items) are read into the coverage registry; 270 inquiries are
written for a day's appointments; prior authorizations come from a CSV import or from reviewed
prior_auth intake items. `assemble_claim_context` gives every claim (837P included) the payer's
rules, the authorizations on file, the payer's eligibility record and the coverage dates, so the
rules that need them run on real claims; each part says where it came from.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid4

import psycopg
from pydantic import ValidationError

from agents.runtime import Runtime
from models.claims import Authorization, Claim, ClaimContext, EligibilityRecord
from models.inbound import InboundItem
from models.org import ServiceUnit
from models.revenue import EligibilityInquiry, EligibilityResponse, EnrollmentMember, PriorAuthorizationIn
from store import audit
from store import coverage as coverage_store
from store import inbound as inbound_store
from store import org as org_store

log = logging.getLogger(__name__)


class CoverageInputError(ValueError):
    """A file or row the registry cannot take; the message names the segment, line or column."""


# ---------------------------------------------------------------------------------------------
# 271 and 834 into the registry
# ---------------------------------------------------------------------------------------------


def record_eligibility(conn: psycopg.Connection, *, unit: ServiceUnit, responses: list[EligibilityResponse],
                       item_id: UUID | None = None) -> Counter:
    """Keep each 271 answer as a coverage observation; returns counts by status (and `unmatched`)."""
    counts: Counter = Counter()
    for response in responses:
        request = coverage_store.eligibility_request_by_trace(conn, trace_number=response.trace_number) \
            if response.trace_number else None
        payer_id = response.payer_id or (request["payer_id"] if request else None)
        member_id = response.member_id or (request["member_id"] if request else None)
        if not payer_id or not member_id:
            counts["unmatched"] += 1  # a rejection naming nobody we asked about: nothing to keep
            continue
        coverage_store.insert_coverage(
            conn, org_id=unit.org_id, unit_id=unit.id, payer_id=payer_id, member_id=member_id, status=response.status,
            source="271", plan=response.plan, coverage_start=response.coverage_start, coverage_end=response.coverage_end,
            given_name=response.given_name, family_name=response.family_name, birth_date=response.birth_date,
            sex=response.sex, dependent=response.dependent,
            auth_required_service_types=response.auth_required_service_types,
            detail={"rejects": [r.model_dump(mode="json") for r in response.rejects],
                    "benefits": [b.model_dump(mode="json", exclude_none=True) for b in response.benefits[:40]],
                    "appointment_id": request["appointment_id"] if request else None},
            source_item_id=item_id, trace_number=response.trace_number, as_of=response.response_date)
        counts[response.status] += 1
    return counts


def record_enrollment(conn: psycopg.Connection, *, unit: ServiceUnit, members: list[EnrollmentMember],
                      item_id: UUID | None = None) -> Counter:
    """Keep each 834 member loop: additions, changes and reinstatements as active coverage,
    cancellations as terminated (with the end date the payer sent)."""
    profiles = {p.payer_id for p in coverage_store.payer_profiles(conn, org_id=unit.org_id)}
    counts: Counter = Counter()
    for member in members:
        payer_id = member.payer_id or "unknown"
        if payer_id not in profiles and len(profiles) == 1:
            payer_id = next(iter(profiles))  # an 834 names the insurer by tax id; one payer profile is unambiguous
        health = [c for c in member.coverages if c.insurance_line in (None, "HLT", "HMO", "PPO", "POS", "EPO", "MM")]
        start = member.eligibility_start or min((c.start for c in health if c.start), default=None)
        end = member.eligibility_end or max((c.end for c in health if c.end), default=None)
        status = "terminated" if member.maintenance == "024" else "active"
        coverage_store.insert_coverage(
            conn, org_id=unit.org_id, unit_id=unit.id, payer_id=payer_id, member_id=member.member_id or "",
            status=status, source="834", plan=member.group_number, coverage_start=start, coverage_end=end,
            given_name=member.given_name, family_name=member.family_name, birth_date=member.birth_date,
            sex=member.sex, dependent=not member.subscriber,
            detail={"maintenance": member.maintenance, "relationship": member.relationship,
                    "coverages": [c.model_dump(mode="json") for c in member.coverages]},
            source_item_id=item_id)
        counts[status] += 1
    return counts


def _unit_of(conn: psycopg.Connection, item: InboundItem) -> ServiceUnit:
    unit = org_store.get_unit(conn, unit_id=item.unit_id)
    if unit is None:
        raise LookupError(f"inbound item {item.id} names no service unit")
    return unit


def parse_x12_item(rt: Runtime, item: InboundItem, parse: Callable[[bytes], tuple[Any, list]]) -> tuple[Any, list] | None:
    """An accepted X12 file parsed (from whichever blob store holds it), or None when it cannot be
    read: then the item's events say "unreadable" with the segment, so it is not lost silently."""
    from tools.claims.x12_edi import X12Error

    try:
        return parse(rt.read_blob(item.sha256))
    except X12Error as exc:
        with rt.pool.connection() as conn:
            inbound_store.record_inbound_event(conn, item_id=item.id, event="unreadable", detail={"segment": exc.segment})
        return None


def record_x12_item(rt: Runtime, item: InboundItem, *, action: str, issues: int,
                    record: Callable[[psycopg.Connection, ServiceUnit], Counter]) -> None:
    """Record a parsed X12 file once for its item's unit (a rerun after a crash is a no-op) and audit
    the counts `record` returns, in one transaction."""
    with rt.pool.connection() as conn, conn.transaction():
        if already_recorded(conn, item):
            return
        unit = _unit_of(conn, item)
        counts = record(conn, unit)
        audit.record_event(conn, actor=item.received_by, action=action, unit_id=unit.id,
                           subject=f"inbound:{item.id}", detail={"counts": dict(counts), "issues": issues})


def handle_eligibility(rt: Runtime, item: InboundItem) -> None:
    """The wiring table's handler for X12 271 files: each answer into the coverage registry."""
    from tools.claims.x12_eligibility import parse_271

    if (parsed := parse_x12_item(rt, item, parse_271)) is None:
        return
    responses, issues = parsed
    record_x12_item(rt, item, action="eligibility.recorded", issues=len(issues),
                    record=lambda conn, unit: record_eligibility(conn, unit=unit, responses=responses, item_id=item.id))


def handle_enrollment(rt: Runtime, item: InboundItem) -> None:
    """The wiring table's handler for X12 834 files: each member into the coverage registry."""
    from tools.claims.x12_enrollment import parse_834

    if (parsed := parse_x12_item(rt, item, parse_834)) is None:
        return
    members, issues = parsed
    record_x12_item(rt, item, action="enrollment.recorded", issues=len(issues),
                    record=lambda conn, unit: record_enrollment(conn, unit=unit, members=members, item_id=item.id))


def already_recorded(conn: psycopg.Connection, item: InboundItem) -> bool:
    """Within the caller's transaction: True when this item was recorded before (a rerun of its job
    after a crash); otherwise mark it recorded. The lock keeps two workers from both recording it."""
    coverage_store.lock_key(conn, key=f"inbound:{item.id}")
    if any(e["event"] == "recorded" for e in inbound_store.inbound_events(conn, item_id=item.id)):
        return True
    inbound_store.record_inbound_event(conn, item_id=item.id, event="recorded")
    return False


# ---------------------------------------------------------------------------------------------
# 270 inquiries for a day's appointments
# ---------------------------------------------------------------------------------------------


@dataclass
class EligibilityBatch:
    day: date
    unit_code: str
    asked: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)  # appointment id + what is missing (no PHI)
    file_name: str | None = None
    text: str | None = None


def eligibility_requests(conn: psycopg.Connection, *, unit_code: str, day: date, actor: str,
                         receiver_id: str = "CLEARINGHOUSE", now: datetime | None = None) -> EligibilityBatch:
    """A 270 file asking about every appointment of `day` in the unit (one per patient and payer);
    appointments that cannot be asked about (no member id, a payer we have no profile for) are
    listed as problems. Each request is recorded so the 271 answers tie back to the visit."""
    from tools.claims.x12_eligibility import write_270

    unit = org_store.get_unit_by_code(conn, code=unit_code)
    profiles = coverage_store.payer_profiles(conn, org_id=unit.org_id)
    by_category = {p.category: p for p in profiles if p.category}
    by_id = {p.payer_id: p for p in profiles}
    rows = coverage_store.appointments_for_eligibility(conn, org_id=unit.org_id, unit_id=unit.id, day=day)
    known = {(r["payer_id"], r["member_id"]) for r in coverage_store.coverage_of_members(
        conn, org_id=unit.org_id, member_ids=[r["member_id"] for r in rows if r["member_id"]])}
    batch = EligibilityBatch(day=day, unit_code=unit.code)
    inquiries: list[EligibilityInquiry] = []
    pending: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for r in rows:
        payer = None
        problem = None
        if r["given_name"] is None:
            problem = "patient not in the registry"
        elif not r["member_id"]:
            problem = "no member id on file"
        else:
            registered = [p for p, m in known if m == r["member_id"] and p in by_id]
            payer = by_id[registered[0]] if registered else by_category.get(r["payer_category"])
            if payer is None:
                problem = f"no payer profile for payer category {r['payer_category'] or 'unknown'}"
        trace = None
        if problem is None and (payer.payer_id, r["member_id"]) not in seen:
            seen.add((payer.payer_id, r["member_id"]))
            trace = f"H{uuid4().hex[:14].upper()}"
            inquiries.append(EligibilityInquiry(
                trace_number=trace, payer_id=payer.payer_id, payer_name=payer.name, member_id=r["member_id"],
                given_name=r["given_name"], family_name=r["family_name"], birth_date=r["birth_date"],
                sex=r["sex"] if r["sex"] in ("F", "M") else None, service_date=day))
        if problem:
            batch.problems.append({"appointment_id": r["appointment_id"], "problem": problem})
        pending.append({"appointment_id": r["appointment_id"], "patient_mrn": r["patient_mrn"],
                        "payer_id": payer.payer_id if payer else None, "member_id": r["member_id"],
                        "trace_number": trace, "problem": problem})
    profile = unit.billing_profile
    if inquiries:
        control = int(datetime.now().strftime("%y%j%H%M")) % 10**9 or 1
        batch.file_name = f"270_{unit.code}_{day.strftime('%Y%m%d')}_{control:09d}.x12"
        batch.text = write_270(inquiries, sender_id=(profile.billing_npi or unit.code)[:15], receiver_id=receiver_id,
                               provider_npi=profile.billing_npi or "0000000000", provider_name=unit.name,
                               control_number=control, now=now)
        batch.asked = len(inquiries)
    for p in pending:
        coverage_store.insert_eligibility_request(conn, unit_id=unit.id, appointment_day=day, file_name=batch.file_name,
                                                  created_by=actor, **p)
    audit.record_event(conn, actor=actor, action="eligibility.requests_written", unit_id=unit.id,
                       subject=f"unit:{unit.code}", detail={"day": day.isoformat(), "asked": batch.asked,
                                                            "problems": len(batch.problems), "file": batch.file_name})
    return batch


# ---------------------------------------------------------------------------------------------
# Prior authorizations
# ---------------------------------------------------------------------------------------------

AUTH_CSV_COLUMNS = ("number", "payer_id", "member_id", "codes", "units_authorized", "start", "end", "provider_npi",
                    "patient_mrn")
REQUIRED_AUTH_COLUMNS = ("number", "payer_id", "member_id", "codes", "start", "end")


def _auth_row(row: dict[str, str], line: int) -> PriorAuthorizationIn:
    def value(name: str) -> str | None:
        text = (row.get(name) or "").strip()
        return text or None

    try:
        units = value("units_authorized")
        return PriorAuthorizationIn(
            number=value("number") or "", payer_id=value("payer_id") or "", member_id=value("member_id") or "",
            codes=[c for c in (value("codes") or "").replace(";", " ").replace(",", " ").split() if c],
            units_authorized=Decimal(units) if units else None,
            start=value("start"), end=value("end"), provider_npi=value("provider_npi"), patient_mrn=value("patient_mrn"))
    except InvalidOperation:
        raise CoverageInputError(f"line {line}: units_authorized: not a number") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else "row"
        raise CoverageInputError(f"line {line}: {column}: {first['msg']}") from None


def import_prior_auths_csv(conn: psycopg.Connection, *, unit_code: str, data: bytes, actor: str) -> dict[str, int]:
    """Import authorizations from CSV (columns: AUTH_CSV_COLUMNS; codes separated by spaces or ';').

    All rows are checked before any is kept: a bad row raises CoverageInputError naming its line and
    column, and nothing is imported. Re-importing the same rows changes nothing.
    """
    unit = org_store.get_unit_by_code(conn, code=unit_code)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CoverageInputError("the file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_AUTH_COLUMNS if c not in header]
    if missing:
        raise CoverageInputError(f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(AUTH_CSV_COLUMNS)}")
    reader.fieldnames = header
    auths = [_auth_row(row, line) for line, row in enumerate(reader, start=2)]
    if not auths:
        raise CoverageInputError("the file has a header but no rows")
    created = sum(coverage_store.insert_prior_auth(conn, org_id=unit.org_id, unit_id=unit.id, auth=a, source="csv",
                                                   source_ref=None, recorded_by=actor) for a in auths)
    audit.record_event(conn, actor=actor, action="prior_auth.imported", unit_id=unit.id, subject=f"unit:{unit.code}",
                       detail={"rows": len(auths), "new": created})
    return {"rows": len(auths), "new": created, "unchanged": len(auths) - created}


def record_auth_from_intake(conn: psycopg.Connection, *, unit_id: UUID, part_id: UUID, text: str,
                            value: dict[str, Any], decided_by: str) -> bool:
    """A reviewed prior_auth intake item becomes an authorization record: what the letter states,
    under what the reviewer entered (`value["authorization"]` wins field by field). When something
    needed is missing, nothing is kept and an audit event names the missing fields."""
    from tools.claims.auth_letter import read_auth_letter

    read = read_auth_letter(text).as_dict()
    fields = value.get("fields") or {}
    candidate = {k: v for k, v in read.items() if v not in (None, [], "")}
    if fields.get("auth_number") and "number" not in candidate:
        candidate["number"] = fields["auth_number"]
    if fields.get("member_id") and "member_id" not in candidate:
        candidate["member_id"] = fields["member_id"]
    candidate.update({k: v for k, v in (value.get("authorization") or {}).items() if v not in (None, "")})
    unit = org_store.get_unit(conn, unit_id=unit_id)
    if "payer_id" not in candidate and candidate.get("member_id"):
        payers = {r["payer_id"] for r in coverage_store.coverage_of_members(conn, org_id=unit.org_id,
                                                                            member_ids=[candidate["member_id"]])}
        if len(payers) == 1:
            candidate["payer_id"] = payers.pop()  # the registry knows the member with one payer
    try:
        auth = PriorAuthorizationIn.model_validate(
            {k: candidate.get(k) for k in AUTH_CSV_COLUMNS if candidate.get(k) is not None})
    except ValidationError as exc:
        missing = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        audit.record_event(conn, actor=decided_by, action="prior_auth.not_recorded", unit_id=unit_id,
                           subject=f"inbound_part:{part_id}", detail={"missing_or_invalid": missing})
        return False
    created = coverage_store.insert_prior_auth(conn, org_id=unit.org_id, unit_id=unit_id, auth=auth, source="intake",
                                               source_ref=f"inbound_part:{part_id}", recorded_by=decided_by)
    audit.record_event(conn, actor=decided_by, action="prior_auth.recorded", unit_id=unit_id,
                       subject=f"inbound_part:{part_id}", detail={"new": created})
    return True


# ---------------------------------------------------------------------------------------------
# Claim context from the records
# ---------------------------------------------------------------------------------------------


def assemble_claim_context(conn: psycopg.Connection, *, org_id: UUID, claim: Claim,
                           context: ClaimContext) -> tuple[Claim, ClaimContext, dict[str, str]]:
    """Fill what the claim's own context leaves out from the records: the payer's rules (payer
    profile), the authorizations on file for the member, the payer's eligibility record and the
    coverage dates (latest 271/834 observation). Returns the claim (coverage dates filled), the
    context, and where each filled part came from."""
    payer_id, member_id = claim.coverage.payer_id, claim.coverage.member_id
    updates: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if context.payer_rules is None:
        profile = coverage_store.payer_profile(conn, org_id=org_id, payer_id=payer_id)
        if profile is not None:
            updates["payer_rules"] = profile.rules
            sources["payer_rules"] = f"payer profile {payer_id}"
    if context.authorizations is None and member_id:
        on_file = coverage_store.prior_auths(conn, org_id=org_id, payer_id=payer_id, member_id=member_id)
        updates["authorizations"] = [Authorization(number=a.number, member_id=a.member_id, codes=a.codes, start=a.start,
                                                   end=a.end, units=a.units_authorized) for a in on_file]
        sources["authorizations"] = f"{len(on_file)} prior authorization(s) on file"
    dependent = claim.patient.relationship_to_subscriber != "18"
    record = coverage_store.latest_coverage(conn, org_id=org_id, payer_id=payer_id, member_id=member_id,
                                            dependent=dependent, birth_date=claim.patient.birth_date) if member_id else None
    if record is not None:
        if context.eligibility is None:
            updates["eligibility"] = EligibilityRecord(member_id=record["member_id"], birth_date=record["birth_date"],
                                                       sex=record["sex"] if record["sex"] in ("F", "M", "U") else None)
            sources["eligibility"] = f"{record['source']} ({record['status']}, as of {record['as_of'] or record['recorded_at'].date()})"
        if claim.coverage.start is None and claim.coverage.end is None and (record["coverage_start"] or record["coverage_end"]):
            claim = claim.model_copy(update={"coverage": claim.coverage.model_copy(
                update={"start": record["coverage_start"], "end": record["coverage_end"], "plan": claim.coverage.plan or record["plan"]})})
            sources["coverage_dates"] = f"{record['source']} coverage record"
    return claim, context.model_copy(update=updates), sources


