"""The catalog side of read-only mode: function volatility from ``pg_proc``, and the guard.

:class:`FunctionVolatility` keeps, per connection, every ``provolatile``
letter of every function name (all overloads, all schemas: conservative,
whatever the ``search_path``). It is loaded in one query at connect, so the
UI thread can ask about a statement without I/O (:meth:`~FunctionVolatility.cached`);
names it does not know are looked up on demand in a worker
(:meth:`~FunctionVolatility.lookup`). DDL that may create or change functions
marks it stale.

:class:`ReadOnlyGuard` applies :mod:`.readonly` (the pure walk) plus the
volatility check to each statement before it is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from pglast import ast

from dbtui.core.errors import DbtuiError, QueryError, ReadOnlyError
from dbtui.core.results import Statement
from dbtui.core.sqlclass import StatementClass, classify
from dbtui.drivers.postgres import readonly

RowsFn = Callable[[str, Mapping[str, object]], list[dict[str, Any]]]
"""Runs a catalog query: ``(sql, params) -> rows as dicts`` (the driver's catalog connection)."""

ALL_VOLATILITY = (
    "SELECT p.proname AS name, string_agg(DISTINCT p.provolatile::text, '') AS volatility "
    "FROM pg_catalog.pg_proc p GROUP BY p.proname"
)
SOME_VOLATILITY = (
    "SELECT p.proname AS name, string_agg(DISTINCT p.provolatile::text, '') AS volatility "
    "FROM pg_catalog.pg_proc p WHERE p.proname = ANY(%(names)s) GROUP BY p.proname"
)
_FUNCTION_DDL = (
    ast.CreateFunctionStmt,
    ast.AlterFunctionStmt,
    ast.CreateExtensionStmt,
    ast.AlterExtensionStmt,
    ast.AlterExtensionContentsStmt,
    ast.DoStmt,
    ast.CallStmt,
    ast.RenameStmt,
    ast.AlterObjectSchemaStmt,
    ast.DropStmt,
)


class FunctionVolatility:
    """``provolatile`` letters per function name, cached for one connection.

    Args:
        rows: Runs a catalog query (see :data:`RowsFn`).
    """

    def __init__(self, rows: RowsFn) -> None:
        self._rows = rows
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._complete = False
        """Every name of ``pg_proc`` was loaded and nothing changed since."""
        self._stale = False
        """:meth:`invalidate` was called and no :meth:`preload` succeeded since."""

    def preload(self) -> None:
        """Load every function name in one query; on failure stay empty (everything unknown)."""
        try:
            rows = self._rows(ALL_VOLATILITY, {})
        except DbtuiError:
            return
        with self._lock:
            self._known = {str(r["name"]): str(r["volatility"]) for r in rows}
            self._complete = True
            self._stale = False

    def invalidate(self) -> None:
        """Forget everything (functions may have been created, replaced or dropped).

        Until :meth:`refresh_if_stale` (or :meth:`lookup`) reloads, :meth:`cached`
        knows no name, so the UI asks rather than trusts a stale answer.
        """
        with self._lock:
            self._known = {}
            self._complete = False
            self._stale = True

    def refresh_if_stale(self) -> None:
        """Reload everything after :meth:`invalidate` (call it from a worker: one query)."""
        if self._stale:
            self.preload()

    def cached(self, names: Iterable[str]) -> dict[str, str | None]:
        """Volatility letters of ``names`` from memory only (no I/O); ``None`` when unknown."""
        with self._lock:
            return {name: self._known.get(name) for name in names}

    def lookup(self, names: Iterable[str]) -> dict[str, str | None]:
        """Volatility letters of ``names``, asking the catalog about names not in memory.

        ``None`` for a name no function has. Reloads everything after
        :meth:`invalidate`.

        Raises:
            QueryError, ConnectionLostError: the catalog query failed.
        """
        wanted = set(names)
        with self._lock:
            complete = self._complete
            missing = [n for n in wanted if n not in self._known]
        if not complete and not self._known:
            self.preload()
            with self._lock:
                missing = [n for n in wanted if n not in self._known]
        if missing:
            rows = self._rows(SOME_VOLATILITY, {"names": missing})
            with self._lock:
                self._known.update({str(r["name"]): str(r["volatility"]) for r in rows})
        return self.cached(wanted)


class ReadOnlyGuard:
    """Refuses, before sending, what a read-only connection must not run.

    Keeps the names of statements prepared on the connection (``EXECUTE`` of
    anything else is refused) and the function volatility cache.

    Args:
        rows: Runs a catalog query on a connection other than the user's.
    """

    def __init__(self, rows: RowsFn) -> None:
        self.functions = FunctionVolatility(rows)
        self.prepared: set[str] = set()

    def reset(self) -> None:
        """A new session: forget prepared names and reload the function cache."""
        self.prepared.clear()
        self.functions.invalidate()
        self.functions.preload()

    def before_send(
        self, info: StatementClass | None, piece: Statement, statement: str, *, read_only: bool
    ) -> None:
        """Raise if ``piece`` (one statement of ``statement``, parsed as ``info``) may not be sent.

        On a writable connection nothing is refused; DDL that may change
        functions only marks the function cache stale.

        Args:
            info: The statement's classification (``None``: it did not parse).
            piece: The statement and where it starts in ``statement``.
            statement: The whole text the user ran (for the error's position).
            read_only: The connection is read-only.

        Raises:
            ReadOnlyError: read-only, and the statement is not a plain read.
            QueryError: read-only and ``piece`` does not parse (the syntax error,
                found without sending anything).
        """
        self.functions.refresh_if_stale()  # after function DDL sent earlier
        tree = info.tree if info is not None else None
        if not read_only:
            if isinstance(tree, _FUNCTION_DDL):
                self.functions.invalidate()
            return
        if tree is None:
            _raise_unparsable(piece.text, statement, piece.start)
        verdict = readonly.check(tree, self.prepared)
        reason = verdict.refused or self._function_refusal(verdict.functions)
        if reason is not None:
            raise ReadOnlyError(
                f"refused: {reason}; the connection is read-only, so nothing was sent "
                "(reconnect without --read-only to run it)",
                statement=statement,
                position=piece.start,
            )
        if verdict.prepares is not None:
            self.prepared.add(verdict.prepares)

    def _function_refusal(self, names: frozenset[str]) -> str | None:
        if not names:
            return None
        volatility = self.functions.lookup(names)
        for name in sorted(names):
            reason = readonly.function_refusal(name, volatility.get(name))
            if reason is not None:
                return f"it calls {reason}"
        return None

    def unsafe_function(self, tree: ast.Node) -> str | None:
        """Why a function ``tree`` calls is not known to be read-only (no I/O), or ``None``.

        Uses only the cache, so an unknown name counts as unsafe.
        """
        names = readonly.called_functions(tree)
        volatility = self.functions.cached(names)
        for name in sorted(names):
            reason = readonly.function_refusal(name, volatility.get(name))
            if reason is not None:
                return reason
        return None


def _raise_unparsable(text: str, statement: str, offset: int) -> NoReturn:
    """Raise the syntax error of ``text``, or a refusal when it is several statements."""
    try:
        classify(text)
    except QueryError as exc:
        position = None if exc.position is None else exc.position + offset
        raise QueryError(exc.message, exc.title, statement=statement, position=position) from None
    raise ReadOnlyError(
        "refused: this text is not one statement dbtui can check; the connection is "
        "read-only, so nothing was sent",
        statement=statement,
        position=offset,
    )
