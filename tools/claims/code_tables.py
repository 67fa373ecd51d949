"""Code tables as data (`handoff codes import`): read the public CMS/X12/NCHS files with the
tools.claims.codes row readers into Postgres (store.codes), and rebuild `CodeTables` from the latest loads.

A table never imported stays `None` in the returned `CodeTables`, so the rules that need it report
`table_not_loaded` rather than passing claims silently.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import psycopg

from store import codes as repo
from store.codes import TABLE_NAMES, LoadReport
from tools.claims import codes as ct

_QUARTER = re.compile(r"(\d{4})q([1-4])", re.IGNORECASE)
_FISCAL_YEAR = re.compile(r"fy(\d{4})", re.IGNORECASE)
_HASH_CHUNK = 1 << 20
# Where each table comes from, relative to the data folder; the ICD-10-CM tabular XML (age/sex
# edits) is optional.
SOURCES: dict[str, tuple[str, ...]] = {
    "icd10cm": (ct.ICD10CM_CSV, ct.ICD10CM_XML),
    "ptp": (ct.NCCI_PTP_PRAC,),
    "mue": (ct.NCCI_MUE,),
    "add_on": (ct.NCCI_ADD_ON,),
    "modifiers": (ct.MODIFIERS,),
    "place_of_service": (ct.PLACE_OF_SERVICE,),
    "adjustment_codes": (ct.CARC_RARC,),
}
_READERS: dict[str, Callable[[Path], Iterator[tuple]]] = {
    "ptp": ct.read_ptp_rows,
    "mue": ct.read_mue_rows,
    "add_on": ct.read_add_on_rows,
    "modifiers": ct.read_modifier_rows,
    "place_of_service": ct.read_pos_rows,
    "adjustment_codes": ct.read_adjustment_code_rows,
}


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def effective_quarter(paths: Iterable[Path]) -> str | None:
    """The period a file states in its name: '2024Q3' (NCCI quarterly), 'FY2025' (ICD-10-CM), else None.

    >>> effective_quarter([Path("ncci_ptp_prac_2024q3.csv.gz")]), effective_quarter([Path("icd10cm_fy2025_codes.csv")])
    ('2024Q3', 'FY2025')
    """
    for path in paths:
        if m := _QUARTER.search(path.name):
            return f"{m.group(1)}Q{m.group(2)}"
        if m := _FISCAL_YEAR.search(path.name):
            return f"FY{m.group(1)}"
    return None


def _rows(table: str, paths: list[Path]) -> Iterator[tuple]:
    if table == "icd10cm":
        return ct.read_icd10cm_rows(paths[0], paths[1] if len(paths) > 1 else None)
    return _READERS[table](paths[0])


def import_code_tables(
    conn: psycopg.Connection,
    *,
    data_dir: Path = ct.DEFAULT_DATA_DIR,
    tables: Iterable[str] | None = None,
    actor: str = "system",
) -> list[LoadReport]:
    """Import each table's file(s) under `data_dir` (default: every table), one transaction per table.

    A file whose sha256 is already loaded for that table is skipped ("unchanged"); a missing file is
    reported ("file_missing"), not raised. Each real import is an audit event `codes.imported`.
    """
    data_dir = Path(data_dir)
    wanted = list(TABLE_NAMES if tables is None else tables)
    unknown = sorted(set(wanted) - set(TABLE_NAMES))
    if unknown:
        raise ValueError(f"unknown code tables {unknown}; known: {', '.join(TABLE_NAMES)}")
    reports = []
    for table in wanted:
        first, *optional = SOURCES[table]
        paths = [data_dir / first] + [data_dir / r for r in optional if (data_dir / r).exists()]
        source_file = "+".join(str(p.relative_to(data_dir)) for p in paths)
        if not paths[0].exists():
            reports.append(LoadReport(table=table, status="file_missing", source_file=source_file))
            continue
        sources = [{"file": str(p.relative_to(data_dir)), "sha256": file_sha256(p), "bytes": p.stat().st_size} for p in paths]
        sha = sources[0]["sha256"] if len(sources) == 1 else hashlib.sha256(
            "\n".join(f"{s['file']}:{s['sha256']}" for s in sources).encode()).hexdigest()
        reports.append(repo.store_code_table(
            conn, table=table, source_file=source_file, sha256=sha, rows=_rows(table, paths), sources=sources,
            effective_quarter=effective_quarter(paths), actor=actor,
        ))
    return reports


def load_code_tables(conn: psycopg.Connection, *, include: Iterable[str] | None = None) -> ct.CodeTables:
    """Build the in-memory lookups from the latest load of each table (through `CodeTables.from_rows`;
    PTP through `PtpTable.from_columns`, the constructor `from_rows` ends in, fed column-wise)."""
    wanted = set(TABLE_NAMES if include is None else include)
    loads = repo.latest_loads(conn)
    built = ct.CodeTables()
    started = time.perf_counter()
    for name in TABLE_NAMES:
        if name not in wanted or name not in loads:
            continue
        t0 = time.perf_counter()
        if name == "ptp":
            frame = repo.ptp_columns(conn, load_id=loads[name].id)
            built.ptp = ct.PtpTable.from_columns(frame["c1"], frame["c2"], frame["deletion"].to_numpy(),
                                                 frame["indicator"].to_numpy(), frame["rationale"])
            del frame
        else:
            rows = repo.stream_rows(conn, table=name, load_id=loads[name].id)
            setattr(built, name, getattr(ct.CodeTables.from_rows(**{name: rows}), name))
        built.load_seconds[name] = time.perf_counter() - t0
    built.load_seconds["total"] = time.perf_counter() - started
    return built
