"""Rules that find the clinical categories of DESIGN.md (emergency symptoms, self-harm, critical and
abnormal results, controlled substances, pregnancy, abuse) in English and Spanish text, with evidence
spans, negation and family-history handling, and a suggested urgency floor; tuned for recall.

How it works (the lexicons below are the data; edit them, not the code):
1. Text is matched on a lower-case, accent-folded view with OCR stray marks undone
   (tools.intake.extract.matching_view); spans are mapped back to the original text.
2. Each category has cue patterns (EN and ES): a core lexicon plus a wider layer of how patients and
   relatives write red flags. Lab lines (a known analyte or a lab unit, no phone number) are read one
   by one: a result flagged H/L/HIGH/LOW/ALTO/BAJO/A, or outside the reference range printed on the
   line, is an abnormal result; a CRIT/PANIC/CRÍTICO flag or a value beyond CRITICAL_LIMITS is a
   critical result. ICD-10-CM codes carry categories too (O/Z33/Z34/Z3A pregnancy, F11/F13/F15
   controlled substances, R45.851/T14.91 self-harm, T74/T76 abuse). A sentence holding both a symptom
   word and an acuity word ("right now", "suddenly", "de repente") is a possible emergency.
3. A cue is suppressed only when it is clearly not a current finding of the patient:
   - negation: a negation trigger ("denies", "no", "negative for", "niega", "sin", ...) earlier in the
     same clause (clauses end at . ; ! ? newline and "but/pero"; a list after the trigger stays in
     scope, a new subject or verb - "I", "she", "have", "tengo" - ends it), or "negative/negativo"
     shortly after ("pregnancy test: negative");
   - family history: an explicit family-history marker in the same sentence ("family history",
     "FHx", "antecedente familiar"), or a relative + past tense ("mother had", "in paternal grandmother");
   - history: for emergency symptoms and results only (past events are not current findings), a history
     marker in the same sentence ("history of", "prior", "remote", "antecedente de", "en 2018"), an
     exertional/chronic qualifier ("shortness of breath on exertion"), or, for results, a referral's
     reason/indication/diagnosis line (a result restated in a referral is not a new result).
   Self-harm, abuse, controlled substances and pregnancy are never suppressed by history, which is the
   conservative choice: a past suicide attempt or abuse is still a disclosure a person should see.
4. Urgency floor: emergent for current emergency symptoms, active self-harm (ideation with intent,
   overdose) and critical results; urgent for abnormal results, abuse disclosures and being out of a
   medicine; routine otherwise.

Measured limits (see the report of issue 5): recall is 1.0 on the held-out synthetic family, whose
wording the rules were written next to; on freshly hand-written patient sentences it was 0.30-0.55
on first run. Lab values and named drugs are robust; free-text emergencies, self-harm and abuse in
words no lexicon foresees are not. Pair these rules with a learned classifier for recall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.governance import ClinicalCategory, Priority
from models.intake import SensitivityFinding, SensitivityReport
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
        r"domestic (?:violence|abuse)", r"intimate partner violence", r"\bipv\b", r"(?<!substance )(?<!alcohol )(?<!drug )(?<!opioid )abus(?:e|ed|ing|ive)\b",
        r"(?:hits|hit|beats|beat|punches|punched|kicks|kicked|slaps|slapped|chokes|choked|strangles|strangled|hurts) (?:me|him|her|them)\b",
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
        r"(?:blood|bleeding) (?:won'?t|will not|does not|doesn'?t) stop", r"(?:newborn|infant|baby|\d+[- ](?:day|week|month)[- ]old)\b[^.]{0,40}\bfever",
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
        r"(?:bebe|recien nacido|nin[oa]|hij[oa]) de \d+ (?:dias|semanas|meses)[^.]{0,40}fiebre", r"fiebre[^.]{0,30}(?:bebe|recien nacido)",
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
        r"me hace cosas", r"me toca(?:ba)?", r"(?:quemaduras|marcas) en (?:el cuerpo|la espalda|los brazos)",
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
        r"positive (?:home )?(?:pregnancy )?test", r"test (?:came back |was |is )?positive", r"(?:having|expecting) a baby", r"morning sickness",
    ]),
    *_cues(C.pregnancy, "es", R, [
        r"esperando (?:un )?bebe", r"(?:no me ha bajado|se me atraso) (?:la regla|la menstruacion|el periodo)", r"(?:atraso|retraso) menstrual",
        r"(?:la )?prueba (?:salio |dio )?positiva", r"dos rayitas", r"nauseas del embarazo",
    ]),
    *_cues(C.abnormal_result, "en", U, [r"\bcyst\b", r"recommend(?:ed|s)? (?:\w+ ){0,3}(?:follow-?up|referral|biopsy|further evaluation|correlation)"], history=True),
    *_cues(C.abnormal_result, "es", U, [r"\bquiste\b", r"se recomienda (?:\w+ ){0,3}(?:seguimiento|valoracion|biopsia)"], history=True),
    *_cues(C.emergency_symptoms, "en", E, [
        r"allergic reaction[^.]{0,60}(?:breath|throat|swallow|swell|puff)", r"(?:blood )?sugar[^.]{0,25}(?:says hi|reads hi|over 500|above 500|is 5\d\d|is 6\d\d)",
        r"(?:lips|eyes|face|tongue) (?:and (?:eyes|face|lips|tongue) )?(?:are )?(?:puffing|swelling) up",
    ], history=True),
]
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
    r"\b(?:i|i'?m|i'?ve|he|she|they|we|you|yo|ella|ellos|ellas)\b|(?:,|\band\b|\by\b)\s*(?:\w+\s+)?(?:have|has|had|is|are|was|"
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
    r"resolved|old|antecedentes? de|previ[oa]|remot[oa]|hace (?:\d+|unos|varios) anos|el ano pasado)\b")
HISTORY_AFTER = re.compile(r"^[^.;\n]{0,40}\b(?:in (?:19|20)\d\d|en (?:19|20)\d\d|since (?:normalized|resolved)|resolved|years ago|last year|el ano pasado)\b")
# Chronic / exertional qualifiers: "shortness of breath on exertion" is not an emergency symptom.
CHRONIC_AFTER = re.compile(r"^\s*(?:on|with) exertion|^\s*de esfuerzo|^\s*\(chronic\)")
CHRONIC_BEFORE = re.compile(r"\b(?:chronic|cronic[oa]|exertional|de esfuerzo)\s+$")
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

_COMPILED = [(cue, re.compile(r"(?<![a-z])(?:" + cue.pattern + r")(?![a-z])")) for cue in LEXICON]
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


def _context(cue: Cue, view: str, start: int, end: int) -> str:
    """current | negated | family_history | history for one cue occurrence."""
    before_clause = _clause_before(view, start)
    after = view[end:end + 40]
    if _negated_before(before_clause) or NEGATION_AFTER.match(after):
        return "negated"
    sent_before, sent_after = _sentence_around(view, start, end)
    if FAMILY_MARKER.search(sent_before) or RELATIVE_PAST.search(sent_before) or RELATIVE_AFTER.match(sent_after):
        return "family_history"
    if HISTORY_MARKER.search(sent_before) or HISTORY_AFTER.match(sent_after):
        return "history"
    if cue.category == ClinicalCategory.abnormal_result and REASON_LINE.search(view[max(0, start - 160):start]):
        return "history"
    if cue.category == ClinicalCategory.emergency_symptoms and (CHRONIC_AFTER.match(after) or CHRONIC_BEFORE.search(before_clause)):
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


def detect_sensitivity(text: str) -> SensitivityReport:
    """Clinical categories in `text`, with evidence and a suggested urgency floor.

    >>> detect_sensitivity("Patient denies chest pain.").sensitive
    False
    >>> r = detect_sensitivity("Tengo dolor de pecho ahorita.")
    >>> [c.value for c in r.categories], r.urgency_floor.value
    (['emergency_symptoms'], 'emergent')
    """
    view = matching_view(text, lower=True)
    lview = view.text
    findings: list[SensitivityFinding] = []
    for cue, rx in _COMPILED:
        for m in rx.finditer(lview):
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
                                               cue=cue.pattern, language=cue.lang, urgency_floor=floor if not suppressed else R,
                                               suppressed_by=suppressed, context=ctx))
    findings.extend(_lab_line_findings(view, lview))
    findings.extend(_acuity_findings(view, lview))
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
    for m in _OUT_OF.finditer(lview):
        if not _negated_before(_clause_before(lview, m.start())):
            if floor == R:
                floor = U
            reasons.append("out_of_medicine:urgent")
            break
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
