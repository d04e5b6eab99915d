"""Plain-words reasons and evidence lines for index suggestions. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from dbtui.core.advisor.indexes import IndexKey
from dbtui.core.advisor.shape import ColumnUse, Use
from dbtui.core.plan import Plan

MAX_PLAN_LINES = 8
"""Plan lines quoted per plan in a suggestion's evidence."""

_VERBS = {
    Use.EQUALITY: "WHERE {key} {op} ?",
    Use.RANGE: "WHERE {key} {op} ?",
    Use.LIKE: "WHERE {key} {op} ?",
    Use.NULL_TEST: "WHERE {key} {op}",
    Use.JOIN: "JOIN ON {key}",
    Use.ORDER: "ORDER BY {key}",
    Use.GROUP: "GROUP BY {key}",
    Use.CONTAINS: "WHERE {key} {op} ?",
    Use.DISTANCE: "ORDER BY {key} {op} ? (nearest neighbours)",
}
_OPERATOR_WORDS = {"~~": "LIKE", "~~*": "ILIKE"}


def describe_uses(keys: Sequence[IndexKey], uses: Sequence[ColumnUse]) -> str:
    """What the keys serve, e.g. ``WHERE customer_id = ?, ORDER BY created_at``."""
    parts: list[str] = []
    for key in keys:
        for use in uses:
            matches = (use.expression or use.column) == (key.expression or key.column)
            if not matches:
                continue
            operator = _OPERATOR_WORDS.get(use.operator, use.operator)
            text = _VERBS[use.use].format(key=key.label, op=operator or "=")
            if use.use is Use.ORDER and use.descending:
                text += " DESC"
            if text not in parts:
                parts.append(text)
    return ", ".join(parts) if parts else "the statement's predicates"


def plan_lines(plan: Plan, limit: int = MAX_PLAN_LINES) -> tuple[str, ...]:
    """The first ``limit`` nodes of ``plan`` as indented one-line labels with their cost."""
    lines: list[str] = []
    stack = [(plan.root, 0)]
    while stack and len(lines) < limit:
        node, depth = stack.pop()
        cost = f"  (cost {node.total_cost:,.2f})" if node.total_cost is not None else ""
        lines.append("  " * depth + node.label + cost)
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return tuple(lines)


def cost_line(before: float, after: float) -> str:
    """``planner cost 14,084.43 -> 47.04 (99.7% less)``."""
    saving = 1.0 - after / before if before > 0 else 0.0
    return f"planner cost {before:,.2f} -> {after:,.2f} ({saving:.1%} less)"


def size_text(size: int) -> str:
    """Bytes in the largest binary unit that keeps a number of at least 1 (``25.0 MiB``)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"  # pragma: no cover
