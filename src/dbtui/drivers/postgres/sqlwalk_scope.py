"""Name scopes of the SQL walker (:mod:`.sqlwalk`): which table a column reference names,
including through inlinable subqueries, CTEs and views, and ORDER BY / GROUP BY items that
name an output column by number or alias. No I/O."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pglast import ast

from dbtui.core.advisor.shape import TableRef

_N = TypeVar("_N", bound=ast.Node)

Target = tuple[TableRef | None, str, tuple[TableRef, ...]]
"""Where an output column of a subquery, CTE or view comes from: (table or None, column,
the tables an unqualified column may belong to)."""


@dataclass
class Scope:
    """Names visible in one query level: alias or table name -> table (None: not a table).

    ``derived`` maps the alias of an inlinable subquery, CTE or view to its output
    columns (``"*"`` for a ``SELECT *`` that passes every column through)."""

    names: dict[str, TableRef | None] = field(default_factory=dict)
    tables: list[TableRef] = field(default_factory=list)
    derived: dict[str, dict[str, Target]] = field(default_factory=dict)


Scopes = tuple[Scope, ...]
"""Innermost first."""


def locate(qualifier: str | None, scopes: Scopes) -> tuple[TableRef | None, tuple[TableRef, ...]]:
    """(the table a reference names, or None with the tables it may belong to)."""
    if qualifier is not None:
        for scope in scopes:
            if qualifier in scope.names:
                return scope.names[qualifier], ()
        return None, ()
    if scopes and len(scopes[0].names) == 1:
        only = next(iter(scopes[0].names.values()))
        return only, ()
    return None, tuple(t for scope in scopes for t in scope.tables)


def through_derived(qualifier: str | None, column: str, scopes: Scopes) -> Target | None:
    """Where ``qualifier.column`` comes from when it names an inlinable subquery, CTE or
    view column; ``None`` when it is not such a column."""
    for scope in scopes:
        if qualifier is not None and qualifier not in scope.names:
            continue
        if qualifier is None:
            if len(scope.names) != 1 or not scope.derived:
                return None
            qualifier = next(iter(scope.names))
        columns = scope.derived.get(qualifier)
        if columns is None:
            return None
        return columns.get(column) or ((None, column, columns["*"][2]) if "*" in columns else None)
    return None


def targets(target_list: Sequence[object] | None, scopes: Scopes) -> dict[str, Target]:
    """Output column name -> its source, for the plain column references of a select list."""
    found: dict[str, Target] = {}
    for res in target_list or ():
        value = getattr(res, "val", None)
        if not isinstance(value, ast.ColumnRef):
            continue
        fields = value.fields or ()
        if fields and isinstance(fields[-1], ast.A_Star):
            tables = tuple(t for t in scopes[0].tables)
            qualifier = getattr(fields[0], "sval", None) if len(fields) > 1 else None
            if qualifier is not None and isinstance(scopes[0].names.get(qualifier), TableRef):
                tables = (scopes[0].names[qualifier],)  # type: ignore[assignment]
            found.setdefault("*", (None, "*", tables))
            continue
        names = [getattr(f, "sval", None) for f in fields]
        if not names or not all(isinstance(n, str) for n in names):
            continue
        column = str(names[-1])
        qualifier = names[-2] if len(names) > 1 else None
        source = through_derived(qualifier, column, scopes)
        if source is None:
            table, scope = locate(qualifier, scopes)
            source = (table, column, scope)
        if source[0] is not None or source[2]:
            found[str(getattr(res, "name", None) or column)] = source
    return found


def output_column(node: object, targets: Sequence[object] | None) -> object:
    """ORDER BY / GROUP BY ``2`` or an output alias: the select-list expression it names."""
    items = list(targets or ())
    if isinstance(node, ast.A_Const):
        number = getattr(node.val, "ival", None)
        if isinstance(number, int) and 0 < number <= len(items):
            return getattr(items[number - 1], "val", node)
    elif isinstance(node, ast.ColumnRef) and node.fields and len(node.fields) == 1:
        name = getattr(node.fields[0], "sval", None)
        for res in items:
            if name is not None and getattr(res, "name", None) == name:
                return getattr(res, "val", node)
    return node


def inlinable(cte: ast.CommonTableExpr, node: object, with_clause: ast.WithClause) -> bool:
    """The planner folds the CTE into the query: a plain SELECT, not recursive, not
    MATERIALIZED, and referenced once (or written NOT MATERIALIZED). A volatile function
    also keeps it materialised; the what-if plans then show no gain, so no harm is done."""
    if with_clause.recursive or not isinstance(cte.ctequery, ast.SelectStmt):
        return False
    materialized = int(getattr(cte.ctematerialized, "value", cte.ctematerialized) or 0)
    if materialized == 1:  # CTEMaterializeAlways
        return False
    if materialized == 2:  # CTEMaterializeNever
        return True
    name = str(cte.ctename)
    refs = [r for r in find_nodes(node, ast.RangeVar) if r.schemaname is None and r.relname == name]
    return len(refs) == 1


def find_nodes(node: object, wanted: type[_N], skip: type[ast.Node] | None = None) -> Iterator[_N]:
    """Every ``wanted`` node under ``node`` (subqueries included unless ``skip``-ped)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(reversed(item))
        elif isinstance(item, ast.Node):
            if skip is not None and isinstance(item, skip):
                continue
            if isinstance(item, wanted):
                yield item
                if wanted is ast.SubLink:
                    continue  # its own walk finds what is inside
            stack.extend(getattr(item, attr) for attr in item)
