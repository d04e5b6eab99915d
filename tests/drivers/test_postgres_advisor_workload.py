"""Workload mode: pg_stat_statements' top statements, advised, merged and ranked."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.advice import Confidence
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.advisor import PostgresAdvisor
from dbtui.drivers.postgres.advisor_session import PrivateSession
from dbtui.drivers.postgres.connection import open_connection

pytestmark = pytest.mark.postgres

EVENTS = """
CREATE TABLE events (id bigint PRIMARY KEY, user_id int NOT NULL, kind int NOT NULL,
                     created_at timestamptz NOT NULL, payload text NOT NULL);
INSERT INTO events
SELECT g, g % 20000, g % 50, timestamptz '2024-01-01' + g * interval '1 minute', 'p' || g
FROM generate_series(1, 200000) g;
CREATE TABLE small (id int PRIMARY KEY, name text);
INSERT INTO small SELECT g, 'n' || g FROM generate_series(1, 20) g;
ANALYZE;
"""


@pytest.fixture
def busy_url(postgres_db_url: str) -> str:
    """A database whose pg_stat_statements entries hold a small recorded workload."""
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(EVENTS)
        conn.execute("SET max_parallel_workers_per_gather = 0")
        for user in range(30):
            conn.execute("SELECT * FROM events WHERE user_id = %s", [user]).fetchall()
        for key in range(3):
            conn.execute("SELECT id FROM events WHERE payload = %s", [f"p{key}"]).fetchall()
        for key in range(5):
            conn.execute("SELECT * FROM small WHERE id = %s", [key]).fetchall()
        conn.execute("CREATE TEMP TABLE scratch (v int)")
    return postgres_db_url


@pytest.fixture
def driver(busy_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, busy_url)


def test_workload_suggestions_are_merged_and_ranked(driver: PostgresDriver) -> None:
    report = driver.advisor.workload(50)
    by_ddl = {s.ddl: s for s in report.suggestions}
    user = by_ddl["CREATE INDEX CONCURRENTLY ON public.events (user_id)"]
    assert user.confidence is Confidence.VERIFIED
    assert user.benefit_ms is not None
    assert user.benefit_ms > 0
    assert user.queries == ("SELECT * FROM events WHERE user_id = $1",)
    assert "CREATE INDEX CONCURRENTLY ON public.events (payload)" in by_ddl
    benefits = [s.benefit_ms or 0.0 for s in report.suggestions]
    assert benefits == sorted(benefits, reverse=True)
    assert not any("small" in s.target for s in report.suggestions)  # 20 rows: too cheap
    assert all("scratch" not in query for query, _ in report.skipped)  # utility: left out
    queries = {s.query for s in report.statements}
    assert "SELECT * FROM small WHERE id = $1" in queries
    again = driver.workload(50)  # the advisor's own statements do not crowd the workload out
    assert [s.ddl for s in again] == [s.ddl for s in report.suggestions]


def test_workload_leaves_no_extension_behind(driver: PostgresDriver, busy_url: str) -> None:
    assert driver.workload(10)
    with psycopg.connect(busy_url) as conn:
        rows = conn.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()
    assert rows == [("plpgsql",)]


def test_heuristic_workload_without_hypopg(busy_url: str) -> None:
    advisor = PostgresAdvisor(
        lambda: open_connection(busy_url, "test"), "test", read_only=False, use_hypopg=False
    )
    try:
        report = advisor.workload(50)
    finally:
        advisor.close()
    assert "HypoPG verification was turned off" in report.note
    ddls = [s.ddl for s in report.suggestions]
    assert "CREATE INDEX CONCURRENTLY ON public.events (user_id)" in ddls
    assert all(s.confidence is Confidence.HEURISTIC for s in report.suggestions)


def test_private_session_is_not_the_user_session(driver: PostgresDriver) -> None:
    session = driver.advisor.session
    assert isinstance(session, PrivateSession)
    (row,) = session.rows(
        "SELECT pg_backend_pid() AS pid, current_setting('application_name') AS app"
    )
    assert row["pid"] != driver.backend_pid
    assert row["app"] == "dbtui advisor"
