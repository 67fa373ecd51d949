"""English cue terms taken from ICD-10-CM code descriptions for the clinical categories of DESIGN.md.

Which codes stand for which category is written here (CODE_SELECTION, each with its reason); the
words come from the code table itself (../shared/data/icd10cm, FY2025). `build_icd_cues` turns the
descriptions of the selected codes and their descendants into short lower-case terms (the head of a
description, "X and Y" split in two, qualifiers such as "unspecified", "initial encounter",
laterality and trimester dropped) and `python -m tools.intake.icd_cues` writes them to
tools/intake/data/icd10cm_cues.json, which tools.intake.sensitivity reads; a test rebuilds the file
from the code table and compares. The terms are clinical English: they serve notes, reports and
referrals, not patients' own words (the hand-written lexicons do that).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

CUES_PATH = Path(__file__).with_name("data") / "icd10cm_cues.json"
ICD10CM_CSV = "icd10cm/icd10cm_fy2025_codes.csv"

# (code prefix, category, floor E/U/R, history suppresses, reason)
CODE_SELECTION: list[tuple[str, str, str, bool, str]] = [
    # Emergency symptoms: the R-chapter signs a triage nurse acts on within the hour, and the few
    # K/I/T codes that name an emergency by its sign.
    ("R04.2", "emergency_symptoms", "E", True, "hemoptysis"),
    ("R06.00", "emergency_symptoms", "E", True, "dyspnea"),
    ("R06.02", "emergency_symptoms", "E", True, "shortness of breath"),
    ("R06.03", "emergency_symptoms", "E", True, "acute respiratory distress"),
    ("R06.1", "emergency_symptoms", "E", True, "stridor"),
    ("R07.1", "emergency_symptoms", "E", True, "chest pain on breathing"),
    ("R07.2", "emergency_symptoms", "E", True, "precordial pain"),
    ("R07.9", "emergency_symptoms", "E", True, "chest pain"),
    ("R09.01", "emergency_symptoms", "E", True, "asphyxia"),
    ("R09.02", "emergency_symptoms", "E", True, "hypoxemia"),
    ("R09.2", "emergency_symptoms", "E", True, "respiratory arrest"),
    ("R10.0", "emergency_symptoms", "E", True, "acute abdomen"),
    ("R23.0", "emergency_symptoms", "E", True, "cyanosis"),
    ("R40.1", "emergency_symptoms", "E", True, "stupor"),
    ("R40.20", "emergency_symptoms", "E", True, "coma"),
    ("R40.4", "emergency_symptoms", "E", True, "transient alteration of awareness"),
    ("R47.01", "emergency_symptoms", "E", True, "aphasia"),
    ("R47.1", "emergency_symptoms", "E", True, "dysarthria"),
    ("R47.81", "emergency_symptoms", "E", True, "slurred speech"),
    ("R29.810", "emergency_symptoms", "E", True, "facial weakness"),
    ("R29.5", "emergency_symptoms", "E", True, "transient paralysis"),
    ("R55", "emergency_symptoms", "E", True, "syncope and collapse"),
    ("R56", "emergency_symptoms", "E", True, "convulsions"),
    ("R57", "emergency_symptoms", "E", True, "shock"),
    ("R58", "emergency_symptoms", "E", True, "hemorrhage"),
    ("R65.2", "emergency_symptoms", "E", True, "severe sepsis"),
    ("R68.13", "emergency_symptoms", "E", True, "apparent life threatening event in infant"),
    ("K92.0", "emergency_symptoms", "E", True, "hematemesis"),
    ("K92.1", "emergency_symptoms", "E", True, "melena"),
    ("I46", "emergency_symptoms", "E", True, "cardiac arrest"),
    ("T78.2", "emergency_symptoms", "E", True, "anaphylactic shock"),
    ("T78.3", "emergency_symptoms", "E", True, "angioneurotic edema"),
    # Self-harm: suicidal ideation, non-suicidal self-harm, attempts, intentional self-harm X71-X83.
    ("R45.851", "self_harm", "E", False, "suicidal ideations"),
    ("R45.88", "self_harm", "E", False, "nonsuicidal self-harm"),
    ("T14.91", "self_harm", "E", False, "suicide attempt"),
    *[(f"X{n}", "self_harm", "E", False, "intentional self-harm") for n in range(71, 84)],
    # Abuse, neglect and exploitation, confirmed (T74) or suspected (T76); examinations after them.
    ("T74", "abuse", "U", False, "abuse, neglect, exploitation, confirmed"),
    ("T76", "abuse", "U", False, "abuse, neglect, exploitation, suspected"),
    ("Z04.4", "abuse", "U", False, "examination following alleged rape"),
    ("Z04.7", "abuse", "U", False, "examination following alleged physical abuse"),
    # Pregnancy, childbirth and the puerperium (chapter O), pregnant state, supervision, weeks of
    # gestation, antenatal screening, postpartum care.
    *[(f"O{n:02d}", "pregnancy", "R", False, "pregnancy, childbirth and the puerperium") for n in range(0, 100)],
    ("O9A", "pregnancy", "R", False, "pregnancy complicated by..."),
    ("Z33", "pregnancy", "R", False, "pregnant state"),
    ("Z34", "pregnancy", "R", False, "supervision of normal pregnancy"),
    ("Z3A", "pregnancy", "R", False, "weeks of gestation"),
    ("Z36", "pregnancy", "R", False, "antenatal screening"),
    ("Z39", "pregnancy", "R", False, "postpartum care"),
    # Controlled substances: poisoning chapters that name them (narcotics and psychodysleptics T40,
    # barbiturates T42.3, benzodiazepines T42.4, psychostimulants T43.6) and use disorders F11/F13/F15.
    ("T40", "controlled_substance", "R", False, "narcotics and psychodysleptics"),
    ("T42.3", "controlled_substance", "R", False, "barbiturates"),
    ("T42.4", "controlled_substance", "R", False, "benzodiazepines"),
    ("T43.6", "controlled_substance", "R", False, "psychostimulants"),
    ("F11", "controlled_substance", "R", False, "opioid related disorders"),
    ("F13", "controlled_substance", "R", False, "sedative, hypnotic or anxiolytic related disorders"),
    ("F15", "controlled_substance", "R", False, "other stimulant related disorders"),
    # Abnormal findings without diagnosis (R70-R94): blood, urine, other body fluids, imaging, function studies.
    *[(f"R{n}", "abnormal_result", "U", True, "abnormal findings without diagnosis") for n in range(70, 95)],
]

# Qualifiers that make a description specific to coding, not to how anyone writes.
_DROP_AFTER = re.compile(r",\s*(?:unspecified|initial|subsequent|sequela|first|second|third|fourth|fifth|sixth|seventh|other|"
                         r"accidental|intentional|assault|undetermined|confirmed|suspected|right|left|bilateral|not elsewhere|nec\b|"
                         r"without|with\b|in\b|due\b|complicating|antepartum|postpartum|intrapartum|childbirth|the puerperium|"
                         r"fetus|single|twin|triplet|quadruplet|quintuplet|sextuplet|unsp|not applicable).*$")
_DROP_WORDS = re.compile(r"\b(?:other specified|other|unspecified|specified|not elsewhere classified|nec|nos|of unspecified|"
                         r"encounter for|supervision of|maternal care for)\b")
_POISON = re.compile(r"^(?:poisoning by|adverse effect of|underdosing of|toxic effect of)\s+(?P<s>.+?)(?:,\s*(?:accidental|intentional|assault|"
                     r"undetermined|initial|subsequent|sequela)|$)")
# Words too common or too generic to stand alone as a cue (they would flag pharmacy deliveries,
# "labor" law, any "abnormal" form field...).
GENERIC = frozenset("""delivery labor labour mole abortion complications complication conditions condition disorders disorder
    problems problem findings finding results result abnormal abnormalities hemorrhage shock edema
    weeks pregnancy pregnant state care screening examination other drugs drug narcotics substances
    psychodysleptics hallucinogens sedatives hypnotics anxiolytics stimulants use abuse dependence
    methods involvement infection infections adult child""".split())


# Fragments that splitting leaves behind and that say nothing on their own.
_BAD_START = re.compile(r"^(?:and|or|including|adverse effect|underdosing|poisoning|complications?|conditions?|diseases?|disorders?|"
                        r"damage|delayed|endocrine|blood-forming|biological|finding substance|findings of drugs|uncomplicated|"
                        r"special senses|systems|tissues|medicaments|abdominal cavity|thorax|ureter|biliary tract|coronary circulation|"
                        r"cause|complete|means|controlled by|diet controlled|dichorionic|deep incisional|following|without|"
                        r"greater|procedures|venous|traumatic|mental|nutritional|shock during|space site|septic|mammographic)\b")
# What each category's terms must say to stand alone (the X71-X83 mechanisms "firearm", "jumping"
# are self-harm only together with "self-harm").
_MUST = {
    "self_harm": re.compile(r"self-harm|suicid"),
    "pregnancy": re.compile(r"pregnan|gestat|gravid|obstetric|puerper|partum|labor\b|placent|fetal|fetus|amni|eclampsia|abortion|ovum|"
                            r"\bmole\b|natal|lactation|presentation|\blie\b|hellp|isoimmunization|chorio|hydrops|rhesus|triplet|twin|"
                            r"quadruplet|cervical (?:incompetence|shortening)|uterine inertia|intrauterine|tubal|ectopic|breech"),
    "abnormal_result": re.compile(r"abnormal|elevated|raised|impaired|inconclusive|unsatisfactory|uria\b|emia\b|nodule|"
                                  r"prediabetes|drop|finding of|not normally found"),
}
# Poisoning chapters also list substances that are not controlled.
_NOT_CONTROLLED = frozenset({"caffeine", "sedative", "hypnotic", "anxiolytic use", "opioid use", "stimulant use"})


def _keep(term: str, category: str) -> bool:
    if _BAD_START.match(term) or term in GENERIC:
        return False
    if category in _MUST and not _MUST[category].search(term):
        return False
    if category == "controlled_substance" and term in _NOT_CONTROLLED:
        return False
    return not (len(term.split()) == 1 and len(term) < 7)


def _clean(name: str) -> list[str]:
    name = name.lower()
    name = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", name)
    m = _POISON.match(name)
    if m:
        name = m.group("s")
    name = _DROP_AFTER.sub("", name)
    name = _DROP_WORDS.sub(" ", name)
    parts = re.split(r"\s+and\s+|\s+or\s+|,\s*", name)
    out = []
    for p in parts:
        p = re.sub(r"\s+", " ", p).strip(" ,.-")
        p = re.sub(r"^(?:of|to|in|by|the|a|an)\s+", "", p)
        p = re.sub(r"\s+(?:by|of|in|with|to)$", "", p)
        if len(p) < 5 or p in GENERIC or len(p.split()) > 5 or re.search(r"\d", p):
            continue
        out.append(p)
        bare = re.sub(r"^(?:mild|moderate|severe|late|early)\s+", "", p)
        if bare != p and len(bare) >= 5 and bare not in GENERIC:
            out.append(bare)
    return out


def build_icd_cues(csv_path: Path) -> list[dict]:
    """Terms per (category, floor, history) from the code table: [{term, category, floor, history, codes}]."""
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    found: dict[tuple[str, str, str, bool], set[str]] = {}
    for prefix, cat, floor, hist, _why in CODE_SELECTION:
        for r in rows:
            if r["code_dot"].startswith(prefix):
                for term in _clean(r["long_name"]):
                    if not _keep(term, cat):
                        continue
                    found.setdefault((term, cat, floor, hist), set()).add(prefix)
    # A term claimed by two categories keeps the first (the selection's order is its priority).
    seen: set[str] = set()
    out = []
    for (term, cat, floor, hist), codes in sorted(found.items(), key=lambda kv: ([c[1] for c in CODE_SELECTION].index(kv[0][1]), kv[0][0])):
        if term in seen:
            continue
        seen.add(term)
        out.append({"term": term, "category": cat, "floor": floor, "history": hist, "codes": sorted(codes)[:5]})
    return out


def load_icd_cues(path: Path = CUES_PATH) -> list[dict]:
    """The generated terms (empty if the file is missing, which a test forbids)."""
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["terms"]


def main(argv: list[str] | None = None) -> int:
    """Rebuild tools/intake/data/icd10cm_cues.json from the code table under the data directory."""
    from models.settings import Settings

    data_dir = Path(argv[0]) if argv else Settings().data_dir
    terms = build_icd_cues(data_dir / ICD10CM_CSV)
    CUES_PATH.parent.mkdir(parents=True, exist_ok=True)
    CUES_PATH.write_text(json.dumps({"source": ICD10CM_CSV, "n": len(terms), "terms": terms}, ensure_ascii=False, indent=0) + "\n",
                         encoding="utf-8")
    print(f"{len(terms)} terms -> {CUES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
