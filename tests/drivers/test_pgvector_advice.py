"""pgvector k-NN index advice and the recall check, against the real PostgreSQL 18 + pgvector.

The 100,000 x 128 table is loaded once per worker into a template database (SQL
generate_series + random(), about 2 s) and copied for each test that needs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from conftest import PgvectorLike
from drivertools import connected

from dbtui.core.advice import Confidence
from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.vector_advice import vector_query
from dbtui.drivers.postgres.vector_recall import CHECK_INDEX

BIG = """
CREATE EXTENSION vector;
CREATE TABLE items (id int PRIMARY KEY, category int NOT NULL, embedding vector(128))
    WITH (autovacuum_enabled = off);
INSERT INTO items
SELECT g, g % 10, ARRAY(SELECT random() - 0.5 + g * 0 FROM generate_series(1, 128))::vector(128)
  FROM generate_series(1, 100000) g;
ANALYZE items;
"""

SMALL = """
CREATE EXTENSION vector;
CREATE TABLE docs (id int PRIMARY KEY, kind int NOT NULL, emb vector(16), half halfvec(16));
INSERT INTO docs
SELECT g, g % 5, v, v::halfvec(16)
  FROM generate_series(1, 3000) g,
       LATERAL (SELECT ARRAY(SELECT random() + g * 0 FROM generate_series(1, 16))::vector(16) AS v) s;
CREATE INDEX docs_emb_l2 ON docs USING hnsw (emb vector_l2_ops) WITH (m = 4, ef_construction = 16);
ANALYZE docs;
"""

KNN_COSINE = "SELECT id FROM items ORDER BY embedding <=> $1 LIMIT 10"


@pytest.fixture(scope="module")
def big_template(pgvector_server: PgvectorLike) -> Iterator[str]:
    name = f"tpl_vec_{uuid.uuid4().hex[:12]}"
    url = pgvector_server.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BIG)
    yield name
    pgvector_server.drop_database(name)


@pytest.fixture
def big_url(pgvector_server: PgvectorLike, big_template: str) -> Iterator[str]:
    name = f"v_{uuid.uuid4().hex[:12]}"
    url = pgvector_server.create_database(name, template=big_template)
    yield url
    pgvector_server.drop_database(name)


@pytest.fixture
def big(big_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, big_url)


@pytest.fixture
def small_url(pgvector_db_url: str) -> str:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        conn.execute(SMALL)
    return pgvector_db_url


@pytest.fixture
def small(small_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, small_url)


def index_names(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s ORDER BY 1", ["public"]
            )
        ]


def test_vector_query_reads_column_operator_limit_and_filter() -> None:
    query = vector_query(
        "SELECT id FROM public.items AS i WHERE i.category = 3 ORDER BY i.embedding <#> $1 LIMIT 5"
    )
    assert query is not None
    assert (query.schema, query.table, query.alias, query.column) == (
        "public",
        "items",
        "i",
        "embedding",
    )
    assert (query.operator, query.limit, query.where) == ("<#>", 5, "i.category = 3")
    assert vector_query("SELECT id FROM items ORDER BY id LIMIT 5") is None
    assert vector_query("SELECT id FROM items ORDER BY embedding <-> other LIMIT 5") is None


def test_recall_on_100k_vectors_rises_with_ef_search_and_probes(
    big: PostgresDriver, big_url: str
) -> None:
    """The recall check builds HNSW inside a rolled-back transaction and measures it."""
    (suggestion,) = [s for s in big.advise(KNN_COSINE) if s.method == "hnsw"]
    report = big.advisor.vector_recall(
        KNN_COSINE,
        build=True,
        options={"m": 4, "ef_construction": 16},
        samples=10,
        values=(10, 200),
    )
    assert suggestion.ddl == (
        "CREATE INDEX CONCURRENTLY ON public.items USING hnsw (embedding vector_cosine_ops)"
        " WITH (m = 16, ef_construction = 64)"
    )
    assert suggestion.confidence is Confidence.HEURISTIC
    assert "lists = 100" in " ".join(suggestion.evidence)  # the IVFFlat alternative
    assert "maintenance_work_mem = '106MB'" in " ".join(suggestion.evidence)
    assert report.built
    assert report.method == "hnsw"
    assert report.setting == "hnsw.ef_search"
    assert report.planner_uses_index
    low, high = report.points
    assert (low.value, high.value) == (10, 200)
    assert low.recall < 1.0
    assert high.recall > low.recall
    assert report.exact_ms > 0
    assert low.index_ms > 0
    assert report.speedup(low) is not None
    assert report.size_bytes is not None
    assert report.size_bytes > 1_000_000
    text = "\n".join(report.lines())
    assert "hnsw.ef_search = 10: recall" in text
    assert "rolled back" in text
    assert CHECK_INDEX not in index_names(big_url)  # the rollback removed it
    assert index_names(big_url) == ["items_pkey"]
    # one test, so that one worker loads the 100k table: IVFFlat with a filter next
    statement = "SELECT id FROM items WHERE category = 3 ORDER BY embedding <-> $1 LIMIT 5"
    (suggestion,) = [s for s in big.advise(statement) if s.method == "hnsw"]
    report = big.advisor.vector_recall(
        statement, build=True, method="ivfflat", samples=8, values=(1, 50)
    )
    assert "vector_l2_ops" in suggestion.ddl
    assert any("iterative_scan" in line for line in suggestion.evidence)
    assert report.setting == "ivfflat.probes"
    assert report.k == 5
    one, fifty = report.points
    assert fifty.recall > one.recall
    assert fifty.rows == 5.0
    assert any("category = 3" in note for note in report.notes)
    assert index_names(big_url) == ["items_pkey"]


def test_wrong_operator_class_is_named_and_not_used(small: PostgresDriver, small_url: str) -> None:
    statement = "SELECT id FROM docs ORDER BY emb <=> '[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' LIMIT 10"
    (suggestion,) = [s for s in small.advise(statement) if s.method == "hnsw"]
    assert "docs_emb_l2 uses vector_l2_ops" in suggestion.reason
    assert "cannot use it for <=>" in suggestion.reason
    assert "USING hnsw (emb vector_cosine_ops)" in suggestion.ddl
    with pytest.raises(UnsupportedError, match="vector_l2_ops"):
        small.advisor.vector_recall(statement)
    report = small.advisor.vector_recall(statement, build=True, samples=5, values=(40,))
    assert report.built
    assert report.points[0].recall > 0
    assert index_names(small_url) == ["docs_emb_l2", "docs_pkey"]


@pytest.fixture
def small_read_only(small_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, small_url, read_only=True)


def test_matching_index_gives_no_advice_and_is_measured_read_only(
    small_read_only: PostgresDriver,
) -> None:
    driver = small_read_only
    statement = "SELECT id FROM docs ORDER BY emb <-> $1 LIMIT 10"
    assert not [s for s in driver.advise(statement) if s.method == "hnsw"]
    report = driver.advisor.vector_recall(statement, samples=5, values=(10, 100))
    with pytest.raises(UnsupportedError, match="read-only"):
        driver.advisor.vector_recall("SELECT id FROM docs ORDER BY half <=> $1 LIMIT 3", build=True)
    assert report.index == "docs_emb_l2"
    assert not report.built
    assert report.points[-1].recall >= report.points[0].recall
    assert report.planner_uses_index


def test_halfvec_gets_the_halfvec_class(small: PostgresDriver) -> None:
    (suggestion,) = [
        s
        for s in small.advise("SELECT id FROM docs ORDER BY half <#> $1 LIMIT 3")
        if s.method == "hnsw"
    ]
    assert "(half halfvec_ip_ops)" in suggestion.ddl


def test_recall_check_refuses_a_query_that_is_not_knn(small: PostgresDriver) -> None:
    with pytest.raises(QueryError, match="k-nearest"):
        small.advisor.vector_recall("SELECT id FROM docs ORDER BY id LIMIT 3")
