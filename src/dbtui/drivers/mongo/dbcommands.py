"""``db.runCommand({...})`` and ``db.adminCommand({...})``: which commands only read.

A database command is named by the first key of its document
(``{collStats: "orders"}``). dbtui only treats as reads the commands of
:data:`READ_ONLY_COMMANDS`, and then only when no ``$out``/``$merge`` stage
appears anywhere in the document; ``explain`` is a read when the command it
explains is one. Every other command counts as a write: read-only mode
refuses it before sending, and running it asks first. Destructive ones
(``dropDatabase``, ``drop``, ``dropIndexes``, ``renameCollection`` with
``dropTarget``) want the name of what they destroy typed.

Pure functions: nothing here talks to a server.
"""

from __future__ import annotations

from collections.abc import Mapping

from dbtui.core.confirmation import Confirmation

READ_ONLY_COMMANDS = frozenset(
    name.lower()
    for name in (
        "ping",
        "hello",
        "isMaster",
        "buildInfo",
        "serverStatus",
        "hostInfo",
        "connectionStatus",
        "whatsmyuri",
        "listCommands",
        "listDatabases",
        "listCollections",
        "listIndexes",
        "listSearchIndexes",
        "listShards",
        "dbStats",
        "collStats",
        "dataSize",
        "dbHash",
        "count",
        "distinct",
        "find",
        "getMore",
        "aggregate",
        "explain",
        "getParameter",
        "getCmdLineOpts",
        "getLog",
        "getDefaultRWConcern",
        "currentOp",
        "top",
        "lockInfo",
        "connPoolStats",
        "features",
        "replSetGetStatus",
        "replSetGetConfig",
        "usersInfo",
        "rolesInfo",
    )
)
"""Command names (lower-cased) that never change data, settings or sessions."""

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


COMMAND_HINT = 'e.g. db.runCommand({ping: 1}) or db.runCommand("ping")'


def command_name(document: Mapping[str, object]) -> str:
    """The command's name: the first key of its document (``""`` for an empty one)."""
    return next(iter(document), "")


def as_command(value: object) -> dict[str, object] | None:
    """The command document of a runCommand argument (``"ping"`` -> ``{ping: 1}``), or ``None``."""
    if isinstance(value, str) and value:
        return {value: 1}
    if isinstance(value, Mapping) and value:
        return dict(value)
    return None


def is_read_only(document: Mapping[str, object]) -> bool:
    """True when ``document`` is a command of :data:`READ_ONLY_COMMANDS` that cannot write."""
    name = command_name(document).lower()
    if name not in READ_ONLY_COMMANDS or writing_stage(document) is not None:
        return False
    if name == "explain":
        inner = document[command_name(document)]
        return isinstance(inner, Mapping) and bool(inner) and is_read_only(inner)
    return True


def write_reason(document: Mapping[str, object]) -> str | None:
    """Why the command may write (a short phrase), or ``None`` for a known read."""
    if is_read_only(document):
        return None
    name = command_name(document)
    if name.lower() in READ_ONLY_COMMANDS:
        return f"the {name} command writes with $out or $merge"
    return f"the {name!r} command is not a known read-only command"


def _collection(document: Mapping[str, object], database: str) -> str:
    """``database.collection`` named by the command's own value (``{drop: "orders"}``)."""
    value = document[command_name(document)]
    return f"{database}.{value}" if isinstance(value, str) else database


def typed_confirmation(document: Mapping[str, object], database: str) -> Confirmation | None:
    """The typed confirmation of a destructive command run on ``database``, or ``None``.

    ``dropDatabase`` wants the database name; ``drop`` and ``dropIndexes`` of
    every index (``"*"`` or a list) the collection name; ``renameCollection``
    with ``dropTarget`` the full name of the collection it replaces.
    """
    name = command_name(document)
    value = document.get(name)
    lowered = name.lower()
    if lowered == "dropdatabase":
        question = f"Drop the database {database!r} and everything in it?"
        return Confirmation(question, typed=database, yes_label="Drop database")
    if lowered == "drop" and isinstance(value, str) and value:
        question = f"Drop the collection {database}.{value} and all its indexes?"
        return Confirmation(question, typed=value, yes_label="Drop")
    index = document.get("index", "*")
    every = index == "*" or isinstance(index, list)
    if lowered in ("dropindexes", "deleteindexes") and isinstance(value, str) and value and every:
        question = f"Drop the indexes {index!r} of {database}.{value}?"
        return Confirmation(question, typed=value, yes_label="Drop indexes")
    target = document.get("to")
    if lowered == "renamecollection" and document.get("dropTarget") and isinstance(target, str):
        question = f"Rename {value} to {target}, DROPPING the existing {target}?"
        return Confirmation(question, typed=target, yes_label="Rename")
    return None


def question(document: Mapping[str, object], database: str, via: str) -> str | None:
    """The yes/no question before any command that is not a known read, or ``None``.

    ``via`` is ``runCommand`` or ``adminCommand`` (named in the question).
    """
    reason = write_reason(document)
    if reason is None:
        return None
    name = command_name(document)
    if name.lower() == "renamecollection":
        return f"Rename the collection {document.get(name)} to {document.get('to')}?"
    where = _collection(document, database)
    return f"db.{via}() on {where}: {reason}, so it may change the database. Run it?"
