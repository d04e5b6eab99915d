"""PostgreSQL index health checks against planted problems on the harness server."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.advice import HealthFinding, HealthKind
from dbtui.core.plan import Severity
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.health import estimated_index_bytes, health

pytestmark = pytest.mark.postgres

PLANTED = """
CREATE TABLE parents (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO parents SELECT g, 'p' || g FROM generate_series(1, 1000) g;
CREATE TABLE children (
    id int PRIMARY KEY,
    parent_id int NOT NULL REFERENCES parents(id),
    code int NOT NULL,
    kind int NOT NULL,
    note text
);
INSERT INTO children SELECT g, 1 + g % 1000, g % 5000, g % 7, 'n' || g
FROM generate_series(1, 50000) g;
CREATE INDEX children_code_a ON children (code);
CREATE INDEX children_code_b ON children (code);
CREATE INDEX children_kind ON children (kind);
CREATE INDEX children_kind_code ON children (kind, code);
CREATE TABLE dupes (v int);
INSERT INTO dupes VALUES (1), (1);
ANALYZE;
"""


@pytest.fixture
def planted_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(PLANTED)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_v ON dupes (v)")
        conn.execute("SELECT pg_stat_force_next_flush()")  # flushed when the backend idles
        conn.execute("SELECT pg_stat_reset()")  # index builds count as sequential scans
    return postgres_db_url


@pytest.fixture
def driver(planted_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, planted_url)


def of_kind(found: list[HealthFinding], kind: HealthKind) -> list[HealthFinding]:
    return [f for f in found if f.kind is kind]


def test_unindexed_foreign_key_is_reported_with_its_index(driver: PostgresDriver) -> None:
    (fk,) = of_kind(driver.health(), HealthKind.UNINDEXED_FOREIGN_KEY)
    assert fk.target == "public.children"
    assert fk.subject == "children_parent_id_fkey"
    assert fk.ddl == "CREATE INDEX CONCURRENTLY ON public.children (parent_id)"
    assert fk.costs_bytes is not None
    assert fk.costs_bytes > 8192
    assert fk.severity is Severity.MEDIUM
    assert "parents" in fk.detail


def test_duplicate_and_prefix_redundant_indexes(driver: PostgresDriver) -> None:
    found = driver.health()
    (duplicate,) = of_kind(found, HealthKind.DUPLICATE_INDEX)
    assert duplicate.subject == "public.children_code_b"
    assert duplicate.ddl == "DROP INDEX CONCURRENTLY public.children_code_b"
    assert duplicate.frees_bytes is not None
    assert duplicate.frees_bytes > 0
    assert "children_code_a" in duplicate.detail
    (redundant,) = of_kind(found, HealthKind.REDUNDANT_INDEX)
    assert redundant.subject == "public.children_kind"
    assert "children_kind_code" in redundant.detail


def test_unused_indexes_exclude_constraints(driver: PostgresDriver, planted_url: str) -> None:
    with psycopg.connect(planted_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT * FROM children WHERE code = 5").fetchall()  # uses one index
        conn.execute("SELECT pg_stat_force_next_flush()")
    unused = {f.subject for f in of_kind(driver.health(), HealthKind.UNUSED_INDEX)}
    assert "public.children_kind" in unused
    assert "public.children_kind_code" in unused
    assert "public.children_pkey" not in unused  # backs the primary key
    assert "public.parents_pkey" not in unused
    # the duplicate pair is left to the duplicate finding, which keeps one of the two
    assert not {"public.children_code_a", "public.children_code_b"} & unused
    finding = next(f for f in driver.health() if f.subject == "public.children_kind")
    assert finding.ddl == "DROP INDEX CONCURRENTLY public.children_kind"
    assert "since statistics" in finding.detail


def test_invalid_index_left_by_a_failed_concurrent_build(driver: PostgresDriver) -> None:
    (invalid,) = of_kind(driver.health(), HealthKind.INVALID_INDEX)
    assert invalid.subject == "public.dupes_v"
    assert invalid.ddl == "DROP INDEX CONCURRENTLY public.dupes_v"
    assert invalid.severity is Severity.HIGH
    assert "CREATE UNIQUE INDEX dupes_v" in invalid.detail


def test_tables_read_by_big_sequential_scans(driver: PostgresDriver, planted_url: str) -> None:
    assert not of_kind(driver.health(), HealthKind.SEQ_SCANS)
    with psycopg.connect(planted_url, autocommit=True) as conn:
        conn.execute("SET max_parallel_workers_per_gather = 0")  # one scan per query
        for _ in range(5):
            conn.execute("SELECT count(*) FROM children WHERE note = 'x'").fetchall()
        conn.execute("SELECT pg_stat_force_next_flush()")
    (scans,) = of_kind(driver.health(), HealthKind.SEQ_SCANS)
    assert scans.target == "public.children"
    assert dict(scans.facts)["sequential scans"] == "5"


def test_bloat_after_a_mass_delete(driver: PostgresDriver, planted_url: str) -> None:
    with psycopg.connect(planted_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE children SET (autovacuum_enabled = off)")
        conn.execute("DELETE FROM children WHERE id % 10 <> 0")
        conn.execute("ANALYZE children")
    assert not of_kind(driver.health(), HealthKind.TABLE_BLOAT)  # under 20 MB
    found = health(driver.advisor.session.rows, bloat_min_bytes=256 * 1024)
    (table,) = of_kind(found, HealthKind.TABLE_BLOAT)
    assert table.target == "public.children"
    assert table.ddl == "VACUUM (FULL, ANALYZE) public.children"
    assert table.frees_bytes is not None
    assert table.frees_bytes > 1024 * 1024  # about 90 % of the table
    indexes = {f.subject for f in of_kind(found, HealthKind.INDEX_BLOAT)}
    assert "public.children_pkey" in indexes


def test_health_does_not_change_the_database(driver: PostgresDriver, planted_url: str) -> None:
    def indexes() -> list[tuple[object, ...]]:
        with psycopg.connect(planted_url) as conn:
            return conn.execute("SELECT indexrelid::regclass::text FROM pg_index").fetchall()

    before = indexes()
    assert driver.health()
    assert indexes() == before


def test_estimated_index_bytes_grows_with_rows() -> None:
    small = estimated_index_bytes(1_000, 4)
    big = estimated_index_bytes(1_000_000, 4)
    assert small >= 8192
    assert 15_000_000 < big < 30_000_000  # ~20 MB for 1M int keys, before deduplication
