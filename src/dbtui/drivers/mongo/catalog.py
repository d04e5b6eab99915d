"""The MongoDB catalog tree: databases, collections, indexes, and the sampled schema.

Node keys (the UI never looks inside them)::

    ("db", database)
    ("coll", database, collection)          kind "collection", "view" or "timeseries"
    ("indexes", database, collection)       folder
    ("index", database, collection, name)
    ("schema", database, collection)        expanding it samples the collection
    ("field", database, collection, path)   a field of the sampled schema

Each level costs one or a few commands: ``listDatabases``; one
``listCollections`` (``nameOnly: false``) per database; ``listIndexes`` plus
``collStats`` (index sizes) plus ``$indexStats`` (usage, skipped quietly
where the server refuses it or keeps no counters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, MongoClient, translate
from dbtui.drivers.mongo.export import to_shell
from dbtui.drivers.mongo.inference import FieldSchema

TIMESERIES = "timeseries"
SCHEMA = "schema"
FIELD = "field"


def human_bytes(size: object) -> str:
    """``1536`` -> ``"1.5 KiB"``; non-numbers are shown as they are."""
    if not isinstance(size, int | float) or isinstance(size, bool):
        return str(size)
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)  # pragma: no cover - the loop always returns


def database_nodes(client: MongoClient, fallback: str) -> list[CatalogNode]:
    """One node per database; just ``fallback`` when listing databases is not allowed."""
    try:
        databases = list(client.list_databases(authorizedDatabases=True))
    except OperationFailure:
        databases = [{"name": fallback}]
    except CLIENT_ERRORS as exc:
        raise translate(exc, "listDatabases") from None
    nodes = []
    for info in sorted(databases, key=lambda d: str(d["name"])):
        name = str(info["name"])
        size = info.get("sizeOnDisk")
        meta = (("size on disk", human_bytes(size)),) if size is not None else ()
        detail = human_bytes(size) if size else ""
        nodes.append(CatalogNode(("db", name), name, Kind.DATABASE, detail, True, name, meta))
    return nodes


def _collection_kind(info: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, detail) of a ``listCollections`` entry."""
    options = info.get("options") or {}
    if info.get("type") == "view":
        return Kind.VIEW, f"view on {options.get('viewOn', '?')}"
    if info.get("type") == TIMESERIES or "timeseries" in options:
        return TIMESERIES, "time-series"
    if options.get("capped"):
        return Kind.COLLECTION, "capped"
    return Kind.COLLECTION, ""


def collection_meta(info: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Facts from a ``listCollections`` entry: type, view pipeline, validator, options."""
    options = dict(info.get("options") or {})
    kind, detail = _collection_kind(info)
    meta: list[tuple[str, str]] = [("type", detail or kind)]
    if "viewOn" in options:
        meta.append(("view on", str(options.pop("viewOn"))))
        meta.append(("pipeline", to_shell(options.pop("pipeline", []))))
    for key in ("validator", "validationLevel", "validationAction", "timeseries"):
        if key in options:
            value = options.pop(key)
            meta.append((key, value if isinstance(value, str) else to_shell(value)))
    if options:
        meta.append(("options", to_shell(options)))
    return tuple(meta)


def collection_infos(client: MongoClient, database: str) -> list[dict[str, Any]]:
    """``listCollections`` entries of ``database`` (one command), sorted by name."""
    try:
        db: Database[dict[str, Any]] = client[database]
        reply = db.command("listCollections", nameOnly=False, authorizedCollections=True)
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"listCollections on {database}") from None
    batch: list[dict[str, Any]] = list(reply["cursor"]["firstBatch"])
    cursor_id = reply["cursor"].get("id", 0)
    if cursor_id:  # more than one batch: let pymongo page through the rest
        batch = [dict(info) for info in db.list_collections()]
    return sorted(batch, key=lambda info: str(info["name"]))


def collection_nodes(client: MongoClient, database: str) -> list[CatalogNode]:
    """One node per collection, view and time-series collection of ``database``."""
    nodes = []
    for info in collection_infos(client, database):
        name = str(info["name"])
        kind, detail = _collection_kind(info)
        insert = f"db.{name}" if name.isidentifier() else f"db.getCollection({to_shell(name)})"
        nodes.append(
            CatalogNode(
                ("coll", database, name), name, kind, detail, True, insert, collection_meta(info)
            )
        )
    return nodes


def collection_children(database: str, collection: str, kind: str) -> list[CatalogNode]:
    """The Indexes folder (not for views) and the Schema node of a collection."""
    nodes = []
    if kind != Kind.VIEW:
        nodes.append(
            CatalogNode(("indexes", database, collection), "Indexes", Kind.FOLDER, "", True)
        )
    nodes.append(
        CatalogNode((SCHEMA, database, collection), "Schema", SCHEMA, "sampled on expand", True)
    )
    return nodes


def _index_sizes(db: Database[dict[str, Any]], collection: str) -> dict[str, int]:
    try:
        stats = db.command("collStats", collection)
        return {str(k): int(v) for k, v in (stats.get("indexSizes") or {}).items()}
    except PyMongoError:
        pass
    try:
        rows = list(db[collection].aggregate([{"$collStats": {"storageStats": {}}}]))
        sizes = rows[0]["storageStats"].get("indexSizes", {}) if rows else {}
        return {str(k): int(v) for k, v in sizes.items()}
    except (PyMongoError, KeyError, TypeError, ValueError):
        return {}


def _index_usage(db: Database[dict[str, Any]], collection: str) -> dict[str, tuple[int, str]]:
    """Index name -> (operations, counting since); empty when the server keeps no counters."""
    try:
        rows = list(db[collection].aggregate([{"$indexStats": {}}]))
    except PyMongoError:
        return {}
    usage = {}
    for row in rows:
        accesses = row.get("accesses") or {}
        since = accesses.get("since")
        if isinstance(since, dt.datetime):
            usage[str(row.get("name"))] = (int(accesses.get("ops", 0)), since.isoformat())
    return usage


def index_meta(
    info: Mapping[str, Any], size: int | None, usage: tuple[int, str] | None
) -> tuple[tuple[str, str], ...]:
    """Facts about one index: key pattern, properties, size and usage."""
    meta: list[tuple[str, str]] = [("key", to_shell(info.get("key", {})))]
    for flag in ("unique", "sparse", "hidden"):
        if info.get(flag):
            meta.append((flag, "yes"))
    if "partialFilterExpression" in info:
        meta.append(("partial filter", to_shell(info["partialFilterExpression"])))
    if "expireAfterSeconds" in info:
        meta.append(("TTL", f"{info['expireAfterSeconds']} s after the indexed date"))
    for key in ("collation", "wildcardProjection", "weights", "2dsphereIndexVersion"):
        if key in info:
            meta.append((key, to_shell(info[key])))
    if size is not None:
        meta.append(("size", human_bytes(size)))
    if usage is not None:
        meta.append(("used", f"{usage[0]} times since {usage[1]}"))
    return tuple(meta)


def _index_detail(info: Mapping[str, Any]) -> str:
    flags = [f for f in ("unique", "sparse", "hidden") if info.get(f)]
    if "partialFilterExpression" in info:
        flags.append("partial")
    if "expireAfterSeconds" in info:
        flags.append(f"TTL {info['expireAfterSeconds']}s")
    return " ".join([to_shell(info.get("key", {})), *flags])


def index_nodes(client: MongoClient, database: str, collection: str) -> list[CatalogNode]:
    """One node per index of a collection, with sizes and usage when available."""
    try:
        db: Database[dict[str, Any]] = client[database]
        infos = list(db[collection].list_indexes())
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"listIndexes on {database}.{collection}") from None
    sizes = _index_sizes(db, collection)
    usage = _index_usage(db, collection)
    nodes = []
    for info in infos:
        name = str(info.get("name"))
        meta = index_meta(info, sizes.get(name), usage.get(name))
        key = ("index", database, collection, name)
        nodes.append(
            CatalogNode(key, name, Kind.INDEX, _index_detail(info), False, to_shell(name), meta)
        )
    return nodes


def _type_summary(field: FieldSchema) -> str:
    parts = [f"{t.name} {t.share:.0%}" if len(field.types) > 1 else t.name for t in field.types]
    if field.element_types:
        parts.append("of " + "/".join(t.name for t in field.element_types))
    return f"{' · '.join(parts)}  ({field.probability:.0%} of docs)"


def field_meta(field: FieldSchema) -> tuple[tuple[str, str], ...]:
    """Details-pane facts of one schema field."""
    meta: list[tuple[str, str]] = [
        ("path", field.path),
        ("present in", f"{field.documents} sampled documents ({field.probability:.1%})"),
    ]
    for stat in field.types:
        samples = ", ".join(stat.samples)
        meta.append(
            (stat.name, f"{stat.count} ({stat.share:.1%})" + (f": {samples}" if samples else ""))
        )
    if field.array_lengths is not None:
        lengths = field.array_lengths
        meta.append(
            ("array length", f"{lengths.minimum}..{lengths.maximum}, avg {lengths.average:.1f}")
        )
    if field.element_types:
        meta.append(("elements", ", ".join(f"{t.name} {t.share:.0%}" for t in field.element_types)))
    return tuple(meta)


def field_nodes(database: str, collection: str, fields: Sequence[FieldSchema]) -> list[CatalogNode]:
    """Catalog nodes of schema fields (expandable when they have child fields)."""
    return [
        CatalogNode(
            (FIELD, database, collection, field.path),
            field.name,
            FIELD,
            _type_summary(field),
            bool(field.fields),
            field.path,
            field_meta(field),
        )
        for field in fields
    ]
