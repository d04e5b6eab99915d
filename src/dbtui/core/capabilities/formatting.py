"""The :class:`Formatting` capability: lay out an SQL statement for reading."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class FormatError(ValueError):
    """The text cannot be formatted without changing it (it does not parse, or a comment
    would be lost); the message says why, in one sentence."""


@runtime_checkable
class Formatting(Protocol):
    """A driver whose engine's statements can be pretty-printed (pure, no I/O).

    ``format_sql(text)`` returns ``text`` laid out (keywords upper case, one clause per
    line) with the same meaning and every comment kept, or raises :class:`FormatError`
    rather than drop anything.
    """

    def format_sql(self, text: str) -> str:
        """``text`` (one or more statements) formatted; raises :class:`FormatError`."""
        ...
