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

from dbtui.core.errors import DbtuiError, UnsupportedError

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


Seek = Callable[[int], Iterator[T]]
"""Re-opens a result at a 0-based index: an iterator of the items from there on."""


class Stream(Generic[T]):
    """Items fetched on demand from a driver, a page at a time.

    ``fetch`` is called from a worker thread; it blocks only as long as the
    driver needs to produce ``size`` items. ``close`` releases the server side
    cursor; it is safe to call twice and from another thread.

    Memory stays bounded: the stream never keeps the items it handed out.
    A driver that can re-read its result gives a ``seek`` function (PostgreSQL
    re-positions a ``SCROLL`` cursor, SQLite re-runs a ``SELECT`` with an
    ``OFFSET``, MongoDB re-opens a find with ``skip``); then :meth:`fetch_page`
    reads any page again, so a viewer keeps only a window of rows. Without
    ``seek`` (:attr:`seekable` is False) only the next page can be read.

    Once the end is reached, a stream that cannot seek releases its source at
    once; one that can seek keeps it open (to page back) until :meth:`close`,
    unless the whole result came in one fetch from the start.
    """

    def __init__(
        self,
        items: Iterator[T],
        on_close: Callable[[], None] | None = None,
        *,
        seek: Seek[T] | None = None,
    ) -> None:
        self._items = items
        self._on_close = on_close
        self._seek = seek
        self._lock = Lock()
        self.position = 0
        """0-based index of the item the next :meth:`fetch` returns."""
        self.total: int | None = None
        """The number of items, once the end has been read; ``None`` before."""
        self.closed = False
        """True once the source was released (the end of a stream that cannot seek, or close)."""
        self._moved = False
        """:meth:`aim` moved :attr:`position`: the next read re-opens the source there."""

    @property
    def fetched(self) -> int:
        """Where the items handed out so far end (the same as :attr:`position`)."""
        return self.position

    @property
    def exhausted(self) -> bool:
        """True when :meth:`fetch` has nothing more to give (the end, or closed)."""
        return self.closed or (self.total is not None and self.position >= self.total)

    @property
    def seekable(self) -> bool:
        """True when :meth:`fetch_page` can read any page again."""
        return self._seek is not None and not self.closed

    def fetch(self, size: int) -> list[T]:
        """Return up to ``size`` items from :attr:`position` on; fewer means the end."""
        with self._lock:
            return self._read(size)

    def fetch_page(self, start: int, size: int) -> list[T]:
        """Return up to ``size`` items from index ``start`` (re-reading them if need be).

        Afterwards :meth:`fetch` continues after the page.

        Raises:
            UnsupportedError: ``start`` is not the current position and the
                stream cannot seek (or was closed).
            DbtuiError: re-opening or reading failed (the stream is then closed).
        """
        with self._lock:
            self._aim(start)
            return self._read(size)

    def aim(self, start: int) -> None:
        """Make the next :meth:`fetch` read from index ``start``; no I/O happens here.

        Raises:
            UnsupportedError: ``start`` is not the current position and the
                stream cannot seek (or was closed).
        """
        with self._lock:
            self._aim(start)

    def close(self) -> None:
        """Stop reading and release the source."""
        with self._lock:
            self._finish()

    def _aim(self, start: int) -> None:
        if start == self.position:
            return
        if self._seek is None or self.closed:
            raise UnsupportedError(
                "This result cannot be read again from another row: run the statement again.",
                "Cannot scroll back",
            )
        self.position = max(0, start)
        self._moved = True

    def _read(self, size: int) -> list[T]:
        if self.exhausted:
            return []
        begin = self.position
        try:
            if self._moved and self._seek is not None:
                old, self._items = self._items, self._seek(begin)
                self._moved = False
                _close_iterator(old)
            page = list(islice(self._items, size))
        except DbtuiError:
            self._finish()
            raise
        self.position += len(page)
        if len(page) < size:
            self.total = self.position
            if self._seek is None or begin == 0:
                self._finish()
        return page

    def _finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        _close_iterator(self._items)
        if self._on_close is not None:
            self._on_close()


def _close_iterator(items: Iterator[object]) -> None:
    close = getattr(items, "close", None)
    if callable(close):
        close()


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
