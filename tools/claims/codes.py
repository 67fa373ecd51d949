"""Code tables for claim edits (ICD-10-CM, NCCI PTP, MUE, add-on codes, modifiers, POS, CARC/RARC),
loaded once into compact in-memory lookups, from the public files or from rows (e.g. Postgres).

Every table is optional in `CodeTables`: a table that is `None` is "not loaded", and the claim rules
that need it report that in every result instead of passing silently.

Row readers (`read_*_rows`) yield small NamedTuples with the effective dates the files carry, so
`handoff codes import` can store them and `CodeTables.from_rows(...)` can rebuild the same lookups.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np

from models.settings import SHARED_DATA_DEFAULT

# The public data sets beside the repository (HANDOFF_DATA_DIR overrides it through Settings); one
# definition, so moving this module cannot point it somewhere else.
DEFAULT_DATA_DIR = SHARED_DATA_DEFAULT

# File names inside the shared data folder.
ICD10CM_CSV = "icd10cm/icd10cm_fy2025_codes.csv"
ICD10CM_XML = "icd10cm/icd10c-tabular-April-1-2026.xml"
NCCI_PTP_PRAC = "ncci/ncci_ptp_prac_2024q3.csv.gz"
NCCI_MUE = "ncci/ncci_mue_2024q3.csv"
NCCI_ADD_ON = "ncci/ncci_add_on_codes.csv"
MODIFIERS = "codes/modifiers.csv"
PLACE_OF_SERVICE = "codes/place_of_service_codes.csv"
CARC_RARC = "codes/carc_rarc_adjustment_codes.csv"

# ICD-10-CM FY2025 is valid for dates of service 2024-10-01 .. 2025-09-30.
ICD10CM_FY2025_START = date(2024, 10, 1)
ICD10CM_FY2025_END = date(2025, 9, 30)
NCCI_2024Q3_START = date(2024, 7, 1)
OPEN_END = date(9999, 12, 31)


def date_key(day: date) -> int:
    """A date as the integer yyyymmdd, the form PTP deletion dates are stored in."""
    return day.year * 10000 + day.month * 100 + day.day


def _parse_date(text: str | None) -> date | None:
    if not text or text in ("None", "NA"):
        return None
    return date.fromisoformat(text[:10])


# ---------------------------------------------------------------------------------------------
# Rows (what the files hold, and what Postgres would hold)
# ---------------------------------------------------------------------------------------------


class IcdRow(NamedTuple):
    code: str  # no dot, e.g. "E119"
    billable: bool
    age_min: int | None  # years, inclusive; None = no age edit
    age_max: int | None
    sex: str | None  # "F" / "M" / None
    edit_source: str | None  # why the age/sex edit exists (see `derive_icd_edits`)
    effective_start: date | None
    effective_end: date | None


class PtpRow(NamedTuple):
    column1_code: str
    column2_code: str
    effective_date: date | None  # the 2024Q3 file does not carry it
    deletion_date: date  # 9999-12-31 = active
    modifier_indicator: int  # 0 no bypass, 1 bypass with an NCCI-associated modifier, 9 not applicable
    rationale: str


class MueRow(NamedTuple):
    code: str
    units: int
    mai: int  # MUE adjudication indicator: 1 line edit, 2 date of service (policy), 3 date of service (clinical)
    rationale: str
    service: str  # Practitioner / Outpatient Hospital / DME Supplier
    effective_date: date | None


class AddOnRow(NamedTuple):
    primary_code: str  # "CCCCC" = no primary listed by CMS (type 2)
    add_on_code: str
    edit_type: int  # 1 listed primaries only; 2 contractor-defined primaries; 3 listed plus contractor-defined


class ModifierRow(NamedTuple):
    code: str
    type: str
    description: str


class PosRow(NamedTuple):
    code: str
    type: str
    name: str


class AdjustmentCodeRow(NamedTuple):
    code: str
    type: str  # CARC / RARC / Group
    description: str
    start_date: date | None
    end_date: date | None


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"code table file not found at {path}")
    return path


def read_ptp_rows(path: Path) -> Iterator[PtpRow]:
    """NCCI practitioner PTP edits: column1_code, column2_code, deletion_date, modifier_indicator, rationale."""
    with _open_text(_require(path)) as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header[:4] != ["column1_code", "column2_code", "deletion_date", "modifier_indicator"]:
            raise ValueError(f"{path}: unexpected PTP header {header}")
        for col1, col2, deletion, indicator, rationale in reader:
            yield PtpRow(col1, col2, None, _parse_date(deletion) or OPEN_END, int(indicator), rationale)


def read_mue_rows(path: Path) -> Iterator[MueRow]:
    """NCCI MUE rows (all service types; the practitioner rows are the ones claims here use)."""
    with _open_text(_require(path)) as fh:
        for row in csv.DictReader(fh):
            yield MueRow(row["hcpcs_code"], int(row["mue_units"]), int(row["mue_mai"]),
                         row["mue_rationale"], row["mue_service"], NCCI_2024Q3_START)


def read_add_on_rows(path: Path) -> Iterator[AddOnRow]:
    """Rows of the CMS add-on code file."""
    with _open_text(_require(path)) as fh:
        for row in csv.DictReader(fh):
            yield AddOnRow(row["primary_code"], row["add_on_code"], int(row["aoc_edit_type"]))


def read_modifier_rows(path: Path) -> Iterator[ModifierRow]:
    """Rows of the modifier table."""
    with _open_text(_require(path)) as fh:
        for row in csv.DictReader(fh):
            yield ModifierRow(row["mod_code"].strip().upper(), row["mod_type"], row["mod_description"])


def read_pos_rows(path: Path) -> Iterator[PosRow]:
    """Rows of the place-of-service table."""
    with _open_text(_require(path)) as fh:
        for row in csv.DictReader(fh):
            yield PosRow(row["pos_code"].strip().zfill(2), row["pos_type"], row["pos_name"])


def read_adjustment_code_rows(path: Path) -> Iterator[AdjustmentCodeRow]:
    """CARC and RARC codes with their start and end dates."""
    with _open_text(_require(path)) as fh:
        for row in csv.DictReader(fh):
            yield AdjustmentCodeRow(row["adj_code"], row["adj_type"], row["adj_description"],
                                    _parse_date(row["adj_start_date"]), _parse_date(row["adj_end_date"]))


# ---------------------------------------------------------------------------------------------
# ICD-10-CM age and sex edits, derived from the tabular XML
# ---------------------------------------------------------------------------------------------

# CMS Medicare Code Editor (MCE) age ranges; the tabular list says *which* codes are maternal,
# newborn, pediatric or adult but not the ages, so the ages come from the MCE definitions.
MATERNITY_AGES = (12, 55)
NEWBORN_AGES = (0, 0)
PEDIATRIC_AGES = (0, 17)
ADULT_AGES = (15, 124)

_AGE_NOTE = re.compile(
    r"(?P<word>\w+) codes are for use for persons (?:(?P<lo>\d+)-(?P<hi>\d+) years of age|(?P<min>\d+) years of age or older)",
    re.IGNORECASE,
)
_FEMALE_SECTION = re.compile(r"\bfemale (genital|pelvic)", re.IGNORECASE)
_MALE_SECTION = re.compile(r"(?<!fe)\bmale genital", re.IGNORECASE)
_MATERNAL_RECORD = re.compile(r"maternal record|mother's record", re.IGNORECASE)
_NEWBORN_RECORD = re.compile(r"initial record of a newborn", re.IGNORECASE)


@dataclass(frozen=True)
class IcdEdit:
    prefix: str  # dotless code prefix the edit applies to
    age_min: int | None
    age_max: int | None
    sex: str | None
    source: str
    desc_word: str | None = None  # when set, only codes whose description contains the word


def _notes(elem: ET.Element) -> list[str]:
    return [n.text or "" for child in elem if child.tag not in ("diag", "name", "desc") for n in child.iter("note")]


def derive_icd_edits(xml_path: Path) -> list[IcdEdit]:
    """Age and sex edits read from the ICD-10-CM tabular list (XML).

    Sources, in the order they are applied (a later, more specific prefix wins):
    - Chapter 15 (O00-O9A): its note "for use only on maternal records" -> female, MCE maternity
      ages 12-55.
    - Categories whose notes or inclusion terms say "maternal record" / "mother's record" (Z3A
      weeks of gestation, Z37 outcome of delivery) and Z33/Z34/Z36/Z39, whose titles are
      pregnancy, antenatal and postpartum encounters -> female, 12-55.
    - Category Z38 ("principal code on the initial record of a newborn") -> age 0.
      Chapter 16 (P00-P96) gets no age edit: its own "includes" note says the conditions count
      "even if morbidity occurs later", so a hard newborn edit would deny legitimate claims.
    - Notes of the form "<word> codes are for use for persons A-B years of age" (Z68 BMI: adult
      20+, pediatric 2-19) -> the age range, for codes under it whose title contains <word>.
    - Z00.0 (general adult examination) -> MCE adult ages 15-124; Z00.11 newborn examination ->
      age 0; Z00.12 routine child examination -> MCE pediatric ages 0-17.
    - Sections whose title names female genital or pelvic organs (C51-C58, N70-N77, N80-N98) ->
      female; sections naming male genital organs (C60-C63, N40-N53) -> male.
    - Codes whose own title says "female breast" / "male breast" (C50 subcodes) -> that sex.
    """
    root = ET.parse(_require(xml_path)).getroot()
    edits: list[IcdEdit] = []
    for chapter in root.iter("chapter"):
        notes = " ".join(_notes(chapter))
        first_section = chapter.find("section")
        if first_section is None:
            continue
        if _MATERNAL_RECORD.search(notes) and "pregnancy" in (chapter.findtext("desc") or "").lower():
            edits.append(IcdEdit("O", *MATERNITY_AGES, "F", "ICD-10-CM chapter 15 note: maternal records only"))
        for section in chapter.iter("section"):
            sdesc = section.findtext("desc") or ""
            sex = "F" if _FEMALE_SECTION.search(sdesc) else "M" if _MALE_SECTION.search(sdesc) else None
            if sex:
                for diag in section.findall("diag"):
                    edits.append(IcdEdit(diag.findtext("name", "").replace(".", ""), None, None, sex,
                                         f"ICD-10-CM section {section.get('id')}: {sdesc}"))
    for diag in root.iter("diag"):
        name = (diag.findtext("name") or "").replace(".", "")
        desc = diag.findtext("desc") or ""
        texts = " ".join(_notes(diag))
        if name in ("Z33", "Z34", "Z36", "Z39") or (
            len(name) == 3 and name.startswith("Z") and _MATERNAL_RECORD.search(texts) and not _NEWBORN_RECORD.search(texts)
        ):
            edits.append(IcdEdit(name, *MATERNITY_AGES, "F", f"ICD-10-CM {name} ({desc}): maternal record; MCE maternity ages"))
        if _NEWBORN_RECORD.search(texts):
            edits.append(IcdEdit(name, *NEWBORN_AGES, None, f"ICD-10-CM {name}: initial record of a newborn"))
        for note in _notes(diag):
            match = _AGE_NOTE.search(note.strip())
            if match:
                lo = int(match["lo"] or match["min"])
                hi = int(match["hi"]) if match["hi"] else 124
                edits.append(IcdEdit(name, lo, hi, None, f"ICD-10-CM {name} note: {note.strip()}", desc_word=match["word"].lower()))
        if name == "Z000":
            edits.append(IcdEdit(name, *ADULT_AGES, None, "ICD-10-CM Z00.0 general adult examination; MCE adult ages"))
        elif name == "Z0011":
            edits.append(IcdEdit(name, *NEWBORN_AGES, None, "ICD-10-CM Z00.11 newborn health examination (under 29 days)"))
        elif name == "Z0012":
            edits.append(IcdEdit(name, *PEDIATRIC_AGES, None, "ICD-10-CM Z00.12 routine child examination; MCE pediatric ages"))
        lowered = desc.lower()
        if "female breast" in lowered:
            edits.append(IcdEdit(name, None, None, "F", f"ICD-10-CM {name} title names the female breast"))
        elif re.search(r"(?<!fe)male breast", lowered):
            edits.append(IcdEdit(name, None, None, "M", f"ICD-10-CM {name} title names the male breast"))
    return edits


def read_icd10cm_rows(csv_path: Path, xml_path: Path | None = None) -> Iterator[IcdRow]:
    """ICD-10-CM FY2025 codes with billability, joined with the age/sex edits of the tabular XML."""
    edits = derive_icd_edits(xml_path) if xml_path is not None else []
    by_prefix: dict[str, list[IcdEdit]] = {}
    for edit in edits:
        by_prefix.setdefault(edit.prefix, []).append(edit)
    max_len = max((len(p) for p in by_prefix), default=0)
    with _open_text(_require(csv_path)) as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            age_min = age_max = sex = None
            sources: list[str] = []
            title = (row["long_name"] or "").lower()
            # Shorter prefixes first so the most specific edit wins on each attribute.
            for n in range(1, min(len(code), max_len) + 1):
                for edit in by_prefix.get(code[:n], ()):
                    if edit.desc_word and edit.desc_word not in title:
                        continue
                    if edit.age_min is not None:
                        age_min, age_max = edit.age_min, edit.age_max
                    if edit.sex is not None:
                        sex = edit.sex
                    sources.append(edit.source)
            yield IcdRow(code, row["billable"] == "1", age_min, age_max, sex,
                         "; ".join(dict.fromkeys(sources)) or None, ICD10CM_FY2025_START, ICD10CM_FY2025_END)


# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------


@dataclass
class IcdTable:
    """ICD-10-CM: sets for existence and billability, small dicts for the few codes with edits."""

    codes: frozenset[str]
    billable: frozenset[str]
    age_edits: dict[str, tuple[int, int, int]]  # code -> (min, max, source index)
    sex_edits: dict[str, tuple[str, int]]  # code -> (sex, source index)
    sources: list[str]
    effective_start: date | None = None
    effective_end: date | None = None

    @classmethod
    def from_rows(cls, rows: Iterable[IcdRow | tuple]) -> IcdTable:
        codes: set[str] = set()
        billable: set[str] = set()
        age_edits: dict[str, tuple[int, int, int]] = {}
        sex_edits: dict[str, tuple[str, int]] = {}
        sources: dict[str, int] = {}
        start = end = None
        for row in rows:
            row = IcdRow(*row)
            code = sys.intern(row.code)
            codes.add(code)
            if row.billable:
                billable.add(code)
            if row.age_min is not None or row.sex is not None:
                src = sources.setdefault(row.edit_source or "", len(sources))
                if row.age_min is not None:
                    age_edits[code] = (row.age_min, row.age_max if row.age_max is not None else 124, src)
                if row.sex is not None:
                    sex_edits[code] = (row.sex, src)
            start, end = row.effective_start or start, row.effective_end or end
        return cls(frozenset(codes), frozenset(billable), age_edits, sex_edits, list(sources), start, end)

    def __len__(self) -> int:
        return len(self.codes)


class PtpHit(NamedTuple):
    column1_code: str
    column2_code: str
    deletion_date: int  # yyyymmdd
    modifier_indicator: int
    rationale: str


@dataclass
class PtpTable:
    """NCCI PTP edits as sorted numpy arrays: a pair key (code ids), deletion date and indicator.

    2.55M rows take ~13 bytes each (int64 key, int32 date, int8 indicator, int8 rationale) instead
    of several hundred bytes per row in a dict of tuples.
    """

    code_ids: dict[str, int]
    keys: np.ndarray  # int64, sorted: id(column1) * stride + id(column2)
    deletion: np.ndarray  # int32 yyyymmdd
    indicator: np.ndarray  # int8
    rationale_idx: np.ndarray  # int8
    rationales: list[str]
    codes: list[str] = field(default_factory=list)  # id -> code

    @property
    def stride(self) -> int:
        return max(len(self.code_ids), 1)

    @classmethod
    def from_columns(cls, col1, col2, deletion_keys, indicators, rationales_col) -> PtpTable:
        import pandas as pd

        col1 = pd.Series(col1, dtype=object)
        col2 = pd.Series(col2, dtype=object)
        both = pd.concat([col1, col2], ignore_index=True)
        ids, uniques = pd.factorize(both, sort=True)
        n = len(col1)
        stride = max(len(uniques), 1)
        keys = ids[:n].astype(np.int64) * stride + ids[n:].astype(np.int64)
        rat_ids, rat_uniques = pd.factorize(pd.Series(rationales_col, dtype=object))
        order = np.argsort(keys, kind="stable")
        return cls(
            code_ids={str(code): i for i, code in enumerate(uniques)},
            keys=keys[order],
            deletion=np.asarray(deletion_keys, dtype=np.int32)[order],
            indicator=np.asarray(indicators, dtype=np.int8)[order],
            rationale_idx=rat_ids.astype(np.int8)[order],
            rationales=[str(r) for r in rat_uniques],
            codes=[str(code) for code in uniques],
        )

    @classmethod
    def from_rows(cls, rows: Iterable[PtpRow | tuple]) -> PtpTable:
        col1: list[str] = []
        col2: list[str] = []
        deletion: list[int] = []
        indicator: list[int] = []
        rationale: list[str] = []
        for row in rows:
            row = PtpRow(*row)
            col1.append(row.column1_code)
            col2.append(row.column2_code)
            deletion.append(date_key(row.deletion_date or OPEN_END))
            indicator.append(int(row.modifier_indicator))
            rationale.append(row.rationale)
        return cls.from_columns(col1, col2, deletion, indicator, rationale)

    @classmethod
    def from_file(cls, path: Path) -> PtpTable:
        """Fast path for the CMS file: about 1-2 s for 2.55M rows.

        Columns are read as pandas categoricals, so each distinct code is parsed into one Python
        string (13k codes) rather than 5M (peak RSS ~170 MB instead of ~550 MB).
        """
        import pandas as pd

        df = pd.read_csv(_require(path), dtype={"column1_code": "category", "column2_code": "category",
                                                "deletion_date": "category", "modifier_indicator": "int8",
                                                "rationale": "category"}, keep_default_na=False)
        expected = ["column1_code", "column2_code", "deletion_date", "modifier_indicator", "rationale"]
        if list(df.columns) != expected:
            raise ValueError(f"{path}: unexpected PTP header {list(df.columns)}")
        first, second = df["column1_code"].cat, df["column2_code"].cat
        vocabulary = pd.Index(first.categories.astype(str)).union(pd.Index(second.categories.astype(str)))
        ids1 = vocabulary.get_indexer(first.categories.astype(str))[first.codes].astype(np.int64)
        ids2 = vocabulary.get_indexer(second.categories.astype(str))[second.codes].astype(np.int64)
        deletion_values = pd.to_numeric(pd.Series(df["deletion_date"].cat.categories.astype(str)).str.replace("-", "", regex=False),
                                        errors="coerce").fillna(99991231).to_numpy(np.int32)
        deletion = deletion_values[df["deletion_date"].cat.codes.to_numpy()]
        stride = max(len(vocabulary), 1)
        keys = ids1 * stride + ids2
        order = np.argsort(keys, kind="stable")
        rationale = df["rationale"].cat
        return cls(
            code_ids={code: i for i, code in enumerate(vocabulary)},
            keys=keys[order],
            deletion=deletion[order],
            indicator=df["modifier_indicator"].to_numpy(np.int8)[order],
            rationale_idx=rationale.codes.to_numpy().astype(np.int8)[order],
            rationales=[str(r) for r in rationale.categories],
            codes=[str(code) for code in vocabulary],
        )

    def edits_for(self, column1: str, column2: str, service_day: int) -> list[PtpHit]:
        """The PTP rows for (column1, column2) that are in force on a date of service (yyyymmdd).

        A row applies only when its deletion date is after the date of service.
        """
        i1 = self.code_ids.get(column1)
        i2 = self.code_ids.get(column2)
        if i1 is None or i2 is None:
            return []
        key = i1 * self.stride + i2
        lo = int(np.searchsorted(self.keys, key, side="left"))
        hits: list[PtpHit] = []
        n = len(self.keys)
        while lo < n and self.keys[lo] == key:
            deletion = int(self.deletion[lo])
            if deletion > service_day:
                hits.append(PtpHit(column1, column2, deletion, int(self.indicator[lo]),
                                   self.rationales[int(self.rationale_idx[lo])]))
            lo += 1
        return hits

    def has_code(self, code: str) -> bool:
        return code in self.code_ids

    def __len__(self) -> int:
        return len(self.keys)

    def nbytes(self) -> int:
        arrays = self.keys.nbytes + self.deletion.nbytes + self.indicator.nbytes + self.rationale_idx.nbytes
        return arrays + sys.getsizeof(self.code_ids) + sum(sys.getsizeof(c) for c in self.codes)


@dataclass
class MueTable:
    limits: dict[str, tuple[int, int, str]]  # code -> (units, mai, rationale)
    service: str = "Practitioner"

    @classmethod
    def from_rows(cls, rows: Iterable[MueRow | tuple], *, service: str = "Practitioner") -> MueTable:
        limits: dict[str, tuple[int, int, str]] = {}
        for row in rows:
            row = MueRow(*row)
            if row.service == service:
                limits[sys.intern(row.code)] = (row.units, row.mai, sys.intern(row.rationale))
        return cls(limits, service)

    def __len__(self) -> int:
        return len(self.limits)


@dataclass
class AddOnTable:
    add_ons: dict[str, tuple[int, frozenset[str]]]  # add-on -> (edit type, listed primaries)

    @classmethod
    def from_rows(cls, rows: Iterable[AddOnRow | tuple]) -> AddOnTable:
        primaries: dict[str, set[str]] = {}
        types: dict[str, int] = {}
        for row in rows:
            row = AddOnRow(*row)
            types[row.add_on_code] = row.edit_type
            bucket = primaries.setdefault(row.add_on_code, set())
            if row.primary_code != "CCCCC":
                bucket.add(row.primary_code)
        return cls({code: (types[code], frozenset(p)) for code, p in primaries.items()})

    def __len__(self) -> int:
        return len(self.add_ons)


def _release_parse_memory() -> None:
    """Hand the freed XML/CSV parse buffers back to the OS (glibc keeps them otherwise: ~120 MB)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to do


@dataclass
class CodeTables:
    """All code tables; any may be None (not loaded), which the rules report."""

    icd10cm: IcdTable | None = None
    ptp: PtpTable | None = None
    mue: MueTable | None = None
    add_on: AddOnTable | None = None
    modifiers: dict[str, str] | None = None  # code -> type (CPT / HCPCS ...)
    place_of_service: dict[str, str] | None = None  # code -> name
    adjustment_codes: dict[str, str] | None = None  # CARC/RARC code -> description
    load_seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls,
        *,
        icd10cm: Iterable[IcdRow | tuple] | None = None,
        ptp: Iterable[PtpRow | tuple] | None = None,
        mue: Iterable[MueRow | tuple] | None = None,
        add_on: Iterable[AddOnRow | tuple] | None = None,
        modifiers: Iterable[ModifierRow | tuple] | None = None,
        place_of_service: Iterable[PosRow | tuple] | None = None,
        adjustment_codes: Iterable[AdjustmentCodeRow | tuple] | None = None,
    ) -> CodeTables:
        """Build the lookups from row iterables (e.g. rows read from Postgres); omit a table to leave it unloaded."""
        return cls(
            icd10cm=IcdTable.from_rows(icd10cm) if icd10cm is not None else None,
            ptp=PtpTable.from_rows(ptp) if ptp is not None else None,
            mue=MueTable.from_rows(mue) if mue is not None else None,
            add_on=AddOnTable.from_rows(add_on) if add_on is not None else None,
            modifiers={ModifierRow(*r).code: ModifierRow(*r).type for r in modifiers} if modifiers is not None else None,
            place_of_service={PosRow(*r).code: PosRow(*r).name for r in place_of_service} if place_of_service is not None else None,
            adjustment_codes={AdjustmentCodeRow(*r).code: AdjustmentCodeRow(*r).description for r in adjustment_codes}
            if adjustment_codes is not None else None,
        )

    @classmethod
    def from_files(cls, data_dir: Path = DEFAULT_DATA_DIR, *, include: Iterable[str] | None = None) -> CodeTables:
        """Load the public files under `data_dir`; a missing file leaves its table unloaded.

        `include` limits which tables load (names as the attributes), e.g. to skip the PTP file.
        """
        import time

        data_dir = Path(data_dir)
        wanted = set(include) if include is not None else {
            "icd10cm", "ptp", "mue", "add_on", "modifiers", "place_of_service", "adjustment_codes"}
        tables = cls()
        loaders = {
            "icd10cm": (ICD10CM_CSV, lambda p: IcdTable.from_rows(read_icd10cm_rows(
                p, data_dir / ICD10CM_XML if (data_dir / ICD10CM_XML).exists() else None))),
            "ptp": (NCCI_PTP_PRAC, PtpTable.from_file),
            "mue": (NCCI_MUE, lambda p: MueTable.from_rows(read_mue_rows(p))),
            "add_on": (NCCI_ADD_ON, lambda p: AddOnTable.from_rows(read_add_on_rows(p))),
            "modifiers": (MODIFIERS, lambda p: {r.code: r.type for r in read_modifier_rows(p)}),
            "place_of_service": (PLACE_OF_SERVICE, lambda p: {r.code: r.name for r in read_pos_rows(p)}),
            "adjustment_codes": (CARC_RARC, lambda p: {r.code: r.description for r in read_adjustment_code_rows(p)}),
        }
        for name, (relative, loader) in loaders.items():
            path = data_dir / relative
            if name not in wanted or not path.exists():
                continue
            started = time.perf_counter()
            setattr(tables, name, loader(path))
            tables.load_seconds[name] = time.perf_counter() - started
        _release_parse_memory()
        return tables

    def loaded(self) -> dict[str, bool]:
        return {name: getattr(self, name) is not None for name in
                ("icd10cm", "ptp", "mue", "add_on", "modifiers", "place_of_service", "adjustment_codes")}

    def describe_adjustment(self, code: str) -> str | None:
        """The CARC/RARC description for "CO-16" or "16" or "M76", when the table is loaded."""
        if self.adjustment_codes is None:
            return None
        return self.adjustment_codes.get(code.split("-", 1)[-1])
