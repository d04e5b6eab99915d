"""The plan tree's table: a ``DataTable`` whose cells are made when a row is drawn.

A plan can have thousands of nodes; ``DataTable.add_row`` per node and the measuring of
every cell on idle (``_update_dimensions``) cost about a second for 2,000 nodes. Here the
rows are registered in one pass, the column widths come from the caller (who knows them
from the model), and a row's cells are built by a callback the first time the table (or
``get_row_at``) asks for them. Drawing, cursor, keys and messages are the ``DataTable``'s
own, so the plan looks and behaves exactly as a ``DataTable`` filled row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row, RowKey

CellsOf = Callable[[int], Sequence[Text]]
"""The cells of the row at an index, one per column, in column order."""


class LazyCells(dict[RowKey, dict[ColumnKey, Any]]):
    """``DataTable._data`` that builds a row's cells on first access.

    Keys unknown to ``locations`` raise ``KeyError`` (``get`` returns the default), as the
    plain dict would.
    """

    def __init__(
        self, locations: TwoWayDict[RowKey, int], columns: list[ColumnKey], cells_of: CellsOf
    ) -> None:
        super().__init__()
        self.locations = locations
        self.columns = columns
        self.cells_of = cells_of

    def __missing__(self, key: RowKey) -> dict[ColumnKey, Any]:
        index = self.locations.get(key)
        if index is None:
            raise KeyError(key)
        row = dict(zip(self.columns, self.cells_of(index), strict=True))
        self[key] = row
        return row

    def get(self, key: RowKey, default: Any = None) -> Any:
        """The row's cells (built if needed), or ``default`` for an unknown key."""
        try:
            return self[key]
        except KeyError:
            return default


class PlanTable(DataTable[object]):
    """A row-cursor ``DataTable`` loaded in one call, cells built on demand.

    Drawing a cell (``Padding`` and ``Styled`` through Rich) is what a repaint costs; plan
    cells repeat a lot (bars, marks, common numbers), so a cell already drawn with the
    same content, width and styles in another row is reused, its ``row``/``column`` meta
    (used by mouse clicks) replaced: the segments are the same as a fresh drawing's.

    Rows come only from :meth:`load`; ``sort`` and ``remove_row`` are not meant for it
    (they read ``_data`` as a plain dict of every row).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: LRUCache[tuple[Any, ...], SegmentLines] = LRUCache(4000)

    def notify_style_update(self) -> None:
        self._drawn.clear()
        super().notify_style_update()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """``DataTable._render_cell``, reusing the drawing of an identical cell."""
        draw = super()._render_cell
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return draw(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return draw(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (  # as DataTable's own cache of drawn cells
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        if cache_key in self._cell_render_cache:
            return self._cell_render_cache[cache_key]
        cell = self._get_row_renderables(row_index).cells[column_index]
        if not isinstance(cell, Text) or cell.end or "\n" in cell.plain:
            return draw(row_index, column_index, base_style, width, cursor, hover)
        key = (
            cell.plain,
            tuple(cell.spans),
            cell.style,
            cell.justify,
            cell.overflow,
            cell.no_wrap,
            width,
            *cache_key[2:6],
            self._pseudo_class_state,
            self.show_cursor,
            self.cursor_foreground_priority,
            self.cursor_background_priority,
        )
        drawn = self._drawn.get(key)
        if drawn is None:
            lines = draw(row_index, column_index, base_style, width, cursor, hover)
            self._drawn[key] = lines
            return lines
        meta = Style.from_meta({"row": row_index, "column": column_index})
        lines = [
            [
                Segment(seg.text, seg.style + meta if seg.style else seg.style, seg.control)
                for seg in line
            ]
            for line in drawn
        ]
        self._cell_render_cache[cache_key] = lines
        return lines

    def load(
        self, headers: Sequence[Text], widths: Sequence[int], count: int, cells_of: CellsOf
    ) -> None:
        """Replace columns and rows: ``count`` rows whose cells ``cells_of(index)`` gives.

        ``widths`` are the content widths of the columns (the widest cell of each, as
        ``DataTable`` would measure them; a header wider than that wins, as there).
        """
        self.clear(columns=True)
        keys = [self._add_header(header) for header in headers]
        for key, width in zip(keys, widths, strict=True):
            column = self.columns[key]
            column.content_width = max(column.content_width, width)
        row_keys = [RowKey(str(index)) for index in range(count)]
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(row_keys)})
        self.rows = {key: Row(key, 1) for key in row_keys}
        self._data = LazyCells(self._row_locations, keys, cells_of)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if count and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def _add_header(self, header: Text) -> ColumnKey:
        """A column headed by ``header`` (a ``Text``: never parsed as markup)."""
        return self.add_column(header)

    def recolumn(self, column: int, header: Text, cells_of: CellsOf) -> None:
        """Give the rows new cells (e.g. another metric in ``column``), relabelling it.

        The column widths stay as they are (the caller keeps the new cells as wide). Only
        that column's rendered cells are dropped from the caches, so a redraw renders
        the visible cells of one column, not of the whole table.
        """
        key = self._column_locations.get_key(column)
        if key is None:
            return
        self.columns[key].label = header
        keys = [column.key for column in self.ordered_columns]
        self._data = LazyCells(self._row_locations, keys, cells_of)
        self._row_renderable_cache.clear()
        self._row_render_cache.clear()
        self._line_cache.clear()
        cells = self._cell_render_cache
        for cache_key in [k for k in cells.keys() if k[1] == key]:  # noqa: SIM118 (no __iter__)
            cells.discard(cache_key)
        self.refresh()


def text_width(plain: str) -> int:
    """The width ``DataTable`` measures for a one-line cell whose text is ``plain``."""
    if plain.isascii() and plain.isprintable():
        return len(plain)
    return max((cell_len(line) for line in plain.splitlines()), default=0)
