"""Which concrete driver a session has, asked without importing any engine.

A driver object can only be an instance of a class whose module is already imported,
so these checks look the class up in :data:`sys.modules` and never import a driver
module (and its engine's library) themselves: a SQLite session loads no psycopg,
pymongo or redis. They are a stepping stone: the UI should ask for capabilities
(small protocols in ``dbtui.core``) rather than concrete classes.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from dbtui.drivers.mongo.driver import MongoDriver
    from dbtui.drivers.postgres.driver import PostgresDriver
    from dbtui.drivers.redis.driver import RedisDriver


def _instance_of(obj: object, module: str, name: str) -> bool:
    """``isinstance(obj, module.name)`` when ``module`` is imported; False when it is not."""
    loaded = sys.modules.get(module)
    cls = getattr(loaded, name, None) if loaded is not None else None
    return isinstance(cls, type) and isinstance(obj, cls)


def is_postgres(driver: object) -> TypeGuard[PostgresDriver]:
    """``driver`` is a :class:`~dbtui.drivers.postgres.driver.PostgresDriver`."""
    return _instance_of(driver, "dbtui.drivers.postgres.driver", "PostgresDriver")


def is_mongo(driver: object) -> TypeGuard[MongoDriver]:
    """``driver`` is a :class:`~dbtui.drivers.mongo.driver.MongoDriver`."""
    return _instance_of(driver, "dbtui.drivers.mongo.driver", "MongoDriver")


def is_redis(driver: object) -> TypeGuard[RedisDriver]:
    """``driver`` is a :class:`~dbtui.drivers.redis.driver.RedisDriver`."""
    return _instance_of(driver, "dbtui.drivers.redis.driver", "RedisDriver")
