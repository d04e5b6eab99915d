"""EXPLAIN in JSON, with the safety rules for EXPLAIN ANALYZE.

EXPLAIN ANALYZE really runs the statement. Rules:

* exactly one statement, and one that PostgreSQL can explain;
* on a read-only connection, the statement must pass the read-only check
  (:mod:`.readonly`) before anything is sent;
* every EXPLAIN ANALYZE, whatever the statement looks like (a ``SELECT`` may
  call a function that writes), runs inside a transaction (or, inside the
  user's open transaction, a savepoint) that is always rolled back, also on
  error; in read-only mode that transaction is ``READ ONLY`` too. A write
  also gets ``SET LOCAL statement_timeout`` and a short ``lock_timeout``.
  Sequences still advance and external side effects (dblink, NOTIFY to other
  systems, files) escape the rollback: the UI says so when it asks for
  confirmation, which it must do first when :func:`analyze_question` says so
  (a write, or a call of a function not known to be IMMUTABLE/STABLE).
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg import pq
from psycopg.types.json import set_json_loads

from dbtui.core.errors import DbtuiError, QueryError
from dbtui.core.results import Statement
from dbtui.core.sqlclass import StatementClass, StatementKind, classify
from dbtui.drivers.postgres.readonly import check as read_only_check
from dbtui.drivers.postgres.readonly_catalog import ReadOnlyGuard
from dbtui.drivers.postgres.session import Session
from dbtui.drivers.postgres.splitting import split_script

EXPLAINABLE = frozenset(
    {
        "SelectStmt",
        "InsertStmt",
        "UpdateStmt",
        "DeleteStmt",
        "MergeStmt",
        "ExecuteStmt",
        "DeclareCursorStmt",
        "CreateTableAsStmt",
    }
)
"""Statements PostgreSQL accepts after EXPLAIN (CREATE TABLE AS covers CREATE MATERIALIZED VIEW)."""

WRITE_STATEMENT_TIMEOUT_MS = 60_000
"""``statement_timeout`` for EXPLAIN ANALYZE of a write, in milliseconds."""
WRITE_LOCK_TIMEOUT_MS = 2_000
"""``lock_timeout`` for EXPLAIN ANALYZE of a write, in milliseconds."""

ANALYZE_WRITE_WARNING = (
    "EXPLAIN ANALYZE really runs this statement, inside a transaction that is then rolled "
    "back. Sequences still advance, and side effects outside the database (dblink, NOTIFY, "
    "files or other systems touched by functions) are not undone."
)
"""What the UI should say when asking to confirm EXPLAIN ANALYZE of a write."""

ANALYZE_FUNCTION_WARNING = (
    "EXPLAIN ANALYZE really runs this statement, and it calls {reason}. It runs inside a "
    "transaction that is then rolled back, but sequences still advance and side effects "
    "outside the database (dblink, NOTIFY, files, signals to other sessions) are not undone."
)
"""What the UI should say for a read that calls a function not known to be read-only."""

_SAVEPOINT = "dbtui_explain"


def _only_statement(statement: str) -> tuple[str, int, StatementClass]:
    """The single statement of ``statement``, its offset, and its classification.

    Raises:
        QueryError: zero or several statements, a syntax error (with its
            position), or a statement EXPLAIN does not accept.
    """
    pieces = split_script(statement)
    if len(pieces) != 1:
        raise QueryError(
            f"EXPLAIN needs exactly one statement; found {len(pieces)}",
            "Cannot explain",
            statement=statement,
        )
    piece = pieces[0]
    try:
        parsed = classify(piece.text)
    except QueryError as exc:
        position = None if exc.position is None else exc.position + piece.start
        raise QueryError(exc.message, exc.title, statement=statement, position=position) from None
    info = parsed.statements[0]
    if info.node not in EXPLAINABLE:
        raise QueryError(
            f"{info.node.removesuffix('Stmt')} statements cannot be explained; EXPLAIN "
            "accepts SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE, DECLARE "
            "and CREATE TABLE AS",
            "Cannot explain",
            statement=statement,
        )
    return piece.text, piece.start, info


def explain_is_write(statement: str) -> bool:
    """True when EXPLAIN ANALYZE of ``statement`` would change data or the schema.

    ``EXECUTE`` counts as a write because the prepared statement is not
    visible here. Callers ask the user before analysing a write.

    Raises:
        QueryError: as :func:`explain_json` does for unusable input.
    """
    return _writes(_only_statement(statement)[2])


def _writes(info: StatementClass) -> bool:
    return (
        info.kind in (StatementKind.WRITE, StatementKind.DDL, StatementKind.OTHER)
        or info.has_data_modifying_cte
    )


def analyze_question(statement: str, guard: ReadOnlyGuard, *, read_only: bool) -> str | None:
    """What to ask before EXPLAIN ANALYZE of ``statement``, or ``None``; no I/O.

    Asks for a write (:func:`explain_is_write`) and for a statement calling a
    function that is not known (from ``guard``'s cache) to be IMMUTABLE or
    STABLE, or an administration function. ``None`` for unusable text (the
    explain reports it) and, on a read-only connection, for a statement the
    read-only check refuses anyway (refused at once, nothing to ask).
    """
    try:
        _text, _offset, info = _only_statement(statement)
    except DbtuiError:
        return None
    assert info.tree is not None
    if read_only and read_only_check(info.tree, guard.prepared).refused is not None:
        return None
    if _writes(info):
        return ANALYZE_WRITE_WARNING
    reason = guard.unsafe_function(info.tree)
    return None if reason is None else ANALYZE_FUNCTION_WARNING.format(reason=reason)


def explain_json(
    session: Session,
    statement: str,
    *,
    analyze: bool = False,
    buffers: bool = True,
    read_only: bool = False,
    guard: ReadOnlyGuard | None = None,
) -> Any:
    """Run ``EXPLAIN (FORMAT JSON ...)`` and return the server's JSON (a list of one plan).

    Args:
        session: The user's session (EXPLAIN ANALYZE runs where the user's
            statements run, inside their transaction if one is open).
        statement: Exactly one explainable statement.
        analyze: Run it and measure (see the module rules for writes).
        buffers: Add buffer counts (only with ``analyze``).
        read_only: The connection is read-only: the statement must pass the
            read-only check (EXPLAIN ANALYZE of it, or plain EXPLAIN), and the
            rolled-back transaction is ``READ ONLY`` as well.
        guard: The connection's read-only guard (required when ``read_only``).

    Raises:
        QueryError: unusable input, or the server's error (position relative
            to ``statement``).
        ReadOnlyError: read-only, and the check refused it (nothing was sent).
        CancelledError: the user cancelled it.
    """
    text, offset, info = _only_statement(statement)
    if guard is not None:
        guard.functions.refresh_if_stale()
    if read_only and analyze:
        if guard is None:
            raise ValueError("a read-only explain needs the connection's guard")
        piece = Statement(text=text, start=offset, end=offset + len(text))
        guard.before_send(info, piece, statement, read_only=True)
    options = ["FORMAT JSON", "SETTINGS"]
    if analyze:
        options += ["ANALYZE", "BUFFERS"] if buffers else ["ANALYZE"]
    command = f"EXPLAIN ({', '.join(options)}) "
    writes = _writes(info)
    session.begin_command()
    try:
        if analyze:
            return _rolled_back(session, command + text, read_only, writes)
        return _fetch_plan(session, command + text)
    except psycopg.Error as exc:
        error = session.error(exc, text, len(command))
        if isinstance(error, QueryError) and error.position is not None:
            error.position += offset
            error.statement = statement
        raise error from None


def _fetch_plan(session: Session, sql: str) -> Any:
    """The plan as plain JSON values (floats, as the plan parser expects, not Decimals)."""
    cur = session.conn.cursor()
    set_json_loads(json.loads, cur)
    row = cur.execute(sql).fetchone()
    return row[0] if row else None


def _rolled_back(session: Session, sql: str, read_only: bool, writes: bool) -> Any:
    """Run ``sql`` in a transaction or savepoint that is always rolled back.

    ``writes``: also cap it with ``SET LOCAL statement_timeout``/``lock_timeout``.
    """
    conn = session.conn
    status = conn.info.transaction_status
    if status == pq.TransactionStatus.INERROR:
        raise QueryError(
            "the current transaction has failed; roll it back before EXPLAIN ANALYZE",
            "Cannot explain",
        )
    nested = status == pq.TransactionStatus.INTRANS
    conn.execute(f"SAVEPOINT {_SAVEPOINT}" if nested else _begin(read_only))
    try:
        if writes:
            conn.execute(f"SET LOCAL statement_timeout = {WRITE_STATEMENT_TIMEOUT_MS}")
            conn.execute(f"SET LOCAL lock_timeout = {WRITE_LOCK_TIMEOUT_MS}")
        return _fetch_plan(session, sql)
    finally:
        if not session.lost:
            if nested:
                conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            else:
                conn.execute("ROLLBACK")


def _begin(read_only: bool) -> str:
    return "BEGIN READ ONLY" if read_only else "BEGIN"
