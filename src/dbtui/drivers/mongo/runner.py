"""Running parsed commands: streaming cursors, the operation in flight, and cancel.

Every operation is sent with a ``comment`` tag (the user's own
``.comment(...)`` if given, else ``dbtui:<random>``) and every blocking call
goes through :meth:`.inflight.Operation.call`. :meth:`Runner.cancel`, called
from another thread, is best effort and does three things:

1. marks the operation cancelled: the waiting call returns
   :class:`CancelledError` at once, and the stream hands out no more
   documents (not even buffered ones);
2. ``killOp`` on every server operation whose command (or originating
   command, for ``getMore``) carries the tag, as listed by ``currentOp``:
   a real MongoDB stops the work there;
3. ``killCursors`` on the open cursor, so its server resources go at once.

SecantusDB (the test server) does not show comments in ``currentOp`` and
its ``killOp`` does not interrupt a running command, so there (1) is what
frees the user: the abandoned command finishes in the background.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any

from pymongo.cursor import Cursor
from pymongo.errors import PyMongoError

from dbtui.core.errors import DbtuiError
from dbtui.core.results import Document, DocumentsResult, Result, Stream
from dbtui.drivers.mongo.commands import MongoCommand
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, MongoClient, translate
from dbtui.drivers.mongo.explaining import check_verbosity, clean_reply, explain_body
from dbtui.drivers.mongo.inflight import AnyCursor, Operation
from dbtui.drivers.mongo.more_operations import ALL_OPERATIONS
from dbtui.drivers.mongo.operations import Context, documents_result

DEFAULT_MAX_TIME_MS = 60_000
"""Server-side time limit of a user query, in milliseconds (``maxTimeMS``)."""
DEFAULT_BATCH_SIZE = 100
"""Documents per server round trip while streaming."""
_AGGREGATE_OPTIONS = frozenset(
    {
        "allowDiskUse",
        "maxTimeMS",
        "collation",
        "hint",
        "comment",
        "batchSize",
        "let",
        "bypassDocumentValidation",
    }
)


@dataclass(frozen=True)
class Target:
    """Where a command runs: resolved database and collection names."""

    database: str
    collection: str | None


def _pairs(value: object) -> Any:
    """A sort or hint document as pymongo pairs (a hint name stays a string)."""
    return list(value.items()) if isinstance(value, Mapping) else value


def _take(cursor: AnyCursor, size: int) -> list[dict[str, Any]]:
    return list(islice(cursor, size))


def _skipped(cursor: Cursor[Any], command: MongoCommand, start: int) -> Cursor[Any] | None:
    """A fresh copy of find ``cursor`` that starts ``start`` documents further on.

    ``None`` when the command's own ``limit`` ends before ``start``.
    """
    skip = int(str(command.modifier("skip") or 0))
    limit = 1 if command.operation == "findOne" else abs(int(str(command.modifier("limit") or 0)))
    fresh = cursor.clone().skip(skip + start)
    if limit:
        if limit <= start:
            return None
        fresh = fresh.limit(limit - start)
    return fresh


class Runner:
    """Runs :class:`~.commands.MongoCommand` objects on one client; :meth:`cancel` is thread-safe."""

    def __init__(
        self,
        client: MongoClient,
        max_time_ms: int = DEFAULT_MAX_TIME_MS,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.client = client
        self.max_time_ms = max_time_ms
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._current: Operation | None = None

    def _begin(self, command: MongoCommand) -> Operation:
        op = Operation(command.modifier("comment"))
        with self._lock:
            self._current = op
        return op

    def _end(self, op: Operation) -> None:
        with self._lock:
            if self._current is op:
                self._current = None

    def run(self, command: MongoCommand, target: Target) -> Result:
        """Run ``command`` on ``target`` and return its result (documents stream lazily).

        Raises:
            QueryError, CancelledError, ConnectionLostError: translated server errors.
        """
        max_time = command.modifier("maxTimeMS", self.max_time_ms)
        op = self._begin(command)
        started = time.perf_counter()
        streaming = False
        try:
            database = self.client[target.database]
            collection = database[target.collection] if target.collection else None
            ctx = Context(command, database, collection, int(str(max_time)), op.tag)
            if command.has_modifier("explain"):
                return self._explain_result(ctx, op)
            if command.operation in ("find", "findOne", "aggregate"):
                result = self._stream(ctx, op, started)
                streaming = True
                return result
            return op.call(partial(ALL_OPERATIONS[command.operation], ctx))
        except CLIENT_ERRORS as exc:
            raise translate(exc, command.text, cancelled=op.cancelled.is_set()) from None
        finally:
            if not streaming:
                op.close()
                self._end(op)

    def _open_cursor(self, ctx: Context) -> AnyCursor:
        command = ctx.command
        if command.operation == "aggregate":
            options = ctx.options(1, _AGGREGATE_OPTIONS)
            options.update(maxTimeMS=ctx.max_time_ms, comment=ctx.comment)
            options.setdefault("batchSize", self.batch_size)
            if "hint" in options:
                options["hint"] = _pairs(options["hint"])
            return ctx.coll.aggregate(ctx.documents(0), **options)
        kwargs: dict[str, Any] = {
            "filter": ctx.document(0),
            "projection": command.arg(1) or command.modifier("projection"),
            "max_time_ms": ctx.max_time_ms,
            "batch_size": command.modifier("batchSize", self.batch_size),
            "comment": ctx.comment,
        }
        for name in ("skip", "limit", "collation", "allowDiskUse"):
            value = command.modifier(name)
            if value is not None:
                kwargs["allow_disk_use" if name == "allowDiskUse" else name] = value
        for name in ("sort", "hint"):
            if command.modifier(name) is not None:
                kwargs[name] = _pairs(command.modifier(name))
        if command.operation == "findOne":
            kwargs["limit"] = 1
        return ctx.coll.find(**kwargs)

    def _stream(self, ctx: Context, op: Operation, started: float) -> Result:
        """Open the cursor and read its first batch now (to surface errors); stream the rest."""
        size = max(1, int(str(ctx.command.modifier("batchSize", self.batch_size))))
        cursor = op.call(lambda: self._open_cursor(ctx))
        op.cursor, op.namespace = cursor, ctx.coll.full_name
        first = op.call(partial(_take, cursor, size))
        elapsed = (time.perf_counter() - started) * 1000
        text = ctx.command.text

        def items(cursor: AnyCursor, first: list[dict[str, Any]] | None) -> Iterator[Document]:
            chunk = first if first is not None else op.call(partial(_take, cursor, size))
            try:
                while True:
                    for document in chunk:
                        op.check()
                        yield document
                    if len(chunk) < size:
                        return
                    chunk = op.call(partial(_take, cursor, size))
            except CLIENT_ERRORS as exc:
                raise translate(exc, text, cancelled=op.cancelled.is_set()) from None

        def reopen(start: int) -> Iterator[Document]:
            """Stream ``seek``: the same find again, skipping ``start`` more documents."""
            assert isinstance(cursor, Cursor)
            fresh = _skipped(cursor, ctx.command, start)
            if fresh is None:
                return iter(())
            old, op.cursor = op.cursor, fresh
            if old is not None:
                with contextlib.suppress(*CLIENT_ERRORS):
                    old.close()
            return items(fresh, None)

        def close() -> None:
            op.close()
            self._end(op)

        stored = ctx.command.operation in ("find", "findOne")
        namespace = (ctx.database.name, ctx.coll.name) if stored else None
        seek = reopen if isinstance(cursor, Cursor) else None
        stream = Stream(items(cursor, first), close, seek=seek)
        return DocumentsResult(text, stream, elapsed, namespace=namespace)

    def _explain_result(self, ctx: Context, op: Operation) -> Result:
        verbosity = str(ctx.command.modifier("explain") or "queryPlanner")
        target = Target(ctx.database.name, ctx.coll.name)
        reply = op.call(lambda: self.explain(ctx.command, target, verbosity))
        return documents_result(ctx.command.text, [reply])

    def explain(self, command: MongoCommand, target: Target, verbosity: str) -> dict[str, Any]:
        """The raw explain reply of ``command`` (cluster-gossip fields removed).

        Raises:
            UnsupportedError: the operation cannot be explained.
            QueryError: the server refused, or an unknown verbosity.
        """
        body = explain_body(command, target.collection or "", self.max_time_ms)
        try:
            reply = self.client[target.database].command(
                "explain", body, verbosity=check_verbosity(verbosity)
            )
        except CLIENT_ERRORS as exc:
            raise translate(exc, command.text) from None
        return clean_reply(reply)

    def cancel(self) -> None:
        """Cancel the operation in flight, if any (see the module docstring)."""
        with self._lock:
            op = self._current
        if op is None:
            return
        op.cancel()
        with contextlib.suppress(PyMongoError, DbtuiError):
            self._kill_tagged(op.tag)
        cursor, namespace = op.cursor, op.namespace
        if cursor is not None and cursor.cursor_id and namespace:
            database, _, collection = namespace.partition(".")
            with contextlib.suppress(PyMongoError):
                self.client[database].command("killCursors", collection, cursors=[cursor.cursor_id])

    def _kill_tagged(self, tag: str) -> None:
        """``killOp`` every operation whose command carries ``tag`` as its comment."""
        reply = self.client.admin.command({"currentOp": 1, "$all": True})
        for entry in reply.get("inprog", []):
            commands = [entry.get("command") or {}, entry.get("originatingCommand") or {}]
            commands.append((entry.get("cursor") or {}).get("originatingCommand") or {})
            tagged = any(isinstance(c, Mapping) and c.get("comment") == tag for c in commands)
            if tagged and "opid" in entry:
                self.client.admin.command("killOp", op=entry["opid"])
