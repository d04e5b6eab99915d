"""SQLite ``EXPLAIN QUERY PLAN`` rows turned into an analysed :class:`~dbtui.core.plan.Plan`.

SQLite answers ``EXPLAIN QUERY PLAN <statement>`` with rows ``(id, parent,
notused, detail)``: ``parent`` is the ``id`` of the enclosing row, 0 for the top
level. Sibling rows are in execution order; for a join, the first ``SCAN`` or
``SEARCH`` row is the outer loop and every later one runs once per row of the
loops before it. The detail strings this module understands (SQLite 3.36 and
later, plus the older ``SCAN TABLE t`` spelling)::

    SCAN t                                   every row of t, in rowid order
    SCAN t USING [COVERING ]INDEX i          every entry of index i, in order
    SEARCH t USING [COVERING ]INDEX i (a=? AND b>?)
    SEARCH t USING INTEGER PRIMARY KEY (rowid=?)
    SEARCH t USING PRIMARY KEY (a=?)         a WITHOUT ROWID table
    SEARCH t USING AUTOMATIC [PARTIAL ][COVERING ]INDEX (b=?)
    SCAN t VIRTUAL TABLE INDEX 1:...
    USE TEMP B-TREE FOR ORDER BY | GROUP BY | DISTINCT | RIGHT PART OF ORDER BY
    CO-ROUTINE x, MATERIALIZE x, SCAN (subquery-1), SCAN CONSTANT ROW
    [CORRELATED ]SCALAR|LIST SUBQUERY n, COMPOUND QUERY, BLOOM FILTER ON t (a=?)

``t`` is the name the statement used, which is the alias when there is one;
callers that know the schema pass ``tables`` to map it to the real table and
its size. SQLite reports no per-node costs or timings, so nodes carry only
labels, relations, indexes and findings. This module does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dbtui.core.plan import Finding, Plan, PlanNode, PlanSummary, Severity
from dbtui.core.plans.errors import clean_errors

ENGINE = "sqlite"

SMALL_TABLE_ROWS = 1_000
"""A full scan of fewer rows than this is only worth a LOW finding."""
LARGE_TABLE_ROWS = 100_000
"""A full scan of at least this many rows is a HIGH finding."""

_LOOP_RE = re.compile(
    r"^(?P<op>SCAN|SEARCH) (?:TABLE )?(?P<name>.+?)(?: AS (?P<alias>\S+))?"
    r"(?: USING (?P<using>.+?))?(?: VIRTUAL TABLE INDEX (?P<vtab>.*))?$"
)
_USING_INDEX_RE = re.compile(
    r"^(?P<automatic>AUTOMATIC )?(?P<partial>PARTIAL )?(?P<covering>COVERING )?INDEX"
    r"(?: (?P<index>[^(]+?))?(?: \((?P<cond>.*)\))?$"
)
_USING_KEY_RE = re.compile(r"^(?P<index>(?:INTEGER )?PRIMARY KEY)(?: \((?P<cond>.*)\))?$")
_TEMP_BTREE_RE = re.compile(r"^USE TEMP B-TREE FOR (?P<purpose>.+)$")
_BLOOM_RE = re.compile(r"^BLOOM FILTER ON (?P<name>.+?)(?: \((?P<cond>.*)\))?$")
_NAMED_RE = re.compile(r"^(?:CO-ROUTINE|MATERIALIZE) (?P<name>.+)$")
_NON_TABLE_RE = re.compile(r"^(?:CONSTANT ROW|\(.*\)|SUBQUERY \d+)$")
_CONDITION_COLUMN_RE = re.compile(r"^\s*(?P<column>.+?)\s*(?:=|<|>|<=|>=| IN\b| IS\b|$)")

# Node types, longest first so that "USE TEMP B-TREE" wins over shorter words.
_NODE_TYPES = (
    "CORRELATED SCALAR SUBQUERY",
    "CORRELATED LIST SUBQUERY",
    "UNION USING TEMP B-TREE",
    "INTERSECT USING TEMP B-TREE",
    "EXCEPT USING TEMP B-TREE",
    "LEFT-MOST SUBQUERY",
    "SCALAR SUBQUERY",
    "USE TEMP B-TREE",
    "LIST SUBQUERY",
    "COMPOUND QUERY",
    "MULTI-INDEX OR",
    "RECURSIVE STEP",
    "BLOOM FILTER",
    "MATERIALIZE",
    "CO-ROUTINE",
    "RIGHT-JOIN",
    "UNION ALL",
    "SEARCH",
    "SETUP",
    "INDEX",
    "SCAN",
)


@dataclass(frozen=True)
class TableInfo:
    """What the caller knows about a name that appears in ``SCAN``/``SEARCH`` rows.

    Attributes:
        name: The real table name (the plan shows the alias when there is one).
        estimated_rows: Approximate row count (from ``sqlite_stat1`` or the
            largest rowid); ``None`` when unknown.
        is_table: See below.
    """

    name: str
    estimated_rows: int | None = None
    is_table: bool = True
    """False when the name is known to be a CTE, view or subquery, which are never
    worth a full-scan finding (the tables they read have their own rows)."""


@dataclass(frozen=True)
class _Row:
    id: int
    parent: int
    notused: int
    detail: str


@dataclass(frozen=True)
class _Context:
    """Where a row sits: facts that make a scan more expensive."""

    per_outer_row: bool = False
    """The row runs once per row of an enclosing loop (inner join loop or correlated subquery)."""
    derived_names: frozenset[str] = frozenset()
    """Names of CTEs and subqueries (from CO-ROUTINE/MATERIALIZE rows): not tables."""


@clean_errors("EXPLAIN QUERY PLAN output this parser understands")
def parse_sqlite_plan(
    rows: Iterable[Sequence[object]],
    statement: str,
    *,
    tables: Mapping[str, TableInfo] | None = None,
    execution_ms: float | None = None,
    rows_returned: int | None = None,
) -> Plan:
    """Build the analysed plan tree from ``EXPLAIN QUERY PLAN`` rows.

    Args:
        rows: ``(id, parent, notused, detail)`` rows in the order SQLite returned them.
        statement: The statement that was explained.
        tables: Plan names (table names or aliases, matched case-insensitively) mapped
            to the real table and its size; names missing here are reported as written.
        execution_ms: Wall-clock time of a real run, in milliseconds, when the statement
            was run (SQLite has no per-node timing, so this is the only timing).
        rows_returned: Rows the real run returned, when it was run.

    Returns:
        A plan whose root is a synthetic ``QUERY PLAN`` node (as in the sqlite3
        shell) holding the top-level rows; ``analysed`` is True when
        ``execution_ms`` is given.
    """
    parsed = [_to_row(row) for row in rows]
    known_ids = {row.id for row in parsed}
    by_parent: dict[int, list[_Row]] = {}
    for row in parsed:
        parent = row.parent if row.parent in known_ids and row.parent != row.id else 0
        by_parent.setdefault(parent, []).append(row)
    derived = frozenset(
        match.group("name").casefold()
        for row in parsed
        if (match := _NAMED_RE.match(row.detail)) is not None
    )
    lookup = {name.casefold(): info for name, info in (tables or {}).items()}
    children = _build_level(by_parent, 0, _Context(derived_names=derived), lookup, set())
    root = PlanNode(
        node_type="QUERY PLAN",
        label="QUERY PLAN",
        children=children,
        inclusive_ms=execution_ms,
        actual_rows=None if rows_returned is None else float(rows_returned),
        raw={"statement": statement},
    )
    return Plan(
        engine=ENGINE,
        statement=statement,
        root=root,
        summary=PlanSummary(execution_ms=execution_ms),
        analysed=execution_ms is not None,
    )


def plan_relation_names(rows: Iterable[Sequence[object]]) -> list[str]:
    """Names that ``SCAN``/``SEARCH``/``BLOOM FILTER`` rows refer to, in order, without repeats.

    A driver looks these up in its schema to build the ``tables`` argument of
    :func:`parse_sqlite_plan`.
    """
    names: list[str] = []
    for row in rows:
        detail = str(row[3])
        match = _LOOP_RE.match(detail) or _BLOOM_RE.match(detail)
        if match is None:
            continue
        name = match.group("name")
        if not _NON_TABLE_RE.match(name) and name not in names:
            names.append(name)
    return names


def _to_row(row: Sequence[object]) -> _Row:
    ident, parent, notused, detail = row[0], row[1], row[2], row[3]
    return _Row(_as_int(ident), _as_int(parent), _as_int(notused), str(detail))


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))


def _build_level(
    by_parent: Mapping[int, list[_Row]],
    parent: int,
    context: _Context,
    tables: Mapping[str, TableInfo],
    seen: set[int],
) -> tuple[PlanNode, ...]:
    """Nodes for the rows under ``parent``, with loop order taken into account."""
    nodes: list[PlanNode] = []
    loops_before = 0
    for row in by_parent.get(parent, []):
        if row.id in seen:  # malformed input with a parent cycle: cut it
            continue
        seen.add(row.id)
        is_loop = _LOOP_RE.match(row.detail) is not None
        here = context
        if is_loop and loops_before > 0:
            here = _Context(per_outer_row=True, derived_names=context.derived_names)
        nodes.append(_build_node(row, by_parent, here, tables, seen))
        loops_before += int(is_loop)
    return tuple(nodes)


def _build_node(
    row: _Row,
    by_parent: Mapping[int, list[_Row]],
    context: _Context,
    tables: Mapping[str, TableInfo],
    seen: set[int],
) -> PlanNode:
    node_type = _node_type(row.detail)
    inner = context
    if node_type.startswith("CORRELATED"):
        inner = _Context(per_outer_row=True, derived_names=context.derived_names)
    children = _build_level(by_parent, row.id, inner, tables, seen)
    relation, index, findings, extra_raw = _describe(row.detail, context, tables)
    raw: dict[str, object] = {
        "id": row.id,
        "parent": row.parent,
        "notused": row.notused,
        "detail": row.detail,
        **extra_raw,
    }
    return PlanNode(
        node_type=node_type,
        label=row.detail,
        children=children,
        relation=relation,
        index=index,
        findings=findings,
        severity=max((finding.severity for finding in findings), default=Severity.NONE),
        raw=raw,
    )


def _node_type(detail: str) -> str:
    for node_type in _NODE_TYPES:
        if detail == node_type or detail.startswith(node_type + " "):
            return node_type
    return detail


def _describe(
    detail: str, context: _Context, tables: Mapping[str, TableInfo]
) -> tuple[str | None, str | None, tuple[Finding, ...], dict[str, object]]:
    """Relation, index, findings and extra raw fields of one row."""
    if (loop := _LOOP_RE.match(detail)) is not None:
        return _describe_loop(loop, context, tables)
    if (temp := _TEMP_BTREE_RE.match(detail)) is not None:
        return None, None, (_temp_btree_finding(temp.group("purpose")),), {}
    if (bloom := _BLOOM_RE.match(detail)) is not None:
        # A Bloom filter is an optimisation SQLite adds on its own; nothing to fix.
        info = tables.get(bloom.group("name").casefold())
        return (info.name if info else bloom.group("name")), None, (), {}
    if detail.startswith("CORRELATED "):
        return None, None, (_correlated_finding(),), {}
    return None, None, (), {}


def _describe_loop(
    loop: re.Match[str], context: _Context, tables: Mapping[str, TableInfo]
) -> tuple[str | None, str | None, tuple[Finding, ...], dict[str, object]]:
    name = loop.group("name")
    if _NON_TABLE_RE.match(name) or name.casefold() in context.derived_names:
        return None, None, (), {}
    info = tables.get(name.casefold()) or tables.get((loop.group("alias") or "").casefold())
    if info is not None and not info.is_table:
        return None, None, (), {"refers to": info.name}
    relation = info.name if info else name
    raw: dict[str, object] = {}
    if info is not None and info.estimated_rows is not None:
        raw["estimated table rows"] = info.estimated_rows
    if loop.group("vtab") is not None:
        return relation, None, (), {**raw, "virtual table index": loop.group("vtab")}
    using = loop.group("using")
    if using is None:
        if loop.group("op") != "SCAN":
            return relation, None, (), raw
        rows = info.estimated_rows if info else None
        return relation, None, (_full_scan_finding(relation, rows, context),), raw
    if (key := _USING_KEY_RE.match(using)) is not None:
        return relation, key.group("index"), (), raw
    index_match = _USING_INDEX_RE.match(using)
    if index_match is None:
        return relation, None, (), raw
    if index_match.group("automatic"):
        finding = _automatic_index_finding(relation, index_match.group("cond") or "")
        return relation, "automatic index", (finding,), raw
    index = (index_match.group("index") or "").strip() or None
    findings: tuple[Finding, ...] = ()
    if loop.group("op") == "SCAN" and not index_match.group("covering"):
        findings = (_index_scan_finding(relation, index or "?"),)
    return relation, index, findings, raw


def _bump(severity: Severity) -> Severity:
    return Severity(min(Severity.HIGH, severity + 1))


def _full_scan_finding(table: str, rows: int | None, context: _Context) -> Finding:
    if rows is None:
        severity, size = Severity.MEDIUM, "every row"
    else:
        size = f"all ~{rows:,} rows"
        if rows < SMALL_TABLE_ROWS:
            severity = Severity.LOW
        elif rows >= LARGE_TABLE_ROWS:
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
    message = f"Full table scan: SQLite reads {size} of {table} because no index fits the query."
    if context.per_outer_row:
        severity = _bump(severity)
        message += " It does so again for every row of the outer loop."
    advice = (
        f"Index the columns of {table} that the WHERE clause or the join compares. "
        "A scan is fine for small tables, or when most rows are needed anyway."
    )
    return Finding("full-scan", severity, message, advice)


def _index_scan_finding(table: str, index: str) -> Finding:
    return Finding(
        "full-index-scan",
        Severity.LOW,
        f"Full index scan: SQLite walks every entry of {index} to read {table} in index "
        "order, then looks up each row in the table.",
        "Usually chosen to avoid a sort. A WHERE condition on the index's first column, "
        "or a covering index, makes it cheaper.",
    )


def _temp_btree_finding(purpose: str) -> Finding:
    partial = purpose.startswith(("RIGHT PART", "LAST TERM", "LAST "))
    severity = Severity.LOW if partial or purpose == "DISTINCT" else Severity.MEDIUM
    if partial:
        message = f"Partial sort ({purpose.lower()}): rows arrive partly ordered by an index."
    else:
        message = (
            f"Sort for {purpose}: SQLite collects the rows in a temporary b-tree "
            "before returning the first one."
        )
    advice = (
        f"An index whose columns match the {purpose.split(' OF ')[-1]} "
        "(after any columns compared with =) lets SQLite read rows already in order."
    )
    return Finding("temp-b-tree", severity, message, advice)


def _automatic_index_finding(table: str, condition: str) -> Finding:
    columns = _condition_columns(condition)
    ddl = ""
    if columns:
        name = quote_identifier(f"{table}_{'_'.join(columns)}_idx")
        cols = ", ".join(quote_identifier(column) for column in columns)
        ddl = f" For example: CREATE INDEX {name} ON {quote_identifier(table)}({cols});"
    return Finding(
        "automatic-index",
        Severity.MEDIUM,
        f"Automatic index: SQLite builds a temporary index on {table} ({condition}) "
        "every time this statement runs, because no permanent index fits.",
        f"Create a permanent index on those columns.{ddl}",
    )


def _correlated_finding() -> Finding:
    return Finding(
        "correlated-subquery",
        Severity.LOW,
        "Correlated subquery: it runs again for every row of the outer query.",
        "Fine when it is an indexed lookup; otherwise consider rewriting it as a join.",
    )


def _condition_columns(condition: str) -> list[str]:
    """Column names of an ``a=? AND b>?`` condition, in order."""
    columns: list[str] = []
    for part in condition.split(" AND "):
        match = _CONDITION_COLUMN_RE.match(part)
        if match and match.group("column") and match.group("column") not in columns:
            columns.append(match.group("column"))
    return columns


_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_KEYWORD_TEXT = """
    ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT
    BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT
    CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
    DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE
    END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR
    FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX
    INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT
    LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET
    ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE
    RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING
    RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO
    TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL
    WHEN WHERE WINDOW WITH WITHOUT
"""
#: SQLite's reserved words (https://sqlite.org/lang_keywords.html), upper case.
SQLITE_KEYWORDS = frozenset(_KEYWORD_TEXT.split())


def quote_identifier(name: str) -> str:
    """``name`` as SQLite SQL: bare when that is unambiguous, else in double quotes.

    >>> quote_identifier("users"), quote_identifier("order"), quote_identifier("a b")
    ('users', '"order"', '"a b"')
    """
    if _IDENTIFIER_RE.match(name) and name.upper() not in SQLITE_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'
