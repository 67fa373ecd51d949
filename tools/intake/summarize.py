"""Extractive intake summaries: the two or three sentences of a fax, message, referral or dialogue a
coordinator can act on, each returned as an exact span [start, end) of the source text, skipping
cover-sheet headers, identifier field lines, disclaimers, greetings and signatures (English and Spanish)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from tools.intake.extract import matching_view
from tools.intake.injection import detect_injection
from tools.intake.cues import DOC_TYPE_CUES, URGENCY_CUES
from tools.intake.sensitivity import detect_sensitivity


class SummarySentence(BaseModel):
    """One summary sentence: exactly `source[start:end]`, with why it was picked."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str  # the source slice, verbatim
    score: float
    reasons: list[str] = Field(default_factory=list)

    @property
    def display(self) -> str:
        """The sentence with line wraps collapsed, for showing to a person."""
        return " ".join(self.text.split())


class ExtractiveSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentences: list[SummarySentence] = Field(default_factory=list)
    method: str = "extractive-cues-v1"

    @property
    def text(self) -> str:
        return " ".join(s.display for s in self.sentences)


# A line that continues the previous one (a hard fax wrap) starts with a lower-case letter, a digit
# or punctuation, and the previous line did not end a sentence.
_SENTENCE_END = re.compile(r"[.!?]['\")\]]?\s*$")
_SPLIT_INSIDE = re.compile(r"(?<=[.!?])['\")\]]?\s+(?=[A-ZÁÉÍÓÚÑ¿¡\"(])")
_SPEAKER = re.compile(r"^\s*(?:doctor|patient|guest_family|guest_clinician|dr|pt|paciente|medico)\s*:\s*", re.I)

_BOILERPLATE = re.compile(
    r"(?:confidential|intended (?:only )?for|unauthori[sz]ed|received (?:this|it) in error|destroy|notify the sender|"
    r"protected health information|aviso de confidencialidad|confidencial|destruya|por error|avise al remitente|"
    r"electronically signed|signed by|firmado|cover sheet|fax transmittal|transmision de fax|portada|"
    r"number of pages|pages? \(including|paginas|incluye portada|unsubscribe)",
    re.I,
)
_FIELD_LINE = re.compile(
    r"^\s*(?:to|from|attn|para|de|date|fecha|fax|phone|tel|pages?|paginas?|subject|asunto|re|patient(?: name)?|name|"
    r"pt|nombre(?: del paciente)?|paciente|dob|date of birth|birth ?date|f\. ?nac\.?|fecha de nacimiento|mrn|"
    r"medical rec(?:ord)? ?#?|chart(?: no\.?)?|expediente|no\. de expediente|insurance id|member id|subscriber ?#?|"
    r"npi|address|direccion|telefono(?: del paciente)?|email|correo|insurance|seguro|aseguradora|payer|plan)\s*[:#]",
    re.I,
)
_GREETING = re.compile(
    r"^\s*(?:hello|hi|dear|good (?:morning|afternoon|evening)|hola|buen(?:os|as) (?:dias|tardes|noches)|estimad[oa]|"
    r"sincerely|regards|thank you|thanks|atentamente|saludos|gracias)\b[^.!?]{0,40}[,:!.]?\s*$",
    re.I,
)
_SELF_ID = re.compile(r"\b(?:my name is|me llamo|mi nombre es|my (?:email|phone|number) is|mi correo|mi telefono|"
                      r"you can reach me|puede(?:n)? (?:llamarme|contactarme))\b", re.I)
_ADDRESS_ONLY = re.compile(r"^[\w .,'#-]*\d{3,}[\w .,'#()-]*$")
_LETTERHEAD = re.compile(r"\b\d{2,6}\s+(?:[A-Z][\w.]*\s+){1,3}(?:St|Street|Ave|Avenue|Ln|Lane|Dr|Drive|Rd|Road|Ct|Court|Blvd|Way|Pl)\b\.?|"
                         r"\b(?:Calle|Av\.|Avenida)\s+\w+|\b(?:Tel|Fax)\.?,?\s*\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}")
_DOB_MENTION = re.compile(r"\b(?:dob|d\.o\.b|date of birth|birth ?date|born|fecha de nacimiento|nacid[oa])\b", re.I)

_CUE_RX = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(p for pats in DOC_TYPE_CUES.values() for p in pats) + r")(?![a-z0-9])"
)
_URGENT_RX = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(p for pats in URGENCY_CUES.values() for p in pats) + r")(?![a-z0-9])"
)
_ACTION = re.compile(
    r"\b(?:please|request(?:ing|ed)?|need(?:s|ed)?|recommend(?:ed)?|schedule|refill|send|call|follow[- ]up|evaluate|"
    r"approved|denied|due|required?|impression|assessment|plan|reason|favor de|solicit\w*|necesit\w*|recomend\w*|"
    r"llamar|enviar|cita|requiere|impresion|plan)\b",
    re.I,
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence-like units as (start, end) of `text`: fax line wraps are joined, speaker labels of a
    dialogue turn are left out of the span, trailing whitespace is trimmed.

    >>> t = "Refill request.\\nPatient is out of\\nlisinopril. Please call."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Refill request.', 'Patient is out of\\nlisinopril.', 'Please call.']
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        lines.append((pos, pos + len(raw.rstrip("\r\n"))))
        pos += len(raw)
    blocks: list[list[int]] = []
    for s, e in lines:
        line = text[s:e]
        if not line.strip():
            continue
        cont = (blocks and not _SENTENCE_END.search(text[blocks[-1][0]:blocks[-1][1]])
                and re.match(r"\s*[a-z0-9áéíóúñ(,;]", line) and not _FIELD_LINE.match(line) and not _SPEAKER.match(line))
        if cont:
            blocks[-1][1] = e
        else:
            blocks.append([s, e])
    spans: list[tuple[int, int]] = []
    for s, e in blocks:
        m = _SPEAKER.match(text[s:e])
        if m:
            s += m.end()
        cut = s
        for m2 in _SPLIT_INSIDE.finditer(text, s, e):
            spans.append((cut, m2.start()))
            cut = m2.end()
        spans.append((cut, e))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _skip_reason(sentence: str) -> str | None:
    if _BOILERPLATE.search(matching_view(sentence, lower=True).text):
        return "boilerplate"
    folded = matching_view(sentence).text
    if (_FIELD_LINE.match(sentence) or _FIELD_LINE.match(folded)) and len(sentence) < 90:
        return "field_line"
    if _GREETING.match(sentence):
        return "greeting_or_closing"
    if (_SELF_ID.search(sentence) or _DOB_MENTION.search(sentence)) and len(sentence) < 120:
        return "self_identification"
    if _LETTERHEAD.search(sentence) and len(sentence) < 120:
        return "letterhead"
    if not re.search(r"\b[a-záéíóúñ]{3,}\b", sentence) and len(sentence.split()) <= 5:
        return "name_or_title"
    if _ADDRESS_ONLY.match(sentence) and not re.search(r"[a-z]{4,}\s+[a-z]{4,}", sentence):
        return "address_or_number"
    if len(re.findall(r"[A-Za-zÁÉÍÓÚáéíóúñÑ]{2,}", sentence)) < 2:
        return "too_short"
    return None


def summarize_extractive(text: str, *, max_sentences: int = 3, max_chars: int = 400) -> ExtractiveSummary:
    """Pick up to `max_sentences` source sentences (together at most about `max_chars`), ranked by
    clinical sensitivity, doc-type and urgency cues, action words and position; returned in source order.

    >>> s = summarize_extractive("FAX COVER SHEET\\nTo: Clinic\\nPatient is out of insulin. Please refill today.")
    >>> [x.text for x in s.sentences]
    ['Patient is out of insulin.', 'Please refill today.']
    """
    spans = sentence_spans(text)
    sensitive_spans = [(f.span.start, f.span.end) for f in detect_sensitivity(text).findings if f.suppressed_by is None]
    # Documents are data: instruction-like text never reaches a summary a person will act on.
    injected = [(f.span.start, f.span.end) for f in detect_injection(text).findings]
    candidates: list[SummarySentence] = []
    kept = [(s, e) for s, e in spans if _skip_reason(text[s:e]) is None
            and not any(a < e and b > s for a, b in injected)]
    for rank, (s, e) in enumerate(kept):
        sentence = text[s:e]
        view = " ".join(matching_view(sentence, lower=True).text.split())
        reasons: list[str] = []
        score = 1.0 / (1.0 + 0.15 * rank)  # earlier body sentences first, gently
        if any(a < e and b > s for a, b in sensitive_spans):
            score += 3.0
            reasons.append("clinical")
        urgent = len(set(_URGENT_RX.findall(view)))
        if urgent:
            score += 0.8 * min(urgent, 2)
            reasons.append("urgency_cue")
        cues = len(set(_CUE_RX.findall(view)))
        if cues:
            score += 0.5 * min(cues, 4)
            reasons.append("topic_cue")
        if _ACTION.search(view):
            score += 0.7
            reasons.append("action")
        words = len(view.split())
        if words < 4:
            score -= 0.8  # a bare title ("RADIOLOGY REPORT") says less than the sentence under it
        if words > 60:
            score -= 0.5
        candidates.append(SummarySentence(start=s, end=e, text=sentence, score=round(score, 4), reasons=reasons))
    chosen: list[SummarySentence] = []
    used = 0
    for c in sorted(candidates, key=lambda c: (-c.score, c.start)):
        if len(chosen) >= max_sentences:
            break
        if chosen and used + len(c.display) > max_chars:
            continue
        chosen.append(c)
        used += len(c.display)
    return ExtractiveSummary(sentences=sorted(chosen, key=lambda c: c.start))


def traceable_share(summary_sentences: list[str], source: str) -> float:
    """Share of summary sentences found verbatim (whitespace-insensitively) in the source: the
    fact-traceability figure the summary suite reports for both the local and the LLM path.

    >>> traceable_share(["Out of insulin.", "Made up."], "Patient is out of insulin.")
    0.5
    >>> traceable_share(["out of  insulin."], "Patient is out of insulin.")
    1.0
    """
    if not summary_sentences:
        return float("nan")
    flat = " ".join(source.split()).lower()
    hits = sum(1 for s in summary_sentences if " ".join(s.split()).lower() in flat)
    return hits / len(summary_sentences)
