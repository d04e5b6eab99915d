"""``N`` in the Results tab: the nearest neighbours of the row under the cursor.

On a driver with :class:`~dbtui.core.capabilities.NearestNeighbours`, a worker asks the
driver for the k-nearest query of the row (catalog reads only); the query then runs like
F5 (:func:`dbtui.ui.jobs.run_statement`: streamed, recorded in the history, Esc cancels),
and its result shows the neighbours nearest first with a ``distance`` column, the row
itself first at distance 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from textual.message import Message
from textual.widget import Widget

from dbtui.core.capabilities import NearestNeighbours
from dbtui.core.errors import DbtuiError
from dbtui.core.results import RowsResult, Statement
from dbtui.ui import jobs
from dbtui.ui.held_writes import confirm_rows_over
from dbtui.ui.jobs import Post
from dbtui.ui.messages import StatementFailed
from dbtui.ui.widgets.results.view import ResultsView
from dbtui.ui.workbench import workbench_of

NOT_APPLICABLE = (
    "No nearest neighbours for this row: the result must come from one table that has "
    "a vector column and a primary key, with the key's columns among the result's."
)
NO_CAPABILITY = "This connection has no vector search: nearest neighbours are not available."


@dataclass
class NeighboursFound(Message):
    """The k-nearest query of a row is known (``statement``), or ``None``: not applicable."""

    session_index: int
    statement: str | None


def find_neighbours(
    post: Post,
    index: int,
    driver: NearestNeighbours,
    statement: str,
    columns: Sequence[str],
    row: Sequence[object],
) -> None:
    """Worker job: ask the driver for the row's k-nearest query; posts :class:`NeighboursFound`
    (or :class:`StatementFailed` when the catalog could not be read)."""
    try:
        text = driver.neighbours_statement(statement, columns, row)
    except DbtuiError as error:
        post(StatementFailed(index, "(nearest neighbours)", error))
        return
    post(NeighboursFound(index, text))


def start(widget: Widget, view: ResultsView) -> None:
    """Look up the neighbours query of the row under ``view``'s cursor (``N``)."""
    bench = workbench_of(widget)
    result = view.result
    owner = next((s for s in bench.sessions if s.result is result), None)
    row = view.table.cursor_row
    item = view.items[row] if 0 <= row < len(view.items) else None
    if owner is None or not isinstance(result, RowsResult) or item is None:
        widget.notify("Nearest neighbours: select a row of a table's rows.", severity="warning")
        return
    driver = owner.driver
    if (
        driver is None
        or not isinstance(item, tuple | list)
        or not isinstance(driver, NearestNeighbours)
    ):
        widget.notify(NO_CAPABILITY, severity="warning")
        return
    if owner.busy:
        widget.notify("A statement is already running: Esc cancels it.", severity="warning")
        return
    columns = [column.name for column in result.columns]
    job = partial(
        find_neighbours,
        widget.post_message,
        owner.index,
        driver,
        result.statement,
        columns,
        tuple(item),
    )
    bench.start(job, f"neighbours-{owner.index}", "nearest neighbours")


def run(widget: Widget, event: NeighboursFound) -> None:
    """Run the found query like F5 (or say why there is none)."""
    if event.statement is None:
        widget.notify(NOT_APPLICABLE, severity="warning", timeout=8)
        return
    bench = workbench_of(widget)
    session = bench.sessions[event.session_index]
    driver = session.driver
    if driver is None or session.busy:
        widget.notify("Busy or not connected: try again.", severity="warning")
        return
    bench.set_busy(session, True)
    previous, session.result = session.result, None
    statement = Statement(event.statement, 0, len(event.statement))
    job = partial(
        jobs.run_statement,
        bench.post_message,
        session.index,
        driver,
        statement,
        previous,
        session.history,
        confirm_rows_over(widget.app),
    )
    widget.notify("Finding the nearest neighbours… (Esc cancels)")
    bench.start(job, f"query-{session.index}", "nearest neighbours")
