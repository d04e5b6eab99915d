"""SQLite tables and views described like psql's ``\\d``, with their DDL (catalog reads only).

Columns (``pragma_table_xinfo``), indexes (``pragma_index_list``/``pragma_index_info``),
foreign keys (``pragma_foreign_key_list``) and the foreign keys of the other tables of
the same database that reference this one ("Referenced by": SQLite keeps no reverse
index, so every table's list is read, in one query), triggers, the row estimate, and
the size from ``dbstat`` when SQLite has it and the file is small enough for its page
walk to be quick (:data:`DBSTAT_PAGE_LIMIT`). The DDL is what ``sqlite_schema`` keeps:
the ``CREATE`` statements as they were typed, then the indexes and triggers. A member of
an object in the tree (a column, an index, a folder) describes its object.
"""

from __future__ import annotations

import sqlite3

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.describe import Description, Section, facts, non_empty, section
from dbtui.core.errors import QueryError
from dbtui.drivers.sqlite.catalog_members import qualified
from dbtui.drivers.sqlite.planning import row_estimate
from dbtui.drivers.sqlite.plans import quote_identifier as q

DBSTAT_PAGE_LIMIT = 25_000
"""Above this many pages in the file (about 100 MB at 4 KiB pages) sizes are not read:
``dbstat`` visits every page of the table."""

_HIDDEN = {1: "hidden", 2: "generated virtual", 3: "generated stored"}
_ORIGINS = {"c": "", "u": "unique constraint", "pk": "primary key"}


def target(node: CatalogNode) -> tuple[str, str, str] | None:
    """``(schema, kind, name)`` of the table or view ``node`` is or is under, else ``None``."""
    key = node.key
    if len(key) >= 4 and key[0] == "db" and key[2] in (Kind.TABLE, Kind.VIEW):
        return key[1], key[2], key[3]
    return None


def can_describe(node: CatalogNode) -> bool:
    """True for tables, views and their members."""
    return target(node) is not None


def describe(conn: sqlite3.Connection, node: CatalogNode) -> Description:
    """The description of the table or view under ``node``.

    Raises:
        QueryError: ``node`` is not describable or the object is gone.
        sqlite3.Error: a catalog read failed (the driver translates it).
    """
    found = target(node)
    if found is None:
        raise QueryError(f"{node.label} cannot be described", "Nothing to describe")
    schema, _kind, name = found
    master = f"{q(schema)}.sqlite_master"
    row = conn.execute(
        f"SELECT type, sql FROM {master} WHERE name = ? AND type IN ('table', 'view')", (name,)
    ).fetchone()
    if row is None and not name.lower().startswith("sqlite_"):
        raise QueryError(f"{schema}.{name} no longer exists", "Nothing to describe")
    kind, sql = row if row is not None else ("table", None)
    columns = _columns(conn, schema, name)
    indexes = _indexes(conn, schema, name) if kind == "table" else []
    triggers = conn.execute(
        f"SELECT name, sql FROM {master} WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
        (name,),
    ).fetchall()
    sections = non_empty(
        columns,
        section("Indexes", ("Name", "Kind", "Columns", "Where"), (i[:4] for i in indexes)),
        _foreign_keys(conn, schema, name),
        _referenced_by(conn, schema, name),
        section("Triggers", ("Name", "Definition"), triggers),
    )
    statements = [str(sql).rstrip().rstrip(";") + ";"] if sql else []
    statements += [str(i[4]).rstrip().rstrip(";") + ";" for i in indexes if i[4]]
    statements += [str(t[1]).rstrip().rstrip(";") + ";" for t in triggers if t[1]]
    sizes, notes = (
        _sizes(conn, schema, name, [i[0] for i in indexes]) if kind == "table" else ({}, ())
    )
    estimate = row_estimate(conn, schema, name) if kind == "table" and sql else None
    return Description(
        title=f"{kind} {qualified(schema, name)}",
        facts=facts(
            [
                ("Row estimate", f"~{estimate[0]:,} ({estimate[1]})" if estimate else ""),
                *sizes.items(),
                ("Without rowid", "yes" if sql and _without_rowid(str(sql)) else ""),
            ]
        ),
        sections=sections,
        ddl="\n\n".join(statements) + "\n" if statements else "",
        notes=notes if sql else (*notes, "SQLite keeps no SQL for its own tables."),
    )


def _columns(conn: sqlite3.Connection, schema: str, name: str) -> Section:
    rows = conn.execute(
        'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?)',
        (name, schema),
    ).fetchall()
    return section(
        "Columns",
        ("Column", "Type", "Nullable", "Default", "Primary key", "Hidden"),
        (
            (
                col,
                type_name,
                "not null" if not_null else "",
                default,
                f"#{pk}" if pk else "",
                _HIDDEN.get(hidden, ""),
            )
            for col, type_name, not_null, default, pk, hidden in rows
        ),
    )


def _indexes(
    conn: sqlite3.Connection, schema: str, name: str
) -> list[tuple[str, str, str, str, str | None]]:
    """``(name, kind, columns, where, sql)`` of each index of the table."""
    rows = conn.execute(
        'SELECT il.name, il."unique", il.origin, il.partial, m.sql,'
        " (SELECT group_concat(coalesce(ii.name, '(expression)'), ', ')"
        "    FROM pragma_index_info(il.name, ?) ii)"
        " FROM pragma_index_list(?, ?) il"
        f" LEFT JOIN {q(schema)}.sqlite_master m ON m.type = 'index' AND m.name = il.name"
        " ORDER BY il.origin = 'pk' DESC, il.name",
        (schema, name, schema),
    ).fetchall()
    out = []
    for index, unique, origin, partial, sql, cols in rows:
        kind = _ORIGINS.get(str(origin), "") or ("unique" if unique else "")
        where = ""
        if partial and sql and " WHERE " in str(sql).upper():
            where = str(sql)[str(sql).upper().rindex(" WHERE ") + 7 :].strip()
        out.append((str(index), kind, str(cols or ""), where, sql))
    return out


def _foreign_keys(conn: sqlite3.Connection, schema: str, name: str) -> Section:
    rows = conn.execute(
        'SELECT id, "table", "from", "to", on_update, on_delete'
        " FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq",
        (name, schema),
    ).fetchall()
    grouped: dict[int, list[tuple[object, ...]]] = {}
    for row in rows:
        grouped.setdefault(int(row[0]), []).append(row)
    return section(
        "Foreign keys",
        ("Columns", "References", "Actions"),
        (
            (
                ", ".join(str(r[2]) for r in group),
                _reference(str(group[0][1]), [r[3] for r in group]),
                _actions(group[0][5], group[0][4]),
            )
            for group in grouped.values()
        ),
    )


def _referenced_by(conn: sqlite3.Connection, schema: str, name: str) -> Section:
    """Foreign keys of every table of ``schema`` whose parent is ``name`` (one query)."""
    rows = conn.execute(
        'SELECT m.name, f.id, f."from", f."to", f.on_update, f.on_delete'
        f" FROM {q(schema)}.sqlite_master m, pragma_foreign_key_list(m.name, ?) f"
        " WHERE m.type = 'table' AND f.\"table\" = ? COLLATE NOCASE"
        " ORDER BY m.name, f.id, f.seq",
        (schema, name),
    ).fetchall()
    grouped: dict[tuple[str, int], list[tuple[object, ...]]] = {}
    for row in rows:
        grouped.setdefault((str(row[0]), int(row[1])), []).append(row)
    return section(
        "Referenced by",
        ("Table", "Columns", "References", "Actions"),
        (
            (
                table,
                ", ".join(str(r[2]) for r in group),
                _reference(name, [r[3] for r in group]),
                _actions(group[0][5], group[0][4]),
            )
            for (table, _id), group in grouped.items()
        ),
    )


def _reference(parent: str, targets: list[object]) -> str:
    named = [str(t) for t in targets if t is not None]
    return f"{parent}({', '.join(named)})" if named else f"{parent} (primary key)"


def _actions(on_delete: object, on_update: object) -> str:
    return ", ".join(
        f"ON {verb} {action}"
        for verb, action in (("DELETE", on_delete), ("UPDATE", on_update))
        if action not in (None, "NO ACTION")
    )


def _sizes(
    conn: sqlite3.Connection, schema: str, name: str, indexes: list[str]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Table and index sizes from ``dbstat``, or a note saying why they are missing."""
    pages = conn.execute(f"PRAGMA {q(schema)}.page_count").fetchone()[0]
    if pages > DBSTAT_PAGE_LIMIT:
        return {}, (f"Sizes not read: the file has {pages:,} pages (dbstat would read them).",)
    try:
        sizes = dict(
            conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat(?) WHERE name IN"
                f" ({', '.join('?' * (len(indexes) + 1))}) GROUP BY name",
                (schema, name, *indexes),
            ).fetchall()
        )
    except sqlite3.OperationalError:
        return {}, ("Sizes not shown: this SQLite has no dbstat table.",)
    table = int(sizes.get(name) or 0)
    index = sum(int(sizes.get(i) or 0) for i in indexes)
    shown = {"Table size": _human(table)}
    if indexes:
        shown["Index size"] = _human(index)
    return shown, ()


def _human(size: int) -> str:
    """Bytes as ``4,096 bytes``, ``12.0 KiB``, ``1.5 MiB``."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value):,} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return ""  # pragma: no cover - the loop always returns


def _without_rowid(sql: str) -> bool:
    return " ".join(sql.upper().split()).rstrip(";").endswith("WITHOUT ROWID")
