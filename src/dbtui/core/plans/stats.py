"""Whole-plan statistics and plan comparison, for every engine's plans.

Stats answer "where did the time go" grouped three ways (per table, per node
type, per index), the way explain.depesz.com's stats tab does. Comparison
answers "what did this index change": totals before and after and the nodes
that appeared, disappeared or moved a lot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dbtui.core.plan import Plan, PlanNode
from dbtui.core.plans.format import ratio_words


@dataclass(frozen=True)
class StatRow:
    """One group of nodes.

    Attributes:
        name: Table, node type or index name.
        nodes: How many plan nodes fall in the group.
        exclusive_ms: Their exclusive time added up; ``None`` without timings.
        share: ``exclusive_ms`` as a share (0..1) of the execution time.
        exclusive_cost: Their exclusive planner cost added up; ``None`` when unknown.
    """

    name: str
    nodes: int
    exclusive_ms: float | None
    share: float | None
    exclusive_cost: float | None


@dataclass(frozen=True)
class PlanStats:
    """Exclusive time and cost grouped per table, per node type and per index."""

    per_table: tuple[StatRow, ...]
    per_node_type: tuple[StatRow, ...]
    per_index: tuple[StatRow, ...]


def _group(
    nodes: Iterable[PlanNode], key: Callable[[PlanNode], str | None], total_ms: float | None
) -> tuple[StatRow, ...]:
    groups: dict[str, list[PlanNode]] = {}
    for node in nodes:
        name = key(node)
        if name:
            groups.setdefault(name, []).append(node)
    rows = []
    for name, members in groups.items():
        times = [n.exclusive_ms for n in members if n.exclusive_ms is not None]
        costs = [n.exclusive_cost for n in members if n.exclusive_cost is not None]
        ms = sum(times) if times else None
        share = ms / total_ms if ms is not None and total_ms else None
        rows.append(StatRow(name, len(members), ms, share, sum(costs) if costs else None))
    rows.sort(key=lambda row: (-(row.exclusive_ms or 0.0), -(row.exclusive_cost or 0.0), row.name))
    return tuple(rows)


def plan_stats(plan: Plan) -> PlanStats:
    """Group the plan's exclusive times and costs per table, node type and index."""
    nodes = list(plan.nodes())
    timed = [n.exclusive_ms for n in nodes if n.exclusive_ms is not None]
    total = plan.summary.execution_ms or (sum(timed) if timed else None)
    return PlanStats(
        per_table=_group(nodes, lambda n: n.relation, total),
        per_node_type=_group(nodes, lambda n: n.node_type, total),
        per_index=_group(nodes, lambda n: n.index, total),
    )


@dataclass(frozen=True)
class NodeChange:
    """A node that differs between two plans.

    Attributes:
        label: The node's label (from the plan where it exists).
        change: "added", "removed" or "changed".
        before: Its measure (time in ms, else cost) in the first plan, if present.
        after: The same in the second plan, if present.
    """

    label: str
    change: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class PlanComparison:
    """Two plans side by side.

    Attributes:
        measure: "time" when both plans were analysed, else "cost".
        total_before: Execution time (or root cost) of the first plan.
        total_after: The same for the second plan.
        changes: Nodes added, removed, or whose measure moved by over 20%.
    """

    measure: str
    total_before: float | None
    total_after: float | None
    changes: tuple[NodeChange, ...]

    @property
    def ratio(self) -> float | None:
        """How many times faster (or cheaper) the second plan is; ``None`` if unknown."""
        if not self.total_before or not self.total_after:
            return None
        return self.total_before / self.total_after

    @property
    def verdict(self) -> str:
        """The change in words, right both ways: ``48x slower``, ``3.2x cheaper``; "" if unknown."""
        return ratio_words(self.total_before, self.total_after, self.measure)


def _measure(node: PlanNode, timed: bool) -> float | None:
    return node.exclusive_ms if timed else node.exclusive_cost


def _total(plan: Plan, timed: bool) -> float | None:
    if timed:
        return plan.summary.execution_ms or plan.root.inclusive_ms
    return plan.root.total_cost


def _signature(node: PlanNode) -> str:
    return " ".join(filter(None, (node.node_type, node.relation, node.index)))


def compare_plans(before: Plan, after: Plan, threshold: float = 0.2) -> PlanComparison:
    """Compare two plans of the same statement (e.g. without and with an index).

    Nodes are matched by node type, relation and index, in plan order; a
    matched node is reported when its measure changed by more than
    ``threshold`` (a share of the larger value).
    """
    timed = before.analysed and after.analysed
    pending: dict[str, list[PlanNode]] = {}
    for node in before.nodes():
        pending.setdefault(_signature(node), []).append(node)
    changes: list[NodeChange] = []
    for node in after.nodes():
        matches = pending.get(_signature(node))
        if not matches:
            changes.append(NodeChange(node.label, "added", None, _measure(node, timed)))
            continue
        old = matches.pop(0)
        old_value, new_value = _measure(old, timed), _measure(node, timed)
        if old_value is not None and new_value is not None:
            largest = max(abs(old_value), abs(new_value))
            if largest and abs(old_value - new_value) / largest > threshold:
                changes.append(NodeChange(node.label, "changed", old_value, new_value))
    for leftovers in pending.values():
        changes.extend(NodeChange(n.label, "removed", _measure(n, timed), None) for n in leftovers)
    return PlanComparison(
        measure="time" if timed else "cost",
        total_before=_total(before, timed),
        total_after=_total(after, timed),
        changes=tuple(changes),
    )
