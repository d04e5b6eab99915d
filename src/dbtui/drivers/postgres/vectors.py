"""The vector capabilities of the PostgreSQL driver: a row's neighbours, the recall check.

:class:`~dbtui.core.capabilities.NearestNeighbours` and
:class:`~dbtui.core.capabilities.RecallCheck` of
:class:`~dbtui.drivers.postgres.driver.PostgresDriver` delegate here: which table a
result came from (a SELECT from one table), its key and pgvector columns
(:mod:`.neighbours`), and whether a recall check must build its index first
(:mod:`.vector_recall`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pglast import ast

from dbtui.core.advice import Suggestion
from dbtui.core.capabilities.vectors import RecallOutcome
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres.advisor import PostgresAdvisor
from dbtui.drivers.postgres.neighbours import (
    Rows,
    distance_operator,
    neighbours_statement,
    table_shape,
)
from dbtui.drivers.postgres.sqlwalk import parse_one, statement_text
from dbtui.drivers.postgres.vector_advice import plan_vector_index, vector_query
from dbtui.drivers.postgres.vector_recall import CHECK_INDEX

#: Index methods whose recall the check measures (approximate indexes of pgvector).
APPROXIMATE_METHODS = frozenset({"hnsw", "ivfflat"})

RESOLVE = """
SELECT n.nspname::text AS schema, c.relname::text AS name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = pg_catalog.to_regclass(%(name)s)
"""


def source_table(statement: str) -> tuple[str | None, str] | None:
    """(schema as written or ``None``, table) when ``statement`` is a plain SELECT from one
    table (no join, grouping, DISTINCT or set operation); else ``None``."""
    try:
        node = parse_one(statement_text(statement))
    except QueryError:
        return None
    if (
        not isinstance(node, ast.SelectStmt)
        or node.larg is not None
        or node.valuesLists
        or node.groupClause
        or node.distinctClause
        or not node.fromClause
        or len(node.fromClause) != 1
        or not isinstance(node.fromClause[0], ast.RangeVar)
    ):
        return None
    rel: ast.RangeVar = node.fromClause[0]
    return rel.schemaname, str(rel.relname)


def _resolve(rows: Rows, schema: str | None, table: str) -> tuple[str, str] | None:
    """(schema, table) as stored, the search path deciding an unqualified name."""
    quoted = '"' + table.replace('"', '""') + '"'
    if schema:
        quoted = '"' + schema.replace('"', '""') + '".' + quoted
    found = rows(RESOLVE, {"name": quoted})
    return (str(found[0]["schema"]), str(found[0]["name"])) if found else None


def result_neighbours(
    rows: Rows, statement: str, columns: Sequence[str], row: Sequence[object], k: int
) -> str | None:
    """The k-NN statement for ``row`` of ``statement``'s result (the row itself included,
    first); ``None`` when the result has no single source table with a primary key among
    ``columns`` and a vector column (see
    :meth:`dbtui.core.capabilities.NearestNeighbours.neighbours_statement`)."""
    source = source_table(statement)
    resolved = _resolve(rows, *source) if source is not None else None
    if resolved is None:
        return None
    schema, table = resolved
    key, vectors = table_shape(rows, schema, table)
    positions: dict[str, int] = {}
    for number, name in enumerate(columns):
        positions.setdefault(name, number)
    if not key or not vectors or any(name not in positions for name in key):
        return None
    if len(row) < len(columns):
        return None
    values = {name: row[positions[name]] for name in key}
    column = vectors[0]
    operator = distance_operator(rows, schema, table, column)
    return neighbours_statement(
        schema, table, values, column, k=k, operator=operator, include_self=True
    )


def checks_recall(suggestion: Suggestion) -> bool:
    """True for an HNSW or IVFFlat suggestion."""
    return suggestion.method in APPROXIMATE_METHODS


def recall_outcome(
    advisor: PostgresAdvisor, statement: str, suggestion: Suggestion, *, build: bool
) -> RecallOutcome:
    """Run the recall check (see :meth:`PostgresAdvisor.vector_recall`).

    Without ``build`` on a writable connection, when no index serves the query yet, nothing
    is measured: the outcome's ``needs_build`` says why and what building one means.
    """
    method = suggestion.method if suggestion.method in APPROXIMATE_METHODS else "hnsw"
    if not build and not advisor.read_only:
        query = vector_query(statement_text(statement))
        if query is not None:
            plan = plan_vector_index(advisor.session.rows, query)
            if plan.serving is None:
                return RecallOutcome(
                    needs_build=_build_question(plan.ddl(method, None, name=CHECK_INDEX))
                )
    report = advisor.vector_recall(statement, build=build and not advisor.read_only, method=method)
    return RecallOutcome(tuple(report.lines()))


def _build_question(ddl: str) -> str:
    """What building the index for the check means, for the confirmation."""
    return (
        "No index serves this query yet. To measure recall, dbtui builds\n"
        f"  {ddl}\n"
        "inside a transaction that is rolled back afterwards (nothing stays). While it "
        "builds and is measured, the table holds a SHARE lock: writes to it wait. "
        "On a large table the build can take minutes (Esc cancels)."
    )
