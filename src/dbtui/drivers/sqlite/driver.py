"""The SQLite driver: the stdlib ``sqlite3`` module behind :class:`dbtui.core.driver.Driver`.

One ``sqlite3.Connection`` serves user statements, streams and the catalog; an
RLock serialises its use, because calls arrive from worker threads (one at a
time) while :meth:`SqliteDriver.cancel` arrives from another thread and only
calls ``interrupt()``, which SQLite allows from any thread.

The connection runs in autocommit mode (``isolation_level=None``): every
statement commits on its own unless the user says BEGIN, and COMMIT/ROLLBACK
are plain statements. Foreign keys are enforced (``PRAGMA foreign_keys=ON``).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from time import perf_counter

from dbtui.core.advice import Suggestion
from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.completion import CatalogSnapshot
from dbtui.core.confirmation import Confirmation
from dbtui.core.describe import Description
from dbtui.core.driver import Capabilities, Driver
from dbtui.core.errors import ConnectError, ConnectionLostError, DbtuiError, QueryError
from dbtui.core.plan import Plan
from dbtui.core.results import Column, Result, Row, RowsResult, StatusResult, Stream
from dbtui.core.spec import ConnectionSpec
from dbtui.core.writes import (
    PendingWrite,
    WriteShape,
    held_results,
    should_hold,
    sql_question_before,
)
from dbtui.drivers.sqlite import catalog, completion, held
from dbtui.drivers.sqlite import describe as describing
from dbtui.drivers.sqlite.commands import command_tag, dml_verb, strip_explain
from dbtui.drivers.sqlite.errors import translate
from dbtui.drivers.sqlite.formatting import format_sql
from dbtui.drivers.sqlite.guard import GuardMode, WriteGuard
from dbtui.drivers.sqlite.planning import (
    plan_cursor,
    query_plan_rows,
    row_estimate,
    table_infos,
)
from dbtui.drivers.sqlite.plans import parse_sqlite_plan, plan_relation_names
from dbtui.drivers.sqlite.url import SqliteTarget, check_exists, parse_sqlite_url, parse_url

FETCH_CHUNK = 256
"""Rows stepped per trip to SQLite when a stream is read."""
BUSY_TIMEOUT_S = 2.0
"""How long a statement waits for another process's write lock before failing."""

_SqliteError = (sqlite3.Error, sqlite3.Warning)

_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_QUERY_START = re.compile(r"(?:SELECT|VALUES|WITH)\b", re.IGNORECASE)


def rereadable(statement: str) -> bool:
    """True for a query that a result window may run again (``SELECT``, ``VALUES``, ``WITH``).

    A ``WITH`` that ends in a write fails to compile when wrapped (and the
    re-run is compiled under the reads-only guard anyway), so it never writes twice.
    """
    rest = statement[_LEADING_COMMENTS.match(statement).end() :]  # type: ignore[union-attr]
    return _QUERY_START.match(rest) is not None


class SqliteDriver(Driver):
    """SQLite files and in-memory databases (``sqlite:///path.db``, ``sqlite://:memory:``)."""

    parse_url = staticmethod(parse_url)
    """Masking and naming hook of :func:`dbtui.core.spec.url_facts`."""

    engine = "sqlite"
    display_name = "SQLite"
    language = "sql"
    sql_dialect = "sqlite"
    """:class:`~dbtui.core.capabilities.LiteralQuoting`: how exports spell literals."""
    capabilities = Capabilities(
        cancel=True,
        explain=True,
        explain_analyze=True,
        transactions=True,
        advise=True,
        server_read_only=True,
    )

    @classmethod
    def starter_text(cls, spec: ConnectionSpec) -> str:
        """:class:`~dbtui.core.capabilities.StarterText`: the demo's tour, or an example."""
        from dbtui.drivers.sqlite.starter import starter_text

        return starter_text(spec)

    def __init__(self, spec: ConnectionSpec) -> None:
        super().__init__(spec)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._state_lock = threading.Lock()
        self._stepping_now = False
        self._guard = WriteGuard()
        self._stream: Stream[Row] | None = None
        self._read_only = spec.read_only
        self._pending: PendingWrite | None = None
        self._confirm_over: int | None = None
        """Set only while :meth:`execute_checked` advances :meth:`execute` (never across a yield)."""

    # -- connection -------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """True when writes are refused (``--read-only``, ``?mode=ro`` or ``?immutable=1``)."""
        return self._read_only

    def connect(self) -> None:
        """Open the database file; a missing file is an error unless ``?mode=rwc``.

        Raises:
            ConnectError: bad URL, missing file, or not a SQLite database.
        """
        target = parse_sqlite_url(self.spec.url)
        self._read_only = self.spec.read_only or target.read_only
        check_exists(target, read_only=self._read_only)
        conn = self._open(target)
        self._guard.mode = GuardMode.NO_WRITES if self._read_only else GuardMode.ALLOW_ALL
        conn.set_authorizer(self._guard)
        with self._lock:
            self.close()
            self._conn = conn

    def _open(self, target: SqliteTarget) -> sqlite3.Connection:
        where = target.path
        try:
            conn = sqlite3.connect(
                target.uri(read_only=self._read_only),
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_S,
            )
        except sqlite3.Error as exc:
            raise ConnectError(f"cannot open {where}: {exc}") from exc
        try:
            conn.text_factory = functools.partial(str, encoding="utf-8", errors="replace")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA foreign_keys = ON")
            if self._read_only:
                conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            conn.close()
            raise ConnectError(f"cannot open {where}: {exc}") from exc
        return conn

    def close(self) -> None:
        """Interrupt what runs, close any open result stream and the connection.

        Safe to call twice, and from another thread than the one running a statement.
        """
        self.cancel()
        self._close_stream()
        with suppress(DbtuiError):
            self.rollback_pending()
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                with suppress(sqlite3.Error):
                    conn.close()

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ConnectionLostError("The SQLite database is not open; reconnect to continue.")
        return self._conn

    @property
    def transaction_status(self) -> str:
        """ "in transaction" between BEGIN and COMMIT/ROLLBACK, else "idle"."""
        conn = self._conn
        if conn is None:
            return ""
        return "in transaction" if conn.in_transaction else "idle"

    @property
    def server_version(self) -> str:
        """The SQLite library version, e.g. "3.40.1"."""
        return sqlite3.sqlite_version

    # -- catalog ----------------------------------------------------------------

    def children(self, node: CatalogNode | None) -> Sequence[CatalogNode]:
        """Catalog nodes under ``node``; see :mod:`dbtui.drivers.sqlite.catalog`."""
        conn = self._require()
        with self._lock:
            try:
                return catalog.children(conn, node)
            except _SqliteError as exc:
                raise translate(exc, None) from exc

    def details(self, node: CatalogNode) -> Sequence[tuple[str, str]]:
        """The node's facts; tables also get an estimated row count (never a COUNT(*))."""
        meta = tuple(node.meta)
        if node.kind != Kind.TABLE or len(node.key) != 4 or dict(meta).get("type") != "table":
            return meta
        conn = self._require()
        with self._lock:
            try:
                estimate = row_estimate(conn, node.key[1], node.key[3])
            except _SqliteError as exc:
                raise translate(exc, None) from exc
        if estimate is None:
            return meta
        rows, source = estimate
        return (*meta, ("estimated rows", f"~{rows:,} ({source})"))

    def can_describe(self, node: CatalogNode) -> bool:
        """:class:`~dbtui.core.capabilities.describing.Describing`; no I/O."""
        return describing.can_describe(node)

    def describe(self, node: CatalogNode) -> Description:
        """The table or view under ``node`` like psql's ``\\d``, with its DDL (:mod:`.describe`)."""
        conn = self._require()
        with self._lock:
            try:
                return describing.describe(conn, node)
            except _SqliteError as exc:
                raise translate(exc, None) from exc

    format_sql = staticmethod(format_sql)
    """:class:`~dbtui.core.capabilities.formatting.Formatting`: sqlparse's reindent."""

    def completion_snapshot(self) -> CatalogSnapshot:
        """Tables, views and columns of every attached database, for editor completion.

        Raises:
            QueryError: a catalog query failed.
        """
        conn = self._require()
        with self._lock:
            try:
                return completion.snapshot(conn)
            except _SqliteError as exc:
                raise translate(exc, None) from exc

    # -- statements -------------------------------------------------------------

    def execute(self, statement: str) -> Iterator[Result]:
        """Run one statement; rows stream lazily, ``FETCH_CHUNK`` rows per step.

        Raises:
            QueryError: SQLite rejected the statement (with the error position when
                it can be found).
            ReadOnlyError: the statement writes and the connection is read-only.
            CancelledError: :meth:`cancel` interrupted it.
        """
        conn = self._require()
        self._close_stream()
        self.rollback_pending()
        shape = self._held_shape(statement)
        with self._lock:
            cursor = conn.cursor()
            started = perf_counter()
            nested = self._begin_held(conn, shape)
            try:
                self._run(cursor, statement)
            except DbtuiError:
                if nested is not None:
                    with suppress(*_SqliteError):
                        held.end(conn, nested=nested, commit=False)
                raise
            elapsed_ms = (perf_counter() - started) * 1000
        if cursor.description is None:
            status, rowcount = command_tag(statement, self._rowcount(conn, cursor, statement))
            self._close_cursor(cursor)
            result = StatusResult(statement, status, rowcount, elapsed_ms)
            if shape is not None and nested is not None:
                self._settle_held(conn, result, shape, nested)
            yield result
            return
        if nested is not None:  # a write that returned rows after all: read them, then commit
            rows = list(self._rows(cursor, statement))
            self._close_cursor(cursor)
            self._end_held(conn, nested, commit=True)
            columns = tuple(Column(str(item[0])) for item in cursor.description)
            yield RowsResult(statement, columns, Stream(iter(rows)), elapsed_ms)
            return
        columns = tuple(Column(str(item[0])) for item in cursor.description)
        current = [cursor]
        seek = (
            functools.partial(self._reread, statement, current) if rereadable(statement) else None
        )
        stream = Stream(
            self._rows(cursor, statement),
            on_close=lambda: self._close_cursor(current[0]),
            seek=seek,
        )
        self._stream = stream
        yield RowsResult(statement, columns, stream, elapsed_ms)
        stream.close()

    # -- writes held for confirmation (dbtui.core.writes.ConfirmsWrites) -------------

    def execute_checked(self, statement: str, confirm_over: int) -> Iterator[Result | PendingWrite]:
        """:meth:`execute`, holding a write that changes more than ``confirm_over`` rows
        (or has no WHERE) in an open transaction: it is yielded as a
        :class:`PendingWrite`; answer with :meth:`commit_pending` or
        :meth:`rollback_pending`."""
        yield from held_results(
            self.execute(statement), self._arm_hold, lambda: self.pending, confirm_over
        )

    def _arm_hold(self, confirm_over: int | None) -> None:
        """Set the threshold :meth:`execute` reads while it runs a write (None: never hold)."""
        self._confirm_over = confirm_over

    @property
    def pending(self) -> PendingWrite | None:
        """The write held in an open transaction, or ``None``."""
        return self._pending

    def commit_pending(self) -> StatusResult:
        """COMMIT the held write (inside the user's transaction: keep it there).

        Raises:
            QueryError: the commit failed; the write was rolled back.
        """
        pending, self._pending = self._pending, None
        if pending is None:
            return StatusResult("", "nothing was held")
        self._end_held(self._require(), pending.in_transaction, commit=True)
        status = pending.result.status if pending.result else pending.verb
        kept = " (kept in your open transaction)" if pending.in_transaction else ""
        return StatusResult(pending.statement, f"{status}{kept}", pending.affected)

    def rollback_pending(self) -> StatusResult:
        """Roll back the held write; a no-op when nothing is held."""
        pending, self._pending = self._pending, None
        if pending is None:
            return StatusResult("", "nothing was held")
        self._end_held(self._require(), pending.in_transaction, commit=False)
        return StatusResult(pending.statement, f"rolled back: {pending.count_text} unchanged", 0)

    def question_before(self, statement: str) -> Confirmation | None:
        """:meth:`needs_confirmation` minus DELETE/UPDATE without WHERE, which
        :meth:`execute_checked` holds and asks about with the real row count
        (none when read-only, which refuses every statement asked about at once)."""
        return None if self._read_only else sql_question_before(statement)

    def _held_shape(self, statement: str) -> WriteShape | None:
        """The write's shape when this run may hold it (checked run, writable connection)."""
        if self._confirm_over is None or self._read_only:
            return None
        return held.write_shape(statement)

    def _begin_held(self, conn: sqlite3.Connection, shape: WriteShape | None) -> bool | None:
        """BEGIN (or SAVEPOINT) for a write that may be held; ``None`` when not held."""
        if shape is None:
            return None
        try:
            return held.begin(conn)
        except _SqliteError as exc:
            raise translate(exc, None) from exc

    def _settle_held(
        self, conn: sqlite3.Connection, result: StatusResult, shape: WriteShape, nested: bool
    ) -> None:
        """Hold the write (:attr:`pending`) or commit it now, by its row count."""
        assert self._confirm_over is not None
        affected = result.rowcount or 0
        if not should_hold(affected, whole=shape.whole, confirm_over=self._confirm_over):
            self._end_held(conn, nested, commit=True)
            return
        self._pending = PendingWrite(
            statement=result.statement,
            verb=shape.verb,
            target=shape.target,
            affected=affected,
            whole=shape.whole,
            in_transaction=nested,
            result=result,
        )

    def _end_held(self, conn: sqlite3.Connection, nested: bool, *, commit: bool) -> None:
        """Commit or roll back the held write; a failed commit rolls back and raises."""
        with self._lock:
            try:
                held.end(conn, nested=nested, commit=commit)
            except _SqliteError as exc:
                with suppress(*_SqliteError):
                    held.end(conn, nested=nested, commit=False)
                raise translate(exc, None) from exc

    def _rowcount(self, conn: sqlite3.Connection, cursor: sqlite3.Cursor, statement: str) -> int:
        """Rows changed; sqlite3 only counts statements that start with the DML verb."""
        if cursor.rowcount >= 0 or dml_verb(statement) is None:
            return cursor.rowcount
        with self._lock:
            return int(conn.execute("SELECT changes()").fetchone()[0])

    def _run(self, cursor: sqlite3.Cursor, statement: str) -> None:
        """Prepare and step ``statement`` once, translating any failure."""
        self._guard.reset()
        error: BaseException | None = None
        with self._stepping():
            try:
                cursor.execute(statement)
            except _SqliteError as exc:
                error = exc
        if error is not None:
            self._close_cursor(cursor)
            raise self._translate(error, statement) from error

    def _translate(self, error: BaseException, statement: str) -> DbtuiError:
        return translate(error, statement, refused=self._guard.refused, probe=self._probe)

    def _probe(self, text: str) -> str | None:
        """SQLite's error for compiling ``text`` (never running it), or ``None``."""
        conn = self._require()
        with self._guarded(GuardMode.PLAN):
            try:
                plan_cursor(conn, f"EXPLAIN {text}").close()
            except _SqliteError as exc:
                return str(exc)
        return None

    def _rows(self, cursor: sqlite3.Cursor, statement: str) -> Iterator[Row]:
        while True:
            with self._lock:
                error: BaseException | None = None
                chunk: list[Row] = []
                with self._stepping():
                    try:
                        chunk = cursor.fetchmany(FETCH_CHUNK)
                    except _SqliteError as exc:
                        error = exc
                if error is not None:
                    raise translate(error, statement) from error
            if not chunk:
                return
            yield from chunk

    def _reread(self, statement: str, current: list[sqlite3.Cursor], start: int) -> Iterator[Row]:
        """Stream ``seek``: run the query again from row ``start`` (``LIMIT -1 OFFSET start``).

        SQLite has no scrollable cursor, so an earlier page is re-read by running
        the ``SELECT`` again wrapped as a subquery; SQLite skips the first
        ``start`` rows itself. The re-run is compiled under the reads-only guard,
        so it can never write. Rows changed meanwhile by another connection show
        their new values (each re-read is a new snapshot).

        Raises:
            QueryError: the query cannot be wrapped or failed when re-run.
        """
        conn = self._require()
        self._close_cursor(current[0])
        wrapped = f"SELECT * FROM (\n{statement}\n) LIMIT -1 OFFSET {int(start)}"
        with self._lock:
            cursor = conn.cursor()
            with self._guarded(GuardMode.READS_ONLY):
                self._run(cursor, wrapped)
            current[0] = cursor
        return self._rows(cursor, statement)

    def _close_cursor(self, cursor: sqlite3.Cursor) -> None:
        with self._lock, suppress(sqlite3.Error):
            cursor.close()

    def _close_stream(self) -> None:
        """Close the previous result stream (never while holding the connection lock)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    # -- cancel -----------------------------------------------------------------

    @contextmanager
    def _stepping(self) -> Iterator[None]:
        """Mark the span during which SQLite is working, so cancel() may interrupt it."""
        with self._state_lock:
            self._stepping_now = True
        try:
            yield
        finally:
            with self._state_lock:
                self._stepping_now = False

    def cancel(self) -> None:
        """Interrupt the statement SQLite is running now; a no-op when it is idle.

        The interrupted call raises CancelledError; the connection stays usable
        (an open transaction is rolled back by SQLite if the statement wrote).
        """
        with self._state_lock:
            conn = self._conn
            if self._stepping_now and conn is not None:
                conn.interrupt()

    # -- explain ----------------------------------------------------------------

    @contextmanager
    def _guarded(self, mode: GuardMode) -> Iterator[None]:
        previous = self._guard.mode
        self._guard.mode = mode
        self._guard.reset()
        try:
            yield
        finally:
            self._guard.mode = previous

    def needs_confirmation(self, statement: str) -> Confirmation | None:
        """A question for DROP, DELETE/UPDATE without WHERE, ALTER ... DROP (the object's
        name must be typed for DROP and ALTER ... DROP; see also :meth:`question_before`); none when read-only: those are all writes, refused
        at once (the authorizer, ``query_only`` and ``mode=ro``), so asking is pointless."""
        if self._read_only:
            return None
        from dbtui.core.sqlclass import destructive_question  # pglast: loaded on first statement

        return destructive_question(statement)

    def explain(self, statement: str, *, analyze: bool = False) -> Plan:
        """EXPLAIN QUERY PLAN as a tree with findings.

        ``analyze=True`` also runs the statement once, reading every row, and
        reports the total time and row count (SQLite has no per-node timing).
        Only queries are run: anything that would write, and PRAGMAs, are refused.

        Raises:
            QueryError: SQLite cannot plan the statement, or ``analyze`` was asked
                for a statement that is not a plain query.
            CancelledError: :meth:`cancel` interrupted the analysed run.
        """
        conn = self._require()
        original, statement = statement, strip_explain(statement)
        try:
            with self._lock:
                rows = self._plan_rows(conn, statement)
                tables = table_infos(conn, statement, plan_relation_names(rows))
                measured = self._measure(conn, statement) if analyze else None
        except QueryError as error:
            if error.position is not None:  # point into the text as the user wrote it
                error.position += len(original) - len(statement)
            error.statement = original
            raise
        return parse_sqlite_plan(
            rows,
            statement,
            tables=tables,
            execution_ms=measured[0] if measured else None,
            rows_returned=measured[1] if measured else None,
        )

    def _plan_rows(
        self, conn: sqlite3.Connection, statement: str
    ) -> list[tuple[int, int, int, str]]:
        """EXPLAIN QUERY PLAN rows; the statement is compiled, never run."""
        with self._guarded(GuardMode.PLAN), self._stepping():
            try:
                return query_plan_rows(conn, statement)
            except _SqliteError as exc:
                error, refused = exc, self._guard.refused
        if refused is not None:
            raise QueryError(
                f"dbtui does not explain {refused}: SQLite applies some settings while it "
                "compiles a statement, so even EXPLAIN could change them.",
                statement=statement,
            ) from error
        raise translate(error, statement, probe=self._probe) from error

    def _measure(self, conn: sqlite3.Connection, statement: str) -> tuple[float, int]:
        """Run a read-only ``statement`` to the end: (milliseconds, rows)."""
        cursor = conn.cursor()
        count = 0
        error: BaseException | None = None
        with self._guarded(GuardMode.READS_ONLY), self._stepping():
            started = perf_counter()
            try:
                cursor.execute(statement)
                while chunk := cursor.fetchmany(FETCH_CHUNK):
                    count += len(chunk)
            except _SqliteError as exc:
                error = exc
            elapsed_ms = (perf_counter() - started) * 1000
            refused = self._guard.refused
        cursor.close()
        if error is not None and refused is not None:
            raise QueryError(
                f"EXPLAIN ANALYZE runs the statement, and on SQLite dbtui only runs queries "
                f"that read: {refused} refused.",
                statement=statement,
                hint="Use EXPLAIN without ANALYZE to see the plan of a write.",
            ) from error
        if error is not None:
            raise translate(error, statement) from error
        return elapsed_ms, count

    # -- index advice -----------------------------------------------------------

    def advise(self, statement: str) -> list[Suggestion]:
        """Indexes SQLite's planner would use for ``statement``; only reads (see :mod:`.advisor`).

        Raises:
            QueryError: SQLite cannot plan the statement.
        """
        from dbtui.drivers.sqlite import advisor as index_advisor  # imports pglast: on first use

        statement = strip_explain(statement).strip().rstrip(";").strip()
        before = self.explain(statement)
        with self._lock, self._guarded(GuardMode.NO_WRITES), self._stepping():
            try:
                return index_advisor.advise(self._require(), statement, before)
            except _SqliteError as exc:
                raise translate(exc, statement) from exc
