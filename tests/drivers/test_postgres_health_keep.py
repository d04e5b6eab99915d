"""Index health: a duplicate pair keeps one copy (and says why); usage counts say since when."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.advice import HealthFinding, HealthKind
from dbtui.core.plan import Severity
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

PAIRS = """
CREATE TABLE items (id int PRIMARY KEY, code int NOT NULL, sku text NOT NULL);
INSERT INTO items SELECT g, g % 5000, 's' || g FROM generate_series(1, 20000) g;
CREATE INDEX items_code_old ON items (code);
CREATE INDEX items_code_new ON items (code);
CREATE UNIQUE INDEX items_sku_manual ON items (sku);
ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE (sku);
ANALYZE;
"""


@pytest.fixture
def driver(postgres_db_url: str) -> Iterator[PostgresDriver]:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(PAIRS)
        conn.execute("SELECT pg_stat_force_next_flush()")
        conn.execute("SELECT pg_stat_reset()")  # nothing scanned: every copy is "unused"
    yield from connected(PostgresDriver, postgres_db_url)


def drops(found: list[HealthFinding]) -> set[str]:
    return {f.subject for f in found if f.ddl.startswith("DROP INDEX")}


def test_a_duplicate_pair_keeps_the_older_copy_and_says_why(driver: PostgresDriver) -> None:
    found = driver.health()
    # never both copies, even though neither was ever scanned
    assert drops(found) & {"public.items_code_old", "public.items_code_new"} == {
        "public.items_code_new"
    }
    (pair,) = [f for f in found if f.subject == "public.items_code_new"]
    assert pair.kind is HealthKind.DUPLICATE_INDEX
    assert "Keep public.items_code_old: it is the older one" in pair.detail
    assert "has not been scanned since statistics were reset" in pair.detail
    assert dict(pair.facts)["kept"] == "public.items_code_old"


def test_the_copy_backing_a_constraint_is_kept(driver: PostgresDriver) -> None:
    found = driver.health()
    assert "public.items_sku_key" not in drops(found)
    (sku,) = [f for f in found if f.subject == "public.items_sku_manual"]
    assert "Keep public.items_sku_key: it backs the constraint items_sku_key" in sku.detail
    assert sku.ddl == "DROP INDEX CONCURRENTLY public.items_sku_manual"  # the constraint stays


def test_usage_findings_say_since_when_statistics_count(driver: PostgresDriver) -> None:
    found = driver.health()
    (window,) = [f for f in found if f.kind is HealthKind.STATS_WINDOW]
    assert window.severity is Severity.NONE
    assert "pg_stat_database.stats_reset" in window.detail
    assert "under 7 days" in window.detail  # just reset: "unused" means little yet
    assert float(dict(window.facts)["days"]) < 1
    assert found[-1] is window  # information, listed last
