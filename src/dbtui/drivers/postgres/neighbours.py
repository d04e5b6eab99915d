"""Nearest neighbours of a row: the k-NN query for one row's vector, ready to run.

From a row of a table with a vector column, :func:`neighbours_statement` builds::

    SELECT t.*, t.embedding <=> (SELECT embedding FROM s.items WHERE id = 42) AS distance
      FROM s.items AS t
     WHERE t.embedding IS NOT NULL AND NOT (t.id = 42) [AND (<filter>)]
     ORDER BY t.embedding <=> (SELECT embedding FROM s.items WHERE id = 42)
     LIMIT 10

The row's vector is read by the server (a scalar subquery, which becomes an InitPlan the
HNSW/IVFFlat index scan takes as its search vector), so thousands of numbers never travel
through the client or the editor. The distance operator is the one the column's vector
index serves (:func:`distance_operator`), so the index can be used; ``<->`` when there is
none. Key values are SQL literals; identifiers are quoted. The statement is a plain SELECT:
the UI runs it through the driver's ordinary (read-only-checked) execute path and shows
the neighbours with their distances.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from psycopg import sql

from dbtui.core.advisor.vector import operator_of
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres.vector_advice import table_indexes

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]
DEFAULT_K = 10
DEFAULT_OPERATOR = "<->"
_OPERATORS = frozenset({"<->", "<=>", "<#>", "<+>"})
ALIAS = "t"


#: The primary key columns and the pgvector columns of one table, by schema and name.
TABLE_SHAPE = """
SELECT ARRAY(SELECT a.attname::text
               FROM pg_catalog.pg_index i
               JOIN pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, n) ON true
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.num
              WHERE i.indrelid = c.oid AND i.indisprimary
              ORDER BY k.n) AS key,
       ARRAY(SELECT a.attname::text
               FROM pg_catalog.pg_attribute a
               JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                AND t.typname IN ('vector', 'halfvec', 'sparsevec')
              ORDER BY a.attnum) AS vectors
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s AND c.relname = %(table)s
"""


def table_shape(rows: Rows, schema: str, table: str) -> tuple[list[str], list[str]]:
    """(primary key columns, vector columns) of a table; empty lists when it has none.

    The UI offers "nearest neighbours" on a row only when both are non-empty, and builds
    ``key`` for :func:`neighbours_statement` from the row's values of the key columns.
    """
    found = rows(TABLE_SHAPE, {"schema": schema, "table": table})
    if not found:
        return [], []
    return [str(c) for c in found[0]["key"] or ()], [str(c) for c in found[0]["vectors"] or ()]


def distance_operator(rows: Rows, schema: str, table: str, column: str) -> str:
    """The operator the column's vector index serves (HNSW first); ``<->`` without one."""
    regclass = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    indexes = table_indexes(rows, regclass.as_string(None))
    ranked = sorted(indexes, key=lambda i: (i.method != "hnsw", i.name))
    for index in ranked:
        operator = operator_of(index.opclass)
        if (
            index.method in ("hnsw", "ivfflat")
            and index.valid
            and index.key.strip('"') == column
            and operator is not None
        ):
            return operator
    return DEFAULT_OPERATOR


def neighbours_statement(
    schema: str,
    table: str,
    key: Mapping[str, object],
    column: str,
    *,
    k: int = DEFAULT_K,
    operator: str = DEFAULT_OPERATOR,
    filter_sql: str | None = None,
    include_self: bool = False,
) -> str:
    """The k-NN SELECT for the row identified by ``key`` (column -> value; the primary key).

    Args:
        schema: The table's schema.
        table: The table.
        key: Column -> value identifying the row (its primary key); at least one.
        column: The vector column.
        k: Neighbours wanted (the row itself is left out).
        operator: ``<->``, ``<=>``, ``<#>`` or ``<+>``.
        filter_sql: The current filter (a WHERE condition over the table's columns,
            unqualified or qualified with ``t``), added with AND.
        include_self: Keep the row itself (``k + 1`` rows): with ``<->``, ``<=>`` and
            ``<+>`` it comes first, at distance 0, as the reference the others are read against.

    Raises:
        QueryError: no key, an unknown operator, or k < 1.
    """
    if not key:
        raise QueryError("the row has no key to find it again", "Cannot find neighbours")
    if operator not in _OPERATORS:
        raise QueryError(f"{operator} is not a pgvector distance", "Cannot find neighbours")
    if k < 1:
        raise QueryError("k must be at least 1", "Cannot find neighbours")
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    alias = sql.Identifier(ALIAS)
    vector = sql.Identifier(column)
    inner = sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Literal(value))
        for name, value in key.items()
    )
    outer = sql.SQL(" AND ").join(
        sql.SQL("{}.{} = {}").format(alias, sql.Identifier(name), sql.Literal(value))
        for name, value in key.items()
    )
    probe = sql.SQL("(SELECT {} FROM {} WHERE {})").format(vector, target, inner)
    distance = sql.SQL("{}.{} {} {}").format(alias, vector, sql.SQL(operator), probe)
    where = sql.SQL("{}.{} IS NOT NULL").format(alias, vector)
    if not include_self:
        where = sql.SQL("{} AND NOT ({})").format(where, outer)
    if filter_sql and filter_sql.strip():
        where = sql.SQL("{} AND ({})").format(where, sql.SQL(filter_sql.strip()))
    statement = sql.SQL(
        "SELECT {alias}.*, {distance} AS distance\n  FROM {target} AS {alias}\n"
        " WHERE {where}\n ORDER BY {distance}\n LIMIT {k}"
    ).format(
        alias=alias,
        distance=distance,
        target=target,
        where=where,
        k=sql.Literal(int(k) + int(include_self)),
    )
    return statement.as_string(None)


def nearest_neighbours(
    rows: Rows,
    schema: str,
    table: str,
    key: Mapping[str, object],
    column: str,
    *,
    k: int = DEFAULT_K,
    filter_sql: str | None = None,
    operator: str | None = None,
) -> list[dict[str, Any]]:
    """Run :func:`neighbours_statement` with the column's index operator; rows as dicts.

    Each row holds the table's columns and ``distance``, nearest first.

    Raises:
        QueryError: the row does not exist or its vector is NULL (or the query failed).
    """
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    condition = sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Literal(value))
        for name, value in key.items()
    )
    probe = sql.SQL("SELECT {} IS NOT NULL AS present FROM {} WHERE {}").format(
        sql.Identifier(column), target, condition
    )
    found = rows(_escaped(probe.as_string(None)), {})
    if not found or not found[0]["present"]:
        raise QueryError(
            "the row is gone or its vector is NULL: it has no neighbours",
            "Cannot find neighbours",
        )
    operator = operator or distance_operator(rows, schema, table, column)
    text = neighbours_statement(
        schema, table, key, column, k=k, operator=operator, filter_sql=filter_sql
    )
    return rows(_escaped(text), {})


def _escaped(text: str) -> str:
    """``text`` for a runner that fills ``%(name)s`` placeholders: literal ``%`` doubled."""
    return text.replace("%", "%%")
