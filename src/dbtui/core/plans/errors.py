"""The one error every plan parser raises on input it cannot read, and a decorator that enforces it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from dbtui.core.errors import DbtuiError
from dbtui.core.plan import Plan


class PlanFormatError(DbtuiError):
    """The text given as a plan is not an EXPLAIN output this parser understands."""

    default_title = "Unreadable plan"


#: What a parser raises on input of an unexpected shape (a list where a number was due...).
MALFORMED = (
    TypeError,
    KeyError,
    ValueError,
    AttributeError,
    IndexError,
    RecursionError,
    OverflowError,
    ZeroDivisionError,
)

ParserT = TypeVar("ParserT", bound=Callable[..., Plan])


def clean_errors(what: str) -> Callable[[ParserT], ParserT]:
    """Decorator for a plan parser: input of an unexpected shape raises :class:`PlanFormatError`.

    A parser reads data a user or a server handed over (a plan file, a pasted plan); a field
    of the wrong type must give a one-line error, not a ``TypeError`` traceback.
    """

    def decorate(parser: ParserT) -> ParserT:
        @functools.wraps(parser)
        def parse(*args: Any, **kwargs: Any) -> Plan:
            try:
                return parser(*args, **kwargs)
            except DbtuiError:
                raise
            except MALFORMED as exc:
                detail = str(exc)[:200] or type(exc).__name__
                raise PlanFormatError(f"this is not {what} ({detail})") from exc

        return cast(ParserT, parse)

    return decorate
