"""Split an editor buffer of mongosh-style commands into statements.

A command ends at a ``;`` or at a line break, outside strings, comments,
regular expressions and brackets, unless the line ends with a ``.`` or the
next significant line starts with one (a chained ``.sort(...)`` on its own
line continues the command, as in mongosh).
"""

from __future__ import annotations

from dbtui.core.results import Statement
from dbtui.drivers.mongo.literals import regex_end

_OPEN, _CLOSE = "([{", ")]}"
_REGEX_AFTER = set("(,:[{=!&|?;")


def _skip_quoted(text: str, pos: int) -> int:
    """Index just past the string starting at ``pos`` (or the line end if unterminated)."""
    quote = text[pos]
    pos += 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == quote or (char == "\n" and quote != "`"):
            return pos + 1
        pos += 1
    return pos


def _skip_regex(text: str, pos: int) -> int:
    """Index just past the ``/regex/`` starting at ``pos`` (or its line end if unterminated)."""
    end = regex_end(text, pos)
    if end >= 0:
        return end + 1
    breaks = [at for at in (text.find("\n", pos), text.find("\r", pos)) if at >= 0]
    return min(breaks, default=len(text))


def _skip_comment(text: str, pos: int) -> int:
    """Index just past the comment starting at ``pos`` (a line comment keeps its newline)."""
    if text.startswith("//", pos):
        end = text.find("\n", pos)
        return len(text) if end < 0 else end
    end = text.find("*/", pos + 2)
    return len(text) if end < 0 else end + 2


def _next_significant(text: str, pos: int) -> str:
    """The first character at or after ``pos`` that is not blank or in a comment."""
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text.startswith(("//", "/*"), pos):
            pos = _skip_comment(text, pos)
        else:
            return text[pos]
    return ""


def _ends(text: str) -> list[int]:
    """Offsets where commands end (each ``;`` or breaking newline), plus the text end."""
    ends: list[int] = []
    depth = 0
    last = ""
    pos = 0
    while pos < len(text):
        char = text[pos]
        if text.startswith(("//", "/*"), pos):
            pos = _skip_comment(text, pos)
            continue
        if char in "'\"`":
            pos, last = _skip_quoted(text, pos), char
            continue
        if char == "/" and (last in _REGEX_AFTER or not last):
            pos, last = _skip_regex(text, pos), "/"
            continue
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (
            char == ";"
            or (char == "\n" and last not in ("", ".") and _next_significant(text, pos) != ".")
        ):
            ends.append(pos)
            last = ""
            pos += 1
            continue
        if not char.isspace():
            last = char
        pos += 1
    ends.append(len(text))
    return ends


def _only_comments(text: str) -> bool:
    return _next_significant(text, 0) == ""


def split_commands(script: str) -> list[Statement]:
    """Commands of ``script`` in order with their offsets; blank and comment-only ones dropped.

    A statement's text excludes its final ``;`` and surrounding whitespace.
    """
    statements: list[Statement] = []
    begin = 0
    for end in _ends(script):
        raw = script[begin:end]
        stripped = raw.strip()
        if stripped and not _only_comments(stripped):
            start = begin + (len(raw) - len(raw.lstrip()))
            statements.append(Statement(stripped, start, start + len(stripped)))
        begin = end + 1
    return statements
