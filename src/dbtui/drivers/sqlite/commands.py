"""Status text for SQLite statements that return no rows ("UPDATE 3", "CREATE TABLE")."""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlparse
from sqlparse.exceptions import SQLParseError

_NOISE_RE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.DOTALL)
_WORD_RE = re.compile(r"[A-Za-z_]+")
_DML = frozenset({"INSERT", "REPLACE", "UPDATE", "DELETE"})
_OBJECTS = frozenset({"TABLE", "INDEX", "VIEW", "TRIGGER"})
_EXPLAIN_RE = re.compile(r"^\s*EXPLAIN(?:\s+QUERY\s+PLAN)?\b", re.IGNORECASE)


def leading_words(statement: str, count: int = 6) -> list[str]:
    """The first ``count`` words of ``statement`` in upper case, comments skipped."""
    start = _NOISE_RE.match(statement)
    offset = start.end() if start else 0
    return [word.upper() for word in _WORD_RE.findall(statement[offset : offset + 200])[:count]]


def dml_verb(statement: str) -> str | None:
    """INSERT, REPLACE, UPDATE or DELETE when ``statement`` changes rows (CTEs looked through)."""
    words = leading_words(statement)
    if not words:
        return None
    first = words[0]
    if first == "WITH":
        try:
            get_type: Callable[[], object] = sqlparse.parse(statement)[0].get_type  # untyped
            first = str(get_type()).upper()
        except SQLParseError:  # more than 10,000 tokens: read the verb after the CTEs instead
            first = _verb_after_ctes(statement)
    return first if first in _DML else None


def command_tag(statement: str, rowcount: int) -> tuple[str, int | None]:
    """The status text and affected-row count for a statement that returned no rows.

    Args:
        statement: The statement that ran.
        rowcount: Rows it changed (-1 when not a DML statement).

    Returns:
        DML gives ``("UPDATE 3", 3)``; DDL gives ``("CREATE TABLE", None)``;
        anything else its first keyword and ``None``.
    """
    verb = dml_verb(statement)
    if verb is not None:
        count = max(rowcount, 0)
        return f"{verb} {count}", count
    words = leading_words(statement)
    if not words:
        return "OK", None
    first = words[0]
    if first in ("CREATE", "DROP", "ALTER"):
        for position, word in enumerate(words[1:4], start=1):
            if word in _OBJECTS:
                virtual = "VIRTUAL " if words[position - 1] == "VIRTUAL" else ""
                return f"{first} {virtual}{word}", None
    return first, None


def strip_explain(statement: str) -> str:
    """``statement`` without a leading ``EXPLAIN`` or ``EXPLAIN QUERY PLAN``."""
    return _EXPLAIN_RE.sub("", statement, count=1).lstrip()


_MAIN_VERB_RE = re.compile(r"\)\s*(INSERT|REPLACE|UPDATE|DELETE)\b", re.IGNORECASE)


def _verb_after_ctes(statement: str) -> str:
    """The verb after a ``WITH ... (...)`` list, for statements too big for sqlparse's parser.

    A DML verb right after a closing parenthesis makes it that write (erring towards a
    write is the safe side); SELECT otherwise.
    """
    match = _MAIN_VERB_RE.search(statement)
    return match.group(1).upper() if match else "SELECT"
