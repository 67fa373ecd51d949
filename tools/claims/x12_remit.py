"""X12 835 (005010X221A1) remittance advice: the payment, each claim the payer adjudicated (CLP)
with its claim- and line-level adjustments (CAS group + CARC + amount), remarks (RARC) and service
lines. Validated against pyx12's 835 map; what cannot be read raises `X12Error` naming the segment.

The TR3 examples write SVC01 with '>' although ISA16 declares ':', so a procedure composite that
does not split on the declared separator is tried with '>' too.
"""

from __future__ import annotations

from pathlib import Path

from models.revenue import Adjustment, RemitClaim, RemitLine, RemittanceAdvice
from tools.claims.x12_edi import X12Issue, Seg, amount, d8, read_interchange

VERSIONS = ("005010X221A1", "005010X221")


def _adjustments(seg: Seg) -> list[Adjustment]:
    """CAS: a group code, then up to six (reason, amount, quantity) triples."""
    group = seg.el(1)
    if not group:
        raise seg.error("CAS01 (claim adjustment group code) missing", 1)
    out = []
    for start in (2, 5, 8, 11, 14, 17):
        reason, value = seg.el(start), amount(seg.el(start + 1))
        if not reason:
            continue
        if value is None:
            raise seg.error(f"CAS{start + 1:02d} (adjustment amount) missing or not a number", start + 1)
        out.append(Adjustment(group=group, reason=reason, amount=value, quantity=amount(seg.el(start + 2))))
    if not out:
        raise seg.error("CAS02 (adjustment reason code) missing", 2)
    return out


def _procedure(seg: Seg) -> tuple[str | None, str | None, list[str]]:
    parts = seg.comps(1)
    if len(parts) == 1 and ">" in parts[0]:
        parts = [p.strip() for p in parts[0].split(">")]
    qualifier = parts[0] if parts else None
    code = parts[1] if len(parts) > 1 and parts[1] else None
    return qualifier, code, [m for m in parts[2:6] if m]


def _claim(clp: Seg, segments: list[Seg]) -> RemitClaim:
    if not clp.el(1):
        raise clp.error("CLP01 (patient control number) missing", 1)
    if not clp.el(2):
        raise clp.error("CLP02 (claim status code) missing", 2)
    claim = RemitClaim(patient_control_number=clp.el(1), status_code=clp.el(2), charge=amount(clp.el(3)),
                       paid=amount(clp.el(4)), patient_responsibility=amount(clp.el(5)),
                       filing_indicator=clp.el(6) or None, payer_claim_number=clp.el(7) or None)
    line: RemitLine | None = None
    for seg in segments:
        if seg.id == "SVC":
            qualifier, code, modifiers = _procedure(seg)
            line = RemitLine(code=code, qualifier=qualifier, modifiers=modifiers, charge=amount(seg.el(2)),
                             paid=amount(seg.el(3)), units=amount(seg.el(5)) or amount(seg.el(7)))
            claim.lines.append(line)
        elif seg.id == "CAS":
            (line.adjustments if line is not None else claim.adjustments).extend(_adjustments(seg))
        elif seg.id == "NM1" and seg.el(1) in ("QC", "IL") and line is None:
            if seg.el(1) == "IL" or claim.member_id is None:
                claim.member_id = seg.el(9) or claim.member_id
        elif seg.id in ("MOA", "MIA") and line is None:
            # MOA03-07 / MIA05, MIA20-24 carry remark codes.
            positions = (3, 4, 5, 6, 7) if seg.id == "MOA" else (5, 20, 21, 22, 23)
            claim.remarks += [seg.el(i) for i in positions if seg.el(i)]
        elif seg.id == "DTM" and line is None:
            if seg.el(1) == "232":
                claim.service_start = d8(seg.el(2))
            elif seg.el(1) == "233":
                claim.service_end = d8(seg.el(2))
            elif seg.el(1) == "050":
                claim.received = d8(seg.el(2))
        elif seg.id == "DTM" and line is not None and seg.el(1) in ("472", "150"):
            line.service_date = d8(seg.el(2))
        elif seg.id == "REF" and line is not None and seg.el(1) == "6R":
            line.line_control = seg.el(2) or None
        elif seg.id == "AMT" and line is not None and seg.el(1) == "B6":
            line.allowed = amount(seg.el(2))
        elif seg.id == "LQ" and line is not None and seg.el(1) == "HE" and seg.el(2):
            line.remarks.append(seg.el(2))
    if claim.service_start is None:
        dates = [ln.service_date for ln in claim.lines if ln.service_date]
        if dates:
            claim.service_start, claim.service_end = min(dates), max(dates)
    return claim


def parse_835(source: Path | str | bytes) -> tuple[list[RemittanceAdvice], list[X12Issue]]:
    """Every 835 transaction of a file (one payment each), plus the file's validation issues."""
    interchange = read_interchange(source, functional_id="HP", set_id="835", versions=VERSIONS)
    out: list[RemittanceAdvice] = []
    for transaction in interchange.transactions:
        segments = transaction.segments
        bpr = next((s for s in segments if s.id == "BPR"), None)
        if bpr is None:
            raise segments[0].error("BPR (financial information) missing")
        advice = RemittanceAdvice(payment_amount=amount(bpr.el(2)), payment_method=bpr.el(4) or None,
                                  payment_date=d8(bpr.el(16)))
        current: tuple[Seg, list[Seg]] | None = None
        for seg in segments[1:-1]:
            if seg.id == "CLP":
                if current is not None:
                    advice.claims.append(_claim(*current))
                current = (seg, [])
            elif seg.id == "LX" and current is not None:
                advice.claims.append(_claim(*current))
                current = None
            elif seg.id == "PLB":
                for start in (3, 5, 7, 9, 11, 13):
                    reason, value = seg.comp(start, 1), amount(seg.el(start + 1))
                    if reason and value is not None:
                        advice.provider_adjustments.append(Adjustment(group="PLB", reason=reason, amount=value))
            elif current is not None:
                current[1].append(seg)
            elif seg.id == "TRN":
                advice.trace_number = seg.el(2) or None
                advice.payer_id = advice.payer_id or (seg.el(3) or None)
            elif seg.id == "DTM" and seg.el(1) == "405":
                advice.production_date = d8(seg.el(2))
            elif seg.id == "N1" and seg.el(1) == "PR":
                advice.payer_name = seg.el(2) or None
                if seg.el(4):
                    advice.payer_id = seg.el(4)
            elif seg.id == "REF" and seg.el(1) == "2U":
                advice.payer_id = seg.el(2) or advice.payer_id
            elif seg.id == "N1" and seg.el(1) == "PE":
                advice.payee_id = seg.el(4) or None
        if current is not None:
            advice.claims.append(_claim(*current))
        out.append(advice)
    return out, interchange.issues


def read_835(source: Path | str | bytes) -> list[RemittanceAdvice]:
    """The remittance advices of an 835 file (parse_835 without its validation notes)."""
    return parse_835(source)[0]
