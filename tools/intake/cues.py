"""Domain-knowledge cue features for intake triage: English and Spanish clinic-office vocabulary per
doc_type concept and per urgency level, written from the labelling guide of DESIGN.md (not from any
generator's templates), plus a stripper for fax cover-sheet headers and confidentiality disclaimers.

Cue features are counts of distinct lexicon hits per concept (log-scaled), so a classifier can lean
on "this reads like an EOB" rather than on the exact sentences it was trained on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from tools.intake.extract import matching_view

# ---------------------------------------------------------------------------------------------
# Boilerplate: fax cover-sheet header lines and confidentiality disclaimers carry no doc_type signal
# (every fax has them) but do carry words like "error" and "records" that mislead a bag of words.
# ---------------------------------------------------------------------------------------------
_HEADER_LINE = re.compile(
    r"^\s*[*=\-_ ]*(?:fax(?: cover(?: sheet)?| transmittal| transmission)?|facsimile(?: cover)?(?: sheet)?|cover sheet|"
    r"transmision de fax|portada de fax|to|from|attn|attention|para|de|fax(?: no\.?| #| number)?|phone|tel(?:efono)?|"
    r"date|fecha|pages?|paginas?|number of pages|no\. de paginas|sent|enviado|total pages)\s*[:#]"
    r"(?!.*\b(?:refer|auth|refill|record|result|report|claim|appointment|cita|receta|expediente)).*$",
    re.I | re.M,
)
_DISCLAIMER = re.compile(
    r"(?:confidentiality notice|confidential(?:ity)?|intended (?:only )?for the (?:use of the )?(?:individual|addressee|"
    r"recipient)|intended only for|unauthori[sz]ed (?:review|use|disclosure|distribution)|if you (?:have )?received "
    r"(?:this|it) in error|destroy (?:all|the) (?:copies|documents?)|notify the sender|protected health information|"
    r"aviso de confidencialidad|confidencial|destruya|si (?:usted )?(?:lo |la )?(?:ha )?recibi(?:o|do) (?:este \w+ )?por error|"
    r"avise al remitente|uso exclusivo)[^\n]*(?:\n[^\n]*){0,3}|this (?:message|fax|facsimile|transmission) (?:is|may be)\b",
    re.I,
)
_RULE_LINE = re.compile(r"^\s*[-=_*]{5,}\s*$", re.M)
# Signature blocks name people and departments ("signed by Prior Authorization Team") that say
# nothing about what the document is; a closing word takes the next two short lines with it.
_SIGNATURE = re.compile(
    r"^[^\S\n]*(?:electronically signed by|e-?signed by|signed by|sent by|firmado(?: electronicamente)? por|enviado por)\b[^\n]*$|"
    r"^[^\S\n]*(?:sincerely|regards|best regards|respectfully|thank you|thanks|atentamente|saludos(?: cordiales)?|gracias)"
    r"[ ,.!]*\n(?:[^\n]{0,60}(?:\n|$)){0,2}",
    re.I | re.M,
)


def strip_boilerplate(text: str) -> str:
    """The text without cover-sheet header lines, ruled lines and confidentiality disclaimers.

    >>> strip_boilerplate("FAX COVER SHEET\\nTo: Clinic\\nPages: 3\\nRefill request for lisinopril").strip()
    'FAX COVER SHEET\\nRefill request for lisinopril'
    """
    view = matching_view(text).text
    # Disclaimers are cut from the first keyword to the end of their paragraph (at most 3 more lines).
    out = _DISCLAIMER.sub(" ", view)
    out = _SIGNATURE.sub("", out)
    out = _HEADER_LINE.sub("", out)
    return re.sub(r"\n(?:[ \t]*\n)+", "\n", _RULE_LINE.sub("", out))


# ---------------------------------------------------------------------------------------------
# Lexicons. Patterns are matched on lower-case, accent-folded text with line wraps collapsed, with
# word boundaries added around each pattern.
# ---------------------------------------------------------------------------------------------
DOC_TYPE_CUES: dict[str, list[str]] = {
    "referral": [
        r"referral", r"referr(?:ed|ing)", r"refer(?:ring)? (?:to|for)", r"e-?referral", r"reason for (?:the )?referral",
        r"consult(?:ation)? (?:request|requested)", r"request(?:ing)? (?:a )?consult(?:ation)?", r"please (?:see|evaluate)",
        r"evaluat(?:e|ion) and (?:treat|management)", r"eval(?:uate)? (?:&|and) treat", r"specialist", r"specialty",
        r"new patient consult", r"accept (?:this|the|our) (?:patient|referral)", r"kindly see", r"for further evaluation",
        r"interconsulta", r"referencia", r"referid[oa]", r"remit(?:ir|imos|o)", r"derivaci[o]n", r"deriva(?:r|mos|do)",
        r"valoraci[o]n (?:por|de|y)", r"favor de valorar", r"solicit(?:o|amos|ud de) (?:una )?(?:consulta|valoracion)",
        r"especialista", r"especialidad", r"motivo de (?:la )?(?:referencia|derivacion|envio)",
    ],
    "prior_auth": [
        r"prior auth(?:orization)?", r"pre-?auth(?:orization)?", r"pre-?cert(?:ification)?", r"pa request",
        r"authorization (?:request|form|required|is required|needed)", r"request(?:ing)? (?:an? )?authorization",
        r"requires? (?:prior )?(?:authorization|approval)", r"medical necessity", r"letter of medical necessity",
        r"step therapy", r"formulary exception", r"non-?formulary", r"coverage determination", r"pbm",
        r"pharmacy benefit", r"covermymeds", r"utilization (?:review|management)", r"clinical criteria",
        r"renew(?:al of)? (?:the )?(?:prior )?authorization", r"authorization (?:expires|expired|renewal)",
        r"pending (?:your )?(?:clinical )?(?:information|documentation|notes)", r"dme", r"durable medical equipment",
        r"autorizacion (?:previa|anticipada)", r"pre-?autorizacion", r"necesidad medica", r"requiere (?:una )?autorizacion",
        r"solicitud de autorizacion", r"aprobacion previa", r"excepcion (?:de|al) formulario", r"renovar (?:la )?autorizacion",
    ],
    "lab_result": [
        r"lab(?:oratory)? (?:results?|report|values)", r"results? (?:of|for) (?:your |the )?(?:lab|blood)",
        r"reference (?:range|interval)", r"ref(?:erence)? range", r"specimen", r"collected", r"collection date",
        r"cbc", r"cmp", r"bmp", r"lipid panel", r"metabolic panel", r"complete blood count", r"urinalysis", r"culture",
        r"hemoglobin", r"hgb", r"hematocrit", r"wbc", r"platelets?", r"glucose", r"a1c", r"hba1c", r"creatinine",
        r"egfr", r"bun", r"potassium", r"sodium", r"calcium", r"tsh", r"free t4", r"ldl", r"hdl", r"cholesterol",
        r"triglycerides", r"alt", r"ast", r"alkaline phosphatase", r"bilirubin", r"inr", r"pt/inr", r"troponin",
        r"psa", r"vitamin d", r"ferritin", r"b12", r"lactate", r"d-dimer", r"bnp", r"magnesium", r"albumin",
        r"mg/dl", r"mmol/l", r"g/dl", r"ng/ml", r"u/l", r"miu/l", r"meq/l", r"k/ul", r"x10\^?3",
        r"laboratorio", r"resultados? de (?:laboratorio|analisis|sangre)", r"analisis", r"rango(?: de referencia)?",
        r"valores? de referencia", r"muestra", r"toma de muestra", r"hemoglobina", r"hematocrito", r"glucosa",
        r"creatinina", r"potasio", r"sodio", r"colesterol", r"trigliceridos", r"plaquetas", r"leucocitos",
        r"examen (?:general )?de orina", r"cultivo", r"troponina", r"biometria hematica", r"quimica sanguinea",
    ],
    "imaging_report": [
        r"x-?ray", r"radiograph(?:y)?", r"ct(?: scan)?", r"cat scan", r"computed tomography", r"mri", r"magnetic resonance",
        r"ultrasound", r"sonogra(?:m|phy)", r"mammogra(?:m|phy)", r"dexa", r"bone density", r"pet(?:/ct)?",
        r"fluoroscopy", r"doppler", r"echocardiogra(?:m|phy)", r"impression", r"findings", r"radiology", r"radiologist",
        r"imaging", r"with(?:out)? contrast", r"technique", r"comparison", r"views?", r"bi-?rads", r"ti-?rads",
        r"lung-?rads", r"no acute", r"unremarkable", r"opacity", r"nodule", r"fracture", r"effusion", r"lesion",
        r"radiografia", r"rayos x", r"tomografia", r"resonancia(?: magnetica)?", r"ultrasonido", r"ecografia",
        r"mastografia", r"mamografia", r"densitometria", r"impresion(?: diagnostica)?", r"hallazgos", r"radiologia",
        r"radiologo", r"estudio de imagen", r"contraste", r"sin hallazgos agudos", r"nodulo", r"fractura",
    ],
    "clinical_note": [
        r"discharge summary", r"operative (?:report|note)", r"op note", r"procedure (?:note|performed)",
        r"consult(?:ation)? note", r"progress note", r"office (?:visit|note)", r"visit note", r"clinic note",
        r"history of present illness", r"hpi", r"assessment(?: and plan)?", r"a/p", r"plan:", r"physical exam(?:ination)?",
        r"review of systems", r"ros", r"chief complaint", r"subjective", r"objective", r"hospital course", r"admitted",
        r"discharged", r"discharge (?:diagnosis|medications|instructions)", r"post-?op(?:erative)?", r"pre-?op(?:erative)?",
        r"anesthesia", r"estimated blood loss", r"follow[- ]up (?:in|with)", r"vital signs", r"thank you for (?:allowing|the referral)",
        r"nota de (?:evolucion|consulta|egreso|alta)", r"resumen (?:de|del) (?:alta|egreso)", r"informe (?:operatorio|quirurgico)",
        r"nota (?:operatoria|quirurgica|medica)", r"exploracion fisica", r"padecimiento actual", r"motivo de consulta",
        r"evaluacion y plan", r"diagnostico de (?:egreso|alta)", r"ingres[oa]", r"egres[oa]", r"alta hospitalaria",
        r"evolucion", r"signos vitales", r"cirugia", r"procedimiento",
    ],
    "records_request": [
        r"(?:medical )?records? request", r"request(?:ing)? (?:for )?(?:a )?(?:copy|copies) of", r"copies of (?:the )?(?:medical )?records",
        r"(?:send|forward|fax|provide|release) (?:us )?(?:a copy of |copies of )?(?:the |all |any |complete )?(?:medical |chart )?(?:records|chart notes|notes)",
        r"release of (?:medical )?information", r"roi", r"authorization to (?:release|disclose|obtain)", r"hipaa(?:-compliant)? authorization",
        r"subpoena", r"duces tecum", r"attorney", r"law (?:firm|office|group)", r"legal", r"counsel", r"deposition", r"court",
        r"litigation", r"personal injury", r"claimant", r"dates? of service (?:from|between)", r"custodian of records",
        r"certification of records", r"disability determination", r"all records from",
        r"solicitud de (?:expediente|registros|copias?)", r"copia (?:del|de su) expediente", r"expediente clinico completo",
        r"(?:enviar|envien|mandar|proporcionar) (?:el |los |una copia del? )?(?:expediente|registros)", r"autorizacion para (?:divulgar|entregar|liberar|compartir)",
        r"citatorio", r"abogad[oa]s?", r"tribunal", r"juzgado", r"demanda", r"orden judicial",
    ],
    "rx_refill": [
        r"refill", r"refills", r"renew(?:al)? (?:of )?(?:my |the |his |her )?(?:prescription|rx|medication)", r"prescription",
        r"rx", r"pharmacy", r"pharmacist", r"out of (?:my |his |her )?(?:medication|medicine|pills|meds|inhaler|insulin)",
        r"ran out", r"running (?:low|out)", r"last (?:fill|filled|dose)", r"quantity", r"qty", r"days? supply", r"sig",
        r"dispense", r"tablets?", r"capsules?", r"90-day", r"30-day", r"mail order", r"e-?prescri(?:be|bing|ption)",
        r"new prescription", r"send (?:it |a script )?to (?:my |the )?pharmacy", r"medication renewal", r"renewal request",
        r"resurt(?:ir|ido|an)", r"surt(?:ir|ido)", r"receta", r"recetas", r"renovar (?:mi |la )?(?:receta|medicamento)",
        r"farmacia", r"farmaceutic[oa]", r"se me (?:acab|termin)[oa]", r"quedan? pocas", r"ya no tengo", r"medicamento",
        r"pastillas", r"tabletas", r"cantidad", r"dias de suministro",
    ],
    "payer_correspondence": [
        r"explanation of benefits", r"eob", r"remittance(?: advice)?", r"era", r"claim (?:number|no\.?|#|id)", r"claims?",
        r"denied", r"denial", r"adjust(?:ment|ed)", r"allowed amount", r"amount allowed", r"patient responsibility",
        r"paid amount", r"member services", r"provider services", r"eligib(?:le|ility)", r"enrollment", r"enrolled",
        r"overpayment", r"recoup(?:ment)?", r"refund request", r"appeal", r"reconsideration", r"determination",
        r"approved", r"approval", r"health plan", r"insurance (?:company|carrier|plan)", r"managed care", r"carc", r"rarc",
        r"coverage (?:effective|terminated|ends|begins)", r"benefit(?:s)? (?:period|year)", r"pend(?:ed|ing)? claim",
        r"additional information (?:is )?(?:needed|required)", r"utilization", r"not medically necessary", r"plan member",
        r"explicacion de beneficios", r"reclam(?:o|acion)", r"numero de reclamo", r"denegad[oa]", r"rechazad[oa]",
        r"aprobad[oa]", r"aprobacion", r"elegibilidad", r"afiliacion", r"inscripcion", r"sobrepago", r"aseguradora",
        r"plan de salud", r"apelacion", r"determinacion", r"monto permitido", r"responsabilidad del paciente",
    ],
    "appointment_request": [
        r"appointment", r"appt", r"schedul(?:e|ed|ing)", r"reschedul(?:e|ed|ing)", r"cancel(?:l?ed|l?ing|lation)?", r"book(?:ed|ing)?",
        r"availab(?:le|ility)", r"opening", r"slot", r"move my", r"change my (?:visit|appointment|time)", r"next (?:week|month|available)",
        r"come in", r"be seen", r"see (?:the )?(?:doctor|dr|provider)", r"follow[- ]up visit", r"annual (?:visit|physical|exam)",
        r"check-?up", r"telehealth visit", r"video visit", r"what time", r"(?:monday|tuesday|wednesday|thursday|friday|saturday)",
        r"morning", r"afternoon", r"cita", r"citas", r"agendar", r"programar", r"reprogramar", r"cambiar (?:mi |la )?cita",
        r"cancelar", r"disponibilidad", r"horario", r"consulta de seguimiento", r"(?:lunes|martes|miercoles|jueves|viernes|sabado)",
        r"manana por la", r"por la tarde", r"chequeo", r"revision anual",
    ],
    "billing_question": [
        r"bill", r"billed", r"billing", r"statement", r"balance", r"charged?", r"charges", r"copay", r"co-pay", r"coinsurance",
        r"deductible", r"payment", r"paid", r"pay", r"invoice", r"refund", r"amount due", r"owe", r"collections?",
        r"payment plan", r"itemized", r"overcharged", r"double[- ]charged", r"price", r"cost", r"self-?pay", r"receipt",
        r"\$\s?\d", r"factura", r"cobr(?:o|aron|ar|anza)", r"cargo", r"cargos", r"cuenta", r"saldo", r"pago", r"pague",
        r"pagar", r"copago", r"deducible", r"reembolso", r"estado de cuenta", r"plan de pagos", r"cobro doble", r"debo",
        r"precio", r"costo", r"recibo",
    ],
    "clinical_question": [
        r"question(?:s)? (?:about|regarding|on)", r"i have a question", r"symptoms?", r"side effects?", r"dose", r"dosage",
        r"should i", r"is it (?:normal|ok|okay|safe)", r"can i (?:take|stop|eat|drink|exercise)", r"how (?:long|often|much)",
        r"worried", r"concerned", r"hurts?", r"pain", r"fever", r"rash", r"cough", r"dizz(?:y|iness)", r"nause(?:a|ous)",
        r"swelling", r"headache", r"tired", r"feel(?:ing)?", r"started (?:taking|having)", r"advice", r"what should",
        r"pregunta", r"preguntas", r"sintomas?", r"efectos? secundarios?", r"dosis", r"debo (?:tomar|dejar|ir)", r"es normal",
        r"puedo (?:tomar|dejar|comer|hacer)", r"me duele", r"dolor", r"fiebre", r"tos", r"sarpullido", r"mareo", r"nausea",
        r"hinchazon", r"preocupad[oa]", r"me siento", r"consejo", r"que debo",
    ],
    "forms_request": [
        r"forms?", r"fmla", r"family (?:and|&) medical leave", r"disability (?:form|paperwork|claim form|certificate)",
        r"short[- ]term disability", r"long[- ]term disability", r"school (?:form|note|physical|excuse|letter)",
        r"sports physical", r"camp (?:form|physical)", r"daycare", r"work (?:note|excuse|letter|release)", r"return to work",
        r"excuse (?:note|letter)", r"dmv", r"driver'?s? licen[cs]e", r"handicap(?:ped)? (?:placard|parking)", r"parking placard",
        r"jury duty", r"travel (?:letter|clearance)", r"fit to fly", r"immunization (?:record|form)", r"vaccine record",
        r"fill (?:out|in)", r"complete (?:the|this|a|my) (?:form|paperwork)", r"paperwork", r"sign(?:ed|ature)? (?:the )?form",
        r"letter (?:for|to) (?:my )?(?:employer|school|work|landlord)", r"accommodations?", r"certificat(?:e|ion) (?:of|for)",
        r"formulario", r"formato", r"forma", r"llenar", r"incapacidad", r"constancia", r"carta (?:para|de)", r"escuela",
        r"trabajo", r"justificante", r"permiso", r"placa de (?:discapacitad|estacionamiento)", r"certificado medico",
        r"cartilla de vacunacion", r"licencia de (?:manejo|conducir)",
    ],
    "other": [
        r"unsubscribe", r"opt[- ]out", r"marketing", r"promotion(?:al)?", r"special offer", r"limited time", r"discount",
        r"free (?:trial|sample|consultation)", r"webinar", r"seminar", r"conference", r"newsletter", r"test (?:page|fax|transmission)",
        r"this is a test", r"misdirected", r"sent (?:to you )?in error", r"wrong (?:fax|number|recipient|office)",
        r"survey", r"holiday hours", r"office (?:will be )?closed", r"no action (?:is )?(?:needed|required)", r"for your information",
        r"fyi", r"sales", r"vendor", r"catalog", r"announcement", r"reminder that our", r"please disregard", r"advertis(?:ing|ement)",
        r"baja de la lista", r"promocion", r"oferta", r"descuento", r"boletin", r"pagina de prueba", r"fax de prueba",
        r"enviado por error", r"numero equivocado", r"no requiere (?:accion|respuesta)", r"para su informacion", r"encuesta",
        r"anuncio", r"aviso", r"cerrad[oa] por",
    ],
}

URGENCY_CUES: dict[str, list[str]] = {
    "emergent": [
        r"chest (?:pain|pressure|tightness)", r"can'?t breathe", r"cannot breathe", r"short(?:ness)? of breath", r"trouble breathing",
        r"difficulty breathing", r"unresponsive", r"passed out", r"fainted", r"seizure", r"stroke", r"face (?:is )?drooping",
        r"slurred speech", r"weakness on one side", r"severe bleeding", r"bleeding heavily", r"vomiting blood", r"anaphyla",
        r"throat (?:is )?(?:closing|swelling)", r"suicid(?:e|al)", r"kill (?:my|him|her)self", r"end my life", r"overdose",
        r"took (?:a bunch|too many|all)", r"critical (?:value|result|lab)", r"panic value", r"call(?:ed)? 911", r"right now",
        r"emergency", r"er now", r"stat", r"dolor (?:de|en el) pecho", r"opresion en el pecho", r"no puedo respirar",
        r"falta de aire", r"desmay(?:o|e|ado)", r"convulsion", r"derrame", r"sangrado (?:abundante|fuerte)", r"suicid(?:io|arme)",
        r"quitarme la vida", r"sobredosis", r"valor critico", r"resultado critico", r"emergencia", r"ahorita", r"ahora mismo",
        r"urgencias",
    ],
    "urgent": [
        r"abnormal", r"elevated", r"high", r"low", r"positive", r"out of (?:my )?\w+", r"ran out", r"running out", r"last (?:pill|dose)",
        r"asap", r"as soon as possible", r"urgent(?:ly)?", r"by (?:tomorrow|friday|monday|end of (?:day|week))", r"within (?:24|48|72) hours",
        r"within (?:1|2|3|one|two|three) (?:business )?days?", r"deadline", r"expires?", r"due (?:by|on|tomorrow)", r"prompt(?:ly)?",
        r"recommend(?:ed)? (?:follow-?up|biopsy|further)", r"suspicious", r"concerning for", r"hits me", r"afraid (?:of|to go home)",
        r"abus(?:e|ed|ive)", r"unsafe at home", r"anormal", r"elevad[oa]", r"alt[oa]", r"baj[oa]", r"positiv[oa]", r"se me acab",
        r"urgente", r"lo antes posible", r"vence", r"plazo", r"fecha limite", r"sospechos[oa]", r"me pega", r"maltrato",
        r"violencia", r"miedo",
    ],
}

# Structural cues: shape rather than words.
_STRUCTURAL: dict[str, re.Pattern[str]] = {
    "struct:lab_row": re.compile(r"\d+(?:\.\d+)?\s*(?:h|l|hh|ll|high|low|alto|bajo|critico|critical)?\s+\d+(?:\.\d+)?\s*-\s*\d+(?:\.\d+)?"),
    "struct:money": re.compile(r"\$\s?\d[\d,]*(?:\.\d\d)?"),
    "struct:question": re.compile(r"\?"),
    "struct:first_person": re.compile(r"\b(?:i|my|me|i'm|yo|mi|mis|me llamo|tengo)\b"),
    "struct:greeting": re.compile(r"\b(?:hello|hi|dear|good (?:morning|afternoon)|hola|buenos dias|buenas tardes|estimad[oa])\b"),
    "struct:section_header": re.compile(r"(?:^|\s)(?:[a-z ]{3,30}):\s"),
    "struct:icd_code": re.compile(r"\b[a-tv-z]\d[\d ab](?:\.[\da-z]{1,4})?\b"),
    "struct:npi": re.compile(r"\bnpi\b"),
    "struct:dates_of_service": re.compile(r"\b(?:dos|date of service|fecha de servicio)\b"),
}


def _compile(lexicon: dict[str, list[str]], prefix: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(f"{prefix}:{name}", re.compile(r"(?<![a-z0-9])(?:" + "|".join(pats) + r")(?![a-z0-9])"))
            for name, pats in lexicon.items()]


_DOC_RX = _compile(DOC_TYPE_CUES, "doc")
_URG_RX = _compile(URGENCY_CUES, "urg")
CUE_NAMES: tuple[str, ...] = tuple([n for n, _ in _DOC_RX] + [n for n, _ in _URG_RX] + list(_STRUCTURAL)
                                   + ["doc:title_hits", "len:log_chars"])
# A document's title (first lines after the cover sheet) says what it is more reliably than its body.
_TITLE_CHARS = 240


def cue_view(text: str) -> str:
    """Boilerplate stripped, lower case, accents folded, OCR digit-for-letter fixed, whitespace collapsed."""
    return " ".join(matching_view(strip_boilerplate(text), lower=True).text.split())


def cue_counts(text: str) -> dict[str, float]:
    """Distinct lexicon hits per concept (and structural cue counts) for one text."""
    view = cue_view(text)
    out: dict[str, float] = {}
    title_hits = 0.0
    for name, rx in _DOC_RX + _URG_RX:
        hits = {m.group(0) for m in rx.finditer(view)}
        out[name] = float(len(hits))
        if name.startswith("doc:") and rx.search(view[:_TITLE_CHARS]):
            title_hits += 1.0
    for name, rx in _STRUCTURAL.items():
        out[name] = float(len(rx.findall(view)))
    out["doc:title_hits"] = title_hits
    out["len:log_chars"] = float(np.log1p(len(view)))
    return out


def cue_features(texts: Sequence[str]) -> np.ndarray:
    """Matrix (len(texts), len(CUE_NAMES)) of log1p cue counts, float32.

    >>> m = cue_features(["Please refill my lisinopril at the pharmacy"])
    >>> bool(m[0, CUE_NAMES.index("doc:rx_refill")] > 0)
    True
    """
    rows = []
    for text in texts:
        counts = cue_counts(text)
        rows.append([counts[n] if n == "len:log_chars" else np.log1p(counts[n]) for n in CUE_NAMES])
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(CUE_NAMES))


def doc_type_by_cues(text: str) -> str | None:
    """The doc_type whose lexicon has the most distinct hits (None when nothing matches); a readable
    baseline and a sanity check for the learned model, not the model itself."""
    counts = cue_counts(text)
    best = max(DOC_TYPE_CUES, key=lambda k: counts[f"doc:{k}"])
    return best if counts[f"doc:{best}"] > 0 else None
