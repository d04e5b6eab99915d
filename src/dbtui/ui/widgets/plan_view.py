"""The Plan tab: a plan tree whose metric columns line up left of the tree guides."""

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

from dbtui.core.display import display_text
from dbtui.core.plan import Plan, PlanNode, Severity
from dbtui.core.plans.stats import plan_stats
from dbtui.ui.safe import safe_text

METRICS = ("time", "rows", "cost", "buffers")
SEVERITY_STYLE = {
    Severity.NONE: "",
    Severity.LOW: "yellow",
    Severity.MEDIUM: "dark_orange",
    Severity.HIGH: "bold red",
}
BAR_WIDTH = 8


@dataclass(frozen=True)
class PlanRow:
    """One visible line of the plan: a node with the tree guides that lead to it."""

    node: PlanNode
    prefix: str
    path: tuple[int, ...]


def flatten(node: PlanNode, collapsed: set[tuple[int, ...]]) -> list[PlanRow]:
    """Visible rows of the tree, depth first, skipping collapsed subtrees."""
    rows: list[PlanRow] = []

    def visit(current: PlanNode, path: tuple[int, ...], lead: str, last: bool) -> None:
        branch = "" if not path else ("└─ " if last else "├─ ")
        fold = "▸ " if path in collapsed and current.children else ""
        rows.append(PlanRow(current, lead + branch + fold, path))
        if path in collapsed:
            return
        child_lead = lead + ("" if not path else ("   " if last else "│  "))
        for number, child in enumerate(current.children):
            visit(child, (*path, number), child_lead, number == len(current.children) - 1)

    visit(node, (), "", True)
    return rows


def metric_scale(plan: Plan, metric: str) -> float:
    """The largest value of ``metric`` in the plan, to scale rows and buffers bars (>= 1)."""
    if metric == "rows":
        return max((n.actual_rows or n.estimated_rows or 0.0) for n in plan.nodes()) or 1.0
    if metric == "buffers":
        return float(max((n.buffers.total for n in plan.nodes() if n.buffers), default=0) or 1)
    return 1.0


def metric_share(node: PlanNode, metric: str, scale: float) -> float | None:
    """The node's share (0..1) of the whole plan for the chosen metric.

    ``scale`` is :func:`metric_scale` of the plan, computed once per redraw
    (computing it per node made a 2,000-node plan quadratic).
    """
    if metric == "time":
        return node.time_share
    if metric == "cost":
        return node.cost_share
    if metric == "rows":
        value = node.actual_rows if node.actual_rows is not None else node.estimated_rows
        return None if value is None else value / scale
    return None if node.buffers is None else node.buffers.total / scale


def bar(share: float | None, severity: Severity) -> Text:
    """A fixed-width bar for a 0..1 share, coloured by severity."""
    if share is None:
        return safe_text(" " * BAR_WIDTH)
    filled = round(max(0.0, min(1.0, share)) * BAR_WIDTH)
    style = SEVERITY_STYLE[severity] or "cyan"
    return safe_text("█" * filled + "░" * (BAR_WIDTH - filled), style=style)


def rows_cell(node: PlanNode) -> Text:
    """Actual rows with an arrow for the misestimate, or the estimate alone."""
    if node.actual_rows is None:
        return safe_text(_count(node.estimated_rows), style="dim")
    text = safe_text(_count(node.actual_rows))
    if node.misestimate and node.misestimate >= 2:
        arrow = "↓" if node.misestimate_under else "↑"
        text.append(f" {arrow}{node.misestimate:.0f}x", style=SEVERITY_STYLE[_mis_sev(node)])
    return text


def _mis_sev(node: PlanNode) -> Severity:
    factor = node.misestimate or 1.0
    for limit, severity in ((1000, Severity.HIGH), (100, Severity.MEDIUM), (10, Severity.LOW)):
        if factor > limit:
            return severity
    return Severity.NONE


def _count(value: float | None) -> str:
    if value is None:
        return ""
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def summary_line(plan: Plan) -> str:
    """Planning and execution times, trigger and JIT totals, in one line."""
    summary = plan.summary
    parts = [f"{plan.engine} plan", "analysed" if plan.analysed else "estimated"]
    if summary.planning_ms is not None:
        parts.append(f"planning {summary.planning_ms:.1f} ms")
    if summary.execution_ms is not None:
        parts.append(f"execution {summary.execution_ms:.1f} ms")
    if summary.triggers:
        parts.append(f"triggers {sum(t.time_ms for t in summary.triggers):.1f} ms")
    if summary.jit_ms is not None:
        parts.append(f"JIT {summary.jit_ms:.1f} ms")
    findings = sum(len(node.findings) for node in plan.nodes()) + len(summary.findings)
    parts.append(f"{findings} warning(s)")
    return " · ".join(parts)


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
                "" if row.exclusive_ms is None else f"{row.exclusive_ms:.1f}",
                "" if row.share is None else f"{row.share:.1%}",
                "" if row.exclusive_cost is None else f"{row.exclusive_cost:,.0f}",
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
        self.rows: list[PlanRow] = []

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
        self.query_one("#plan-summary", Static).update(safe_text(summary_line(plan)))
        self._redraw()

    def _redraw(self, keep: tuple[int, ...] | None = None) -> None:
        plan = self.plan
        if plan is None:
            return
        table = self.table
        table.clear(columns=True)
        nodes = list(plan.nodes())
        columns = [
            (name, cell)
            for name, cell in self._cells(plan)
            if name == "node" or any(cell(node).plain.strip() for node in nodes)
        ]
        table.add_columns(*(safe_text(name) for name, _ in columns))
        self.rows = flatten(plan.root, self.collapsed)
        for row in self.rows:
            table.add_row(*(self._label(row) if n == "node" else c(row.node) for n, c in columns))
        if keep is not None:
            for number, row in enumerate(self.rows):
                if row.path == keep:
                    table.move_cursor(row=number)

    def _cells(self, plan: Plan) -> list[tuple[str, Callable[[PlanNode], Text]]]:
        """The metric columns; a column without data anywhere in the plan is dropped."""
        scale = metric_scale(plan, self.metric)
        return [
            (self.metric, lambda n: bar(metric_share(n, self.metric, scale), n.severity)),
            ("ms", lambda n: Text("" if n.exclusive_ms is None else f"{n.exclusive_ms:.1f}")),
            ("rows", rows_cell),
            ("loops", lambda n: safe_text("" if n.loops is None else str(n.loops))),
            ("node", lambda n: safe_text(n.label)),
        ]

    @staticmethod
    def _label(row: PlanRow) -> Text:
        """Tree guides, the node label coloured by severity, and its first warning."""
        node = row.node
        label = safe_text(row.prefix, style="dim")
        style = "dim" if node.never_executed else SEVERITY_STYLE[node.severity]
        label.append(display_text(node.label), style=style)
        if node.findings:
            headline = node.findings[0].message.split(":", 1)[0]
            label.append(f"  ⚠ {display_text(headline[:40])}", style="yellow")
        return label

    def _current(self) -> PlanRow | None:
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
        bars = [
            bar(metric_share(row.node, self.metric, scale), row.node.severity) for row in self.rows
        ]
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
