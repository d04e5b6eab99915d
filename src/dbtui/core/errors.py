"""The one error hierarchy that drivers raise and the UI and CLI display.

Every error a user can cause (bad SQL, an unreachable server, a refused write)
is a :class:`DbtuiError`: it carries a short ``title`` and a plain-language
``message`` fit to show as is. Anything else that escapes a driver is a bug.
"""

from __future__ import annotations


class DbtuiError(Exception):
    """Base class of every error meant to be shown to the user.

    Attributes:
        title: A few words naming what failed, e.g. "Connection failed".
        message: One or more sentences saying what is wrong, without a traceback.
    """

    default_title = "Error"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or self.default_title

    def one_line(self) -> str:
        """The error as a single line, for the command line and status bars."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.title}: {first}"


class ConnectError(DbtuiError):
    """The server could not be reached, refused the login, or the URL is unusable."""

    default_title = "Connection failed"


class PasswordRequired(ConnectError):
    """The server asked for a password and none (or a wrong one) was given.

    The UI or CLI asks for it in a masked prompt, calls
    ``driver.set_password(pw)`` and connects again. The password is never
    stored anywhere but in the driver's memory.

    Attributes:
        user: The role the server wanted a password for, if known.
        rejected: True when a password was sent and the server refused it.
    """

    default_title = "Password required"

    def __init__(self, message: str, *, user: str = "", rejected: bool = False) -> None:
        super().__init__(message, "Wrong password" if rejected else None)
        self.user = user
        self.rejected = rejected


class UnsupportedError(DbtuiError):
    """The engine or the feature is not available (yet) for this connection."""

    default_title = "Not supported"


class QueryError(DbtuiError):
    """A statement or command was rejected by the server or by the driver.

    Attributes:
        statement: The text that was sent (or refused), if known.
        position: 0-based character offset of the error inside ``statement``;
            ``None`` when the server did not say where.
        detail: The server's DETAIL line, if any.
        hint: The server's HINT line, if any.
    """

    default_title = "Query failed"

    def __init__(
        self,
        message: str,
        title: str | None = None,
        *,
        statement: str | None = None,
        position: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, title)
        self.statement = statement
        self.position = position
        self.detail = detail
        self.hint = hint


class ReadOnlyError(QueryError):
    """A write was refused before it was sent, because the connection is read-only."""

    default_title = "Read-only connection"


class CancelledError(DbtuiError):
    """The user cancelled the running statement."""

    default_title = "Cancelled"


class ConnectionLostError(DbtuiError):
    """The connection dropped mid-session; a reconnect may fix it."""

    default_title = "Connection lost"
