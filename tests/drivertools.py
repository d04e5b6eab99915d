"""Helpers shared by the driver and UI tests (importable because pytest puts ``tests`` on sys.path)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from dbtui.core.driver import Driver
from dbtui.core.spec import spec_from_url

DriverT = TypeVar("DriverT", bound=Driver)


def connected(
    driver_class: type[DriverT], url: str, *, read_only: bool = False
) -> Iterator[DriverT]:
    """A connected ``driver_class`` driver for ``url``, closed when the generator finishes.

    Fixtures use it as ``yield from connected(PostgresDriver, url)``; the driver is closed
    after the test, also when the test failed.
    """
    driver = driver_class(spec_from_url(url, read_only=read_only))
    driver.connect()
    try:
        yield driver
    finally:
        driver.close()
