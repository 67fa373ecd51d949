"""Rules-based extraction of the fields staff would otherwise retype from an inbound document (English
and Spanish labels), each with the source span it was read from; NPIs are checked by their Luhn digit.

Rules run on a *matching view* of the text (accents folded, zero-width characters and stray OCR marks
inside words dropped, digit/letter confusions inside words undone) and every span is mapped back to
the original text; values are read from the original, then normalized (ISO dates, "First Last").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from models.intake import ExtractedField, ExtractionResult, Span
from tools.npi import npi_is_valid

# ---------------------------------------------------------------------------------------------
# Matching view
# ---------------------------------------------------------------------------------------------
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_DIGIT_AS_LETTER = {"0": "o", "1": "l", "5": "s", "8": "b"}


def _fold_char(ch: str) -> str:
    if ord(ch) < 128:
        return ch
    base = unicodedata.normalize("NFD", ch)[0]
    return base if ord(base) < 128 else ch


@dataclass(frozen=True)
class MatchingView:
    text: str  # the view rules match on
    index: list[int]  # index[i] = offset in the original of view character i
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the view's [start, end)."""
        if start >= len(self.index):
            return len(self.original), len(self.original)
        o_start = self.index[start]
        o_end = self.index[end - 1] + 1 if end > start else o_start
        return o_start, o_end

    def make_span(self, start: int, end: int) -> Span:
        s, e = self.span(start, end)
        return Span(start=s, end=e, text=self.original[s:e])


def matching_view(text: str, *, lower: bool = False) -> MatchingView:
    """The text to match on, with a map back to original offsets (it may be shorter, never longer).

    >>> v = matching_view("Birthd'ate Pó1iza")  # "O'Connor" would read "OConnor": values come from the original
    >>> v.text
    'Birthdate Poliza'
    >>> v.make_span(10, 16).text
    'Pó1iza'
    """
    out: list[str] = []
    idx: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in ZERO_WIDTH:
            continue
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < n else " "
        # Stray OCR marks inside words ("Birthd'ate", "Na.cid.o", "NP,I"); "O'Connor" and "Smith, Ann" are kept.
        if prev.isalpha() and nxt.isalpha() and (ch in ".'’" or (ch == "," and nxt.islower())):
            continue
        # ...and a stray apostrophe after a word ("A' nombre", "Subscribcr' #"); possessives lose nothing here.
        if ch in "'’" and prev.isalpha() and not nxt.isalnum():
            continue
        # A digit read for a letter: touching a letter and not another digit ("Pó1iza", "5ubscriber", "N0.").
        if ch in _DIGIT_AS_LETTER and (prev.isalpha() or nxt.isalpha()) and not (prev.isdigit() or nxt.isdigit()):
            ch = _DIGIT_AS_LETTER[ch] if (prev.islower() or nxt.islower()) else _DIGIT_AS_LETTER[ch].upper()
        c = _fold_char(ch)
        out.append(c.lower() if lower else c)
        idx.append(i)
    return MatchingView(text="".join(out), index=idx, original=text)


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------
_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTHS.update({"sept": 9})
_MESES = {m: i + 1 for i, m in enumerate(["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"])}
_MESES.update({"set": 9})
_MONTH_WORDS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
                r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_MES_WORDS = (r"(?:ene(?:ro)?|feb(?:rero)?|mar(?:zo)?|abr(?:il)?|may(?:o)?|jun(?:io)?|jul(?:io)?|ago(?:sto)?|"
              r"sep(?:tiembre)?|set(?:iembre)?|oct(?:ubre)?|nov(?:iembre)?|dic(?:iembre)?)")
DATE_RE = re.compile(
    r"(?i)(?<![\d/])(?:"
    r"(?P<iso>(?:19|20)\d\d-[01]?\d-[0-3]?\d)"
    r"|(?P<mdy>[01]?\d[/-][0-3]?\d[/-](?:19|20)\d\d)"
    r"|(?P<mon>" + _MONTH_WORDS + r"\.?\s+[0-3]?\d,?\s+(?:19|20)\d\d)"
    r"|(?P<dmon>[0-3]?\d[\s-]" + _MONTH_WORDS + r"[\s-](?:19|20)\d\d)"
    r"|(?P<esl>[0-3]?\d\s+de\s+" + _MES_WORDS + r"\s+(?:de\s+|del\s+)?(?:19|20)\d\d)"
    r"|(?P<esd>[0-3]?\d[-/]" + _MES_WORDS + r"[-/](?:19|20)\d\d)"
    r")(?![\d/])"
)


def parse_date(s: str) -> date | None:
    """Parse the date formats of US and Spanish-language documents (numeric dates are month first).

    >>> [parse_date(x).isoformat() for x in ["1/2/1960", "Jan 2, 1960", "02-Jan-1960", "2 de enero de 1960", "02-ene-1960"]]
    ['1960-01-02', '1960-01-02', '1960-01-02', '1960-01-02', '1960-01-02']
    """
    m = DATE_RE.fullmatch(s.strip())
    if not m:
        return None
    try:
        if m.group("iso"):
            y, mo, d = (int(x) for x in m.group("iso").split("-"))
            return date(y, mo, d)
        if m.group("mdy"):
            mo, d, y = (int(x) for x in re.split(r"[/-]", m.group("mdy")))
            return date(y, mo, d)
        if m.group("mon"):
            parts = re.findall(r"[A-Za-z]+|\d+", m.group("mon"))
            return date(int(parts[2]), _MONTHS[parts[0].lower()[:3]], int(parts[1]))
        if m.group("dmon"):
            parts = re.findall(r"[A-Za-z]+|\d+", m.group("dmon"))
            return date(int(parts[2]), _MONTHS[parts[1].lower()[:3]], int(parts[0]))
        if m.group("esl") or m.group("esd"):
            parts = [p for p in re.findall(r"[A-Za-z]+|\d+", m.group("esl") or m.group("esd")) if p.lower() not in ("de", "del")]
            return date(int(parts[2]), _MESES[parts[1].lower()[:3]], int(parts[0]))
    except (ValueError, KeyError):
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Labels (matched case-insensitively on the view, where accents are folded)
# ---------------------------------------------------------------------------------------------
_SEP = r"[ \t]*(?:(?:[.,:#\-–|'’]+[ \t]*)+|\bis\b[ \t]*)?"
_TOK = r"[A-Z][A-Za-z'’\-]+"
_NAME_COMMA = rf"{_TOK}(?:[ \-]{_TOK})?,[ \t]*{_TOK}(?:[ \t]+{_TOK})?"
_NAME_PLAIN = rf"{_TOK}(?:[ \t]+{_TOK}){{1,2}}"
_NAME_STOP = {"DOB", "MRN", "NPI", "Birthdate", "Date", "Fecha", "Phone", "Tel", "Member", "ID", "Sex", "Age",
              "Male", "Female", "Born", "Expediente", "Chart", "Insurance", "Seguro", "From", "Patient", "Paciente",
              "The", "Dob", "Referral", "Information", "Subject", "Re"}
# A "name" containing one of these is an organisation (a signature block), not a person.
_ORG_WORDS = {"Pharmacy", "Farmacia", "Dept", "Department", "Team", "Office", "Clinic", "Clinica", "Center", "Centro",
              "Group", "Management", "Health", "Records", "Medical", "Medico", "Associates", "Partners", "Care",
              "Services", "Plan", "Insurance", "Hospital", "Lab", "Laboratory", "Radiology", "Front", "Utilization"}
_CREDENTIALS = {"MD", "DO", "NP", "PA", "PA-C", "RN", "DDS", "DPM", "FNP", "APRN", "PhD", "MBBS", "LCSW"}

_PATIENT_LABELS = (r"(?i:patient\s+name|name\s+of\s+patient|pt\.?\s+name|patient|pt|re|regarding|name|"
                   r"nombre\s+del\s+paciente|nombre\s+de\s+la\s+paciente|nombre|paciente|pte|a\s+nombre\s+de)")
_PATIENT_SELF = (r"(?i:my\s+name\s+is|this\s+is|for\s+your\s+records:?|patient\s+is\s+me,|me\s+llamo|mi\s+nombre\s+es|"
                 r"soy|para\s+su\s+expediente:?)")
_SIGNOFF = (r"(?i:thank\s+you,?|thanks(?:\s+so\s+much)?[.,!]?|regards,?|best,?|sincerely,?|appreciate\s+it!?\s*-|sent\s+by|"
            r"gracias,?|mil\s+gracias\s*-|saludos,?|atte\.?|atentamente,?|cordialmente,?)")
_DOB_LABELS = (r"(?i:d\.?\s?[o0]\.?\s?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|"
               r"fecha\s+de\s+nacimiento|fecha\s+de\s+nac\.?|f\.?\s?nac\.?|f[,.]?d[,.]?n|nacid[oa](?:\(a\))?\s+el|naci\s+el)")
_MRN_LABELS = (r"(?i:mrn|medical\s+record\s*(?:#|no\.?|number)?|chart\s*(?:no\.?|#|number)|acct\s*/\s*mrn|"
               r"record\s*#|no\.?\s+de\s+expediente|expediente|historia\s+clinica|num\.?\s+de\s+registro|registro)")
_MEMBER_LABELS = (r"(?i:member\s*(?:id|#|no\.?)|insurance\s+id|subscriber\s*(?:#|id|no\.?)|policy\s*(?:id|#|no\.?)|"
                  r"id\s+de\s+miembro|numero\s+de\s+afiliado|afiliado|poliza|credencial)")
_PROVIDER_LABELS = (r"(?i:referring\s+(?:provider|physician|doctor|clinician)|ordering\s+(?:clinician|provider|physician)|"
                    r"from\s+the\s+office\s+of|medico\s+que\s+refiere|proveedor\s+referente|medico\s+referente|remite|"
                    r"firma\s+el\s+medico|referred\s+by)")
_AUTH_LABELS = (r"(?i:authorization\s*(?:#|no\.?|number)?|auth\s*(?:#|no\.?|number)?|ref\s*/\s*auth|approval\s+(?:number|#)|"
                r"no\.?\s+de\s+autorizacion|folio\s+de\s+autorizacion|autorizacion)")
_REASON_LABELS = (r"(?i:reason\s+for\s+referral|clinical\s+indication|indication|reason|main\s+concern\s+is|"
                  r"motivo\s+de\s+la\s+referencia|motivo\s+de\s+consulta|motivo|indicacion\s+clinica|"
                  r"la\s+preocupacion\s+principal\s+es)")
_SERVICE_LABELS = (r"(?i:service\s+requested|requested\s+service|(?<![a-z] )requested(?=\s*:)|we\s+are\s+asking\s+for|"
                   r"servicio\s+solicitado|se\s+solicita|pedimos)")
_SPEC_LABELS = (r"(?i:specialty|refer\s+to|referral\s+to|consult\s+requested\s+with|especialidad|interconsulta\s+a|"
                r"referencia\s+a|for\s+.{0,40}?\s+in)")

SPECIALTY_TERMS = {
    "cardiology": ["cardiology", "cardiologia", "cardiologist"],
    "gastroenterology": ["gastroenterology", "gastroenterologia", "gi clinic"],
    "orthopedics": ["orthopedics", "orthopaedics", "orthopedic surgery", "ortopedia", "traumatologia"],
    "endocrinology": ["endocrinology", "endocrinologia"],
    "neurology": ["neurology", "neurologia"],
    "behavioral_health": ["behavioral health", "psychiatry", "salud mental", "psiquiatria"],
    "pulmonology": ["pulmonology", "pulmonary medicine", "neumologia"],
    "obstetrics": ["ob/gyn", "obstetrics", "gynecology", "ginecologia y obstetricia", "ginecologia", "obstetricia"],
    "pain_management": ["pain management", "clinica del dolor", "pain clinic"],
    "dermatology": ["dermatology", "dermatologia"],
    "oncology": ["oncology", "oncologia"],
    "urology": ["urology", "urologia"],
    "nephrology": ["nephrology", "nefrologia"],
    "rheumatology": ["rheumatology", "reumatologia"],
    "ent": ["otolaryngology", "ent", "otorrinolaringologia"],
    "physical_therapy": ["physical therapy", "fisioterapia"],
}
_SPEC_RE = re.compile(r"(?i)\b(" + "|".join(sorted((re.escape(t) for ts in SPECIALTY_TERMS.values() for t in ts),
                                                     key=len, reverse=True)) + r")\b")
_SPEC_OF = {t: k for k, ts in SPECIALTY_TERMS.items() for t in ts}

ICD_RE = re.compile(r"(?<![A-Za-z0-9])([A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?)(?![A-Za-z0-9])")
_ICD_CONTEXT = re.compile(r"(?i)(icd|dx|diagnos|cie|codigo|\()")
PHONE_RE = re.compile(r"(?<!\d)(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)")


def _ocr_tolerant(label: str) -> str:
    """Let label words survive the commonest fax OCR confusions (e/c, t/f, m/rn, h/b) that the view
    cannot undo; backslash escapes and the (?i: group opener are left alone."""
    subs = {"e": "[ec]", "t": "[tf]", "m": "(?:m|rn)", "h": "[hb]"}
    return re.sub(r"(?<!\\)(?<!\(\?)([ethm])", lambda m: subs[m.group(1)], label)


def _rx(label: str, value: str) -> re.Pattern[str]:
    # A label at a word start, a separator, then the value on the same line.
    return re.compile(rf"(?<![A-Za-z])(?:{_ocr_tolerant(label)})(?![A-Za-z]){_SEP}(?P<v>{value})", re.M)


_NAME_VALUE = rf"(?:{_NAME_COMMA}|{_NAME_PLAIN})"
_PROV_VALUE = rf"(?:Dr\.?[ \t]+)?{_NAME_PLAIN}"
_RULES: list[tuple[str, str, re.Pattern[str], float]] = [
    ("patient_name", "label", _rx(_PATIENT_LABELS, _NAME_VALUE), 0.9),
    ("patient_name", "self", re.compile(rf"{_PATIENT_SELF}[ \t]*(?P<v>{_NAME_VALUE})"), 0.8),
    ("patient_name", "signoff", re.compile(rf"{_SIGNOFF}[ \t]*\n?[ \t]*(?P<v>{_NAME_VALUE})(?=[ \t]*(?:\n|$|from\b))"), 0.6),
    ("referring_provider", "label", _rx(_PROVIDER_LABELS, _PROV_VALUE), 0.9),
    ("dob", "label", re.compile(rf"(?<![A-Za-z])(?:{_ocr_tolerant(_DOB_LABELS)})[ \t]*[:\-]?[ \t]*(?P<v>(?i:{DATE_RE.pattern[4:]}))"), 0.95),
    ("mrn", "label", _rx(_MRN_LABELS, r"(?i:[a-z0-9][a-z0-9\-]{3,18}(?<=\d))"), 0.9),
    ("member_id", "label", _rx(_MEMBER_LABELS, r"(?i:[a-z0-9][a-z0-9\-]{4,20}(?<=\d))"), 0.9),
    ("npi", "label", re.compile(r"(?i:\bn[,.']?p[,.']?[il1|])\s*(?:#|no\.?|n[ºo°]|number|numero)?\s*[:\-]?\s*(?P<v>\d{10})(?!\d)"), 0.95),
    ("auth_number", "label", _rx(_AUTH_LABELS, r"[A-Z]{0,5}-?\d[A-Z0-9\-]{4,20}"), 0.9),
    ("requested_service", "request", re.compile(
        r"(?i:prior\s+authorization\s+request\s+for|the\s+request\s+for|pre-?certification\s+needed:?|"
        r"precertificacion\s+para|autorizacion\s+previa\s+para|la\s+solicitud\s+de|review\s+outcome:|"
        r"resultado\s+de\s+revision:|authorization\s+before\s+I\s+can\s+get\s+my|approval\s+for\s+my|"
        r"autorizacion\s+previa\s+para|permiso\s+del\s+seguro\s+para\s+mi)"
        r"[ \t]+(?P<v>[^\n.?]{3,80}?)(?=[ \t]+(?i:has|is|was|fue|no|not)\b|[.\n?])"), 0.6),
    ("requested_service", "for_in_specialty", re.compile(
        r"(?i:\b(?:for|para))[ \t]+(?P<v>[^\n.?,]{3,60}?)[ \t]+(?i:in|en)[ \t]+" + _SPEC_RE.pattern[4:].replace("\\b(", "(?i:", 1)), 0.6),
    ("reason", "label", _rx(_REASON_LABELS, r"[^\n.]{3,160}"), 0.8),
    ("requested_service", "label", _rx(_SERVICE_LABELS, r"[^\n.]{3,120}"), 0.8),
]


def _clean_name(raw: str) -> str | None:
    raw = raw.strip()
    if "," in raw:
        last, _, first = raw.partition(",")
        first_toks = first.split()
        if not first_toks or first_toks[0].strip(".") in _CREDENTIALS:
            return None
        tokens = first_toks + last.split()
    else:
        tokens = raw.split()
    if any(matching_view(t).text.strip(".,") in _ORG_WORDS for t in tokens):
        return None
    kept: list[str] = []
    for t in tokens:
        if t in _NAME_STOP or t.strip(".") in _CREDENTIALS or t.upper() in _NAME_STOP:
            break
        kept.append(t)
    if len(kept) < 2 and "," not in raw:
        return None
    if not kept:
        return None
    name = " ".join(kept)
    return name.title() if name.isupper() else name


def extract_fields(text: str, *, is_valid_icd: Callable[[str], bool] | None = None) -> ExtractionResult:
    """Every field found in `text`, with spans into `text`. `is_valid_icd` (e.g. from tools/claims/codes.py)
    marks each ICD-10-CM candidate valid or not; without it, `valid` is None.

    >>> r = extract_fields("Patient Name: Ana Ruiz\\nDOB: 01/02/1960\\nNPI: 1234567893")
    >>> r.first("patient_name").value, r.first("dob").value, r.first("npi").valid
    ('Ana Ruiz', '1960-01-02', True)
    """
    view = matching_view(text)
    out: list[ExtractedField] = []
    taken_dob: list[tuple[int, int]] = []
    for name, rule, rx, conf in _RULES:
        for m in rx.finditer(view.text):
            s, e = m.span("v")
            span = view.make_span(s, e)
            raw = span.text
            value: str | None
            valid: bool | None = None
            if name in ("patient_name", "referring_provider"):
                value = _clean_name(re.sub(r"^Dr\.?\s+", "", raw))
            elif name == "dob":
                d = parse_date(view.text[s:e])
                value = d.isoformat() if d else None
                taken_dob.append((span.start, span.end))
            elif name == "npi":
                value = raw
                valid = npi_is_valid(raw)
            elif name in ("reason", "requested_service"):
                value = raw.strip(" \t:;-")
            else:
                value = raw.strip()
            if value:
                out.append(ExtractedField(name=name, value=value, span=span, confidence=conf if valid is not False else 0.3,
                                          valid=valid, rule=f"{name}:{rule}"))
    # Specialty: the labelled one first, else any specialty term in the text.
    for m in _SPEC_RE.finditer(view.text):
        before = view.text[max(0, m.start() - 40):m.start()]
        labelled = re.search(_SPEC_LABELS + r"[ \t:]*$", before) is not None
        span = view.make_span(*m.span(1))
        out.append(ExtractedField(name="specialty", value=_SPEC_OF[m.group(1).lower()], span=span,
                                  confidence=0.85 if labelled else 0.5, rule="specialty:" + ("label" if labelled else "term")))
    for m in ICD_RE.finditer(view.text):
        code = m.group(1)
        context = view.text[max(0, m.start() - 40):m.start()]
        if "." not in code and not _ICD_CONTEXT.search(context):
            continue
        valid = is_valid_icd(code) if is_valid_icd is not None else None
        out.append(ExtractedField(name="icd10", value=code, span=view.make_span(*m.span(1)),
                                  confidence=0.9 if valid is not False else 0.3, valid=valid, rule="icd10:pattern"))
    for m in DATE_RE.finditer(view.text):
        span = view.make_span(*m.span())
        if any(span.start >= a and span.end <= b for a, b in taken_dob):
            continue
        d = parse_date(view.text[m.start():m.end()])
        if d:
            out.append(ExtractedField(name="date", value=d.isoformat(), span=span, confidence=0.9, rule="date:pattern"))
    for m in PHONE_RE.finditer(view.text):
        out.append(ExtractedField(name="phone", value=re.sub(r"\D", "", m.group())[-10:], span=view.make_span(*m.span()),
                                  confidence=0.9, rule="phone:pattern"))
    return ExtractionResult(fields=out)


def field_accuracy(items: list, *, fields: tuple[str, ...] = ("patient_name", "dob", "mrn", "member_id",
                                                                "referring_provider", "npi", "specialty", "icd10",
                                                                "reason", "requested_service", "auth_number", "dates"),
                   is_valid_icd: Callable[[str], bool] | None = None) -> dict[str, dict[str, float]]:
    """Per-field accuracy over labeled items that have the field in `truth`: exact match after
    normalization (case-insensitive for text; set equality for icd10 and dates).

    >>> from models.intake import InboundLabel
    >>> it = InboundLabel(id="x", channel="fax", text="DOB: 1/2/1960", doc_type="other", urgency="routine",
    ...                   sensitive=False, truth={"dob": "1960-01-02"})
    >>> field_accuracy([it], fields=("dob",))["dob"]["accuracy"]
    1.0
    """
    res: dict[str, dict[str, float]] = {}
    tallies = {f: [0, 0] for f in fields}
    for it in items:
        ex = extract_fields(it.text, is_valid_icd=is_valid_icd)
        for f in fields:
            if f not in it.truth:
                continue
            tallies[f][1] += 1
            want = it.truth[f]
            if f == "dates":
                got = set(ex.values("date"))
                ok = got == set(want)
            elif f == "icd10":
                ok = set(ex.values("icd10")) == set(want)
            else:
                best = ex.first(f)
                ok = best is not None and _norm(best.value) == _norm(str(want))
            tallies[f][0] += int(ok)
    for f, (ok, n) in tallies.items():
        res[f] = {"n": n, "accuracy": (ok / n) if n else float("nan")}
    return res


def _norm(s: str) -> str:
    return " ".join(matching_view(s, lower=True).text.split())
