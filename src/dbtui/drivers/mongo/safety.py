"""Which commands write, and which are destructive enough to need a typed confirmation.

``deleteMany``/``updateMany`` are also *counted*: :func:`counted_filter` gives
the filter whose matching documents the driver counts (bounded) before
sending, to hold the command for confirmation when it matches more than the
threshold (see :mod:`dbtui.core.writes`); :func:`question_before` is then
the pattern question minus what that count asks about anyway.

Pure functions over :class:`~.commands.MongoCommand`: the driver calls them
before anything is sent, so read-only mode refuses a write without touching
the server.
"""

from __future__ import annotations

from collections.abc import Mapping

from dbtui.core.confirmation import Confirmation
from dbtui.drivers.mongo import bulk, dbcommands
from dbtui.drivers.mongo.commands import WRITE_OPERATIONS, MongoCommand
from dbtui.drivers.mongo.dbcommands import WRITING_STAGES, writing_stage


def write_reason(command: MongoCommand) -> str | None:
    """Why ``command`` writes (a short phrase), or ``None`` for a read.

    ``runCommand``/``adminCommand`` write unless their command is a known
    read (see :func:`.dbcommands.write_reason`).
    """
    document = _command_document(command)
    if document is not None:
        return dbcommands.write_reason(document)
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


def _empty_filter(value: object) -> bool:
    return isinstance(value, Mapping) and not value


RUN_COMMANDS = frozenset({"runCommand", "adminCommand"})


def _command_document(command: MongoCommand) -> Mapping[str, object] | None:
    """The command document of a ``runCommand``/``adminCommand``, else ``None``."""
    if command.operation not in RUN_COMMANDS:
        return None
    document = command.arg(0)
    return document if isinstance(document, Mapping) else {}


def _operations(command: MongoCommand) -> list[object]:
    """The operation list of a ``bulkWrite`` (empty for anything else)."""
    value = command.arg(0) if command.operation == "bulkWrite" else None
    return value if isinstance(value, list) else []


def confirmation(
    command: MongoCommand, database: str, collection: str | None
) -> Confirmation | None:
    """The typed confirmation ``command`` needs (its ``typed`` is set), or ``None``.

    ``database`` and ``collection`` are the resolved targets (the current
    ones when the command does not name them). Covered: ``deleteMany({})``
    (also inside a ``bulkWrite``), ``drop()``, ``dropIndexes()`` (the
    collection name is typed), ``dropDatabase()`` (the database name is typed),
    ``renameCollection(name, true)`` (the replaced collection is typed) and
    the same commands sent with ``runCommand``/``adminCommand``.
    """
    target = f"{database}.{collection}"
    operation = command.operation
    document = _command_document(command)
    if document is not None:
        return dbcommands.typed_confirmation(document, database)
    if (
        operation == "bulkWrite"
        and collection
        and "deleteMany" in bulk.empty_filter_kinds(_operations(command))
    ):
        question = (
            f"bulkWrite deletes EVERY document of {target} ({bulk.summary(_operations(command))})?"
        )
        return Confirmation(question, typed=collection, yes_label="Run bulkWrite")
    new_name = command.arg(0)
    if operation == "renameCollection" and command.arg(1) is True and isinstance(new_name, str):
        question = f"Rename {target} to {database}.{new_name}, DROPPING the existing {new_name}?"
        return Confirmation(question, typed=new_name, yes_label="Rename")
    if operation == "deleteMany" and _empty_filter(command.arg(0)) and collection:
        question = f"Delete EVERY document of {target}?"
        return Confirmation(question, typed=collection, yes_label="Delete all")
    if operation == "drop" and collection:
        question = f"Drop the collection {target} and all its indexes?"
        return Confirmation(question, typed=collection, yes_label="Drop")
    if operation == "dropIndexes" and collection:
        question = f"Drop every index of {target} (except _id)?"
        return Confirmation(question, typed=collection, yes_label="Drop indexes")
    if operation == "dropDatabase":
        question = f"Drop the database {database!r} and everything in it?"
        return Confirmation(question, typed=database, yes_label="Drop database")
    return None


def plain_question(command: MongoCommand, database: str, collection: str | None) -> str | None:
    """A yes/no question for writes that are risky but not catastrophic, or ``None``.

    ``updateMany({})`` touches every document, ``dropIndex`` removes an index
    queries may rely on, and ``deleteOne``/``updateOne``/``replaceOne`` with an
    empty filter change whichever document comes first. ``renameCollection``
    names both collections; a ``bulkWrite`` that deletes, or updates many or
    with an empty filter, lists what it does; a ``runCommand``/``adminCommand``
    that is not a known read asks (see :func:`.dbcommands.question`).
    """
    target = f"{database}.{collection}"
    document = _command_document(command)
    if document is not None:
        return dbcommands.question(document, database, command.operation)
    if command.operation == "renameCollection":
        return f"Rename the collection {target} to {database}.{command.arg(0)}?"
    if command.operation == "bulkWrite":
        return _bulk_question(command, target)
    if command.operation == "updateMany" and _empty_filter(command.arg(0)):
        return f"Update EVERY document of {target}?"
    if command.operation == "dropIndex":
        return f"Drop the index {command.arg(0)!r} of {target}?"
    if command.operation in SINGLE_WRITES and _empty_filter(command.arg(0)):
        return (
            f"{command.operation} with an empty filter changes an arbitrary document "
            f"of {target}. Run it?"
        )
    return None


COUNTED_OPERATIONS = frozenset({"deleteMany", "updateMany"})
"""Writes whose matching documents are counted before they are sent."""
SINGLE_WRITES = frozenset(
    {
        "deleteOne",
        "updateOne",
        "replaceOne",
        "findOneAndUpdate",
        "findOneAndReplace",
        "findOneAndDelete",
    }
)
_RISKY_BULK = frozenset({"deleteOne", "deleteMany", "updateMany"})


def _bulk_question(command: MongoCommand, target: str) -> str | None:
    """The question before a ``bulkWrite`` that deletes, updates many, or has an empty filter."""
    operations = _operations(command)
    if not (set(bulk.kinds(operations)) & _RISKY_BULK or bulk.empty_filter_kinds(operations)):
        return None
    return f"bulkWrite on {target}: {bulk.summary(operations)}. Run it?"


_OPTIONS_ARG = {"deleteMany": 1, "updateMany": 2}
_COUNT_OPTIONS = ("collation", "hint")


def counted_filter(command: MongoCommand) -> dict[str, object] | None:
    """The filter of a ``deleteMany``/``updateMany`` (to count what it matches), else ``None``."""
    if command.operation not in COUNTED_OPERATIONS:
        return None
    value = command.arg(0)
    return dict(value) if isinstance(value, Mapping) else {}


def count_options(command: MongoCommand) -> dict[str, object]:
    """The write's ``collation`` and ``hint``, which the count must use to match the same documents."""
    options = command.arg(_OPTIONS_ARG.get(command.operation, 99))
    if not isinstance(options, Mapping):
        return {}
    found = {key: options[key] for key in _COUNT_OPTIONS if key in options}
    if isinstance(found.get("hint"), Mapping):
        found["hint"] = list(found["hint"].items())
    return found


def question_before(
    command: MongoCommand, database: str, collection: str | None
) -> Confirmation | None:
    """The question to ask before sending ``command`` when counted writes are held.

    As :func:`confirmation` / :func:`plain_question`, except for ``deleteMany``
    and ``updateMany``: those are counted and held with the real number (the
    empty-filter ``deleteMany`` then asks for the collection name to be typed).
    """
    if command.operation in COUNTED_OPERATIONS:
        return None
    needed = confirmation(command, database, collection)
    if needed is not None:
        return needed
    question = plain_question(command, database, collection)
    return Confirmation(question) if question is not None else None
