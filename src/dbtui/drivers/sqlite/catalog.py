"""The SQLite catalog tree, one level at a time.

Layout (keys in brackets)::

    main                              database     ("db", "main")
      Tables (n)                      folder       ("db", "main", "tables")
        users                         table        ("db", "main", "table", "users")
          Columns (n)                 folder       (..., "users", "columns")
            id  INTEGER PK            column
          Indexes (n)                 folder       (..., "users", "indexes")
          Foreign keys (n)            folder       only when there are some
          Triggers (n)                folder       only when there are some
      Views (n)                       folder       ("db", "main", "views")
        recent_posts                  view         columns and triggers below
      System tables (n)               folder       sqlite_schema, sqlite_stat1, FTS shadows...

Attached databases appear next to ``main``; ``temp`` only when it holds
something. Every level costs one to three queries whatever the schema size,
and nothing here reads table data (no row counts: a COUNT(*) is a full scan).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.drivers.sqlite.catalog_members import (
    columns,
    foreign_keys,
    indexes,
    qualified,
    schema_sql,
    triggers,
)
from dbtui.drivers.sqlite.plans import quote_identifier as q

Meta = tuple[tuple[str, str], ...]

_FOLDERS = {"tables": "Tables", "views": "Views", "system": "System tables"}


def children(conn: sqlite3.Connection, node: CatalogNode | None) -> list[CatalogNode]:
    """The catalog nodes under ``node`` (``None``: the databases).

    Raises:
        sqlite3.Error: a catalog query failed (the driver translates it).
    """
    if node is None:
        return databases(conn)
    key = node.key
    if len(key) == 2 and key[0] == "db":
        return database_folders(conn, key[1])
    if len(key) == 3 and key[2] in _FOLDERS:
        return relations(conn, key[1], key[2])
    if len(key) == 4 and key[2] in (Kind.TABLE, Kind.VIEW):
        return relation_folders(conn, key[1], key[2], key[3])
    if len(key) == 5:
        loader = _LOADERS.get(key[4])
        if loader is not None:
            return loader(conn, key[1], key[2], key[3])
    return []


def databases(conn: sqlite3.Connection) -> list[CatalogNode]:
    """``main``, ``temp`` when it holds objects, and attached databases."""
    nodes = []
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "temp" and not _has_objects(conn, name):
            continue
        meta = (("file", file or "(in memory)"), *_database_facts(conn, name))
        nodes.append(
            CatalogNode(
                key=("db", name),
                label=name,
                kind=Kind.DATABASE,
                detail=_short_file(file),
                expandable=True,
                insert_text=schema_sql(name),
                meta=meta,
            )
        )
    return nodes


def _has_objects(conn: sqlite3.Connection, schema: str) -> bool:
    row = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {q(schema)}.sqlite_master)").fetchone()
    return bool(row[0])


def _short_file(file: str | None) -> str:
    if not file:
        return "in memory"
    return file.rstrip("/").rsplit("/", 1)[-1]


def _database_facts(conn: sqlite3.Connection, schema: str) -> Meta:
    def pragma(name: str) -> object:
        row = conn.execute(f"PRAGMA {q(schema)}.{name}").fetchone()
        return row[0] if row else None

    page_size, page_count = pragma("page_size"), pragma("page_count")
    size = (
        page_size * page_count if isinstance(page_size, int) and isinstance(page_count, int) else 0
    )
    return (
        ("size", _human_bytes(size)),
        ("page size", str(page_size)),
        ("pages", str(page_count)),
        ("free pages", str(pragma("freelist_count"))),
        ("journal mode", str(pragma("journal_mode"))),
        ("encoding", str(pragma("encoding"))),
        ("user_version", str(pragma("user_version"))),
    )


def _human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - the loop always returns


def _table_list(
    conn: sqlite3.Connection, schema: str
) -> list[tuple[str, str, int | None, int, int, str | None]]:
    """(name, type, ncol, without rowid, strict, sql) for every table and view of ``schema``."""
    master = f"{q(schema)}.sqlite_master"
    try:
        return conn.execute(
            "SELECT t.name, t.type, t.ncol, t.wr, t.strict, s.sql FROM pragma_table_list AS t"
            f" LEFT JOIN {master} AS s ON s.name = t.name AND s.type IN ('table', 'view')"
            " WHERE t.schema = ? ORDER BY t.name COLLATE NOCASE",
            (schema,),
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite < 3.37 has no pragma_table_list
        rows = conn.execute(
            f"SELECT name, type, NULL, sql LIKE '%WITHOUT ROWID%', 0, sql FROM {master}"
            " WHERE type IN ('table', 'view') ORDER BY name COLLATE NOCASE"
        ).fetchall()
        schema_table = "sqlite_temp_master" if schema == "temp" else "sqlite_master"
        return [(schema_table, "table", 5, 0, 0, None), *rows]


def _folder_of(name: str, kind: str) -> str:
    if kind == "shadow" or name.lower().startswith("sqlite_"):
        return "system"
    return "views" if kind == "view" else "tables"


def database_folders(conn: sqlite3.Connection, schema: str) -> list[CatalogNode]:
    """Tables, Views and System tables folders with their sizes."""
    counts = dict.fromkeys(_FOLDERS, 0)
    for name, kind, *_ in _table_list(conn, schema):
        counts[_folder_of(name, kind)] += 1
    return [
        CatalogNode(
            key=("db", schema, folder),
            label=label,
            kind=Kind.FOLDER,
            detail=str(counts[folder]),
            expandable=counts[folder] > 0,
        )
        for folder, label in _FOLDERS.items()
    ]


def relations(conn: sqlite3.Connection, schema: str, folder: str) -> list[CatalogNode]:
    """The tables or views of one folder, with cheap facts (never row counts)."""
    nodes = []
    for name, kind, ncol, without_rowid, strict, sql in _table_list(conn, schema):
        if _folder_of(name, kind) != folder:
            continue
        flags = [
            word
            for word, on in (
                ("virtual", kind == "virtual"),
                ("WITHOUT ROWID", without_rowid),
                ("STRICT", strict),
            )
            if on
        ]
        node_kind = Kind.VIEW if kind == "view" else Kind.TABLE
        meta: Meta = (
            ("schema", schema),
            ("type", kind),
            ("columns", "?" if ncol is None else str(ncol)),
            ("WITHOUT ROWID", "yes" if without_rowid else "no"),
            ("STRICT", "yes" if strict else "no"),
            ("sql", sql or ""),
        )
        nodes.append(
            CatalogNode(
                key=("db", schema, node_kind, name),
                label=name,
                kind=node_kind,
                detail=", ".join(flags),
                expandable=True,
                insert_text=qualified(schema, name),
                meta=meta,
            )
        )
    return nodes


def relation_folders(
    conn: sqlite3.Connection, schema: str, kind: str, name: str
) -> list[CatalogNode]:
    """Columns and Indexes always (tables), Foreign keys and Triggers when present."""
    nindexes, nfks, ntriggers = conn.execute(
        "SELECT (SELECT count(*) FROM pragma_index_list(:t, :s)),"
        " (SELECT count(DISTINCT id) FROM pragma_foreign_key_list(:t, :s)),"
        f" (SELECT count(*) FROM {q(schema)}.sqlite_master"
        "   WHERE type = 'trigger' AND tbl_name = :t)",
        {"t": name, "s": schema},
    ).fetchone()
    try:
        (ncols,) = conn.execute(
            "SELECT count(*) FROM pragma_table_xinfo(?, ?)", (name, schema)
        ).fetchone()
        cols_detail = str(ncols)
    except sqlite3.OperationalError:  # a view over a dropped table: Columns shows why
        ncols, cols_detail = 1, "error"
    folders = [("columns", "Columns", cols_detail, ncols > 0)]
    if kind == Kind.TABLE:
        folders.append(("indexes", "Indexes", str(nindexes), nindexes > 0))
        if nfks:
            folders.append(("fks", "Foreign keys", str(nfks), True))
    if ntriggers:
        folders.append(("triggers", "Triggers", str(ntriggers), True))
    return [
        CatalogNode(
            key=("db", schema, kind, name, folder),
            label=label,
            kind=Kind.FOLDER,
            detail=detail,
            expandable=expandable,
        )
        for folder, label, detail, expandable in folders
    ]


_LOADERS: dict[str, Callable[[sqlite3.Connection, str, str, str], list[CatalogNode]]] = {
    "columns": columns,
    "indexes": indexes,
    "fks": foreign_keys,
    "triggers": triggers,
}
