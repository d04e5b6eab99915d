"""A SQLite authorizer that refuses writes while a statement is being prepared.

SQLite calls the authorizer for every table, column and command a statement
touches while it compiles the statement, before anything runs. Refusing there
gives read-only mode a clear error naming the refused action, on top of the
engine-level ``mode=ro`` and ``PRAGMA query_only`` (which catch anything the
authorizer cannot see, such as ``PRAGMA user_version = 3``).

The same guard, in its stricter "reads only" setting, keeps ``EXPLAIN ANALYZE``
(which really runs the statement) from running anything but queries.
"""

from __future__ import annotations

import sqlite3
from enum import Enum

_WRITES: dict[int, str] = {
    sqlite3.SQLITE_INSERT: "INSERT into {0}",
    sqlite3.SQLITE_UPDATE: "UPDATE of {0}",
    sqlite3.SQLITE_DELETE: "DELETE from {0}",
    sqlite3.SQLITE_CREATE_INDEX: "CREATE INDEX {0}",
    sqlite3.SQLITE_CREATE_TABLE: "CREATE TABLE {0}",
    sqlite3.SQLITE_CREATE_TEMP_INDEX: "CREATE INDEX {0}",
    sqlite3.SQLITE_CREATE_TEMP_TABLE: "CREATE TEMP TABLE {0}",
    sqlite3.SQLITE_CREATE_TEMP_TRIGGER: "CREATE TRIGGER {0}",
    sqlite3.SQLITE_CREATE_TEMP_VIEW: "CREATE VIEW {0}",
    sqlite3.SQLITE_CREATE_TRIGGER: "CREATE TRIGGER {0}",
    sqlite3.SQLITE_CREATE_VIEW: "CREATE VIEW {0}",
    sqlite3.SQLITE_CREATE_VTABLE: "CREATE VIRTUAL TABLE {0}",
    sqlite3.SQLITE_DROP_INDEX: "DROP INDEX {0}",
    sqlite3.SQLITE_DROP_TABLE: "DROP TABLE {0}",
    sqlite3.SQLITE_DROP_TEMP_INDEX: "DROP INDEX {0}",
    sqlite3.SQLITE_DROP_TEMP_TABLE: "DROP TABLE {0}",
    sqlite3.SQLITE_DROP_TEMP_TRIGGER: "DROP TRIGGER {0}",
    sqlite3.SQLITE_DROP_TEMP_VIEW: "DROP VIEW {0}",
    sqlite3.SQLITE_DROP_TRIGGER: "DROP TRIGGER {0}",
    sqlite3.SQLITE_DROP_VIEW: "DROP VIEW {0}",
    sqlite3.SQLITE_DROP_VTABLE: "DROP VIRTUAL TABLE {0}",
    sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE {1}",
    sqlite3.SQLITE_REINDEX: "REINDEX {0}",
    sqlite3.SQLITE_ANALYZE: "ANALYZE {0}",
    # ATTACH escapes mode=ro: it opens (and creates) another file read-write.
    sqlite3.SQLITE_ATTACH: "ATTACH {0}",
}

# Only these may appear in a statement that EXPLAIN ANALYZE is allowed to run.
_READS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
# SQLite reports schema bookkeeping (e.g. inside pragma table-valued functions)
# as updates of its own schema table; users cannot write it without writable_schema.
_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master", "sqlite_schema"})


# PRAGMA assignments that SQLite applies while *compiling* the statement, so
# that even EXPLAIN of them takes effect; never allowed while explaining, and
# never on a read-only connection (query_only is part of its protection).
_COMPILE_TIME_PRAGMAS = frozenset({"query_only", "writable_schema", "foreign_keys"})


class GuardMode(Enum):
    """What the guard lets through."""

    ALLOW_ALL = "allow all"
    """Writable connections running user statements."""
    NO_WRITES = "no writes"
    """Read-only connections: anything but data or schema changes."""
    PLAN = "plan"
    """EXPLAIN without running: statements are only compiled, so writes are fine,
    but ATTACH and PRAGMA assignments are refused."""
    READS_ONLY = "reads only"
    """EXPLAIN ANALYZE: only queries (no PRAGMA, no transaction control)."""


class WriteGuard:
    """The authorizer callback; install with ``conn.set_authorizer(guard)``.

    Attributes:
        mode: The current policy; change it between statements.
        refused: Description of the last refused action (e.g. "INSERT into
            orders"); reset by :meth:`reset` before each statement.
    """

    def __init__(self, mode: GuardMode = GuardMode.ALLOW_ALL) -> None:
        self.mode = mode
        self.refused: str | None = None

    def reset(self) -> None:
        """Forget the last refusal; call before preparing a statement."""
        self.refused = None

    def __call__(
        self,
        action: int,
        arg1: str | None,
        arg2: str | None,
        db_name: str | None,
        trigger: str | None,
    ) -> int:
        if self.mode is GuardMode.ALLOW_ALL:
            return sqlite3.SQLITE_OK
        if self.mode is GuardMode.PLAN:
            return self._plan(action, arg1, arg2)
        if (
            action in (sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_INSERT, sqlite3.SQLITE_DELETE)
            and (arg1 or "").lower() in _SCHEMA_TABLES
            and trigger is None
            and self.mode is GuardMode.NO_WRITES
        ):
            return sqlite3.SQLITE_OK
        if self.mode is GuardMode.READS_ONLY:
            if action in _READS:
                return sqlite3.SQLITE_OK
            self.refused = _describe(action, arg1, arg2)
            return sqlite3.SQLITE_DENY
        if action in _WRITES or _is_pragma_assignment(action, arg1, arg2):
            self.refused = _describe(action, arg1, arg2)
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def _plan(self, action: int, arg1: str | None, arg2: str | None) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) or (
            action == sqlite3.SQLITE_PRAGMA and arg2 is not None
        ):
            self.refused = _describe(action, arg1, arg2)
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK


def _is_pragma_assignment(action: int, arg1: str | None, arg2: str | None) -> bool:
    return (
        action == sqlite3.SQLITE_PRAGMA
        and arg2 is not None
        and (arg1 or "").lower() in _COMPILE_TIME_PRAGMAS
    )


def _describe(action: int, arg1: str | None, arg2: str | None) -> str:
    if action == sqlite3.SQLITE_PRAGMA:
        return f"PRAGMA {arg1}" + ("" if arg2 is None else f" = {arg2}")
    template = _WRITES.get(action)
    if template is None:
        names = {
            sqlite3.SQLITE_TRANSACTION: "{0}",
            sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT {1}",
            sqlite3.SQLITE_DETACH: "DETACH {0}",
        }
        template = names.get(action, "this statement")
    return template.format(arg1 or "", arg2 or "").strip()
