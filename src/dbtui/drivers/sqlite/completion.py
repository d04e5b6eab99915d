"""Names for editor completion: every table and view of every attached database, with columns.

One query per database (``sqlite_master`` joined with ``pragma_table_xinfo``);
a view whose columns cannot be resolved (it reads a dropped table) makes that
join fail, so the database is then read table by table and the broken view
gets no columns.
"""

from __future__ import annotations

import sqlite3

from dbtui.core.completion import CatalogSnapshot
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
    return CatalogSnapshot(tables=tables, search_path=tuple(order), dialect="sqlite")


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
