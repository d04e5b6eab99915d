"""PostgreSQL statements pretty-printed by pglast, PostgreSQL's own grammar (no I/O).

:func:`format_sql` is the driver's
:class:`~dbtui.core.capabilities.formatting.Formatting` member. pglast's prettifier
rebuilds the text from the parse tree; with ``safety_belt`` it parses its own output
again and refuses when the tree changed, so the meaning is kept exactly. Comments are
kept (``preserve_comments``; pglast moves a comment to the nearest place it can print
one) and checked afterwards: if one went missing, nothing is changed and
:class:`~dbtui.core.capabilities.formatting.FormatError` says so.
"""

from __future__ import annotations

from collections import Counter

import pglast
from pglast.parser import ParseError, scan

from dbtui.core.capabilities.formatting import FormatError

_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})


def format_sql(text: str) -> str:
    """``text`` (one or more PostgreSQL statements) laid out by pglast, comments kept.

    A trailing ``;`` stays when the text had one (even before a last comment). Blank text,
    or text that is only comments, comes back unchanged.

    Raises:
        FormatError: the text does not parse, pglast cannot print it back identically,
            or a comment would be lost.
    """
    if not text.strip():
        return text
    try:
        tokens = scan(text)
        code = [token for token in tokens if token.name not in _COMMENTS]
        if not code:
            return text  # only comments: nothing to lay out
        comments = _comments(text)
        formatted = pglast.prettify(
            text,
            safety_belt=True,
            preserve_comments=True,
            semicolon_after_last_statement=code[-1].name == "ASCII_59",
        )
    except ParseError as exc:
        raise FormatError(f"Not formatted: it does not parse ({exc.args[0]}).") from None
    except Exception as exc:  # pglast raises plain errors when it cannot print a node
        raise FormatError(f"Not formatted: pglast cannot print it back ({exc}).") from None
    if _comments(formatted) != comments:
        raise FormatError("Not formatted: a comment would have been lost.")
    return formatted


def _comments(text: str) -> Counter[str]:
    """The comments of ``text`` (stripped), counted."""
    return Counter(
        text[token.start : token.end + 1].strip() for token in scan(text) if token.name in _COMMENTS
    )
