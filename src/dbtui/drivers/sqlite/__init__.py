"""SQLite driver: the embedded default engine (stdlib ``sqlite3``, no server needed)."""

from dbtui.drivers.sqlite.driver import SqliteDriver

__all__ = ["SqliteDriver"]
