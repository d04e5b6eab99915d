"""Full-text and substring search advice: GIN for ``@@``, pg_trgm GIN for ``LIKE '%x%'``.

* ``to_tsvector('english', body) @@ q``: a GIN expression index on exactly that expression
  (the planner matches the index expression, configuration included);
  ``to_tsvector(body)`` without a configuration cannot be indexed (it depends on
  ``default_text_search_config``): the advice says to name the configuration;
* ``doc @@ q`` on a stored ``tsvector`` column: a GIN index on the column;
* ``col LIKE '%x%'`` / ``ILIKE``: a btree cannot help a pattern that does not start with a
  fixed prefix; a pg_trgm GIN index can. When pg_trgm is not installed the advice says how
  to enable it.

HypoPG cannot simulate GIN, so this advice is heuristic. Tables below :data:`MIN_ROWS`
rows get none. No writes: catalog reads only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.stream import RawStream

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.advisor.evidence import plan_lines
from dbtui.core.advisor.indexes import IndexKey, IndexSpec
from dbtui.core.errors import QueryError
from dbtui.core.plan import Plan
from dbtui.drivers.postgres.sqlwalk import _columns, parse_one

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]
ENGINE = "postgresql"
MIN_ROWS = 1_000
"""Smaller tables get no text-search advice (a scan is cheap)."""
TRGM_OPCLASSES = frozenset({"gin_trgm_ops", "gist_trgm_ops"})

#: The table's columns with their types, its indexes' first keys/classes, its row
#: estimate and whether pg_trgm is installed / available, in one round trip.
TABLE_FACTS = """
SELECT greatest(c.reltuples, 0)::float8 AS reltuples, n.nspname AS schema,
       (SELECT pg_catalog.json_object_agg(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       ARRAY(SELECT am.amname || ' ' || opc.opcname || ' '
                    || pg_catalog.pg_get_indexdef(i.indexrelid, 1, true)
               FROM pg_catalog.pg_index i
               JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_catalog.pg_am am ON am.oid = ic.relam
               JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[0]
              WHERE i.indrelid = c.oid AND i.indisvalid AND i.indpred IS NULL) AS indexes,
       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') AS trgm,
       EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_trgm')
         AS trgm_available,
       pg_catalog.current_setting('default_text_search_config') AS default_config
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = pg_catalog.to_regclass(%(table)s)
"""


@dataclass(frozen=True)
class TextUse:
    """One text-search predicate.

    Attributes:
        table: The table as ``to_regclass`` text.
        kind: ``fts-expression``, ``fts-default-config``, ``fts-column`` or ``like``.
        column: The column searched.
        expression: The indexable expression (``to_tsvector('english', body)``), if any.
        operator: ``@@``, ``~~`` (LIKE) or ``~~*`` (ILIKE).
    """

    table: str
    kind: str
    column: str
    expression: str | None
    operator: str


def text_uses(text: str) -> list[TextUse]:
    """The full-text and leading-wildcard LIKE predicates of a single-table SELECT."""
    node = parse_one(text)
    if not isinstance(node, ast.SelectStmt) or not node.fromClause or node.whereClause is None:
        return []
    if len(node.fromClause) != 1 or not isinstance(node.fromClause[0], ast.RangeVar):
        return []
    rel: ast.RangeVar = node.fromClause[0]
    table = RawStream()(ast.RangeVar(schemaname=rel.schemaname, relname=rel.relname, inh=True))
    found: list[TextUse] = []
    for expr in _exprs(node.whereClause):
        use = _fts_use(str(table), expr) or _like_use(str(table), expr)
        if use is not None and use not in found:
            found.append(use)
    return found


def _exprs(node: object) -> Iterator[ast.A_Expr]:
    """Every A_Expr under ``node`` through AND/OR (not inside subqueries)."""
    if isinstance(node, ast.A_Expr):
        yield node
    elif isinstance(node, ast.BoolExpr):
        for arg in node.args or ():
            yield from _exprs(arg)


def _column(node: object) -> str | None:
    if isinstance(node, ast.ColumnRef) and node.fields and isinstance(node.fields[-1], ast.String):
        return str(node.fields[-1].sval)
    return None


def _name(names: tuple[Any, ...] | None) -> str:
    """The last part of a qualified operator or function name."""
    return str(names[-1].sval) if names else ""


def _fts_use(table: str, expr: ast.A_Expr) -> TextUse | None:
    if _name(expr.name) != "@@":
        return None
    for side in (expr.lexpr, expr.rexpr):
        column = _column(side)
        if column is not None:
            return TextUse(table, "fts-column", column, None, "@@")
        if isinstance(side, ast.FuncCall) and _name(side.funcname) == "to_tsvector":
            args = side.args or ()
            if len(args) == 1 and _column(args[0]):
                return TextUse(table, "fts-default-config", str(_column(args[0])), None, "@@")
            if len(args) == 2 and _column(args[1]) and not _has_column(args[0]):
                expression = str(RawStream()(side))
                return TextUse(table, "fts-expression", str(_column(args[1])), expression, "@@")
    return None


def _has_column(node: object) -> bool:
    return bool(_columns(node))


def _like_use(table: str, expr: ast.A_Expr) -> TextUse | None:
    operator = _name(expr.name)
    if operator not in ("~~", "~~*"):
        return None
    column = _column(expr.lexpr)
    pattern = expr.rexpr
    if isinstance(pattern, ast.TypeCast):
        pattern = pattern.arg
    if column is None or not isinstance(pattern, ast.A_Const):
        return None
    value = pattern.val
    if not isinstance(value, ast.String) or not str(value.sval).startswith(("%", "_")):
        return None
    return TextUse(table, "like", column, None, operator)


def _normal(text: str) -> str:
    """An index key or expression in a comparable form (no casts, quotes, spaces, schema)."""
    text = text.lower().replace("::regconfig", "").replace("pg_catalog.", "")
    return re.sub(r"[\s\"()]", "", text)


def text_suggestions(rows: Rows, text: str, plan_now: Plan | None) -> list[Suggestion]:
    """GIN / pg_trgm advice for the text predicates of ``text`` (see the module notes)."""
    try:
        uses = text_uses(text)
    except QueryError:
        return []
    found: list[Suggestion] = []
    facts_of: dict[str, dict[str, Any] | None] = {}
    for use in uses:
        if use.table not in facts_of:
            got = rows(TABLE_FACTS, {"table": use.table})
            facts_of[use.table] = got[0] if got else None
        facts = facts_of[use.table]
        if facts is None or float(facts["reltuples"]) < MIN_ROWS:
            continue
        suggestion = _advise(use, facts, text, plan_now)
        if suggestion is not None and suggestion.ddl not in {s.ddl for s in found}:
            found.append(suggestion)
    return found


def _advise(
    use: TextUse, facts: Mapping[str, Any], text: str, plan_now: Plan | None
) -> Suggestion | None:
    columns: Mapping[str, str] = facts["columns"] or {}
    existing = [str(i).split(" ", 2) for i in facts["indexes"] or ()]
    table = use.table.rsplit(".", 1)[-1].strip('"')
    schema = str(facts["schema"])
    note = "HypoPG cannot simulate GIN indexes, so this is not verified: create it and compare the plans."
    if use.kind == "like":
        if any(opclass in TRGM_OPCLASSES and _normal(key) == _normal(use.column)
               for _m, opclass, key in existing):  # fmt: skip
            return None
        key = IndexKey(column=use.column, opclass="gin_trgm_ops")
        reason = (
            f"Serves {use.column} {'ILIKE' if use.operator == '~~*' else 'LIKE'} '%…%': "
            "a btree cannot help a pattern with a leading wildcard; a pg_trgm GIN index can."
        )
        if not facts["trgm"]:
            how = (
                "CREATE EXTENSION pg_trgm"
                if facts["trgm_available"]
                else "install PostgreSQL's contrib modules, then CREATE EXTENSION pg_trgm"
            )
            note = f"pg_trgm is not installed in this database: {how} first. {note}"
    elif use.kind == "fts-column":
        if base_type(columns.get(use.column, "")) != "tsvector":
            return None
        if any(m in ("gin", "gist") and _normal(k) == _normal(use.column) for m, _o, k in existing):
            return None
        key = IndexKey(column=use.column)
        reason = (
            f"Serves the full-text match {use.column} @@ …: a GIN index on the tsvector column."
        )
    else:
        expression = use.expression
        if use.kind == "fts-default-config":
            config = str(facts["default_config"])
            expression = f"to_tsvector('{config}', {use.column})"
        assert expression is not None
        if any(m in ("gin", "gist") and _normal(k) == _normal(expression) for m, _o, k in existing):
            return None
        key = IndexKey(expression=expression)
        reason = f"Serves the full-text match {expression} @@ …: a GIN index on that expression."
        if use.kind == "fts-default-config":
            reason += (
                f" The query calls to_tsvector({use.column}) without a configuration, which "
                f"cannot be indexed: write {expression} in the query so it can use the index."
            )
    spec = IndexSpec(table, schema, (key,), method="gin")
    evidence = [f"table rows (estimate): {float(facts['reltuples']):,.0f}"]
    if plan_now is not None:
        evidence += ["plan now:", *plan_lines(plan_now)]
    return Suggestion(
        engine=ENGINE,
        target=f"{schema}.{table}",
        ddl=spec.ddl(concurrently=True),
        reason=reason,
        confidence=Confidence.HEURISTIC,
        evidence=tuple(evidence),
        queries=(text,),
        plan_before=plan_now,
        columns=spec.labels,
        method="gin",
        note=note,
    )


def base_type(type_name: str) -> str:
    """``tsvector`` for ``tsvector``; ``character varying`` for ``character varying(20)``."""
    return type_name.split("(", 1)[0].strip().lower()
