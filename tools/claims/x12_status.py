"""X12 276/277 (005010X212) claim status: the claims a 276 asks about, and each status a 277
answers (category, status code, entity, dates, amounts) with the patient control number (REF*EJ)
that ties it to our claim.

pyx12 4.0 ships no 276 X212 map, and its 277 X212 map is not registered and rejects the first HL of
every TR3 example, so both are read with pyx12's tokenizer (tools.claims.x12_edi) and the HL level
codes: 20 payer, 21 information receiver, 19 provider, 22 subscriber, 23 dependent.
"""

from __future__ import annotations

from pathlib import Path

from models.revenue import ClaimStatusEntry, StatusCode
from tools.claims.x12_edi import X12Issue, Seg, amount, d8, dtp_date, hl_levels, read_interchange

VERSIONS = ("005010X212",)
_LEVELS = {"20": "payer", "21": "receiver", "19": "provider", "22": "subscriber", "23": "dependent"}


def _status(seg: Seg) -> StatusCode:
    parts = seg.comps(1)
    if not parts or not parts[0]:
        raise seg.error("STC01-1 (health care claim status category code) missing", 1)
    return StatusCode(category=parts[0], code=(parts[1] if len(parts) > 1 and parts[1] else None),
                      entity=(parts[2] if len(parts) > 2 and parts[2] else None), on=d8(seg.el(2)),
                      charge=amount(seg.el(4)), paid=amount(seg.el(5)))


def _entries(source: Path | str | bytes, *, functional_id: str, set_id: str) -> tuple[list[ClaimStatusEntry], list[X12Issue]]:
    interchange = read_interchange(source, functional_id=functional_id, set_id=set_id, versions=VERSIONS)
    out: list[ClaimStatusEntry] = []
    for transaction in interchange.transactions:
        if not any(s.id == "HL" for s in transaction.segments):
            raise transaction.segments[0].error(f"{set_id} transaction has no HL loop (2000A payer level missing)")
        payer: dict = {}
        provider_id = None
        member_id = None
        for hl, segments in hl_levels(transaction):
            level = hl.el(3)
            if level not in _LEVELS:
                raise hl.error(f"HL03 level code {level or 'empty'} is not 20, 21, 19, 22 or 23", 3)
            name = next((s for s in segments if s.id == "NM1"), None)
            if name is None:
                raise hl.error(f"NM1 missing in the {_LEVELS[level]} level (HL {hl.el(1)})")
            if level == "20":
                payer = {"payer_id": name.el(9) or None, "payer_name": name.el(3) or None}
                continue
            if level == "19":
                provider_id = name.el(9) or None
            if level == "22":
                member_id = name.el(9) or None
            statuses = [_status(s) for s in segments if s.id == "STC"]
            trns = [s for s in segments if s.id == "TRN"]
            if level in ("21", "19") and not statuses:
                continue  # an addressing level with nothing to say
            if level == "22" and hl.el(4) == "1" and not trns:
                continue  # the claim sits under the dependent below
            entry = ClaimStatusEntry(level="claim" if level in ("22", "23") else ("receiver" if level == "21" else "provider"),
                                     **payer, provider_id=provider_id, member_id=member_id, dependent=level == "23",
                                     trace_number=trns[0].el(2) if trns else None, statuses=statuses)
            for seg in segments:
                if seg.id == "REF" and seg.el(1) == "EJ":
                    entry.patient_control_number = seg.el(2) or None
                elif seg.id == "REF" and seg.el(1) == "1K":
                    entry.payer_claim_number = seg.el(2) or None
                elif seg.id == "AMT" and seg.el(1) == "T3":
                    entry.charge = amount(seg.el(2))
                elif seg.id == "DTP" and seg.el(1) == "472" and entry.service_start is None:
                    entry.service_start, entry.service_end = dtp_date(seg)
                elif seg.id == "SVC":
                    code = seg.comp(1, 2)
                    if code:
                        entry.line_codes.append(code)
            if entry.level == "claim" and set_id == "277" and not entry.statuses:
                raise hl.error("STC (claim status) missing for this claim")
            out.append(entry)
    return out, interchange.issues


def parse_277(source: Path | str | bytes) -> tuple[list[ClaimStatusEntry], list[X12Issue]]:
    """Every status a 277 reports (per claim, or per receiver/provider level), plus validation issues."""
    return _entries(source, functional_id="HN", set_id="277")


def parse_276(source: Path | str | bytes) -> tuple[list[ClaimStatusEntry], list[X12Issue]]:
    """Every claim a 276 asks about, plus validation issues."""
    return _entries(source, functional_id="HR", set_id="276")


def read_277(source: Path | str | bytes) -> list[ClaimStatusEntry]:
    """The claim statuses of a 277 file (parse_277 without its validation notes)."""
    return parse_277(source)[0]


def read_276(source: Path | str | bytes) -> list[ClaimStatusEntry]:
    """The status inquiries of a 276 file (parse_276 without its validation notes)."""
    return parse_276(source)[0]
