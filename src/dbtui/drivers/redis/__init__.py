"""Redis driver: console, safe key browser machinery, value readers, server panels.

Entry point ``dbtui.drivers.redis:RedisDriver``.
"""

from dbtui.drivers.redis.driver import RedisDriver

__all__ = ["RedisDriver"]
