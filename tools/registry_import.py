"""Reading a clinic's patient registry: a CSV (Handoff's columns, or Synthea's patients.csv) or FHIR R4
Patient resources (a Bundle, one Patient, or NDJSON). Pure parsing: records out, with each problem
named by its place in the file (never its content). Storing them is store/intake.py's job."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from models.patients import RegistryRecord

HANDOFF_COLUMNS = ("mrn", "given_name", "family_name", "birth_date", "sex", "member_id", "payer", "language",
                   "race_ethnicity", "phone", "distance_km", "has_transport")
SYNTHEA_COLUMNS = ("Id", "BIRTHDATE", "FIRST", "LAST", "GENDER")
_SEX = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X", "other": "X", "unknown": "X", "u": "X"}
_PAYERS = {"medicare", "medicaid", "commercial", "self_pay", "tricare"}
MR_CODE = "MR"


class RegistryFormatError(ValueError):
    """The file is neither a registry CSV nor FHIR JSON (the message says which columns or resources)."""


def detect_format(data: bytes) -> str:
    """The registry file's format: `fhir` (JSON), `csv` (Handoff's columns) or `synthea_csv`."""
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return "fhir"
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    columns = {c.strip() for c in first.split(",")}
    if "mrn" in columns:
        return "csv"
    if set(SYNTHEA_COLUMNS) <= columns:
        return "synthea_csv"
    raise RegistryFormatError("the file is neither FHIR JSON nor a registry CSV (a header with mrn, given_name, "
                              "family_name, birth_date, sex, ... or Synthea's patients.csv)")


def _blank(v: Any) -> Any:
    return None if v is None or (isinstance(v, str) and not v.strip()) else (v.strip() if isinstance(v, str) else v)


def _record(fields: dict[str, Any], where: str) -> tuple[RegistryRecord | None, str | None]:
    try:
        return RegistryRecord.model_validate({k: v for k, v in fields.items() if v is not None}), None
    except ValidationError as exc:
        e = exc.errors()[0]
        return None, f"{where}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"


def read_registry(data: bytes) -> tuple[str, list[tuple[str, RegistryRecord]], list[str]]:
    """(format, [(place, record)], [problems]) for a registry file."""
    fmt = detect_format(data)
    if fmt == "fhir":
        records, skipped = _read_fhir(data)
    else:
        records, skipped = _read_csv(data, synthea=fmt == "synthea_csv")
    return fmt, records, skipped


def _read_csv(data: bytes, *, synthea: bool) -> tuple[list[tuple[str, RegistryRecord]], list[str]]:
    text = data.decode("utf-8-sig", "replace")
    records, skipped = [], []
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"line {n}"
        row = {k.strip(): _blank(v) for k, v in row.items() if k}
        if synthea:
            race, ethnicity = (row.get("RACE") or "").lower() or None, (row.get("ETHNICITY") or "").lower()
            fields = {"mrn": row.get("Id"), "given_name": row.get("FIRST") or "", "family_name": row.get("LAST") or "",
                      "birth_date": row.get("BIRTHDATE"), "sex": _SEX.get((row.get("GENDER") or "").lower()),
                      "race_ethnicity": "hispanic" if ethnicity == "hispanic" else race}
        else:
            fields = {k: row.get(k) for k in HANDOFF_COLUMNS}
            fields["sex"] = _SEX.get((fields["sex"] or "").lower(), fields["sex"])
            fields["given_name"] = fields["given_name"] or ""
            fields["family_name"] = fields["family_name"] or ""
            if fields["payer"] is not None and fields["payer"].lower() not in _PAYERS:
                skipped.append(f"{where}: payer: one of {', '.join(sorted(_PAYERS))}")
                continue
            if fields["has_transport"] is not None:
                fields["has_transport"] = fields["has_transport"].lower() in ("1", "true", "yes", "y")
        record, problem = _record(fields, where)
        if problem:
            skipped.append(problem)
        else:
            records.append((where, record))
    return records, skipped


def _patients(data: bytes) -> Iterator[tuple[str, Any]]:
    text = data.decode("utf-8-sig", "replace")
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]  # NDJSON
        except json.JSONDecodeError as exc:
            raise RegistryFormatError(f"not JSON or NDJSON (line {exc.lineno}: {exc.msg})") from None
    n = 0
    for doc in docs:
        resources = doc if isinstance(doc, list) else [doc]
        for res in resources:
            if isinstance(res, dict) and res.get("resourceType") == "Bundle":
                for entry in res.get("entry") or []:
                    n += 1
                    yield f"entry {n}", (entry or {}).get("resource")
            else:
                n += 1
                yield f"entry {n}", res


def _mrn(patient: dict) -> str | None:
    identifiers = patient.get("identifier") or []
    for ident in identifiers:
        codes = {c.get("code") for c in ((ident.get("type") or {}).get("coding") or [])}
        if MR_CODE in codes and ident.get("value"):
            return str(ident["value"])
    return patient.get("id")


def _race_ethnicity(patient: dict) -> str | None:
    race = ethnicity = None
    for ext in patient.get("extension") or []:
        url = ext.get("url", "")
        text = next((e.get("valueString") for e in ext.get("extension") or [] if e.get("url") == "text"), None)
        if url.endswith("us-core-race"):
            race = text
        elif url.endswith("us-core-ethnicity"):
            ethnicity = text
    if ethnicity and ethnicity.lower().startswith("hispanic"):
        return "hispanic"
    return race.lower().replace(" ", "_") if race else None


def fhir_patient_record(patient: dict, where: str) -> tuple[RegistryRecord | None, str | None]:
    """A registry record from a FHIR R4 Patient, validated with fhir.resources first."""
    from fhir.resources.R4B.patient import Patient as FhirPatient

    try:
        FhirPatient.model_validate(patient)
    except (ValidationError, ValueError) as exc:
        return None, f"{where}: not a valid FHIR Patient ({exc.__class__.__name__})"
    names = patient.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    phone = next((t.get("value") for t in patient.get("telecom") or [] if t.get("system") == "phone"), None)
    language = None
    for comm in patient.get("communication") or []:
        coding = ((comm.get("language") or {}).get("coding") or [{}])[0]
        if coding.get("code"):
            language = coding["code"].split("-")[0].lower()
            break
    fields = {"mrn": _mrn(patient), "given_name": " ".join(name.get("given") or []),
              "family_name": name.get("family") or "", "birth_date": patient.get("birthDate"),
              "sex": _SEX.get((patient.get("gender") or "unknown").lower(), "X"), "phone": phone,
              "language": language, "race_ethnicity": _race_ethnicity(patient)}
    return _record(fields, where)


def _read_fhir(data: bytes) -> tuple[list[tuple[str, RegistryRecord]], list[str]]:
    records, skipped = [], []
    for where, res in _patients(data):
        if not isinstance(res, dict) or res.get("resourceType") != "Patient":
            continue  # organizations, encounters, claims...: not the registry's business
        record, problem = fhir_patient_record(res, where)
        if problem:
            skipped.append(problem)
        else:
            records.append((where, record))
    return records, skipped

