"""SQLite writes held in an open transaction until the user confirms them.

See :mod:`dbtui.core.writes`. The driver runs a write whose shape is known
(:func:`write_shape`) between :func:`begin` and :func:`end`: ``BEGIN`` ...
``COMMIT``/``ROLLBACK`` when no transaction is open, ``SAVEPOINT`` ...
``RELEASE``/``ROLLBACK TO`` inside the user's own.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import sqlparse
from sqlparse import tokens

from dbtui.core.writes import WriteShape, sql_write_shape
from dbtui.drivers.sqlite.commands import dml_verb

SAVEPOINT = "dbtui_held_write"
_TARGET = re.compile(
    r"\b(?:UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+((?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[\w$]+)"
    r"(?:\s*\.\s*(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[\w$]+))?)",
    re.IGNORECASE,
)


def write_shape(statement: str) -> WriteShape | None:
    """The shape of a write whose row count decides whether it is held, or ``None``.

    PostgreSQL's parser reads the common forms; SQLite-only UPDATE/DELETE forms
    (``UPDATE OR IGNORE``, ``DELETE ... LIMIT``) are recognised by their words.
    A statement with ``RETURNING`` is never held (its rows are shown).
    """
    shape = sql_write_shape(statement)
    if shape is not None:
        return shape
    verb = dml_verb(statement)
    if verb not in ("UPDATE", "DELETE"):
        return None
    words = _keywords(statement)
    if "RETURNING" in words:
        return None
    match = _TARGET.search(statement)
    target = " ".join(match.group(1).split()) if match else "?"
    return WriteShape(verb, target, whole="WHERE" not in words)


def _keywords(statement: str) -> set[str]:
    """Every keyword of ``statement`` outside strings and comments, upper case."""
    found: set[str] = set()
    for parsed in sqlparse.parse(statement):
        flatten: Callable[[], Iterator[Any]] = parsed.flatten  # untyped
        for token in flatten():
            if token.ttype in tokens.Keyword:
                found.add(str(token.normalized).upper())
    return found


def begin(conn: sqlite3.Connection) -> bool:
    """Open the transaction (or, inside the user's, the savepoint); True when nested."""
    nested = conn.in_transaction
    conn.execute(f'SAVEPOINT "{SAVEPOINT}"' if nested else "BEGIN")
    return nested


def end(conn: sqlite3.Connection, *, nested: bool, commit: bool) -> None:
    """Commit (release) or roll back what :func:`begin` opened.

    Raises:
        sqlite3.Error: the COMMIT failed (a deferred constraint, a busy database).
    """
    if commit:
        conn.execute(f'RELEASE "{SAVEPOINT}"' if nested else "COMMIT")
        return
    if nested:
        # SQLite may already have rolled the whole transaction back (an interrupt).
        with suppress(sqlite3.Error):
            conn.execute(f'ROLLBACK TO "{SAVEPOINT}"')
            conn.execute(f'RELEASE "{SAVEPOINT}"')
    elif conn.in_transaction:
        conn.execute("ROLLBACK")
