"""Building the ``explain`` command for a parsed find, aggregate, count or distinct.

``$out``/``$merge`` stages are removed before an aggregation is explained
(as Compass does): some MongoDB-compatible servers execute them under
``executionStats``. The plan parser is :mod:`dbtui.drivers.mongo.plans.parse`,
imported only when a plan is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.core.plan import Plan
from dbtui.drivers.mongo.commands import MongoCommand
from dbtui.drivers.mongo.safety import without_writing_stages

EXPLAINABLE = frozenset({"find", "findOne", "aggregate", "countDocuments", "distinct"})
VERBOSITIES = ("queryPlanner", "executionStats", "allPlansExecution")
_FIND_MODIFIERS = {"sort": "sort", "skip": "skip", "limit": "limit", "hint": "hint"}
_FIND_MODIFIERS.update({"collation": "collation", "projection": "projection"})


def _find(command: MongoCommand, collection: str) -> dict[str, Any]:
    body: dict[str, Any] = {"find": collection, "filter": command.arg(0) or {}}
    if command.arg(1):
        body["projection"] = command.arg(1)
    for modifier, key in _FIND_MODIFIERS.items():
        value = command.modifier(modifier)
        if value is not None:
            body[key] = value
    if command.operation == "findOne":
        body["limit"] = 1
    return body


def _aggregate(command: MongoCommand, collection: str) -> dict[str, Any]:
    pipeline = command.arg(0)
    assert isinstance(pipeline, list)
    body: dict[str, Any] = {
        "aggregate": collection,
        "pipeline": without_writing_stages(pipeline),
        "cursor": {},
    }
    options = command.arg(1) or {}
    assert isinstance(options, Mapping)
    for key in ("allowDiskUse", "collation", "hint", "let"):
        if key in options:
            body[key] = options[key]
    return body


def explain_body(command: MongoCommand, collection: str, max_time_ms: int) -> dict[str, Any]:
    """The command document to wrap in ``{explain: ...}`` for ``command`` on ``collection``.

    Raises:
        UnsupportedError: the operation cannot be explained.
    """
    operation = command.operation
    if operation not in EXPLAINABLE:
        raise UnsupportedError(
            f"{operation} cannot be explained; explain works on find, aggregate, "
            "countDocuments and distinct"
        )
    if operation in ("find", "findOne"):
        body = _find(command, collection)
    elif operation == "aggregate":
        body = _aggregate(command, collection)
    elif operation == "countDocuments":
        body = {"count": collection, "query": command.arg(0) or {}}
    else:
        body = {"distinct": collection, "key": command.arg(0), "query": command.arg(1) or {}}
    body["maxTimeMS"] = max_time_ms
    return body


def check_verbosity(verbosity: str) -> str:
    """``verbosity`` if MongoDB knows it.

    Raises:
        QueryError: an unknown verbosity.
    """
    if verbosity not in VERBOSITIES:
        raise QueryError(
            f"unknown explain verbosity {verbosity!r}; use one of {', '.join(VERBOSITIES)}"
        )
    return verbosity


def clean_reply(reply: Mapping[str, Any]) -> dict[str, Any]:
    """The explain reply without the cluster-gossip fields (``$clusterTime``, ``operationTime``)."""
    return {k: v for k, v in reply.items() if k not in ("$clusterTime", "operationTime")}


def plan_from_explain(raw: Mapping[str, Any], statement: str) -> Plan:
    """Parse a raw explain document with :func:`dbtui.drivers.mongo.plans.parse.parse_mongo_explain`.

    Raises:
        UnsupportedError: the plan parser is not installed in this build.
    """
    try:
        module = importlib.import_module("dbtui.drivers.mongo.plans.parse")
    except ImportError:
        module = None
    parse = getattr(module, "parse_mongo_explain", None)
    if parse is None:
        raise UnsupportedError("the MongoDB plan viewer is not available in this build")
    plan = parse(dict(raw), statement)
    if not isinstance(plan, Plan):
        raise UnsupportedError("the MongoDB plan parser returned no plan")
    return plan
