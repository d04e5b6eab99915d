"""Browsing vectors and text search on the real PostgreSQL 18 + pgvector + pg_trgm server:
catalog facts, vector cells, nearest neighbours of a row, full-text and trigram advice,
and the hybrid (text rank + vector distance) query."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from drivertools import connected
from psycopg.rows import dict_row

from dbtui.core.catalog import CatalogNode
from dbtui.core.errors import QueryError
from dbtui.core.results import RowsResult
from dbtui.core.values import cell_text, format_value, vector_preview
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.neighbours import (
    distance_operator,
    nearest_neighbours,
    neighbours_statement,
    table_shape,
)
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan

SCHEMA = """
CREATE EXTENSION vector;
CREATE EXTENSION pg_trgm;
CREATE TABLE docs (
    id int PRIMARY KEY,
    kind int NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    emb vector(8),
    half halfvec(4),
    sparse sparsevec(100),
    wide vector(1536)
);
INSERT INTO docs (id, kind, title, body, emb, half, sparse, wide)
SELECT g, g % 4, 'Title ' || g,
       (ARRAY['postgres index advice', 'vector search with hnsw', 'full text search in postgres',
              'redis keys and memory'])[1 + g % 4] || ' number ' || g,
       ARRAY(SELECT sin(g * d) FROM generate_series(1, 8) d)::vector(8),
       ARRAY(SELECT cos(g * d) FROM generate_series(1, 4) d)::halfvec(4),
       ('{' || (1 + g % 50) || ':1.5,' || (51 + g % 50) || ':0.25}/100')::sparsevec,
       CASE WHEN g = 1 THEN ARRAY(SELECT d / 1536.0 FROM generate_series(1, 1536) d)::vector(1536) END
  FROM generate_series(1, 3000) g;
CREATE INDEX docs_emb_cos ON docs USING hnsw (emb vector_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX docs_half_l2 ON docs USING ivfflat (half halfvec_l2_ops) WITH (lists = 10);
CREATE INDEX docs_tsv ON docs USING gin (tsv);
CREATE INDEX docs_title_trgm ON docs USING gist (title gist_trgm_ops);
ANALYZE docs;
"""


@pytest.fixture
def search_url(pgvector_db_url: str) -> str:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return pgvector_db_url


@pytest.fixture
def driver(search_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, search_url)


def table_items(driver: PostgresDriver, folder: str) -> dict[str, CatalogNode]:
    """The nodes of a folder (``columns``, ``indexes``) of public.docs."""
    (database,) = [n for n in driver.children(None) if n.detail == "current"]
    public = next(n for n in driver.children(database) if n.label == "public")
    tables = next(n for n in driver.children(public) if n.label == "Tables")
    docs = next(n for n in driver.children(tables) if n.label == "docs")
    node = next(n for n in driver.children(docs) if n.label == folder.capitalize())
    return {n.label: n for n in driver.children(node)}


def runner(url: str) -> Any:
    conn = psycopg.connect(url, autocommit=True)

    def rows(query: str, params: Any) -> list[dict[str, Any]]:
        with conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []

    return conn, rows


# -- catalog ---------------------------------------------------------------------------------


def test_vector_and_tsvector_columns_show_their_kind_and_dimensions(driver: PostgresDriver) -> None:
    columns = table_items(driver, "columns")
    emb = dict(columns["emb"].meta)
    assert columns["emb"].detail == "vector(8)"
    assert (emb["Vector"], emb["Dimensions"]) == ("dense vector, 4-byte floats", "8")
    assert dict(columns["half"].meta)["Vector"] == "dense vector, 2-byte floats"
    assert dict(columns["sparse"].meta)["Dimensions"] == "100"
    assert dict(columns["wide"].meta)["Dimensions"] == "1536"
    assert dict(columns["tsv"].meta)["Search"] == "full-text document (tsvector)"
    assert "Vector" not in dict(columns["title"].meta)


def test_vector_and_search_indexes_show_class_parameters_and_size(driver: PostgresDriver) -> None:
    indexes = table_items(driver, "indexes")
    hnsw = indexes["docs_emb_cos"]
    assert hnsw.detail.startswith("hnsw vector_cosine_ops m=8 ef_construction=32 ")
    assert hnsw.detail.endswith("kB") or hnsw.detail.endswith("MB")
    facts = dict(hnsw.meta)
    assert facts["Operator class"] == "vector_cosine_ops"
    assert facts["Serves"] == "ORDER BY … <=> … (cosine distance)"
    assert (facts["m"], facts["ef_construction"]) == ("8", "32")
    assert facts["Size"]
    ivf = dict(indexes["docs_half_l2"].meta)
    assert (ivf["Operator class"], ivf["lists"]) == ("halfvec_l2_ops", "10")
    assert indexes["docs_half_l2"].detail.startswith("ivfflat halfvec_l2_ops lists=10")
    assert dict(indexes["docs_tsv"].meta)["Search"] == "full text"
    assert indexes["docs_tsv"].detail.startswith("gin full text")
    trgm = dict(indexes["docs_title_trgm"].meta)
    assert (trgm["Search"], trgm["Operator class"]) == ("trigram (pg_trgm)", "gist_trgm_ops")
    assert indexes["docs_pkey"].detail.startswith("primary btree")


# -- values ----------------------------------------------------------------------------------


def test_vector_cells_preview_and_the_viewer_keeps_the_whole_value(driver: PostgresDriver) -> None:
    (result,) = driver.execute("SELECT emb, half, sparse, wide FROM docs WHERE id = 1")
    assert isinstance(result, RowsResult)
    types = [c.type_name for c in result.columns]
    assert types == ["vector", "halfvec", "sparsevec", "vector"]
    ((emb, half, sparse, wide),) = result.rows.fetch(1)
    assert cell_text(emb, types[0]) == "[0.841, 0.909, 0.141, …] (8d)"
    assert cell_text(half, types[1]).endswith("(4d)")
    assert cell_text(sparse, types[2]) == "{2:1.5, 52:0.25} (100d, 2 non-zero)"
    wide_cell = cell_text(wide, types[3])
    assert wide_cell == "[0.000651, 0.0013, 0.00195, …] (1536d)"
    assert len(wide_cell) < 60
    viewer = format_value(wide, types[3], pretty=True)
    assert viewer == wide
    assert viewer.count(",") == 1535
    assert vector_preview(wide[:1024], "vector") is not None
    assert "≥" in str(vector_preview(wide[:1024], "vector"))
    assert cell_text("plain", "text") == "plain"
    assert vector_preview("[]", "vector") == "[] (0d)"


# -- nearest neighbours of a row -------------------------------------------------------------


def test_nearest_neighbours_use_the_index_operator_and_the_filter(search_url: str) -> None:
    conn, rows = runner(search_url)
    try:
        assert table_shape(rows, "public", "docs") == (["id"], ["emb", "half", "sparse", "wide"])
        assert table_shape(rows, "public", "nosuch") == ([], [])
        assert distance_operator(rows, "public", "docs", "emb") == "<=>"
        assert distance_operator(rows, "public", "docs", "half") == "<->"
        assert distance_operator(rows, "public", "docs", "wide") == "<->"
        found = nearest_neighbours(rows, "public", "docs", {"id": 7}, "emb", k=5)
        exact = rows(
            "SELECT id, emb <=> (SELECT emb FROM docs WHERE id = 7) AS d FROM docs"
            " WHERE id <> 7 ORDER BY d LIMIT 5",
            {},
        )
        filtered = nearest_neighbours(
            rows,
            "public",
            "docs",
            {"id": 7},
            "emb",
            k=3,
            filter_sql="kind = 2 AND title LIKE '%1%'",
        )
        plan = rows(
            "EXPLAIN (FORMAT JSON) "
            + neighbours_statement("public", "docs", {"id": 7}, "emb", k=5, operator="<=>"),
            {},
        )
        with pytest.raises(QueryError, match="NULL"):
            nearest_neighbours(rows, "public", "docs", {"id": 2}, "wide")
    finally:
        conn.close()
    # HNSW is approximate: most of the exact neighbours, each with its true distance
    true = {r["id"]: r["d"] for r in exact}
    assert len({r["id"] for r in found} & set(true)) >= 3
    assert all(abs(r["distance"] - true[r["id"]]) < 1e-6 for r in found if r["id"] in true)
    assert all(r["id"] != 7 for r in found)
    distances = [r["distance"] for r in found]  # nearest first (the index computes in float4)
    assert all(later >= earlier - 1e-6 for earlier, later in itertools.pairwise(distances))
    assert len(filtered) == 3
    assert all(r["kind"] == 2 and "1" in r["title"] for r in filtered)
    assert "docs_emb_cos" in str(plan[0])  # the HNSW index serves it


def test_neighbours_statement_runs_through_the_driver(driver: PostgresDriver) -> None:
    text = neighbours_statement("public", "docs", {"id": 1, "kind": 1}, "half", k=4, operator="<->")
    assert 'NOT ("t"."id" = 1 AND "t"."kind" = 1)' in text
    (result,) = driver.execute(text)
    assert isinstance(result, RowsResult)
    assert result.columns[-1].name == "distance"
    got = result.rows.fetch(10)
    assert len(got) == 4
    assert all(row[0] != 1 for row in got)
    with pytest.raises(QueryError):
        neighbours_statement("public", "docs", {}, "emb")
    with pytest.raises(QueryError):
        neighbours_statement("public", "docs", {"id": 1}, "emb", operator="; DROP")


# -- full text and trigram advice ------------------------------------------------------------


def test_full_text_expression_gets_a_matching_gin_index(driver: PostgresDriver) -> None:
    statement = (
        "SELECT id FROM docs WHERE to_tsvector('english', title) @@ to_tsquery('english', 'title')"
    )
    (gin,) = [s for s in driver.advise(statement) if s.method == "gin"]
    assert gin.ddl == (
        "CREATE INDEX CONCURRENTLY ON public.docs USING gin ((to_tsvector('english', title)))"
    )
    assert not [
        s
        for s in driver.advise("SELECT id FROM docs WHERE tsv @@ to_tsquery('hnsw')")
        if s.method == "gin"
    ]  # the stored tsvector column already has docs_tsv


def test_full_text_without_configuration_says_how_to_index_it(driver: PostgresDriver) -> None:
    (gin,) = [
        s
        for s in driver.advise("SELECT id FROM docs WHERE to_tsvector(title) @@ 'x'::tsquery")
        if s.method == "gin"
    ]
    assert "to_tsvector('pg_catalog.english', title)" in gin.ddl
    assert "without a configuration" in gin.reason


def test_leading_wildcard_like_gets_a_trigram_gin_index(driver: PostgresDriver) -> None:
    suggestions = driver.advise("SELECT id FROM docs WHERE body ILIKE '%hnsw%'")
    (trgm,) = [s for s in suggestions if "gin_trgm_ops" in s.ddl]
    assert trgm.ddl == "CREATE INDEX CONCURRENTLY ON public.docs USING gin (body gin_trgm_ops)"
    assert "leading wildcard" in trgm.reason
    assert (
        not [  # title already has a trigram index
            s
            for s in driver.advise("SELECT id FROM docs WHERE title LIKE '%12%'")
            if "trgm" in s.ddl
        ]
    )


def test_trigram_advice_without_pg_trgm_says_how_to_enable_it(search_url: str) -> None:
    with psycopg.connect(search_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION pg_trgm CASCADE")
    for drv in connected(PostgresDriver, search_url):
        (trgm,) = [
            s
            for s in drv.advise("SELECT id FROM docs WHERE body LIKE '%vector%'")
            if "gin_trgm_ops" in s.ddl
        ]
        assert "CREATE EXTENSION pg_trgm" in trgm.note


# -- the hybrid query ------------------------------------------------------------------------

HYBRID = """
SELECT id, title,
       ts_rank(tsv, q) AS text_rank,
       emb <=> '[1,0,0,0,0,0,0,0]' AS distance,
       0.5 * ts_rank(tsv, q) + 0.5 * (1 - (emb <=> '[1,0,0,0,0,0,0,0]')) AS score
  FROM docs, to_tsquery('english', 'search') AS q
 WHERE tsv @@ q
 ORDER BY score DESC
 LIMIT 10
"""


def test_hybrid_ranking_query_runs_and_its_plan_parses(driver: PostgresDriver) -> None:
    list(driver.execute("SET enable_seqscan = off"))  # 3,000 rows: make the GIN index worth it
    (result,) = driver.execute(HYBRID)
    assert isinstance(result, RowsResult)
    rows = result.rows.fetch(20)
    assert len(rows) == 10
    scores = [float(str(row[4])) for row in rows]
    assert scores == sorted(scores, reverse=True)
    plan = driver.explain(HYBRID, analyze=True)
    estimated = parse_postgres_plan(driver.explain_json(HYBRID), HYBRID)
    nodes = list(_walk(plan.root))
    assert {n.relation for n in nodes if n.relation} == {"docs"}
    assert any(n.index == "docs_tsv" for n in nodes), [n.label for n in nodes]
    assert any(n.node_type == "Limit" for n in nodes)
    assert plan.root.actual_rows == 10
    assert (estimated.root.total_cost or 0) > 0


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in node.children:
        yield from _walk(child)
