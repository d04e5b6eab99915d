"""Commands that return one reply rather than a cursor: counts, distinct, writes, admin.

Result types (the rule the UI can rely on):

* documents or lists of documents -> :class:`DocumentsResult` (``getIndexes``,
  ``stats()``, ``show dbs``, ``show collections``);
* a scalar or a list of scalars -> :class:`ReplyResult` (``countDocuments``,
  ``estimatedDocumentCount`` -> ``int``; ``distinct`` -> ``list``;
  ``getCollectionNames`` -> ``list[str]``);
* a write or a state change -> :class:`StatusResult` whose ``status`` says what
  happened ("inserted 3 documents") and ``rowcount`` how many documents.

Every function raises pymongo errors; the runner translates them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from dbtui.core.errors import QueryError
from dbtui.core.results import DocumentsResult, ReplyResult, Result, StatusResult, Stream
from dbtui.drivers.mongo.commands import MongoCommand
from dbtui.drivers.mongo.export import to_shell

Doc = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """Everything an operation needs.

    Attributes:
        command: The parsed command.
        database: The resolved target database.
        collection: The resolved target collection (``None`` for database commands).
        max_time_ms: Server-side time limit for reads, in milliseconds.
        comment: Tag attached to the operation so it can be found and killed.
    """

    command: MongoCommand
    database: Database[Doc]
    collection: Collection[Doc] | None
    max_time_ms: int
    comment: str

    @property
    def coll(self) -> Collection[Doc]:
        """The target collection (the parser guarantees one for collection methods)."""
        if self.collection is None:
            raise QueryError("this command needs a collection", statement=self.command.text)
        return self.collection

    def document(self, index: int) -> Doc:
        """Argument ``index`` as a dict (``{}`` when absent); the parser checked its kind."""
        value = self.command.arg(index) or {}
        if not isinstance(value, Mapping):
            raise QueryError(
                f"argument {index + 1} must be a document", statement=self.command.text
            )
        return dict(value)

    def documents(self, index: int) -> list[Doc]:
        """Argument ``index`` as a list of dicts (an array of documents or a pipeline)."""
        value = self.command.arg(index) or []
        if not isinstance(value, list):
            raise QueryError(f"argument {index + 1} must be an array", statement=self.command.text)
        return [dict(item) for item in value if isinstance(item, Mapping)]

    def options(self, index: int, allowed: frozenset[str]) -> dict[str, Any]:
        """The options document at argument ``index``, keeping only ``allowed`` keys.

        Raises:
            QueryError: an option dbtui does not pass on (so typos do not go unnoticed).
        """
        given = self.command.arg(index) or {}
        assert isinstance(given, Mapping)
        unknown = sorted(set(given) - allowed)
        if unknown:
            raise QueryError(
                f"unknown option(s) {', '.join(unknown)} for {self.command.operation}",
                statement=self.command.text,
                hint="Allowed: " + ", ".join(sorted(allowed)),
            )
        return dict(given)


def documents_result(text: str, docs: list[Mapping[str, object]]) -> DocumentsResult:
    """A :class:`DocumentsResult` over documents already in memory."""
    return DocumentsResult(text, Stream(iter(docs)))


def _strip_gossip(reply: Mapping[str, Any]) -> Doc:
    return {k: v for k, v in reply.items() if k not in ("$clusterTime", "operationTime", "ok")}


def _keys(value: object) -> Any:
    """An index spec for pymongo: a name stays a string, a key document becomes pairs."""
    return list(value.items()) if isinstance(value, Mapping) else value


def _count(ctx: Context) -> Result:
    options = ctx.options(1, frozenset({"limit", "skip", "hint", "collation"}))
    if "hint" in options:
        options["hint"] = _keys(options["hint"])
    filter_ = ctx.document(0)
    count = ctx.coll.count_documents(
        filter_, maxTimeMS=ctx.max_time_ms, comment=ctx.comment, **options
    )
    return ReplyResult(ctx.command.text, count)


def _estimated(ctx: Context) -> Result:
    ctx.options(0, frozenset({"maxTimeMS"}))
    return ReplyResult(
        ctx.command.text, ctx.coll.estimated_document_count(maxTimeMS=ctx.max_time_ms)
    )


def _distinct(ctx: Context) -> Result:
    field = str(ctx.command.arg(0))
    values = ctx.coll.distinct(
        field, ctx.document(1), maxTimeMS=ctx.max_time_ms, comment=ctx.comment
    )
    return ReplyResult(ctx.command.text, values)


def _plain(value: Any) -> Any:
    """``value`` with pymongo's SON mappings turned into plain dicts (nicer to display)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _get_indexes(ctx: Context) -> Result:
    indexes = [_plain(info) for info in ctx.coll.list_indexes(comment=ctx.comment)]
    return documents_result(ctx.command.text, indexes)


def _coll_stats(ctx: Context) -> Result:
    reply = ctx.database.command("collStats", ctx.coll.name, maxTimeMS=ctx.max_time_ms)
    return documents_result(ctx.command.text, [_strip_gossip(reply)])


def _db_stats(ctx: Context) -> Result:
    reply = ctx.database.command("dbStats", maxTimeMS=ctx.max_time_ms)
    return documents_result(ctx.command.text, [_strip_gossip(reply)])


def _collection_names(ctx: Context) -> Result:
    return ReplyResult(ctx.command.text, sorted(ctx.database.list_collection_names()))


def _show_databases(ctx: Context) -> Result:
    client = ctx.database.client
    docs = [
        {"name": d["name"], "sizeOnDisk": d.get("sizeOnDisk"), "empty": d.get("empty")}
        for d in client.list_databases()
    ]
    return documents_result(ctx.command.text, sorted(docs, key=lambda d: str(d["name"])))


def _show_collections(ctx: Context) -> Result:
    infos = ctx.database.list_collections()
    docs = sorted(
        ({"name": i["name"], "type": i.get("type", "collection")} for i in infos),
        key=lambda d: str(d["name"]),
    )
    return documents_result(ctx.command.text, list(docs))


def _status(ctx: Context, status: str, rowcount: int | None, *notices: str) -> StatusResult:
    return StatusResult(ctx.command.text, status, rowcount, notices=tuple(notices))


def _insert_one(ctx: Context) -> Result:
    ctx.options(1, frozenset({"bypassDocumentValidation"}))
    doc = ctx.document(0)
    result = ctx.coll.insert_one(doc, comment=ctx.comment)
    return _status(ctx, "inserted 1 document", 1, f"_id: {to_shell(result.inserted_id)}")


def _insert_many(ctx: Context) -> Result:
    options = ctx.options(1, frozenset({"ordered", "bypassDocumentValidation"}))
    docs = ctx.documents(0)
    result = ctx.coll.insert_many(
        docs, ordered=bool(options.get("ordered", True)), comment=ctx.comment
    )
    count = len(result.inserted_ids)
    return _status(ctx, f"inserted {count} documents", count)


_UPDATE_OPTIONS = frozenset({"upsert", "arrayFilters", "hint", "collation", "let"})
_PYMONGO_NAMES = {"arrayFilters": "array_filters"}


def _update(ctx: Context) -> Result:
    options = ctx.options(2, _UPDATE_OPTIONS)
    kwargs = {_PYMONGO_NAMES.get(k, k): v for k, v in options.items()}
    if "hint" in kwargs:
        kwargs["hint"] = _keys(kwargs["hint"])
    filter_ = ctx.document(0)
    update: Any = ctx.documents(1) if isinstance(ctx.command.arg(1), list) else ctx.document(1)
    operation = ctx.command.operation
    if operation == "replaceOne":
        result = ctx.coll.replace_one(filter_, update, comment=ctx.comment, **kwargs)
    elif operation == "updateOne":
        result = ctx.coll.update_one(filter_, update, comment=ctx.comment, **kwargs)
    else:
        result = ctx.coll.update_many(filter_, update, comment=ctx.comment, **kwargs)
    status = f"matched {result.matched_count}, modified {result.modified_count}"
    notices = (f"upserted _id: {to_shell(result.upserted_id)}",) if result.upserted_id else ()
    return _status(ctx, status, result.modified_count, *notices)


def _delete(ctx: Context) -> Result:
    options = ctx.options(1, frozenset({"hint", "collation", "let"}))
    if "hint" in options:
        options["hint"] = _keys(options["hint"])
    filter_ = ctx.document(0)
    many = ctx.command.operation == "deleteMany"
    method = ctx.coll.delete_many if many else ctx.coll.delete_one
    result = method(filter_, comment=ctx.comment, **options)
    noun = "document" if result.deleted_count == 1 else "documents"
    return _status(ctx, f"deleted {result.deleted_count} {noun}", result.deleted_count)


def _create_index(ctx: Context) -> Result:
    keys = ctx.command.arg(0)
    options = ctx.document(1)
    name = ctx.coll.create_index(_keys(keys), comment=ctx.comment, **options)
    return _status(ctx, f"created index {name}", None)


def _drop_index(ctx: Context) -> Result:
    target = ctx.command.arg(0)
    ctx.coll.drop_index(_keys(target), comment=ctx.comment)
    return _status(ctx, f"dropped index {to_shell(target)}", None)


def _drop_indexes(ctx: Context) -> Result:
    ctx.coll.drop_indexes(comment=ctx.comment)
    return _status(ctx, f"dropped every index of {ctx.coll.full_name} except _id", None)


def _drop(ctx: Context) -> Result:
    ctx.coll.drop(comment=ctx.comment)
    return _status(ctx, f"dropped collection {ctx.coll.full_name}", None)


def _drop_database(ctx: Context) -> Result:
    ctx.database.client.drop_database(ctx.database.name, comment=ctx.comment)
    return _status(ctx, f"dropped database {ctx.database.name}", None)


OPERATIONS: dict[str, Callable[[Context], Result]] = {
    "countDocuments": _count,
    "estimatedDocumentCount": _estimated,
    "distinct": _distinct,
    "getIndexes": _get_indexes,
    "collStats": _coll_stats,
    "dbStats": _db_stats,
    "getCollectionNames": _collection_names,
    "showDatabases": _show_databases,
    "showCollections": _show_collections,
    "insertOne": _insert_one,
    "insertMany": _insert_many,
    "updateOne": _update,
    "updateMany": _update,
    "replaceOne": _update,
    "deleteOne": _delete,
    "deleteMany": _delete,
    "createIndex": _create_index,
    "dropIndex": _drop_index,
    "dropIndexes": _drop_indexes,
    "drop": _drop,
    "dropDatabase": _drop_database,
}
"""Operation name -> function, for everything but find/findOne/aggregate/use."""
