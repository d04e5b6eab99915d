"""Vector search: nearest neighbours of a row, and the recall check of a vector index.

A driver whose engine stores embeddings offers these; the UI asks ``isinstance(driver,
NearestNeighbours)`` (``RecallCheck``) and never knows the SQL or the index kinds. Every
method blocks on the server: call them in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from dbtui.core.advice import Suggestion


@runtime_checkable
class NearestNeighbours(Protocol):
    """The k-nearest-neighbour query for one row of a result."""

    def neighbours_statement(
        self, statement: str, columns: Sequence[str], row: Sequence[object], k: int = 10
    ) -> str | None:
        """The statement that lists the ``k`` rows nearest to ``row`` by its vector, nearest
        first with a ``distance`` column (``row`` itself first, at distance 0).

        Args:
            statement: The statement whose result holds the row; it must read one table.
            columns: The result's column names.
            row: The row's values, as the result returned them.
            k: Neighbours wanted besides the row itself.

        Returns ``None`` when the result has no source table with a vector column, or the
        row's key is not among ``columns`` (the UI says so).

        Raises:
            DbtuiError: the catalog could not be read.
        """
        ...


@dataclass(frozen=True)
class RecallOutcome:
    """What a recall check gave.

    Attributes:
        lines: The report, plain lines (empty when nothing was measured).
        needs_build: Non-empty when nothing was measured because no index serves the
            query yet: why, and what building one for the check means (locks); the UI
            asks before it calls again with ``build=True``.
    """

    lines: tuple[str, ...] = ()
    needs_build: str = ""


@runtime_checkable
class RecallCheck(Protocol):
    """Measured recall@k (and speed-up) of the approximate index a suggestion is about."""

    def checks_recall(self, suggestion: Suggestion) -> bool:
        """True when ``suggestion`` is an approximate (vector) index whose recall can be
        measured. Pure, no I/O."""
        ...

    def recall_check(self, statement: str, suggestion: Suggestion, *, build: bool) -> RecallOutcome:
        """Measure recall of the index serving the k-NN ``statement``.

        With ``build`` (the user's deliberate yes to :attr:`RecallOutcome.needs_build`), the
        suggested index is created for the check inside a transaction that is rolled back;
        a read-only connection never builds (and never returns ``needs_build``).

        Raises:
            DbtuiError: not a k-NN query, nothing to measure, a failure, or cancelled.
        """
        ...

    def cancel_recall_check(self) -> None:
        """Interrupt a running :meth:`recall_check` from another thread (best effort);
        the check then raises."""
        ...
