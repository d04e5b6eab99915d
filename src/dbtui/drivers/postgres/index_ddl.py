"""PostgreSQL's online index builds: ``CREATE INDEX CONCURRENTLY`` rewriting and its rules.

The :class:`~dbtui.core.capabilities.IndexBuilding` members of
:class:`~dbtui.drivers.postgres.driver.PostgresDriver` delegate here, so the UI never
knows the SQL: a plain ``CREATE [UNIQUE] INDEX`` is run ``CONCURRENTLY`` (writes go on),
which PostgreSQL refuses inside a transaction block.
"""

from __future__ import annotations

import re

_PLAIN_CREATE = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)(?!\s+CONCURRENTLY\b)", re.I)
_CREATE = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.I)
_CONCURRENTLY = re.compile(r"\bCONCURRENTLY\b", re.I)


def concurrent_ddl(ddl: str) -> str:
    """``ddl`` with a plain ``CREATE [UNIQUE] INDEX`` turned into ``... INDEX CONCURRENTLY``.

    Anything else (already concurrent, DROP, other statements) is returned as is.
    """
    return _PLAIN_CREATE.sub(r"\1 CONCURRENTLY", ddl, count=1)


def is_index_build(ddl: str) -> bool:
    """True when ``ddl`` is a ``CREATE [UNIQUE] INDEX`` (so it reports progress)."""
    return _CREATE.match(ddl) is not None


def needs_no_transaction(ddl: str) -> bool:
    """True when ``ddl`` says CONCURRENTLY: PostgreSQL refuses it inside a transaction block."""
    return _CONCURRENTLY.search(ddl) is not None


def transaction_refusal(status: str, ddl: str) -> str | None:
    """Why ``ddl`` cannot run in a session whose transaction status is ``status``, or ``None``."""
    if needs_no_transaction(ddl) and status not in ("idle", ""):
        return (
            f"The session is {status}: CONCURRENTLY cannot run inside a transaction block. "
            "COMMIT or ROLLBACK first."
        )
    return None


def drop_invalid(names: tuple[str, ...] | list[str]) -> str:
    """The statements that remove INVALID indexes ``names`` (quoted, schema-qualified)."""
    return "; ".join(f"DROP INDEX CONCURRENTLY {name}" for name in names)
