"""Views in advised statements: their definitions, so filters reach the base tables.

A statement over a view filters the view's columns; the planner folds the view
into the query and the filter lands on a base table. :func:`expand_views` loads
the statement's tables, fetches ``pg_get_viewdef`` for those that are views (and
for views over views), and walks the statement again with the definitions
(:func:`dbtui.drivers.postgres.sqlwalk.extract_shape` walks a view like a
subquery in FROM). Partitioned parents need no expansion: HypoPG indexes them.
"""

from __future__ import annotations

from dbtui.core.advisor.shape import QueryShape
from dbtui.drivers.postgres import advice_queries as q
from dbtui.drivers.postgres.advisor_catalog import TableCache
from dbtui.drivers.postgres.advisor_session import PrivateSession
from dbtui.drivers.postgres.sqlwalk import extract_shape

VIEW_KINDS = frozenset({"v"})
"""Plain views (materialised views are tables to the advisor: they can be indexed)."""
MAX_ROUNDS = 4
"""Views over views are followed this deep."""


def expand_views(
    session: PrivateSession, tables: TableCache, text: str, shape: QueryShape
) -> QueryShape:
    """``shape`` with the uses of view columns moved to the base tables' columns.

    Returns ``shape`` itself when the statement names no view.

    Raises:
        QueryError: a catalog read failed.
    """
    views: dict[tuple[str | None, str], str] = {}
    for _ in range(MAX_ROUNDS):
        facts = tables.load(shape.tables)
        new = {
            ref.key: facts[ref.key].oid
            for ref in shape.tables
            if ref.key in facts and facts[ref.key].relkind in VIEW_KINDS and ref.key not in views
        }
        if not new:
            break
        rows = session.rows(q.VIEW_DEFINITIONS, {"oids": list(new.values())})
        definitions = {int(row["oid"]): str(row["definition"]) for row in rows}
        for key, oid in new.items():
            if oid in definitions:
                views[key] = definitions[oid].strip().rstrip(";")
        shape = extract_shape(text, views)
    return shape
