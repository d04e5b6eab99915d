"""The PostgreSQL driver's vector capabilities on the real pgvector server: which results
have nearest neighbours, the statement they run, and the recall check's "build first"."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.capabilities import NearestNeighbours, RecallCheck
from dbtui.core.results import RowsResult
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.vectors import source_table

SCHEMA = """
CREATE EXTENSION vector;
CREATE SCHEMA "We""ird";
CREATE TABLE "We""ird".items (id int PRIMARY KEY, label text, emb vector(3));
INSERT INTO "We""ird".items VALUES (1, 'a', '[1,0,0]'), (2, 'b', '[0.9,0.1,0]'), (3, 'c', '[0,1,0]');
CREATE INDEX items_emb_cos ON "We""ird".items USING hnsw (emb vector_cosine_ops);
CREATE TABLE plain (id int PRIMARY KEY, label text);
CREATE TABLE keyless (label text, emb vector(3));
"""


@pytest.fixture
def driver(pgvector_db_url: str) -> Iterator[PostgresDriver]:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    yield from connected(PostgresDriver, pgvector_db_url)


def test_source_table_is_one_plain_table_only() -> None:
    assert source_table('SELECT * FROM "We""ird".items WHERE id > 1') == ('We"ird', "items")
    assert source_table("SELECT id FROM items t ORDER BY id LIMIT 3") == (None, "items")
    assert source_table("SELECT * FROM a JOIN b USING (id)") is None
    assert source_table("SELECT kind, count(*) FROM a GROUP BY kind") is None
    assert source_table("SELECT 1 UNION SELECT 2") is None
    assert source_table("SELECT 1") is None
    assert source_table("not sql at all (") is None


def test_neighbours_statement_uses_the_index_operator_and_runs(driver: PostgresDriver) -> None:
    assert isinstance(driver, NearestNeighbours)
    statement = 'SELECT id, label FROM "We""ird".items ORDER BY id'
    text = driver.neighbours_statement(statement, ["id", "label"], (1, "a"), k=2)
    assert text is not None
    assert "<=>" in text  # the HNSW index's cosine class
    (result,) = list(driver.execute(text))
    assert isinstance(result, RowsResult)
    rows = list(result.rows.fetch(10))
    assert [row[0] for row in rows] == [1, 2, 3]
    assert float(str(rows[0][-1])) == pytest.approx(0.0, abs=1e-6)


def test_no_neighbours_without_a_vector_or_a_key(driver: PostgresDriver) -> None:
    assert driver.neighbours_statement("SELECT * FROM plain", ["id", "label"], (1, "x")) is None
    keyless = "SELECT * FROM keyless"
    assert driver.neighbours_statement(keyless, ["label", "emb"], ("x", "[1,0,0]")) is None
    items = 'SELECT label FROM "We""ird".items'
    assert driver.neighbours_statement(items, ["label"], ("a",)) is None  # key not shown
    assert driver.neighbours_statement("SELECT * FROM nowhere", ["id"], (1,)) is None


def test_recall_check_asks_to_build_before_it_builds(driver: PostgresDriver) -> None:
    assert isinstance(driver, RecallCheck)
    suggestion = Suggestion(
        "postgresql", "t", "CREATE INDEX ...", "", Confidence.HEURISTIC, method="hnsw"
    )
    assert driver.checks_recall(suggestion)
    assert not driver.checks_recall(
        Suggestion("postgresql", "t", "CREATE INDEX ...", "", Confidence.HEURISTIC)
    )
    statement = 'SELECT id FROM "We""ird".items ORDER BY emb <-> \'[1,0,0]\' LIMIT 2'
    outcome = driver.recall_check(statement, suggestion, build=False)
    assert outcome.lines == ()
    assert "SHARE lock" in outcome.needs_build
    assert "vector_l2_ops" in outcome.needs_build
    measured = driver.recall_check(statement, suggestion, build=True)
    assert measured.needs_build == ""
    assert any("recall" in line.lower() for line in measured.lines)
