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

import re
import sqlite3
from collections.abc import Callable, Sequence

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.plans.sqlite import quote_identifier as q

Meta = tuple[tuple[str, str], ...]

_TRIGGER_EVENT_RE = re.compile(
    r"\bTRIGGER\b.*?\b(?P<timing>BEFORE|AFTER|INSTEAD\s+OF)?\s*\b(?P<event>INSERT|UPDATE|DELETE)\b",
    re.IGNORECASE | re.DOTALL,
)
_INDEX_WHERE_RE = re.compile(r"\bWHERE\b(?P<where>.*)$", re.IGNORECASE | re.DOTALL)
_ORIGINS = {"c": "CREATE INDEX", "u": "UNIQUE constraint", "pk": "PRIMARY KEY"}
_HIDDEN = {1: "HIDDEN", 2: "GENERATED VIRTUAL", 3: "GENERATED STORED"}
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
                insert_text=q(name),
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


def qualified(schema: str, name: str) -> str:
    """``name`` quoted, prefixed by its schema unless it is ``main``."""
    return q(name) if schema == "main" else f"{q(schema)}.{q(name)}"


def relation_folders(
    conn: sqlite3.Connection, schema: str, kind: str, name: str
) -> list[CatalogNode]:
    """Columns and Indexes always (tables), Foreign keys and Triggers when present."""
    ncols, nindexes, nfks, ntriggers = conn.execute(
        "SELECT (SELECT count(*) FROM pragma_table_xinfo(:t, :s)),"
        " (SELECT count(*) FROM pragma_index_list(:t, :s)),"
        " (SELECT count(DISTINCT id) FROM pragma_foreign_key_list(:t, :s)),"
        f" (SELECT count(*) FROM {q(schema)}.sqlite_master WHERE type = 'trigger' AND tbl_name = :t)",
        {"t": name, "s": schema},
    ).fetchone()
    folders = [("columns", "Columns", ncols, True)]
    if kind == Kind.TABLE:
        folders += [("indexes", "Indexes", nindexes, True), ("fks", "Foreign keys", nfks, nfks > 0)]
    folders.append(("triggers", "Triggers", ntriggers, ntriggers > 0))
    return [
        CatalogNode(
            key=("db", schema, kind, name, folder),
            label=label,
            kind=Kind.FOLDER,
            detail=str(count),
            expandable=count > 0,
        )
        for folder, label, count, shown in folders
        if shown
    ]


def columns(conn: sqlite3.Connection, schema: str, kind: str, name: str) -> list[CatalogNode]:
    """Columns in table order, hidden and generated ones included."""
    try:
        rows = conn.execute(
            'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?)',
            (name, schema),
        ).fetchall()
    except sqlite3.OperationalError as exc:  # a view over a dropped table
        return [_info((schema, kind, name, "columns"), f"cannot list columns: {exc}")]
    nodes = []
    for column, type_name, not_null, default, pk, hidden in rows:
        parts = [type_name or "(no type)"]
        parts += ["PK"] if pk else []
        parts += ["NOT NULL"] if not_null else []
        parts += [f"DEFAULT {default}"] if default is not None else []
        parts += [_HIDDEN[hidden]] if hidden in _HIDDEN else []
        meta: Meta = (
            ("type", type_name or ""),
            ("not null", "yes" if not_null else "no"),
            ("default", "" if default is None else str(default)),
            ("primary key", f"column {pk} of the key" if pk else "no"),
            ("hidden", _HIDDEN.get(hidden, "no")),
        )
        nodes.append(
            CatalogNode(
                key=("db", schema, kind, name, "columns", column),
                label=column,
                kind=Kind.COLUMN,
                detail=" ".join(parts),
                insert_text=q(column),
                meta=meta,
            )
        )
    return nodes


def indexes(conn: sqlite3.Connection, schema: str, kind: str, name: str) -> list[CatalogNode]:
    """Indexes of a table with their key columns, uniqueness and partial condition."""
    rows = conn.execute(
        'SELECT il.name, il."unique", il.origin, il.partial, x.name, x.cid, x."desc", s.sql'
        " FROM pragma_index_list(:t, :s) AS il"
        " LEFT JOIN pragma_index_xinfo(il.name, :s) AS x ON x.key = 1"
        f" LEFT JOIN {q(schema)}.sqlite_master AS s ON s.type = 'index' AND s.name = il.name"
        " ORDER BY il.name, x.seqno",
        {"t": name, "s": schema},
    ).fetchall()
    grouped: dict[str, list[tuple[object, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return [_index_node(schema, kind, name, index, group) for index, group in grouped.items()]


def _index_node(
    schema: str, kind: str, table: str, index: str, rows: Sequence[tuple[object, ...]]
) -> CatalogNode:
    _, unique, origin, partial, *_rest, sql = rows[0]
    cols = []
    for row in rows:
        column, cid, desc = row[4], row[5], row[6]
        label = str(column) if column is not None else ("rowid" if cid == -1 else "<expression>")
        cols.append(label + (" DESC" if desc else ""))
    where_match = _INDEX_WHERE_RE.search(str(sql or "")) if partial else None
    where = where_match.group("where").strip() if where_match else ""
    detail = (
        ("UNIQUE " if unique else "")
        + f"({', '.join(cols)})"
        + (f" WHERE {where}" if partial else "")
    )
    meta: Meta = (
        ("table", table),
        ("columns", ", ".join(cols)),
        ("unique", "yes" if unique else "no"),
        ("partial", f"yes: WHERE {where}" if partial else "no"),
        ("origin", _ORIGINS.get(str(origin), str(origin))),
        ("sql", str(sql or "(created by SQLite for a constraint)")),
    )
    return CatalogNode(
        key=("db", schema, kind, table, "indexes", index),
        label=index,
        kind=Kind.INDEX,
        detail=detail,
        insert_text=q(index),
        meta=meta,
    )


def foreign_keys(conn: sqlite3.Connection, schema: str, kind: str, name: str) -> list[CatalogNode]:
    """One node per foreign key: ``(from) -> parent(to)`` with its actions."""
    rows = conn.execute(
        'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?, ?)'
        " ORDER BY id, seq",
        (name, schema),
    ).fetchall()
    grouped: dict[int, list[tuple[object, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    nodes = []
    for fk_id, group in grouped.items():
        parent, on_update, on_delete = str(group[0][1]), str(group[0][4]), str(group[0][5])
        sources = ", ".join(str(row[2]) for row in group)
        targets = [str(row[3]) for row in group if row[3] is not None]
        target = f"{parent}({', '.join(targets)})" if targets else f"{parent} (primary key)"
        actions = [
            f"ON {verb} {action}"
            for verb, action in (("DELETE", on_delete), ("UPDATE", on_update))
            if action != "NO ACTION"
        ]
        nodes.append(
            CatalogNode(
                key=("db", schema, kind, name, "fks", str(fk_id)),
                label=f"({sources}) → {target}",
                kind=Kind.CONSTRAINT,
                detail=", ".join(actions),
                insert_text=qualified(schema, parent),
                meta=(
                    ("columns", sources),
                    ("references", target),
                    ("on delete", on_delete),
                    ("on update", on_update),
                ),
            )
        )
    return nodes


def triggers(conn: sqlite3.Connection, schema: str, kind: str, name: str) -> list[CatalogNode]:
    """Triggers on a table or view, with their timing and event."""
    rows = conn.execute(
        f"SELECT name, sql FROM {q(schema)}.sqlite_master"
        " WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
        (name,),
    ).fetchall()
    nodes = []
    for trigger, sql in rows:
        match = _TRIGGER_EVENT_RE.search(sql or "")
        when = ""
        if match:
            timing = " ".join((match.group("timing") or "BEFORE").upper().split())
            when = f"{timing} {match.group('event').upper()}"
        nodes.append(
            CatalogNode(
                key=("db", schema, kind, name, "triggers", trigger),
                label=trigger,
                kind=Kind.TRIGGER,
                detail=when,
                insert_text=q(trigger),
                meta=(("table", name), ("fires", when), ("sql", sql or "")),
            )
        )
    return nodes


def _info(key: tuple[str, ...], text: str) -> CatalogNode:
    return CatalogNode(key=("db", *key, "info"), label=text, kind=Kind.INFO)


_LOADERS: dict[str, Callable[[sqlite3.Connection, str, str, str], list[CatalogNode]]] = {
    "columns": columns,
    "indexes": indexes,
    "fks": foreign_keys,
    "triggers": triggers,
}
