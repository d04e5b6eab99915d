"""Gathering what :func:`dbtui.drivers.sqlite.plans.parse_sqlite_plan` needs from a live database.

EXPLAIN QUERY PLAN names tables by the alias the statement gave them, so
aliases are resolved from the statement (sqlparse) before the names are looked
up in the schema. Table sizes come from ``sqlite_stat1`` when ANALYZE has run,
else from the largest rowid (an index lookup, never a scan).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

import sqlparse
from sqlparse.exceptions import SQLParseError
from sqlparse.sql import Identifier

from dbtui.drivers.sqlite.plans import TableInfo
from dbtui.drivers.sqlite.plans import quote_identifier as q

PlanRow = tuple[int, int, int, str]
_USES_RE = re.compile(r"uses (\d+)")


class NullParameters(dict[str, None]):
    """A parameter mapping that answers NULL for every ``:name`` (plans only)."""

    def __missing__(self, key: str) -> None:
        return None


def plan_cursor(conn: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    """Run ``sql`` (an EXPLAIN), binding NULL to any parameters it contains.

    The plan of ``WHERE id = ?`` does not depend on the value, so explaining a
    statement copied from application code just works.
    """
    try:
        return conn.execute(sql)
    except sqlite3.ProgrammingError as exc:
        uses = _USES_RE.search(str(exc))
        if uses is None:
            raise
        try:
            return conn.execute(sql, NullParameters())
        except sqlite3.ProgrammingError:
            return conn.execute(sql, (None,) * int(uses.group(1)))


def query_plan_rows(conn: sqlite3.Connection, statement: str) -> list[PlanRow]:
    """The ``(id, parent, notused, detail)`` rows of EXPLAIN QUERY PLAN."""
    rows = plan_cursor(conn, f"EXPLAIN QUERY PLAN {statement}").fetchall()
    return [(int(a), int(b), int(c), str(d)) for a, b, c, d in rows]


def alias_map(statement: str) -> dict[str, tuple[str | None, str]]:
    """Aliases used in ``statement`` (case-folded) -> (schema or None, table name)."""
    aliases: dict[str, tuple[str | None, str]] = {}
    try:
        parsed_all = sqlparse.parse(statement)
    except SQLParseError:  # more than 10,000 tokens: no aliases, names are used as written
        return aliases
    for parsed in parsed_all:
        stack = [parsed]
        while stack:
            group = stack.pop()
            for token in group.tokens:
                if isinstance(token, Identifier):
                    alias, real = _text(token, "get_alias"), _text(token, "get_real_name")
                    if alias and real and alias.casefold() not in aliases:
                        aliases[alias.casefold()] = (_text(token, "get_parent_name"), real)
                if token.is_group:
                    stack.append(token)
    return aliases


def _text(token: Identifier, method: str) -> str | None:
    """Call an (untyped) sqlparse accessor that returns a name or None."""
    value = getattr(token, method)()
    return None if value is None else str(value)


def table_infos(
    conn: sqlite3.Connection, statement: str, names: Sequence[str]
) -> dict[str, TableInfo]:
    """What each plan name refers to: a table with its estimated size, or not a table.

    Names that are neither a table nor a known alias are left out (the plan
    then reports them as written).
    """
    aliases = alias_map(statement)
    if any(name.casefold() not in aliases for name in names):
        for view_sql in _view_sources(conn, statement):
            for alias, target in alias_map(view_sql).items():
                aliases.setdefault(alias, target)
    infos: dict[str, TableInfo] = {}
    for name in names:
        schema, table = aliases.get(name.casefold(), (None, name))
        found = _find_table(conn, schema, table) or _find_table(conn, None, name)
        if found is not None:
            infos[name] = TableInfo(found[1], estimate_rows(conn, *found))
        elif name.casefold() in aliases:
            infos[name] = TableInfo(table, None, is_table=False)
    return infos


def _view_sources(conn: sqlite3.Connection, statement: str, depth: int = 3) -> list[str]:
    """SQL of the views ``statement`` mentions, and of the views those mention."""
    try:
        views = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'view'"
            " UNION ALL SELECT name, sql FROM sqlite_temp_master WHERE type = 'view'"
        ).fetchall()
    except sqlite3.Error:
        return []
    sources: list[str] = []
    texts: list[str] = [statement]
    seen: set[str] = set()
    for _ in range(depth):
        mentioned = [
            (name, sql)
            for name, sql in views
            if name not in seen and sql and any(_mentions(text, name) for text in texts)
        ]
        seen.update(name for name, _ in mentioned)
        texts = [sql for _, sql in mentioned]
        sources += texts
    return sources


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text, re.IGNORECASE) is not None


def _find_table(conn: sqlite3.Connection, schema: str | None, name: str) -> tuple[str, str] | None:
    """(schema, name) of the table SQLite would resolve ``name`` to (temp, main, attached)."""
    try:
        row = conn.execute(
            "SELECT schema, name FROM pragma_table_list"
            " WHERE name = ? COLLATE NOCASE AND type = 'table' AND (?2 IS NULL OR schema = ?2)"
            " ORDER BY schema = 'temp' DESC, schema = 'main' DESC LIMIT 1",
            (name, schema),
        ).fetchone()
    except sqlite3.Error:
        return None
    return (str(row[0]), str(row[1])) if row else None


def estimate_rows(conn: sqlite3.Connection, schema: str, table: str) -> int | None:
    """Approximate row count without scanning; ``None`` when there is no cheap way."""
    estimate = row_estimate(conn, schema, table)
    return estimate[0] if estimate else None


def row_estimate(conn: sqlite3.Connection, schema: str, table: str) -> tuple[int, str] | None:
    """(approximate rows, where the figure comes from), or ``None`` when unknown.

    ``sqlite_stat1`` (written by ANALYZE) is preferred; otherwise the largest
    rowid, an index lookup that over-counts after deletes. Neither scans the table.
    """
    try:
        stats = conn.execute(
            f"SELECT stat FROM {q(schema)}.sqlite_stat1 WHERE tbl = ? COLLATE NOCASE", (table,)
        ).fetchall()
        counts = [int(stat.split()[0]) for (stat,) in stats if stat and stat.split()[0].isdigit()]
        if counts:
            return max(counts), "sqlite_stat1"
    except sqlite3.Error:
        pass  # no sqlite_stat1: ANALYZE never ran
    try:
        row = conn.execute(f"SELECT max(rowid) FROM {q(schema)}.{q(table)}").fetchone()
    except sqlite3.Error:  # WITHOUT ROWID tables have no rowid
        return None
    return (int(row[0]) if row and row[0] is not None else 0), "largest rowid"
