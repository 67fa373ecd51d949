"""Turn an accepted portal message or referral (Handoff JSON, or a FHIR R4 ServiceRequest/Bundle
with the letter as text or a base64 attachment) into the document text the intake graph reads."""

from __future__ import annotations

import base64
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.jsonsafe import JsonTooDeep, loads_bounded


class InboundFormatError(ValueError):
    """The payload is not a message or referral we can read; the message names the field."""


class MessageIn(BaseModel):
    """A patient portal message (Handoff JSON)."""

    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=100_000)
    subject: str | None = Field(None, max_length=500)
    patient_mrn: str | None = Field(None, max_length=64)
    sent_at: str | None = None


class ReferralIn(BaseModel):
    """A referral in Handoff JSON: the letter's text plus whatever structured fields came with it."""

    model_config = ConfigDict(extra="ignore")
    letter: str = Field(min_length=1, max_length=200_000)
    patient_mrn: str | None = Field(None, max_length=64)
    referring_npi: str | None = Field(None, max_length=10)
    specialty: str | None = Field(None, max_length=200)
    diagnosis_codes: list[str] = Field(default_factory=list)
    reason: str | None = Field(None, max_length=2000)


def _loads(data: bytes) -> Any:
    try:
        return loads_bounded(data.decode("utf-8"))
    except JsonTooDeep as exc:
        raise InboundFormatError(str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InboundFormatError(f"body: not UTF-8 JSON ({exc.__class__.__name__})") from None


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    return f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"


def message_text(data: bytes) -> str:
    """The text of a portal message (JSON with `text`, optional `subject`); InboundFormatError otherwise."""
    try:
        msg = MessageIn.model_validate(_loads(data))
    except ValidationError as exc:
        raise InboundFormatError(_first_error(exc)) from None
    return f"Subject: {msg.subject}\n\n{msg.text}" if msg.subject else msg.text


def _fhir_letter(resource: dict) -> str:
    """The referral letter inside a FHIR ServiceRequest, or the first ServiceRequest of a Bundle."""
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.servicerequest import ServiceRequest

    kind = resource.get("resourceType")
    try:
        if kind == "Bundle":
            bundle = Bundle.model_validate(resource)
            texts = []
            for entry in bundle.entry or []:
                res = entry.resource
                if res is not None and res.get_resource_type() == "ServiceRequest":
                    texts.append(_service_request_text(res))
                elif res is not None and res.get_resource_type() in ("DocumentReference", "Binary"):
                    texts.append(_attachment_text(res))
            texts = [t for t in texts if t]
            if not texts:
                raise InboundFormatError("entry: the Bundle has no ServiceRequest or document with text")
            return "\n\n".join(texts)
        request = ServiceRequest.model_validate(resource)
    except ValidationError as exc:
        raise InboundFormatError(f"FHIR {kind}: {_first_error(exc)}") from None
    text = _service_request_text(request)
    if not text:
        raise InboundFormatError("ServiceRequest: no letter text (note, reasonCode text or a text attachment)")
    return text


def _service_request_text(req) -> str:
    parts = []
    if req.code and req.code.text:
        parts.append(f"Requested service: {req.code.text}")
    for rc in req.reasonCode or []:
        if rc.text:
            parts.append(f"Reason: {rc.text}")
        for c in rc.coding or []:
            if c.code:
                parts.append(f"Diagnosis: {c.code} {c.display or ''}".strip())
    for note in req.note or []:
        if note.text:
            parts.append(note.text)
    if req.text and req.text.div:
        import re

        parts.append(re.sub(r"<[^>]+>", " ", req.text.div).strip())
    return "\n".join(parts)


def _attachment_text(res) -> str:
    attachments = []
    if res.get_resource_type() == "DocumentReference":
        attachments = [c.attachment for c in res.content or [] if c.attachment]
    elif res.get_resource_type() == "Binary" and res.data:
        return base64.b64decode(res.data).decode("utf-8", errors="replace")
    out = []
    for a in attachments:
        if a.data and (a.contentType or "text/plain").startswith("text/"):
            out.append(base64.b64decode(a.data).decode("utf-8", errors="replace"))
    return "\n\n".join(out)


def referral_text(data: bytes) -> str:
    """The text of a referral: Handoff referral JSON or a FHIR R4 ServiceRequest/Bundle."""
    payload = _loads(data)
    if isinstance(payload, dict) and "resourceType" in payload:
        return _fhir_letter(payload)
    try:
        ref = ReferralIn.model_validate(payload)
    except ValidationError as exc:
        raise InboundFormatError(_first_error(exc)) from None
    lines = [ref.letter]
    if ref.specialty:
        lines.append(f"Specialty: {ref.specialty}")
    if ref.reason:
        lines.append(f"Reason: {ref.reason}")
    if ref.diagnosis_codes:
        lines.append("Diagnosis: " + ", ".join(ref.diagnosis_codes))
    if ref.referring_npi:
        lines.append(f"Referring NPI: {ref.referring_npi}")
    return "\n".join(lines)
