"""The Plan tab: a plan tree whose metric columns line up left of the tree guides.

Every cell comes from :mod:`dbtui.render.plan`, the renderer ``dbtui explain`` prints
with, so a node reads the same here and on the command line.
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
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Static

from dbtui.core.plan import Plan, PlanNode
from dbtui.core.plans import format as fmt
from dbtui.core.plans.stats import plan_stats
from dbtui.render.plan import METRICS as METRICS
from dbtui.render.plan import SEVERITY_STYLE as SEVERITY_STYLE
from dbtui.render.plan import (
    TreeRow,
    bar,
    mark,
    metric_columns,
    metric_scale,
    metric_share,
    node_label,
    tree_rows,
)
from dbtui.ui.safe import safe_text

Cell = Callable[[PlanNode], Text]


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
    return Group(*parts)


class PlanView(Vertical):
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
            tooltip="Compare with the previous plan (before/after a change)",
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
        """The plan shown before this one, for the compare key."""
        self.metric = "time"
        self.collapsed: set[tuple[int, ...]] = set()
        self.rows: list[TreeRow] = []

    def compose(self) -> ComposeResult:
        yield Static(
            "No plan yet: press F6 to explain the statement under the cursor.", id="plan-summary"
        )
        table: DataTable[object] = DataTable(id="plan-table", cursor_type="row")
        yield table
        yield VerticalScroll(Static(id="plan-stats-body"), id="plan-stats", can_focus=True)

    @property
    def table(self) -> DataTable[object]:
        """The table that draws the tree."""
        return self.query_one(DataTable)

    def show(self, plan: Plan) -> None:
        """Display a new plan, fully expanded, with time (or cost) as the metric."""
        self.previous, self.plan = self.plan, plan
        self.remove_class("-stats")
        self.collapsed = set()
        self.metric = "time" if plan.analysed else "cost"
        self.query_one("#plan-summary", Static).update(safe_text(fmt.summary_line(plan)))
        self._redraw()

    def _redraw(self, keep: tuple[int, ...] | None = None) -> None:
        plan = self.plan
        if plan is None:
            return
        table = self.table
        table.clear(columns=True)
        columns = self._cells(plan)
        table.add_columns(*(safe_text(name) for name, _ in columns), safe_text("node"))
        self.rows = tree_rows(plan.root, self.collapsed)
        for row in self.rows:
            table.add_row(*(cell(row.node) for _, cell in columns), label_cell(row))
        if keep is not None:
            for number, row in enumerate(self.rows):
                if row.path == keep:
                    table.move_cursor(row=number)

    def _cells(self, plan: Plan) -> list[tuple[str, Cell]]:
        """The bar of the chosen metric, the number columns with data, the severity mark.

        The bar column is dropped when no node has a value for the metric.
        """
        scale = metric_scale(plan, self.metric)
        metric = self.metric
        columns: list[tuple[str, Cell]] = []
        if any(metric_share(n, metric, scale) is not None for n in plan.nodes()):
            columns.append((metric, lambda n: metric_cell(n, metric, scale)))
        columns += [(c.header, c.cell) for c in metric_columns(plan, compact=True)]
        if any(n.severity for n in plan.nodes()):
            columns.append(("", mark))
        return columns

    def _current(self) -> TreeRow | None:
        row = self.table.cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_cycle_metric(self) -> None:
        """Show the next metric in the bar column (redrawing only that column when it can)."""
        previous = self.metric
        self.metric = METRICS[(METRICS.index(self.metric) + 1) % len(METRICS)]
        plan, table = self.plan, self.table
        if plan is None:
            return
        scale = metric_scale(plan, self.metric)
        bars = [metric_cell(row.node, self.metric, scale) for row in self.rows]
        first = next(iter(table.columns.values()), None)
        has_data = any(cell.plain.strip() for cell in bars)
        if first is not None and str(first.label) == previous and has_data:
            first.label = safe_text(self.metric)
            for number, cell in enumerate(bars):
                table.update_cell_at(Coordinate(number, 0), cell)
            table.refresh()
            return
        current = self._current()
        self._redraw(current.path if current else None)

    def action_compare(self) -> None:
        """Show this plan next to the previous one: totals and the nodes that changed."""
        from dbtui.ui.screens.advice_detail import PlanCompareScreen

        if self.plan is None or self.previous is None:
            self.notify("Explain twice (e.g. before and after a change) to compare.")
            return
        self.app.push_screen(
            PlanCompareScreen("Previous plan → this plan", self.previous, self.plan)
        )

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
