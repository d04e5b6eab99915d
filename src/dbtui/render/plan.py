"""The one renderer of a plan tree, as Rich text: the TUI's Plan tab and ``dbtui explain``.

Both draw a node with the same pieces, so a node reads the same in both places:

* :func:`node_label`: tree guides, ``[InitPlan 1]``, the label coloured by severity,
  ``(never executed)``, and the codes of its findings (``⚠ sort-spill``);
* :func:`bar`: an 8-cell bar of the node's share of the chosen metric;
* :func:`metric_columns`: the number columns that have data somewhere in the plan
  (exclusive ms or cost, rows, estimate, misestimate, loops), formatted by
  :mod:`dbtui.core.plans.format`;
* :func:`mark`: ``!`` / ``!!`` / ``!!!`` for the node's severity.

:func:`render_lines` lays them out as aligned lines (metric columns left of the tree, as
in depesz's table and PEV2's grid), followed by trigger rows, the findings and the summary;
:func:`render_text` turns those into plain or ANSI-coloured text. Every server string
(labels, messages, names) goes through :func:`~dbtui.core.display.display_text` and is
never parsed as markup.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Collection
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from dbtui.core.display import display_text
from dbtui.core.plan import Finding, Plan, PlanNode, Severity
from dbtui.core.plans import format as fmt

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.NONE: "",
    Severity.LOW: "yellow",
    Severity.MEDIUM: "dark_orange",
    Severity.HIGH: "bold red",
}
BAR_WIDTH = 8
METRICS = ("time", "rows", "cost", "buffers")


@dataclass(frozen=True)
class TreeRow:
    """One visible line of the tree: a node, the guides that lead to it, its path."""

    node: PlanNode
    prefix: str
    path: tuple[int, ...]


def tree_rows(root: PlanNode, collapsed: Collection[tuple[int, ...]] = ()) -> list[TreeRow]:
    """Visible rows, depth first in plan order, skipping the subtrees of ``collapsed`` paths.

    A collapsed node with children gets ``▸ `` after its guides. Iterative, so plans
    thousands of levels deep are fine.
    """
    rows: list[TreeRow] = []
    stack: list[tuple[PlanNode, tuple[int, ...], str, str]] = [(root, (), "", "")]
    while stack:
        node, path, guide, indent = stack.pop()
        folded = path in collapsed
        rows.append(TreeRow(node, guide + ("▸ " if folded and node.children else ""), path))
        if folded:
            continue
        last = len(node.children) - 1
        for number in range(last, -1, -1):
            end = number == last
            stack.append(
                (
                    node.children[number],
                    (*path, number),
                    indent + ("└─ " if end else "├─ "),
                    indent + ("   " if end else "│  "),
                )
            )
    return rows


# -- pieces ------------------------------------------------------------------------------------


def node_label(row: TreeRow) -> Text:
    """Guides, ``[subplan]``, the label by severity, ``(never executed)``, finding codes."""
    text = Text(end="")
    text.append(row.prefix, style="dim")
    for part, style in _label_parts(row.node):
        text.append(part, style=style)
    return text


def label_plain(node: PlanNode) -> str:
    """The text :func:`node_label` shows after the guides, without styles.

    Its width plus the guides' is the label's: a table can size the node column from
    it without building every label.
    """
    return "".join(part for part, _ in _label_parts(node))


def _label_parts(node: PlanNode) -> list[tuple[str, str]]:
    """``(text, style)`` pieces of a node's label, every server string escaped."""
    style = "dim" if node.never_executed else SEVERITY_STYLE[node.severity]
    parts: list[tuple[str, str]] = []
    if node.subplan_name:
        parts.append((f"[{display_text(node.subplan_name)}] ", style))
    parts.append((display_text(node.label), style))
    if node.never_executed:
        parts.append((" (never executed)", "dim"))
    codes = fmt.finding_codes(node.findings)
    if codes:
        worst = max(f.severity for f in node.findings)
        parts.append((f"  {display_text(codes)}", SEVERITY_STYLE[worst] or "dim"))
    return parts


def mark(node: PlanNode) -> Text:
    """``!`` / ``!!`` / ``!!!`` in the severity's colour (blank for none)."""
    return Text(fmt.MARKS[node.severity], style=SEVERITY_STYLE[node.severity], end="")


def bar(share: float | None, severity: Severity) -> Text:
    """A :data:`BAR_WIDTH`-cell bar for a 0..1 share, coloured by severity (blank if None)."""
    if share is None:
        return Text(" " * BAR_WIDTH, end="")
    filled = round(max(0.0, min(1.0, share)) * BAR_WIDTH)
    style = SEVERITY_STYLE[severity] or "cyan"
    return Text("█" * filled + "░" * (BAR_WIDTH - filled), style=style, end="")


def metric_scale(plan: Plan, metric: str) -> float:
    """The largest value of ``metric`` in the plan, to scale rows and buffers bars (>= 1)."""
    if metric == "rows":
        return max((n.actual_rows or n.estimated_rows or 0.0) for n in plan.nodes()) or 1.0
    if metric == "buffers":
        return float(max((n.buffers.total for n in plan.nodes() if n.buffers), default=0) or 1)
    return 1.0


def metric_share(node: PlanNode, metric: str, scale: float) -> float | None:
    """The node's share (0..1) of the whole plan for ``metric`` (one of :data:`METRICS`).

    ``scale`` is :func:`metric_scale` of the plan, computed once per drawing.
    """
    if metric == "time":
        return node.time_share
    if metric == "cost":
        return node.cost_share
    if metric == "rows":
        value = node.actual_rows if node.actual_rows is not None else node.estimated_rows
        return None if value is None else value / scale
    return None if node.buffers is None else node.buffers.total / scale


def default_metric(plan: Plan) -> str | None:
    """``time`` for a timed plan, ``cost`` for an estimated one, None when neither."""
    nodes = list(plan.nodes())
    if any(n.time_share is not None for n in nodes):
        return "time"
    if any(n.cost_share is not None for n in nodes):
        return "cost"
    return None


@dataclass(frozen=True)
class Column:
    """A metric column: its header and how a node's cell reads (right-aligned).

    ``plain``, when given, is the cell's text without styles (cheaper than ``cell``, for
    sizing the column).
    """

    header: str
    cell: Callable[[PlanNode], Text]
    plain: Callable[[PlanNode], str] | None = None


def _misestimate(node: PlanNode) -> Text:
    text = _misestimate_plain(node)
    return Text(text, style=SEVERITY_STYLE[fmt.misestimate_level(node.misestimate)], end="")


def _misestimate_plain(node: PlanNode) -> str:
    return fmt.misestimate_text(node.misestimate, node.misestimate_under)


def _text_column(header: str, value: Callable[[PlanNode], str], style: str = "") -> Column:
    """A column of ``value`` in one ``style``."""
    return Column(header, lambda node: Text(value(node), style=style, end=""), value)


def metric_columns(plan: Plan, *, compact: bool = False) -> list[Column]:
    """The number columns that have a value on at least one node, in display order.

    ``compact`` (the TUI, next to its bar) leaves out the shares, and the estimate when
    actual rows are known (the misestimate column tells how far off it was).
    """
    nodes = list(plan.nodes())
    columns: list[Column] = []
    if any(n.exclusive_ms is not None for n in nodes):
        columns.append(_text_column("excl ms", lambda n: fmt.duration_ms(n.exclusive_ms)))
        if not compact:
            columns.append(_text_column("%time", lambda n: fmt.percent(n.time_share)))
    elif any(n.exclusive_cost is not None for n in nodes):
        columns.append(_text_column("excl cost", lambda n: fmt.count(n.exclusive_cost)))
        if not compact:
            columns.append(_text_column("%cost", lambda n: fmt.percent(n.cost_share)))
    has_rows = any(n.actual_rows is not None for n in nodes)
    if has_rows:
        columns.append(_text_column("rows", lambda n: fmt.count(n.actual_rows)))
    if any(n.estimated_rows is not None for n in nodes) and not (compact and has_rows):
        columns.append(_text_column("est", lambda n: fmt.count(n.estimated_rows), "dim"))
    if any(fmt.misestimate_text(n.misestimate, n.misestimate_under) for n in nodes):
        columns.append(Column("x est", _misestimate, _misestimate_plain))
    if any((n.loops or 0) > 1 for n in nodes):
        columns.append(_text_column("loops", lambda n: fmt.count(n.loops)))
    return columns


# -- whole plan as lines -----------------------------------------------------------------------


def render_lines(plan: Plan, width: int = 0) -> list[Text]:
    """The plan as aligned lines: header, tree, triggers, findings, summary.

    ``width`` cuts tree lines with ``…`` and wraps findings; ``0`` means no limit.
    """
    rows = tree_rows(plan.root)
    metric = default_metric(plan)
    columns = metric_columns(plan)
    if metric is not None:
        columns.insert(0, _bar_column(plan, metric))
    if any(r.node.severity for r in rows):
        columns.append(Column("", mark))
    cells = [[c.cell(r.node) for c in columns] for r in rows]
    widths = [
        max(len(c.header), *(line[i].cell_len for line in cells)) for i, c in enumerate(columns)
    ]
    header = _joined([Text(c.header, end="") for c in columns], widths, Text("node", end=""))
    lines = [header]
    lines += [_joined(line, widths, node_label(r)) for line, r in zip(cells, rows, strict=True)]
    lines += _trigger_lines(plan, columns, widths)
    lines += _finding_lines(plan, rows, width)
    lines += [Text(""), Text(display_text(fmt.summary_line(plan)), end="")]
    for line in lines:
        line.rstrip()
        if width > 0:
            line.truncate(width, overflow="ellipsis")
    return lines


def _bar_column(plan: Plan, metric: str) -> Column:
    scale = metric_scale(plan, metric)
    return Column(metric, lambda n: bar(metric_share(n, metric, scale), n.severity))


def _joined(cells: list[Text], widths: list[int], label: Text) -> Text:
    """Cells right-aligned to their widths, then the label."""
    line = Text(end="")
    for cell, size in zip(cells, widths, strict=True):
        line.append(" " * (size - cell.cell_len))
        line.append_text(cell)
        line.append(" ")
    line.append_text(label)
    return line


def _trigger_lines(plan: Plan, columns: list[Column], widths: list[int]) -> list[Text]:
    """Triggers as rows below the tree: their time is in no node (PostgreSQL)."""
    total = plan.summary.execution_ms
    lines = []
    for trigger in plan.summary.triggers:
        values = {"excl ms": fmt.duration_ms(trigger.time_ms)}
        if total:
            values["%time"] = fmt.percent(trigger.time_ms / total)
        cells = [Text(values.get(c.header, ""), end="") for c in columns]
        what = f" for constraint {trigger.constraint}" if trigger.constraint else ""
        where = f" on {trigger.relation}" if trigger.relation else ""
        label = f"Trigger {trigger.name}{what}{where}: calls={trigger.calls}"
        lines.append(_joined(cells, widths, Text(display_text(label), end="")))
    return lines


def _finding_lines(plan: Plan, rows: list[TreeRow], width: int) -> list[Text]:
    """Each finding with the node it is on and its advice; the plan-wide ones last."""
    entries: list[tuple[str, Finding]] = [
        (row.node.label, finding) for row in rows for finding in row.node.findings
    ]
    entries += [("plan", finding) for finding in plan.summary.findings]
    if not entries:
        return []
    lines = [Text(""), Text("Findings:")]
    for where, finding in entries:
        word = fmt.WORDS[finding.severity]
        head = f"  {where}  {fmt.FINDING_MARK} {finding.code} ({word}): {finding.message}"
        style = SEVERITY_STYLE[finding.severity]
        lines += [Text(part, style=style) for part in _wrap(head, width, "      ")]
        if finding.advice:
            lines += [Text(p) for p in _wrap(f"      → {finding.advice}", width, "        ")]
    return lines


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Escaped ``text`` wrapped to ``width`` (no limit when 0), continuations indented."""
    text = display_text(text)
    if width <= 0 or len(text) <= width:
        return [text]
    return textwrap.wrap(
        text, width=max(width, 30), subsequent_indent=indent, break_on_hyphens=False
    )


def render_text(plan: Plan, *, color: bool = False, width: int = 0) -> str:
    """:func:`render_lines` as text without a trailing newline.

    ``color`` adds ANSI colours (16-colour codes); ``width`` limits lines (0: no limit,
    what a pipe or a file gets).
    """
    lines = render_lines(plan, width)
    if not color:
        return "\n".join(line.plain for line in lines)
    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        width=max((line.cell_len for line in lines), default=1) + 1,
        soft_wrap=True,
        legacy_windows=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    for line in lines:
        console.print(line)
    return out.getvalue().rstrip("\n")
