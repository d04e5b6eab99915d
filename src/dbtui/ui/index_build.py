"""Building a suggested index online, with progress, cancellable.

Used for drivers with the :class:`~dbtui.core.capabilities.IndexBuilding` capability,
which says how a DDL runs online (:meth:`~dbtui.core.capabilities.IndexBuilding.online_index_ddl`),
when it cannot run now, and how to drop the INVALID index a cancelled (or failed) build
leaves behind. The jobs here run in thread workers like those of :mod:`dbtui.ui.jobs`: the
build runs on the user session (so Esc cancels it), and a second worker polls the driver's
build progress (on another connection).
"""

from __future__ import annotations

import threading

from dbtui.core.capabilities import IndexBuilding
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.plan import Plan
from dbtui.ui.jobs import Post, cancelled, close_result
from dbtui.ui.messages import DdlApplied, IndexBuildProgress, InvalidIndexLeft, StatementFailed

#: Seconds between two progress polls.
POLL_INTERVAL = 0.5


def online_ddl(driver: IndexBuilding, ddl: str) -> tuple[str, str | None]:
    """(``ddl`` in the driver's online form, why it cannot run now or ``None``)."""
    online = driver.online_index_ddl(ddl)
    return online, driver.online_ddl_refusal(online)


def _builder(driver: Driver) -> IndexBuilding:
    """``driver`` as an :class:`IndexBuilding` (the caller checked that it is one)."""
    if not isinstance(driver, IndexBuilding):
        raise TypeError(f"{type(driver).__name__} does not build indexes online")
    return driver


def build_index(
    post: Post,
    index: int,
    driver: Driver,
    ddl: str,
    statement: str,
    before: Plan | None,
    done: threading.Event,
) -> None:
    """Run ``ddl`` (an index build or drop), then re-explain ``statement``; sets ``done``.

    Posts :class:`DdlApplied`, or :class:`StatementFailed` followed, when the
    failure left new INVALID indexes, by :class:`InvalidIndexLeft`.
    """
    invalid_before: set[str] = set()
    builder = _builder(driver)
    try:
        invalid_before = set(builder.invalid_indexes())
        for result in driver.execute(ddl):
            close_result(result)
    except DbtuiError as error:
        done.set()
        post(StatementFailed(index, ddl, error))
        _report_invalid(post, index, builder, invalid_before)
        return
    finally:
        done.set()
    try:
        after = driver.explain(statement) if statement else None
    except DbtuiError as error:
        post(StatementFailed(index, statement, error))
        return
    post(DdlApplied(index, ddl, before, after))


def _report_invalid(post: Post, index: int, driver: IndexBuilding, known: set[str]) -> None:
    """Post :class:`InvalidIndexLeft` for INVALID indexes not in ``known`` (if any)."""
    try:
        left = tuple(name for name in driver.invalid_indexes() if name not in known)
    except DbtuiError:
        return
    if left:
        post(InvalidIndexLeft(index, left, driver.drop_invalid_ddl(left)))


def watch_index_build(
    post: Post, index: int, driver: IndexBuilding, pid: int, done: threading.Event
) -> None:
    """Poll backend ``pid``'s build progress every :data:`POLL_INTERVAL` s until ``done``.

    Posts :class:`IndexBuildProgress` whenever the phase or fraction changes;
    stops quietly when its worker is cancelled, and on a failed poll (the build itself reports its own errors).
    """
    last: tuple[str, float | None] | None = None
    while not done.wait(POLL_INTERVAL) and not cancelled():
        try:
            progress = driver.index_build_progress(pid)
        except DbtuiError:
            return
        if progress is not None and progress != last and not done.is_set():
            last = progress
            post(IndexBuildProgress(index, progress[0], progress[1]))
