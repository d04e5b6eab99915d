"""EXPLAIN typed by the user (F5, a script): always inside a transaction that is rolled back.

``EXPLAIN ANALYZE`` really runs its statement, and a ``SELECT`` may call a
function that writes, so every ``EXPLAIN`` the user runs (any option
spelling: ``EXPLAIN ANALYZE``, ``EXPLAIN (ANALYZE true, BUFFERS)``, lower
case, after comments; recognised by the parser, see
:func:`is_explain`) runs:

* session idle: between ``BEGIN`` and ``ROLLBACK``;
* inside the user's open transaction: between ``SAVEPOINT`` and
  ``ROLLBACK TO SAVEPOINT`` + ``RELEASE``, so what the user did before stays
  and the transaction stays open (an error of the EXPLAIN itself is undone
  with it, so it does not fail the user's transaction);
* in a failed transaction: as is (the server refuses it, nothing runs).

The rollback happens also when the statement fails or is cancelled; its
rows (the plan, which is small) are read whole before it. Should the rollback
itself fail, the connection is closed, so the server rolls back, and
:class:`~dbtui.core.errors.ConnectionLostError` is raised: nothing the
EXPLAIN did can be committed later. Sequences still advance and effects
outside the database (dblink, files, NOTIFY to other systems) are not undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
from psycopg import pq

from dbtui.core.errors import ConnectionLostError
from dbtui.core.results import Result
from dbtui.core.sqlclass import StatementClass
from dbtui.drivers.postgres.connection import close_quietly

if TYPE_CHECKING:
    from dbtui.drivers.postgres.session import Session

SAVEPOINT = "dbtui_typed_explain"


def is_explain(classification: StatementClass | None) -> bool:
    """True when the parsed statement is an ``EXPLAIN`` (with or without ANALYZE)."""
    return classification is not None and classification.node == "ExplainStmt"


def run_rolled_back(session: Session, text: str) -> Result:
    """Run the ``EXPLAIN`` ``text`` in a transaction (or savepoint) that is always rolled back.

    Returns:
        Its result, rows read whole (a plan is small).

    Raises:
        DbtuiError: as ``Session.run_plain``; the rollback has happened.
        ConnectionLostError: the rollback failed, so the connection was closed.
    """
    status = session.conn.info.transaction_status
    if status == pq.TransactionStatus.INERROR:
        return session.run_plain(text)  # refused by the server: nothing runs
    nested = status == pq.TransactionStatus.INTRANS
    _open(session, nested)
    try:
        result = session.run_plain(text)
    except BaseException:
        _undo(session, nested)
        raise
    _undo(session, nested)
    return result


def _open(session: Session, nested: bool) -> None:
    sql = f'SAVEPOINT "{SAVEPOINT}"' if nested else "BEGIN"
    try:
        session.conn.execute(sql)
    except psycopg.Error as exc:
        raise session.error(exc, sql) from None


def _undo(session: Session, nested: bool) -> None:
    """Roll back what :func:`_open` opened; close the connection when that fails."""
    if session.lost:
        return  # the server rolled back when the connection went
    try:
        if nested:
            session.conn.execute(f'ROLLBACK TO SAVEPOINT "{SAVEPOINT}"')
            session.conn.execute(f'RELEASE SAVEPOINT "{SAVEPOINT}"')
        else:
            session.conn.execute("ROLLBACK")
    except psycopg.Error:
        close_quietly(session.conn)
        raise ConnectionLostError(
            f"Could not roll back the EXPLAIN on {session.where}; the connection was closed "
            "so that nothing it did is kept (your open transaction, if any, is gone too). "
            "Reconnect."
        ) from None
