"""SQLite driver: the embedded default engine (stdlib ``sqlite3``, no server needed).

This package module is light: it only declares :data:`ENGINE` (the ``sqlite`` entry
point). ``SqliteDriver`` is still importable from here; it is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbtui.core.engine_info import EngineInfo

if TYPE_CHECKING:
    from dbtui.drivers.sqlite.driver import SqliteDriver

ENGINE = EngineInfo(
    name="sqlite",
    title="SQLite",
    schemes=("sqlite",),
    driver="dbtui.drivers.sqlite.driver:SqliteDriver",
    url_parser="dbtui.drivers.sqlite.url:parse_url",
    file_suffixes=(".db", ".sqlite", ".sqlite3"),
    example_url="sqlite:///path.db",
)

__all__ = ["ENGINE", "SqliteDriver"]


def __getattr__(name: str) -> Any:
    """Load ``SqliteDriver`` only when asked for (PEP 562)."""
    if name == "SqliteDriver":
        from dbtui.drivers.sqlite.driver import SqliteDriver

        return SqliteDriver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
