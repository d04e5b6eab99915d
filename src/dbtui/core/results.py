"""Typed results of running a statement or command.

A statement produces exactly one of :class:`RowsResult` (columns and rows),
:class:`DocumentsResult` (MongoDB-style documents), :class:`ReplyResult` (a
Redis reply) or :class:`StatusResult` (a command with no result set). Rows and
documents arrive through a :class:`Stream` that is fetched page by page, so the
first page can be shown before the rest is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from threading import Lock
from typing import Generic, TypeVar

T = TypeVar("T")

Row = tuple[object, ...]
Document = Mapping[str, object]


@dataclass(frozen=True)
class Column:
    """A result column.

    Attributes:
        name: Column name as the server reported it (may repeat, may be empty).
        type_name: The engine's type name ("integer", "TEXT"); empty when unknown,
            as for SQLite expressions.
    """

    name: str
    type_name: str = ""


class Stream(Generic[T]):
    """Items fetched on demand from a driver, a page at a time.

    ``fetch`` is called from a worker thread; it blocks only as long as the
    driver needs to produce ``size`` items. The stream is exhausted once a
    fetch returns fewer items than asked for. ``close`` releases the server
    side cursor; it is safe to call twice and from another thread.
    """

    def __init__(self, items: Iterator[T], on_close: Callable[[], None] | None = None) -> None:
        self._items = items
        self._on_close = on_close
        self._lock = Lock()
        self.fetched = 0
        """How many items have been handed out so far."""
        self.exhausted = False
        """True once the source has no more items (or the stream was closed)."""

    def fetch(self, size: int) -> list[T]:
        """Return up to ``size`` more items; fewer means the stream is exhausted."""
        with self._lock:
            if self.exhausted:
                return []
            page = list(islice(self._items, size))
            self.fetched += len(page)
            if len(page) < size:
                self._finish()
            return page

    def close(self) -> None:
        """Stop reading and release the source."""
        with self._lock:
            self._finish()

    def _finish(self) -> None:
        if self.exhausted:
            return
        self.exhausted = True
        close = getattr(self._items, "close", None)
        if callable(close):
            close()
        if self._on_close is not None:
            self._on_close()


@dataclass(frozen=True)
class RowsResult:
    """A result set of rows under named columns."""

    statement: str
    columns: tuple[Column, ...]
    rows: Stream[Row]
    elapsed_ms: float = 0.0
    """Time until the first page was ready, in milliseconds."""
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentsResult:
    """A stream of documents (MongoDB)."""

    statement: str
    documents: Stream[Document]
    elapsed_ms: float = 0.0
    notices: tuple[str, ...] = ()
    namespace: tuple[str, str] | None = None
    """(database, collection) the documents are stored in, so they can be edited in
    place; ``None`` when they are not stored documents (an aggregation, an explain)."""


@dataclass(frozen=True)
class ReplyResult:
    """A Redis reply, already decoded into Python values.

    ``reply`` is ``None`` (nil), ``int``, ``float``, ``bytes``, ``str`` (status),
    a :class:`ReplyError`, or lists/dicts/sets of those.
    """

    statement: str
    reply: object
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class StatusResult:
    """A statement that returns no rows: DDL, INSERT, a transaction command.

    Attributes:
        status: The server's command tag or a short description ("INSERT 0 3").
        rowcount: Rows affected, or ``None`` when not applicable.
    """

    statement: str
    status: str
    rowcount: int | None = None
    elapsed_ms: float = 0.0
    notices: tuple[str, ...] = ()


Result = RowsResult | DocumentsResult | ReplyResult | StatusResult


@dataclass(frozen=True)
class Statement:
    """One statement of a script, with where it sits in the editor text.

    Attributes:
        text: The statement without surrounding whitespace or the final ``;``.
        start: 0-based offset of the first character in the script.
        end: Offset just past the last character (before the ``;``).
    """

    text: str
    start: int
    end: int
