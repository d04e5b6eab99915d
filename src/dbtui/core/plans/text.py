"""Plain-text (optionally ANSI-coloured) rendering of an analysed plan, and its JSON form.

Used by ``dbtui explain`` and for copying a plan out of the TUI. Metric columns sit left
of the tree guides so numbers line up, as in depesz's table and PEV2's grid; a column
only appears when some node has a value for it, so SQLite plans (no timings, no rows)
render as a bare tree.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from dbtui.core.plan import Buffers, Finding, Plan, PlanNode, PlanSummary, Severity

_RESET = "\x1b[0m"
_SEVERITY_STYLE = {Severity.LOW: "33", Severity.MEDIUM: "91", Severity.HIGH: "1;31"}
_DIM = "2"
_MARK = {Severity.NONE: "", Severity.LOW: "!", Severity.MEDIUM: "!!", Severity.HIGH: "!!!"}
_SEVERITY_WORD = {
    Severity.NONE: "info",
    Severity.LOW: "low",
    Severity.MEDIUM: "medium",
    Severity.HIGH: "high",
}


@dataclass(frozen=True)
class _Row:
    """One node with its tree-guide prefix and its findings' reference numbers."""

    node: PlanNode
    prefix: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class _Column:
    header: str
    cell: Callable[[PlanNode], str]


def render_text(plan: Plan, color: bool = False, width: int = 100) -> str:
    """Render ``plan`` as aligned text: metric columns, tree, findings, summary line.

    Args:
        plan: An analysed plan from any engine.
        color: Add ANSI colours (severity, dimmed never-executed nodes).
        width: Maximum visible line width; longer lines are cut with ``…``. ``0`` means
            no limit.

    Returns:
        The text, lines separated by ``\\n``, without a trailing newline.
    """
    rows, listed = _rows(plan.root)
    columns = _columns(rows)
    widths = [max(len(c.header), *(len(c.cell(r.node)) for r in rows)) for c in columns]
    mark_width = max(len(_MARK[r.node.severity]) for r in rows)
    lines = [_header(columns, widths, mark_width, width)]
    lines += [_node_line(r, columns, widths, mark_width, color, width) for r in rows]
    lines += _trigger_lines(plan, columns, widths, mark_width, width)
    lines += _finding_lines(listed, plan.summary.findings, color, width)
    summary = summary_line(plan)
    if summary:
        lines += ["", _cut(summary, width)]
    return "\n".join(line.rstrip() for line in lines)


def _rows(root: PlanNode) -> tuple[list[_Row], list[tuple[PlanNode, Finding]]]:
    """Nodes in plan order with tree guides, and every node finding, numbered from 1."""
    rows: list[_Row] = []
    listed: list[tuple[PlanNode, Finding]] = []
    stack: list[tuple[PlanNode, str, str]] = [(root, "", "")]
    while stack:
        node, guide, indent = stack.pop()
        refs = []
        for finding in node.findings:
            listed.append((node, finding))
            refs.append(len(listed))
        rows.append(_Row(node, guide, tuple(refs)))
        last = len(node.children) - 1
        for position in range(last, -1, -1):
            child = node.children[position]
            end = position == last
            stack.append(
                (child, indent + ("└─ " if end else "├─ "), indent + ("   " if end else "│  "))
            )
    return rows, listed


def _columns(rows: list[_Row]) -> list[_Column]:
    """The metric columns that have a value on at least one node."""
    nodes = [r.node for r in rows]
    columns: list[_Column] = []
    if any(n.exclusive_ms is not None for n in nodes):
        columns.append(_Column("excl ms", lambda n: _ms(n.exclusive_ms)))
        columns.append(_Column("%time", lambda n: _pct(n.time_share)))
    elif any(n.exclusive_cost is not None for n in nodes):
        columns.append(_Column("excl cost", lambda n: _count(n.exclusive_cost)))
        columns.append(_Column("%cost", lambda n: _pct(n.cost_share)))
    if any(n.actual_rows is not None for n in nodes):
        columns.append(_Column("rows", lambda n: _count(n.actual_rows)))
    if any(n.estimated_rows is not None for n in nodes):
        columns.append(_Column("est", lambda n: _count(n.estimated_rows)))
    if any(n.misestimate is not None for n in nodes):
        columns.append(_Column("x est", _misestimate))
    if any((n.loops or 0) > 1 for n in nodes):
        columns.append(_Column("loops", lambda n: _count(n.loops)))
    return columns


def _header(columns: list[_Column], widths: list[int], mark_width: int, width: int) -> str:
    cells = " ".join(c.header.rjust(w) for c, w in zip(columns, widths, strict=True))
    return _cut(_lead(cells, "", mark_width) + "node", width)


def _lead(cells: str, mark: str, mark_width: int) -> str:
    """Everything left of the tree guides: the cells, then the padded severity mark."""
    lead = cells
    if mark_width:
        lead = (lead + " " if lead else "") + mark.ljust(mark_width)
    return lead + " " if lead else ""


def _node_line(
    row: _Row,
    columns: list[_Column],
    widths: list[int],
    mark_width: int,
    color: bool,
    width: int,
) -> str:
    """One tree line: cells, severity mark, guides, ``[subplan]`` label, finding refs."""
    node = row.node
    cells = " ".join(c.cell(node).rjust(w) for c, w in zip(columns, widths, strict=True))
    plain = _lead(cells, _MARK[node.severity], mark_width)
    label = f"[{node.subplan_name}] {node.label}" if node.subplan_name else node.label
    if node.never_executed:
        label += " (never executed)"
    refs = f"  ⚠ {','.join(str(r) for r in row.refs)}" if row.refs else ""
    visible = _cut(plain + row.prefix + label + refs, width)
    if not color:
        return visible
    style = _DIM if node.never_executed else _SEVERITY_STYLE.get(node.severity, "")
    head, tail = visible[: len(plain)], visible[len(plain) :]
    return _paint(head, style) + _paint(tail, _DIM if node.never_executed else "")


def _trigger_lines(
    plan: Plan, columns: list[_Column], widths: list[int], mark_width: int, width: int
) -> list[str]:
    """Triggers as extra rows below the tree: their time is in no node (PostgreSQL)."""
    total = plan.summary.execution_ms
    lines = []
    for trigger in plan.summary.triggers:
        values = {"excl ms": _ms(trigger.time_ms)}
        if total:
            values["%time"] = _pct(trigger.time_ms / total)
        cells = " ".join(
            values.get(c.header, "").rjust(w) for c, w in zip(columns, widths, strict=True)
        )
        what = f" for constraint {trigger.constraint}" if trigger.constraint else ""
        where = f" on {trigger.relation}" if trigger.relation else ""
        label = f"Trigger {trigger.name}{what}{where}: calls={trigger.calls}"
        lines.append(_cut(_lead(cells, "", mark_width) + label, width))
    return lines


def _finding_lines(
    listed: list[tuple[PlanNode, Finding]],
    summary: tuple[Finding, ...],
    color: bool,
    width: int,
) -> list[str]:
    """The numbered node findings, then the plan-wide ones, each with its advice."""
    if not listed and not summary:
        return []
    lines = ["", "Findings:"]
    entries = [(f"[{i}] {node.label}: ", f) for i, (node, f) in enumerate(listed, start=1)]
    entries += [("[plan] ", f) for f in summary]
    for lead, finding in entries:
        word = _SEVERITY_WORD[finding.severity]
        style = _SEVERITY_STYLE.get(finding.severity, "") if color else ""
        for text in _wrap(f"  {lead}{word}: {finding.message}", width, "      "):
            lines.append(_paint(text, style))
        if finding.advice:
            lines += _wrap(f"      → {finding.advice}", width, "        ")
    return lines


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Wrap a finding to ``width`` (no limit when 0), continuation lines indented."""
    if width <= 0 or len(text) <= width:
        return [text]
    return textwrap.wrap(
        text, width=max(width, 30), subsequent_indent=indent, break_on_hyphens=False
    )


def summary_line(plan: Plan) -> str:
    """Planning, execution, triggers, JIT and settings on one line ("" when none known)."""
    s: PlanSummary = plan.summary
    parts: list[str] = []
    if s.planning_ms is not None:
        parts.append(f"Planning {_ms(s.planning_ms)} ms")
    if s.execution_ms is not None:
        parts.append(f"Execution {_ms(s.execution_ms)} ms")
    if s.triggers:
        total = sum(t.time_ms for t in s.triggers)
        parts.append(f"Triggers {_ms(total)} ms ({len(s.triggers)})")
    if s.jit_ms is not None:
        functions = f", {s.jit_functions} functions" if s.jit_functions is not None else ""
        parts.append(f"JIT {_ms(s.jit_ms)} ms{functions}")
    if not plan.analysed and plan.root.total_cost is not None:
        parts.append(f"Estimated cost {_count(plan.root.total_cost)}")
    if s.settings:
        parts.append("Settings " + ", ".join(f"{k}={v}" for k, v in s.settings.items()))
    return " · ".join(parts)


# -- cell formats ------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.3f}" if value < 10_000 else f"{value:,.0f}"


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _count(value: float | None) -> str:
    """Thousands separators; fractions only below 10 (PG18 per-loop averages)."""
    if value is None:
        return ""
    if abs(value) >= 10_000_000:
        return f"{value / 1_000_000:,.1f}M"
    if value != int(value) and abs(value) < 10:
        return f"{value:.2f}"
    return f"{value:,.0f}"


def _misestimate(node: PlanNode) -> str:
    """``↓12.3`` (under-estimated) or ``↑4.0`` (over-estimated); blank below 1.05x."""
    factor = node.misestimate
    if factor is None or node.misestimate_under is None or factor < 1.05:
        return ""
    if not math.isfinite(factor):
        return "↓∞" if node.misestimate_under else "↑∞"
    arrow = "↓" if node.misestimate_under else "↑"
    return f"{arrow}{factor:,.1f}" if factor < 1000 else f"{arrow}{factor:,.0f}"


def _cut(text: str, width: int) -> str:
    if width <= 0 or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def _paint(text: str, style: str) -> str:
    return f"\x1b[{style}m{text}{_RESET}" if style and text else text


# -- JSON --------------------------------------------------------------------------------------


def to_json(plan: Plan) -> dict[str, Any]:
    """The plan with every computed field, as JSON-ready dicts and lists.

    Node fields keep the model's names; ``children`` nest; severities are integers
    (0..3) with their name in ``severity_name``; non-finite numbers become ``None`` and
    values JSON cannot hold (dates, ObjectIds...) become strings. Built without
    recursion, so very deep plans are fine.
    """
    return {
        "engine": plan.engine,
        "statement": plan.statement,
        "analysed": plan.analysed,
        "summary": _dataclass_dict(plan.summary),
        "root": _node_tree(plan.root),
    }


def _node_tree(root: PlanNode) -> dict[str, Any]:
    order = list(_preorder(root))
    built: dict[int, dict[str, Any]] = {}
    for node in reversed(order):
        entry = _dataclass_dict(node, skip="children")
        entry["children"] = [built.pop(id(child)) for child in node.children]
        built[id(node)] = entry
    return built[id(root)]


def _preorder(root: PlanNode) -> Iterator[PlanNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _dataclass_dict(obj: Any, skip: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields(obj):
        if item.name == skip:
            continue
        value = getattr(obj, item.name)
        out[item.name] = _jsonable(value)
        if isinstance(value, Severity):
            out[f"{item.name}_name"] = value.name.lower()
    if isinstance(obj, Buffers):
        out["total"] = obj.total
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Severity):
        return int(value)
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _dataclass_dict(value)
    return str(value)
