"""Time the PostgreSQL index advisor on a throwaway server with tables of 1M+ rows.

Run: ``.venv/bin/python benchmarks/advise_pg.py [rows]``. Starts a private server
with the test harness (needs the PostgreSQL server binaries and hypopg), loads
``orders`` (``rows``, default 1,000,000), ``events`` (the same) and ``customers``
(a fifth of it), runs 50 distinct slow statements once each so that
pg_stat_statements records them, then times:

* advising one statement (the first call, which opens the advisor's connection
  and reads the server's setup, and the best of 5 later calls);
* advising the 50-statement workload.

No thresholds are asserted; the numbers are printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from harness.postgres import PostgresServer

from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver

T = TypeVar("T")

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL,
                        created_at timestamptz NOT NULL);
INSERT INTO customers
SELECT g, 'user' || g || '@example.com', (ARRAY['fr','de','us','jp','br'])[1 + g % 5],
       timestamptz '2020-01-01' + g * interval '10 minutes'
FROM generate_series(1, {customers}) g;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
                     region int NOT NULL, sku int NOT NULL, amount numeric(10,2) NOT NULL,
                     created_at timestamptz NOT NULL, note text);
INSERT INTO orders
SELECT g, 1 + (g::bigint * 7919) % {customers}, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
       g % 50, (g * 31) % 20000, (g % 100000) / 100.0,
       timestamptz '2023-01-01' + g * interval '30 seconds', 'n' || g
FROM generate_series(1, {rows}) g;
CREATE TABLE events (id bigint PRIMARY KEY, user_id int NOT NULL, kind int NOT NULL,
                     ts timestamptz NOT NULL, payload jsonb NOT NULL);
INSERT INTO events
SELECT g, g % 50000, g % 40, timestamptz '2024-01-01' + g * interval '1 second',
       jsonb_build_object('k', g % 1000)
FROM generate_series(1, {rows}) g;
"""


def statements() -> list[str]:
    """50 distinct statement shapes (distinct queryids), most of them slow without an index."""
    found: list[str] = []
    for column in ("customer_id", "sku", "note", "created_at", "amount"):
        found.append(f"SELECT * FROM orders WHERE {column} = (SELECT {column} FROM orders LIMIT 1)")
        found.append(f"SELECT count(*) FROM orders WHERE {column} IS NULL")
        found.append(f"SELECT id FROM orders ORDER BY {column} DESC LIMIT 10")
    for first, second in (("region", "sku"), ("sku", "customer_id"), ("region", "amount")):
        found.append(f"SELECT * FROM orders WHERE {first} = 7 AND {second} = 11")
        found.append(f"SELECT {second} FROM orders WHERE {first} = 3 AND {second} < 100")
    for column in ("user_id", "kind", "ts"):
        found.append(f"SELECT * FROM events WHERE {column} = (SELECT {column} FROM events LIMIT 1)")
        found.append(
            f"SELECT count(*) FROM events WHERE {column} > (SELECT max({column}) FROM events) "
        )
        found.append(f"SELECT id FROM events ORDER BY {column} LIMIT 5")
    found += [
        "SELECT * FROM customers WHERE lower(email) = 'user77@example.com'",
        "SELECT * FROM customers WHERE email = 'user77@example.com'",
        "SELECT * FROM customers WHERE country = 'jp' AND created_at > '2021-01-01'",
        "SELECT c.email FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.sku = 5",
        "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.email = 'user5@example.com'",
        "SELECT status, count(*) FROM orders WHERE created_at > '2023-06-01' GROUP BY status",
        """SELECT * FROM events WHERE payload @> '{"k": 5}'""",
        "SELECT * FROM events WHERE user_id = 5 AND kind = 3 ORDER BY ts DESC LIMIT 10",
        "UPDATE orders SET note = 'x' WHERE sku = 17 AND region = 99",
        "DELETE FROM events WHERE ts < '2023-01-01'",
        "SELECT * FROM orders WHERE note LIKE 'n12345%'",
        "SELECT max(amount) FROM orders WHERE customer_id = 42",
        "SELECT * FROM orders WHERE id = 42",
        "SELECT count(*) FROM customers",
        "SELECT region, sum(amount) FROM orders GROUP BY region",
        "SELECT * FROM events WHERE kind = 7 AND ts > '2024-01-05' ORDER BY ts LIMIT 50",
        "SELECT country, count(*) FROM customers WHERE created_at < '2020-02-01' GROUP BY 1",
        "SELECT * FROM orders WHERE created_at BETWEEN '2023-02-01' AND '2023-02-02'",
        "SELECT * FROM orders WHERE amount > 999.5 ORDER BY amount",
        "SELECT e.* FROM events e JOIN customers c ON c.id = e.user_id WHERE c.country = 'br' "
        "AND e.kind = 1 LIMIT 20",
    ]
    return found[:50]


def timed(step: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = step()
    return (time.perf_counter() - start) * 1000, result


def load(url: str, rows: int) -> None:
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA.format(rows=rows, customers=max(rows // 5, 1)))
        conn.execute("VACUUM ANALYZE")
        conn.execute("SELECT pg_stat_statements_reset()")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        for statement in statements():
            if statement.startswith(("UPDATE", "DELETE")):
                with conn.transaction(force_rollback=True):
                    conn.execute(statement)
            else:
                conn.execute(statement).fetchall()
    print(f"loaded and ran the workload in {time.perf_counter() - start:.1f} s")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    server = PostgresServer()
    try:
        server.start()
        url = server.create_database("advise_bench")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        load(url, rows)
        driver = PostgresDriver(spec_from_url(url))
        driver.connect()
        query = "SELECT * FROM orders WHERE customer_id = 42 AND created_at > '2023-03-01'"
        first, found = timed(lambda: driver.advise(query))
        later = min(timed(lambda: driver.advise(query))[0] for _ in range(5))
        print(f"advise one statement: first {first:.0f} ms, then best of 5 {later:.0f} ms")
        for suggestion in found:
            print(f"  {suggestion.ddl}  ({suggestion.evidence[0]})")
        elapsed, report = timed(lambda: driver.advisor.workload(50))
        print(
            f"advise the workload: {elapsed:.0f} ms for {len(report.statements)} statements "
            f"({len(report.skipped)} skipped), {len(report.suggestions)} suggestions"
        )
        for suggestion in report.suggestions[:8]:
            print(f"  {suggestion.benefit_ms or 0:9.1f} ms saved  {suggestion.ddl}")
        driver.close()
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
