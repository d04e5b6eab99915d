"""Column uses from the pglast parse tree (pure)."""

from __future__ import annotations

import pytest

from dbtui.core.advisor.shape import ColumnUse, TableRef, Use, resolve
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres.sqlwalk import extract_shape, statement_text


def uses_of(sql: str) -> list[tuple[str | None, str, Use, str]]:
    return [
        (u.table.name if u.table else None, u.expression or u.column, u.use, u.operator)
        for u in extract_shape(sql).uses
    ]


def test_where_join_order_group_with_aliases() -> None:
    shape = extract_shape(
        "SELECT c.country, count(*) FROM orders o JOIN customers AS c ON c.id = o.customer_id "
        "WHERE o.status = 'new' AND o.created_at >= '2024-01-01' AND c.vip "
        "GROUP BY c.country ORDER BY c.country DESC"
    )
    assert [t.name for t in shape.tables] == ["orders", "customers"]
    assert [(u.table.name if u.table else None, u.column, u.use) for u in shape.uses] == [
        ("customers", "id", Use.JOIN),
        ("orders", "customer_id", Use.JOIN),
        ("orders", "status", Use.EQUALITY),
        ("orders", "created_at", Use.RANGE),
        ("customers", "vip", Use.EQUALITY),
        ("customers", "country", Use.GROUP),
        ("customers", "country", Use.ORDER),
    ]
    assert shape.uses[2].constant == "new"
    assert shape.uses[-1].descending


def test_operators_and_expressions() -> None:
    assert uses_of(
        "SELECT * FROM t WHERE lower(email) = 'a' AND x IN (1, 2) AND y BETWEEN 1 AND 5 "
        "AND z LIKE 'ab%' AND w IS NULL AND v = ANY('{1,2}') AND u <> 3 AND NOT (s = 1)"
    ) == [
        ("t", "lower(email)", Use.EQUALITY, "="),
        ("t", "x", Use.EQUALITY, "="),
        ("t", "y", Use.RANGE, "BETWEEN"),
        ("t", "z", Use.LIKE, "~~"),
        ("t", "w", Use.NULL_TEST, "IS NULL"),
        ("t", "v", Use.EQUALITY, "="),
    ]


def test_gin_and_vector_uses() -> None:
    assert uses_of(
        "SELECT * FROM docs WHERE body @> '{\"a\": 1}' AND tags && ARRAY['x'] AND meta ? 'k' "
        "ORDER BY embedding <=> '[1,2,3]' LIMIT 5"
    ) == [
        ("docs", "body", Use.CONTAINS, "@>"),
        ("docs", "tags", Use.CONTAINS, "&&"),
        ("docs", "meta", Use.CONTAINS, "?"),
        ("docs", "embedding", Use.DISTANCE, "<=>"),
    ]
    assert extract_shape("SELECT * FROM docs ORDER BY e <-> '[1]' LIMIT 3").limit == 3


def test_subqueries_ctes_and_dml() -> None:
    shape = extract_shape(
        "WITH recent AS (SELECT * FROM orders WHERE created_at > now()) "
        "SELECT * FROM recent r WHERE r.total > 5 AND EXISTS "
        "(SELECT 1 FROM items i WHERE i.order_id = r.id AND i.sku = 'x')"
    )
    assert [t.name for t in shape.tables] == ["orders", "items"]  # recent is a CTE
    assert ("items", "sku", Use.EQUALITY) in [
        (u.table.name, u.column, u.use) for u in shape.uses if u.table
    ]
    # the CTE is inlined by the planner (referenced once): its column is orders' column
    total = [(u.table, [t.name for t in u.scope]) for u in shape.uses if u.column == "total"]
    assert total == [(None, ["orders"])]
    materialized = extract_shape(
        "WITH recent AS MATERIALIZED (SELECT * FROM orders) SELECT * FROM recent WHERE total > 5"
    )
    assert not any(u.column == "total" for u in materialized.uses)  # fenced: not the table's
    assert uses_of("UPDATE t SET a = 1 FROM u WHERE u.id = t.uid AND u.k > 3") == [
        ("u", "id", Use.JOIN, "="),
        ("t", "uid", Use.JOIN, "="),
        ("u", "k", Use.RANGE, ">"),
    ]
    assert uses_of("DELETE FROM t WHERE id IN (SELECT tid FROM u WHERE flag)") == [
        ("t", "id", Use.EQUALITY, "="),
        ("u", "flag", Use.EQUALITY, "="),
    ]


def test_parameters_and_unqualified_columns() -> None:
    shape = extract_shape("SELECT * FROM a JOIN b ON a.id = b.aid WHERE x = $2 AND y = $1")
    assert shape.params == 2
    unplaced = [u for u in shape.uses if u.table is None]
    assert [u.column for u in unplaced] == ["x", "y"]
    assert [t.name for t in unplaced[0].scope] == ["a", "b"]
    columns = {"a": {"id", "x"}, "b": {"aid", "y"}}
    grouped = resolve(shape, lambda ref: columns[ref.name])
    assert [u.column for u in grouped[(None, "a")]] == ["id", "x"]
    assert [u.column for u in grouped[(None, "b")]] == ["aid", "y"]


def test_explain_prefix_is_removed_and_errors_are_query_errors() -> None:
    assert statement_text("EXPLAIN ANALYZE SELECT * FROM t WHERE a = 1;") == (
        "SELECT * FROM t WHERE a = 1"
    )
    assert statement_text("  SELECT 1;  ") == "SELECT 1"
    with pytest.raises(QueryError):
        extract_shape("SELEC 1")
    with pytest.raises(QueryError, match="exactly one statement"):
        extract_shape("SELECT 1; SELECT 2")


def test_resolve_drops_columns_the_table_lacks() -> None:
    shape = extract_shape("SELECT 1 FROM t WHERE ghost = 1 AND real = 2")
    assert shape.uses[0] == ColumnUse(TableRef("t"), "ghost", Use.EQUALITY, "=", constant="1")
    grouped = resolve(shape, lambda ref: {"real"})
    assert [u.column for u in grouped[(None, "t")]] == ["real"]
