"""Parse one mongosh-style command line into a typed :class:`MongoCommand`.

Understood forms (arguments use the relaxed syntax of :mod:`.syntax`)::

    db.coll.find({...}, {...}).sort({...}).skip(n).limit(n)
    db.coll.findOne({...})          db.coll.aggregate([...], {allowDiskUse: true})
    db.coll.countDocuments({...})   db.coll.estimatedDocumentCount()
    db.coll.distinct("f", {...})    db.coll.getIndexes()      db.coll.stats()
    db.coll.insertOne({...})        db.coll.insertMany([...])
    db.coll.updateOne(f, u)  updateMany  replaceOne  deleteOne(f)  deleteMany(f)
    db.coll.createIndex({...}, {...})  dropIndex("name")  dropIndexes()  drop()
    db.coll.findOneAndUpdate(f, u, {...})  findOneAndReplace(f, d, {...})  findOneAndDelete(f)
    db.coll.bulkWrite([{insertOne: {document: {...}}}, ...], {ordered: false})
    db.coll.renameCollection("new", dropTarget)
    db.dropDatabase()  db.getCollectionNames()  db.stats()
    db.runCommand({ping: 1})  db.runCommand("ping")  db.adminCommand({listDatabases: 1})
    db.getCollection("name with spaces").find(...)   db["name"].find(...)
    db.getSiblingDB("other").coll.find(...)
    show dbs | show collections | use dbname
    {...}   (a bare filter: find on the current collection)
    [...]   (a bare pipeline: aggregate on the current collection)

Only the methods listed here are accepted; anything else (``forEach``,
``eval``, ``require``, a function argument) is a :class:`MongoSyntaxError`
pointing at it. Nothing is ever evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dbtui.drivers.mongo import bulk
from dbtui.drivers.mongo.dbcommands import COMMAND_HINT, as_command
from dbtui.drivers.mongo.syntax import MongoSyntaxError, ValueParser

DOC, DOCS, PIPELINE, UPDATE, STR, INDEX, INT, BOOL, COMMAND = (
    "a document {...}",
    "an array of documents",
    "a pipeline [{...}, ...]",
    "an update document or pipeline",
    "a string",
    "an index name or key pattern",
    "an integer",
    "true or false",
    "a command document {name: ...} or a command name",
)


@dataclass(frozen=True)
class _Op:
    """How a method is called: its canonical operation and argument kinds."""

    operation: str
    kinds: tuple[str, ...] = ()
    required: int = 0


COLLECTION_METHODS: dict[str, _Op] = {
    "find": _Op("find", (DOC, DOC)),
    "findOne": _Op("findOne", (DOC, DOC)),
    "aggregate": _Op("aggregate", (PIPELINE, DOC), 1),
    "countDocuments": _Op("countDocuments", (DOC, DOC)),
    "count": _Op("countDocuments", (DOC, DOC)),
    "estimatedDocumentCount": _Op("estimatedDocumentCount", (DOC,)),
    "distinct": _Op("distinct", (STR, DOC), 1),
    "getIndexes": _Op("getIndexes"),
    "stats": _Op("collStats"),
    "insertOne": _Op("insertOne", (DOC, DOC), 1),
    "insertMany": _Op("insertMany", (DOCS, DOC), 1),
    "updateOne": _Op("updateOne", (DOC, UPDATE, DOC), 2),
    "updateMany": _Op("updateMany", (DOC, UPDATE, DOC), 2),
    "replaceOne": _Op("replaceOne", (DOC, DOC, DOC), 2),
    "deleteOne": _Op("deleteOne", (DOC, DOC), 1),
    "deleteMany": _Op("deleteMany", (DOC, DOC), 1),
    "createIndex": _Op("createIndex", (DOC, DOC), 1),
    "dropIndex": _Op("dropIndex", (INDEX,), 1),
    "dropIndexes": _Op("dropIndexes"),
    "drop": _Op("drop"),
    "findOneAndUpdate": _Op("findOneAndUpdate", (DOC, UPDATE, DOC), 2),
    "findOneAndReplace": _Op("findOneAndReplace", (DOC, DOC, DOC), 2),
    "findOneAndDelete": _Op("findOneAndDelete", (DOC, DOC), 1),
    "bulkWrite": _Op("bulkWrite", (DOCS, DOC), 1),
    "renameCollection": _Op("renameCollection", (STR, BOOL), 1),
}
"""Collection methods -> operation; ``count`` is run as ``countDocuments``."""

DATABASE_METHODS: dict[str, _Op] = {
    "dropDatabase": _Op("dropDatabase"),
    "getCollectionNames": _Op("getCollectionNames"),
    "stats": _Op("dbStats"),
    "runCommand": _Op("runCommand", (COMMAND,), 1),
    "adminCommand": _Op("adminCommand", (COMMAND,), 1),
}

CURSOR_MODIFIERS: dict[str, tuple[str, ...]] = {
    "sort": (DOC,),
    "skip": (INT,),
    "limit": (INT,),
    "projection": (DOC,),
    "hint": (INDEX,),
    "maxTimeMS": (INT,),
    "batchSize": (INT,),
    "collation": (DOC,),
    "comment": (STR,),
    "allowDiskUse": (BOOL,),
    "explain": (STR,),
    "pretty": (),
    "toArray": (),
}
"""Chained cursor methods after find/findOne (aggregate accepts explain/pretty/toArray)."""

AGGREGATE_MODIFIERS = frozenset({"explain", "pretty", "toArray"})
WRITE_OPERATIONS = frozenset(
    {
        "insertOne",
        "insertMany",
        "updateOne",
        "updateMany",
        "replaceOne",
        "deleteOne",
        "deleteMany",
        "createIndex",
        "dropIndex",
        "dropIndexes",
        "drop",
        "dropDatabase",
        "findOneAndUpdate",
        "findOneAndReplace",
        "findOneAndDelete",
        "bulkWrite",
        "renameCollection",
    }
)
"""Operations that change data or the catalog (aggregations writing via $out/$merge aside;
runCommand/adminCommand are judged by their command, see :mod:`.dbcommands`)."""

_USE_NAME = re.compile(r"[^\s/\\.\"$;*<>:|?]+")
_SHOW = {"dbs": "showDatabases", "databases": "showDatabases"}
_SHOW.update({"collections": "showCollections", "tables": "showCollections"})


@dataclass(frozen=True)
class MongoCommand:
    """One parsed command.

    Attributes:
        operation: Canonical operation: a key of :data:`COLLECTION_METHODS` values
            (``find``, ``aggregate``, ``countDocuments``...), ``dropDatabase``,
            ``getCollectionNames``, ``dbStats``, ``showDatabases``,
            ``showCollections`` or ``use``.
        collection: Target collection; ``None`` for database-level commands and
            for a bare ``{...}``/``[...]`` (meaning "the current collection").
        database: Database named by ``getSiblingDB``/``use``; ``None`` = current one.
        args: Positional arguments as parsed (dicts, lists, strings...).
        modifiers: Chained cursor methods in order, as (name, argument) pairs;
            the argument is ``None`` for methods without one.
        text: The command text that was parsed.
    """

    operation: str
    collection: str | None = None
    database: str | None = None
    args: tuple[object, ...] = ()
    modifiers: tuple[tuple[str, object], ...] = ()
    text: str = ""

    def modifier(self, name: str, default: object = None) -> object:
        """The argument of the last ``.name(...)`` modifier, or ``default``."""
        found = default
        for key, value in self.modifiers:
            if key == name:
                found = value
        return found

    def has_modifier(self, name: str) -> bool:
        """True when ``.name(...)`` was chained."""
        return any(key == name for key, _ in self.modifiers)

    def arg(self, index: int, default: object = None) -> object:
        """Positional argument ``index``, or ``default`` when it was not given."""
        return self.args[index] if index < len(self.args) else default


def _check_kind(parser: ValueParser, value: object, kind: str, where: int, what: str) -> None:
    """Raise unless ``value`` is of ``kind``."""
    if kind == DOC:
        ok = isinstance(value, Mapping)
    elif kind in (DOCS, PIPELINE):
        ok = isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
    elif kind == UPDATE:
        ok = isinstance(value, Mapping) or (
            isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
        )
    elif kind == STR:
        ok = isinstance(value, str)
    elif kind == INDEX:
        ok = isinstance(value, str | Mapping)
    elif kind == COMMAND:
        ok = as_command(value) is not None
    elif kind == INT:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    else:
        ok = isinstance(value, bool)
    if not ok:
        raise parser.error(f"{what} must be {kind}", where)


def _call_args(
    parser: ValueParser, name: str, kinds: tuple[str, ...], required: int
) -> list[object]:
    """Parse ``(...)`` after ``name`` and check the argument count and kinds."""
    start = parser.pos
    args = parser.arguments()
    if not required <= len(args) <= len(kinds):
        wanted = str(required) if required == len(kinds) else f"{required} to {len(kinds)}"
        raise parser.error(f"{name}() takes {wanted} argument(s), got {len(args)}", start)
    for number, (value, kind) in enumerate(zip(args, kinds, strict=False), 1):
        _check_kind(parser, value, kind, start, f"argument {number} of {name}()")
    return args


def _unsupported(parser: ValueParser, name: str, where: int, known: list[str]) -> MongoSyntaxError:
    return parser.error(
        f"{name}() is not supported here", where, hint="Supported: " + ", ".join(sorted(known))
    )


def _modifiers(parser: ValueParser, operation: str) -> tuple[tuple[str, object], ...]:
    """Parse the chain of ``.name(arg)`` cursor methods after find/aggregate."""
    found: list[tuple[str, object]] = []
    while parser.eat("."):
        where = parser.pos
        name = parser.word()
        if name is None:
            raise parser.error("expected a method name after '.'")
        allowed = (
            [m for m in CURSOR_MODIFIERS if m in AGGREGATE_MODIFIERS]
            if operation == "aggregate"
            else list(CURSOR_MODIFIERS)
        )
        if name not in allowed or operation not in ("find", "findOne", "aggregate"):
            raise _unsupported(parser, name, where, allowed)
        kinds = CURSOR_MODIFIERS[name]
        required = 0 if name in ("explain", "allowDiskUse") else len(kinds)
        args = _call_args(parser, name, kinds, required)
        found.append((name, args[0] if args else None))
    return tuple(found)


def _db_chain(parser: ValueParser, text: str) -> MongoCommand:
    """Parse what follows ``db``: collection access, a method call and its modifiers."""
    database: str | None = None
    parts: list[str] = []
    while True:
        if parser.eat("["):
            if parser.peek() not in ("'", '"'):
                raise parser.error("expected a quoted collection name inside [...]")
            parts.append(parser.string())
            parser.expect("]", "after the collection name")
            continue
        parser.expect(".", "after db" if not parts else "after the collection name")
        where = parser.pos
        name = parser.word()
        if name is None:
            raise parser.error("expected a collection or method name after '.'")
        if parser.peek() != "(":
            parts.append(name)
            continue
        if not parts and name in ("getCollection", "getSiblingDB"):
            target = _call_args(parser, name, (STR,), 1)[0]
            assert isinstance(target, str)
            if not target:
                raise parser.error(f"{name}() needs a non-empty name", where)
            if name == "getCollection":
                parts.append(target)
            else:
                database = target
            continue
        methods = COLLECTION_METHODS if parts else DATABASE_METHODS
        if name not in methods:
            raise _unsupported(parser, name, where, list(methods))
        op = methods[name]
        args = _checked_args(parser, name, op)
        modifiers = _modifiers(parser, op.operation)
        collection = ".".join(parts) if parts else None
        if op.operation == "adminCommand":
            database = "admin"
        return MongoCommand(op.operation, collection, database, tuple(args), modifiers, text)


def _checked_args(parser: ValueParser, name: str, op: _Op) -> list[object]:
    """The arguments of method ``name``, with the checks beyond kinds (command, bulk list)."""
    start = parser.pos
    try:
        args = _call_args(parser, name, op.kinds, op.required)
    except MongoSyntaxError as exc:
        if op.operation in ("runCommand", "adminCommand") and exc.hint is None:
            raise parser.error(exc.reason, exc.position, hint=COMMAND_HINT) from None
        raise
    if op.operation in ("runCommand", "adminCommand"):
        args[0] = as_command(args[0])
    elif op.operation == "bulkWrite":
        operations = args[0]
        assert isinstance(operations, list)
        reason = bulk.problem(operations)
        if reason is not None:
            raise parser.error(reason, start)
    return args


def _keyword_command(parser: ValueParser, keyword: str, text: str) -> MongoCommand:
    """``show dbs``, ``show collections`` and ``use name``."""
    parser.skip_space()
    where = parser.pos
    if keyword == "show":
        what = parser.word() or ""
        if what not in _SHOW:
            raise parser.error("expected 'show dbs' or 'show collections'", where)
        return MongoCommand(_SHOW[what], text=text)
    match = _USE_NAME.match(parser.text, parser.pos)
    if match is None:
        raise parser.error("expected a database name after 'use'", where)
    parser.pos = match.end()
    return MongoCommand("use", database=match.group(), args=(match.group(),), text=text)


def parse_command(text: str) -> MongoCommand:
    """Parse one command (a trailing ``;`` is allowed).

    Raises:
        MongoSyntaxError: the text is not a supported command, or an argument
            is invalid; ``position`` points into ``text``.
    """
    parser = ValueParser(text)
    first = parser.peek()
    if first == "{":
        command = MongoCommand("find", args=(parser.value(),), text=text)
    elif first == "[":
        start = parser.pos
        pipeline = parser.value()
        _check_kind(parser, pipeline, PIPELINE, start, "a bare pipeline")
        command = MongoCommand("aggregate", args=(pipeline,), text=text)
    else:
        where = parser.pos
        word = parser.word()
        if word in ("show", "use"):
            command = _keyword_command(parser, word, text)
        elif word == "db":
            command = _db_chain(parser, text)
        elif not first:
            raise parser.error("empty command")
        else:
            raise parser.error(
                "expected db.<collection>.<method>(...), a {filter}, a [pipeline], "
                "'show dbs', 'show collections' or 'use <db>'",
                where,
            )
    parser.eat(";")
    if not parser.at_end():
        raise parser.error(f"unexpected {parser.describe_here()} after the command")
    return command
