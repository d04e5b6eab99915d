"""Redis driver: console, safe key browser machinery, value readers, server panels.

This package module is light: it only declares :data:`ENGINE` (the ``redis`` entry
point). ``RedisDriver`` is still importable from here, loaded (with redis-py) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbtui.core.engine_info import EngineInfo

if TYPE_CHECKING:
    from dbtui.drivers.redis.driver import RedisDriver

ENGINE = EngineInfo(
    name="redis",
    title="Redis",
    schemes=("redis", "rediss", "redis+sentinel", "unix"),
    driver="dbtui.drivers.redis.driver:RedisDriver",
    url_parser="dbtui.drivers.redis.urls:parse_url",
    example_url="redis://host",
)

__all__ = ["ENGINE", "RedisDriver"]


def __getattr__(name: str) -> Any:
    """Load ``RedisDriver`` only when asked for (PEP 562)."""
    if name == "RedisDriver":
        from dbtui.drivers.redis.driver import RedisDriver

        return RedisDriver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
