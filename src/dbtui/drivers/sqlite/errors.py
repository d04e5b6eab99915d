"""sqlite3 exceptions turned into :mod:`dbtui.core.errors`, with error positions.

SQLite's messages say *what* is wrong (``near "FORM": syntax error``, ``no such
column: nme``) but the stdlib module does not expose where. We find the
offending token in the statement: for syntax errors the caller can pass a
``probe`` that prepares a prefix of the statement, which tells the failing
occurrence of a token from earlier, valid ones.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from dbtui.core.errors import (
    CancelledError,
    ConnectionLostError,
    DbtuiError,
    QueryError,
    ReadOnlyError,
)

Probe = Callable[[str], str | None]
"""Prepares a text without running it; returns SQLite's error message or ``None``."""

_NEAR_RE = re.compile(r'^near "(?P<token>.*)": syntax error$', re.DOTALL)
_NAMED_RE = re.compile(
    r"^(?:no such (?:table|column|function|index|view|trigger|collation sequence)"
    r"|ambiguous column name|unrecognized token): (?P<token>.+)$",
    re.DOTALL,
)
_MASK_RE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?(?:\*/|$)", re.DOTALL)
_WORD_CHARS = re.compile(r"[A-Za-z0-9_$]")
_MAX_PROBES = 25


def translate(
    exc: BaseException,
    statement: str | None,
    *,
    refused: str | None = None,
    probe: Probe | None = None,
) -> DbtuiError:
    """The dbtui error for a sqlite3 exception raised while running ``statement``.

    Args:
        exc: What sqlite3 raised.
        statement: The text that was run, for the error and its position.
        refused: Set when the driver's authorizer refused a write, e.g.
            ``"INSERT into orders"``; the error is then a ReadOnlyError.
        probe: Optional statement preparer used to pin down syntax errors.
    """
    message = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_INTERRUPT or message == "interrupted":
        return CancelledError("The statement was cancelled.")
    if message == "Cannot operate on a closed database.":
        return ConnectionLostError("The database connection is closed; reconnect to continue.")
    if refused is not None or primary == sqlite3.SQLITE_READONLY:
        what = f"{refused} refused" if refused else f"Write refused ({message})"
        return ReadOnlyError(
            f"{what}: this connection is read-only.",
            statement=statement,
            hint="Reconnect without --read-only (and without ?mode=ro) to make changes.",
        )
    if isinstance(exc, sqlite3.ProgrammingError | sqlite3.Warning):
        return _programming_error(message, statement)
    title, hint = _title_and_hint(primary)
    position = None if statement is None else error_position(message, statement, probe)
    return QueryError(message, title, statement=statement, position=position, hint=hint)


def _programming_error(message: str, statement: str | None) -> QueryError:
    if "one statement at a time" in message:
        return QueryError(
            "Only one statement can run at a time.",
            statement=statement,
            hint="Separate statements with ';' and run them one by one.",
        )
    if "bindings" in message or "binding parameter" in message:
        return QueryError(
            "The statement has parameters (? or :name) that dbtui cannot fill in.",
            statement=statement,
            hint="Replace the parameters with literal values.",
        )
    return QueryError(message, statement=statement)


def _title_and_hint(primary: int | None) -> tuple[str | None, str | None]:
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "Database is locked", (
            "Another connection or process is using this database; try again once it is done."
        )
    if primary == sqlite3.SQLITE_CONSTRAINT:
        return "Constraint violated", None
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return "Damaged database", "The file is not a SQLite database, or it is corrupt."
    if primary == sqlite3.SQLITE_FULL:
        return "Disk full", None
    return None, None


def error_position(message: str, statement: str, probe: Probe | None = None) -> int | None:
    """0-based offset in ``statement`` of what ``message`` complains about, if findable."""
    if message == "incomplete input":
        return len(statement.rstrip())
    near = _NEAR_RE.match(message)
    if near is not None:
        token = near.group("token")
        candidates = token_offsets(statement, token)
        if probe is not None and len(candidates) > 1:
            for offset in candidates[:_MAX_PROBES]:
                if probe(statement[: offset + len(token)]) == message:
                    return offset
        return candidates[0] if candidates else None
    named = _NAMED_RE.match(message)
    if named is None:
        return None
    token = named.group("token").strip('"')
    candidates = token_offsets(statement, token) or token_offsets(
        statement, token.rsplit(".", 1)[-1]
    )
    return candidates[0] if candidates else None


def token_offsets(statement: str, token: str) -> list[int]:
    """Offsets where ``token`` occurs as a whole token, outside strings and comments.

    Identifiers match case-insensitively; a token that is itself a string
    literal or comment may match inside the masked areas.
    """
    if not token:
        return []
    masked = _masked_ranges(statement) if token[0] not in "'-/" else []
    haystack, needle = statement.casefold(), token.casefold()
    offsets: list[int] = []
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        if _is_boundary(statement, start, end, token) and not any(
            lo <= start < hi for lo, hi in masked
        ):
            offsets.append(start)
        start = haystack.find(needle, start + 1)
    return offsets


def _masked_ranges(statement: str) -> list[tuple[int, int]]:
    return [match.span() for match in _MASK_RE.finditer(statement)]


def _is_boundary(text: str, start: int, end: int, token: str) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if _WORD_CHARS.match(token[0]) and _WORD_CHARS.match(before):
        return False
    return not (_WORD_CHARS.match(token[-1]) and _WORD_CHARS.match(after))
