"""Benchmark the claim rules layer: code table load time and memory, claims checked per second
(one core), and per-rule precision/recall on generated labeled claims.

    .venv/bin/python bench/bench_claim_rules.py [--claims 5000] [--eval 2000] [--rows]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evals.synthetic_claims import generate_labeled_claims, make_patients  # noqa: E402
from models.claims import EXCEPTION_KINDS  # noqa: E402
from tools.claims.rules import check_claim  # noqa: E402
from tools.claims.codes import DEFAULT_DATA_DIR, NCCI_PTP_PRAC, CodeTables, PtpTable, read_ptp_rows  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--claims", type=int, default=5000, help="claims for the throughput run")
    parser.add_argument("--eval", type=int, default=2000, help="labeled claims for precision/recall")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", action="store_true", help="also time PTP built from row tuples (the Postgres path)")
    args = parser.parse_args()

    import pandas  # noqa: F401  (imported before the baseline so the figure is the tables, not the library)

    gc.collect()
    rss_before = current_rss_mb()
    started = time.perf_counter()
    tables = CodeTables.from_files(args.data_dir)
    load_s = time.perf_counter() - started
    gc.collect()
    print(f"tables loaded in {load_s:.2f} s: " + ", ".join(f"{k} {v:.2f}s" for k, v in tables.load_seconds.items()))
    print(f"  resident memory held after loading: +{current_rss_mb() - rss_before:.0f} MB "
          f"(process peak RSS while loading {peak_rss_mb():.0f} MB)")
    print(f"  PTP: {len(tables.ptp):,} rows in {tables.ptp.nbytes() / 1e6:.1f} MB (numpy arrays + code index); "
          f"ICD-10-CM {len(tables.icd10cm):,} codes; MUE {len(tables.mue):,}; add-on {len(tables.add_on):,}")
    if args.rows:
        started = time.perf_counter()
        PtpTable.from_rows(read_ptp_rows(args.data_dir / NCCI_PTP_PRAC))
        print(f"  PTP from row tuples (csv reader -> from_rows): {time.perf_counter() - started:.2f} s")

    patients = make_patients(500, seed=args.seed)
    items = generate_labeled_claims(patients, tables=tables, n=args.claims, seed=args.seed)
    started = time.perf_counter()
    for item in items:
        check_claim(item.claim, tables=tables, context=item.context)
    elapsed = time.perf_counter() - started
    print(f"rules layer: {len(items) / elapsed:,.0f} claims/s on one core "
          f"({len(items)} claims, {elapsed * 1e6 / len(items):.0f} us/claim; target >= 1,000; ratio {len(items) / elapsed / 1000:.1f}x)"
          f"  [pid {os.getpid()}, single thread]")

    labeled = generate_labeled_claims(patients, tables=tables, n=args.eval, seed=args.seed + 100)
    tp, fp, fn, support = Counter(), Counter(), Counter(), Counter()
    clean = clean_fp = 0
    for item in labeled:
        got = check_claim(item.claim, tables=tables, context=item.context).kinds
        expected = {k.value for k in item.expected}
        support.update(expected)
        tp.update(got & expected)
        fp.update(got - expected)
        fn.update(expected - got)
        if not expected:
            clean += 1
            clean_fp += bool(got)
    print(f"\nper-rule precision/recall on {len(labeled)} generated claims (seed {args.seed + 100}):")
    print(f"{'kind':26s} {'n':>5s} {'tp':>5s} {'fp':>4s} {'fn':>4s} {'precision':>9s} {'recall':>7s}")
    for kind in EXCEPTION_KINDS:
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else float("nan")
        r = tp[kind] / support[kind] if support[kind] else float("nan")
        print(f"{kind:26s} {support[kind]:5d} {tp[kind]:5d} {fp[kind]:4d} {fn[kind]:4d} {p:9.3f} {r:7.3f}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'all':26s} {sum(support.values()):5d} {all_tp:5d} {all_fp:4d} {all_fn:4d} "
          f"{all_tp / max(all_tp + all_fp, 1):9.3f} {all_tp / max(all_tp + all_fn, 1):7.3f}")
    print(f"clean claims: {clean}, with any finding (false positives): {clean_fp}")


if __name__ == "__main__":
    main()
