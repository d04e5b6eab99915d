"""Catalog tree nodes built from one catalog row each (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from dbtui.core.catalog import CatalogNode, Kind

Row = Mapping[str, Any]
Runner = Callable[[str, Mapping[str, object]], Sequence[Row]]
"""Runs one catalog query with named parameters and returns its rows as dicts."""

MATVIEW, FOREIGN_TABLE, SEQUENCE = "materialized_view", "foreign_table", "sequence"
FUNCTION, PROCEDURE, TYPE, EXTENSION, PARTITIONS = (
    "function",
    "procedure",
    "type",
    "extension",
    "partitions",
)
_RELKIND_KIND = {
    "r": Kind.TABLE,
    "p": Kind.TABLE,
    "v": Kind.VIEW,
    "m": MATVIEW,
    "f": FOREIGN_TABLE,
    "S": SEQUENCE,
}
_PROKINDS = {"f": FUNCTION, "p": PROCEDURE, "a": "aggregate", "w": "window function"}
_CONTYPES = {
    "p": "primary key",
    "u": "unique",
    "f": "foreign key",
    "c": "check",
    "x": "exclusion",
    "t": "constraint trigger",
    "n": "not null",
}
_TYPTYPES = {"b": "base", "c": "composite", "d": "domain", "e": "enum", "r": "range"}


# -- node builders (pure functions of one row) ------------------------------------------------


def database_node(row: Row) -> CatalogNode:
    """A database; only the current one expands (others need :meth:`switch_database`)."""
    current = bool(row["is_current"])
    return CatalogNode(
        key=("db", row["datname"]),
        label=row["datname"],
        kind=Kind.DATABASE,
        detail="current" if current else "",
        expandable=current,
        meta=_meta(
            ("Owner", row["owner"]),
            ("Encoding", row["encoding"]),
            ("Accepts connections", row["datallowconn"]),
            ("Comment", row["comment"]),
        ),
    )


def schema_node(database: str, row: Row) -> CatalogNode:
    """A schema of the current database."""
    return CatalogNode(
        key=("db", database, "schema", row["nspname"]),
        label=row["nspname"],
        kind=Kind.SCHEMA,
        detail=("system" if row["is_system"] else _plural(row["tables"], "table")),
        expandable=True,
        insert_text=row["nspname"],
        meta=_meta(("Owner", row["owner"]), ("Comment", row["comment"])),
    )


def relation_node(base: tuple[str, ...], schema: str, row: Row) -> CatalogNode:
    relkind = str(row["relkind"])
    kind = _RELKIND_KIND.get(relkind, Kind.TABLE)
    if relkind == "p":
        detail = "partitioned"
    elif relkind == "S":
        detail = row["seqtype"] or ""
    elif relkind == "f":
        detail = row["foreign_server"] or ""
    else:
        detail = estimate_text(row["estimate"]) if relkind in ("r", "m") else ""
    return CatalogNode(
        key=(*base, kind, row["relname"]),
        label=row["relname"],
        kind=kind,
        detail=detail,
        expandable=relkind != "S",
        insert_text=row["quoted"] if schema == "public" else row["qualified"],
        meta=_meta(
            ("Name", row["qualified"]),
            ("Partition key", row["partkey"]),
            ("Foreign server", row["foreign_server"]),
            ("Type", row["seqtype"]),
            ("Start", row["seqstart"]),
            ("Increment", row["seqincrement"]),
            ("Minimum", row["seqmin"]),
            ("Maximum", row["seqmax"]),
            ("Cycles", row["seqcycle"]),
            ("Last value", row["last_value"]),
            ("Comment", row["comment"]),
        ),
    )


def partition_node(database: str, row: Row) -> CatalogNode:
    return CatalogNode(
        key=("db", database, "schema", row["nspname"], Kind.TABLE, row["relname"]),
        label=row["relname"],
        kind=Kind.TABLE,
        detail=row["bound"] or "",
        expandable=True,
        insert_text=row["qualified"],
        meta=_meta(
            ("Name", row["qualified"]),
            ("Bound", row["bound"]),
            ("Partition key", row["partkey"]),
            ("Row estimate", estimate_text(row["estimate"])),
        ),
    )


def function_node(base: tuple[str, ...], row: Row) -> CatalogNode:
    kind = _PROKINDS.get(str(row["prokind"]), FUNCTION)
    signature = f"{row['proname']}({row['args']})"
    volatility = {"i": "immutable", "s": "stable", "v": "volatile"}.get(str(row["volatility"]))
    return CatalogNode(
        key=(*base, kind, signature),
        label=signature,
        kind=kind,
        detail=row["result"] or kind,
        insert_text=row["qualified"],
        meta=_meta(
            ("Kind", kind),
            ("Returns", row["result"]),
            ("Language", row["lanname"]),
            ("Volatility", volatility),
            ("Comment", row["comment"]),
        ),
    )


def type_node(base: tuple[str, ...], schema: str, row: Row) -> CatalogNode:
    typtype = _TYPTYPES.get(str(row["typtype"]), "type")
    definition = row["definition"] or ""
    detail = f"{typtype}: {definition}" if definition else typtype
    return CatalogNode(
        key=(*base, TYPE, row["typname"]),
        label=row["typname"],
        kind=TYPE,
        detail=detail,
        insert_text=row["display"] if schema in ("public", "pg_catalog") else row["qualified"],
        meta=_meta(("Kind", typtype), ("Definition", definition), ("Comment", row["comment"])),
    )


def extension_node(base: tuple[str, ...], row: Row) -> CatalogNode:
    return CatalogNode(
        key=(*base, EXTENSION, row["extname"]),
        label=row["extname"],
        kind=EXTENSION,
        detail=row["extversion"] or "",
        meta=_meta(("Version", row["extversion"]), ("Comment", row["comment"])),
    )


def column_node(parent: tuple[str, ...], row: Row) -> CatalogNode:
    identity = {"a": "GENERATED ALWAYS AS IDENTITY", "d": "GENERATED BY DEFAULT AS IDENTITY"}
    generated = {"s": "STORED", "v": "VIRTUAL"}.get(str(row["attgenerated"] or ""))
    detail = row["type"] + (" NOT NULL" if row["attnotnull"] else "")
    if row["in_primary_key"]:
        detail += " PK"
    return CatalogNode(
        key=(*parent, Kind.COLUMN, row["attname"]),
        label=row["attname"],
        kind=Kind.COLUMN,
        detail=detail,
        insert_text=row["quoted"],
        meta=_meta(
            ("Type", row["type"]),
            ("Nullable", not row["attnotnull"]),
            ("Default", None if generated else row["default_expr"]),
            ("Identity", identity.get(str(row["attidentity"] or ""))),
            ("Generated", f"{row['default_expr']} {generated}" if generated else None),
            ("Primary key", True if row["in_primary_key"] else None),
            ("Comment", row["comment"]),
        ),
    )


def index_node(parent: tuple[str, ...], row: Row) -> CatalogNode:
    flags = [
        "primary" if row["indisprimary"] else "unique" if row["indisunique"] else "",
        row["amname"],
        "partial" if row["is_partial"] else "",
        "" if row["indisvalid"] else "INVALID",
        human_size(row["size"]),
    ]
    return CatalogNode(
        key=(*parent, Kind.INDEX, row["relname"]),
        label=row["relname"],
        kind=Kind.INDEX,
        detail=" ".join(f for f in flags if f),
        meta=_meta(
            ("Definition", row["definition"]),
            ("Size", human_size(row["size"])),
            ("Unique", row["indisunique"]),
            ("Partial", row["is_partial"]),
            ("Valid", row["indisvalid"]),
            ("Scans", row["idx_scan"]),
        ),
    )


def constraint_node(parent: tuple[str, ...], row: Row) -> CatalogNode:
    kind = _CONTYPES.get(str(row["contype"]), "constraint")
    detail = f"{kind} → {row['target']}" if row["target"] else kind
    return CatalogNode(
        key=(*parent, Kind.CONSTRAINT, row["conname"]),
        label=row["conname"],
        kind=Kind.CONSTRAINT,
        detail=detail,
        meta=_meta(
            ("Kind", kind),
            ("Definition", row["definition"]),
            ("References", row["target"]),
            ("Validated", row["convalidated"]),
            ("Deferrable", row["condeferrable"]),
        ),
    )


def trigger_node(parent: tuple[str, ...], row: Row) -> CatalogNode:
    enabled = str(row["enabled"]) != "D"
    return CatalogNode(
        key=(*parent, Kind.TRIGGER, row["tgname"]),
        label=row["tgname"],
        kind=Kind.TRIGGER,
        detail=row["proname"] + ("" if enabled else " (disabled)"),
        meta=_meta(("Definition", row["definition"]), ("Enabled", enabled)),
    )


# -- formatting helpers ---------------------------------------------------------------------


def _meta(*pairs: tuple[str, object]) -> tuple[tuple[str, str], ...]:
    """(name, text) pairs, leaving out unknown (``None``) and empty values."""
    return tuple((name, fact_text(value)) for name, value in pairs if value not in (None, ""))


def fact_text(value: object) -> str:
    """Text of one fact: booleans as yes/no, everything else as ``str``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def as_int(value: object) -> int:
    """An integer from a catalog value (int, Decimal, float or numeric text); 0 when NULL."""
    if value is None:
        return 0
    if isinstance(value, int | float | Decimal):
        return int(value)
    return int(float(str(value)))


def _plural(count: object, word: str) -> str:
    n = as_int(count)
    return f"{n} {word}" + ("" if n == 1 else "s")


def estimate_text(estimate: object) -> str:
    """``reltuples`` as "~1.2k rows"; -1 (PostgreSQL 14+) means never analysed."""
    if estimate is None or as_int(estimate) < 0:
        return "not analysed"
    n = as_int(estimate)
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"~{n / size:.1f}{unit} rows"
    return f"~{n} rows"


def human_size(size: object) -> str:
    """Bytes as "16 kB", "1.2 MB" (PostgreSQL's units); empty when unknown."""
    if size is None:
        return ""
    value = float(as_int(size))
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return ""  # pragma: no cover - the loop always returns


def detail_rows(pairs: Sequence[tuple[str, object]]) -> list[tuple[str, str]]:
    """Like :func:`_meta`, as a list for the details pane."""
    return list(_meta(*pairs))
