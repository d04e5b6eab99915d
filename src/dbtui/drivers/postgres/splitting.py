"""Split a PostgreSQL script into statements with the server's own lexer (pglast's scanner).

The scanner knows every quoting rule (dollar quotes, ``E''`` strings, quoted
identifiers, nested ``/* */`` comments), so a ``;`` inside any of them never
ends a statement. Unlike ``pglast.split(..., with_parser=False)``, which drops
statements it cannot make sense of, this keeps every piece of text: a
misspelt statement is still sent, and the server reports the error with its
position. ``;`` inside parentheses (``CREATE RULE ... DO (a; b)``) and inside
a ``BEGIN ATOMIC ... END`` function body does not end a statement either.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast.parser import ParseError, Token, scan

from dbtui.core.results import Statement

_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_SEMICOLON = "ASCII_59"
_OPEN, _CLOSE = "ASCII_40", "ASCII_41"


@dataclass
class _Depth:
    """Nesting that makes a ``;`` part of the current statement."""

    parens: int = 0
    atomic: int = 0
    cases: int = 0
    previous: str = ""

    def track(self, name: str) -> None:
        """Update the nesting for the token called ``name``."""
        if name == _OPEN:
            self.parens += 1
        elif name == _CLOSE:
            self.parens = max(0, self.parens - 1)
        elif name == "ATOMIC" and self.previous == "BEGIN_P":
            self.atomic += 1
        elif name == "CASE" and self.atomic:
            self.cases += 1
        elif name == "END_P" and self.atomic:
            if self.cases:
                self.cases -= 1
            else:
                self.atomic -= 1
        self.previous = name

    @property
    def top_level(self) -> bool:
        return not (self.parens or self.atomic)


def split_script(script: str) -> list[Statement]:
    """Statements of ``script`` in order, with 0-based character offsets.

    Each statement's text runs from its first to its last token that is not
    a comment (comments before a statement or before its ``;`` are left out;
    comments inside it are kept). Pieces holding only comments are dropped.
    An unterminated string, identifier or comment makes the rest of the
    script one last statement, so the server reports the error.
    """
    tokens, tail_start = _tokens(script)
    statements: list[Statement] = []
    first: Token | None = None
    last: Token | None = None
    depth = _Depth()
    for token in tokens:
        if token.name in _COMMENTS:
            continue
        if token.name == _SEMICOLON and depth.top_level:
            _append(statements, script, first, last)
            first = last = None
            depth = _Depth()
            continue
        depth.track(token.name)
        first = first or token
        last = token
    if tail_start is not None:
        start = first.start if first else tail_start
        text = script[start:].rstrip()
        statements.append(Statement(text=text, start=start, end=start + len(text)))
    else:
        _append(statements, script, first, last)
    return statements


def _tokens(script: str) -> tuple[list[Token], int | None]:
    """Scanner tokens, and where unscannable text starts (``None`` when all of it scans)."""
    try:
        return list(scan(script)), None
    except ParseError as exc:
        index = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        try:
            return list(scan(script[:index])), index
        except ParseError:
            return [], 0


def _append(
    statements: list[Statement], script: str, first: Token | None, last: Token | None
) -> None:
    if first is None or last is None:
        return
    end = last.end + 1
    statements.append(Statement(text=script[first.start : end], start=first.start, end=end))
