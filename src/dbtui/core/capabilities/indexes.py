"""Index building: a driver that builds indexes online, reporting progress, cancellable.

The UI builds a suggested index on such a driver without blocking writes
(``CREATE INDEX CONCURRENTLY`` semantics: no transaction block, and a failed or
cancelled build may leave an INVALID index that the UI offers to drop). The build
runs on the user session (:meth:`~dbtui.core.driver.Driver.execute`, so cancel
stops it) while another worker polls :meth:`IndexBuilding.index_build_progress`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class IndexBuilding(Protocol):
    """Progress and leftovers of online index builds (blocking: call in a worker)."""

    @property
    def backend_pid(self) -> int | None:
        """Server id of the user session whose build is polled; ``None`` when closed."""
        ...

    def index_build_progress(self, pid: int) -> tuple[str, float | None] | None:
        """Phase and fraction done (0..1, ``None`` unknown) of ``pid``'s build; ``None``: none.

        Must not use the user session (it is busy building).
        """
        ...

    def invalid_indexes(self) -> Sequence[str]:
        """Quoted names of the indexes a failed build left INVALID (droppable as they are)."""
        ...

    def online_index_ddl(self, ddl: str) -> str:
        """``ddl`` as it should run so that writes go on during the build (an index build
        rewritten to the online form); anything else unchanged. Pure, no I/O."""
        ...

    def online_ddl_refusal(self, ddl: str) -> str | None:
        """Why ``ddl`` (as returned by :meth:`online_index_ddl`) cannot run in the user
        session right now (e.g. an open transaction), or ``None``. No I/O."""
        ...

    def reports_build_progress(self, ddl: str) -> bool:
        """True when ``ddl`` builds an index whose progress :meth:`index_build_progress` reports."""
        ...

    def drop_invalid_ddl(self, names: Sequence[str]) -> str:
        """The statement(s) that remove the INVALID indexes ``names``."""
        ...
