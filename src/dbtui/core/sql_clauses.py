"""Statement shapes that decide completion beyond the token before the cursor (pure).

Helpers of :mod:`dbtui.core.sql_context`:

* :func:`scopes`: the parenthesised ``SELECT``s around the cursor, innermost
  first, ending with the whole statement (outer aliases stay resolvable inside
  a correlated subquery);
* :func:`balanced`: the tokens with each ``(`` left open before the cursor
  closed there (``SELECT count(| FROM users`` still sees ``FROM users``);
* :func:`insert_source`: in ``INSERT INTO t (...) SELECT ...`` the ``SELECT``
  part alone, so the target's columns do not leak into it;
* :func:`special`: ``ALTER TABLE t ALTER/DROP/RENAME COLUMN``, ``COPY``, ``SET
  search_path``: what fits there, or ``None`` when the statement is none of those.
"""

from __future__ import annotations

from sqlparse import tokens as T

from dbtui.core.sql_tokens import TableRef, Tok, is_name, unquote

_SUBQUERY_STARTS = ("SELECT", "WITH", "VALUES")
_ALTER_ACTIONS = frozenset({"ALTER", "DROP", "RENAME"})
_SEARCH_PATH_SETS = frozenset({"SESSION", "LOCAL"})


def _pairs(tokens: list[Tok]) -> tuple[dict[int, int], list[int]]:
    """Matching ``(``/``)`` indexes, and the ``(`` left open."""
    opens: list[int] = []
    closes: dict[int, int] = {}
    for index, tok in enumerate(tokens):
        if tok.value == "(":
            opens.append(index)
        elif tok.value == ")" and opens:
            closes[opens.pop()] = index
    return closes, opens


def scopes(tokens: list[Tok], cursor: int) -> list[list[Tok]]:
    """The parenthesised SELECTs holding ``cursor``, innermost first, then the whole statement."""
    closes, _ = _pairs(tokens)
    found: list[list[Tok]] = []
    for index in reversed(range(len(tokens))):
        tok = tokens[index]
        if tok.value != "(" or tok.end > cursor:
            continue
        close = closes.get(index)
        if close is not None and tokens[close].start < cursor:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.word in _SUBQUERY_STARTS:
            found.append(tokens[index + 1 : close])
    found.append(tokens)
    return found


def balanced(tokens: list[Tok], cursor: int) -> list[Tok]:
    """``tokens`` with each ``(`` left open before ``cursor`` closed there.

    Only groups that open no subquery are closed (``count(|`` is, ``IN (SELECT |``
    stays the scope it is); a ``(`` left open after the cursor is dropped.
    """
    _, unclosed = _pairs(tokens)
    closing = [
        index
        for index in unclosed
        if tokens[index].start < cursor
        and (index + 1 >= len(tokens) or tokens[index + 1].word not in _SUBQUERY_STARTS)
    ]
    dropped = {index for index in unclosed if tokens[index].start >= cursor}
    out = [tok for index, tok in enumerate(tokens) if index not in dropped]
    at = next((n for n, tok in enumerate(out) if tok.start >= cursor), len(out))
    closers = [Tok(T.Punctuation, ")", cursor) for _ in closing]
    return out[:at] + closers + out[at:]


def _depth0_indexes(tokens: list[Tok]) -> list[int]:
    depth, out = 0, []
    for index, tok in enumerate(tokens):
        if tok.value == "(":
            depth += 1
        elif tok.value == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(index)
    return out


def insert_source(tokens: list[Tok], cursor: int) -> list[Tok]:
    """In ``INSERT INTO t [(...)] SELECT ...``, the ``SELECT`` part when the cursor is in it.

    Anything else (the column list, ``VALUES``, ``ON CONFLICT``, ``RETURNING``,
    another statement) returns ``tokens`` unchanged.
    """
    top = _depth0_indexes(tokens)
    words = [(i, tokens[i].word if tokens[i].is_keyword() else "") for i in top]
    if not words or words[0][1] != "INSERT":
        return tokens
    into = next((n for n, (_, w) in enumerate(words) if w == "INTO"), None)
    if into is None:
        return tokens
    select = next((n for n in range(into + 1, len(words)) if words[n][1] == "SELECT"), None)
    if select is None or tokens[words[select][0]].start >= cursor:
        return tokens
    stop = len(tokens)
    for index, word in words[select + 1 :]:
        if word in ("RETURNING", "CONFLICT"):
            if tokens[index].start < cursor:
                return tokens
            before = index - 1 if word == "CONFLICT" else index
            stop = min(stop, before)
    return tokens[words[select][0] : stop]


def _leading_table(tokens: list[Tok], index: int) -> tuple[TableRef | None, int]:
    """``[ONLY] [IF EXISTS] [schema.]name`` at ``index``: the table and the next index."""
    while index < len(tokens) and tokens[index].word in ("ONLY", "EXISTS", "IF"):
        index += 1
    parts: list[str] = []
    while index < len(tokens) and is_name(tokens[index]):
        parts.append(unquote(tokens[index].value))
        index += 1
        if index < len(tokens) and tokens[index].value == ".":
            index += 1
        else:
            break
    if not parts:
        return None, index
    return TableRef(parts[-2] if len(parts) > 1 else None, parts[-1]), index


def special(before: list[Tok]) -> tuple[tuple[str, tuple[TableRef, ...]], ...] | None:
    """(kind, tables) pairs for the statements handled here, or ``None``.

    ``before`` are the statement's tokens before the word being typed.
    """
    if not before:
        return None
    head = before[0].word if before[0].is_keyword() else ""
    if head == "ALTER" and len(before) > 1 and before[1].word == "TABLE":
        return _alter_table(before)
    if head == "COPY":
        return _copy(before)
    if head == "SET":
        return _search_path(before)
    return None


def _alter_table(before: list[Tok]) -> tuple[tuple[str, tuple[TableRef, ...]], ...] | None:
    table, index = _leading_table(before, 2)
    if table is None or index >= len(before):
        return None  # ALTER TABLE | : the usual table completion
    words = [t.word for t in before[index:]]
    if before[-1].word == "EXISTS" and len(words) >= 2:
        words = words[:-1]  # DROP COLUMN IF EXISTS |
    if words[-1] == "COLUMN" and len(words) >= 2 and words[-2] in _ALTER_ACTIONS:
        return (("column", (table,)),)
    if words[-1] in _ALTER_ACTIONS and (len(words) == 1 or before[-2].value == ","):
        return (("column", (table,)), ("keyword", ()))
    return None


def _copy(before: list[Tok]) -> tuple[tuple[str, tuple[TableRef, ...]], ...] | None:
    if len(before) == 1:
        return (("table", ()), ("schema", ()))
    last = before[-1].word
    if last in ("FROM", "TO"):
        return (("keyword", ()),)  # a file name, STDIN or STDOUT: no table
    return None


def _search_path(before: list[Tok]) -> tuple[tuple[str, tuple[TableRef, ...]], ...] | None:
    index = 1
    if index < len(before) and before[index].word in _SEARCH_PATH_SETS:
        index += 1
    if index >= len(before) or before[index].value.lower() != "search_path":
        return None
    rest = before[index + 1 :]
    if not rest:
        return (("keyword", ()),)
    if rest[0].word != "TO" and not (rest[0].kind in T.Operator and rest[0].value == "="):
        return None
    if len(rest) == 1 or rest[-1].value == ",":
        return (("schema", ()),)
    return (("keyword", ()),)
