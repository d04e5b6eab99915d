"""The results table: a DataTable that shows a window of a long result.

The table holds only the rows of the view's :class:`~dbtui.core.window.RowWindow`
(a few pages); its row labels are the absolute row numbers. When the window
moves, :meth:`WindowTable.show_window` rebuilds the rows and keeps the cursor
on the same absolute row and the viewport where it was, so moving through
the result with the arrows and PgUp/PgDn feels like one long table.
Ctrl+Home and Ctrl+End ask the owner to jump (re-reading the first or the
last page) through :attr:`WindowTable.on_jump`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import DataTable

Jump = Callable[[str], None]
"""Told ``"first"`` or ``"last"`` when the user asks for the first or last row."""


class WindowTable(DataTable[object]):
    """A DataTable of one window of rows, labelled with absolute row numbers."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, cursor_type="cell")
        self.on_jump: Jump | None = None
        self.first_number = 1
        """The absolute (1-based) number of the table's first row."""

    def action_scroll_top(self) -> None:
        """Ctrl+Home: row 1 of the result (re-read when it is no longer held)."""
        if self.on_jump is not None and self.first_number > 1:
            self.on_jump("first")
            return
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        """Ctrl+End: the last row of the result when its end is known, else the last held."""
        if self.on_jump is not None:
            self.on_jump("last")
            return
        super().action_scroll_bottom()

    def add_numbered(self, rows: Sequence[Sequence[object]]) -> None:
        """Append ``rows`` (already formatted cells), numbered after the rows present."""
        number = self.first_number + self.row_count
        for offset, cells in enumerate(rows):
            self.add_row(*cells, label=Text(f"{number + offset:,}", style="dim"))

    def show_window(
        self, first_number: int, rows: Sequence[Sequence[object]], cursor_number: int | None
    ) -> None:
        """Replace the rows with ``rows``, the first being row ``first_number`` of the result.

        The cursor goes to absolute row ``cursor_number`` (or stays on the row it
        was on), clamped to the rows present; the viewport keeps its place
        relative to the rows that stayed.
        """
        old_first = self.first_number
        old_row, column = self.cursor_coordinate
        target = cursor_number if cursor_number is not None else old_first + old_row
        scroll_y = self.scroll_y - (first_number - old_first)
        self.clear()
        self.first_number = first_number
        self.add_numbered(rows)
        if not rows:
            return
        row = min(max(target - first_number, 0), len(rows) - 1)
        self.move_cursor(row=row, column=column, scroll=False)
        height = max(1, self.scrollable_content_region.height - self.header_height)
        if cursor_number is not None or not row - height < scroll_y <= row:
            scroll_y = max(0, row - height // 2)
        self.call_after_refresh(self._restore_scroll, max(0.0, scroll_y))

    def _restore_scroll(self, y: float) -> None:
        self.scroll_to(y=y, animate=False, immediate=True)
        self._scroll_cursor_into_view()
