"""dbtui: a keyboard-driven terminal explorer for PostgreSQL, MongoDB, Redis and SQLite."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dbtui-workbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
