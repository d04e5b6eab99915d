"""Names for editor completion: every table and view of every attached database, with columns.

One query per database (``sqlite_master`` joined with ``pragma_table_xinfo``);
a view whose columns cannot be resolved (it reads a dropped table) makes that
join fail, so the database is then read table by table and the broken view
gets no columns. Foreign keys come from ``pragma_foreign_key_list`` (a key
that names no parent columns references the parent's primary key).
"""

from __future__ import annotations

import sqlite3

from dbtui.core.completion import CatalogSnapshot, ForeignKey
from dbtui.drivers.sqlite.catalog_members import schema_sql

_DATABASES = "SELECT name FROM pragma_database_list ORDER BY seq"

_COLUMNS = """
SELECT m.name, p.name
  FROM {schema}.sqlite_master AS m
  JOIN pragma_table_xinfo(m.name, ?) AS p
 WHERE m.type IN ('table', 'view') AND p.hidden <> 1
 ORDER BY m.name LIKE 'sqlite!_%' ESCAPE '!', m.name, p.cid
"""

_RELATIONS = """
SELECT name FROM {schema}.sqlite_master WHERE type IN ('table', 'view')
 ORDER BY name LIKE 'sqlite!_%' ESCAPE '!', name
"""

_TABLE_COLUMNS = "SELECT name FROM pragma_table_xinfo(?, ?) WHERE hidden <> 1 ORDER BY cid"

_FOREIGN_KEYS = """
SELECT m.name, f.id, f."table", f."from", f."to"
  FROM {schema}.sqlite_master AS m
  JOIN pragma_foreign_key_list(m.name, ?) AS f
 WHERE m.type = 'table'
 ORDER BY m.name, f.id, f.seq
"""

_PRIMARY_KEY = "SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk"


def snapshot(conn: sqlite3.Connection) -> CatalogSnapshot:
    """A :class:`CatalogSnapshot` of every database attached to ``conn``.

    ``main`` comes first in the search path (then ``temp`` and attached
    databases), so its tables are offered first; ``sqlite_*`` system tables
    come after the user's within each database.

    Raises:
        sqlite3.Error: a catalog query failed (the driver translates it).
    """
    databases = [str(row[0]) for row in conn.execute(_DATABASES)]
    tables = {database: _tables(conn, database) for database in databases}
    order = ["main", *(d for d in databases if d != "main")]
    keys = tuple(key for database in databases for key in _foreign_keys(conn, database))
    return CatalogSnapshot(
        tables=tables, search_path=tuple(order), dialect="sqlite", foreign_keys=keys
    )


def _foreign_keys(conn: sqlite3.Connection, database: str) -> list[ForeignKey]:
    """The foreign keys of ``database``'s tables; none when the pragma fails."""
    grouped: dict[tuple[str, int], list[tuple[str, str, str | None]]] = {}
    try:
        rows = conn.execute(_FOREIGN_KEYS.format(schema=schema_sql(database)), (database,))
        for table, key_id, parent, child_column, parent_column in rows:
            grouped.setdefault((str(table), int(key_id)), []).append(
                (
                    str(parent),
                    str(child_column),
                    None if parent_column is None else str(parent_column),
                )
            )
    except sqlite3.OperationalError:
        return []
    keys: list[ForeignKey] = []
    for (table, _), pairs in grouped.items():
        parent = pairs[0][0]
        targets = [to for _, _, to in pairs]
        if any(to is None for to in targets):
            try:
                found = conn.execute(_PRIMARY_KEY, (parent, database)).fetchall()
            except sqlite3.OperationalError:
                continue
            targets = [str(row[0]) for row in found]
        if len(targets) != len(pairs):
            continue
        keys.append(
            ForeignKey(
                schema=database,
                table=table,
                columns=tuple(child for _, child, _ in pairs),
                ref_schema=database,
                ref_table=parent,
                ref_columns=tuple(str(t) for t in targets),
            )
        )
    return keys


def _tables(conn: sqlite3.Connection, database: str) -> dict[str, list[str]]:
    schema = schema_sql(database)
    tables: dict[str, list[str]] = {}
    try:
        for table, column in conn.execute(_COLUMNS.format(schema=schema), (database,)):
            tables.setdefault(str(table), []).append(str(column))
        return tables
    except sqlite3.OperationalError:
        pass  # a broken view: read the relations one by one below
    for (table,) in conn.execute(_RELATIONS.format(schema=schema)).fetchall():
        try:
            rows = conn.execute(_TABLE_COLUMNS, (table, database)).fetchall()
        except sqlite3.OperationalError:
            rows = []
        tables[str(table)] = [str(row[0]) for row in rows]
    return tables
