"""Readers for JavaScript literals: quoted strings, numbers and ``/regex/flags``.

Each reader takes the text and the offset where the literal starts and
returns the value and the offset just past it, or raises
:class:`LiteralError` with a reason and the offset to point at.
"""

from __future__ import annotations

import re

from bson import Regex

from dbtui.drivers.mongo.constructors import INT64_MAX, INT64_MIN, ConstructorError, regex

_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)")
_RUNS = {'"': re.compile(r'[^"\\\n\r]+'), "'": re.compile(r"[^'\\\n\r]+")}
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_LINE_BREAKS = ("\n", "\r", "\u2028", "\u2029")
_FLAGS = re.compile(r"[A-Za-z]*")


class LiteralError(ValueError):
    """A malformed literal.

    Attributes:
        reason: What is wrong.
        position: 0-based offset to point at.
    """

    def __init__(self, reason: str, position: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position


def _code_point(text: str, pos: int, kind: str, start: int) -> tuple[str, int]:
    """The character of a ``\\xHH``, ``\\uHHHH`` or ``\\u{H...}`` escape whose digits start at ``pos``."""
    if kind == "u" and text.startswith("{", pos):
        end = text.find("}", pos)
        digits = text[pos + 1 : end] if end > 0 else ""
        pos = end + 1 if end > 0 else len(text)
    else:
        size = 2 if kind == "x" else 4
        digits = text[pos : pos + size]
        pos += size
        if len(digits) != size:
            digits = ""
    try:
        value = int(digits, 16) if digits and digits.isalnum() else -1
    except ValueError:
        value = -1
    if not 0 <= value <= 0x10FFFF:
        raise LiteralError(f"invalid \\{kind} escape", start)
    return chr(value), pos


def _escape(text: str, start: int) -> tuple[str, int]:
    """The text of the escape sequence at ``start`` (a backslash) and the offset after it."""
    char = text[start + 1 : start + 2]
    pos = start + 2
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], pos
    if char == "0" and not text[pos : pos + 1].isdigit():
        return "\0", pos
    if char in ("x", "u"):
        return _code_point(text, pos, char, start)
    if char == "\r" and text.startswith("\n", pos):
        return "", pos + 1
    if char in _LINE_BREAKS:
        return "", pos
    if not char:
        raise LiteralError("unterminated string: it ends with a backslash", start)
    return char, pos


def _join_utf16(text: str, start: int) -> str:
    """Combine ``\\uD83D\\uDE00``-style surrogate pairs; lone surrogates are errors."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise LiteralError("the string holds a lone UTF-16 surrogate escape", start) from exc


def read_string(text: str, start: int) -> tuple[str, int]:
    """The single- or double-quoted string starting at ``start``, with JavaScript escapes."""
    quote = text[start]
    pos = start + 1
    parts: list[str] = []
    while True:
        run = _RUNS[quote].match(text, pos)
        if run:
            parts.append(run.group())
            pos = run.end()
        char = text[pos] if pos < len(text) else ""
        if char == quote:
            return _join_utf16("".join(parts), start), pos + 1
        if char != "\\":
            raise LiteralError("unterminated string: the closing quote is missing", start)
        piece, pos = _escape(text, pos)
        parts.append(piece)


def read_number(text: str, start: int) -> tuple[object, int]:
    """The number at ``start``: an int (floats past 64 bits, as JavaScript), a float or ``-Infinity``."""
    if text.startswith("-Infinity", start):
        return float("-inf"), start + len("-Infinity")
    match = _NUMBER.match(text, start)
    if match is None:
        raise LiteralError("expected a number", start)
    end = match.end()
    follower = text[end : end + 1]
    if follower and (follower.isalnum() or follower in "_$."):
        raise LiteralError(f"unexpected {follower!r} after the number {match.group()!r}", end)
    literal = match.group()
    if "x" in literal or "X" in literal:
        number = int(literal, 16)
    elif any(c in literal for c in ".eE"):
        return float(literal), end
    else:
        number = int(literal)
    return (number if INT64_MIN <= number <= INT64_MAX else float(number)), end


def regex_end(text: str, start: int) -> int:
    """Offset of the ``/`` closing the regular expression literal opened at ``start``.

    A ``/`` escaped with a backslash or inside a ``[...]`` class belongs to the
    pattern. Returns -1 when the line (or the text) ends before the closing
    ``/``. The one scanner of ``/regex/`` literals: the value parser and the
    statement splitter both use it.
    """
    in_class = False
    pos = start + 1
    while True:
        char = text[pos : pos + 1]
        if char in ("", "\n", "\r"):
            return -1
        if char == "\\":
            pos += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return pos
        pos += 1


def read_regex(text: str, start: int) -> tuple[Regex[str], int]:
    """The ``/pattern/flags`` literal starting at ``start`` (see :func:`regex_end`)."""
    pos = regex_end(text, start)
    if pos < 0:
        raise LiteralError("unterminated regular expression: the closing '/' is missing", start)
    flags = _FLAGS.match(text, pos + 1)
    assert flags is not None  # the pattern matches the empty string
    try:
        return regex(text[start + 1 : pos], flags.group()), flags.end()
    except ConstructorError as exc:
        raise LiteralError(str(exc), pos + 1) from exc
