"""Writes held in an open transaction until the user confirms them (see :mod:`dbtui.core.writes`).

:func:`run_held` runs one UPDATE/DELETE/MERGE/INSERT ... SELECT:

* session idle: ``BEGIN``, the statement, then ``COMMIT`` at once unless
  :func:`~dbtui.core.writes.should_hold` says to wait; held, the transaction
  stays open and :attr:`Session.pending` describes it;
* inside the user's transaction: ``SAVEPOINT``, the statement, then
  ``RELEASE`` at once (the change stays in the user's transaction) unless held;
* in a failed transaction: the statement as is (the server refuses it).

:func:`finish` ends a held write: commit (``COMMIT`` / ``RELEASE SAVEPOINT``)
or roll back (``ROLLBACK`` / ``ROLLBACK TO SAVEPOINT`` + ``RELEASE``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import psycopg
from psycopg import pq

from dbtui.core.errors import DbtuiError
from dbtui.core.results import Result, StatusResult
from dbtui.core.writes import PendingWrite, WriteShape, should_hold

if TYPE_CHECKING:
    from dbtui.drivers.postgres.session import Session

SAVEPOINT = "dbtui_held_write"


def run_held(session: Session, text: str, shape: WriteShape, confirm_over: int) -> Result:
    """Run ``text`` in a transaction (or savepoint) and hold it when it affects too much.

    Returns the statement's own result; when it is held, ``session.pending``
    is set and the transaction (or savepoint) is left open.

    Raises:
        DbtuiError: as ``Session.run``; what the statement did is rolled back
            (inside the user's transaction, the transaction is failed, as usual).
    """
    status = session.conn.info.transaction_status
    if status not in (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS):
        return session.run_plain(text)
    nested = status == pq.TransactionStatus.INTRANS
    _send(session, f'SAVEPOINT "{SAVEPOINT}"' if nested else "BEGIN")
    try:
        result = session.run_plain(text)
    except DbtuiError:
        if not nested:
            _quietly(session, "ROLLBACK")
        raise
    affected = result.rowcount if isinstance(result, StatusResult) and result.rowcount else 0
    if not should_hold(affected, whole=shape.whole, confirm_over=confirm_over):
        _send(session, f'RELEASE SAVEPOINT "{SAVEPOINT}"' if nested else "COMMIT")
        return result
    session.pending = PendingWrite(
        statement=text,
        verb=shape.verb,
        target=shape.target,
        affected=affected,
        whole=shape.whole,
        in_transaction=nested,
        result=result if isinstance(result, StatusResult) else None,
    )
    return result


def finish(session: Session, *, commit: bool) -> StatusResult:
    """Commit or roll back the held write of ``session`` (a no-op status when none).

    Raises:
        DbtuiError: the commit (or rollback) failed; on a failed commit nothing
            was committed. ``session.pending`` is cleared in every case.
    """
    pending, session.pending = session.pending, None
    if pending is None:
        return StatusResult("", "nothing was held")
    if commit:
        _send(session, f'RELEASE SAVEPOINT "{SAVEPOINT}"' if pending.in_transaction else "COMMIT")
        status = pending.result.status if pending.result else pending.verb
        kept = " (kept in your open transaction)" if pending.in_transaction else ""
        return StatusResult(pending.statement, f"{status}{kept}", pending.affected)
    if pending.in_transaction:
        _send(session, f'ROLLBACK TO SAVEPOINT "{SAVEPOINT}"')
        _send(session, f'RELEASE SAVEPOINT "{SAVEPOINT}"')
    else:
        _send(session, "ROLLBACK")
    return StatusResult(pending.statement, f"rolled back: {pending.count_text} unchanged", 0)


def _send(session: Session, sql: str) -> None:
    try:
        session.conn.execute(sql)
    except psycopg.Error as exc:
        raise session.error(exc, sql) from None


def _quietly(session: Session, sql: str) -> None:
    if not session.lost:
        with contextlib.suppress(psycopg.Error):
            session.conn.execute(sql)
