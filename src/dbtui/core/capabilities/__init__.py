"""Optional driver capabilities: small runtime-checkable protocols the UI asks a driver for.

The UI never names a concrete driver class or an engine: it checks
``isinstance(driver, Capability)`` on one of these protocols and shows the feature only
when the active connection has it, so a third-party driver that provides a protocol's
members gets the feature for free. One module per capability:

* :mod:`.quoting`: :class:`~.quoting.LiteralQuoting`, the SQL dialect of generated literals.
"""

from __future__ import annotations

from dbtui.core.capabilities.quoting import DEFAULT_SQL_DIALECT, LiteralQuoting, sql_dialect_of

__all__ = ["DEFAULT_SQL_DIALECT", "LiteralQuoting", "sql_dialect_of"]
