"""The Plan tab: a plan tree whose metric columns line up left of the tree guides.

Every cell comes from :mod:`dbtui.render.plan`, the renderer ``dbtui explain`` prints
with, so a node reads the same here and on the command line. The table is a
:class:`~dbtui.ui.widgets.plan.table.PlanTable`: the column widths are computed once per
plan from each node's plain text, and a row's cells are built only when it is drawn, so
opening, folding and cycling the metric cost about what the visible rows cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from dbtui.core.plan import Plan, PlanNode
from dbtui.core.plans import format as fmt
from dbtui.core.plans.stats import plan_stats
from dbtui.render.plan import (
    BAR_WIDTH,
    TreeRow,
    bar,
    label_plain,
    mark,
    metric_columns,
    metric_scale,
    metric_share,
    node_label,
    tree_rows,
)
from dbtui.render.plan import METRICS as METRICS
from dbtui.render.plan import SEVERITY_STYLE as SEVERITY_STYLE
from dbtui.ui.safe import line_group, safe_text
from dbtui.ui.widgets.plan.history import PlanEntry, PlanHistory, PlanPickScreen, compare_title
from dbtui.ui.widgets.plan.paste import PlanPasting
from dbtui.ui.widgets.plan.table import CellsOf, PlanTable, text_width

Cell = Callable[[PlanNode], Text]
Plain = Callable[[PlanNode], str]


def label_cell(row: TreeRow) -> Text:
    """The node column: :func:`dbtui.render.plan.node_label`, as ``dbtui explain`` shows it."""
    return node_label(row)


def metric_cell(node: PlanNode, metric: str, scale: float) -> Text:
    """The bar of ``node``'s share of ``metric``."""
    return bar(metric_share(node, metric, scale), node.severity)


def stats_table(plan: Plan) -> Group:
    """The Stats view: exclusive time (or cost) grouped per table, node type and index."""
    stats = plan_stats(plan)
    parts: list[RenderableType] = []
    for title, rows in (
        ("per table", stats.per_table),
        ("per node type", stats.per_node_type),
        ("per index", stats.per_index),
    ):
        table = Table(title=title, title_justify="left", expand=False, box=None, padding=(0, 1))
        for header in ("name", "nodes", "excl ms", "% time", "excl cost"):
            table.add_column(safe_text(header), justify="left" if header == "name" else "right")
        for row in rows:
            table.add_row(
                safe_text(row.name),
                f"{row.nodes:d}",
                safe_text(fmt.duration_ms(row.exclusive_ms)),
                safe_text(fmt.percent(row.share)),
                safe_text(fmt.count(row.exclusive_cost)),
            )
        parts.append(table if rows else safe_text(f"{title}: none", style="dim"))
    return line_group(*parts)


def node_columns(plan: Plan) -> list[tuple[str, Cell, Plain]]:
    """The number columns with data, then the severity mark when a node has one.

    Each as its header, its cell and the cell's plain text (to size the column).
    """
    columns = [
        (c.header, c.cell, c.plain or _plain_of(c.cell)) for c in metric_columns(plan, compact=True)
    ]
    if any(n.severity for n in plan.nodes()):
        columns.append(("", mark, lambda n: fmt.MARKS[n.severity]))
    return columns


def _plain_of(cell: Cell) -> Plain:
    """The plain text of ``cell`` (for a column without a cheaper ``plain``)."""
    return lambda node: cell(node).plain


class PlanView(Vertical, PlanPasting):
    """A keyboard-navigable plan tree with a cyclable metric bar."""

    DEFAULT_CSS = """
    PlanView { height: 1fr; }
    PlanView > #plan-summary { height: 1; padding: 0 1; color: $text-muted; }
    PlanView > DataTable { height: 1fr; }
    PlanView > #plan-stats { height: 1fr; display: none; }
    PlanView.-stats > #plan-stats { display: block; }
    PlanView.-stats > DataTable { display: none; }
    """
    BINDINGS = [
        Binding(
            "m", "cycle_metric", "Metric", id="plan.metric", tooltip="Cycle time/rows/cost/buffers"
        ),
        Binding(
            "space", "toggle_fold", "Fold", id="plan.fold", tooltip="Fold or unfold the subtree"
        ),
        Binding(
            "c",
            "compare",
            "Compare",
            id="plan.compare",
            tooltip="Compare with a plan of this session (before/after a change)",
        ),
        Binding(
            "s",
            "toggle_stats",
            "Stats",
            id="plan.stats",
            tooltip="Time per table, node type, index",
        ),
    ]

    @dataclass
    class OpenNode(Message):
        """The user asked for the details of a node."""

        node: PlanNode

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: Plan | None = None
        self.previous: Plan | None = None
        """The plan shown before this one."""
        self.history = PlanHistory()
        """This session's plans (the last is this one), for the compare key."""
        self.metric = "time"
        self.collapsed: set[tuple[int, ...]] = set()
        self.rows: list[TreeRow] = []
        self._columns: list[tuple[str, Cell, Plain]] = []
        """The number columns and the mark of this plan: header, cell, its plain text."""
        self._widths: dict[int, tuple[int, ...]] = {}
        """Per node (by id): the width of each of ``_columns``, then of its label."""
        self._bar_shown = False

    def compose(self) -> ComposeResult:
        yield Static(
            "No plan yet: press F6 to explain the statement under the cursor.", id="plan-summary"
        )
        yield PlanTable(id="plan-table", cursor_type="row")
        yield VerticalScroll(Static(id="plan-stats-body"), id="plan-stats", can_focus=True)

    @property
    def table(self) -> PlanTable:
        """The table that draws the tree."""
        return self.query_one(PlanTable)

    def show(self, plan: Plan) -> None:
        """Display a new plan, fully expanded, with time (or cost) as the metric."""
        self.previous, self.plan = self.plan, plan
        self.history.record(plan)
        self.remove_class("-stats")
        self.collapsed = set()
        self.metric = "time" if plan.analysed else "cost"
        self.query_one("#plan-summary", Static).update(safe_text(fmt.summary_line(plan)))
        self._columns = node_columns(plan)
        self._widths = {
            id(node): (
                *(text_width(plain(node)) for _, _, plain in self._columns),
                text_width(label_plain(node)),
            )
            for node in plan.nodes()
        }
        self._redraw()

    def _redraw(self, keep: tuple[int, ...] | None = None) -> None:
        """Reload the table from the plan: the visible rows, the cursor on ``keep``.

        The bar column is dropped when no node has a value for the metric. No cell is
        built here: the table asks for a row's cells when it draws the row.
        """
        plan = self.plan
        if plan is None:
            return
        self.rows = rows = tree_rows(plan.root, self.collapsed)
        scale = metric_scale(plan, self.metric)
        self._bar_shown = any(metric_share(n, self.metric, scale) is not None for n in plan.nodes())
        headers = [header for header, _, _ in self._columns] + ["node"]
        widths = self._column_widths(rows)
        if self._bar_shown:
            headers.insert(0, self.metric)
            widths.insert(0, BAR_WIDTH)
        table = self.table
        table.load([safe_text(h) for h in headers], widths, len(rows), self._cells_of(scale))
        if keep is not None:
            for number, row in enumerate(rows):
                if row.path == keep:
                    table.move_cursor(row=number)

    def _column_widths(self, rows: list[TreeRow]) -> list[int]:
        """The widest cell of each number column and of the node column, over ``rows``."""
        widths = self._widths
        per_row = [widths[id(row.node)] for row in rows]
        numbers = [max(column) for column in zip(*per_row, strict=True)][:-1]
        label = max((text_width(r.prefix) + widths[id(r.node)][-1] for r in rows), default=0)
        return [*numbers, label]

    def _cells_of(self, scale: float) -> CellsOf:
        """How the table gets the cells of a row of the current ``rows`` and metric."""
        rows, metric, bar_shown = self.rows, self.metric, self._bar_shown
        cells = [cell for _, cell, _ in self._columns]

        def cells_of(index: int) -> list[Text]:
            row = rows[index]
            node = row.node
            head = [metric_cell(node, metric, scale)] if bar_shown else []
            return [*head, *(cell(node) for cell in cells), label_cell(row)]

        return cells_of

    def _current(self) -> TreeRow | None:
        row = self.table.cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_cycle_metric(self) -> None:
        """Show the next metric in the bar column (redrawing only that column when it can)."""
        self.metric = METRICS[(METRICS.index(self.metric) + 1) % len(METRICS)]
        plan = self.plan
        if plan is None:
            return
        scale = metric_scale(plan, self.metric)
        has_data = any(metric_share(r.node, self.metric, scale) is not None for r in self.rows)
        if self._bar_shown and has_data:
            self.table.recolumn(0, safe_text(self.metric), self._cells_of(scale))
            return
        current = self._current()
        self._redraw(current.path if current else None)

    def action_compare(self) -> None:
        """Pick a plan of this session, then show it and this plan side by side."""
        from dbtui.ui.screens.advice_detail import PlanCompareScreen

        current = self.history.current
        if current is None or self.history.previous is None:
            self.notify(
                "Nothing to compare with: explain another statement (or this one after a change)."
            )
            return

        def chosen(pair: tuple[PlanEntry, PlanEntry] | None) -> None:
            if pair is not None:
                before, after, title = compare_title(*pair, current)
                self.app.push_screen(PlanCompareScreen(title, before.plan, after.plan))

        self.app.push_screen(PlanPickScreen(self.history), chosen)

    def action_toggle_stats(self) -> None:
        """Switch between the tree and the per-table/type/index statistics."""
        if self.plan is None:
            return
        self.toggle_class("-stats")
        if self.has_class("-stats"):
            self.query_one("#plan-stats-body", Static).update(stats_table(self.plan))
            self.query_one("#plan-stats").focus()
        else:
            self.table.focus()

    def action_toggle_fold(self) -> None:
        """Fold or unfold the subtree under the cursor."""
        current = self._current()
        if current is None or not current.node.children:
            return
        if current.path in self.collapsed:
            self.collapsed.discard(current.path)
        else:
            self.collapsed.add(current.path)
        self._redraw(current.path)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens the node's details."""
        event.stop()
        current = self._current()
        if current is not None:
            self.post_message(self.OpenNode(current.node))
