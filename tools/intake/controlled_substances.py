"""Controlled substances by DEA schedule (21 CFR 1308.11-1308.15): generic names and common US brand
names of the products a clinic prescribes or is asked about, written from the schedules as
published; Spanish spellings where they differ. Brand names that are also ordinary words or places
("Versed", "Luminal", "Doral", "Molly") are left out: they would flag far more than they find. Read by tools.intake.sensitivity as cues for
`controlled_substance`.

Federal schedules only: gabapentin (Schedule V in some states, not federally) is left out, and so
are products the DEA has descheduled (Epidiolex). Schedule I appears for the names patients use
("medical marijuana card"). Edit this table, not the matching code.
"""

from __future__ import annotations

# schedule -> [(generic, [brand names and other spellings])]
SCHEDULES: dict[str, list[tuple[str, list[str]]]] = {
    "I": [
        ("marijuana", ["marihuana", "cannabis", "medical marijuana"]), ("heroin", ["heroina"]), ("psilocybin", []),
        ("lsd", ["lysergic acid diethylamide"]), ("mdma", ["ecstasy"]),
    ],
    "II": [
        ("oxycodone", ["oxycontin", "roxicodone", "percocet", "endocet", "xtampza", "roxicet", "oxaydo", "oxicodona"]),
        ("hydrocodone", ["norco", "vicodin", "lortab", "hysingla", "zohydro", "lorcet", "hidrocodona"]),
        ("hydromorphone", ["dilaudid", "exalgo", "hidromorfona"]), ("morphine", ["ms contin", "kadian", "morfina"]),
        ("oxymorphone", ["opana"]), ("fentanyl", ["duragesic", "actiq", "fentora", "subsys", "fentanilo"]),
        ("methadone", ["dolophine", "methadose", "metadona"]), ("meperidine", ["demerol", "pethidine", "meperidina"]),
        ("tapentadol", ["nucynta"]), ("levorphanol", []), ("codeine sulfate", []), ("cocaine", ["cocaina"]),
        ("amphetamine", ["adderall", "evekeo", "adzenys", "dyanavel", "mydayis", "anfetamina"]),
        ("dextroamphetamine", ["dexedrine", "zenzedi", "procentra", "xelstrym", "dextroanfetamina"]),
        ("lisdexamfetamine", ["vyvanse", "lisdexanfetamina"]), ("methamphetamine", ["desoxyn", "metanfetamina"]),
        ("methylphenidate", ["ritalin", "concerta", "metadate", "methylin", "daytrana", "quillichew", "quillivant", "cotempla",
                             "jornay", "aptensio", "relexxii", "metilfenidato"]),
        ("dexmethylphenidate", ["focalin", "dexmetilfenidato"]), ("serdexmethylphenidate", ["azstarys"]),
        ("pentobarbital", ["nembutal"]), ("secobarbital", ["seconal"]), ("nabilone", ["cesamet"]),
        ("dronabinol oral solution", ["syndros"]), ("sufentanil", ["dsuvia"]), ("remifentanil", ["ultiva"]),
    ],
    "III": [
        ("buprenorphine", ["suboxone", "subutex", "zubsolv", "sublocade", "brixadi", "butrans", "belbuca", "bunavail", "buprenorfina"]),
        ("codeine combination", ["tylenol with codeine", "tylenol #3", "tylenol #4", "tylenol 3", "tylenol 4", "fioricet with codeine",
                                 "fiorinal with codeine"]),
        ("ketamine", ["ketalar", "ketamina"]), ("esketamine", ["spravato"]), ("dronabinol", ["marinol"]),
        ("testosterone", ["androgel", "testim", "axiron", "fortesta", "depo-testosterone", "aveed", "xyosted", "jatenzo", "tlando",
                          "kyzatrex", "testosterona"]),
        ("nandrolone", []), ("oxandrolone", ["oxandrin"]), ("anabolic steroids", ["esteroides anabolicos"]),
        ("sodium oxybate", ["xyrem", "xywav", "lumryz"]), ("perampanel", ["fycompa"]), ("benzphetamine", ["didrex", "regimex"]),
        ("phendimetrazine", ["bontril"]), ("butalbital with codeine", []),
    ],
    "IV": [
        ("alprazolam", ["xanax", "tafil", "niravam"]), ("lorazepam", ["ativan"]), ("clonazepam", ["klonopin", "rivotril"]),
        ("diazepam", ["valium", "valtoco", "diastat"]), ("chlordiazepoxide", ["librium", "librax"]), ("clorazepate", ["tranxene"]),
        ("temazepam", ["restoril"]), ("triazolam", ["halcion"]), ("midazolam", ["nayzilam"]), ("oxazepam", []),
        ("estazolam", []), ("flurazepam", []), ("quazepam", []), ("clobazam", ["onfi", "sympazan"]), ("remimazolam", ["byfavo"]),
        ("zolpidem", ["ambien", "edluar", "intermezzo", "stilnox"]), ("zaleplon", ["sonata"]), ("eszopiclone", ["lunesta"]),
        ("suvorexant", ["belsomra"]), ("lemborexant", ["dayvigo"]), ("daridorexant", ["quviviq"]),
        ("tramadol", ["ultram", "conzip", "ultracet", "tramal"]), ("carisoprodol", ["soma"]), ("phenobarbital", ["fenobarbital"]),
        ("butorphanol", ["stadol"]), ("pentazocine", ["talwin"]), ("modafinil", ["provigil", "modafinilo"]), ("armodafinil", ["nuvigil"]),
        ("solriamfetol", ["sunosi"]), ("phentermine", ["adipex", "adipex-p", "lomaira", "qsymia", "fentermina"]),
        ("diethylpropion", ["tenuate"]), ("eluxadoline", ["viberzi"]), ("brexanolone", ["zulresso"]), ("zuranolone", ["zurzuvae"]),
        ("lorcaserin", ["belviq"]), ("butalbital with aspirin", ["fiorinal"]),
    ],
    "V": [
        ("pregabalin", ["lyrica", "pregabalina"]), ("lacosamide", ["vimpat"]), ("brivaracetam", ["briviact"]), ("cenobamate", ["xcopri"]),
        ("codeine cough syrup", ["promethazine with codeine", "promethazine-codeine", "robitussin ac", "cheratussin ac", "guaifenesin with codeine"]),
        ("diphenoxylate", ["lomotil"]), ("difenoxin", ["motofen"]), ("ezogabine", ["potiga"]),
    ],
}


def controlled_names() -> list[tuple[str, str]]:
    """(name, schedule) for every generic and brand name, lower case.

    >>> ("xanax", "IV") in controlled_names() and ("pregabalin", "V") in controlled_names()
    True
    """
    out: list[tuple[str, str]] = []
    for schedule, drugs in SCHEDULES.items():
        for generic, brands in drugs:
            out.append((generic, schedule))
            out.extend((b, schedule) for b in brands)
    return out
