"""Rules that find the clinical categories of DESIGN.md (emergency symptoms, self-harm, critical and
abnormal results, controlled substances, pregnancy, abuse) in English, Spanish, Vietnamese and
Chinese text, with evidence spans, negation, history and family-history handling, and a suggested
urgency floor; tuned for recall. One of several independent signals (the learned head is another):
any of them flags.

How it works (the lexicons are the data; edit them, not the code):
1. Text is matched on a view: lower case, accents folded, OCR stray marks and digit-for-letter
   confusions undone (tools.intake.extract.matching_view), "đ" read as "d", Traditional Chinese read
   as Simplified (OpenCC, one character for one); spans map back to the original text.
2. Cues, all languages on every text (messages mix them):
   - hand-written lexicons: English and Spanish here, Vietnamese and Chinese in
     tools.intake.lexicon_vi_zh; a core layer, a wider layer of how patients and relatives write red
     flags, and proximity cues (a body part within a few words of a symptom, in either order);
   - families of red flags written as flexible patterns (word order, optional words, pronouns, tense,
     dropped apostrophes and accents) from screening instruments, poison-centre and triage phone
     protocols and patient leaflets, in all four languages:
     suicidal ideation as the C-SSRS words it and people write it (wishing to be dead, not waking up,
     others better off without me, no point going on, disappearing for good, giving things away and
     farewells; plans, stockpiled pills, rope, gun, pesticide, charcoal), all self_harm, floor emergent
     like every self-harm cue here; accidental ingestion (a child with pills, someone else's medicine,
     detergent pods, bleach and cleaners, button batteries, magnets; an adult's wrong or double dose)
     and anaphylaxis or angioedema in any order (lips, tongue, throat; hives with trouble breathing or
     swallowing; after a sting), emergency_symptoms, floor emergent; BE-FAST, heart attack, sepsis
     (rigors, mottled, fever with confusion), bleeding that will not stop after a procedure, head
     injury on a blood thinner, obstetric danger signs (no fetal movement, leaking fluid, headache with
     vision changes), infant danger signs (not feeding, floppy, fever in the first months), DKA
     (fruity breath, high sugar with vomiting), opioid overdose (pinpoint pupils, naloxone given);
     infectious tests reported positive, reactive or detected (chlamydia, gonorrhea, syphilis/RPR,
     HIV, HBsAg, HCV, TB/QuantiFERON) and imaging findings (fatty liver, stones, cysts, enlarged
     organs), abnormal_result, floor urgent, never on "negative", "non-reactive", "not detected",
     "âm tính", "未见"; abuse disclosures of strangulation, threats, control of money or phone, and
     starvation or neglect of a child or an elder, floor urgent;
   - clinical English from ICD-10-CM descriptions (tools.intake.icd_cues: emergency signs R04-R68,
     K92, I46, T78; self-harm R45.851/R45.88/T14.91/X71-X83; abuse T74/T76/Z04; pregnancy O, Z33-Z39,
     Z3A; narcotics, benzodiazepines, stimulants T40/T42/T43 and F11/F13/F15; abnormal findings
     R70-R94), generated from the code table;
   - controlled substances by DEA schedule, generic and brand (tools.intake.controlled_substances),
     tolerant of OCR's "rn" for "m";
   - readers of values: lab-table lines (flag H/L/CRIT, a value outside the printed range or beyond
     CRITICAL_LIMITS), critical values in running text in four languages ("the lab called, potassium
     6.7", "kali 2.4", "血钾2.5"), vital signs (SpO2 < 90, systolic < 85 or >= 200, HR > 130 or < 40,
     a meter reading "HI"; >= 180/110 urgent), fever with an infant's age anywhere in the text,
     bleeding, leaking fluid or a severe-range pressure in a pregnancy;
   - ICD-10-CM codes written in the text, and a sentence holding a symptom word and an acuity word.
3. A cue is suppressed only when it is clearly not a current finding of the patient (ConText-style:
   a trigger, a direction and a scope; medspacy's own ConText is not used because its current
   release needs spaCy < 3.8 and numpy < 2 on Python 3.11, which the project's numpy 2 excludes):
   - negation: a trigger ("denies", "no", "niega", "sin", "không", "没有", "否认"...) earlier in the same
     clause (a list after the trigger stays in scope; a new subject, verb or "but/pero/nhưng/但是"
     ends it), or "negative/negativo/âm tính/阴性" just after;
   - family history: an explicit marker ("family history", "FHx", "antecedente familiar", "tiền sử
     gia đình", "家族史"), a relative + past tense ("mother had"), a relative's cancer (vi/zh);
   - history: for emergency symptoms and results only, a history marker in the sentence ("history
     of", "hace 5 años", "trước đây", "既往", a year that is not a birth year), a chronic or treated
     qualifier ("on exertion", "medicine for seizures"), or a referral's reason line (unless the
     document is itself a report, whose DIAGNOSIS/IMPRESSION line is the result).
   Self-harm, abuse, controlled substances and pregnancy are never suppressed by history (a past
   attempt or abuse is still a disclosure a person should see).
4. Urgency floor: emergent for current emergency symptoms, active self-harm and critical results;
   urgent for abnormal results, abuse, being out of a medicine, a pressure >= 180/110, and any
   category found in a text whose language the models do not support; routine otherwise.

Measured (python -m evals.detectors; w1..w5 are the hand-written authors the rules were developed
on, w6 never looked at while developing): see the reports of issue 10 (h10b, h10c); the families
above are also checked on sentences written fresh for tests/test_sensitivity_generalize.py, positives
and look-alikes that must not fire. Free text no lexicon foresees still escapes: pair with the
learned head.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from models.governance import ClinicalCategory, Priority
from models.intake import LanguageReport, SensitivityFinding, SensitivityReport
from tools.intake import lexicon_vi_zh as _vz
from tools.intake.controlled_substances import controlled_names
from tools.intake.icd_cues import load_icd_cues
from tools.intake.extract import MatchingView, matching_view

E, U, R = Priority.emergent, Priority.urgent, Priority.routine


@dataclass(frozen=True)
class Cue:
    category: ClinicalCategory
    lang: str
    pattern: str
    floor: Priority
    history_suppresses: bool = False


def _cues(category: ClinicalCategory, lang: str, floor: Priority, patterns: list[str], *, history: bool = False) -> list[Cue]:
    return [Cue(category, lang, p, floor, history) for p in patterns]


C = ClinicalCategory
# Patterns are regular expressions on lower-case, accent-folded text; \b is added around each.
LEXICON: list[Cue] = [
    *_cues(C.emergency_symptoms, "en", E, [
        r"chest (?:pain|pressure|tightness|discomfort|heaviness)", r"(?:pressure|tightness|pain|heaviness) in (?:my|his|her|the) chest",
        r"crushing (?:chest )?pain", r"short(?:ness)? of breath", r"(?:can ?not|can'?t|cannot|unable to) (?:catch (?:my|his|her) )?breath(?:e)?",
        r"(?:trouble|difficulty|hard time) breathing", r"struggling to breathe", r"lips (?:look |are |turning )?blue", r"gasping",
        r"(?:face|mouth|smile) (?:is |looks |was )?(?:drooping|droopy|droops|crooked)", r"facial droop", r"slurred speech",
        r"slurring", r"can'?t (?:lift|move|feel) (?:his|her|my) (?:arm|leg)", r"(?:sudden )?weakness on one side", r"one[- ]sided (?:weakness|numbness)",
        r"worst headache", r"thunderclap headache", r"faint(?:ed|ing)", r"passed out", r"pass(?:ing)? out", r"syncop\w*", r"unresponsive",
        r"loss of consciousness", r"seizur\w*", r"convuls\w*", r"(?:vomiting|throwing up|coughing up|spitting up) blood",
        r"blood in (?:my|his|her) vomit", r"(?:heavy|severe|uncontrolled|profuse) bleeding", r"bleeding (?:heavily|a lot|that won'?t stop)",
        r"black,? tarry stools?", r"anaphyla\w*", r"(?:throat|tongue|lips?) (?:is |are )?(?:swelling|swollen|closing)",
        r"severe allergic reaction", r"stiff neck (?:and|with) (?:a )?fever", r"severe abdominal pain", r"stroke symptoms",
        r"heart attack", r"(?:confused|confusion) and (?:can'?t|cannot)", r"hemoptysis", r"hematemesis",
    ], history=True),
    *_cues(C.emergency_symptoms, "es", E, [
        r"dolor (?:de|en el) pecho", r"dolor toracico", r"(?:opresion|presion|dolor|peso) (?:en|del) (?:el )?pecho",
        r"falta de aire", r"no (?:puedo|puede) respirar", r"(?:dificultad|problemas?) (?:para|al) respirar", r"me ahogo", r"se ahoga",
        r"labios morados", r"(?:la )?cara (?:caida|chueca|torcida)", r"se le (?:torcio|cayo) (?:la boca|la cara)", r"boca (?:torcida|chueca)",
        r"habla (?:arrastrada|raro|trabada)", r"no (?:puede|puedo) (?:levantar|mover) el brazo", r"debilidad de un lado",
        r"(?:el )?peor dolor de cabeza", r"me desmaye", r"se desmayo", r"desmay\w*", r"perdio el conocimiento", r"perdida del conocimiento",
        r"convulsi\w*", r"(?:vomit\w*|tos\w*|escup\w*) (?:con )?sangre", r"sangrado (?:abundante|fuerte|que no para)",
        r"hinchazon de (?:la )?(?:garganta|lengua)", r"se me cierra la garganta", r"reaccion alergica (?:grave|severa)",
        r"infarto", r"disnea", r"derrame cerebral",
    ], history=True),
    *_cues(C.self_harm, "en", E, [
        r"suicid\w*", r"kill(?:ing|ed|s)? (?:my|him|her|them)sel(?:f|ves)", r"end (?:my|his|her) (?:own )?life", r"take (?:my|his|her) (?:own )?life",
        r"want(?:s|ed)? to die", r"better off dead", r"(?:easier|better) (?:to be|if i (?:was|were)) dead", r"(?:don'?t|do not) want to live",
        r"no reason to live", r"hurt(?:ing)? (?:my|him|her)self", r"cut(?:ting)? (?:my|him|her)self", r"self[- ]?harm\w*",
        r"self[- ]?injur\w*", r"overdos\w*", r"took (?:a bunch of|all (?:of )?my|too many|a handful of|the whole bottle of) (?:pills|meds|tablets)",
        r"\bsi/hi", r"thoughts of (?:dying|death|self[- ]harm)",
    ]),
    *_cues(C.self_harm, "es", E, [
        r"suicid\w*", r"quitarme la vida", r"quitarse la vida", r"(?:me|se) quiere(?:n)? matar", r"matarme", r"matarse",
        r"(?:me )?quiero morir(?:me)?", r"(?:seria|estaria) mejor (?:estar )?muert[oa]", r"no quiero (?:seguir )?vivir",
        r"hacerme dano", r"cortarme", r"autolesi\w*", r"sobredosis",
        r"(?:me )?tome (?:muchas|todas las|un monton de|demasiadas) (?:pastillas|pildoras)",
    ]),
    *_cues(C.controlled_substance, "en", R, [
        r"oxycodone", r"oxycontin", r"percocet", r"hydrocodone", r"norco", r"vicodin", r"hydromorphone", r"dilaudid", r"morphine",
        r"ms contin", r"fentanyl", r"duragesic", r"methadone", r"buprenorphine", r"suboxone", r"subutex", r"codeine", r"tylenol (?:#|no\.? ?)3",
        r"tramadol", r"ultram", r"tapentadol", r"nucynta", r"oxymorphone", r"meperidine", r"alprazolam", r"xanax", r"lorazepam", r"ativan",
        r"clonazepam", r"klonopin", r"diazepam", r"valium", r"temazepam", r"restoril", r"chlordiazepoxide", r"zolpidem", r"ambien",
        r"eszopiclone", r"lunesta", r"zaleplon", r"adderall", r"amphetamine", r"dextroamphetamine", r"lisdexamfetamine", r"vyvanse",
        r"methylphenidate", r"ritalin", r"concerta", r"focalin", r"dexmethylphenidate", r"modafinil", r"armodafinil", r"phentermine",
        r"carisoprodol", r"soma", r"pregabalin", r"lyrica", r"butalbital", r"fioricet", r"phenobarbital", r"testosterone", r"ketamine",
        r"opioids?", r"opiates?", r"narcotics?", r"benzodiazepines?", r"benzos?", r"controlled substances?", r"stimulant medication",
    ]),
    *_cues(C.controlled_substance, "es", R, [
        r"opioides?", r"opiaceos?", r"narcoticos?", r"benzodiacepinas?", r"sustancias? controladas?", r"estupefacientes?", r"morfina",
        r"codeina", r"metadona", r"buprenorfina", r"oxicodona", r"hidrocodona", r"fentanilo", r"tramadol", r"alprazolam", r"clonazepam",
        r"lorazepam", r"diazepam", r"metilfenidato", r"testosterona", r"zolpidem",
    ]),
    *_cues(C.pregnancy, "en", R, [
        r"pregnan\w*", r"expecting (?:a baby|twins|-|–)?\s*(?:currently )?\d*\s*weeks?", r"i'?m expecting", r"\d+ weeks? (?:along|pregnant|gestation)",
        r"weeks? gestation", r"gestational age", r"prenatal", r"antenatal", r"obstetric\w*", r"intrauterine pregnancy", r"\blmp\b",
        r"\bedd\b", r"due date", r"\bg\d ?p\d", r"hcg", r"postpartum", r"breastfeeding", r"miscarriage",
    ]),
    *_cues(C.pregnancy, "es", R, [
        r"embaraz\w*", r"gestacion", r"semanas de gestacion", r"prenatal", r"\bfum\b", r"fecha probable de parto", r"obstetric\w*",
        r"puerperio", r"aborto", r"lactancia",
    ]),
    *_cues(C.abuse, "en", U, [
        r"domestic (?:violence|abuse)", r"intimate partner violence", r"\bipv\b(?! screen\w*:? (?:neg|denie|no\b))", r"(?<!substance )(?<!alcohol )(?<!drug )(?<!opioid )abus(?:e|ed|ing|ive)\b",
        r"(?:hits|hit|beats|beat|punches|punched|kicks|kicked|slaps|slapped|chokes|choked|strangles|strangled|hurts) (?:me|him|her|them)\b"
        r"(?! ?(?:head|face|elbow|knee|leg|arm|hip|back|chin|foot|toe|hand|shoulder|wrist|ankle|nose|eye|mouth)s?\b)",
        r"beat(?:s|en)? (?:me|him|her) up", r"afraid to go home", r"(?:don'?t|do not|doesn'?t) feel safe", r"not safe at home",
        r"sexual(?:ly)? assault\w*", r"\braped?\b", r"molest\w*", r"touched (?:me|him|her) inappropriately", r"inappropriately touch\w*",
        r"neglect(?:ed)?\b", r"left without food", r"bruises", r"human trafficking", r"threatens? to kill",
    ]),
    *_cues(C.abuse, "es", U, [
        r"violencia (?:domestica|intrafamiliar|familiar|de pareja)", r"(?:me|le|la|lo) (?:pega|golpea|golpeo|pego|ahorco|estrangulo|patea|pateo)\b",
        r"maltrat\w*", r"abuso sexual", r"abus(?:o|a|an|aron)\b", r"violacion", r"tengo miedo de (?:volver|regresar) a (?:mi )?casa",
        r"no me siento segura?", r"moretones", r"negligencia", r"abandono", r"violencia",
    ]),
    *_cues(C.abnormal_result, "en", U, [
        r"abnormal", r"elevated", r"suspicious", r"\bmass\b", r"nodule", r"fracture", r"malignan\w*", r"carcinoma", r"neoplasm",
        r"bi-?rads [3-6]", r"ti-?rads [3-5]", r"consistent with acute", r"cholecystitis", r"positive for", r"out(?:side)? of (?:the )?(?:reference )?range",
        r"biopsy recommended", r"recommend (?:ct-guided )?biopsy", r"fine needle aspiration recommended", r"metasta\w*", r"lesion",
    ], history=True),
    *_cues(C.abnormal_result, "es", U, [
        r"anormal", r"elevad[oa]s?", r"sospechos[oa]", r"\bmasa\b", r"nodulo", r"fractura", r"malign\w*", r"carcinoma", r"fuera de rango",
        r"se recomienda biopsia", r"metasta\w*", r"lesion", r"alterad[oa]",
    ], history=True),
    *_cues(C.critical_result, "en", E, [
        r"critical (?:value|result|finding|lab)", r"critical:", r"\bcrit\b", r"panic (?:value)?", r"\bpanic\b", r"called to (?:dr|the)",
        r"read back", r"pneumothorax", r"intracranial hemorrhage", r"intraparenchymal hemorrhage", r"pulmonary embol\w*",
        r"aortic dissection", r"subarachnoid hemorrhage", r"free air",
    ], history=True),
    *_cues(C.critical_result, "es", E, [
        r"valor critico", r"resultado critico", r"\bcritico\b", r"\bpanico\b", r"neumotorax", r"hemorragia intracraneal",
        r"hemorragia intraparenquimatosa", r"embolia pulmonar", r"tromboembolia pulmonar", r"diseccion aortica",
    ], history=True),
]
# Wider red-flag wording as patients and relatives write it (telephone-triage style), added after a
# first probe on freshly written sentences showed the core lexicon missed paraphrases.
LEXICON += [
    *_cues(C.emergency_symptoms, "en", E, [
        r"(?:can'?t|cannot|unable to) (?:speak|talk) (?:properly|right|clearly|normally)?", r"(?:speech|words) (?:is |are )?(?:garbled|jumbled|slurred)",
        r"(?:arm|hand|leg|side) (?:is |went |feels )?(?:limp|numb|dead|paralyzed)", r"numb(?:ness)? on (?:one|the left|the right) side",
        r"(?:going to|about to|gonna) (?:pass out|faint|black out)", r"black(?:ed|ing)? out", r"(?:collapsed|collapse)",
        r"bleeding through (?:a |her |my )?(?:pad|tampon)s?", r"soak(?:ing|ed)? (?:through )?(?:a |her |my )?(?:pad|tampon)s?",
        r"(?:blood|bleeding) (?:won'?t|will not|does not|doesn'?t) stop", r"(?:newborn|infant|baby|\d+[- ](?:day|week|month)[- ]old)\b[^.]{0,40}(?<!no )(?<!not )(?<!without )(?<!denies )\bfever",
        r"fever[^.]{0,30}\b(?:newborn|infant|baby|\d+[- ](?:day|week|month)[- ]old)", r"(?:turning|turned|looks?) (?:blue|gray|grey)",
        r"(?:not|isn'?t|won'?t) (?:breathing|waking up|responding(?! to))", r"hard to wake", r"(?:choking|can'?t swallow)",
        r"sweating and (?:chest|short)", r"(?:cold sweat|clammy)", r"(?:severe|sudden|crushing|tearing) (?:pain|headache)",
        r"(?:sudden|new) (?:vision loss|loss of vision|blindness)", r"(?:hit|bumped|struck) (?:his|her|my) head[^.]{0,40}(?:vomit|confus|sleepy|blood thinner)",
        r"heart (?:is )?(?:racing|pounding)[^.]{0,40}(?:faint|pass out|dizzy|chest)", r"(?:bloody|black) (?:vomit|diarrhea|stool)",
        r"(?:swollen|swelling)[^.]{0,20}(?:throat|tongue|face) (?:after|and)", r"hives[^.]{0,30}(?:breath|throat|swallow)",
    ], history=True),
    *_cues(C.emergency_symptoms, "es", E, [
        r"(?:el )?pecho (?:me |le )?(?:aprieta|duele|oprime|quema)", r"me (?:sudan|suda)[^.]{0,20}(?:frio|manos)|sudor frio",
        r"no (?:puede|puedo) hablar(?: bien)?", r"(?:brazo|mano|pierna) (?:dormid[oa]|sin fuerza|paralizad[oa]|que no (?:mueve|siente))",
        r"(?:bebe|recien nacido|nin[oa]|hij[oa]) de \d+ (?:dias|semanas|meses)[^.]{0,40}(?<!sin )(?<!no )(?<!no tiene )fiebre", r"fiebre[^.]{0,30}(?:bebe|recien nacido)",
        r"me (?:voy a|va a dar un) desmay", r"se (?:desvanecio|cayo y no responde)", r"no (?:responde|despierta|respira)",
        r"se (?:esta )?poniendo morad[oa]", r"sangr\w+ (?:mucho|sin parar|que no para)", r"(?:empapa|empape) (?:la|una) toalla",
        r"(?:vomito|vomita|popo|heces) (?:con sangre|negr[oa]s?)", r"dolor (?:muy )?(?:fuerte|intenso|insoportable) (?:de|en) (?:cabeza|pecho|abdomen|panza)",
        r"perdi(?:da)? (?:de )?la vista", r"se le durmio (?:la mitad|un lado)",
    ], history=True),
    *_cues(C.self_harm, "en", E, [
        r"(?:don'?t|do not|can'?t) see (?:the|any) point (?:of|in) (?:going on|living|life|anything)", r"(?:end|ending) it all",
        r"saving (?:up )?(?:my |the )?(?:pills|meds|medication)", r"jump(?:ing)? (?:off|from) (?:a|the) (?:bridge|roof|building)",
        r"(?:hang|shoot|drown) (?:my|him|her)self", r"(?:not|never) (?:want to )?wake up", r"wish (?:i|he|she) (?:was|were) dead",
        r"(?:no|nothing) (?:left )?to live for", r"(?:said|texted|wrote) goodbye", r"(?:gun|knife|rope)[^.]{0,30}(?:myself|himself|herself|end)",
        r"swallowed (?:a |the )?(?:bottle|handful|whole)", r"can'?t go on", r"disappear forever",
    ]),
    *_cues(C.self_harm, "es", E, [
        r"(?:ya )?no quiero (?:despertar|seguir|estar aqui)", r"no (?:le )?veo (?:sentido|caso) (?:a la vida|a seguir|a vivir)",
        r"(?:acabar|terminar) con todo", r"(?:aventarme|tirarme|lanzarme) (?:del|de un|de la) (?:puente|edificio|techo)",
        r"(?:colgarme|ahorcarme|matarme)", r"(?:junt|guard)\w+ (?:las |mis )?pastillas", r"ojala (?:estuviera|me muriera)",
        r"se (?:despidio|despide) de (?:todos|mi)", r"me quiero desaparecer",
    ]),
    *_cues(C.abuse, "en", U, [
        r"makes? me do things", r"(?:says|said|told me) not to tell", r"(?:takes?|took|stealing|steals) (?:her|his|my) (?:money|check|social security|pension|benefits)",
        r"(?:leaves?|left) (?:her|him|them|me) alone for days", r"financial(?:ly)? exploit\w*", r"(?:pushes|pushed|shoves|shoved|grabbed|grabs|threw) (?:me|her|him)\b",
        r"threaten(?:s|ed|ing)? (?:me|her|him|to)", r"(?:won'?t|doesn'?t|does not) let (?:me|her|him) (?:leave|go out|see|have)", r"controls? (?:my|her|his) (?:money|phone)",
        r"locked (?:me|her|him) (?:in|out)", r"(?:scared|afraid) of (?:my|her|his) (?:husband|wife|partner|boyfriend|girlfriend|father|mother|son|daughter|caregiver)",
        r"(?:marks|burns|welts) (?:on|all over) (?:her|his|my)", r"sex(?:ual)? (?:abuse|contact) ", r"trafficked",
    ]),
    *_cues(C.abuse, "es", U, [
        r"me (?:amenaza|empuja|empujo|jalonea|encierra|quita el dinero|obliga)", r"(?:le|la|lo) (?:amenaza|empuja|encierra|obliga)",
        r"me dijo que no (?:le )?dijera", r"(?:le|me) quita (?:su|mi) (?:dinero|pension|cheque)", r"(?:la|lo) deja sol[oa] (?:por|durante) dias",
        r"(?:miedo|temor) (?:a|de) (?:mi|su) (?:esposo|pareja|novio|esposa|padrastro|cuidador)", r"no me deja (?:salir|ver|trabajar)",
        r"me hace cosas", r"me toca(?:ba)? (?:mis |sus |las )?(?:partes|pechos|ahi|donde no)", r"(?:quemaduras|marcas) en (?:el cuerpo|la espalda|los brazos)",
    ]),
    *_cues(C.critical_result, "en", E, [
        r"(?:phoned|called|paged|notified|communicated) (?:to )?(?:the )?(?:on-?call|ordering|covering|attending)", r"critical high", r"critical low",
        r"alert value", r"call(?:ed)? (?:back|in) (?:with|for) (?:a )?(?:critical|panic)",
    ], history=True),
    *_cues(C.critical_result, "es", E, [
        r"valor de alerta", r"valor de panico", r"(?:comunicado|notificado|avisado) (?:al|a la) (?:medic[oa]|doctor[a]?|guardia)",
        r"critico alto", r"critico bajo",
    ], history=True),
    *_cues(C.abnormal_result, "en", U, [r"new \d+(?:\.\d+)? ?(?:mm|cm) ", r"follow-?up (?:ct|mri|imaging|ultrasound) (?:in|recommended|advised)",
                                        r"(?:markedly|significantly) (?:low|high|decreased|increased)"], history=True),
    *_cues(C.abnormal_result, "es", U, [r"(?:muy|significativamente) (?:bajo|alto|baja|alta)s?", r"se sugiere (?:biopsia|seguimiento)"], history=True),
    *_cues(C.controlled_substance, "es", R, [r"xanax", r"rivotril", r"valium", r"tafil", r"adderall", r"ritalin", r"norco", r"percocet",
                                             r"suboxone", r"ambien"]),
]
LEXICON += [
    *_cues(C.self_harm, "en", E, [
        r"(?:everyone|everybody|they|my family|the world) (?:would be|is|are) better (?:off )?without me", r"nobody would (?:miss|care)",
        r"(?:i'?m|i am) (?:a|such a) burden", r"took \d+ (?:of (?:my|his|her) )?(?:\w+ )?(?:pills|tablets|capsules|tylenol|advil|sleeping pills)",
        r"took \d+ of (?:my|his|her) \w+", r"cut(?:ting)? (?:my|his|her) wrists?",
    ]),
    *_cues(C.self_harm, "es", E, [
        r"(?:todos|mi familia) (?:estarian|estaria) mejor sin mi", r"nadie me (?:extranaria|va a extranar)", r"soy una carga",
        r"(?:me )?tome \d+ (?:pastillas|tabletas|capsulas)", r"cortar(?:me|se)? las venas",
    ]),
    *_cues(C.pregnancy, "en", R, [
        r"(?:period|menses) (?:is |was )?(?:\d+ (?:days?|weeks?) )?late", r"missed (?:my |her )?(?:last )?period", r"two (?:pink )?lines",
        r"positive (?:home )?(?:pregnancy )?test", r"(?:lost|losing) (?:the|my|our|her) (?:baby|pregnancy)", r"(?<!chlamydia )(?<!gonorrhea )(?<!hiv )(?<!covid )(?<!strep )(?<!flu )(?<!std )(?<!sti )(?<!tb )(?<!rpr )test (?:came back |was |is )?positive", r"(?:having|expecting) a baby", r"morning sickness",
    ]),
    *_cues(C.pregnancy, "es", R, [
        r"esperando (?:un )?bebe", r"perd(?:i|io|imos) (?:al|el|a mi|mi) (?:bebe|embarazo)", r"(?:no me ha bajado|se me atraso) (?:la regla|la menstruacion|el periodo)", r"(?:atraso|retraso) menstrual",
        r"(?:la )?prueba (?:salio |dio )?positiva", r"dos rayitas", r"nauseas del embarazo",
    ]),
    *_cues(C.abnormal_result, "en", U, [r"\bcyst\b", r"recommend(?:ed|s)? (?:\w+ ){0,3}(?:follow-?up|referral|biopsy|further evaluation|correlation)"], history=True),
    *_cues(C.abnormal_result, "es", U, [r"\bquiste\b", r"se recomienda (?:\w+ ){0,3}(?:seguimiento|valoracion|biopsia)"], history=True),
    *_cues(C.emergency_symptoms, "en", E, [
        r"allergic reaction[^.]{0,60}(?:breath|throat|swallow|swell|puff)", r"(?:blood )?sugar[^.]{0,25}(?:says hi|reads hi|over 500|above 500|is 5\d\d|is 6\d\d)",
        r"(?:lips|eyes|face|tongue) (?:and (?:eyes|face|lips|tongue) )?(?:are )?(?:puffing|swelling) up",
    ], history=True),
]
# Second layer (issue 10), from telephone-triage red flags and clinical documentation conventions:
# passive death wishes and crisis-care vocabulary, a lab's phone call about a result, head injury on
# a blood thinner, obstetric warning signs, meningitis and DKA signs, strangulation and protective orders.
LEXICON += [
    *_cues(C.self_harm, "en", E, [
        r"(?:didn'?t|don'?t|wouldn'?t|never|not) (?:\w+ ){0,2}wake up", r"(?:passive|active) (?:suicidal )?(?:ideation|si)\b", r"passive death wish",
        r"death wish", r"c-?ssrs", r"safety plan(?:ning)?", r"crisis (?:line|team|hotline)", r"(?<![\d-])988(?![\d-])", r"epds (?:item )?10",
        r"intentional(?:ly)? (?:ingest\w*|overdos\w*|took|swallow\w*|self[- ]poison\w*)", r"(?:saving|stockpiling|hoarding|collecting) (?:up )?(?:all )?(?:(?:my|the|his|her) )?(?:\w+ ){0,3}(?:pills|meds|medications?|tablets)",
        r"saving up (?:my|his|her) \w+", r"(?:tired|sick) of (?:being a burden|living)", r"(?:tonight|today) is the night", r"(?:cutting|burning|scratching) (?:my|him|her)sel(?:f|ves)",
        r"done with (?:everything|life|it all)", r"(?:can'?t|cannot) (?:do this|take (?:it|this)) any ?more", r"(?:thoughts?|thinking) (?:of|about) (?:harming|hurting|killing) (?:my|him|her)self",
    ]),
    *_cues(C.self_harm, "es", E, [
        r"(?:ya )?no despertar", r"no volver a despertar", r"(?:ya )?no aguanto (?:mas|esto)", r"cortando(?:me|se)", r"me corto", r"se corta", r"(?:me|se) cortaba",
        r"plan de seguridad", r"ideacion suicida", r"(?:todas las|un monton de) pastillas (?:\w+ ){0,4}(?:en la mano|juntas)", r"quiero desaparecer(?! (?:est[aeo]s?|el|la|los|las|mis|sus|un|una|esa|ese)\b)",
        r"(?:pensado|pensando|pienso) en (?:hacerme dano|matarme|cortarme|quitarme)", r"ingest\w+ intencional", r"sobredosis intencional",
    ]),
    *_cues(C.emergency_symptoms, "en", E, [
        r"(?:fell|fall|hit (?:his|her|my) head)[^\n]{0,140}(?:warfarin|coumadin|eliquis|apixaban|xarelto|rivaroxaban|blood thinner|anticoag\w*)",
        r"(?:warfarin|coumadin|eliquis|apixaban|xarelto|rivaroxaban|blood thinner|anticoag\w*)[^.]{0,80}(?:fell|hit (?:his|her|my) head|head injury)",
        r"(?:baby|fetus) (?:is |has )?(?:not|isn'?t|hasn'?t|barely|stopped|hardly) (?:been )?moving", r"(?:decreased|reduced|less|no) fetal movements?",
        r"(?:water|waters) (?:broke|has broken|breaking)", r"rupture of (?:the )?membranes", r"leaking fluid", r"coffee[- ]ground",
        r"(?:stiff neck|neck stiffness)", r"(?:purple|dark red) (?:spots|rash|dots)", r"petechia\w*", r"purpura", r"non-?blanching", r"dka\b",
        r"diabetic ketoacidosis", r"ketones?[^.]{0,40}(?:vomit|breathing fast|large|high)", r"(?:vomit\w*|throwing up)[^.]{0,40}ketones",
        r"(?:new|acute|sudden) (?:onset )?confusion", r"(?:more|very|newly|acutely) confused", r"altered mental status", r"\bams\b",
        r"(?:sbar|change in condition)[^\n]{0,200}(?:call|now|stat)", r"pleuritic", r"(?:calf|leg) (?:swelling|pain)[^.]{0,60}(?:short(?:ness)? of breath|dyspnea|chest)",
        r"near[- ]syncope", r"lightheaded[^.]{0,40}(?:bleeding|pads?|blood)", r"(?:bleeding|pads?)[^.]{0,40}lightheaded", r"ectopic",
        r"(?:severe|worst|sudden) (?:\w+ ){0,2}headache[^.]{0,60}(?:vision|seeing|blurr|spots|pregnan|weeks)", r"preeclampsia", r"pre-eclampsia",
        r"(?:at rest|resting)[^.]{0,20}short(?:ness)? of breath|short(?:ness)? of breath (?:at rest|while resting|sitting still)", r"refus\w+ (?:to go to )?(?:the )?(?:er|ed|911|ambulance|hospital)",
        r"(?:breathing|breathes) (?:fast|rapid\w*|hard|slow\w*)", r"(?:hard|difficult) to (?:wake|rouse|arouse)", r"(?:very )?lethargic",
        r"(?:not|won'?t|isn'?t) (?:feeding|eating|drinking)[^.]{0,40}(?:fever|lethargic|sleepy|weeks? old|days? old)", r"tachypn\w*", r"cyano\w*",
    ], history=True),
    *_cues(C.emergency_symptoms, "es", E, [
        r"(?:se cayo|cayo|se pego|golpe\w*)[^.]{0,100}(?:cabeza)[^.]{0,120}(?:eliquis|xarelto|warfarina|coumadin|anticoagul\w*|adelgazar la sangre)",
        r"(?:eliquis|xarelto|warfarina|coumadin|anticoagul\w*)[^.]{0,100}(?:se cayo|se pego en la cabeza|golpe en la cabeza)",
        r"(?:muy |bien )?confundid[oa]", r"(?:el )?bebe (?:casi )?no se (?:mueve|ha movido)", r"(?:ya )?no siento (?:al|que el) bebe", r"(?:menos|no hay|disminucion de) movimientos?",
        r"se me (?:rompio|reventó|rompio) la fuente", r"(?:rompi|rompio) (?:la )?fuente", r"(?:salida|perdida) de liquido", r"vomit\w* (?:como )?(?:cafe|posos de cafe)",
        r"(?:cuello|nuca) (?:rigid[oa]|tiesa?|dur[oa])", r"manchas (?:moradas|rojas que no)", r"petequias", r"cetoacidosis", r"cetonas",
        r"(?:muy )?(?:decaid[oa]|aguadit[oa]|letargic[oa]|somnolient[oa])", r"respira (?:muy )?(?:rapido|rapidito|con dificultad|raro)", r"preeclampsia",
        r"no (?:quiere )?(?:comer|mamar|tomar (?:pecho|leche))[^.]{0,40}(?:fiebre|semanas|dias)", r"(?:se ve|esta) (?:morad[oa]|azul)",
        r"no (?:quiere|quiso) ir (?:a|al) (?:la )?(?:emergencia|hospital|911)", r"(?:mareo|mareada?)[^.]{0,40}(?:sangrado|sangre)", r"embarazo ectopico",
    ], history=True),
    *_cues(C.critical_result, "en", E, [
        r"(?:the )?lab (?:called|phoned|rang)", r"(?:got|had|received) a (?:call|phone call) from (?:the )?lab", r"told (?:me|her|him|us) to go to (?:the )?(?:er|ed|emergency|hospital)",
        r"critically (?:high|low)",
    ], history=True),
    *_cues(C.critical_result, "es", E, [
        r"(?:me|nos|le) (?:llamo|llamaron|hablaron) (?:del|de el|los del) laboratorio", r"(?:el|del) laboratorio (?:me |nos |le )?(?:llamo|llamaron|hablo|hablaron)",
        r"(?:me|le|nos) dijeron que (?:fuera|fuéramos|fueramos|vaya|vayamos|la llevara|lo llevara) a (?:la )?(?:emergencia|sala de emergencias|hospital|urgencias)",
    ], history=True),
    *_cues(C.pregnancy, "en", R, [
        r"prenatal\w*", r"(?:fetal|baby'?s?) (?:movement|heart ?(?:beat|rate)|kicks?)", r"kick counts?", r"anatomy (?:scan|ultrasound)", r"\d+ ?(?:wks?|weeks?) (?:ga|iup|pregnant|along)",
        r"\bga \d+", r"gravida", r"\bg\d+p\d+", r"nuchal translucency", r"glucose (?:challenge|tolerance)[^.]{0,30}(?:pregnan|weeks|ob)", r"(?:ob|obstetric) (?:visit|appointment|ultrasound|intake)",
        r"midwife", r"doula", r"post[- ]?partum", r"(?:breast|chest)[- ]?feeding", r"lactat\w*", r"newborn (?:and|&) mother",
    ]),
    *_cues(C.pregnancy, "es", R, [
        r"prenatal\w*", r"(?:tengo|tiene|estoy de|esta de|las|cumplo|ya voy (?:en|por)|voy en|con) \d+ semanas(?! (?:de (?:vacaciones|incapacidad)|sin))",
        r"(?:el )?bebe (?:se mueve|patea|no se mueve)", r"movimientos? (?:fetales|del bebe)", r"partera", r"ultrasonido (?:de las \d+ semanas|morfologico|del bebe)",
        r"parto", r"dar a luz", r"(?:recien )?(?:aliviad[ao]|parida)", r"cuarentena (?:despues del parto|posparto)", r"posparto", r"postparto", r"dando pecho", r"amamant\w*",
    ]),
    *_cues(C.abuse, "en", U, [
        r"strangulation", r"strangl\w*", r"(?:restraining|protective|protection) order", r"\bvawa\b", r"adult protective services", r"\baps\b (?:report|referral|was (?:called|notified)|case)",
        r"child protective services", r"\bcps\b (?:report|referral|was (?:called|notified)|case|involved)", r"(?:taking|took|takes|cashing|cashed|cashes|steals|stole|stealing) (?:her|his|my) (?:\w+ )?(?:checks?|money|benefits|ssi|pension)",
        r"elder (?:abuse|neglect|exploitation)", r"(?:caregiver|self)[- ]neglect", r"bed ?sores?[^.]{0,60}(?:neglect|left alone|not (?:turned|fed|changed))", r"(?:comes|came|coming) into (?:my|her|his) room at night",
        r"(?:touch|touches|touched|touching) (?:me|her|him) (?:\w+ ){0,2}(?:private|down there|where)", r"(?:sexual|physical) assault", r"assaulted", r"(?:hits|hit|hitting|slaps|slapped|punched) (?:\w+ ){0,2}(?:me|her|him) when",
    ]),
    *_cues(C.abuse, "es", U, [
        r"orden de (?:restriccion|proteccion|alejamiento)", r"\bvawa\b", r"(?:me|le|la|lo) (?:pega|pegaba|golpeaba|golpea|jaloneaba|ahorcaba|estrangulaba)",
        r"(?:se mete|entra|entraba) (?:a|en) (?:su|mi) (?:cuarto|recamara) (?:en la|por la) noche", r"(?:la|lo|me) (?:toca|tocaba|toco) (?:\w+ ){0,3}(?:partes|donde no)",
        r"(?:descuid\w*|abandonad[oa]|desatendid[oa])", r"(?:le|me) (?:quita|quito|cobra|cobro|agarra|agarro) (?:sus|mis|el|los|la) (?:cheques?|dinero|pension)",
        r"proteccion (?:de|al) adulto", r"servicios de proteccion",
    ]),
]


def _near(a: str, b: str, words: int = 4) -> str:
    """A pattern for `a` and `b` at most `words` words apart, in either order (patients do not write
    red flags in one fixed phrase: "chest pain", "pain in my chest", "my chest has been tight")."""
    gap = rf"(?:\W+\w+){{0,{words}}}?\W+"
    return rf"(?:{a}){gap}(?:{b})|(?:{b}){gap}(?:{a})"


LEXICON += [
    *_cues(C.emergency_symptoms, "en", E, [
        _near(r"chest", r"pain\w*|hurt\w*|tight\w*|pressure|heav\w*|squeez\w*|crush\w*|burn\w*|ach\w*"),
        _near(r"left arm|left shoulder|jaw", r"heav\w*|numb\w*|tingl\w*|weak\w*", 3),
        _near(r"vomit\w*|throw\w* up|puk\w*", r"blood\w*|coffee", 4), _near(r"kill|shoot|end", r"gun|pistol|rifle|firearm|knife|rope", 6),
        _near(r"face|smile|mouth", r"droop\w*|crooked|uneven|lopsided", 3), _near(r"speech|words|talk\w*", r"slur\w*|garbl\w*|jumbl\w*|strange|weird|nonsense", 3),
    ], history=True),
    *_cues(C.emergency_symptoms, "es", E, [
        _near(r"pecho", r"dolor\w*|duel\w*|aprieta\w*|apretando|apretaran|opresion|presion|pesadez|pesad[oa]|quema\w*|ardor"),
        r"(?:me|le|nos) falta (?:el )?aire", r"sin (?:poder )?(?:respirar|aire)", r"(?:apenas|casi no) (?:puedo|puede) respirar",
        _near(r"brazo izquierdo|quijada|mandibula", r"pesad[oa]|dormid[oa]|entumid[oa]|hormigue\w*|debil", 3),
        _near(r"vomit\w*|devolv\w*|arroj\w*", r"sangre|cafe|negro", 4), _near(r"matar\w*|matarse|matarme|suicid\w*", r"pistola|arma|cuchillo|soga|cuerda|navaja", 8),
        r"(?:se|me) (?:va|voy) a matar", r"(?:cara|boca) (?:\w+ ){0,2}(?:chueca|torcida|caida|de lado)", r"manch\w* morad\w*", r"no (?:quiere|puede) mover el cuello",
        r"(?:muy|bien) (?:dormid[oa]|somnolient[oa]|decaid[oa])", r"no (?:me |nos |le )?responde(?: bien)?",
    ], history=True),
]


# Fever in an infant under 3 months is an emergency wherever the age and the fever sit in the text.
_INFANT_AGE = re.compile(
    r"(?<![a-z\d.])(?:(?:[1-9]|1[0-2])[- ](?:weeks?|wks?)[- ]old|(?:[1-9]|[1-8]\d)[- ]days?[- ]old|[1-3][- ](?:months?|mos?)[- ]old|"
    r"(?:[1-9]|[1-8]\d) (?:dias|semanas) de nacid[oa]|(?:bebe|baby|infant|nene|nena|nin[oa]|hij[oa]|recien nacid[oa]) (?:\w+ )?de (?:[1-9]|1[0-2]) (?:dias|semanas)|"
    r"(?:bebe|nene|nena|hij[oa]) (?:\w+ )?de [1-3] mes(?:es)?|(?:[1-9]|[1-8]\d) (?:ngay|tuan) tuoi|[1-3] thang tuoi|newborn|recien nacid[oa]|so sinh|"
    r"(?:[1-9]|1[0-2]|[一二两三四五六七八九十]|十[一二]) ?(?:周|个?星期)大|(?:[1-9]|[1-8]\d|[一二两三四五六七八九十]+) ?天大|(?:[1-3]|[一二两三]) ?个月大|"
    r"(?:宝宝|婴儿|孩子|女儿|儿子)(?:\w{0,2})(?:[1-3]|[一二两三]) ?个月(?![前后])|新生儿)")
_FEVER = re.compile(r"(?<![a-z])(?:fever|febrile|fiebre|calentura|temp\w* (?:of )?(?:100\.[4-9]|10[1-6]|3[89](?:\.\d)?)|sot)(?![a-z])|发烧|发热|"
                    r"(?<![\d.])(?:3[89]|40)(?:\.\d)?\s*(?:°|度|c\b)")


_PREG_BLEEDING = re.compile(r"(?<![a-z])(?:bleed\w*|blood (?:clots|coming|gushing)|sangr\w*|sangre|chay mau|ra mau|ra huyet)(?![a-z])|出血|流血|见红")
_PREG_FLUID = re.compile(r"(?<![a-z])(?:water (?:broke|has broken)|leaking (?:clear )?fluid|gush of fluid|se me rompio la fuente|(?:se me )?moj\w+ (?:\w+ ){0,3}(?:agua|liquido)|"
                         r"vo oi|ri oi|chay nuoc oi|(?:se me |me )?(?:salio|sale|salia|esta saliendo) (?:\w+ ){0,2}(?:agua|liquido)|ra nuoc (?:o )?(?:am dao|nhieu|o duoi|lien tuc)|ri nuoc)(?![a-z])|破水|羊水(?:破|流)|(?:下面|阴道)(?:\w{0,3})(?:流水|流出水|漏水|流出液体)")


_PREG_SIGN_STOPPED = re.compile(r"^\s*(?:has|had|is|was)?\s*(?:\w+\s+)?(?:stopped|slowed|gone|resolved|se (?:quito|detuvo|paro)|ya (?:paro|se quito)|da (?:het|cam|ngung))|^[^。]{0,4}(?:停了|止住|没有了)")


def _pregnancy_warning_findings(view: MatchingView, lview: str, findings: list[SensitivityFinding]) -> list[SensitivityFinding]:
    """Bleeding or leaking fluid in a pregnancy, or a severe-range pressure (>= 160/110) in one: an
    obstetric emergency until a person says otherwise."""
    if not any(f.category == C.pregnancy and f.suppressed_by is None for f in findings):
        return []
    out = []
    for rx, cue in ((_PREG_BLEEDING, "pregnancy+bleeding"), (_PREG_FLUID, "pregnancy+fluid")):
        for m in rx.finditer(lview):
            if _PREG_SIGN_STOPPED.match(lview[m.end():m.end() + 40]):
                continue  # "the bleeding has basically stopped": a past sign, not a current one
            if _context(Cue(C.emergency_symptoms, "en", cue, E, True), lview, m.start(), m.end()) == "current":
                out.append(SensitivityFinding(category=C.emergency_symptoms, span=view.make_span(m.start(), m.end()), cue=cue,
                                              language="any", urgency_floor=E))
                break
    for m in _BP.finditer(lview):
        sys_, dia = int(m.group("s")), int(m.group("d"))
        if sys_ > dia and (160 <= sys_ <= 300 or 110 <= dia <= 200):
            out.append(SensitivityFinding(category=C.emergency_symptoms, span=view.make_span(m.start(), m.end()),
                                          cue="pregnancy+severe_bp", language="any", urgency_floor=E))
            break
    return out


def _infant_fever_findings(view: MatchingView, lview: str) -> list[SensitivityFinding]:
    age, fever = _INFANT_AGE.search(lview), _FEVER.search(lview)
    if not (age and fever):
        return []
    # The fever word's own language decides its negation and history rules ("没有发烧", "không sốt").
    word = fever.group()
    lang = "zh" if re.search(r"[\u4e00-\u9fff]", word) else "vi" if word == "sot" else "en"
    if _context(Cue(C.emergency_symptoms, lang, "fever", E, True), lview, fever.start(), fever.end()) != "current":
        return []
    a, b = sorted((age.start(), fever.start()))
    return [SensitivityFinding(category=C.emergency_symptoms, span=view.make_span(a, max(age.end(), fever.end()) if b - a < 200 else a + 1),
                               cue="infant+fever", language="any", urgency_floor=E)]


def _term_pattern(term: str) -> str:
    return r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term.lower()))


def _ocr_tolerant(pattern: str) -> str:
    """Fax OCR reads "m" as "rn" ("rnorphine", "trarnadol"); digits for letters are undone by the view."""
    return pattern.replace("m", "(?:m|rn)")


# Controlled substances by DEA schedule (tools.intake.controlled_substances), in any language's text.
LEXICON += [Cue(C.controlled_substance, "any", _ocr_tolerant(_term_pattern(name)), R) for name, _schedule in controlled_names()]
# Clinical English from ICD-10-CM descriptions (tools.intake.icd_cues, generated from the code table).
_FLOOR_CODE = {"E": E, "U": U, "R": R}
LEXICON += [Cue(C(t["category"]), "en", _term_pattern(t["term"]), _FLOOR_CODE[t["floor"]], t["history"]) for t in load_icd_cues()]

# Third layer: means and plans, anaphylaxis after a sting, heavy bleeding in any words, foreign bodies.
LEXICON += [
    *_cues(C.self_harm, "en", E, [
        r"(?:don'?t|do not|can'?t|cannot) see (?:a|any|another) way out", r"no way out",
        r"(?:sat|sitting|sit|been) (?:\w+ ){0,6}with (?:the|a|my|his|her|dad'?s) (?:shotgun|gun|rifle|pistol|handgun)",
        r"(?:doesn'?t|don'?t|does not|do not|didn'?t) want to be (?:alive|here) any ?more", r"giving (?:\w+ ){0,2}(?:stuff|things|belongings|possessions) away",
        r"how many \w+ (?:it )?(?:takes|would take|to take) to", r"(?:searched|searches|googl\w+|looking up) (?:\w+ ){0,4}(?:ways to die|how to (?:die|kill)|overdose)",
        r"(?:thinking|thoughts?|thought|think) (?:about|of) (?:just )?(?:ending|taking) (?:it|my life|his life|her life)", r"end(?:ing)? (?:my|his|her) life",
        r"cutting (?:again|on (?:my|her|his) (?:arms?|legs?|thighs?|wrists?|stomach))", r"(?:been|started|keep|i'?m|i am) cutting (?:again|myself|herself|himself)",
    ]),
    *_cues(C.self_harm, "es", E, [
        r"(?:ya )?no quiere(?:n)? (?:seguir )?vivir", r"quiere(?:n)? (?:matarse|morirse|quitarse la vida)", r"(?:ya )?no (?:le|me) (?:ve|veo) sentido",
        r"(?:tiene|tengo) cortadas", r"con (?:la|una|su) (?:pistola|arma|navaja|escopeta)",
    ]),
    *_cues(C.abuse, "es", U, [r"(?:casi )?no (?:le|les|me|nos) (?:dan|da|daban) (?:de )?comer", r"llagas", r"escaras", r"ulceras por presion",
                              r"(?:le|me) (?:grita|gritan|insulta|insultan) (?:\w+ ){0,3}(?:y|todo)"]),
    *_cues(C.abuse, "en", U, [r"checks? (?:\w+ ){0,5}(?:i|she|he) (?:did not|didn'?t|never) (?:write|sign|wrote|signed)",
                              r"(?:account|savings) (?:is |was )?(?:almost |nearly )?(?:empty|drained|cleaned out)"]),
    *_cues(C.emergency_symptoms, "en", E, [
        _near(r"throat|airway", r"clos\w*|tight\w*|swell\w*|swollen", 3), r"used (?:my|his|her|the|an) epi-?pen", r"epinephrine (?:injection|shot|pen)",
        r"(?:face|lips|tongue|eyes) (?:is |are |started |keeps )?(?:swelling|swollen|puffing)", r"soak\w* (?:through )?(?:\w+ ){0,3}(?:pads?|tampons?)",
        _near(r"bleed\w*", r"heav\w*|a lot|clots?|won'?t stop|keeps? coming|gushing|pouring", 3), r"clots? (?:the size of|as big as|bigger than)",
        _near(r"swallow\w*|ingest\w*", r"batter(?:y|ies)|magnets?|coin cell", 6), r"button batter(?:y|ies)",
    ], history=True),
    *_cues(C.emergency_symptoms, "es", E, [
        _near(r"garganta", r"cierra\w*|cerrando|apret\w*|hinch\w*", 3), r"(?:use|uso|usamos|le puse) (?:el |la |su )?epi-?pen",
        r"(?:cara|labios|boca|ojos) (?:se le |se me )?(?:esta |estan )?(?:hinchando|hinchad[oa]s?)", r"empap\w* (?:\w+ ){0,3}(?:toallas?|toallitas|kotex)",
        _near(r"sangr\w*", r"mucho|much[ao]s?|coagulos|cuajos|no (?:para|se detiene)|chorro", 3), r"(?:trago|se trago|comio) (?:una )?(?:pila|bateria|iman)",
    ], history=True),
]

# Findings that make a result abnormal as radiology, pathology and screening reports word them
# (history-suppressed like every result cue: a referral's reason line restates, it does not report).
LEXICON += [
    *_cues(C.abnormal_result, "en", U, [
        r"positive (?:\w+ ){0,2}(?:fobt|fit|stool|occult|stress test|quantiferon|igra|ppd|tb test|tuberculin|hiv|hcv|hepatitis|screen|culture|antibod\w*)",
        r"(?:fobt|fit|quantiferon|igra|ppd|hiv|hcv|hepatitis \w+ (?:antibody|antigen|ab|ag)|stress test|culture|screen)\W+(?:\w+ ){0,2}(?:positive|reactive|detected)",
        r"(?<!non-)(?<!non )reactive(?! (?:lymph|nodes?|changes?|hyperplasia|airways?|arthritis|follicular|lymphocytes|gastropathy|thrombocytosis|attachment))", r"(?:rna|dna|pcr|antigen) (?:(?!not\b|non\b)\w+ ){0,2}detected", r"resistant to", r"(?:>|greater than|over) ?100,?000 (?:cfu|colonies)", r"adenoma\w*",
        r"(?:meniscal|meniscus|rotator cuff|labral|acl|tendon|ligament) (?:\w+ )?tear", r"herniat\w*", r"hydronephrosis", r"pneumonia",
        r"cholelithiasis", r"gallstones?", r"(?:fatty liver|steatosis)", r"osteopenia", r"osteoporosis", r"low (?:bone (?:mineral )?density|bmd)", r"scoliosis",
        r"aneurysm", r"(?:npdr|pdr|retinopathy)", r"(?:full|partial)[- ]thickness (?:\w+ )?tear", r"tear of the \w+", r"bi-?rads:? ?0", r"(?:asc-?us|asc-?h|lsil|hsil|agc|cin ?[123])", r"(?:ef|ejection fraction)[^\d\n]{0,12}(?:[1-3]\d|40) ?%",
        r"abi[^\d\n]{0,8}0\.[0-8]\d?", r"(?:new|newly) (?:\w+ ){0,2}(?:diagnosed|found|identified|noted|seen)", r"osteoarthritis",
        r"(?:mild|moderate|severe) (?:\w+ ){0,2}(?:stenosis|arthritis|oa|effusion|anemia|hydronephrosis|pelviectasis|cardiomegaly|atelectasis)",
        r"anemia", r"iron deficien\w*", r"(?:vitamin d|25-?oh)[^\d\n]{0,20}(?:[0-9]|1\d|2[0-9])(?:\.\d)? ?(?:ng|l\b)", r"basal cell|squamous cell|melanoma",
    ], history=True),
    *_cues(C.abnormal_result, "es", U, [
        r"resistente a", r"(?:higado graso|esteatosis)", r"calculos? (?:biliares|en la vesicula)", r"litiasis",
        r"anemia", r"osteopenia", r"osteoporosis", r"(?:glucosa|azucar)[^\d\n]{0,20}(?:[2-9]\d\d)", r"(?:a1c|hemoglobina glicosilada)[^\d\n]{0,12}(?:[7-9]|1[0-9])(?:\.\d)?",
        r"(?:creatinina)[^\d\n]{0,12}(?:[2-9])(?:\.\d)?", r"(?:acido urico)[^\d\n]{0,12}(?:[7-9]|1\d)(?:\.\d)?", r"(?:trigliceridos)[^\d\n]{0,12}(?:[2-9]\d\d)",
        r"(?:colesterol)[^\d\n]{0,12}(?:2[4-9]\d|[3-9]\d\d)",
    ], history=True),
    *_cues(C.abnormal_result, "en", U, [
        r"(?:glucose|sugar)[^\d\n]{0,20}(?:2[5-9]\d|[3-9]\d\d)", r"(?:a1c|hba1c)[^\d\n]{0,12}(?:[89]|1[0-9])(?:\.\d)?", r"ldl[^\d\n]{0,16}(?:19\d|2\d\d)",
        r"creatinine[^\d\n]{0,12}(?:[2-9])(?:\.\d)?", r"(?:hgb|hemoglobin|hb)(?!\W*a\W?[1l]\W?c)[^\d\n]{0,12}(?:[7-9])(?:\.\d)? ?(?:g|l\b|low)",
    ], history=True),
]

# Fourth layer (issue 10c): families of red flags written from screening instruments (C-SSRS), poison-
# centre and triage-nurse phone protocols and patient leaflets, as flexible patterns (word order,
# optional words, pronouns, tense, dropped apostrophes): passive and active suicidal ideation, a child's
# or an adult's accidental ingestion, anaphylaxis in any order, BE-FAST, sepsis, bleeding after a
# procedure, obstetric and infant danger signs, DKA, opioid overdose, infectious tests reported positive,
# imaging findings, and control, strangulation and neglect in abuse disclosures.
_CHILD_EN = (r"(?:toddler|baby|infant|kid|child|son|daughter|grand(?:son|daughter|child|kid)|little one|twins?|nephew|niece|"
             r"\d+[- ](?:year|yr|month|mo)s?[- ]old|(?:he|she) is (?:\d|one|two|three|four|five)\b)")
_SWALLOWED_EN = r"(?:swallowed|ate|eaten|drank|drunk|chew(?:ed|ing)(?: on)?|bit(?:ing)? into|bitten into|lick(?:ed|ing)|suck(?:ed|ing) on|got into|ingested|put (?:\w+ ){0,2}in (?:his|her|their) mouth)"
_POISON_EN = (r"(?:pills?|tablets?|capsules?|medicines?|medications?|meds|vitamins|gummies|pill bottle|(?:laundry|detergent|tide|dishwasher) pods?|"
              r"detergent|bleach|cleaners?|cleaning (?:product|spray|fluid|solution|supplies)|drain cleaner|toilet bowl cleaner|antifreeze|lamp oil|"
              r"lighter fluid|(?:windshield|washer) fluid|paint thinner|gasoline|kerosene|mouthwash|hand sanitizer|nicotine|vape (?:juice|liquid|pod)|"
              r"e-?liquid|edibles?|rat poison|poison|pesticide|weed killer|bug spray|batter(?:y|ies)|magnets?)")
_CHILD_ES = r"(?:nin[oa]|nene|nena|bebe|hij[oa]|niet[oa]|chiquit[oa]|sobrin[oa]|\d+ (?:anos|meses)|(?:un|dos|tres|cuatro) anos)"
_POISON_ES = (r"(?:pastillas?|pildoras?|tabletas?|capsulas?|medicinas?|medicamentos?|remedios?|jarabe|vitaminas|cloro|blanqueador|lejia|"
              r"detergente|capsulas? de (?:detergente|jabon)|jabon (?:de|para) (?:ropa|lavar|trastes)|limpiador|pinol|fabuloso|veneno|raticida|"
              r"insecticida|pilas?|baterias?|imanes|iman|gasolina|thinner|aguarras|anticongelante|petroleo)")
LEXICON += [
    *_cues(C.self_harm, "en", E, [
        r"better of+ (?:\w+ ){0,2}(?:without me|if i (?:was|were|wasn'?t|weren'?t|am not|was not|were not|wasnt|werent) (?:\w+ )?(?:around|here|gone|alive|dead|born)|"
        r"(?:if|when|once) i(?:'?m| am) (?:gone|dead|not around|no longer around))",
        r"(?:if|when|once) i(?:'?m| am)? (?:was |were )?(?:gone|dead|not around|no longer (?:around|here))[^.]{0,40}(?:better|easier|happier|relieved)",
        r"(?:easier|happier|relieved|lighter) (?:\w+ ){0,2}(?:if|when|once) (?:i|he|she) (?:was|were|am|is|'?m|'?s) (?:gone|dead|not around|no longer (?:around|here))",
        r"wish(?:es|ed|ing)? (?:i|he|she) (?:was|were|had) (?:dead|never (?:been )?born|not (?:alive|here|born))", r"wish(?:es|ed|ing)? (?:i|he|she) (?:could|would) (?:just )?die",
        r"(?:want|wants|wanted|wanna|wanting) to (?:just )?disappear (?:for good|forever|permanently)", r"disappear\w* (?:for good|forever|permanently)",
        r"(?:no ?one|nobody|no-one) (?:would|will|'?d) (?:even )?(?:notice|miss me|care|miss (?:him|her)) (?:if|when) (?:i|he|she) (?:\w+ )?(?:disappeared|died|was gone|were gone|killed|ended)",
        r"how many (?:\w+ )?it (?:would )?takes?\b(?! (?:to|for) (?:feel|work|help|get|start|kick|heal|see|clear))", r"(?:pills|meds|tablets|medication) (?:\w+ )?saved(?: up)?",
        r"(?:don'?t|dont|do not|doesn'?t|doesnt|does not|didn'?t|did not) (?:\w+ )?want to (?:be (?:alive|here|around)|exist|live|go on)(?: any ?more)?",
        r"(?:no|isn'?t any|not any|what'?s the|whats the) point (?:in |of )?(?:going on|living|being alive|carrying on|life|trying any ?more|anything any ?more)",
        r"giving (?:away )?(?:all )?(?:of )?(?:her|his|my|their) (?:\w+ )?(?:jewelry|stuff|things|belongings|possessions|guns?|valuables|prized \w+)(?: away)?",
        r"(?:saying|said|says|texting|texted|writing|wrote|written) (?:her |his |my )?goodbyes? (?:to )?(?:everyone|everybody|all of (?:us|them)|(?:the|my|her|his) (?:family|kids|children|friends))",
        r"goodbye (?:letter|note|texts?|messages?)", r"(?:stockpil\w+|hoard\w+) (?:up )?(?:all )?(?:my|his|her) \w+",
        r"(?:won'?t|wont|will not|not going to) be (?:around|here) (?:much longer|for (?:much )?longer|any ?more|for long)(?! (?:than|because))",
        r"how much (?:\w+ ){0,2}(?:would be|is|it takes to be) (?:lethal|fatal|deadly|enough to (?:die|kill))", r"(?:lethal|fatal|deadly) (?:dose|amount)",
        r"(?:going|planning|plans?|plan) to (?:take|swallow) (?:them all|all of them|all (?:of )?(?:my|his|her|the) \w+|the whole bottle)",
        r"(?:have|has|had|made|making|got) a plan (?:to|for) (?:\w+ ){0,3}(?:die|dying|kill|end|overdose|od|hang|shoot|jump|do it)",
        r"(?<![a-z])si (?:with|w/|w|and|\+) (?:a )?(?:plan|intent)", r"endors\w+ (?:\w+ ){0,2}(?:si|suicidal|thoughts of)\b",
        r"(?:bought|buying|got|purchased|has|have) (?:a |some )?(?:rope|gun|firearm|pistol|charcoal)[^.]{0,50}(?:kill|hang|end|die|myself|himself|herself|shoot)",
    ]),
    *_cues(C.self_harm, "es", E, [
        r"mejor (?:\w+ ){0,2}(?:sin mi|si (?:yo )?(?:ya )?(?:no (?:estuviera|existiera|estoy|viviera)|me muero|me muriera|desapareciera|me voy para siempre))",
        r"no (?:le )?(?:encuentro|veo|tiene|tengo) (?:\w+ ){0,2}(?:sentido|caso|razon) (?:a |de |para )?(?:seguir|vivir|la vida)",
        r"no (?:vale|valia) la pena (?:seguir )?(?:vivir|viviendo|seguir)", r"para que seguir (?:viviendo|vivo|aqui)?",
        r"(?:quisiera|quiero|me gustaria|ojala (?:pudiera)?) (?:\w+ )?(?:desaparecer para siempre|estar muert[oa]|morirme|no despertar|no existir|no haber nacido|dormir(?:me)? y no despertar)",
        r"desaparecer para siempre", r"(?:cansad[oa]|hart[oa]) de (?:vivir|la vida|estar viv[oa])", r"(?:se|me|te) quier\w+ morir", r"(?:ya no (?:aguanto|puedo)(?: mas)?,? )?(?:quiero|quisiera) que (?:todo|esto) (?:se )?(?:acabe|termine)(?: ya)?", r"(?:me siento|siento que soy|soy) (?:una )?carga (?:para|de)", r"no quiero (?:estar|seguir|vivir) en este mundo", r"(?:irme|salir|dejar) (?:de )?este mundo", r"regal(?:ando|o|a|ar|ado) (?:todas )?(?:sus|mis) (?:cosas|pertenencias|joyas|posesiones)",
        r"despid(?:iendose|iendome|io|e) de (?:todos|todo el mundo|la familia|sus hijos|mis hijos|sus amigos)", r"carta de despedida",
        r"(?:tengo|tiene) (?:un |el )?plan (?:para|de) (?:matarme|matarse|morir|quitarme|quitarse|suicid\w*|hacerlo)",
        r"(?:compre|compro|tengo|tiene) (?:una )?(?:soga|cuerda|pistola|arma)[^.]{0,40}(?:matar|ahorcar|acabar|colgar)",
    ]),
    *_cues(C.emergency_symptoms, "en", E, [
        # poisoning and ingestion (poison-centre wording)
        _CHILD_EN + r"[^.]{0,60}" + _SWALLOWED_EN + r"(?! (?:his|her|their) (?:own |\w+ )?(?:pills?|medicines?|medications?|meds|tablets?|vitamins?|dose))"
        r" (?:(?!and\b|then\b|before\b|after\b|with\b|when\b|while\b|but\b|breakfast|lunch|dinner|food|took\b|take\b)\w+'?s? ){0,4}?" + _POISON_EN,
        r"(?:swallowed|ate|chew(?:ed|ing)(?: on)?|bit(?:ing)? into|ingested|drank|drinking|got into|lick(?:ed|ing)|suck(?:ed|ing) on) (?:\w+ ){0,3}(?:(?:laundry|detergent|tide|dishwasher) pods?|bleach|drain cleaner|"
        r"toilet bowl cleaner|antifreeze|lamp oil|lighter fluid|(?:windshield|washer) fluid|paint thinner|kerosene|rat poison|pesticide|weed killer|"
        r"cleaning (?:product|spray|fluid|solution)|e-?liquid|vape (?:juice|liquid))",
        r"(?:accidentally|by (?:mistake|accident)|mistakenly|inadvertently) (?:\w+ ){0,2}(?:took|taken|swallowed|ate|drank|ingested|(?:gave|given) (?:him|her|them|my \w+|the (?:baby|kids?)))",
        r"(?:took|taken|swallowed|gave (?:him|her|them)) (?:\w+ ){0,5}(?:by (?:mistake|accident)|accidentally)",
        r"(?:took|taken|swallowed|gave (?:him|her|them)) (?:\w+ ){0,2}(?:(?:husband|wife|mom|mother|dad|father|son|daughter|roommate|partner|grandma|grandpa|"
        r"grandmother|grandfather|brother|sister)'?s|someone else'?s|somebody else'?s|the wrong) (?:\w+ ){0,3}(?:pills?|medicines?|medications?|meds|tablets|insulin|doses?)",
        r"(?:took|taken|gave (?:him|her|them)|given) (?:\w+ ){0,2}(?:double|triple|extra|twice (?:the|his|her|my)) (?:\w+ )?(?:dose|doses|amount)",
        r"took (?:way |much )?too (?:much|many) (?:of )?(?:my |his |her |the )?(?:\w+ )?(?:pills?|medicines?|medications?|meds|tablets|insulin|tylenol|acetaminophen|ibuprofen|advil|aspirin|doses?)",
        r"(?:empty|open) (?:pill |medicine |tylenol )?bottle[^.]{0,40}(?:sleepy|drowsy|won'?t wake|not waking|unresponsive|floor|beside|next to)",
        r"found (?:him|her|them|my \w+) (?:\w+ ){0,3}(?:with|next to|holding) (?:an? |the )?(?:empty|open) (?:\w+ )?bottle",
        _CHILD_EN + r"[^.]{0,40}(?:with|holding|into|opened) (?:an? |the )?(?:open(?:ed)? |empty )?(?:\w+ )?(?:bottle|container|pack|box|blister pack) of (?:\w+ )?"
        r"(?:pills|tablets|medicine|tylenol|advil|motrin|aspirin|vitamins|iron|gummies|benadryl|melatonin|edibles)",
        _CHILD_EN + r"[^.]{0,40}put (?:an? |the |some )?(?:\w+ )?(?:button batter(?:y|ies)|batter(?:y|ies)|magnets?|pills?|tablets?|(?:laundry|detergent) pods?) in (?:his|her|their) mouth",
        r"(?:pregnant|weeks)[^.]{0,40}headache[^.]{0,60}(?:vision|seeing spots|blurr\w*|spots|flashing)",
        # anaphylaxis, angioedema
        _near(r"lips?|tongue|uvula", r"swell\w*|swollen|puff\w*|thick|tingl\w*", 3),
        r"hives[^.]{0,80}(?<!no )(?<!not )(?<!without )(?:trouble|difficulty|hard time|can'?t|cannot|struggling|unable|hurts? to) (?:\w+ ){0,2}(?:breath\w*|swallow\w*)",
        r"(?:trouble|difficulty|hard time) (?:breathing|swallowing)[^.]{0,60}hives",
        r"(?:stung|bitten) by (?:a |an )?(?:bee|wasp|hornet|yellow ?jacket|fire ants?)[^.]{0,80}(?:swell\w*|swollen|puff\w*|hives|breath\w*|throat|dizzy|faint)",
        r"(?:bee|wasp|hornet) sting[^.]{0,60}(?:swell\w*|swollen|puff\w*|hives|breath\w*|throat|dizzy|faint)",
        # stroke (BE-FAST balance and eyes), sepsis
        r"(?:sudden(?:ly)?|all of a sudden|out of nowhere)[^.]{0,40}(?:can'?t walk straight|lost (?:the )?(?:vision|sight)|loss of (?:vision|balance)|double vision|(?:can'?t|cannot) see)",
        r"(?:lost|losing|loss of) (?:the )?(?:vision|sight) in (?:one|his|her|my|the (?:left|right)) eye",
        r"rigors", r"(?:shaking chills|uncontrollable shivering|shivering uncontrollably)[^.]{0,60}(?:confus\w*|racing|dizzy|faint|chemo|surgery|catheter|not peeing|hasn'?t peed)",
        r"(?<!a )(?<!the )mottled(?! (?:appearance|echotexture|enhancement|pattern|density|lucenc\w+|areas?|calcification))",
        r"(?:fever|chills)[^.]{0,60}(?<!no )(?<!not )(?<!without )(?:confused|confusion|not making sense)",
        # bleeding after a procedure or on a blood thinner
        r"bleeding[^.]{0,60}(?:will not|won'?t|wont|doesn'?t|does not|can'?t|cannot|isn'?t going to) (?:stop|be stopped|clot|slow)",
        r"(?:still|keeps?|continu\w+) (?:\w+ )?bleeding (?:from|at|where|after|since|through)", r"bleeding through (?:the |my |his |her )?(?:dressing|bandage|gauze)",
        # obstetric and infant danger signs, DKA, opioid overdose
        r"(?:haven'?t|hasn'?t|havent|hasnt|have not|has not|didn'?t|did not|not|can'?t|cannot|barely) (?:felt|feel|feeling) (?:the |my |her )?(?:baby|babies|fetus) (?:move|moving|kick\w*)",
        r"(?:baby|fetus) (?:is |has been )?(?:moving|kicking) (?:much |a lot )?less",
        r"(?:\d+[- ](?:day|week|month)[- ]old|newborn|infant)[^.]{0,40}(?:not|isn'?t|won'?t|hasn'?t|refus\w+ to) (?:\w+ )?(?:feed\w*|eat\w*|nurs\w*|latch\w*|tak\w+ (?:the |a )?bottle)",
        r"(?:feels?|is|seems|looks|very|so|gone) floppy",
        r"fruity (?:breath|smell\w*|odou?r)|breath (?:\w+ ){0,2}(?:smells?|smelling) (?:\w+ )?fruity", r"kussmaul",
        r"(?:sugar|glucose|bg)[^.\n]{0,20}(?<!\d)[4-9]\d\d(?!\d)[^.\n]{0,60}(?:vomit\w*|throwing up|puking|can'?t keep)",
        r"(?:barely|hardly) breath\w*", r"pinpoint pupils?",
        r"(?:warfarin|coumadin|eliquis|apixaban|xarelto|rivaroxaban|pradaxa|dabigatran|blood thinners?|anticoag\w*|plavix|clopidogrel)[^.]{0,80}"
        r"(?:(?:has been|is|keeps?|kept|started|been|still) bleeding|bleeding (?:won'?t|will not|for|a lot|heavily|again))",
        r"bleeding for (?:over |more than )?(?:an hour|(?:[2-9]\d|\d{3}) min\w*|\d+ hours?)", r"(?:gave|given|used|administered|giving|needed) (?:\w+ ){0,2}(?:narcan|naloxone)", r"(?:narcan|naloxone) (?:was )?(?:given|administered)",
        r"(?:can'?t|cannot|couldn'?t|could not|won'?t) (?:wake|rouse) (?:him|her|them|my \w+)(?! (?:up )?(?:for|in time|early|on time))",
    ], history=True),
    *_cues(C.emergency_symptoms, "es", E, [
        _CHILD_ES + r"[^.]{0,60}(?:se )?(?:trago|comio|bebio|mordio|chupo|lamio|metio a la boca|agarro) (?:\w+ ){0,5}?" + _POISON_ES,
        _CHILD_ES + r"[^.]{0,60}(?:se )?tomo (?:\w+ ){0,3}(?:pastillas?|pildoras?|medicinas?|medicamentos?) (?:de|del) (?:su |la |el |mi )?(?:abuel[oa]|papa|mama|herman[oa]|ti[oa]|otra persona|adulto)",
        r"(?:tomo|tomaron|bebio|se tomo|se trago|trago|tome|me tome) (?:\w+ ){0,2}(?:cloro|blanqueador|lejia|pinol|fabuloso|limpiador|raticida|veneno|insecticida|anticongelante|gasolina|thinner|aguarras)",
        r"(?:por error|por equivocacion|sin querer|accidentalmente) (?:\w+ ){0,3}(?:tome|tomo|trago|trague|di|dio|le di|me tome|se tomo)",
        r"(?:tome|tomo|me tome|se tomo|le di|le dio) (?:\w+ ){0,5}(?:por error|por equivocacion|sin querer|accidentalmente)",
        r"(?:tome|me tome|se tomo|le di) (?:las |unas |la )?(?:pastillas|medicinas?|medicamentos?) de mi (?:esposo|esposa|mama|papa|abuel[oa]|herman[oa]|hij[oa])",
        r"(?:tome|tomo|le di|se tomo|me tome) (?:una )?(?:doble|triple) dosis", r"(?:trago|se trago|comio|se comio) (?:una |un )?(?:pila|bateria|iman|imanes)",
        _near(r"lengua|labios?|uvula|parpados", r"hinch\w*|cerr\w*", 3), r"(?:ronchas|urticaria)[^.]{0,80}(?:respir\w*|tragar|garganta|ahog\w*)",
        r"(?:no (?:puede|puedo)|dificultad para|le cuesta|me cuesta) (?:tragar|respirar)[^.]{0,60}(?:ronchas|urticaria|hinch\w*)",
        r"no (?:puede|puedo) tragar (?:nada|ni (?:saliva|agua))", r"(?:me|le) pic(?:o|aron) (?:una |un )?(?:abeja|avispa|avispon)[^.]{0,60}(?:hinch\w*|ronchas|respir\w*|garganta|marea\w*)",
        r"sigue sangrando", r"no (?:deja|para) de salir(?:le|me)? sangre", r"(?:se )?(?:tomo|bebio|trago) (?:medio|todo el|toda la|un|el|la) (?:frasco|bote|botella) (?:de|del)",
        r"hinch\w+[^.]{0,40}(?:despues de|tras|por) (?:la |una |el |un )?(?:picadura|piquete|inyeccion|vacuna|pastilla|medicina|comer|mariscos|cacahuate|nueces)",
        r"(?:picadura|piquete|pico una (?:abeja|avispa))[^.]{0,60}hinch\w*", r"no (?:deja|para) de sangrar", r"sangr\w+[^.]{0,60}no (?:para|se detiene|se le quita|se corta|deja)",
        r"escalofrios (?:muy )?(?:fuertes|intensos)|tiritando", r"pupilas (?:muy )?(?:pequenas|chiquitas|puntiformes|como punta)",
        r"(?:le )?(?:pusimos|dimos|aplicamos|pusieron|dieron|puse|di|aplique) (?:\w+ )?(?:narcan|naloxona)", r"aliento (?:a fruta|afrutado|a manzana|dulce)",
        r"no (?:siento|he sentido|ha sentido|sentimos|senti) (?:\w+ ){0,2}(?:mover(?:se)?|patear) al bebe", r"no he sentido (?:al|que el) bebe",
        r"(?:perdio|perdi) la vista (?:de|en) un ojo", r"(?:embarazada|semanas)[^.]{0,40}dolor de cabeza[^.]{0,60}(?:vision|veo|lucecitas|borros\w*|manchas)", r"no (?:puede|puedo) caminar (?:derecho|bien de repente)",
        r"(?:bebe|recien nacid[oa]|nin[oa]) (?:\w+ ){0,5}no (?:quiere )?(?:comer|mamar|tomar (?:pecho|leche|el biberon|la mamila))",
        r"(?:esta|se ve|se siente) (?:muy )?(?:aguadit[oa]|flacid[oa]|como trapo)",
    ], history=True),
    *_cues(C.abnormal_result, "en", U, [
        r"(?:chlamydia|gonorrh\w*|n\.? ?gonorrhoeae|c\.? ?trachomatis|ct/ng|ng/ct|trichomon\w*|syphilis|rpr|vdrl|treponem\w*|fta-?abs|tp-?pa|hiv(?:-?1)?(?:/2)?|"
        r"hbsag|hepatitis b surface (?:antigen|ag)|hep b surface (?:antigen|ag)|hbv dna|hcv|hepatitis c|hep c|quantiferon|igra|t-?spot|ppd|tuberculin|mantoux|"
        r"tb (?:skin )?test|h\.? ?pylori|c\.? ?diff\w*|mrsa)\b(?:(?!neg|non\b|non-|not\b|no\b)[^.\n;,]){0,40}?(?<![a-z-])(?<!non )(?<!not )(?<!no )(?:positive|reactive|detected|\(\+\)|pos\b)",
        r"(?:tested|tests|test|came back|screened) (?:\w+ ){0,2}positive for", r"(?:reactive|positive) (?:\w+ ){0,2}(?:rpr|vdrl|hiv|syphilis|hepatitis|hcv|hbsag)",
    ], history=True),
    *_cues(C.abnormal_result, "es", U, [
        r"(?:clamidia|chlamydia|gonorrea|gonococo|sifilis|vdrl|rpr|vih|hiv|hepatitis [bc]|antigeno de superficie|hbsag|vhc|tuberculosis|quantiferon|ppd|"
        r"tuberculina|helicobacter|h\.? ?pylori|vph|virus del papiloma)\b(?:(?!neg|non\b|non-|not\b|no\b)[^.\n;,]){0,40}?(?<![a-z-])(?<!no )(?:positiv[oa]s?|reactiv[oa]s?|detectad[oa]s?|\(\+\))",
        r"(?:positiv[oa]|reactiv[oa]) (?:para|a) (?:clamidia|gonorrea|sifilis|vih|hepatitis|tuberculosis|vph)",
        r"(?:salio|salieron|dio|resulto) positiv[oa]s? (?:\w+ ){0,2}(?:para |a |el |la )?(?:clamidia|gonorrea|sifilis|vih|hiv|hepatitis|tuberculosis|vph)",
        r"calculos? (?:renales|en (?:el|los) rin(?:on|ones)|en la vejiga|en el ureter)", r"piedras? en (?:el rinon|los rinones|la vesicula)", r"quistes?",
        r"(?:rinon|rinones|higado|bazo|prostata|tiroides|corazon|ganglios?|utero|ovarios?) (?:\w+ )?(?:agrandad[oa]s?|aumentad[oa]s? de tamano|crecid[oa]s?)",
        r"(?:agrandamiento|crecimiento|aumento de tamano) (?:de (?:la|el|los) )?(?:prostata|higado|bazo|tiroides|corazon|ganglios)",
        r"(?:hepato|espleno|cardio|tiro)megalia",
    ], history=True),
    *_cues(C.abuse, "en", U, [
        r"(?:grabbed|grabs|held|holds|squeezed|squeezes|put (?:his|her) hands? (?:around|on)) (?:me |her |him )?(?:by )?(?:the |my |her |his )?(?:throat|neck)",
        r"(?:checks|goes through|went through|reads|monitors|tracks|smashed|broke) (?:\w+ ){0,2}(?:my|her|his) (?:phone|cell|messages|texts|location)(?! (?:number|no\b|#))",
        r"(?:takes?|took|keeps?|kept) (?:all )?(?:of )?(?:my|her|his) (?:paychecks?|wages|salary|debit cards?|bank cards?)",
        r"(?:left|leaves|lying|sitting|lies) (?:\w+ ){0,3}in (?:soiled|dirty|wet|urine[- ]soaked) (?:diapers?|briefs|clothes|sheets|bed)",
        r"(?:nobody|no one|no-one) (?:has |had |is |was |will )?(?:been )?(?:feed\w*|fed|bath\w*|chang\w*|check\w* on|tak\w+ care of|took care of|car\w+ for|look\w* after) (?:her|him|them|the kids|grandma|grandpa|mom|dad|my \w+)",
        r"(?:hasn'?t|haven'?t|has not|have not) been (?:fed|bathed|changed) (?:in|for)", r"(?:doesn'?t|doesnt|does not|won'?t|wont|never) (?:\w+ )?(?:feed|bathe|change) (?:her|him|them|mom|dad|grandma|grandpa|the kids)", r"(?:kids|children) (?:are )?(?:left )?(?:home )?alone (?:all day|for days|overnight)",
        r"(?:said|says|threatened|threatens) (?:\w+ ){0,2}(?:he|she|they)(?:'?d| would| will|'?ll) kill (?:me|her|him|us)",
    ]),
    *_cues(C.abuse, "es", U, [
        r"(?:me|la|lo|le) (?:agarr\w+|tom\w+|apret\w+) (?:del|el) cuello", r"(?:me|le) (?:apreto|apretaba|aprieta) el cuello",
        r"(?:dijo|dice|amenazo|amenaza) (?:\w+ ){0,2}(?:que )?(?:me|la|lo|nos) (?:iba|va) a matar", r"me va a matar",
        r"(?:me |le )?(?:revisa|revisaba|checa|checaba|vigila|rompio|quito|quita|esconde) (?:\w+ )?(?:el|mi|su) (?:celular|telefono|cel)",
        r"no me deja (?:tener|usar|manejar|ver) (?:\w+ )?(?:dinero|tarjeta|celular|telefono|amigas|familia)", r"controla (?:mi|su|el|todo el) dinero",
        r"dej\w+ sol[oa]s? (?:\w+ ){0,4}(?:sin comer|sin comida|encerrad[oa]s?|sin atencion|sin sus medicinas|sin banar)", r"sin (?:darle|darles) de comer",
    ]),
]

# Vietnamese and Chinese (tools.intake.lexicon_vi_zh): folded Vietnamese, Simplified Chinese.
_FLOORS = {"E": E, "U": U, "R": R}
for _lang, _table in (("vi", _vz.VI), ("zh", _vz.ZH)):
    for _cat, _floor, _hist, _pats in _table:
        LEXICON += _cues(C(_cat), _lang, _FLOORS[_floor], _pats, history=_hist)
# Acuity + symptom in one sentence (recall-first): a symptom word with a "now / sudden / severe" word.
SYMPTOM_WORDS = re.compile(
    r"\b(?:pain|hurts?|bleeding|blood|breath\w*|weak\w*|numb\w*|dizz\w*|confus\w*|vomit\w*|fever|hot|swell\w*|headache|chest|jaw|"
    r"faint\w*|seiz\w*|sleepy|lethargic|limp|dolor|duele|sangr\w*|respir\w*|aire|debil\w*|entumid\w*|dormid[oa]|mare\w*|"
    r"confundid[oa]|vomit\w*|fiebre|calentur\w*|hinchad\w*|hinchazon|cabeza|pecho|quijada|desmay\w*|convuls\w*)\b")
ACUITY_WORDS = re.compile(
    r"\b(?:right now|just now|all of a sudden|suddenly|sudden|out of nowhere|(?:an?|one|half an|\d+) (?:hour|minutes?|mins?) ago|"
    r"since (?:this morning|an hour|lunch|breakfast|last night)|tonight|won'?t stop|getting worse (?:fast|quickly)|severe|worst|"
    r"unbearable|very (?:bad|sleepy|weak|hot)|can'?t (?:stop|stand|wake)|\d+ (?:days?|weeks?) old|"
    r"ahorita|ahora mismo|de repente|de golpe|hace (?:una hora|un rato|\d+ minutos|media hora)|desde (?:hoy|esta manana|anoche)|"
    r"muy fuerte|insoportable|no (?:para|se quita|se me quita)|empeorando|de (?:\d+|pocos) (?:dias|semanas) de nacid[oa])\b")
# Extra analytes with critical limits often phoned (lithium, digoxin, magnesium...).
# ICD-10-CM codes that carry a category whatever the words around them (pregnancy chapter O, Z33/Z34/Z3A;
# opioid, sedative and stimulant disorders F11/F13/F15; self-harm T14.91, R45.851; abuse T74/T76, Z04.7).
ICD_CATEGORY: list[tuple[str, ClinicalCategory]] = [
    (r"O\d\d(?:\.\w{1,4})?|Z3[34]\.\w{1,4}|Z3A\.\w{1,2}", ClinicalCategory.pregnancy),
    (r"F1[135]\.\w{1,4}", ClinicalCategory.controlled_substance),
    (r"R45\.851|T14\.91\w*", ClinicalCategory.self_harm),
    (r"T7[46]\.\w{1,4}|Z04\.7\w*", ClinicalCategory.abuse),
]
_ICD_CAT = [(re.compile(r"(?<![A-Za-z0-9])(?:" + p + r")(?![A-Za-z0-9])", re.I), c) for p, c in ICD_CATEGORY]
# Urgency only (not a clinical category): out of a medicine.
OUT_OF_MEDICINE = [r"(?:completely |all )?out of (?:my |his |her )?\w+", r"ran out of", r"run out of", r"nothing left",
                   r"took (?:my|the) last (?:dose|pill)", r"no \w+ (?:at home|left)", r"se me acabo", r"ya no tengo", r"no me queda",
                   r"se (?:le|me) termino"]
# Self-harm wording that is past/history: sensitive but not emergent.
SELF_HARM_PAST = re.compile(r"\b(?:history of|h/o|hx of|remote|prior|previous|past|as a teen\w*|years ago|antecedente|remoto|adolescencia|en (?:19|20)\d\d|in (?:19|20)\d\d)\b")

NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|denies|denied|deny|denying|without|negative for|neg for|free of|absence of|absent|never|ruled out|"
    r"no evidence of|no signs? of|no history of|niega|nego|sin|negativo para|negativa para|descarta|ausencia de|nunca|"
    r"no hay|no presenta|no refiere)\b")
# A negation's scope runs over a list ("denies fever, chills, chest pain") but ends at a new subject or
# verb ("no fever, I have chest pain now"), which is the recall-safe reading.
NEGATION_SCOPE_END = re.compile(
    r"\b(?:i|i'?m|i'?ve|he|she|they|we|you|yo|ella|ellos|ellas)\b|,\s*(?:que|y que|and that|that)\s|(?:,|\band\b|\by\b)\s*(?:\w+\s+)?(?:have|has|had|is|are|was|"
    r"were|feels?|reports?|complains?|started|tengo|tiene|tenia|esta|estoy|siento|siente|presenta|refiere|empezo)\b")


def _negated_before(clause: str) -> bool:
    """True when the nearest negation trigger before the cue still has it in scope."""
    triggers = list(NEGATION_BEFORE.finditer(clause))
    last = triggers[-1] if triggers else None
    return last is not None and not NEGATION_SCOPE_END.search(clause[last.end():])


NEGATION_AFTER = re.compile(r"^[^.;\n]{0,45}?(?<![a-z-])(?:negative|neg\b|negativ[oa]|\(-\)|not detected|no detectad[oa]|absent|ausente|ruled out|excluded|descartad[oa])")
FAMILY_MARKER = re.compile(r"\b(?:family history|fam hx|fhx|fh:|antecedentes? familiar(?:es)?|historia familiar)\b")
RELATIVE_PAST = re.compile(
    r"\b(?:mother|father|mom|dad|sister|brother|grand(?:mother|father|ma|pa)|aunt|uncle|cousin|madre|padre|hermana|hermano|"
    r"abuel[oa]|tia|tio|prim[oa])\b\s+(?:had|with|died|passed|tuvo|con|murio|fallecio)\b")
RELATIVE_AFTER = re.compile(r"^[^.;]{0,12}\b(?:in|en)\s+(?:(?:his|her|the|el|la|su)\s+)?(?:paternal|maternal)?\s*(?:mother|father|sister|brother|grand(?:mother|father)|aunt|uncle|madre|padre|hermana|hermano|abuel[oa]|tia|tio)")
HISTORY_MARKER = re.compile(
    r"\b(?:history of|h/o|hx of|pmh|past medical history|prior|previous(?:ly)?|remote|in the past|last year|years ago|"
    r"resolved|(?<!year )(?<!years )(?<!month )(?<!months )(?<!week )(?<!weeks )(?<!day )(?<!days )(?<!-)old|antecedentes? de|previ[oa]|remot[oa]|hace (?:\d+|unos|varios) anos|el ano pasado)\b")
HISTORY_AFTER = re.compile(r"^[^.;\n]{0,40}\b(?:in (?:19|20)\d\d|en (?:19|20)\d\d|del (?:19|20)\d\d|since (?:normalized|resolved)|resolved|years ago|last year|"
                           r"el ano pasado|hace (?:\d+|unos|varios|muchos) (?:anos|meses))\b")
# Chronic / exertional qualifiers: "shortness of breath on exertion" is not an emergency symptom.
CHRONIC_AFTER = re.compile(r"^\s*(?:on|with) exertion|^\s*de esfuerzo|^\s*\(chronic\)")
CHRONIC_BEFORE = re.compile(r"\b(?:chronic|cronic[oa]|exertional|de esfuerzo)\s+$")
# "medicine for seizures", "pastilla para las convulsiones": a treated condition, not a seizure now.
TREATED_FOR = re.compile(r"\b(?:for|para|de)\s+(?:the |las |los |sus |his |her |my |mis |la |el )?$")
_SEIZURE = re.compile(r"convuls|seizur|epilep")
# A report's own DIAGNOSIS / IMPRESSION line is the result, whatever the words around it.
RESULT_DOCUMENT = re.compile(r"\b(?:pathology|biopsy|specimen|cytology|impression|findings|radiology|ultrasound|mri|ct scan|x-?ray|"
                             r"patologia|biopsia|hallazgos|impresion)\b")
# A referral's reason line restates known problems: results named there are history, not new results.
REASON_LINE = re.compile(r"(?:^|\n)[ \t]*(?:reason for referral|clinical indication|indication|reason|diagnosis|dx|"
                         r"motivo de la referencia|motivo|indicacion clinica|diagnostico)[^\n:]{0,12}:[^\n]*$")
CLAUSE_BREAK = re.compile(r"[.;!?\n]|\bbut\b|\bpero\b|\bhowever\b|\baunque\b|\balthough\b")

# Lab lines. Critical limits: analyte pattern -> (critical low, critical high).
CRITICAL_LIMITS: dict[str, tuple[float | None, float | None]] = {
    r"potassium|potasio|\bk\b": (2.8, 6.0), r"sodium|sodio|\bna\b": (120, 160), r"glucose|glucosa": (45, 450),
    r"hemoglobina?(?!\w)(?!\W*a\W?[1l]\W?c)|\bhgb\b|\bhb\b": (7.0, 20.0), r"platelets?|plaquetas": (20, 1000),
    r"\bwbc\b|leucocitos|white blood": (1.0, 30.0), r"creatinine|creatinina": (None, 7.0), r"\binr\b": (None, 5.0),
    r"troponin|troponina": (None, 0.5), r"calcium|calcio": (6.0, 13.0), r"lithium|litio": (None, 1.5),
    r"digoxin|digoxina": (None, 2.0), r"magnesium|magnesio": (1.0, 4.9), r"phosph\w*|fosforo": (1.0, None),
    r"\bph\b": (7.2, 7.6), r"lactate|lactato": (None, 4.0),
}
# A line is read as a lab result only if it names a known analyte or carries a lab unit / "ref".
LAB_LINE = re.compile(
    r"\b(?:potassium|potasio|sodium|sodio|glucose|glucosa|hemoglobin\w*|hgb|hematocrit|hematocrito|platelets?|plaquetas|wbc|"
    r"leucocitos|creatinine|creatinina|bun|egfr|a[1l]c|tsh|t4|ldl|hdl|cholesterol|colesterol|triglycerides?|trigliceridos|"
    r"alt|ast|bilirubin\w*|alkaline phosphatase|albumin\w*|calcium|calcio|magnesium|inr|pt|ptt|troponin\w*|bnp|psa|"
    r"ferritin\w*|vitamin|vitamina|urine|orina|lipase|amylase|d-dimer|hcg)\b|mg/dl|mmol/l|g/dl|k/ul|miu/l|ng/ml|\bu/l\b|\bref\b")
_LAB_FLAG = re.compile(r"(?:(?<=\s)|(?<=[\[(]))(?P<f>hh|ll|h|l|high|low|alto|alta|bajo|baja|abn|abnormal|a|\*h|\*l|crit|critical|panic|critico|panico)(?=\s|$|[\])*])")
_LAB_VALUE = re.compile(r"(?<![\w.])(?P<v>\d+(?:\.\d+)?)(?![\w.])")
_LAB_RANGE = re.compile(r"(?P<lo>\d+(?:\.\d+)?)\s*-\s*(?P<hi>\d+(?:\.\d+)?)")

def _compile_lexicon(lexicon: list[Cue]) -> list[tuple[Cue, re.Pattern[str]]]:
    """One alternation per (category, language, floor, history rule): the same matches as one regex
    per cue for detection, at a fraction of the cost (about 1,500 cues)."""
    groups: dict[tuple, list[str]] = {}
    for cue in lexicon:
        groups.setdefault((cue.category, cue.lang, cue.floor, cue.history_suppresses), []).append(cue.pattern)
    out = []
    for (cat, lang, floor, hist), patterns in groups.items():
        # Longer patterns first, so an alternation prefers "chest pain on breathing" to "chest pain".
        patterns = sorted(set(patterns), key=len, reverse=True)
        body = "|".join(f"(?:{p})" for p in patterns)
        # Chinese has no word boundaries, and a Latin letter right after a Chinese cue is common
        # ("结节8mm", which the matching view reads as "结节bmm"; "阳性hiv").
        rx = re.compile(f"(?:{body})" if lang == "zh" else r"(?<![a-z])(?:" + body + r")(?![a-z])")
        out.append((Cue(cat, lang, f"lexicon:{cat.value}/{lang}", floor, hist), rx))
    return out


_COMPILED = _compile_lexicon(LEXICON)
_OUT_OF = re.compile(r"(?<![a-z])(?:" + "|".join(OUT_OF_MEDICINE) + r")(?![a-z])")


def _clause_before(view: str, start: int) -> str:
    seg = view[max(0, start - 80):start]
    cut = 0
    for m in CLAUSE_BREAK.finditer(seg):
        cut = m.end()
    return seg[cut:]


def _sentence_around(view: str, start: int, end: int) -> tuple[str, str]:
    # Newlines are not sentence ends: fax OCR wraps lines mid-sentence. Windows are bounded instead.
    lo = max(0, start - 80)
    a = max(view.rfind(".", lo, start), view.rfind(";", lo, start), view.rfind("\n\n", lo, start), lo - 1)
    hi = min(len(view), end + 60)
    b_candidates = [i for i in (view.find(".", end, hi), view.find(";", end, hi)) if i != -1]
    b = min(b_candidates) if b_candidates else hi
    return view[a + 1:start], view[end:b]


_VZ = {
    "vi": (re.compile(r"[.;!?\n]|" + _vz.VI_CLAUSE_BREAK), re.compile(r"(?<![a-z])" + _vz.VI_NEGATION + r"(?![a-z])"), 30,
           re.compile(_vz.VI_NEGATION_AFTER), re.compile(r"(?<![a-z])" + _vz.VI_HISTORY + r"(?![a-z])"),
           re.compile(r"(?<![a-z])" + _vz.VI_FAMILY + r"(?![a-z])")),
    "zh": (re.compile(r"[.;!?\n。；！？，]|" + _vz.ZH_CLAUSE_BREAK), re.compile(_vz.ZH_NEGATION), 8,
           re.compile(_vz.ZH_NEGATION_AFTER), re.compile(_vz.ZH_HISTORY), re.compile(_vz.ZH_FAMILY)),
}


# A relative named before a cancer or other result in a Vietnamese or Chinese sentence ("mẹ tôi bị ung
# thư vú", "我妈妈得过乳腺癌") is family history; for symptoms it is not (relatives write about the patient).
_VI_RELATIVE = re.compile(r"(?<![a-z])(?:me|bo|cha|ba|ong|chi gai|em gai|anh trai|co|di|chu|bac|ong ngoai|ba ngoai|ong noi|ba noi) (?:toi|em|minh|chau)(?![a-z])")
_ZH_RELATIVE = re.compile(r"(?:母亲|妈妈|父亲|爸爸|姐姐|妹妹|哥哥|弟弟|奶奶|外婆|爷爷|外公|阿姨|姑姑|舅舅|叔叔)")


def _context_vi_zh(cue: Cue, view: str, start: int, end: int) -> str:
    """The context of a Vietnamese or Chinese cue: a negation close before it in its clause (or a
    "negative" word just after), a family-history or history marker in its sentence."""
    brk, neg, reach, neg_after, hist, fam = _VZ[cue.lang]
    seg = view[max(0, start - reach):start]
    cut = 0
    for m in brk.finditer(seg):
        cut = m.end()
    if neg.search(seg[cut:]) or neg_after.match(view[end:end + 30]):
        return "negated"
    lo = max(0, start - 60)
    sent_start = max([lo] + [m.end() + lo for m in re.finditer(r"[.;!?\n。；！？]", view[lo:start])])
    sent_end_m = re.search(r"[.;!?\n。；！？]", view[end:end + 40])
    sentence = view[sent_start:end + (sent_end_m.start() if sent_end_m else 40)]
    if fam.search(sentence):
        return "family_history"
    if cue.category == C.abnormal_result and (_VI_RELATIVE if cue.lang == "vi" else _ZH_RELATIVE).search(view[sent_start:start]):
        return "family_history"
    if hist.search(sentence):
        return "history"
    return "current"


def _context(cue: Cue, view: str, start: int, end: int) -> str:
    """current | negated | family_history | history for one cue occurrence."""
    if cue.lang in _VZ:
        return _context_vi_zh(cue, view, start, end)
    before_clause = _clause_before(view, start)
    after = view[end:end + 40]
    if _negated_before(before_clause) or NEGATION_AFTER.match(after):
        return "negated"
    sent_before, sent_after = _sentence_around(view, start, end)
    if FAMILY_MARKER.search(sent_before) or RELATIVE_PAST.search(sent_before) or RELATIVE_AFTER.match(sent_after):
        return "family_history"
    if HISTORY_MARKER.search(sent_before) or HISTORY_AFTER.match(sent_after):
        return "history"
    if cue.category == ClinicalCategory.abnormal_result and REASON_LINE.search(view[max(0, start - 160):start]) and not RESULT_DOCUMENT.search(view):
        return "history"
    if cue.category == ClinicalCategory.emergency_symptoms and (CHRONIC_AFTER.match(after) or CHRONIC_BEFORE.search(before_clause)):
        return "history"
    if cue.category == ClinicalCategory.emergency_symptoms and _SEIZURE.match(view[start:end]) and TREATED_FOR.search(view[max(0, start - 30):start]):
        return "history"
    return "current"


def _lab_line_findings(view: MatchingView, lview: str) -> list[SensitivityFinding]:
    """Abnormal and critical results read from lab-table lines."""
    out: list[SensitivityFinding] = []
    pos = 0
    for line in lview.split("\n"):
        start = pos
        pos += len(line) + 1
        values = list(_LAB_VALUE.finditer(line))
        if len(line) > 110 or not values or not re.search(r"[a-z]{2,}", line[: values[0].start()]):
            continue
        if not LAB_LINE.search(line) or re.search(r"\(\d{3}\)|\d{3}-\d{4}", line):
            continue
        name_part = line[: values[0].start()]
        if _DOSE_AFTER.match(line[values[0].end():values[0].end() + 8]) or _RX_WORDS.search(name_part):
            continue  # "potassium chloride 20 mEq": a dose, not a result
        value = float(values[0].group("v"))
        flag = _LAB_FLAG.search(line[values[0].end():])
        rng = _LAB_RANGE.search(line[values[0].end():])
        lang = "es" if re.search(r"potasio|sodio|glucosa|hemoglobina|plaquetas|leucocitos|creatinina|troponina|colesterol", name_part) else "en"
        span = view.make_span(start, start + len(line.rstrip()))
        critical = False
        if flag and flag.group("f") in ("crit", "critical", "panic", "critico", "panico", "hh", "ll"):
            critical = True
        for analyte, (clo, chi) in CRITICAL_LIMITS.items():
            if re.search(analyte, name_part):
                if (clo is not None and value < clo) or (chi is not None and value > chi):
                    critical = True
                break
        if critical:
            out.append(SensitivityFinding(category=C.critical_result, span=span, cue="lab:critical", language=lang,
                                          urgency_floor=E))
            continue
        abnormal = bool(flag)
        if rng and not abnormal:
            lo, hi = float(rng.group("lo")), float(rng.group("hi"))
            abnormal = value < lo or value > hi
        if abnormal:
            out.append(SensitivityFinding(category=C.abnormal_result, span=span, cue="lab:flag" if flag else "lab:range",
                                          language=lang, urgency_floor=U))
    return out


# Values written in running text ("the lab called, potassium 6.7", "kali 2.4", "血钾2.5", "tiểu cầu
# chỉ có 11"): analyte names in the four languages, the value within a few words after, plausible
# bounds (a value outside them is a date, a dose or an id, not a result) and the critical limits above.
FREE_ANALYTES: list[tuple[str, str, tuple[float, float]]] = [
    (r"potassium|potasio|\bk\+?|kali|血钾|钾", r"potassium|potasio|\bk\b", (1.0, 10.0)),
    (r"sodium|sodio|\bna\+?|natri|血钠|钠", r"sodium|sodio|\bna\b", (90.0, 200.0)),
    (r"hemoglobin|hemoglobina|\bhgb|\bhb|huyet sac to|血红蛋白|血色素", r"hemoglobina?(?!\w)(?!\W*a\W?[1l]\W?c)|\bhgb\b|\bhb\b", (1.5, 25.0)),
    (r"platelets?(?: count)?|plaquetas|\bplt|tieu cau|血小板", r"platelets?|plaquetas", (1.0, 2000.0)),
    (r"\binr", r"\binr\b", (0.5, 20.0)),
    (r"lithium|litio|liti|锂", r"lithium|litio", (0.1, 10.0)),
    (r"glucose|glucosa|blood sugar|azucar|duong huyet|duong (?:trong )?mau|血糖", r"glucose|glucosa", (10.0, 2000.0)),
    (r"calcium|calcio|canxi|血钙", r"calcium|calcio", (2.0, 20.0)),
    (r"troponin|troponina|肌钙蛋白", r"troponin|troponina", (0.0, 100.0)),
]
_DOSE_AFTER = re.compile(r"^\s*(?:(?:mg|mcg|meq|ml|units?|u|iu)(?![/a-z])|tab|tablet|cap|pill|viên|vien|片|毫克)")
_FREE_VALUE = [(re.compile(r"(?<![a-z])(?:" + names + r")(?![a-z])(?!\W*a\W?[1l]\W?c)[^\d\n.;]{0,24}?(?P<v>\d+(?:[.,]\d+)?)(?![\d/])"), key, bounds)
               for names, key, bounds in FREE_ANALYTES]
_RX_WORDS = re.compile(r"chloride|cloruro|citrate|gluconate|supplement|suplemento|tablet|pastilla|vien|片|dose|dosis|carbonate|carbonato")


def _free_value_findings(view: MatchingView, lview: str) -> list[SensitivityFinding]:
    """Critical values read from running text, not only from lab-table lines."""
    out: list[SensitivityFinding] = []
    for rx, key, (lo, hi) in _FREE_VALUE:
        for m in rx.finditer(lview):
            raw = m.group("v")
            value = float(raw.replace(",", "")) if re.fullmatch(r"\d{1,3},\d{3}", raw) else float(raw.replace(",", "."))
            if key.startswith("platelet") and value >= 2000:
                value /= 1000.0  # 11,000 -> 11 (x10^3/uL)
            if not (lo <= value <= hi) or _DOSE_AFTER.match(lview[m.end():m.end() + 8]) or _RX_WORDS.search(m.group(0)):
                continue
            limits = next((lim for pat, lim in CRITICAL_LIMITS.items() if re.search(pat, key.split("|")[0].replace("\\b", ""))), None)
            if limits is None:
                continue
            clo, chi = limits
            if (clo is not None and value < clo) or (chi is not None and value > chi):
                ctx = _context(Cue(C.critical_result, "en", "value", E, True), lview, m.start(), m.end())
                if ctx != "current":
                    continue
                out.append(SensitivityFinding(category=C.critical_result, span=view.make_span(m.start(), m.end()),
                                              cue="value:critical", language="any", urgency_floor=E))
    return out


# Vital signs written in notes and messages: an oxygen saturation under 90%, a systolic pressure under
# 85 or at least 200 (or diastolic at least 120), a heart rate over 130 or under 40 is an emergency;
# a pressure of 180/110 or more is urgent.
_SPO2 = re.compile(r"(?<![a-z])(?:spo2|sp02|o2 sat\w*|sat(?:uration)?s?|pulse ox\w*|oxygen(?: level| saturation)?|oxigeno|oxigenacion|saturacion|"
                   r"nong do oxy|oxy(?: trong mau)?|chi so oxy|血氧(?:饱和度)?)(?![a-z])[^\d\n]{0,14}?(?P<v>\d{2,3})(?:\s*%)?(?![\d/])")
_BP = re.compile(r"(?<![a-z])(?:bp|b/p|blood pressure|pressure|presion(?: arterial)?|ta|huyet ap|血压|压)(?![a-z])[^\d\n]{0,14}?"
                 r"(?P<s>\d{2,3})\s*/\s*(?P<d>\d{2,3})")
_HR = re.compile(r"(?<![a-z])(?:hr|heart rate|pulse|pulso|frecuencia cardiaca|fc|nhip tim|mach|心率|心跳|脉搏)(?![a-z])[^\d\n]{0,10}?(?P<v>\d{2,3})(?![\d/])")
_METER_HI = re.compile(r"(?<![a-z])(?:glucometer|glucometro|meter|sugar|azucar|glucosa|glucose|may do duong|duong huyet|血糖仪?)(?![a-z])[^.\n]{0,30}?"
                       r"(?:[\"'(]hi[\"')]|\bhi\b|\bhigh\b(?= reading)|>\s*[56]00|over [56]00|mas de [56]00|tren [56]00|超过[56]00)")


def _vital_findings(view: MatchingView, lview: str) -> tuple[list[SensitivityFinding], bool]:
    """Emergency vital signs, and whether a merely urgent pressure was seen."""
    out: list[SensitivityFinding] = []
    urgent = False

    def add(m: re.Match[str], cue: str) -> None:
        if _context(Cue(C.emergency_symptoms, "en", cue, E, True), lview, m.start(), m.end()) == "current":
            out.append(SensitivityFinding(category=C.emergency_symptoms, span=view.make_span(m.start(), m.end()), cue=cue,
                                          language="any", urgency_floor=E))

    for m in _SPO2.finditer(lview):
        v = int(m.group("v"))
        if 50 <= v < 90:
            add(m, "vital:spo2_low")
    for m in _BP.finditer(lview):
        sys_, dia = int(m.group("s")), int(m.group("d"))
        if not (40 <= sys_ <= 300 and 20 <= dia <= 200 and sys_ > dia):
            continue
        if sys_ < 85 or sys_ >= 200 or dia >= 120:
            add(m, "vital:bp_extreme")
        elif sys_ >= 180 or dia >= 110:
            urgent = True
    for m in _HR.finditer(lview):
        v = int(m.group("v"))
        if 20 <= v < 40 or 130 < v <= 250:
            add(m, "vital:hr_extreme")
    for m in _METER_HI.finditer(lview):
        add(m, "vital:glucose_hi")
    return out, urgent


def _acuity_findings(view: MatchingView, lview: str) -> list[SensitivityFinding]:
    """A sentence with both a symptom word and an acuity word is a possible emergency (recall-first)."""
    out: list[SensitivityFinding] = []
    pos = 0
    for sent in re.split(r"(?<=[.!?])\s+|\n\s*\n", lview):
        start = lview.find(sent, pos)
        pos = start + len(sent)
        sym = SYMPTOM_WORDS.search(sent)
        acu = ACUITY_WORDS.search(sent)
        if not (sym and acu) or len(sent) > 300:
            continue
        if _negated_before(_clause_before(lview, start + sym.start())):
            continue
        s0, e0 = min(sym.start(), acu.start()), max(sym.end(), acu.end())
        out.append(SensitivityFinding(category=C.emergency_symptoms, span=view.make_span(start + s0, start + e0),
                                      cue="acuity+symptom", language="en", urgency_floor=E))
    return out


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def sensitivity_view(text: str) -> MatchingView:
    """The matching view (lower case, accents folded, OCR marks undone) with "đ" read as "d" and
    Traditional Chinese characters read as Simplified, one character for one, so spans map back.

    >>> sensitivity_view("Đau ngực, 呼吸困難").text
    'dau nguc, 呼吸困难'
    """
    view = matching_view(text, lower=True)
    out = view.text.replace("đ", "d")
    if any("\u3400" <= ch <= "\u9fff" for ch in out):
        conv = _t2s().convert(out)
        out = conv if len(conv) == len(out) else "".join(_t2s().convert(ch) or ch for ch in out)
    return MatchingView(text=out, index=view.index, original=view.original)


def _scan(rx: re.Pattern[str], lview: str, cue: Cue):
    """Matches of one alternation; after a match that is not a current finding, the scan resumes one
    character later, so an overlapping cue of the same group ("no chest pain, crushing pain now") is
    not hidden behind it."""
    pos = 0
    while (m := rx.search(lview, pos)) is not None:
        yield m
        current = _context(cue, lview, m.start(), m.end()) == "current"
        pos = m.end() if current else m.start() + 1


def detect_sensitivity(text: str, *, language: LanguageReport | None = None) -> SensitivityReport:
    """Clinical categories in `text`, with evidence and a suggested urgency floor.

    Cues of all four languages are looked for whatever the language (messages mix them). When
    `language` (tools.intake.language.detect_language) says the text is in a language the models do
    not support, any category found raises the floor to at least urgent: a person who can read it
    should see it soon.

    >>> detect_sensitivity("Patient denies chest pain.").sensitive
    False
    >>> r = detect_sensitivity("Tengo dolor de pecho ahorita.")
    >>> [c.value for c in r.categories], r.urgency_floor.value
    (['emergency_symptoms'], 'emergent')
    """
    view = sensitivity_view(text)
    lview = view.text
    findings: list[SensitivityFinding] = []
    for cue, rx in _COMPILED:
        for m in _scan(rx, lview, cue):
            ctx = _context(cue, lview, m.start(), m.end())
            floor = cue.floor
            suppressed: str | None = None
            if ctx == "negated":
                suppressed = "negation"
            elif ctx == "family_history":
                suppressed = "family_history"
            elif ctx == "history" and cue.history_suppresses:
                suppressed = "history"
            if cue.category == C.self_harm and ctx == "history":
                floor = R
            if cue.category == C.self_harm and ctx == "current":
                sent_before, sent_after = _sentence_around(lview, m.start(), m.end())
                if SELF_HARM_PAST.search(sent_before + " " + sent_after):
                    floor, ctx = R, "history"
            findings.append(SensitivityFinding(category=cue.category, span=view.make_span(m.start(), m.end()),
                                               cue=f"{cue.pattern}:{m.group()[:40]}", language=cue.lang, urgency_floor=floor if not suppressed else R,
                                               suppressed_by=suppressed, context=ctx))
    findings.extend(_lab_line_findings(view, lview))
    findings.extend(_free_value_findings(view, lview))
    vitals, bp_urgent = _vital_findings(view, lview)
    findings.extend(vitals)
    findings.extend(_acuity_findings(view, lview))
    findings.extend(_infant_fever_findings(view, lview))
    findings.extend(_pregnancy_warning_findings(view, lview, findings))
    for rx, cat in _ICD_CAT:
        for m in rx.finditer(view.text):
            findings.append(SensitivityFinding(category=cat, span=view.make_span(m.start(), m.end()), cue="icd10:" + m.group(),
                                               language="en", urgency_floor=R))
    active = [f for f in findings if f.suppressed_by is None]
    cats = sorted({f.category for f in active}, key=lambda c: list(C).index(c))
    floor = R
    reasons: list[str] = []
    for f in active:
        if f.urgency_floor == E or (f.urgency_floor == U and floor == R):
            floor = f.urgency_floor if f.urgency_floor != R else floor
        if f.urgency_floor != R:
            reasons.append(f"{f.category.value}:{f.urgency_floor.value}")
    if bp_urgent:
        floor = U if floor == R else floor
        reasons.append("vital:bp_high:urgent")
    for m in _OUT_OF.finditer(lview):
        if not _negated_before(_clause_before(lview, m.start())):
            if floor == R:
                floor = U
            reasons.append("out_of_medicine:urgent")
            break
    if language is not None and not language.supported and cats:
        reasons.append("language_unsupported:urgent")
        if floor == R:
            floor = U
    return SensitivityReport(sensitive=bool(cats), categories=cats, urgency_floor=floor,
                             urgency_reasons=sorted(set(reasons)), findings=sorted(findings, key=lambda f: f.span.start))


def evaluate_sensitivity(items: list) -> dict[str, float | int]:
    """Sensitive recall and precision (item level), and category-level recall, on labeled items.

    >>> from models.intake import InboundLabel
    >>> it = InboundLabel(id="x", channel="message", text="I took a bunch of pills", doc_type="clinical_question",
    ...                   urgency="emergent", sensitive=True, categories=["self_harm"])
    >>> evaluate_sensitivity([it])["sensitive_recall"]
    1.0
    """
    tp = fp = fn = tn = 0
    cat_hit = cat_n = 0
    emergent_n = emergent_hit = 0
    for it in items:
        r = detect_sensitivity(it.text)
        got = {c.value for c in r.categories}
        if it.sensitive and r.sensitive:
            tp += 1
        elif it.sensitive:
            fn += 1
        elif r.sensitive:
            fp += 1
        else:
            tn += 1
        for c in it.categories:
            cat_n += 1
            cat_hit += c in got
        if it.urgency == "emergent":
            emergent_n += 1
            emergent_hit += r.urgency_floor == Priority.emergent
    return {"n": len(items), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "sensitive_recall": tp / (tp + fn) if tp + fn else float("nan"),
            "sensitive_precision": tp / (tp + fp) if tp + fp else float("nan"),
            "category_recall": cat_hit / cat_n if cat_n else float("nan"),
            "emergent_floor_recall": emergent_hit / emergent_n if emergent_n else float("nan")}
