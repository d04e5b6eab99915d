"""Aggregation pipelines for the UI's pipeline editor (the ``PipelineEditing`` capability).

:func:`pipeline_target` reads what a command line already says (its collection,
and its stages when it is an ``aggregate``); :func:`aggregate_command` writes the
``db.<coll>.aggregate([...], {allowDiskUse: ...})`` line that runs edited stages.
No I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from dbtui.core.capabilities.pipelines import PipelineTarget
from dbtui.core.errors import QueryError
from dbtui.drivers.mongo.commands import parse_command
from dbtui.drivers.mongo.export import to_shell

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def collection_ref(database: str, collection: str, current_database: str) -> str:
    """``db.coll`` in mongosh syntax, naming the database only when it is not the current one."""
    base = "db" if database == current_database else f"db.getSiblingDB({json.dumps(database)})"
    if _NAME.match(collection):
        return f"{base}.{collection}"
    return f"{base}.getCollection({json.dumps(collection)})"


def aggregate_command(ref: str, stages: Sequence[object], allow_disk_use: bool) -> str:
    """The mongosh command running ``stages`` on ``ref``, one stage per line."""
    body = ",\n".join(f"  {to_shell(stage)}" for stage in stages)
    pipeline = f"[\n{body}\n]" if body else "[]"
    options = ", {allowDiskUse: true}" if allow_disk_use else ""
    return f"{ref}.aggregate({pipeline}{options})"


def pipeline_target(statement: str) -> PipelineTarget:
    """What the command line ``statement`` says; an empty target when it does not parse."""
    try:
        command = parse_command(statement)
    except QueryError:
        return PipelineTarget()
    if command.operation != "aggregate":
        return PipelineTarget(command.database, command.collection)
    pipeline = command.arg(0)
    stages = tuple(pipeline) if isinstance(pipeline, list) else ()
    options = command.arg(1) or {}
    disk = bool(options.get("allowDiskUse")) if isinstance(options, Mapping) else False
    return PipelineTarget(command.database, command.collection, stages, disk)
