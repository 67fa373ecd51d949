"""Read a claims submission: Handoff JSON (one claim, a list, or {"claims": [...]}, each optionally
{"claim": ..., "context": ...}) or an X12 837P file. Bad input raises ClaimInputError naming the
field or the segment."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from models.claims import Claim, ClaimContext
from tools.jsonsafe import JsonTooDeep, loads_bounded


class ClaimInputError(ValueError):
    pass


def is_x12(data: bytes) -> bool:
    """True when the bytes look like an X12 interchange (ISA header)."""
    return data.lstrip()[:3] == b"ISA"


def _one(entry: Any, where: str) -> tuple[Claim, ClaimContext]:
    if not isinstance(entry, dict):
        raise ClaimInputError(f"{where}: expected a JSON object")
    try:
        if "claim" in entry:
            return Claim.model_validate(entry["claim"]), ClaimContext.model_validate(entry.get("context") or {})
        return Claim.model_validate(entry), ClaimContext()
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ClaimInputError(f"{where}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}") from None


def read_claims(data: bytes) -> list[tuple[Claim, ClaimContext]]:
    """Claims and their context from Handoff claims JSON or an X12 837P file."""
    if not data.strip():
        raise ClaimInputError("body: empty")
    if is_x12(data):
        from tools.claims.x12_837 import X12Error, read_837p

        try:
            return [(c, ClaimContext()) for c in read_837p(data, strict=False)]
        except X12Error as exc:
            raise ClaimInputError(str(exc)) from None
    try:
        payload = loads_bounded(data.decode("utf-8"))
    except JsonTooDeep as exc:
        raise ClaimInputError(str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ClaimInputError(f"body: neither an 837P file nor UTF-8 JSON ({exc.__class__.__name__})") from None
    if isinstance(payload, dict) and "claims" in payload:
        payload = payload["claims"]
    entries = payload if isinstance(payload, list) else [payload]
    if not entries:
        raise ClaimInputError("claims: the list is empty")
    return [_one(e, f"claims[{i}]" if isinstance(payload, list) else "claim") for i, e in enumerate(entries)]
