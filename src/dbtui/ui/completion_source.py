"""Per-connection completion data, built off the UI thread and swapped in whole.

:func:`build_source` is called in a thread worker when a connection opens
(and when the user asks for a refresh); it asks the driver for the names it
knows and returns an immutable :class:`CompletionSource`. The screen then
hands ``source.complete`` to the connection's editor in one assignment, so
the editor never sees a half-built source (pgcli's completion refresher does
the same).

The driver is asked through the completion capabilities of
:mod:`dbtui.core.capabilities.completion`, never by engine: a driver that builds
its own source (:class:`NameCompletion`), one that lists its SQL catalog
(:class:`SqlCompletion`), or one that lists its commands (:class:`CommandCompletion`;
the subcommands of the driver's ``container_commands`` are read too).
"""

from __future__ import annotations

import contextlib

from dbtui.core.capabilities import sql_dialect_of
from dbtui.core.capabilities.completion import (
    CommandCompletion,
    CompletionKind,
    CompletionSource,
    NameCompletion,
    SqlCompletion,
)
from dbtui.core.completion import CatalogSnapshot
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError

__all__ = ["CompletionSource", "build_source", "fallback_source"]


def fallback_source(driver: Driver) -> CompletionSource:
    """What completion offers before the catalog is read: keywords, functions, operators."""
    if isinstance(driver, NameCompletion):
        return driver.completion_fallback()
    if isinstance(driver, CommandCompletion):
        return CompletionSource(CompletionKind.COMMANDS)
    return CompletionSource(CompletionKind.SQL, CatalogSnapshot(dialect=sql_dialect_of(driver)))


def build_source(
    driver: Driver, *, sample_fields: bool = False, previous: CompletionSource | None = None
) -> CompletionSource:
    """Read the names ``driver`` knows into a new source (blocking: call it in a worker).

    Args:
        driver: A connected driver.
        sample_fields: Sample data for field names too (document stores; expensive,
            only on an explicit refresh).
        previous: The source being replaced; a driver may keep its costly parts.

    Raises:
        DbtuiError: the driver failed to read its catalog.
    """
    if isinstance(driver, NameCompletion):
        return driver.completion_source(sample_fields=sample_fields, previous=previous)
    if isinstance(driver, SqlCompletion):
        return CompletionSource(CompletionKind.SQL, driver.completion_snapshot())
    if isinstance(driver, CommandCompletion):
        return _command_source(driver)
    return fallback_source(driver)


def _command_source(driver: CommandCompletion) -> CompletionSource:
    """Command names, and the subcommands of the driver's ``container_commands`` it knows."""
    commands = tuple(driver.command_names())
    known = set(commands)
    subcommands: dict[str, tuple[str, ...]] = {}
    for container in driver.container_commands:
        if container not in known:
            continue
        with contextlib.suppress(DbtuiError):  # one missing doc must not lose the rest
            hint = driver.command_hint(container.lower())
            if hint is not None and hint.subcommands:
                subcommands[container] = tuple(hint.subcommands)
    return CompletionSource(CompletionKind.COMMANDS, commands=commands, subcommands=subcommands)
