"""SQLite (and other SQL) statements laid out by sqlparse (no I/O).

:func:`format_sql` is the driver's
:class:`~dbtui.core.capabilities.formatting.Formatting` member: sqlparse's
``reindent`` with keywords in upper case. sqlparse only changes white space and the
case of keywords; that is checked on the result (the tokens other than white space must
be the same, keywords compared without case, comments by their text), so a comment is
never dropped and no code ends up behind a ``--`` comment: when the check fails nothing
is changed and :class:`~dbtui.core.capabilities.formatting.FormatError` says why.
"""

from __future__ import annotations

import sqlparse
from sqlparse import tokens as T

from dbtui.core.capabilities.formatting import FormatError


def format_sql(text: str) -> str:
    """``text`` (one or more statements) re-indented, keywords upper case, comments kept.

    Blank text comes back unchanged.

    Raises:
        FormatError: the result would not be the same statement token for token, or
            sqlparse cannot read the text.
    """
    if not text.strip():
        return text
    try:
        formatted = str(sqlparse.format(text, reindent=True, keyword_case="upper")).strip()
        same = _signature(formatted) == _signature(text)
    except Exception as exc:  # sqlparse refuses very deep or very long statements
        raise FormatError(f"Not formatted: sqlparse cannot read it ({exc}).") from None
    if not same:
        raise FormatError("Not formatted: sqlparse would change more than the layout.")
    return formatted


def _signature(text: str) -> list[tuple[str, str]]:
    """The tokens of ``text`` without white space; keywords upper case, comments stripped."""
    out: list[tuple[str, str]] = []
    for statement in sqlparse.parse(text):
        for token in statement.flatten():  # type: ignore[no-untyped-call]
            if token.is_whitespace:
                continue
            value = token.value
            if token.is_keyword:
                value = value.upper()
            elif token.ttype in T.Comment:
                value = value.strip()
            out.append((str(token.ttype), value))
    return out
