"""Tokens of one SQL statement and the tables it names (for :mod:`dbtui.core.sql_context`).

sqlparse's lexer gives the tokens; :func:`scope` narrows them to the
innermost parenthesised ``SELECT`` around the cursor, and :func:`table_refs`
reads the ``FROM``/``JOIN``/``UPDATE``/``INTO`` tables of a scope with their
aliases, skipping nested groups (a derived table keeps only its alias).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlparse import tokens as T
from sqlparse.lexer import Lexer

COLUMN_WORDS = frozenset(
    {
        "SELECT", "WHERE", "AND", "OR", "NOT", "ON", "HAVING", "BY", "SET", "DISTINCT", "CASE",
        "WHEN", "THEN", "ELSE", "RETURNING", "USING", "LIKE", "ILIKE", "BETWEEN", "IS", "IN",
        "ALL", "ANY", "SOME", "EXISTS",
    }
)  # fmt: skip
_REF_STARTS = frozenset({"FROM", "JOIN", "UPDATE", "INTO"})
_REF_STOPS = frozenset(
    {
        "WHERE", "ON", "USING", "GROUP", "ORDER", "LIMIT", "OFFSET", "UNION", "EXCEPT",
        "INTERSECT", "HAVING", "WINDOW", "SET", "VALUES", "RETURNING", "FOR", "LEFT", "RIGHT",
        "INNER", "FULL", "CROSS", "NATURAL", "FETCH", "SELECT", "DEFAULT", "TABLESAMPLE", "AS",
        "ONLY", "LATERAL", "WITH",
    }
)  # fmt: skip
_CLAUSES = frozenset(
    {
        "WHERE", "GROUP", "ORDER", "LIMIT", "OFFSET", "HAVING", "UNION", "EXCEPT", "INTERSECT",
        "WINDOW", "SET", "VALUES", "RETURNING", "SELECT", "FETCH", "FOR",
    }
)  # fmt: skip
_default_lexer: Callable[[], Lexer] = Lexer.get_default_instance  # sqlparse is untyped
_lex: Callable[[str], Iterable[tuple[object, str]]] = _default_lexer().get_tokens


@dataclass(frozen=True)
class TableRef:
    """A table named in the statement.

    Attributes:
        schema: The schema if written (``public.users``), else ``None``.
        name: The table name (quotes removed).
        alias: Its alias, if any.
    """

    schema: str | None
    name: str
    alias: str | None = None

    @property
    def ref(self) -> str:
        """How columns refer to it: the alias, else the name."""
        return self.alias or self.name


def unquote(part: str) -> str:
    if part.startswith('"'):
        body = part[1:-1] if part.endswith('"') and len(part) > 1 else part[1:]
        return body.replace('""', '"')
    return part


@dataclass(frozen=True)
class Tok:
    kind: object
    value: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.value)

    @property
    def word(self) -> str:
        """Keywords normalised: upper case, last word of a multi-word keyword."""
        return self.value.upper().split()[-1] if self.value.strip() else ""

    def is_keyword(self) -> bool:
        return self.kind in T.Keyword


def tokens(statement: str, offset: int) -> list[Tok]:
    """Meaningful tokens (no whitespace or comments) with absolute offsets."""
    out: list[Tok] = []
    pos = offset
    for kind, value in _lex(statement):
        if not (kind in T.Whitespace or kind in T.Newline or kind in T.Comment):
            out.append(Tok(kind, value, pos))
        pos += len(value)
    return out


def _depth0(tokens: list[Tok]) -> list[Tok | None]:
    """Tokens outside any parentheses; each parenthesised group becomes one ``None``."""
    out: list[Tok | None] = []
    depth = 0
    for tok in tokens:
        if tok.value == "(":
            if depth == 0:
                out.append(None)
            depth += 1
        elif tok.value == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(tok)
    return out


def is_name(tok: Tok | None) -> bool:
    if tok is None or not (tok.kind in T.Name or tok.kind in T.String.Symbol or tok.is_keyword()):
        return False
    return not (tok.is_keyword() and tok.word in _REF_STOPS | _REF_STARTS | COLUMN_WORDS)


def _value_at(flat: list[Tok | None], index: int) -> str:
    """The text of ``flat[index]``; ``"("`` for a parenthesised group, ``""`` past the end."""
    if index >= len(flat):
        return ""
    tok = flat[index]
    return "(" if tok is None else tok.value


def _word_at(flat: list[Tok | None], index: int) -> str:
    tok = flat[index] if index < len(flat) else None
    return tok.word if tok is not None and tok.is_keyword() else ""


def table_refs(scope: list[Tok]) -> list[TableRef]:
    """Tables named after FROM/JOIN/UPDATE/INTO, and after the commas of a FROM list."""
    flat = _depth0(scope)
    refs: list[TableRef] = []
    in_from = False
    index = 0
    while index < len(flat):
        word, value = _word_at(flat, index), _value_at(flat, index)
        tok = flat[index]
        index += 1
        if word in _REF_STARTS or (value == "," and in_from):
            in_from = word in ("FROM", "JOIN") or (value == "," and in_from)
            ref, index = _read_ref(flat, index)
            if ref is not None:
                refs.append(ref)
        elif tok is not None and tok.is_keyword() and tok.value.split()[0].upper() in _CLAUSES:
            in_from = False
    return refs


def _read_ref(flat: list[Tok | None], index: int) -> tuple[TableRef | None, int]:
    """Read ``[schema.]name [AS] [alias]`` (or ``(subquery) alias``) at ``index``."""
    while _word_at(flat, index) == "ONLY":
        index += 1
    parts: list[str] = []
    derived = index < len(flat) and flat[index] is None
    if derived:
        index += 1
    while not derived and index < len(flat) and is_name(flat[index]):
        parts.append(unquote(_value_at(flat, index)))
        index += 1
        if _value_at(flat, index) != ".":
            break
        index += 1
    if parts and index < len(flat) and flat[index] is None:  # a table function's arguments
        index += 1
    if _word_at(flat, index) == "AS":
        index += 1
    alias = None
    if index < len(flat) and is_name(flat[index]):
        alias = unquote(_value_at(flat, index))
        index += 1
    if not parts:
        return (TableRef(None, alias, alias) if derived and alias else None), index
    schema = parts[-2] if len(parts) >= 2 else None
    return TableRef(schema, parts[-1], alias), index
