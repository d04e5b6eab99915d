"""The one protocol every engine implements.

A driver wraps one logical connection to one server (it may hold several
physical connections, e.g. one for user statements and one for catalog
introspection). Every method may block on the network: the UI calls them only
from worker threads. :meth:`Driver.cancel` is the exception to "one call at a
time": it is called from another thread while :meth:`Driver.execute` runs.

Drivers raise only :class:`~dbtui.core.errors.DbtuiError` subclasses for
anything the user can cause.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from dbtui.core.advice import HealthFinding, Suggestion
from dbtui.core.catalog import CatalogNode
from dbtui.core.confirmation import Confirmation
from dbtui.core.errors import UnsupportedError
from dbtui.core.plan import Plan
from dbtui.core.results import Result, Statement
from dbtui.core.spec import ConnectionSpec
from dbtui.core.statements import split_sql


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do; the UI hides or disables what is missing."""

    cancel: bool = False
    """:meth:`Driver.cancel` interrupts a running statement."""
    explain: bool = False
    """:meth:`Driver.explain` returns a plan without running the statement."""
    explain_analyze: bool = False
    """:meth:`Driver.explain` with ``analyze=True`` runs it and measures."""
    transactions: bool = False
    """BEGIN/COMMIT/ROLLBACK are meaningful; :attr:`Driver.transaction_status` is live."""
    advise: bool = False
    """:meth:`Driver.advise` returns index suggestions."""
    server_read_only: bool = False
    """Read-only mode is also enforced by the server, not only by dbtui."""


class Driver(ABC):
    """Base class of every engine driver.

    Subclasses set the class attributes and implement the abstract methods.
    They are registered in the ``dbtui.drivers`` entry-point group under the
    name used in :attr:`engine`.
    """

    engine: ClassVar[str]
    """Entry-point name, e.g. "sqlite"."""
    display_name: ClassVar[str]
    """Human name, e.g. "SQLite"."""
    language: ClassVar[str] = "sql"
    """Editor syntax highlighting language."""
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, spec: ConnectionSpec) -> None:
        self.spec = spec
        self._password: str | None = None

    def set_password(self, password: str | None) -> None:
        """Use ``password`` for the next :meth:`connect`, after a
        :class:`~dbtui.core.errors.PasswordRequired`. Kept in memory only."""
        self._password = password

    @abstractmethod
    def connect(self) -> None:
        """Open the connection.

        Raises:
            ConnectError: the server is unreachable or refused the login.
        """

    @abstractmethod
    def close(self) -> None:
        """Release every server resource; safe to call twice."""

    @abstractmethod
    def children(self, node: CatalogNode | None) -> Sequence[CatalogNode]:
        """The catalog nodes under ``node`` (``None`` for the top level).

        Must be cheap: one or a few queries whatever the catalog size.
        """

    def details(self, node: CatalogNode) -> Sequence[tuple[str, str]]:
        """Facts about ``node`` for the details pane (sizes, counters...)."""
        return node.meta

    def set_context(self, node: CatalogNode) -> None:  # noqa: B027 - optional hook, no-op by default
        """The user moved to ``node`` in the catalog; no I/O.

        Drivers may take it as the context of what is typed next (MongoDB: the
        collection a bare ``{filter}`` runs on). The default ignores it.
        """

    def switch_database(self, name: str) -> None:
        """Reconnect to another database of the same server (an open transaction is lost).

        Raises:
            UnsupportedError: the engine has no such notion (the default).
            ConnectError: the database cannot be opened; the driver stays on the old one.
        """
        raise UnsupportedError(f"{self.display_name} cannot switch databases")

    def split(self, script: str) -> list[Statement]:
        """Split an editor buffer into statements, keeping their offsets."""
        return split_sql(script)

    @abstractmethod
    def execute(self, statement: str) -> Iterator[Result]:
        """Run one statement (or command) and yield its result(s).

        Row and document results stream: the caller fetches pages from the
        result's :class:`~dbtui.core.results.Stream` and must close it (or
        advance the iterator, which closes it) before the next call.

        Raises:
            QueryError: the server rejected the statement.
            ReadOnlyError: the statement writes and the connection is read-only.
            CancelledError: :meth:`cancel` interrupted it.
        """

    def needs_confirmation(self, statement: str) -> Confirmation | None:
        """What the user must confirm before ``statement`` runs, or ``None``.

        Drivers return a :class:`~dbtui.core.confirmation.Confirmation` for
        destructive statements (DROP, DELETE without WHERE, FLUSHDB,
        dropDatabase...); one that destroys an object names the text to type
        (``typed``: the object's name). The UI asks and runs the statement only
        after a deliberate yes. No I/O except where a driver documents it.
        """
        return None

    def analyze_needs_confirmation(self, statement: str) -> str | None:
        """What the user must accept before ``explain(statement, analyze=True)``.

        EXPLAIN ANALYZE really runs the statement. For a write, drivers return
        a notice (it runs in a transaction that is rolled back; what escapes
        the rollback); ``None`` means it is a plain read.
        """
        return None

    def cancel(self) -> None:
        """Interrupt the running statement; called from another thread."""
        raise UnsupportedError(f"{self.display_name} statements cannot be cancelled")

    def explain(self, statement: str, *, analyze: bool = False) -> Plan:
        """Return the analysed plan of ``statement``.

        ``analyze=True`` really runs the statement; callers must have asked
        the user first when it writes.
        """
        raise UnsupportedError(f"{self.display_name} has no EXPLAIN")

    def advise(self, statement: str) -> Sequence[Suggestion]:
        """Index suggestions for ``statement``."""
        raise UnsupportedError(f"index advice is not available for {self.display_name}")

    def health(self) -> Sequence[HealthFinding]:
        """Index-health findings (unused, duplicate, missing FK indexes...)."""
        raise UnsupportedError(f"index health is not available for {self.display_name}")

    def workload(self, limit: int = 50) -> Sequence[Suggestion]:
        """Suggestions for the server's recorded workload, ranked by time saved."""
        raise UnsupportedError(f"workload advice is not available for {self.display_name}")

    @property
    def transaction_status(self) -> str:
        """ "idle", "in transaction", "failed transaction", or "" when not applicable."""
        return ""

    @property
    def context(self) -> str:
        """Where typed commands apply, shown above the editor ("shop.users"); may be empty."""
        return ""

    @property
    def server_version(self) -> str:
        """Short version string of the server, empty when unknown."""
        return ""
