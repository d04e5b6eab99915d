"""The user's connection: runs statements, streams rows, cancels, tracks transactions.

Streaming: a statement that can be a cursor (a plain ``SELECT``, ``VALUES``
or ``TABLE`` without data-modifying ``WITH``) is declared as a server-side
``SCROLL`` cursor and read ``FETCH FORWARD page_size`` at a time, on demand, so
client memory stays flat whatever the result size; the stream can seek
(``MOVE ABSOLUTE``) to re-read an earlier page, so a viewer keeps only a window
(``FOR UPDATE``/``FOR SHARE`` cannot scroll: those stream forward only). A cursor that is not ``WITH
HOLD`` needs a transaction, and ``WITH HOLD`` would make the server compute
the whole result at the first commit, so:

* when the session is idle, the driver opens a transaction of its own just
  for the cursor and ends it when the stream is closed (``COMMIT``, which is
  what autocommit would have done; ``ROLLBACK`` after an error). While that
  stream is open :attr:`Session.transaction_status` still says "idle";
* inside the user's own transaction the cursor simply lives in it.

Every other statement runs as is; if it returns rows (``INSERT ...
RETURNING``, ``SHOW``, ``EXPLAIN``), they are read from the complete result.
An ``EXPLAIN`` (``EXPLAIN ANALYZE`` really runs its statement) runs inside a
transaction or savepoint that is always rolled back (see :mod:`.typed_explain`).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import pglast
import psycopg
from pglast import ast
from psycopg import pq
from psycopg.errors import Diagnostic

from dbtui.core.errors import ConnectionLostError, DbtuiError, QueryError, UnsupportedError
from dbtui.core.results import Column, Result, Row, RowsResult, StatusResult, Stream
from dbtui.core.sqlclass import StatementClass, classify
from dbtui.core.writes import PendingWrite, sql_write_shape
from dbtui.drivers.postgres import held, typed_explain
from dbtui.drivers.postgres.connection import Connection, close_quietly
from dbtui.drivers.postgres.errors import query_error

PAGE_SIZE = 500
"""Rows per ``FETCH`` from a server-side cursor."""

TypeNamer = Callable[[Sequence[int]], dict[int, str]]
"""Looks up display names for type oids psycopg does not know."""

_STATUS = {
    pq.TransactionStatus.IDLE: "idle",
    pq.TransactionStatus.INTRANS: "in transaction",
    pq.TransactionStatus.INERROR: "failed transaction",
}


class Session:
    """Runs the user's statements on one connection, one at a time.

    Args:
        conn: An open autocommit connection (see :func:`connection.open_connection`).
        where: Masked URL, for messages.
        type_namer: Names unknown column types (runs on another connection).
        page_size: Rows per server-side ``FETCH``.
        read_only: The session was made read-only; if a statement turned that
            off by a route the classifier cannot see (a ``DO`` block, a function),
            it is switched back on at once (PostgreSQL 14+ reports the setting).
    """

    def __init__(
        self,
        conn: Connection,
        where: str,
        type_namer: TypeNamer,
        *,
        page_size: int = PAGE_SIZE,
        read_only: bool = False,
    ) -> None:
        self.conn = conn
        self.where = where
        self.page_size = page_size
        self.read_only = read_only
        self.notices: list[str] = []
        """NOTICE/WARNING messages of the latest statement (also those sent while fetching)."""
        self._type_namer = type_namer
        self._cancelled = threading.Event()
        self._names = itertools.count(1)
        self._stream: Stream[Row] | None = None
        self._cursor: str | None = None
        """Name of the server-side cursor of :attr:`_stream` while it is open."""
        self._implicit = False
        self._last_status = "idle"
        self.pending: PendingWrite | None = None
        """A write held in an open transaction until the user decides (see :mod:`.held`)."""
        conn.add_notice_handler(self._on_notice)

    # -- state ------------------------------------------------------------------------------

    @property
    def lost(self) -> bool:
        """True when the server side of the session is gone."""
        return self.conn.closed or self.conn.broken

    @property
    def transaction_status(self) -> str:
        """ "idle", "in transaction", "failed transaction"; "" when the session is lost."""
        if self.lost:
            return ""
        status = self.conn.info.transaction_status
        if status == pq.TransactionStatus.ACTIVE:
            return self._last_status
        if self._implicit and status == pq.TransactionStatus.INTRANS:
            return "idle"
        return _STATUS.get(status, "")

    def close(self) -> None:
        """Close any open stream, roll back a held write, close the connection."""
        self.close_stream()
        self.drop_pending()
        close_quietly(self.conn)

    def drop_pending(self) -> None:
        """Roll back the held write, if any; never raises (a lost session lost it anyway)."""
        if self.pending is not None:
            with contextlib.suppress(DbtuiError):
                held.finish(self, commit=False)

    def _on_notice(self, diag: Diagnostic) -> None:
        self.notices.append(f"{diag.severity or 'NOTICE'}: {diag.message_primary or ''}")

    # -- running ----------------------------------------------------------------------------

    def run(
        self,
        text: str,
        *,
        classification: StatementClass | None = None,
        confirm_over: int | None = None,
    ) -> Result:
        """Run one statement and return its result (rows stream; call ``close`` on them).

        Args:
            text: One statement, without a trailing ``;``.
            classification: The statement's parse, when it parsed; decides
                whether rows stream through a server-side cursor.
            confirm_over: Hold an UPDATE/DELETE/MERGE/INSERT ... SELECT that
                changes more rows than this (or has no WHERE) in an open
                transaction, described by :attr:`pending` (see :mod:`.held`);
                ``None`` runs it as is.

        Raises:
            QueryError: the server rejected it (position relative to ``text``).
            ReadOnlyError: the server refused a write in read-only mode.
            CancelledError: :meth:`cancel` interrupted it.
            ConnectionLostError: the session is gone; :meth:`PostgresDriver.reconnect`.
        """
        self.begin_command()
        if classification is not None and classification.node == "CopyStmt":
            refuse_client_copy(text)
        try:
            if typed_explain.is_explain(classification):  # EXPLAIN ANALYZE never commits
                return typed_explain.run_rolled_back(self, text)
            if classification is not None and _can_stream(classification):
                return self._stream_rows(text)
            shape = sql_write_shape(text) if confirm_over is not None else None
            if shape is not None and confirm_over is not None:
                return held.run_held(self, text, shape, confirm_over)
            return self._run_plain(text)
        finally:
            self._remember_status()
            self._keep_read_only()

    def _keep_read_only(self) -> None:
        """Turn ``default_transaction_read_only`` back on if a statement turned it off."""
        if not self.read_only or self.lost:
            return
        if self.conn.info.parameter_status("default_transaction_read_only") != "off":
            return
        with contextlib.suppress(psycopg.Error):  # in a failed transaction: next time
            self.conn.execute("SET default_transaction_read_only = on")
        self.notices.append("WARNING: dbtui switched the session back to read-only")

    def begin_command(self) -> None:
        """Prepare to send a new command: close the open stream, reset notices and cancel.

        A write still held (:attr:`pending`) is rolled back: only an explicit
        :func:`held.finish` commits it.

        Raises:
            ConnectionLostError: the session is gone.
        """
        self.close_stream()
        self.drop_pending()
        if self.lost:
            raise ConnectionLostError(f"The connection to {self.where} is closed. Reconnect.")
        self.notices.clear()
        self._cancelled.clear()

    def cancel(self) -> None:
        """Ask the server to cancel the running statement; safe from any thread."""
        self._cancelled.set()
        # Nothing running, or the connection is gone: then there is nothing to cancel.
        with contextlib.suppress(psycopg.Error, OSError):
            self.conn.cancel_safe(timeout=10.0)

    def _remember_status(self) -> None:
        if not self.lost:
            self._last_status = self.transaction_status or self._last_status

    def error(self, exc: psycopg.Error, text: str, prefix_length: int | None = 0) -> DbtuiError:
        """The dbtui error for ``exc`` raised by ``text`` (see :func:`errors.query_error`)."""
        return query_error(
            exc,
            text,
            conn=self.conn,
            prefix_length=prefix_length,
            cancelled=self._cancelled.is_set(),
            where=self.where,
        )

    def run_plain(self, text: str) -> Result:
        """Run ``text`` as is and read its whole result (no cursor, no transaction of its own)."""
        return self._run_plain(text)

    def _run_plain(self, text: str) -> Result:
        start = time.perf_counter()
        cur = self.conn.cursor()
        try:
            cur.execute(text)
        except psycopg.Error as exc:
            raise self.error(exc, text) from None
        elapsed = (time.perf_counter() - start) * 1000
        if cur.description is None:
            rowcount = cur.rowcount if cur.rowcount >= 0 else None
            status = cur.statusmessage or ""
            return StatusResult(text, status, rowcount, elapsed, tuple(self.notices))
        columns = self._columns(cur.description)
        return RowsResult(text, columns, Stream(iter(cur.fetchall())), elapsed, tuple(self.notices))

    # -- streaming through a server-side cursor ---------------------------------------------

    def _stream_rows(self, text: str) -> RowsResult:
        name = f"dbtui_{next(self._names)}"
        scroll = "NO SCROLL" if _locks_rows(text) else "SCROLL"
        prefix = f'DECLARE "{name}" {scroll} CURSOR FOR '
        start = time.perf_counter()
        self._implicit = self.conn.info.transaction_status == pq.TransactionStatus.IDLE
        try:
            if self._implicit:
                self.conn.execute("BEGIN")
            self.conn.execute(prefix + text)
        except psycopg.Error as exc:
            self._end_implicit()
            raise self.error(exc, text, len(prefix)) from None
        cur = self.conn.cursor()
        first = self._fetch(cur, name, text)
        assert cur.description is not None
        columns = self._columns(cur.description)
        elapsed = (time.perf_counter() - start) * 1000
        rows = self._rows(cur, name, text, first)
        seek = partial(self._seek, cur, name, text) if scroll == "SCROLL" else None
        stream: Stream[Row] = Stream(rows, on_close=lambda: self._release(name), seek=seek)
        self._stream, self._cursor = stream, name
        return RowsResult(text, columns, stream, elapsed, tuple(self.notices))

    def _seek(self, cur: psycopg.Cursor[Any], name: str, text: str, start: int) -> Iterator[Row]:
        """Stream ``seek``: put the SCROLL cursor before row ``start`` (0-based), read on from there.

        ``MOVE ABSOLUTE n`` leaves the cursor on row ``n`` (1-based), so the next
        ``FETCH FORWARD`` starts at 0-based ``start``; the server keeps the rows
        (in work_mem, then a temporary file), the client only the page it reads.
        """
        if name != self._cursor:
            raise QueryError("The result's cursor is closed: run the statement again.")
        try:
            cur.execute(f'MOVE ABSOLUTE {int(start)} IN "{name}"')
        except psycopg.Error as exc:
            self._stream = self._cursor = None
            self._end_implicit()
            raise self.error(exc, text, None) from None
        return self._rows(cur, name, text, None)

    def _fetch(self, cur: psycopg.Cursor[Any], name: str, text: str) -> list[Row]:
        try:
            cur.execute(f'FETCH FORWARD {self.page_size} FROM "{name}"')
            return cur.fetchall()
        except psycopg.Error as exc:
            self._stream = self._cursor = None
            self._end_implicit()
            raise self.error(exc, text, None) from None

    def _rows(
        self, cur: psycopg.Cursor[Any], name: str, text: str, first: list[Row] | None
    ) -> Iterator[Row]:
        """The rows of cursor ``name``: ``first`` (or a FETCH), then one FETCH per page as needed."""
        page = first if first is not None else self._fetch(cur, name, text)
        while True:
            yield from page
            if len(page) < self.page_size:
                return
            page = self._fetch(cur, name, text)
            self._remember_status()

    def close_stream(self) -> None:
        """Close the open stream, if any (its cursor and the driver's own transaction)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    def _release(self, name: str) -> None:
        """Stream ``on_close``: close the cursor and end the driver's own transaction.

        A stale stream (one that failed, or was superseded) must not touch the
        session: the cursor it names is gone and a newer one may be open.
        """
        if name != self._cursor:
            return
        self._stream = self._cursor = None
        if self.lost:
            self._implicit = False
            return
        if self.conn.info.transaction_status == pq.TransactionStatus.INTRANS:
            # Already gone with an error? The transaction end below cleans up.
            with contextlib.suppress(psycopg.Error):
                self.conn.execute(f'CLOSE "{name}"')
        self._end_implicit()
        self._remember_status()

    def _end_implicit(self) -> None:
        """Commit (or, after an error, roll back) the transaction the driver opened."""
        if not self._implicit:
            return
        self._implicit = False
        if self.lost:
            return
        status = self.conn.info.transaction_status
        verb = "COMMIT" if status == pq.TransactionStatus.INTRANS else "ROLLBACK"
        try:
            self.conn.execute(verb)
        except psycopg.Error as exc:
            raise self.error(exc, verb) from None

    # -- columns ----------------------------------------------------------------------------

    def _columns(self, description: Sequence[psycopg.Column]) -> tuple[Column, ...]:
        unknown = [d.type_code for d in description if d.type_display.isdigit()]
        names: dict[int, str] = {}
        if unknown:
            try:
                names = self._type_namer(unknown)
            except DbtuiError:
                names = {}
        return tuple(Column(d.name, names.get(d.type_code, d.type_display)) for d in description)


def _locks_rows(text: str) -> bool:
    """True when ``text`` has ``FOR UPDATE``/``FOR SHARE`` somewhere: such a cursor cannot SCROLL."""
    try:
        tree = pglast.parser.parse_sql_json(text)
    except pglast.parser.ParseError:
        return True
    return '"lockingClause"' in tree


def _can_stream(statement: StatementClass) -> bool:
    """Plain SELECT/VALUES/TABLE (no INTO, no data-modifying WITH) can be a cursor."""
    return (
        statement.node == "SelectStmt"
        and statement.returns_rows
        and not statement.has_data_modifying_cte
    )


def refuse_client_copy(text: str) -> None:
    """Refuse ``COPY ... FROM STDIN`` / ``TO STDOUT``: they need a data channel dbtui lacks.

    Raises:
        UnsupportedError: ``text`` copies from or to the client.
    """
    node = pglast.parse_sql(text)[0].stmt
    if isinstance(node, ast.CopyStmt) and node.filename is None and not node.is_program:
        raise UnsupportedError(
            "COPY to or from the client (STDIN/STDOUT) is not available in dbtui; "
            "COPY to or from a server file, or use psql's \\copy",
            "COPY not supported",
        )


def classify_one(text: str) -> StatementClass | None:
    """The parse of one statement, or ``None`` when pglast cannot parse it (the server decides)."""
    try:
        result = classify(text)
    except QueryError:
        return None
    return result.statements[0] if result.count == 1 else None
