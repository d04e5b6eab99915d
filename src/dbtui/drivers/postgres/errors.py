"""Turn psycopg exceptions into dbtui errors, never leaking a password or a traceback."""

from __future__ import annotations

import psycopg
from psycopg import errors as pg_errors

from dbtui.core.errors import (
    CancelledError,
    ConnectError,
    ConnectionLostError,
    DbtuiError,
    PasswordRequired,
    QueryError,
    ReadOnlyError,
)

#: SQLSTATE classes and codes that mean the session is gone.
_LOST_CLASSES = ("08",)
_LOST_CODES = frozenset({"57P01", "57P02", "57P03"})
_READ_ONLY_CODE = "25006"


def connect_error(exc: psycopg.Error, where: str) -> ConnectError:
    """A :class:`ConnectError` (or :class:`PasswordRequired`) for a failed connection attempt.

    Args:
        exc: What psycopg raised. Its ``pgconn`` must never be shown: its repr
            holds the password.
        where: The masked URL (or another password-free description) of the target.
    """
    pgconn = getattr(exc, "pgconn", None)
    reason = one_line(str(exc).removeprefix("connection failed: "))
    user = _decode(getattr(pgconn, "user", b""))
    if getattr(pgconn, "needs_password", False):
        return PasswordRequired(f"{where}: the server wants a password for {user!r}", user=user)
    if getattr(pgconn, "used_password", False) and "password authentication failed" in reason:
        return PasswordRequired(
            f"{where}: password authentication failed for {user!r}", user=user, rejected=True
        )
    return ConnectError(f"{where}: {reason}")


def one_line(text: str) -> str:
    """The first non-empty line of ``text``, with runs of spaces collapsed."""
    for line in text.strip().splitlines():
        if line.strip():
            return " ".join(line.split())
    return ""


def _decode(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value or "")


def is_connection_lost(exc: psycopg.Error, conn: psycopg.Connection[object] | None) -> bool:
    """True when ``exc`` means the server session is gone (restart, network, termination)."""
    if conn is not None and (conn.closed or conn.broken):
        return True
    state = exc.sqlstate or ""
    return state.startswith(_LOST_CLASSES) or state in _LOST_CODES


def query_error(
    exc: psycopg.Error,
    statement: str,
    *,
    conn: psycopg.Connection[object] | None = None,
    prefix_length: int | None = 0,
    cancelled: bool = False,
    where: str = "",
) -> DbtuiError:
    """The dbtui error for ``exc`` raised while running ``statement``.

    Args:
        exc: What psycopg raised.
        statement: The user's statement.
        conn: The connection it ran on, to tell a lost session from a bad statement.
        prefix_length: Characters the driver put in front of ``statement`` in the
            text it sent (e.g. ``DECLARE c CURSOR FOR``), subtracted from the
            server's position; ``None`` when the failing command was not the
            statement itself (a ``FETCH``), so a position would be meaningless.
        cancelled: The user asked to cancel, so a "query canceled" error is a
            :class:`CancelledError` rather than a statement timeout.
        where: The masked URL, for the connection-lost message.

    Returns:
        A :class:`CancelledError`, :class:`ConnectionLostError`,
        :class:`ReadOnlyError` or :class:`QueryError` (with the server's
        message, detail, hint and a 0-based position in ``statement``).
    """
    if isinstance(exc, pg_errors.QueryCanceled) and cancelled:
        return CancelledError("the statement was cancelled; the connection is still open")
    if is_connection_lost(exc, conn):
        reason = one_line(str(exc)) or "the server closed the connection"
        target = f" to {where}" if where else ""
        return ConnectionLostError(
            f"The connection{target} was lost ({reason}). Reconnect to continue; "
            "an open transaction was rolled back."
        )
    diag = exc.diag
    message = diag.message_primary or one_line(str(exc)) or type(exc).__name__
    position = None
    if prefix_length is not None:
        position = server_position(diag.statement_position, prefix_length, len(statement))
    cls: type[QueryError] = QueryError
    title: str | None = None
    if exc.sqlstate == _READ_ONLY_CODE:
        cls, title = ReadOnlyError, "Read-only connection"
    elif isinstance(exc, pg_errors.QueryCanceled):
        title = "Statement timeout"
    return cls(
        message,
        title,
        statement=statement,
        position=position,
        detail=diag.message_detail,
        hint=diag.message_hint,
    )


def server_position(raw: str | None, prefix_length: int, length: int) -> int | None:
    """Convert the server's 1-based character position into a 0-based offset.

    Returns ``None`` when the server gave none, or when it points into text
    the driver added rather than the user's statement.
    """
    if not raw or not raw.strip().isdigit():
        return None
    offset = int(raw) - 1 - prefix_length
    return offset if 0 <= offset <= length else None
