"""Workload mode (issue #15): the composite pair of two moderately selective equalities, and
pg_qualstats (preloaded by the harness) as a source of the statements to advise."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected
from harness.postgres import ExternalPostgres, PostgresServer

from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

TICKETS = """
CREATE TABLE tickets (id bigint PRIMARY KEY, tenant_id int NOT NULL, state int NOT NULL,
                      body text NOT NULL) WITH (autovacuum_enabled = off);
INSERT INTO tickets
SELECT g, h % 20, (h / 20) % 25, repeat('b', 40)
FROM generate_series(1, 200000) g, LATERAL (SELECT (g * 7919) % 200000 AS h) s;
ANALYZE;
"""
PAIR = "SELECT * FROM tickets WHERE tenant_id = $1 AND state = $2"


@pytest.fixture
def driver(
    postgres_server: PostgresServer | ExternalPostgres, postgres_db_url: str
) -> Iterator[PostgresDriver]:
    if isinstance(postgres_server, PostgresServer):
        assert postgres_server.has_qualstats  # the Debian PostgreSQL 15 of the harness
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(TICKETS)
        conn.execute("SET max_parallel_workers_per_gather = 0")
        for tenant in range(3):
            conn.execute(
                "SELECT * FROM tickets WHERE tenant_id = %s AND state = %s", [tenant, 7]
            ).fetchall()
        for _ in range(25):  # the top statement by total time; nothing to index in it
            conn.execute("SELECT count(*), max(body) FROM tickets").fetchall()
    yield from connected(PostgresDriver, postgres_db_url)


def test_workload_suggests_the_pair(driver: PostgresDriver) -> None:
    report = driver.advisor.workload(50)
    pairs = [s for s in report.suggestions if set(s.columns) == {"tenant_id", "state"}]
    assert len(pairs) == 1
    assert pairs[0].queries == (PAIR,)


def test_pg_qualstats_brings_statements_beyond_the_top_ones(
    driver: PostgresDriver, postgres_db_url: str
) -> None:
    report = driver.advisor.workload(1)
    queries = [s.query for s in report.statements]
    assert queries[0] == "SELECT count(*), max(body) FROM tickets"  # the top one by time
    assert PAIR in queries  # added because pg_qualstats saw its filters discard rows
    (pair,) = [s for s in report.suggestions if set(s.columns) == {"tenant_id", "state"}]
    source = next(line for line in pair.evidence if line.startswith("found through"))
    assert "tenant_id = ?" in source
    assert "state = ?" in source
    with psycopg.connect(postgres_db_url) as conn:
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert "pg_qualstats" not in extensions  # created for the advisor's transaction only
