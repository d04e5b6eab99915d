"""findOneAndUpdate/Replace/Delete, bulkWrite, renameCollection, runCommand/adminCommand.

Result types follow :mod:`.operations`:

* ``findOneAnd*`` -> :class:`DocumentsResult` holding the document found
  (before the change, or after with ``{returnDocument: "after"}`` /
  ``{returnNewDocument: true}``), none when nothing matched; a notice says so;
* ``bulkWrite`` and ``renameCollection`` -> :class:`StatusResult`;
* ``runCommand``/``adminCommand`` -> :class:`DocumentsResult`: the documents
  of the first batch for a command that opens a cursor (``find``,
  ``aggregate``, ``listCollections``...; the server cursor is closed, a
  notice says so), else the reply itself (cluster gossip removed).

:data:`ALL_OPERATIONS` is :data:`.operations.OPERATIONS` plus these.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from pymongo import ReturnDocument

from dbtui.core.errors import QueryError
from dbtui.core.results import DocumentsResult, Result, Stream
from dbtui.drivers.mongo import bulk
from dbtui.drivers.mongo.connection import CLIENT_ERRORS
from dbtui.drivers.mongo.operations import OPERATIONS, Context, Doc, _keys, _plain, _status

_FIND_AND_MODIFY_OPTIONS = frozenset(
    {
        "projection",
        "sort",
        "upsert",
        "returnDocument",
        "returnNewDocument",
        "arrayFilters",
        "hint",
        "collation",
        "maxTimeMS",
        "let",
        "bypassDocumentValidation",
    }
)
_OPTION_INDEX = {"findOneAndUpdate": 2, "findOneAndReplace": 2, "findOneAndDelete": 1}
_PYMONGO_NAMES = {"arrayFilters": "array_filters"}


def _returned(options: dict[str, Any], operation: str, text: str) -> bool:
    """Which version of the document to return, from mongosh's two spellings."""
    after = options.pop("returnNewDocument", False) is True
    choice = options.pop("returnDocument", "after" if after else "before")
    if choice not in ("before", "after"):
        raise QueryError(
            f'returnDocument of {operation} must be "before" or "after", not {choice!r}',
            statement=text,
        )
    return ReturnDocument.AFTER if choice == "after" else ReturnDocument.BEFORE


def _find_and_modify_kwargs(ctx: Context) -> dict[str, Any]:
    operation = ctx.command.operation
    options = ctx.options(_OPTION_INDEX[operation], _FIND_AND_MODIFY_OPTIONS)
    kwargs = {_PYMONGO_NAMES.get(k, k): v for k, v in options.items()}
    for name in ("sort", "hint"):
        if name in kwargs:
            kwargs[name] = _keys(kwargs[name])
    if operation == "findOneAndDelete":
        for name in ("upsert", "returnDocument", "returnNewDocument", "array_filters"):
            if name in kwargs:
                raise QueryError(
                    f"findOneAndDelete has no {name} option", statement=ctx.command.text
                )
    else:
        kwargs["return_document"] = _returned(kwargs, operation, ctx.command.text)
    kwargs.setdefault("maxTimeMS", ctx.max_time_ms)
    return kwargs


def _find_one_and(ctx: Context) -> Result:
    kwargs = _find_and_modify_kwargs(ctx)
    filter_ = ctx.document(0)
    operation = ctx.command.operation
    coll = ctx.coll
    found: Doc | None
    if operation == "findOneAndDelete":
        found = coll.find_one_and_delete(filter_, comment=ctx.comment, **kwargs)
    elif operation == "findOneAndReplace":
        found = coll.find_one_and_replace(filter_, ctx.document(1), comment=ctx.comment, **kwargs)
    else:
        arg = ctx.command.arg(1)
        update: Any = ctx.documents(1) if isinstance(arg, list) else ctx.document(1)
        found = coll.find_one_and_update(filter_, update, comment=ctx.comment, **kwargs)
    if found is None:
        notice = f"{operation}: no document matched the filter"
    else:
        notice = f"{operation}: 1 document on {coll.full_name}"
    docs = [] if found is None else [found]
    return DocumentsResult(ctx.command.text, Stream(iter(docs)), notices=(notice,))


def _bulk_write(ctx: Context) -> Result:
    options = ctx.options(1, frozenset({"ordered", "bypassDocumentValidation"}))
    operations = ctx.command.arg(0)
    assert isinstance(operations, list)  # the parser checked it with bulk.problem
    result = ctx.coll.bulk_write(
        bulk.requests(operations),
        ordered=bool(options.get("ordered", True)),
        bypass_document_validation=options.get("bypassDocumentValidation"),
        comment=ctx.comment,
    )
    counts = {
        "inserted": result.inserted_count,
        "matched": result.matched_count,
        "modified": result.modified_count,
        "deleted": result.deleted_count,
        "upserted": result.upserted_count,
    }
    status = ", ".join(f"{name} {count}" for name, count in counts.items())
    changed = sum(counts.values()) - counts["matched"]
    return _status(ctx, status, changed)


def _rename(ctx: Context) -> Result:
    new_name = str(ctx.command.arg(0))
    drop_target = ctx.command.arg(1) is True
    old = ctx.coll.full_name
    ctx.coll.rename(new_name, dropTarget=drop_target, comment=ctx.comment)
    return _status(ctx, f"renamed {old} to {ctx.database.name}.{new_name}", None)


def _without_gossip(reply: Mapping[str, Any]) -> Doc:
    return {k: _plain(v) for k, v in reply.items() if k not in ("$clusterTime", "operationTime")}


def _close_cursor(ctx: Context, cursor: Mapping[str, Any]) -> None:
    """Close what is left of a command's server cursor (the first batch is all dbtui shows)."""
    cursor_id, namespace = cursor.get("id"), cursor.get("ns")
    if not cursor_id or not isinstance(namespace, str) or "." not in namespace:
        return
    database, _, collection = namespace.partition(".")
    with contextlib.suppress(*CLIENT_ERRORS):
        ctx.database.client[database].command("killCursors", collection, cursors=[cursor_id])


def _run_command(ctx: Context) -> Result:
    document = ctx.command.arg(0)
    assert isinstance(document, Mapping)  # the parser made it a command document
    reply = ctx.database.command(dict(document))
    cursor = reply.get("cursor")
    text = ctx.command.text
    if isinstance(cursor, Mapping) and isinstance(cursor.get("firstBatch"), list):
        batch = [_plain(doc) for doc in cursor["firstBatch"]]
        more = bool(cursor.get("id"))
        _close_cursor(ctx, cursor)
        notice = f"{len(batch)} document(s) in the first batch" + (
            "; the server cursor was closed (use find()/aggregate() to read them all)"
            if more
            else ""
        )
        return DocumentsResult(text, Stream(iter(batch)), notices=(notice,))
    return DocumentsResult(text, Stream(iter([_without_gossip(reply)])))


ALL_OPERATIONS: dict[str, Callable[[Context], Result]] = {
    **OPERATIONS,
    "findOneAndUpdate": _find_one_and,
    "findOneAndReplace": _find_one_and,
    "findOneAndDelete": _find_one_and,
    "bulkWrite": _bulk_write,
    "renameCollection": _rename,
    "runCommand": _run_command,
    "adminCommand": _run_command,
}
"""Operation name -> function, for everything but find/findOne/aggregate/use."""
