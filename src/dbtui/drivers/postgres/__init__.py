"""PostgreSQL driver (psycopg 3): registered as the ``postgresql`` entry point."""

from dbtui.core.errors import PasswordRequired
from dbtui.drivers.postgres.driver import PostgresDriver

__all__ = ["PasswordRequired", "PostgresDriver"]
