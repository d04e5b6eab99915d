"""The PostgreSQL catalog as a lazy tree of :class:`CatalogNode`.

Node keys (all strings)::

    ("db", D)                                      a database
    ("db", D, "schema", S)                         a schema of the current database
    ("db", D, "schema", S, "folder", F)            a folder of a schema (F in FOLDERS)
    ("db", D, "schema", S, K, N)                   an object of kind K named N
    (<object key>, "folder", F)                    a folder of a relation (columns...)
    (<object key>, "folder", F, K, N)              a column, index, constraint or trigger

Partitions are relations keyed by their own schema. Every level costs one
query (see :mod:`queries`), whatever the number of objects.
"""

from __future__ import annotations

from collections.abc import Callable

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.drivers.postgres import queries
from dbtui.drivers.postgres.nodes import (
    Row,
    Runner,
    as_int,
    column_node,
    constraint_node,
    database_node,
    extension_node,
    function_node,
    index_node,
    partition_node,
    relation_node,
    schema_node,
    trigger_node,
    type_node,
)
from dbtui.drivers.postgres.search_catalog import column_extras, index_extras

#: Schema folders: folder id -> (label, count column, relkinds listed or None).
FOLDERS: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "tables": ("Tables", "tables", ("r", "p")),
    "views": ("Views", "views", ("v",)),
    "matviews": ("Materialized views", "matviews", ("m",)),
    "foreign_tables": ("Foreign tables", "foreign_tables", ("f",)),
    "sequences": ("Sequences", "sequences", ("S",)),
    "functions": ("Functions and procedures", "functions", None),
    "types": ("Types", "types", None),
    "extensions": ("Extensions", "extensions", None),
}
#: Relation folders shown for each relkind (empty ones are hidden unless listed in _ALWAYS).
_RELATION_FOLDERS = {
    "r": ("columns", "indexes", "constraints", "triggers"),
    "p": ("partitions", "columns", "indexes", "constraints", "triggers"),
    "v": ("columns", "triggers"),
    "m": ("columns", "indexes"),
    "f": ("columns", "constraints", "triggers"),
}
_ALWAYS = frozenset({"columns", "indexes", "constraints", "triggers", "partitions"})
_TABLE_LIKE = frozenset({"r", "p"})

Builder = Callable[[tuple[str, ...], Row], CatalogNode]
"""Makes the node for one row, given the parent's key."""


class CatalogBrowser:
    """Builds the tree nodes for one database from catalog queries.

    Args:
        run: Executes a catalog query (on the introspection connection).
        database: Name of the database the connection is in.
    """

    def __init__(self, run: Runner, database: str) -> None:
        self._run = run
        self.database = database

    def children(self, node: CatalogNode | None) -> list[CatalogNode]:
        """The children of ``node`` (databases for ``None``), one query per call."""
        if node is None:
            return self._databases()
        key = node.key
        if len(key) == 2 and key[0] == "db":
            return self._schemas() if key[1] == self.database else []
        if len(key) == 4 and key[2] == "schema":
            return self._schema_folders(key)
        if len(key) == 6 and key[4] == "folder":
            return self._folder_objects(key)
        if len(key) == 6:
            return self._relation_folders(key)
        if len(key) == 8 and key[6] == "folder":
            return self._relation_items(key)
        return []

    # -- databases and schemas -------------------------------------------------------------

    def _databases(self) -> list[CatalogNode]:
        return [database_node(row) for row in self._run(queries.DATABASES, {})]

    def _schemas(self) -> list[CatalogNode]:
        return [schema_node(self.database, row) for row in self._run(queries.SCHEMAS, {})]

    def _schema_folders(self, key: tuple[str, ...]) -> list[CatalogNode]:
        rows = self._run(queries.SCHEMA_COUNTS, {"schema": key[3]})
        counts = rows[0] if rows else {}
        nodes = []
        for folder, (label, column, _kinds) in FOLDERS.items():
            count = as_int(counts.get(column))
            nodes.append(
                CatalogNode(
                    key=(*key, "folder", folder),
                    label=label,
                    kind=Kind.FOLDER,
                    detail=str(count),
                    expandable=count > 0,
                )
            )
        return nodes

    # -- schema objects --------------------------------------------------------------------

    def _folder_objects(self, key: tuple[str, ...]) -> list[CatalogNode]:
        schema, folder = key[3], key[5]
        base = key[:4]
        relkinds = FOLDERS.get(folder, ("", "", None))[2]
        params: dict[str, object] = {"schema": schema}
        if relkinds is not None:
            rows = self._run(queries.RELATIONS, {**params, "kinds": list(relkinds)})
            return [relation_node(base, schema, row) for row in rows]
        if folder == "functions":
            return [function_node(base, row) for row in self._run(queries.FUNCTIONS, params)]
        if folder == "types":
            return [type_node(base, schema, row) for row in self._run(queries.TYPES, params)]
        if folder == "extensions":
            return [extension_node(base, row) for row in self._run(queries.EXTENSIONS, params)]
        return []

    def _relation_folders(self, key: tuple[str, ...]) -> list[CatalogNode]:
        rows = self._run(queries.RELATION_COUNTS, {"schema": key[3], "name": key[5]})
        if not rows or rows[0]["relkind"] is None:
            return []
        counts = rows[0]
        relkind = str(counts["relkind"])
        nodes = []
        for folder in _RELATION_FOLDERS.get(relkind, ()):
            count = as_int(counts[folder])
            if count == 0 and not (relkind in _TABLE_LIKE and folder in _ALWAYS):
                continue
            nodes.append(
                CatalogNode(
                    key=(*key, "folder", folder),
                    label=folder.capitalize(),
                    kind=Kind.FOLDER,
                    detail=str(count),
                    expandable=count > 0,
                )
            )
        return nodes

    def _relation_items(self, key: tuple[str, ...]) -> list[CatalogNode]:
        params = {"schema": key[3], "name": key[5]}
        folder = key[7]
        if folder == "partitions":
            return [
                partition_node(self.database, row) for row in self._run(queries.PARTITIONS, params)
            ]
        builders: dict[str, tuple[str, Builder]] = {
            "columns": (queries.COLUMNS, column_node),
            "indexes": (queries.INDEXES, index_node),
            "constraints": (queries.CONSTRAINTS, constraint_node),
            "triggers": (queries.TRIGGERS, trigger_node),
        }
        if folder not in builders:
            return []
        sql, build = builders[folder]
        extras = {"columns": column_extras, "indexes": index_extras}.get(folder)
        if extras is None:
            return [build(key, row) for row in self._run(sql, params)]
        return [extras(build(key, row), row) for row in self._run(sql, params)]
