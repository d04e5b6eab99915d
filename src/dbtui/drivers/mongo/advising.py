"""Index advice for MongoDB: an ESR-ordered compound index for a find or aggregate.

The query shape (filter, sort, projection, or a pipeline's leading
``$match``/``$sort``) comes from the parsed command; the collection's existing
indexes come from ``listIndexes``. The rule itself (equality, sort, range;
not suggested when an existing index serves it as a prefix) lives in
:mod:`dbtui.drivers.mongo.esr`. Nothing here runs the query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from dbtui.core.advice import Advice, Suggestion
from dbtui.core.errors import UnsupportedError
from dbtui.drivers.mongo.commands import MongoCommand
from dbtui.drivers.mongo.connection import translate
from dbtui.drivers.mongo.esr import pipeline_shape, serving_index, suggest
from dbtui.drivers.mongo.indexes import IndexInfo, parse_index_spec


@dataclass(frozen=True)
class AdviceOutcome:
    """The suggestion, or ``None`` with why (``message`` names the index that already serves)."""

    suggestion: Suggestion | None
    message: str


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


def existing_indexes(collection: Collection[Any]) -> list[IndexInfo]:
    """The collection's indexes from ``listIndexes``, with the options that limit their use."""
    try:
        specs = list(collection.list_indexes())
    except PyMongoError as exc:
        raise translate(exc, f"listIndexes on {collection.full_name}") from None
    return [parse_index_spec(spec) for spec in specs]


def advise_outcome(command: MongoCommand, collection: Collection[Any]) -> AdviceOutcome:
    """The ESR suggestion for one parsed find/aggregate on ``collection``, or why there is none."""
    query, sort, projection = query_shape(command)
    collation = _mapping(command.modifier("collation"))
    existing = existing_indexes(collection)
    served = serving_index(query, sort, existing, collation=collation)
    if served is not None:
        return AdviceOutcome(
            None,
            f"no new index: {served.name} {served.spec_text()} already serves this query "
            "(equality, then sort, then range keys)",
        )
    found = suggest(
        collection.name, query, sort, projection=projection, existing=existing, collation=collation
    )
    if found is None:
        return AdviceOutcome(None, "no index: the filter names nothing to index (or only _id)")
    return AdviceOutcome(found, "")


def advise_command(command: MongoCommand, collection: Collection[Any]) -> Advice:
    """The ESR suggestion for one parsed find/aggregate on ``collection``; when there is none,
    :attr:`~dbtui.core.advice.Advice.tried` says why (e.g. which index already serves it)."""
    outcome = advise_outcome(command, collection)
    if outcome.suggestion is None:
        return Advice((), (outcome.message,))
    return Advice((outcome.suggestion,))
