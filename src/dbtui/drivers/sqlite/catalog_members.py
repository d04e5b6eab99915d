"""Members of a table or view in the SQLite catalog: columns, indexes, foreign keys, triggers.

Each loader costs one query for the whole table, whatever its size.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.drivers.sqlite.plans import quote_identifier as q

Meta = tuple[tuple[str, str], ...]

_TRIGGER_EVENT_RE = re.compile(
    r"\bTRIGGER\b.*?\b(?P<timing>BEFORE|AFTER|INSTEAD\s+OF)?\s*\b(?P<event>INSERT|UPDATE|DELETE)\b",
    re.IGNORECASE | re.DOTALL,
)
_INDEX_WHERE_RE = re.compile(r"\bWHERE\b(?P<where>.*)$", re.IGNORECASE | re.DOTALL)
_ORIGINS = {"c": "CREATE INDEX", "u": "UNIQUE constraint", "pk": "PRIMARY KEY"}
_HIDDEN = {1: "HIDDEN", 2: "GENERATED VIRTUAL", 3: "GENERATED STORED"}


def qualified(schema: str, name: str) -> str:
    """``name`` quoted, prefixed by its schema unless it is ``main``."""
    if schema == "main":
        return q(name)
    return f"{schema_sql(schema)}.{q(name)}"


def schema_sql(schema: str) -> str:
    """A schema name as SQL; "temp" is a keyword but reads better bare."""
    return "temp" if schema == "temp" else q(schema)


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
