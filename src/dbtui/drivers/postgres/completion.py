"""Names for editor completion, read with one catalog query.

The query returns one row per fact, tagged by ``kind``:

* ``c``: a column of a table, view, materialized view or foreign table
  (``schema``, ``name`` = relation, ``item`` = column, in column order);
* ``s``: a schema the user may use (so empty schemas are offered too);
* ``f``: a function callable without a schema: user functions of the search
  path, and the ``pg_catalog`` functions a person calls (operator
  implementations and functions taking or returning internal types left out);
* ``p``: one schema of the search path, in order (``position``).

Catalog size bounds the cost: it reads ``pg_attribute`` once, no table data.
No ``%`` in the text: psycopg treats it as a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dbtui.core.completion import CatalogSnapshot
from dbtui.core.completion_words import SQL_FUNCTIONS

SNAPSHOT_QUERY = """
WITH usable AS (
  SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
   WHERE n.nspname !~ '^pg_(toast|temp_)'
     AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
),
internal_types AS (
  SELECT t.oid FROM pg_catalog.pg_type t
   WHERE t.typname IN ('internal', 'cstring', 'trigger', 'event_trigger', 'language_handler',
                       'fdw_handler', 'index_am_handler', 'tsm_handler', 'table_am_handler')
)
SELECT 'c' AS kind, u.nspname AS schema, c.relname AS name, a.attname AS item,
       a.attnum::int AS position
  FROM pg_catalog.pg_class c
  JOIN usable u ON u.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 's', u.nspname, NULL, NULL, 0 FROM usable u
UNION ALL
SELECT DISTINCT 'f', NULL, p.proname, NULL,
       CASE WHEN n.nspname = 'pg_catalog' THEN 1 ELSE 0 END
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY (pg_catalog.current_schemas(true))
   AND p.prokind IN ('f', 'a', 'w')
   AND p.prorettype NOT IN (SELECT oid FROM internal_types)
   AND NOT p.proargtypes::oid[] && ARRAY(SELECT oid FROM internal_types)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_operator o WHERE o.oprcode = p.oid)
UNION ALL
SELECT 'p', s.name, NULL, NULL, s.position::int
  FROM unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS s(name, position)
ORDER BY 1, 2, 3, 5
"""


def snapshot(rows: Iterable[Mapping[str, Any]]) -> CatalogSnapshot:
    """The :class:`CatalogSnapshot` of :data:`SNAPSHOT_QUERY`'s rows.

    The search path is the session's (``current_schemas(false)``) followed by
    ``pg_catalog``, so system views complete unqualified after the user's
    tables. Functions: the common built-ins first (the curated list), then
    the user's, then the rest of ``pg_catalog``.
    """
    tables: dict[str, dict[str, list[str]]] = {}
    path: list[str] = []
    user_functions: list[str] = []
    system_functions: list[str] = []
    for row in rows:
        kind, schema, name = row["kind"], row["schema"], row["name"]
        if kind == "c":
            tables.setdefault(schema, {}).setdefault(name, []).append(row["item"])
        elif kind == "s":
            tables.setdefault(schema, {})
        elif kind == "f":
            (system_functions if row["position"] else user_functions).append(name)
        elif kind == "p":
            path.append(schema)
    if "pg_catalog" not in path:
        path.append("pg_catalog")
    functions = dict.fromkeys([*SQL_FUNCTIONS["postgresql"], *user_functions, *system_functions])
    return CatalogSnapshot(
        tables=tables, functions=tuple(functions), search_path=tuple(path), dialect="postgresql"
    )
