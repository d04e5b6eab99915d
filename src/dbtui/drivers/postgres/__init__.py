"""PostgreSQL driver (psycopg 3): registered as the ``postgresql`` entry point."""

from dbtui.drivers.postgres.driver import PostgresDriver
from dbtui.drivers.postgres.errors import PasswordRequired

__all__ = ["PasswordRequired", "PostgresDriver"]
