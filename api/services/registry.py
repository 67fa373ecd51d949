"""Loading the clinic's patient registry (CSV or FHIR R4 Patient resources) so that intake can match
documents to patients and no-show scoring knows who is booked: idempotent, audited, and reported as
new, updated, unchanged and conflicting records (by their place in the file, never their content)."""

from __future__ import annotations

import hashlib
from uuid import UUID

import psycopg

from api.errors import BadInput
from models.patients import ImportReport
from store import audit
from store import intake as patient_store

MAX_BYTES = 50_000_000


def import_registry(conn: psycopg.Connection, *, org_id: UUID, data: bytes, source: str, actor: str) -> ImportReport:
    """Import one file; `source` is how the report names it to the person who ran the import."""
    from tools.registry_import import RegistryFormatError, read_registry

    if not data.strip():
        raise BadInput("file: the file is empty", field="file")
    if len(data) > MAX_BYTES:
        raise BadInput(f"file: {len(data):,} bytes; the limit is {MAX_BYTES:,}", field="file")
    try:
        fmt, records, skipped = read_registry(data)
    except RegistryFormatError as exc:
        raise BadInput(f"file: {exc}", field="file") from None
    # A file is named by its content hash in the registry and the log: file names can hold patients' names.
    digest = "sha256:" + hashlib.sha256(data).hexdigest()[:16]
    with conn.transaction():
        new, updated, unchanged, conflicts = patient_store.import_registry_records(
            conn, org_id=org_id, records=records, source=f"import:{digest}")
        report = ImportReport(source=source, format=fmt, read=len(records) + len(skipped), new=new, updated=updated,
                              unchanged=unchanged, conflicts=conflicts, skipped=skipped)
        audit.record_event(conn, actor=actor, action="registry.imported", subject=f"registry:{digest}",
                           detail=report.model_dump(include={"format", "read", "new", "updated", "unchanged"})
                           | {"conflicts": len(conflicts), "skipped": len(skipped)})
    return report
