"""Which commands write, and which are destructive enough to need a typed confirmation.

Pure functions over :class:`~.commands.MongoCommand`: the driver calls them
before anything is sent, so read-only mode refuses a write without touching
the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dbtui.drivers.mongo.commands import WRITE_OPERATIONS, MongoCommand

WRITING_STAGES = ("$out", "$merge")


def writing_stage(value: object) -> str | None:
    """The first ``$out``/``$merge`` key found anywhere inside ``value``, or ``None``.

    The whole structure is searched (nested ``$facet``, ``$lookup`` and
    ``$unionWith`` sub-pipelines included): over-refusing a read is better
    than letting a write through.
    """
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, child in item.items():
                if key in WRITING_STAGES:
                    return str(key)
                stack.append(child)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def write_reason(command: MongoCommand) -> str | None:
    """Why ``command`` writes (a short phrase), or ``None`` for a read."""
    if command.operation in WRITE_OPERATIONS:
        return f"{command.operation} changes the database"
    if command.operation == "aggregate":
        stage = writing_stage(command.arg(0))
        if stage is not None:
            return f"the pipeline writes with {stage}"
    return None


def without_writing_stages(pipeline: list[object]) -> list[object]:
    """``pipeline`` minus its top-level ``$out``/``$merge`` stages (to explain it safely)."""
    return [
        stage
        for stage in pipeline
        if not (isinstance(stage, Mapping) and any(k in WRITING_STAGES for k in stage))
    ]


@dataclass(frozen=True)
class Confirmation:
    """What the user must do before a destructive command runs.

    Attributes:
        question: The sentence to show ("Delete every document of shop.users?").
        typed: The exact text the user must type (a collection or database name).
    """

    question: str
    typed: str


def _empty_filter(value: object) -> bool:
    return isinstance(value, Mapping) and not value


def confirmation(
    command: MongoCommand, database: str, collection: str | None
) -> Confirmation | None:
    """The typed confirmation ``command`` needs, or ``None``.

    ``database`` and ``collection`` are the resolved targets (the current
    ones when the command does not name them). Covered: ``deleteMany({})``,
    ``drop()``, ``dropIndexes()`` (the collection name is typed) and
    ``dropDatabase()`` (the database name is typed).
    """
    target = f"{database}.{collection}"
    operation = command.operation
    if operation == "deleteMany" and _empty_filter(command.arg(0)) and collection:
        question = f"Delete EVERY document of {target}? Type {collection!r} to confirm."
        return Confirmation(question, collection)
    if operation == "drop" and collection:
        question = (
            f"Drop the collection {target} and all its indexes? Type {collection!r} to confirm."
        )
        return Confirmation(question, collection)
    if operation == "dropIndexes" and collection:
        question = f"Drop every index of {target} (except _id)? Type {collection!r} to confirm."
        return Confirmation(question, collection)
    if operation == "dropDatabase":
        question = (
            f"Drop the database {database!r} and everything in it? Type {database!r} to confirm."
        )
        return Confirmation(question, database)
    return None


def plain_question(command: MongoCommand, database: str, collection: str | None) -> str | None:
    """A yes/no question for writes that are risky but not catastrophic, or ``None``.

    ``updateMany({})`` touches every document, ``dropIndex`` removes an index
    queries may rely on.
    """
    target = f"{database}.{collection}"
    if command.operation == "updateMany" and _empty_filter(command.arg(0)):
        return f"Update EVERY document of {target}?"
    if command.operation == "dropIndex":
        return f"Drop the index {command.arg(0)!r} of {target}?"
    return None
