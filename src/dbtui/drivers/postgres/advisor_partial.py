"""Partial and covering (INCLUDE) btree candidates for the PostgreSQL advisor.

Partial: a predicate with a constant that keeps few rows (``deleted_at IS NULL``
when 2% of rows are NULL, ``status = 'open'`` when 3% are open, by ``pg_stats``)
gives candidates ``ON t (other key) WHERE predicate`` (or ``ON t (col) WHERE
predicate`` when the statement has no other key): as fast as a full index and a
fraction of its size. Covering: a SELECT over one table whose select list and
predicates name few columns gives ``ON t (filter keys) INCLUDE (the rest)``, which
an index-only scan can answer without visiting the table.

Both are only candidates: :func:`dbtui.core.advisor.dexter.select` plans each alone
with HypoPG and keeps one only when it beats the plain candidates (see there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pglast import ast

from dbtui.core.advisor.candidates import btree_keys, use_key
from dbtui.core.advisor.indexes import IndexKey, IndexSpec, covering_index, quote_ident
from dbtui.core.advisor.shape import FILTER_USES, ColumnUse, Use
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres import advice_queries as q
from dbtui.drivers.postgres.advisor_catalog import TableFacts
from dbtui.drivers.postgres.sqlwalk import parse_one

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]

PARTIAL_MAX_FRACTION = 0.2
"""A predicate keeping at most this share of the rows is worth a partial index."""
PARTIAL_MAX_DISTINCT = 10
"""... and, for ``col = constant``, when the column has at most this many distinct values (a
status or a flag: a tenant or user id is a parameter that varies, not a fixed filter)."""
MAX_INCLUDE = 4
"""A covering candidate carries at most this many INCLUDE columns."""
MAX_EXTRA = 8
"""Partial and covering candidates per table at most."""


@dataclass(frozen=True)
class Predicate:
    """A constant predicate and the share of rows it keeps (from ``pg_stats``)."""

    column: str
    sql: str
    fraction: float


def extra_candidates(
    rows: Rows, text: str, table: TableFacts, uses: Sequence[ColumnUse]
) -> list[IndexSpec]:
    """Partial and covering candidates for one table (none an existing index serves)."""
    keys = btree_keys(uses, table.columns)
    found: list[IndexSpec] = []
    for predicate in selective_predicates(rows, table, uses):
        others = [k for k in keys if k.column != predicate.column]
        shapes = [(k,) for k in others[:2]] + ([tuple(others[:2])] if len(others) > 1 else [])
        for shape in shapes or [(IndexKey(column=predicate.column),)]:
            found.append(IndexSpec(table.name, table.schema, shape, where=predicate.sql))
    include = covered_columns(text, table, uses)
    filters = [use_key(u) for u in uses if u.use in FILTER_USES and u.expression is None]
    filters = [k for k in dict.fromkeys(filters) if k in keys]
    for width in (1, 2):
        if include is None or len(filters) < width:
            continue
        rest = tuple(c for c in include if c not in {k.column for k in filters[:width]})
        if rest and len(rest) <= MAX_INCLUDE:
            found.append(IndexSpec(table.name, table.schema, tuple(filters[:width]), include=rest))
    unique = [s for s in dict.fromkeys(found) if covering_index(s, table.indexes) is None]
    return unique[:MAX_EXTRA]


def selective_predicates(
    rows: Rows, table: TableFacts, uses: Sequence[ColumnUse]
) -> list[Predicate]:
    """Constant predicates (``IS [NOT] NULL``, ``= literal``) that keep few rows."""
    wanted = [
        u for u in uses
        if u.expression is None
        and (u.use is Use.NULL_TEST or (u.use is Use.EQUALITY and u.constant is not None))
    ]  # fmt: skip
    if not wanted:
        return []
    stats = {
        str(r["column_name"]): r
        for r in rows(q.PARTIAL_STATS, {"schema": table.schema, "name": table.name})
    }
    found: list[Predicate] = []
    for use in wanted:
        row = stats.get(use.column)
        if row is None:
            continue
        fraction = _fraction(use, row, table.reltuples)
        if fraction is None or fraction > PARTIAL_MAX_FRACTION:
            continue
        column = quote_ident(use.column)
        if use.use is Use.NULL_TEST:
            sql = f"{column} {use.operator}"
        else:
            sql = f"{column} = '{str(use.constant).replace(chr(39), chr(39) * 2)}'"
        predicate = Predicate(use.column, sql, fraction)
        if predicate not in found:
            found.append(predicate)
    return found


def _fraction(use: ColumnUse, row: Mapping[str, Any], reltuples: float) -> float | None:
    """Share of rows ``use`` keeps, by ``pg_stats`` (PostgreSQL's own estimate rules)."""
    null_frac = float(row["null_frac"] or 0.0)
    if use.use is Use.NULL_TEST:
        return null_frac if use.operator == "IS NULL" else 1.0 - null_frac
    distinct = float(row["n_distinct"] or 0.0)
    if distinct < 0:
        distinct = -distinct * reltuples
    if distinct > PARTIAL_MAX_DISTINCT:
        return None
    constant = {"true": "t", "false": "f"}.get(str(use.constant), str(use.constant))
    values = [str(v) for v in row["mcv"] or ()]
    freqs = [float(f) for f in row["mcf"] or ()]
    if constant in values:
        return freqs[values.index(constant)]
    rest = distinct - len(values)
    if rest <= 0:
        return 0.0 if values else None
    return max(0.0, 1.0 - sum(freqs) - null_frac) / rest


def covered_columns(
    text: str, table: TableFacts, uses: Sequence[ColumnUse]
) -> tuple[str, ...] | None:
    """Every column of ``table`` a one-table SELECT reads (select list and predicates), when
    they are few enough to carry in an index; ``None`` for ``SELECT *``, expressions, joins."""
    try:
        node = parse_one(text)
    except QueryError:
        return None
    if not isinstance(node, ast.SelectStmt) or not node.fromClause or len(node.fromClause) != 1:
        return None
    if not isinstance(node.fromClause[0], ast.RangeVar):
        return None
    columns: list[str] = []
    for res in node.targetList or ():
        value = getattr(res, "val", None)
        fields = getattr(value, "fields", None) or ()
        name = getattr(fields[-1], "sval", None) if fields else None
        if not isinstance(value, ast.ColumnRef) or not isinstance(name, str):
            return None
        columns.append(name)
    columns += [u.column for u in uses if u.expression is None]
    columns = list(dict.fromkeys(columns))
    if any(c not in table.columns for c in columns):
        return None
    return tuple(columns)
