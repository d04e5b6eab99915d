"""Optional driver capabilities as small protocols the UI asks for, never a concrete class.

A driver has a capability when it provides the protocol's members; the UI checks with
``isinstance(driver, Capability)`` (the protocols are runtime-checkable) or through the
helpers below, so a third-party driver that provides them gets the feature for free.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from dbtui.core.sql_literals import DIALECTS

DEFAULT_SQL_DIALECT = "postgresql"
"""The literal spelling used for generated SQL when a driver declares none."""


@runtime_checkable
class LiteralQuoting(Protocol):
    """A driver whose engine reads SQL literals of one dialect (used by SQL INSERT exports).

    Attributes:
        sql_dialect: One of :data:`dbtui.core.sql_literals.DIALECTS`.
    """

    sql_dialect: str


def sql_dialect_of(driver: object) -> str:
    """The SQL dialect to spell literals in for ``driver``'s results.

    The driver's :class:`LiteralQuoting` dialect when it declares a known one, else
    :data:`DEFAULT_SQL_DIALECT` (also for ``None``: no connection).
    """
    if isinstance(driver, LiteralQuoting) and driver.sql_dialect in DIALECTS:
        return driver.sql_dialect
    return DEFAULT_SQL_DIALECT
