"""CSV export by the server: ``COPY (query) TO STDOUT (FORMAT csv)`` streamed into a file.

:func:`export_csv` implements :class:`~dbtui.core.capabilities.exporting.ServerExport` on
the user's session connection, so the statement sees what it saw when it ran: the
session's settings (``search_path``, ``TimeZone``, temporary tables), its open
transaction, and its read-only mode (``default_transaction_read_only``: a function that
writes fails as it would in the editor). Only a plain query qualifies (``SELECT``,
``WITH`` without data-modifying parts, ``VALUES``, ``TABLE``; classified with pglast).

The statement is wrapped so that its columns get positional names and booleans print as
``true``/``false`` like the row export (COPY alone prints ``t``/``f``)::

    COPY (SELECT c1, CASE WHEN c2 THEN 'true' WHEN NOT c2 THEN 'false' END
          FROM (<statement>) AS dbtui_export(c1, c2)) TO STDOUT (FORMAT csv, ENCODING 'UTF8')

PostgreSQL keeps the subquery's order in such a projection. The header line is written
from the column names, quoted as :func:`dbtui.core.export.write_csv` does. Every other
value is the server's output text, which differs from the row export in a few spellings
(see README, "Export on PostgreSQL"): ``float8`` ``100`` (not ``100.0``), time zone
offsets ``+00`` (not ``+00:00``), ``boolean[]`` ``{t,f}``, ``json``/``jsonb`` as the server
prints them, a JSON ``null`` as ``null`` (the row path writes SQL NULL), leading or trailing
spaces unquoted. Both load back with ``COPY ... FROM (FORMAT csv, HEADER)`` to the same
values (tests/drivers/test_postgres_export.py checks it).

Inside a transaction (the user's, or the one a streamed result keeps open) the export
runs under a savepoint that is rolled back on an error or a cancel, so neither aborts
that transaction nor closes the result's cursor.
"""

from __future__ import annotations

import contextlib
import threading
from typing import BinaryIO

import psycopg
from psycopg import pq
from psycopg.abc import Buffer, PQGen
from psycopg.pq.abc import PGconn
from psycopg.waiting import Wait

from dbtui.core.capabilities.exporting import (
    ExportCancelled,
    ExportProgressCallback,
    ServerExportUnavailable,
)
from dbtui.core.export import csv_header
from dbtui.drivers.postgres.session import Session, classify_one

BOOLEAN_OID = 16
FLUSH_BYTES = 1 << 20
"""Bytes gathered before one write to the file (and one progress call)."""
_SAVEPOINT = "dbtui_export"


def copy_statement(statement: str, boolean: list[bool]) -> str:
    """The ``COPY ... TO STDOUT`` text exporting ``statement`` (``boolean``: per column)."""
    names = [f"c{i}" for i in range(1, len(boolean) + 1)]
    exprs = [
        f"CASE WHEN {n} THEN 'true' WHEN NOT {n} THEN 'false' END" if is_bool else n
        for n, is_bool in zip(names, boolean, strict=True)
    ]
    return (
        f"COPY (SELECT {', '.join(exprs)} FROM ({statement}\n) AS dbtui_export"
        f"({', '.join(names)})) TO STDOUT (FORMAT csv, ENCODING 'UTF8')"
    )


def exportable(statement: str) -> bool:
    """True for a plain query: SELECT/VALUES/TABLE/WITH, no INTO, no data-modifying WITH,
    nothing that would switch read-only off (``set_config``)."""
    parsed = classify_one(statement)
    return (
        parsed is not None
        and parsed.node == "SelectStmt"
        and parsed.returns_rows
        and not parsed.has_data_modifying_cte
        and not parsed.disables_read_only
    )


def export_csv(
    session: Session,
    statement: str,
    out: BinaryIO,
    progress: ExportProgressCallback,
    cancelled: threading.Event,
) -> int:
    """Write ``statement``'s whole result to ``out`` as CSV made by the server; the row count.

    See :meth:`dbtui.core.capabilities.exporting.ServerExport.export_csv` for the contract.
    """
    statement = statement.strip().rstrip(";")
    if not exportable(statement):
        raise ServerExportUnavailable("not a plain query")
    conn = session.conn
    if session.lost or conn.info.transaction_status not in (
        pq.TransactionStatus.IDLE,
        pq.TransactionStatus.INTRANS,
    ):
        raise ServerExportUnavailable("the session cannot run a statement now")
    nested = conn.info.transaction_status == pq.TransactionStatus.INTRANS
    if nested:
        _run(session, f"SAVEPOINT {_SAVEPOINT}")
    try:
        count = _export(session, statement, out, progress, cancelled)
    except BaseException:
        if nested:
            _run(session, f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            _run(session, f"RELEASE SAVEPOINT {_SAVEPOINT}")
        raise
    if nested:
        _run(session, f"RELEASE SAVEPOINT {_SAVEPOINT}")
    return count


def _export(
    session: Session,
    statement: str,
    out: BinaryIO,
    progress: ExportProgressCallback,
    cancelled: threading.Event,
) -> int:
    columns = _describe(session, statement)
    if not columns:
        raise ServerExportUnavailable("a result without columns")
    sql = copy_statement(statement, [c.type_code == BOOLEAN_OID for c in columns])
    head = (csv_header([c.name or "?column?" for c in columns]) + "\n").encode("utf-8")
    out.write(head)
    size = len(head)
    done = threading.Event()
    watcher = threading.Thread(target=_cancel_on, args=(session, cancelled, done), daemon=True)
    watcher.start()
    try:
        with session.conn.cursor() as cur, cur.copy(sql) as copy:
            rows, size = _pump(copy, out, progress, cancelled, size)
    except psycopg.Error as exc:
        if cancelled.is_set():
            raise ExportCancelled from None
        raise session.error(exc, statement, None) from None
    finally:
        done.set()
        watcher.join()
    progress(rows, size)
    return rows


def _cancel_on(session: Session, cancelled: threading.Event, done: threading.Event) -> None:
    """Send a cancel request when ``cancelled`` is set before ``done`` (the first row may
    take long: a sort, a big join)."""
    while not done.wait(0.1):
        if cancelled.is_set():
            with contextlib.suppress(psycopg.Error, OSError):
                session.conn.cancel_safe(timeout=10.0)
            return


def _pump(
    copy: psycopg.Copy,
    out: BinaryIO,
    progress: ExportProgressCallback,
    cancelled: threading.Event,
    size: int,
) -> tuple[int, int]:
    """Move the COPY data to ``out`` in writes of about :data:`FLUSH_BYTES`; ``(rows, bytes)``.

    The server sends one message per row; they are drained from libpq in batches
    (:func:`_batch`), so Python runs once per batch, not once per row.
    """
    conn = copy.connection
    rows = 0
    done = False
    while not done:
        chunks, done = conn.wait(_batch(conn.pgconn, conn.info.encoding))
        if chunks:
            data = b"".join(chunks)
            out.write(data)
            rows += len(chunks)
            size += len(data)
            progress(rows, size)
        if cancelled.is_set() and not done:
            raise ExportCancelled  # psycopg cancels the COPY and drains it on the way out
    return rows, size


def _batch(pgconn: PGconn, encoding: str) -> PQGen[tuple[list[Buffer], bool]]:
    """The rows libpq holds (waiting for some when it holds none), up to ~1 MB; and done.

    At the end of the data, reads the COPY's final result and raises its error, if any
    (as psycopg's own ``copy_from`` generator does, which returns one row per call).
    """
    chunks: list[Buffer] = []
    gathered = 0
    while gathered < FLUSH_BYTES:
        nbytes, data = pgconn.get_copy_data(1)
        if nbytes > 0:
            chunks.append(data)
            gathered += nbytes
        elif nbytes == 0:
            if chunks:
                break
            while not (yield Wait.R):
                continue
            pgconn.consume_input()
        else:
            yield from _finish(pgconn, encoding)
            return chunks, True
    return chunks, False


def _finish(pgconn: PGconn, encoding: str) -> PQGen[None]:
    """Read every result left after the COPY data; raise the first error among them."""
    failed = None
    while True:
        pgconn.consume_input()
        while pgconn.is_busy():
            while not (yield Wait.R):
                continue
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            break
        if failed is None and result.status == pq.ExecStatus.FATAL_ERROR:
            failed = result
    if failed is not None:
        raise psycopg.errors.error_from_result(failed, encoding=encoding)


def _describe(session: Session, statement: str) -> list[psycopg.Column]:
    """The result's columns, from the statement planned with ``LIMIT 0`` (no row is read)."""
    sql = f"SELECT * FROM ({statement}\n) AS dbtui_export LIMIT 0"
    try:
        with session.conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.description or ())
    except psycopg.Error as exc:
        if session.lost:
            raise session.error(exc, statement, None) from None
        raise ServerExportUnavailable(str(exc)) from None


def _run(session: Session, sql: str) -> None:
    try:
        session.conn.execute(sql)
    except psycopg.Error as exc:
        raise session.error(exc, sql, None) from None
