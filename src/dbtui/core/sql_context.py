"""What may be typed at the cursor in SQL text: the pure analysis behind completion.

:func:`suggest_type` looks at the statement around the cursor and returns
what kinds of names fit there (keywords, functions, schemas, tables, columns
of given tables) without knowing the catalog, so it is tested with plain
strings. The steps:

1. a quote-aware scan (one regular expression jumping between quotes,
   comments and ``;``) finds the statement holding the cursor and tells
   whether the cursor sits inside a string or a comment (then nothing is
   suggested);
2. the word being typed is split into qualifier and prefix (``u.na``);
3. sqlparse's lexer tokenizes the statement; the innermost parenthesised
   ``SELECT`` around the cursor is the scope (a subquery sees its own FROM;
   the enclosing scopes' tables resolve ``alias.`` in a correlated subquery);
   in ``INSERT INTO t (...) SELECT ...`` the ``SELECT`` part is the scope;
4. the tables of the scope's FROM/JOIN/UPDATE/INTO clauses are collected
   with their aliases, from the whole scope, so ``SELECT | FROM orders``
   knows about ``orders`` (a ``(`` left open before the cursor, as in
   ``count(|``, does not hide them);
5. a few statements decide by their shape (:func:`~.sql_clauses.special`:
   ``ALTER TABLE t DROP COLUMN``, ``COPY``, ``SET search_path TO``); otherwise
   the token before the word decides the kind of name. After ``JOIN t x ON``
   a ``join`` suggestion asks for the conditions the foreign keys give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlparse import tokens as T

from dbtui.core.sql_clauses import balanced, insert_source, scopes, special
from dbtui.core.sql_tokens import (
    COLUMN_WORDS,
    TableRef,
    Tok,
    is_name,
    table_refs,
    unquote,
)
from dbtui.core.sql_tokens import tokens as statement_tokens

WINDOW_BEFORE = 30_000
"""Characters before the cursor lexed at most (a statement longer than that is cut)."""
WINDOW_AFTER = 10_000
"""Characters after the cursor lexed at most (enough for a FROM clause that follows)."""

_REGIONS = re.compile(r"""'|"|;|--|/\*|\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$""")
_QUALIFIER = r'((?:(?:"(?:[^"]|"")*"|[\w$]+)\.)*)'
_WORD = re.compile(_QUALIFIER + r"([\w$]*)\Z")
_QUALIFIER_END = re.compile(_QUALIFIER + r"\Z")
_TABLE_WORDS = frozenset(
    {"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "TRUNCATE", "REFERENCES", "ONLY", "VACUUM"}
)


@dataclass(frozen=True)
class Suggestion:
    """One kind of name that fits at the cursor.

    Attributes:
        kind: ``keyword``, ``function``, ``schema``, ``table``, ``column``, ``alias``
            or ``join``.
        schema: For ``table``: only tables of this schema (``None``: any visible).
        tables: For ``column``: whose columns; for ``alias``: the tables to name;
            for ``join``: the table just joined, then the others it may join to.
    """

    kind: str
    schema: str | None = None
    tables: tuple[TableRef, ...] = ()


@dataclass(frozen=True)
class SqlContext:
    """The analysis of the cursor position.

    Attributes:
        word_start: Offset where the word being typed starts (its qualifier included).
        prefix_start: Offset where the last part of the word starts.
        prefix: That last part, quote removed (``"My`` gives ``My``).
        quoted: True when the prefix opens a double quote.
        qualifier: The parts before the last dot (``("public",)`` for ``public.us``).
        suggestions: What fits, most specific first; empty inside a string or comment.
        tables: The tables in scope.
        outer_tables: The tables of the enclosing scopes (of a subquery), innermost first.
    """

    word_start: int
    prefix_start: int
    prefix: str
    quoted: bool
    qualifier: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    tables: tuple[TableRef, ...]
    outer_tables: tuple[TableRef, ...] = ()


def statement_bounds(text: str, cursor: int) -> tuple[int, int, bool]:
    """(start, end, in_literal) of the statement holding ``cursor``.

    ``in_literal`` is True when the cursor is inside a string, a dollar-quoted
    body or a comment (not a quoted identifier). Semicolons inside those do
    not end statements.
    """
    start, pos, inside = 0, 0, False
    for match in _iter_regions(text):
        token, begin = match.group(), match.start()
        if begin < pos:
            continue
        if token == ";":
            if begin >= cursor:
                return start, begin, inside
            start = begin + 1
            pos = begin + 1
            continue
        end = _region_end(text, token, begin)
        if token != '"' and begin < cursor and (cursor < end or _open_at(text, token, end, cursor)):
            inside = True
        pos = end
    return start, len(text), inside


def _iter_regions(text: str) -> list[re.Match[str]]:
    return list(_REGIONS.finditer(text))


def _region_end(text: str, token: str, begin: int) -> int:
    """Offset just past the string/comment/quoted name opening at ``begin``."""
    if token in ("'", '"'):
        escapes = token == "'" and begin > 0 and text[begin - 1] in "eE"
        pos = begin + 1
        while True:
            found = text.find(token, pos)
            if found < 0:
                return len(text)
            if escapes and _escaped(text, found):
                pos = found + 1
            elif text.startswith(token * 2, found):
                pos = found + 2
            else:
                return found + 1
    closer = {"--": "\n", "/*": "*/"}.get(token, token)
    found = text.find(closer, begin + len(token))
    if found < 0:
        return len(text)
    return found if token == "--" else found + len(closer)


def _escaped(text: str, at: int) -> bool:
    slashes = 0
    while at - slashes - 1 >= 0 and text[at - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _open_at(text: str, token: str, end: int, cursor: int) -> bool:
    """The cursor sits at ``end``, still inside: a line comment, or an unterminated region."""
    return cursor == end and (token == "--" or end == len(text))


def _split_qualifier(qualifier: str) -> tuple[str, ...]:
    parts = re.findall(r'"(?:[^"]|"")*"|[\w$]+', qualifier)
    return tuple(unquote(part) for part in parts)


def _open_quote(text: str) -> int | None:
    """Offset in ``text`` of a double quote still open at its end (outside strings/comments)."""
    pos = 0
    for match in _REGIONS.finditer(text):
        token, begin = match.group(), match.start()
        if begin < pos:
            continue
        if token == ";":
            pos = begin + 1
        elif token == '"':
            close = _closing_quote(text, begin + 1)
            if close is None:
                return begin
            pos = close + 1
        else:
            pos = _region_end(text, token, begin)
    return None


def _closing_quote(text: str, pos: int) -> int | None:
    while True:
        found = text.find('"', pos)
        if found < 0:
            return None
        if text.startswith('""', found):
            pos = found + 2
        else:
            return found


def _word_at(text: str, start: int, cursor: int) -> tuple[str, str]:
    """(qualifier text, last part) of the word ending at ``cursor``.

    The last part opens a double quote only when that quote is really open
    (``FROM "users" WHERE |`` types no quoted name: its quote was closed).
    """
    window = max(start, cursor - 512)
    opened = _open_quote(text[start:cursor])
    if opened is not None and start + opened >= window:
        at = start + opened
        match = _QUALIFIER_END.search(text[window:at])
        return (match.group(1) if match else ""), text[at:cursor]
    found = _WORD.search(text[window:cursor])
    assert found is not None  # both groups may be empty: the pattern always matches
    return found.group(1), found.group(2)


def suggest_type(text: str, cursor: int | None = None) -> SqlContext:
    """Analyse ``text`` at ``cursor`` (default: its end); see the module docstring."""
    cursor = len(text) if cursor is None else max(0, min(cursor, len(text)))
    start, end, in_literal = statement_bounds(text, cursor)
    # A giant statement is analysed around the cursor only, to keep each keystroke cheap.
    start, end = max(start, cursor - WINDOW_BEFORE), min(end, cursor + WINDOW_AFTER)
    qualifier_text, last = _word_at(text, start, cursor)
    word_start = cursor - len(qualifier_text) - len(last)
    prefix_start = cursor - len(last)
    quoted = last.startswith('"')
    qualifier = _split_qualifier(qualifier_text)
    tokens = statement_tokens(text[start:end], start)
    chain = scopes(tokens, word_start)
    in_scope = insert_source(chain[0], word_start)
    tables = tuple(table_refs(balanced(in_scope, word_start)))
    outer = tuple(ref for wider in chain[1:] for ref in table_refs(balanced(wider, word_start)))
    before = [t for t in in_scope if t.end <= word_start]
    suggestions: tuple[Suggestion, ...] = ()
    if not in_literal:
        shaped = special([t for t in tokens if t.end <= word_start]) if not qualifier else None
        if shaped is not None:
            suggestions = tuple(Suggestion(kind, tables=refs) for kind, refs in shaped)
        else:
            suggestions = _suggest(before, qualifier, tables, outer)
    prefix = unquote(last) if quoted else last
    return SqlContext(
        word_start, prefix_start, prefix, quoted, qualifier, suggestions, tables, outer
    )


def _governing(before: list[Tok]) -> int:
    """After a comma: the index of the keyword or ``(`` ruling the list it continues (-1: none)."""
    depth = 0
    for index in range(len(before) - 2, -1, -1):
        tok = before[index]
        if tok.value == ")":
            depth += 1
        elif tok.value == "(":
            if depth == 0:
                return index
            depth -= 1
        elif depth == 0 and tok.is_keyword() and not is_name(tok):
            return index
    return -1


def _suggest(
    before: list[Tok],
    qualifier: tuple[str, ...],
    tables: tuple[TableRef, ...],
    outer: tuple[TableRef, ...] = (),
) -> tuple[Suggestion, ...]:
    at = len(before) - 1
    if at >= 0 and before[at].value == ",":
        at = _governing(before)
    last = before[at] if at >= 0 else None
    table_context = last is not None and last.is_keyword() and last.word in _TABLE_WORDS
    if qualifier:
        return _qualified(qualifier, tables, table_context, outer)
    if last is None:
        return (Suggestion("keyword"),)
    if table_context:
        return (Suggestion("table"), Suggestion("schema"), Suggestion("function"))
    word = last.word if last.is_keyword() else ""
    if word == "SCHEMA":
        return (Suggestion("schema"),)
    if word == "FUNCTION":
        return (Suggestion("function"),)
    columns = (Suggestion("column", tables=tables), Suggestion("function"))
    if last.value == "(":
        target = _insert_target(before[:at], tables)
        if target is not None:
            return (Suggestion("column", tables=target),)
        return (*columns, Suggestion("keyword"))
    if word in COLUMN_WORDS:
        if word == "ON":
            joins = _join_suggestion(before[:at])
            return (*joins, *columns, Suggestion("alias", tables=tables), Suggestion("keyword"))
        return (*columns, Suggestion("keyword"))
    if last.kind in T.Operator:
        return columns
    return (Suggestion("keyword"),)


def _join_suggestion(before_on: list[Tok]) -> tuple[Suggestion, ...]:
    """``... JOIN t x ON``: the joined table first, then the tables before it."""
    named = table_refs(balanced(before_on, before_on[-1].end if before_on else 0))
    if len(named) < 2:
        return ()
    return (Suggestion("join", tables=(named[-1], *named[:-1])),)


def _insert_target(
    before_paren: list[Tok], tables: tuple[TableRef, ...]
) -> tuple[TableRef, ...] | None:
    """``INSERT INTO [schema.]t (`` or ``COPY [schema.]t (``: the table whose columns the list
    names, else ``None``."""
    index = len(before_paren) - 1
    parts: list[str] = []
    while index >= 0 and is_name(before_paren[index]):
        parts.insert(0, unquote(before_paren[index].value))
        if index >= 1 and before_paren[index - 1].value == ".":
            index -= 2
        else:
            index -= 1
            break
    if not parts or index < 0 or before_paren[index].word not in ("INTO", "COPY"):
        return None
    schema = parts[-2] if len(parts) >= 2 else None
    known = [t for t in tables if t.name == parts[-1] and t.schema == schema]
    return tuple(known[:1]) or (TableRef(schema, parts[-1]),)


def _qualified(
    qualifier: tuple[str, ...],
    tables: tuple[TableRef, ...],
    table_context: bool,
    outer: tuple[TableRef, ...] = (),
) -> tuple[Suggestion, ...]:
    """``x.``: a table or alias in scope (or of an enclosing scope), a schema, or
    ``schema.table.``."""
    if len(qualifier) >= 2:
        return (Suggestion("column", tables=(TableRef(qualifier[-2], qualifier[-1]),)),)
    name = qualifier[0]
    if table_context:
        return (Suggestion("table", schema=name), Suggestion("function", schema=name))
    known = [t for t in (*tables, *outer) if t.ref.lower() == name.lower()]
    if known:
        return (Suggestion("column", tables=(known[0],)),)
    return (
        Suggestion("column", tables=(TableRef(None, name),)),
        Suggestion("table", schema=name),
        Suggestion("function", schema=name),
    )
