"""PostgreSQL driver (psycopg 3): registered as the ``postgresql`` entry point.

This package module is light: it only declares :data:`ENGINE`; ``PostgresDriver`` is
still importable from here but loaded (with psycopg) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbtui.core.engine_info import EngineInfo
from dbtui.core.errors import PasswordRequired

if TYPE_CHECKING:
    from dbtui.drivers.postgres.driver import PostgresDriver

ENGINE = EngineInfo(
    name="postgresql",
    title="PostgreSQL",
    schemes=("postgresql", "postgres"),
    driver="dbtui.drivers.postgres.driver:PostgresDriver",
    url_parser="dbtui.drivers.postgres.urls:parse_url",
    keyword_conninfo=True,
    example_url="postgresql://host/db",
)

__all__ = ["ENGINE", "PasswordRequired", "PostgresDriver"]


def __getattr__(name: str) -> Any:
    """Load ``PostgresDriver`` only when asked for (PEP 562)."""
    if name == "PostgresDriver":
        from dbtui.drivers.postgres.driver import PostgresDriver

        return PostgresDriver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
