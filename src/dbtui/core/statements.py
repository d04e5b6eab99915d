"""Split SQL scripts into statements, keeping each statement's position.

sqlparse's lexer understands quoted strings, comments and PostgreSQL's
dollar-quoted bodies, so a ``;`` inside any of them does not end a statement.
"""

from __future__ import annotations

import sqlparse

from dbtui.core.results import Statement


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
    """False for text that is only whitespace and comments."""
    return bool(text.strip()) and bool(sqlparse.format(text, strip_comments=True).strip())


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
