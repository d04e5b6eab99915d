"""Find drivers through the ``dbtui.drivers`` entry-point group.

Built-in drivers register there exactly as a third-party driver would, so a
plugin package only needs::

    [project.entry-points."dbtui.drivers"]
    myengine = "my_package:MyDriver"

Listing drivers does not import them; :func:`load_driver` imports one.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from dbtui.core.driver import Driver
from dbtui.core.errors import UnsupportedError
from dbtui.core.spec import ConnectionSpec

GROUP = "dbtui.drivers"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available_engines() -> list[str]:
    """Names of every registered driver, without importing any of them."""
    return sorted(_entry_points())


def load_driver(engine: str) -> type[Driver]:
    """Import and return the driver class registered as ``engine``.

    Raises:
        UnsupportedError: nothing is registered under that name, or the
            registered object cannot be imported or is not a Driver.
    """
    ep = _entry_points().get(engine)
    if ep is None:
        raise UnsupportedError(
            f"no driver is installed for {engine!r} "
            f"(installed: {', '.join(available_engines()) or 'none'})",
            "Engine not available",
        )
    try:
        cls = ep.load()
    except (ImportError, AttributeError) as exc:
        raise UnsupportedError(
            f"the {engine} driver could not be loaded: {exc}", "Engine not available"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Driver)):
        raise UnsupportedError(f"{ep.value} is not a dbtui Driver", "Engine not available")
    return cls


def open_driver(spec: ConnectionSpec) -> Driver:
    """Load the driver for ``spec``, create it and connect.

    Raises:
        DbtuiError: the engine is not available or the connection failed.
    """
    driver = load_driver(spec.engine)(spec)
    driver.connect()
    return driver
