"""Names for editor completion, read with one catalog query.

The query returns one row per fact, tagged by ``kind``:

* ``c``: a column of a table, view, materialized view or foreign table
  (``schema``, ``name`` = relation, ``item`` = column, in column order);
* ``s``: a schema the user may use (so empty schemas are offered too);
* ``f``: a function callable without a schema: user functions of the search
  path, and the ``pg_catalog`` functions a person calls (operator
  implementations and functions taking or returning internal types left out);
* ``p``: one schema of the search path, in order (``position``);
* ``k``: one column pair of a foreign key (``schema``, ``name`` = referencing
  table, ``item`` = its column, ``position`` = place in the key, ``fk`` = the
  constraint, ``ref_schema``/``ref_name``/``ref_item`` = the referenced column);
  constraints a partition inherits from its parent are left out.

Catalog size bounds the cost: it reads ``pg_attribute`` once, no table data.
No ``%`` in the text: psycopg treats it as a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dbtui.core.completion import CatalogSnapshot, ForeignKey
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
       a.attnum::int AS position, NULL::text AS fk, NULL::text AS ref_schema,
       NULL::text AS ref_name, NULL::text AS ref_item
  FROM pg_catalog.pg_class c
  JOIN usable u ON u.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 's', u.nspname, NULL, NULL, 0, NULL, NULL, NULL, NULL FROM usable u
UNION ALL
SELECT DISTINCT 'f', NULL, p.proname, NULL,
       CASE WHEN n.nspname = 'pg_catalog' THEN 1 ELSE 0 END, NULL, NULL, NULL, NULL
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY (pg_catalog.current_schemas(true))
   AND p.prokind IN ('f', 'a', 'w')
   AND p.prorettype NOT IN (SELECT oid FROM internal_types)
   AND NOT p.proargtypes::oid[] && ARRAY(SELECT oid FROM internal_types)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_operator o WHERE o.oprcode = p.oid)
UNION ALL
SELECT 'p', s.name, NULL, NULL, s.position::int, NULL, NULL, NULL, NULL
  FROM unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS s(name, position)
UNION ALL
SELECT 'k', u.nspname, c.relname, a.attname, k.n::int, con.conname::text,
       rn.nspname::text, r.relname::text, ra.attname::text
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  JOIN usable u ON u.oid = c.relnamespace
  JOIN pg_catalog.pg_class r ON r.oid = con.confrelid
  JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
 CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(col, ref, n)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col
  JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.ref
 WHERE con.contype = 'f' AND con.conparentid = 0
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
    keys: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
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
        elif kind == "k":
            keys.setdefault((schema, name, row["fk"]), []).append(row)
    if "pg_catalog" not in path:
        path.append("pg_catalog")
    functions = dict.fromkeys([*SQL_FUNCTIONS["postgresql"], *user_functions, *system_functions])
    return CatalogSnapshot(
        tables=tables,
        functions=tuple(functions),
        search_path=tuple(path),
        dialect="postgresql",
        foreign_keys=tuple(_foreign_key(key, pairs) for key, pairs in keys.items()),
    )


def _foreign_key(key: tuple[str, str, str], pairs: list[Mapping[str, Any]]) -> ForeignKey:
    """One :class:`ForeignKey` from its ``k`` rows (one per column pair)."""
    ordered = sorted(pairs, key=lambda row: int(row["position"]))
    schema, table, name = key
    return ForeignKey(
        schema=schema,
        table=table,
        columns=tuple(str(row["item"]) for row in ordered),
        ref_schema=str(ordered[0]["ref_schema"]),
        ref_table=str(ordered[0]["ref_name"]),
        ref_columns=tuple(str(row["ref_item"]) for row in ordered),
        name=name,
    )
