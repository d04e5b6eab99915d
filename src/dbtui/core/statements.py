"""Split SQL scripts into statements, keeping each statement's position.

sqlparse's lexer understands quoted strings, comments and PostgreSQL's
dollar-quoted bodies, so a ``;`` inside any of them does not end a statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlparse
from sqlparse import tokens as T
from sqlparse.lexer import tokenize

from dbtui.core.results import Statement

_tokenize: Callable[[str], Iterator[tuple[Any, str]]] = tokenize  # sqlparse is untyped


def split_sql(script: str) -> list[Statement]:
    """Statements of ``script`` in order, blank ones dropped, with their offsets."""
    statements: list[Statement] = []
    offset = 0
    for raw in sqlparse.split(script, strip_semicolon=False):
        begin = script.find(raw, offset) if raw else -1
        if begin < 0:
            continue
        offset = begin + len(raw)
        stripped = raw.strip()
        body = stripped[:-1].rstrip() if stripped.endswith(";") else stripped
        if not _has_code(body):
            continue
        start = begin + (len(raw) - len(raw.lstrip()))
        statements.append(Statement(text=body, start=start, end=start + len(body)))
    return statements


def _has_code(text: str) -> bool:
    """False for text that is only whitespace and comments.

    Uses the lexer only (no grouping), so a statement of any size is fine: sqlparse's
    grouping refuses more than 10,000 tokens (a pasted bulk ``INSERT``).
    """
    if not text.strip():
        return False
    return any(not (ttype in T.Comment or ttype in T.Whitespace) for ttype, _ in _tokenize(text))


def statement_at(statements: list[Statement], offset: int) -> Statement | None:
    """The statement under the cursor at ``offset``.

    A cursor in the gap after a statement (on its ``;`` or the blank lines
    that follow) belongs to the statement before it; before the first
    statement it belongs to the first one.
    """
    chosen: Statement | None = None
    for statement in statements:
        if statement.start <= offset:
            chosen = statement
        else:
            break
    if chosen is None and statements:
        return statements[0]
    return chosen
