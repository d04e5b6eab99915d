"""Details-pane facts for databases and collections (each fact fetched independently).

A failing fact (say ``collStats`` refused by the server's roles) becomes a
fact saying so instead of hiding the others. Counts are the cheap estimate
(collection metadata); the exact count is a separate, explicit call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dbtui.core.catalog import Kind
from dbtui.drivers.mongo.catalog import human_bytes
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, MongoClient, translate

Facts = list[tuple[str, str]]
DETAILS_MAX_TIME_MS = 5000
"""Time limit of each details query, in milliseconds."""


def _guarded(facts: Facts, label: str, fetch: Callable[[], Facts]) -> None:
    """Append ``fetch()``'s facts, or one ``(label, "unavailable: ...")`` fact."""
    try:
        facts.extend(fetch())
    except CLIENT_ERRORS as exc:
        facts.append((label, f"unavailable: {translate(exc).message}"))


def _sizes(stats: Mapping[str, Any], keys: tuple[tuple[str, str], ...]) -> Facts:
    return [(label, human_bytes(stats[key])) for key, label in keys if key in stats]


def database_details(client: MongoClient, database: str) -> Facts:
    """Collections, documents and sizes of ``database`` (``dbStats``)."""
    facts: Facts = [("database", database)]

    def fetch() -> Facts:
        stats = client[database].command("dbStats", maxTimeMS=DETAILS_MAX_TIME_MS)
        counts = [
            (k, str(stats[k])) for k in ("collections", "views", "objects", "indexes") if k in stats
        ]
        sizes = (
            ("dataSize", "data size"),
            ("storageSize", "storage size"),
            ("indexSize", "index size"),
        )
        return counts + _sizes(stats, sizes)

    _guarded(facts, "stats", fetch)
    return facts


def collection_details(client: MongoClient, database: str, collection: str, kind: str) -> Facts:
    """Estimated document count, storage and index sizes of a collection (not for views)."""
    facts: Facts = []

    def count() -> Facts:
        estimated = client[database][collection].estimated_document_count(
            maxTimeMS=DETAILS_MAX_TIME_MS
        )
        return [("documents (estimated)", f"{estimated:,}")]

    def stats() -> Facts:
        reply = client[database].command("collStats", collection, maxTimeMS=DETAILS_MAX_TIME_MS)
        keys = (
            ("size", "data size"),
            ("storageSize", "storage size"),
            ("totalIndexSize", "index size"),
            ("avgObjSize", "average document"),
        )
        result = _sizes(reply, keys)
        if "nindexes" in reply:
            result.append(("indexes", str(reply["nindexes"])))
        if reply.get("capped"):
            result.append(("capped", f"max {human_bytes(reply.get('maxSize', '?'))}"))
        return result

    if kind != Kind.VIEW:
        _guarded(facts, "documents (estimated)", count)
        _guarded(facts, "stats", stats)
    return facts


def exact_count(
    client: MongoClient,
    database: str,
    collection: str,
    filter: Mapping[str, Any] | None,
    max_time_ms: int,
) -> int:
    """``countDocuments`` (a real count: may scan; bounded by ``max_time_ms``).

    Raises:
        QueryError: the count failed or ran out of time.
    """
    try:
        return client[database][collection].count_documents(
            dict(filter or {}), maxTimeMS=max_time_ms
        )
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"countDocuments on {database}.{collection}") from None
