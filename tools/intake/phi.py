"""Redact PHI from text before it goes to a log or an external LLM, at a level: `none` (unchanged),
`identifiers` (the patient's direct identifiers) or `strict` (also every date, every run of capitalized
words - people, relatives, and on purpose organisations too - NPIs, ZIP codes and long numbers). Returns the redacted text and the replaced spans; the original is never logged.

`identifiers` removes: patient names (extracted fields, label-led and sign-off patterns, and every
occurrence of each name part), dates of birth, MRNs, member IDs, phone and fax numbers, email
addresses, street addresses, SSNs, URLs and IP addresses, and as a safety net any ID-like token of
8+ characters with digits (so claim and authorization numbers go too); NPIs only when `redact_npi=True`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from models.intake import ExtractionResult, RedactedSpan, RedactionLevel, RedactionResult
from tools.intake.extract import DATE_RE, PHONE_RE, extract_fields, matching_view, npi_is_valid

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# SSNs as people write them: dashes, dots, spaces (even around the dashes) or nothing after a label.
SSN_RE = re.compile(r"(?<!\d)(?<!\d\.)\d{3}(?:\s*[-.]\s*|\s+)?\d{2}(?:\s*[-.]\s*|\s+)?\d{4}(?!\d|\.\d)"
                    r"|(?i:\b(?:ssn|ss#|social security(?: number| no\.?)?|seguro social)\s*#?:?\s*)\d{9}\b")
# Long numbers written in groups ("144 269 420", "12.345.678"): 8+ digits in 3+ groups are an identifier.
GROUPED_NUMBER_RE = re.compile(r"(?<!\w)(?<!\d\.)\d{2,5}(?:[ .\-]\d{2,5}){2,}(?!\w|\.\d)")
# Dates written with dots (01.02.1960), which DATE_RE does not read.
DOTTED_DATE_RE = re.compile(r"(?<!\d)(?<!\d\.)\d{1,2}\.\d{1,2}\.(?:19|20)?\d{2}(?!\d|\.\d)")
URL_RE = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
IP_RE = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_STREET = (r"(?:St|Street|Ave|Avenue|Ln|Lane|Dr|Drive|Rd|Road|Ct|Court|Blvd|Boulevard|Way|Pl|Place|Pkwy|Hwy|Ter|Cir)\.?")
_STREET_WORD = r"(?!(?:mg|mcg|ml|units?|tabs?|tablets?|pills?|caps?|doses?|times|days?|weeks?|hours?)\b)[A-Za-z][A-Za-z'’\-]+"
_DIRECTION = r"(?:(?:[NSEW]|NE|NW|SE|SW)\.?\s+|(?:North|South|East|West)\s+)?"
ADDRESS_RE = re.compile(
    rf"\b\d{{1,6}}\s+{_DIRECTION}(?:(?:{_STREET_WORD}|\d+(?:st|nd|rd|th))\s+){{1,3}}(?i:{_STREET})(?![A-Za-z])"
    rf"(?:,?\s+(?i:apt|apartment|unit|suite|ste|#)\.?\s*\w+)?(?:,\s*[A-Z][A-Za-z .'\-]+)?(?:,?\s*[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?)?"
    rf"|\b\d{{1,6}}\s+(?:Calle|Av\.|Avenida|Camino|Paseo|Privada|Callejon)\s+[A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñ]*(?:\s+[A-ZÁÉÍÓÚÑ][\wáéíóúñ]*){{0,3}}"
    rf"(?:\s+#?\d+)?(?:,\s*[A-Z][A-Za-z .'\-]+)?(?:,?\s*[A-Z]{{2}}\s+\d{{5}})?"
)
# Dates with two-digit years ("born 3/4/55"): only as a DOB, after a birth-like word.
SHORT_DATE_RE = re.compile(r"(?<![\d/])\d{1,2}[/-]\d{1,2}[/-]\d{2}(?![\d/])")
# Strict: any run of 2-3 capitalized words (people, relatives); over-redacts organisations on purpose.
_CAPITAL_RUN = re.compile(r"\b[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’\-]+(?:\s+[A-ZÁÉÍÓÚÑ]\.?)?(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’\-]+){1,2}\b")
ZIP_RE = re.compile(r"\b[A-Z]{2}\s+(\d{5})(?:-\d{4})?\b")
LONG_NUMBER_RE = re.compile(r"(?<![\w])(?=[A-Z0-9\-]*\d)[A-Z0-9\-]{6,}(?![\w])")
_TITLE_NAME = re.compile(r"\b(?:Dr|Dra|Mr|Mrs|Ms|Sr|Sra)\.?\s+(?:[A-Z][A-Za-z'’\-]+)(?:\s+[A-Z][A-Za-z'’\-]+)?")
_PERSON_LINE = re.compile(r"(?m)^\s*(?:--\s*)?([A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+){1,2}),\s*(?:MD|DO|NP|PA-C|PA|RN|FNP|DDS)\b")
# A first name alone after a closing ("Best, Janet", "Atte. Marisol", "Thanks so much.\nMary").
_SIGNOFF_NAME = re.compile(
    r"(?im)(?:^|\s)(?:best|thanks(?: so much)?|thank you|regards|cheers|sincerely|love|atte|saludos|gracias|mil gracias|"
    r"un saludo|atentamente|cordialmente|sent by)[.,!]*[ \t]*(?:-[ \t]*)?\n?[ \t]*"
    r"([A-ZÁÉÍÓÚÑ][A-Za-zÁÉÍÓÚÑáéíóúñü'’\-]+(?:,?[ \t]+[A-ZÁÉÍÓÚÑ][A-Za-zÁÉÍÓÚÑáéíóúñü'’\-]+)?)[ \t]*(?:$|from\b)")
_AGE_OVER_89 = re.compile(r"\b(9\d|1[0-1]\d)[- ](?:year|years|yo|y/o|años)\b", re.I)

_TAGS = {"name": "[NAME]", "dob": "[DOB]", "date": "[DATE]", "mrn": "[MRN]", "member_id": "[MEMBER_ID]", "phone": "[PHONE]",
         "email": "[EMAIL]", "address": "[ADDRESS]", "ssn": "[SSN]", "npi": "[NPI]", "zip": "[ZIP]", "url": "[URL]",
         "ip": "[IP]", "number": "[NUMBER]", "age": "[AGE]"}


def _name_parts(names: Iterable[str]) -> set[str]:
    parts: set[str] = set()
    for n in names:
        for p in re.split(r"[\s,]+", n):
            p = p.strip(".")
            if len(p) >= 3 and p[0].isalpha():
                parts.add(p)
    return parts


def redact_phi(text: str, *, level: RedactionLevel = "identifiers", extracted: ExtractionResult | None = None,
               known_names: Iterable[str] = (), redact_npi: bool = False) -> RedactionResult:
    """Redact `text` at `level`. `extracted` (from tools.intake.extract) and `known_names` (e.g. the
    matched patient's registry names) add names to remove everywhere they occur.

    >>> r = redact_phi("Patient Name: Ana Ruiz\\nDOB: 01/02/1960\\nCall 555-201-3344. Ana says hi.")
    >>> r.text
    'Patient Name: [NAME]\\nDOB: [DOB]\\nCall [PHONE]. [NAME] says hi.'
    """
    if level == "none":
        return RedactionResult(level=level, text=text, spans=[])
    ex = extracted if extracted is not None else extract_fields(text)
    cands: list[tuple[int, int, str]] = []
    names = list(known_names)
    for f in ex.fields:
        if f.name == "patient_name":
            cands.append((f.span.start, f.span.end, "name"))
            names.append(f.value)
            names.append(f.span.text)
        elif f.name == "dob":
            cands.append((f.span.start, f.span.end, "dob"))
        elif f.name in ("mrn", "member_id"):
            cands.append((f.span.start, f.span.end, f.name))
        elif f.name == "phone":
            cands.append((f.span.start, f.span.end, "phone"))
        elif f.name == "npi" and (redact_npi or level == "strict"):
            cands.append((f.span.start, f.span.end, "npi"))
        elif f.name == "referring_provider" and level == "strict":
            cands.append((f.span.start, f.span.end, "name"))
        elif f.name == "date" and level == "strict":
            cands.append((f.span.start, f.span.end, "date"))
    for m in _SIGNOFF_NAME.finditer(text):
        cands.append((m.start(1), m.end(1), "name"))
        names.append(m.group(1))
    # Every occurrence of each name part, matched accent- and case-insensitively on the view.
    view = matching_view(text, lower=True)
    for part in sorted(_name_parts(names), key=len, reverse=True):
        key = matching_view(part, lower=True).text
        # A possessive "Okonkwo's" reads "okonkwos" in the view (the apostrophe is dropped there).
        for m in re.finditer(r"(?<![a-z])" + re.escape(key) + r"(?=s?(?:[^a-z]|$))", view.text):
            s, e = view.span(m.start(), m.end())
            cands.append((s, e, "name"))
    for rx, kind in ((EMAIL_RE, "email"), (SSN_RE, "ssn"), (URL_RE, "url"), (IP_RE, "ip"), (ADDRESS_RE, "address"),
                     (PHONE_RE, "phone"), (GROUPED_NUMBER_RE, "number")):
        for m in rx.finditer(text):
            cands.append((m.start(), m.end(), kind))
    # Safety nets for labels garbled by OCR: a date shortly after anything birth-like is a DOB, and an
    # ID-like token (8+ characters with digits, not a valid NPI unless NPIs are redacted) is an identifier.
    for m in ZIP_RE.finditer(text):  # a ZIP code after a state's code, at every level
        cands.append((m.start(1), m.end(1), "zip"))
    for m in [*DATE_RE.finditer(text), *SHORT_DATE_RE.finditer(text), *DOTTED_DATE_RE.finditer(text)]:
        before = matching_view(text[max(0, m.start() - 28):m.start()], lower=True).text
        if re.search(r"d\W*[o0]\W*[b8]|birth|born|nac|fdn|naci", before):
            cands.append((m.start(), m.end(), "dob"))
    for m in re.finditer(r"(?<![\w$.])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,20}(?![\w])", text):
        tok = m.group()
        if (not redact_npi and level != "strict" and len(tok) == 10 and tok.isdigit() and npi_is_valid(tok)
                and re.search(r"(?i)n\W?p\W?i", text[max(0, m.start() - 24):m.start()])):
            continue  # a provider's NPI, named as one (a bare 10-digit number may be a phone number)
        if tok.isdigit() or re.match(r"[A-Za-z]{1,4}\d", tok) or sum(c.isdigit() for c in tok) >= 6:
            cands.append((m.start(), m.end(), "number"))
    if level == "strict":
        for m in [*DATE_RE.finditer(text), *DOTTED_DATE_RE.finditer(text)]:
            cands.append((m.start(), m.end(), "date"))
        for rx in (_TITLE_NAME,):
            for m in rx.finditer(text):
                cands.append((m.start(), m.end(), "name"))
        for m in _CAPITAL_RUN.finditer(text):
            cands.append((m.start(), m.end(), "name"))
        for m in _PERSON_LINE.finditer(text):
            cands.append((m.start(1), m.end(1), "name"))
        for m in ZIP_RE.finditer(text):
            cands.append((m.start(1), m.end(1), "zip"))
        for m in LONG_NUMBER_RE.finditer(text):
            cands.append((m.start(), m.end(), "number"))
        for m in _AGE_OVER_89.finditer(text):
            cands.append((m.start(1), m.end(1), "age"))
    # Merge overlaps: the longer span wins, and the union is replaced.
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    merged: list[tuple[int, int, str]] = []
    for s, e, k in cands:
        if s >= e:
            continue
        if merged and s < merged[-1][1]:
            ps, pe, pk = merged[-1]
            merged[-1] = (ps, max(pe, e), pk if (pe - ps) >= (e - s) else k)
        else:
            merged.append((s, e, k))
    out: list[str] = []
    spans: list[RedactedSpan] = []
    pos = 0
    for s, e, k in merged:
        out.append(text[pos:s])
        out.append(_TAGS[k])
        spans.append(RedactedSpan(kind=k, start=s, end=e, replacement=_TAGS[k]))
        pos = e
    out.append(text[pos:])
    return RedactionResult(level=level, text="".join(out), spans=spans)
