"""Running parsed commands: streaming cursors, the operation in flight, and cancel.

Every operation is sent with a ``comment`` tag (the user's own
``.comment(...)`` if given, else ``dbtui:<random>``) so :meth:`Runner.cancel`
can find it from another thread. Cancel is best effort and does three things:

1. marks the operation cancelled, so the stream stops handing out documents
   (even ones already buffered) and raises :class:`CancelledError`;
2. ``killOp`` on every server operation whose command (or originating
   command, for ``getMore``) carries the tag, as listed by ``currentOp``;
3. ``killCursors`` on the open cursor, so its server resources go at once.

On a real MongoDB a long ``find``/``aggregate``/``updateMany`` is interrupted
server-side by (2). SecantusDB lists operations in ``currentOp`` and accepts
``killOp`` and ``killCursors``; the tests check (1) and (3) against it.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from pymongo.command_cursor import CommandCursor
from pymongo.cursor import Cursor
from pymongo.errors import PyMongoError

from dbtui.core.errors import CancelledError
from dbtui.core.results import Document, DocumentsResult, Result, Stream
from dbtui.drivers.mongo.connection import MongoClient, translate
from dbtui.drivers.mongo.explaining import check_verbosity, clean_reply, explain_body
from dbtui.drivers.mongo.operations import OPERATIONS, Context, documents_result

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

AnyCursor = Cursor[dict[str, Any]] | CommandCursor[dict[str, Any]]


class _Operation:
    """The operation in flight: its tag, cancel flag and open cursor."""

    def __init__(self, tag: str, database: str) -> None:
        self.tag = tag
        self.database = database
        self.cancelled = threading.Event()
        self.cursor: AnyCursor | None = None
        self.namespace = ""


@dataclass(frozen=True)
class Target:
    """Where a command runs: resolved database and collection names."""

    database: str
    collection: str | None


def _sort(value: object) -> Any:
    return list(value.items()) if isinstance(value, Mapping) else value


class Runner:
    """Runs :class:`~.commands.MongoCommand` objects on one client; thread-safe for cancel."""

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
        self._current: _Operation | None = None

    def _begin(self, database: str, comment: object) -> _Operation:
        tag = comment if isinstance(comment, str) and comment else f"dbtui:{uuid.uuid4().hex[:16]}"
        op = _Operation(tag, database)
        with self._lock:
            self._current = op
        return op

    def _end(self, op: _Operation) -> None:
        with self._lock:
            if self._current is op:
                self._current = None

    def _context(self, command: Any, target: Target, op: _Operation, max_time_ms: int) -> Context:
        database = self.client[target.database]
        collection = database[target.collection] if target.collection else None
        return Context(command, database, collection, max_time_ms, op.tag)

    def run(self, command: Any, target: Target) -> Result:
        """Run ``command`` on ``target`` and return its result (documents stream lazily).

        Raises:
            QueryError, CancelledError, ConnectionLostError: translated server errors.
        """
        max_time = command.modifier("maxTimeMS", self.max_time_ms)
        op = self._begin(target.database, command.modifier("comment"))
        ctx = self._context(command, target, op, int(max_time))
        started = time.perf_counter()
        try:
            if command.has_modifier("explain"):
                result: Result = self._explain_result(ctx)
            elif command.operation in ("find", "findOne", "aggregate"):
                return self._stream(ctx, op, self._open_cursor(ctx), started)
            else:
                result = OPERATIONS[command.operation](ctx)
        except PyMongoError as exc:
            raise translate(exc, command.text, cancelled=op.cancelled.is_set()) from None
        finally:
            if not (op.cursor is not None and op.cursor.alive):
                self._end(op)
        return result

    def _open_cursor(self, ctx: Context) -> AnyCursor:
        command = ctx.command
        if command.operation == "aggregate":
            options = ctx.options(1, _AGGREGATE_OPTIONS)
            options.update(maxTimeMS=ctx.max_time_ms, comment=ctx.comment)
            options.setdefault("batchSize", self.batch_size)
            if "hint" in options:
                options["hint"] = _sort(options["hint"])
            return ctx.coll.aggregate(ctx.documents(0), **options)
        kwargs: dict[str, Any] = {
            "filter": command.arg(0) or {},
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
                kwargs[name] = _sort(command.modifier(name))
        if command.operation == "findOne":
            kwargs["limit"] = 1
        return ctx.coll.find(**kwargs)

    def _stream(self, ctx: Context, op: _Operation, cursor: AnyCursor, started: float) -> Result:
        """Fetch the first document now (to surface errors), stream the rest."""
        op.cursor, op.namespace = cursor, ctx.coll.full_name
        first = list(islice(cursor, 1))
        elapsed = (time.perf_counter() - started) * 1000
        text = ctx.command.text

        def items() -> Iterator[Document]:
            try:
                for document in chain(first, cursor):
                    if op.cancelled.is_set():
                        raise CancelledError("the operation was cancelled")
                    yield document
            except PyMongoError as exc:
                raise translate(exc, text, cancelled=op.cancelled.is_set()) from None

        def close() -> None:
            cursor.close()
            self._end(op)

        return DocumentsResult(text, Stream(items(), close), elapsed)

    def _explain_result(self, ctx: Context) -> Result:
        verbosity = ctx.command.modifier("explain") or "queryPlanner"
        reply = self.explain(ctx.command, Target(ctx.database.name, ctx.coll.name), str(verbosity))
        return documents_result(ctx.command.text, [reply])

    def explain(self, command: Any, target: Target, verbosity: str) -> dict[str, Any]:
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
        except PyMongoError as exc:
            raise translate(exc, command.text) from None
        return clean_reply(reply)

    def cancel(self) -> None:
        """Cancel the operation in flight, if any (see the module docstring)."""
        with self._lock:
            op = self._current
        if op is None:
            return
        op.cancelled.set()
        with contextlib.suppress(PyMongoError):
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
