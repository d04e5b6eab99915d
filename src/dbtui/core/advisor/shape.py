"""What one SQL statement asks of each table: the model, parsing and column resolution.

:func:`dbtui.drivers.postgres.sqlwalk.extract_shape` walks a statement (SELECT with its
subqueries, CTEs and set operations; INSERT ... SELECT; UPDATE ... FROM; DELETE ... USING; MERGE) and
records every column use an index could serve: WHERE equality and range
predicates, JOIN conditions, ORDER BY, GROUP BY, expression predicates such as
``lower(email) = ...``, jsonb and array containment (GIN) and pgvector distance
ordering (HNSW). Aliases are resolved scope by scope (a subquery sees its outer
query's tables, for correlated references); a column written without a table name
in a query over several tables is left for :func:`resolve`, which needs the
tables' column lists. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from enum import StrEnum


class Use(StrEnum):
    """How a statement uses a column."""

    EQUALITY = "equality"
    """``col = constant``, ``col IN (...)``, ``col = ANY(...)``, a bare boolean column."""
    RANGE = "range"
    """``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``."""
    LIKE = "like"
    """``LIKE`` / ``ILIKE`` (a btree helps only a left-anchored pattern)."""
    NULL_TEST = "null-test"
    """``IS NULL`` / ``IS NOT NULL``."""
    JOIN = "join"
    """``a.col = b.col``: the inner side of a nested loop can look rows up by it."""
    ORDER = "order"
    """``ORDER BY col``: an index in that order avoids the sort."""
    GROUP = "group"
    """``GROUP BY col``."""
    CONTAINS = "contains"
    """jsonb ``@>``, ``?``, ``?|``, ``?&`` or array ``@>``, ``<@``, ``&&``: a GIN index."""
    DISTANCE = "distance"
    """pgvector ``ORDER BY col <-> / <=> / <#> constant``: an HNSW index."""


FILTER_USES = frozenset({Use.EQUALITY, Use.RANGE, Use.LIKE, Use.NULL_TEST})
"""Uses that filter a table's rows by a value from outside the table."""


@dataclass(frozen=True)
class TableRef:
    """A table named in a statement.

    Attributes:
        name: Table name as written (unquoted identifiers are lower case).
        schema: Schema as written, ``None`` when the search path decides.
        alias: The alias the statement gives it, if any.
    """

    name: str
    schema: str | None = None
    alias: str | None = None

    @property
    def key(self) -> tuple[str | None, str]:
        """(schema, name): the same table under different aliases has one key."""
        return (self.schema, self.name)

    @property
    def display(self) -> str:
        """``schema.name`` or ``name``."""
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True)
class ColumnUse:
    """One use of a column (or an expression of one column) by the statement.

    Attributes:
        table: The table the column belongs to; ``None`` when the statement does not
            say (an unqualified column in a query over several tables): see ``scope``.
        column: Column name.
        use: How it is used.
        operator: The operator (``=``, ``<``, ``@>``, ``<=>``, ``IS NULL``...).
        expression: The indexable expression, e.g. ``lower(email)``, when the
            predicate is on an expression of the column rather than the column.
        descending: ORDER BY ... DESC.
        constant: The literal compared with, as text, when it is a literal.
        scope: For an unqualified column, the tables it may belong to, innermost first.
    """

    table: TableRef | None
    column: str
    use: Use
    operator: str = ""
    expression: str | None = None
    descending: bool = False
    constant: str | None = None
    scope: tuple[TableRef, ...] = ()


@dataclass(frozen=True)
class QueryShape:
    """The tables and column uses of one statement.

    Attributes:
        node: The statement's parse node name (``SelectStmt``, ``UpdateStmt``...).
        tables: Real tables the statement reads or writes, without repeats (CTE and
            subquery names are not tables).
        uses: Every column use, in statement order.
        params: The highest ``$n`` parameter number in the text (a normalised or
            prepared statement); 0 when there are none.
        limit: The LIMIT, when it is a literal number.
    """

    node: str
    tables: tuple[TableRef, ...]
    uses: tuple[ColumnUse, ...]
    params: int = 0
    limit: int | None = None

    @property
    def has_params(self) -> bool:
        """The statement has ``$n`` parameters, so it can only be planned generically."""
        return self.params > 0


def resolve(
    shape: QueryShape, columns_of: Callable[[TableRef], Collection[str]]
) -> dict[tuple[str | None, str], list[ColumnUse]]:
    """Column uses grouped by table key, unqualified columns placed by the tables' columns.

    Args:
        shape: What :func:`extract_shape` found.
        columns_of: The column names of a table (empty when unknown).

    Returns:
        ``TableRef.key`` -> the uses of that table's columns, in statement order. An
        unqualified column goes to the first table of its scope that has it; a use
        whose column the table does not have is dropped.
    """
    grouped: dict[tuple[str | None, str], list[ColumnUse]] = {}
    known: dict[tuple[str | None, str], Collection[str]] = {}

    def has(table: TableRef, column: str) -> bool:
        if table.key not in known:
            known[table.key] = columns_of(table)
        return column in known[table.key]

    for use in shape.uses:
        table = use.table
        if table is None:
            table = next((t for t in use.scope if has(t, use.column)), None)
        if table is None or not has(table, use.column):
            continue
        grouped.setdefault(table.key, []).append(replace(use, table=table, scope=()))
    return grouped
