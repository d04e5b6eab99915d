"""Index advice for MongoDB: an ESR-ordered compound index for a find or aggregate.

The query shape (filter, sort, projection, or a pipeline's leading
``$match``/``$sort``) comes from the parsed command; the collection's existing
indexes come from ``listIndexes``. The rule itself (equality, sort, range;
not suggested when an existing index serves it as a prefix) lives in
:mod:`dbtui.drivers.mongo.esr`. Nothing here runs the query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from dbtui.core.advice import Suggestion
from dbtui.core.errors import UnsupportedError
from dbtui.drivers.mongo.commands import MongoCommand
from dbtui.drivers.mongo.connection import translate
from dbtui.drivers.mongo.esr import IndexKeys, pipeline_shape, suggest


def query_shape(
    command: MongoCommand,
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    """(filter, sort, projection) of a find, or of an aggregate's leading stages.

    Raises:
        UnsupportedError: the command is neither a find nor an aggregate.
    """
    args = command.args
    if command.operation == "find":
        query = args[0] if args and isinstance(args[0], Mapping) else {}
        given = _mapping(args[1]) if len(args) > 1 else None
        projection = given or _mapping(command.modifier("projection"))
        return dict(query), _mapping(command.modifier("sort")), projection
    if command.operation == "aggregate":
        pipeline = args[0] if args and isinstance(args[0], Sequence) else []
        match, sort = pipeline_shape([stage for stage in pipeline if isinstance(stage, Mapping)])
        return match, sort or None, None
    raise UnsupportedError(
        "index advice needs a find or an aggregate, e.g. db.orders.find({status: 'open'})",
        "Advice",
    )


def _mapping(value: object) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None


def existing_keys(collection: Collection[Any]) -> list[IndexKeys]:
    """Key patterns of the collection's indexes, in key order."""
    try:
        specs = list(collection.list_indexes())
    except PyMongoError as exc:
        raise translate(exc, f"listIndexes on {collection.full_name}") from None
    keys: list[IndexKeys] = []
    for spec in specs:
        pattern = spec.get("key", {})
        keys.append(
            tuple((str(f), int(d) if isinstance(d, int | float) else 1) for f, d in pattern.items())
        )
    return keys


def advise_command(command: MongoCommand, collection: Collection[Any]) -> list[Suggestion]:
    """The ESR suggestion for one parsed find/aggregate on ``collection`` (or none)."""
    query, sort, projection = query_shape(command)
    found = suggest(
        collection.name,
        query,
        sort,
        projection=projection,
        existing=existing_keys(collection),
    )
    return [] if found is None else [found]
