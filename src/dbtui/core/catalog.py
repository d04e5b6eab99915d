"""Catalog nodes: the lazily loaded tree of databases, schemas, tables, keys..."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogNode:
    """One entry of a connection's catalog tree.

    Drivers return these from :meth:`dbtui.core.driver.Driver.children`; the UI
    never looks inside ``key`` except to hand the node back to the same driver.

    Attributes:
        key: Path that identifies the node within its connection, e.g.
            ``("main", "table", "users")``. Unique per connection.
        label: Text shown in the tree.
        kind: What the node is: one of the :class:`Kind` constants, or an
            engine-specific word.
        detail: Short secondary text (a column type, a row count); may be empty.
        expandable: True when :meth:`Driver.children` can return children.
        insert_text: What to insert into the editor when the node is chosen
            (a quoted identifier); ``None`` means nothing useful to insert.
        meta: Extra (name, value) facts for the details pane.
    """

    key: tuple[str, ...]
    label: str
    kind: str
    detail: str = ""
    expandable: bool = False
    insert_text: str | None = None
    meta: tuple[tuple[str, str], ...] = ()


class Kind:
    """Well-known node kinds shared across engines (drivers may add their own)."""

    DATABASE = "database"
    SCHEMA = "schema"
    FOLDER = "folder"
    TABLE = "table"
    VIEW = "view"
    COLUMN = "column"
    INDEX = "index"
    TRIGGER = "trigger"
    CONSTRAINT = "constraint"
    COLLECTION = "collection"
    KEYSPACE = "keyspace"
    KEY = "key"
    INFO = "info"
