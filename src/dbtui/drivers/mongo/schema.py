"""Sampling a collection for schema inference (the I/O half; :mod:`.inference` is the pure half).

Never a full scan:

* a collection whose estimated count (collection metadata, no scan) is at
  most the sample size is read with a plain ``find().limit(size)``;
* a bigger one with ``[{$sample: {size}}]`` (MongoDB serves it from a
  pseudo-random cursor when the sample is under 5 % of the collection; above
  that it scans, which only happens for collections under 20x the sample size);
* a view is read with ``find().limit(size)`` (a ``$sample`` over a view has
  to run the view's whole pipeline first).

Reads use ``secondaryPreferred`` unless the URL chose a read preference, and
every read carries ``maxTimeMS``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from pymongo.collection import Collection
from pymongo.read_preferences import Primary, ReadPreference

from dbtui.core.errors import QueryError
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, translate
from dbtui.drivers.mongo.inference import SchemaReport, infer_schema

DEFAULT_SAMPLE_SIZE = 1000
"""Documents sampled by default (as Compass)."""
DEFAULT_SAMPLE_MAX_TIME_MS = 10_000
"""Server-side time limit of the sampling query, in milliseconds."""


def _reader(collection: Collection[dict[str, Any]]) -> Collection[dict[str, Any]]:
    """``collection`` reading from a secondary when one exists, unless the URL said otherwise."""
    if isinstance(collection.read_preference, Primary):
        return collection.with_options(read_preference=ReadPreference.SECONDARY_PREFERRED)
    return collection


def _documents(
    collection: Collection[dict[str, Any]], size: int, max_time_ms: int, is_view: bool
) -> tuple[Iterator[Mapping[str, object]], str]:
    """A cursor over the sample and a description of how it was taken."""
    reader = _reader(collection)
    if not is_view:
        estimated = reader.estimated_document_count(maxTimeMS=max_time_ms)
        if estimated > size:
            pipeline = [{"$sample": {"size": size}}]
            sampled = reader.aggregate(pipeline, maxTimeMS=max_time_ms, batchSize=size)
            return sampled, f"$sample of {size} from about {estimated} documents"
        source = f"all {estimated} documents (collection not larger than the sample)"
    else:
        source = f"first {size} documents of the view"
    cursor = reader.find({}, limit=size, max_time_ms=max_time_ms, batch_size=size)
    return cursor, source


def sample_schema(
    collection: Collection[dict[str, Any]],
    size: int = DEFAULT_SAMPLE_SIZE,
    max_time_ms: int = DEFAULT_SAMPLE_MAX_TIME_MS,
    *,
    is_view: bool = False,
) -> SchemaReport:
    """Sample up to ``size`` documents of ``collection`` and infer their schema.

    Raises:
        QueryError: the server refused or timed out (``maxTimeMS``).
        ConnectionLostError: the server went away.
    """
    if size < 1:
        raise QueryError(f"the sample size must be at least 1, not {size}")
    started = time.perf_counter()
    try:
        cursor, source = _documents(collection, size, max_time_ms, is_view)
        with cursor:  # type: ignore[attr-defined]
            report = infer_schema(cursor)
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"schema sample of {collection.full_name}") from None
    elapsed = (time.perf_counter() - started) * 1000
    return replace(report, source=source, elapsed_ms=elapsed)
