"""pgvector index advice for k-nearest-neighbour queries (``ORDER BY col <=> $1 LIMIT k``).

:func:`vector_query` reads such a query; :func:`vector_suggestions` (called from the
advisor's statement path) suggests an HNSW index with the operator class that matches the
query's distance operator, with the IVFFlat alternative, and says so when an existing index
on the column has the wrong class (the planner cannot use it). HypoPG cannot simulate
either method, so these suggestions are heuristic; the recall check
(:mod:`.vector_recall`) verifies one with EXPLAIN and measures its recall@k on request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.stream import RawStream

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.advisor.evidence import plan_lines
from dbtui.core.advisor.indexes import quote_ident
from dbtui.core.advisor.vector import (
    HNSW_DEFAULTS,
    dimensions,
    ivfflat_lists,
    opclass_for,
    operator_name,
    operator_of,
    vector_type,
    with_clause,
)
from dbtui.core.errors import QueryError
from dbtui.core.plan import Plan
from dbtui.drivers.postgres.sqlwalk import _columns, parse_one

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]
"""Runs a query with parameters and returns dict rows."""
ENGINE = "postgresql"
DISTANCE_OPERATORS = frozenset({"<->", "<=>", "<#>", "<+>"})
MIN_ROWS = 1_000
"""A new vector index is suggested for tables at least this big (a wrong class always)."""

#: Every index of one table with its first key, that key's operator class and the storage
#: parameters (``m=16``...), by the table's regclass text.
INDEX_FACTS = """
SELECT c.relname AS name, am.amname AS method, i.indisvalid AS valid,
       i.indpred IS NOT NULL AS partial,
       pg_catalog.pg_get_indexdef(i.indexrelid, 1, true) AS key,
       opc.opcname AS opclass,
       coalesce(c.reloptions, '{}') AS options,
       pg_catalog.pg_relation_size(c.oid) AS size,
       pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
  JOIN pg_catalog.pg_am am ON am.oid = c.relam
  JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[0]
 WHERE i.indrelid = pg_catalog.to_regclass(%(table)s)
 ORDER BY c.relname
"""

#: The column's type (``format_type``) and the table's row estimate.
COLUMN_FACTS = """
SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       greatest(c.reltuples, 0)::float8 AS reltuples,
       n.nspname AS schema, c.relname AS name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = %(column)s
       AND NOT a.attisdropped
 WHERE c.oid = pg_catalog.to_regclass(%(table)s)
"""


@dataclass(frozen=True)
class VectorQuery:
    """A single-table k-NN query.

    Attributes:
        schema: Schema as written, ``None`` when the search path decides.
        table: Table name.
        alias: The alias the query gives the table (or the table name).
        column: The vector column ordered by.
        operator: The distance operator (``<=>``...).
        limit: The LIMIT (k); ``None`` when it is not a literal number.
        where: The WHERE clause as SQL text, ``None`` when there is none.
    """

    schema: str | None
    table: str
    alias: str
    column: str
    operator: str
    limit: int | None
    where: str | None

    @property
    def regclass(self) -> str:
        """The table as ``to_regclass`` text (quoted identifiers)."""
        name = quote_ident(self.table)
        return f"{quote_ident(self.schema)}.{name}" if self.schema else name

    @property
    def from_sql(self) -> str:
        """``schema.table AS alias`` for the recall check's own queries."""
        return f"{self.regclass} AS {quote_ident(self.alias)}"

    @property
    def column_sql(self) -> str:
        """``alias.column``."""
        return f"{quote_ident(self.alias)}.{quote_ident(self.column)}"


@dataclass(frozen=True)
class VectorIndex:
    """An existing index of the table, as far as vector advice cares.

    Attributes:
        name: Index name.
        method: Access method (``hnsw``, ``ivfflat``, ``btree``...).
        key: Its first key as the server prints it.
        opclass: The operator class of that key.
        options: Storage parameters (``m``, ``ef_construction``, ``lists``) as text.
        valid: Not left invalid by a failed build.
        partial: It has a WHERE predicate.
        size: Bytes on disk.
    """

    name: str
    method: str
    key: str
    opclass: str
    options: dict[str, str]
    valid: bool
    partial: bool
    size: int

    def serves(self, column: str, operator: str) -> bool:
        """A valid, non-partial vector index on ``column`` whose class serves ``operator``."""
        return (
            self.method in ("hnsw", "ivfflat")
            and self.valid
            and not self.partial
            and self.key.strip('"') == column
            and operator_of(self.opclass) == operator
        )


def vector_query(text: str) -> VectorQuery | None:
    """The k-NN query in ``text``, or ``None`` when it is not one.

    A SELECT from one table whose first ORDER BY key is ``column <op> expression`` (the
    expression without columns: a constant, ``$1``, a subquery), ``op`` a pgvector distance.

    Raises:
        QueryError: ``text`` does not parse.
    """
    node = parse_one(text)
    if not isinstance(node, ast.SelectStmt) or not node.fromClause or not node.sortClause:
        return None
    if len(node.fromClause) != 1 or not isinstance(node.fromClause[0], ast.RangeVar):
        return None
    rel: ast.RangeVar = node.fromClause[0]
    column, operator = _distance_key(node.sortClause[0].node)
    if column is None or operator is None:
        return None
    limit = None
    count = node.limitCount
    if isinstance(count, ast.A_Const) and isinstance(count.val, ast.Integer):
        limit = int(count.val.ival or 0)
    where = str(RawStream()(node.whereClause)) if node.whereClause is not None else None
    return VectorQuery(
        schema=rel.schemaname,
        table=str(rel.relname),
        alias=str(rel.alias.aliasname) if rel.alias is not None else str(rel.relname),
        column=column,
        operator=operator,
        limit=limit,
        where=where,
    )


def _distance_key(expr: object) -> tuple[str | None, str | None]:
    """(column, operator) of ``col <op> const`` (either side); (None, None) otherwise."""
    if not isinstance(expr, ast.A_Expr) or not expr.name:
        return None, None
    operator = str(expr.name[-1].sval)
    if operator not in DISTANCE_OPERATORS:
        return None, None
    for side, other in ((expr.lexpr, expr.rexpr), (expr.rexpr, expr.lexpr)):
        if isinstance(side, ast.ColumnRef) and side.fields and not _has_column(other):
            last = side.fields[-1]
            if isinstance(last, ast.String):
                return str(last.sval), operator
    return None, None


def _has_column(node: object) -> bool:
    """True when ``node`` refers to a column outside a subquery."""
    return bool(_columns(node))


def table_indexes(rows: Rows, regclass: str) -> list[VectorIndex]:
    """Every index of the table with its first key's operator class and options."""
    found = []
    for row in rows(INDEX_FACTS, {"table": regclass}):
        options = dict(str(o).split("=", 1) for o in row["options"] or () if "=" in str(o))
        found.append(
            VectorIndex(
                name=str(row["name"]),
                method=str(row["method"]),
                key=str(row["key"] or ""),
                opclass=str(row["opclass"]),
                options=options,
                valid=bool(row["valid"]),
                partial=bool(row["partial"]),
                size=int(row["size"] or 0),
            )
        )
    return found


def column_facts(rows: Rows, query: VectorQuery) -> tuple[str, float, str, str]:
    """(type, row estimate, schema, table) of the query's column.

    Raises:
        QueryError: the table or column does not exist.
    """
    found = rows(COLUMN_FACTS, {"table": query.regclass, "column": query.column})
    if not found:
        raise QueryError(f"no column {query.column} in table {query.regclass}", "Cannot advise")
    row = found[0]
    return str(row["type"]), float(row["reltuples"]), str(row["schema"]), str(row["name"])


@dataclass(frozen=True)
class VectorPlan:
    """The index advice for one k-NN query, before any measurement.

    Attributes:
        query: The query.
        type_name: The column's type (``vector(128)``).
        rows: The table's row estimate.
        schema: The table's schema (resolved).
        serving: An existing index that serves the query, if any.
        wrong: Vector indexes on the column whose class does not serve the operator.
        opclass: The class an index needs; ``None`` when pgvector has none for it.
    """

    query: VectorQuery
    type_name: str
    rows: float
    schema: str
    serving: VectorIndex | None
    wrong: tuple[VectorIndex, ...]
    opclass: str | None

    def ddl(
        self, method: str = "hnsw", options: Mapping[str, int] | None = None, *, name: str = ""
    ) -> str:
        """``CREATE INDEX CONCURRENTLY ON t USING hnsw (col opclass) WITH (...)``.

        ``name`` given: a plain (non-concurrent) ``CREATE INDEX name``, for the recall check.
        """
        base = vector_type(self.type_name) or "vector"
        opclass = opclass_for(base, self.query.operator, method)
        if opclass is None:
            raise QueryError(
                f"pgvector has no {method} operator class for {self.query.operator} on {base}",
                "Cannot advise",
            )
        if options is None:
            options = HNSW_DEFAULTS if method == "hnsw" else {"lists": ivfflat_lists(self.rows)}
        table = f"{quote_ident(self.schema)}.{quote_ident(self.query.table)}"
        head = f"CREATE INDEX {quote_ident(name)}" if name else "CREATE INDEX CONCURRENTLY"
        return (
            f"{head} ON {table} USING {method} ({quote_ident(self.query.column)} {opclass})"
            + with_clause(dict(options))
        )


def plan_vector_index(rows: Rows, query: VectorQuery) -> VectorPlan:
    """Look at the column and its indexes (two catalog queries)."""
    type_name, reltuples, schema, _name = column_facts(rows, query)
    base = vector_type(type_name)
    indexes = table_indexes(rows, query.regclass)
    on_column = [
        i for i in indexes if i.method in ("hnsw", "ivfflat") and i.key.strip('"') == query.column
    ]
    serving = next((i for i in on_column if i.serves(query.column, query.operator)), None)
    wrong = tuple(i for i in on_column if operator_of(i.opclass) != query.operator)
    return VectorPlan(
        query=query,
        type_name=type_name,
        rows=reltuples,
        schema=schema,
        serving=serving,
        wrong=wrong,
        opclass=opclass_for(base, query.operator) if base else None,
    )


def vector_suggestions(rows: Rows, text: str, plan_now: Plan | None) -> list[Suggestion]:
    """HNSW advice for the k-NN query ``text`` (none when it is not one or is served).

    Raises:
        QueryError: the catalog could not be read.
    """
    query = vector_query(text)
    if query is None:
        return []
    try:
        plan = plan_vector_index(rows, query)
    except QueryError:
        return []
    if plan.serving is not None or plan.opclass is None:
        return []
    if plan.rows < MIN_ROWS and not plan.wrong:
        return []
    return [_suggestion(plan, text, plan_now)]


def _suggestion(plan: VectorPlan, text: str, plan_now: Plan | None) -> Suggestion:
    query = plan.query
    k = f" LIMIT {query.limit}" if query.limit is not None else ""
    reason = (
        f"Serves ORDER BY {query.column} {query.operator} …{k} "
        f"({operator_name(query.operator)}): an HNSW index with {plan.opclass}."
    )
    for index in plan.wrong:
        served = operator_of(index.opclass)
        what = f"only {served} ({operator_name(served)})" if served else "another operator"
        reason += (
            f" The existing index {index.name} uses {index.opclass}, which serves {what}: "
            f"the planner cannot use it for {query.operator}."
        )
    evidence = [
        f"table rows (estimate): {plan.rows:,.0f}; column type {plan.type_name}",
        f"alternative, faster to build, lower recall: {plan.ddl('ivfflat')}"
        if opclass_for(vector_type(plan.type_name) or "", query.operator, "ivfflat")
        else "IVFFlat has no operator class for this operator and type",
    ]
    memory = _build_memory_mb(plan)
    if memory is not None:
        evidence.append(
            f"build it with SET maintenance_work_mem = '{memory}MB' or more: an HNSW graph "
            "that does not fit builds several times slower"
        )
    if query.where:
        evidence.append(
            "with a WHERE filter an HNSW scan returns at most hnsw.ef_search candidates "
            "before filtering: fewer than k rows may come back; pgvector 0.8 can go on "
            "searching with SET hnsw.iterative_scan = relaxed_order"
        )
    if plan_now is not None:
        evidence += ["plan now:", *plan_lines(plan_now)]
    return Suggestion(
        engine=ENGINE,
        target=f"{plan.schema}.{query.table}",
        ddl=plan.ddl("hnsw"),
        reason=reason,
        confidence=Confidence.HEURISTIC,
        evidence=tuple(evidence),
        queries=(text,),
        plan_before=plan_now,
        columns=(query.column,),
        method="hnsw",
        note="HypoPG cannot simulate HNSW indexes, so this is not verified yet: the recall "
        "check builds it inside a transaction that is rolled back, checks that the planner "
        "uses it and measures recall@k against the exact answer.",
    )


def _build_memory_mb(plan: VectorPlan) -> int | None:
    """A rough maintenance_work_mem (MB) for an HNSW build: vectors plus graph, x1.5."""
    dims = dimensions(plan.type_name)
    base = vector_type(plan.type_name)
    if dims is None or base not in ("vector", "halfvec") or plan.rows < 1:
        return None
    per_row = dims * (4 if base == "vector" else 2) + 2 * HNSW_DEFAULTS["m"] * 6 + 32
    return max(64, int(plan.rows * per_row * 1.5 / (1024 * 1024)) + 1)


def describe_indexes(indexes: Sequence[VectorIndex]) -> list[str]:
    """One line per vector index: ``name: hnsw vector_cosine_ops m=16 (1.2 MB)``."""
    out = []
    for index in indexes:
        options = " ".join(f"{k}={v}" for k, v in index.options.items())
        out.append(f"{index.name}: {index.method} {index.opclass} {options}".rstrip())
    return out
