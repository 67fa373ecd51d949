"""pgvector at scale: N x 384 clustered vectors over U units; recall@10 against an exact search
within the unit, and query latency, for per-unit partial HNSW indexes (what Handoff uses) and for one
global HNSW index filtered by unit (what it used before)."""

from __future__ import annotations

import time

import numpy as np
from psycopg import sql

from bench.common import SQL, Figure, percentile
from store.db import connect

DIM = 384


def _data(n: int, units: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(max(20, n // 2000), DIM)).astype(np.float32)
    which = rng.integers(0, len(centers), size=n)
    x = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        block = centers[which[start:stop]] + 0.35 * rng.normal(size=(stop - start, DIM)).astype(np.float32)
        x[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return x, rng.integers(0, units, size=n).astype(np.int32)


def _load(url: str, x: np.ndarray, unit: np.ndarray) -> None:
    from pgvector.psycopg import register_vector

    with connect(url) as conn:
        register_vector(conn)
        conn.execute(SQL.create_vector_table)
        with conn.cursor() as cur, cur.copy("COPY bench_vectors (id, unit, embedding) FROM STDIN WITH (FORMAT BINARY)") as cp:
            cp.set_types(["int8", "int4", "vector"])
            for i in range(len(x)):
                cp.write_row((i, int(unit[i]), x[i]))
        conn.execute(SQL.vector_unit_btree)
        conn.commit()


def _exact(x: np.ndarray, unit: np.ndarray, q: np.ndarray, u: int, k: int) -> set[int]:
    idx = np.flatnonzero(unit == u)
    sims = x[idx] @ q
    top = idx[np.argpartition(-sims, k)[:k]]
    return set(int(i) for i in top)


def _search(url: str, queries, *, ef: int, k: int) -> tuple[list[float], list[set[int]]]:
    from pgvector.psycopg import register_vector

    times, found = [], []
    with connect(url) as conn:
        register_vector(conn)
        conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(int(ef))))
        for q, u in queries[:5]:  # warm the cache and the plan
            conn.execute(SQL.vector_search, {"unit": u, "q": q, "k": k}).fetchall()
        for q, u in queries:
            t0 = time.perf_counter()
            rows = conn.execute(SQL.vector_search, {"unit": u, "q": q, "k": k}).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
            found.append({r["id"] for r in rows})
        conn.rollback()
    return times, found


def bench_vectors(srv, *, n: int, units: int = 10, n_queries: int = 200, k: int = 10, seed: int = 5,
                  global_index: bool = True) -> list[Figure]:
    url = srv.fresh_database("vectors")
    x, unit = _data(n, units, seed)
    t0 = time.perf_counter()
    _load(url, x, unit)
    load_s = time.perf_counter() - t0
    rng = np.random.default_rng(seed + 1)
    picks = rng.integers(0, n, size=n_queries)
    qs = x[picks] + 0.1 * rng.normal(size=(n_queries, DIM)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    qunits = rng.integers(0, units, size=n_queries)
    queries = [(qs[i], int(qunits[i])) for i in range(n_queries)]
    truth = [_exact(x, unit, q, u, k) for q, u in queries]
    sizes = {"vectors": n, "dim": DIM, "units": units, "queries": n_queries, "k": k}
    out = []

    def measure(label: str, efs: tuple[int, ...], goal: bool) -> None:
        for ef in efs:
            times, found = _search(url, queries, ef=ef, k=k)
            recall = float(np.mean([len(f & t) / k for f, t in zip(found, truth, strict=True)]))
            out.append(Figure("pgvector", f"{label}, ef_search={ef}: recall@{k}", round(recall, 3), "",
                              ">= 0.95" if goal else "", sizes=sizes))
            out.append(Figure("pgvector", f"{label}, ef_search={ef}: p99", round(percentile(times, 99), 2), "ms",
                              "<= 20" if goal else "", sizes=sizes, note=f"p50 {percentile(times, 50):.2f} ms"))

    with connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '4GB'")
        t0 = time.perf_counter()
        for u in range(units):
            conn.execute(sql.SQL(SQL.vector_partial_index).format(
                name=sql.Identifier(f"bench_vectors_u{u}"), unit=sql.Literal(u)))
        build_partial = time.perf_counter() - t0
        conn.execute("ANALYZE bench_vectors")
    out.append(Figure("pgvector", "per-unit partial HNSW indexes: build", round(build_partial, 1), "s", sizes=sizes,
                      note=f"load {load_s:.0f} s"))
    measure("per-unit partial HNSW", (40, 100), True)
    if global_index:
        with connect(url, autocommit=True) as conn:
            for u in range(units):
                conn.execute(sql.SQL(SQL.vector_drop_partial).format(name=sql.Identifier(f"bench_vectors_u{u}")))
            conn.execute("SET maintenance_work_mem = '4GB'")
            t0 = time.perf_counter()
            conn.execute(SQL.vector_global_index)
            build_global = time.perf_counter() - t0
            conn.execute("ANALYZE bench_vectors")
        out.append(Figure("pgvector", "one global HNSW index: build", round(build_global, 1), "s", sizes=sizes))
        measure("one global HNSW filtered by unit (before)", (40, 400), False)
    return out
