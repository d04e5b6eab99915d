"""The engine-neutral EXPLAIN plan model.

Parsers (one per engine) turn an engine's raw plan into a :class:`Plan`; the
analysis fills in the computed fields (exclusive time, shares, misestimates,
findings). The UI only ever renders this model, never raw plans.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    """How loudly a node or finding should be highlighted."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(frozen=True)
class Finding:
    """A typed warning attached to a plan node.

    Attributes:
        code: Stable identifier, e.g. ``"seq-scan-filter"``, ``"sort-spill"``.
        severity: How serious it is.
        message: What happened, in plain words.
        advice: What to do about it; empty when there is nothing obvious.
    """

    code: str
    severity: Severity
    message: str
    advice: str = ""


@dataclass(frozen=True)
class Buffers:
    """Block counts (8 kB pages in PostgreSQL) for one node, exclusive of children."""

    shared_hit: int = 0
    shared_read: int = 0
    shared_dirtied: int = 0
    shared_written: int = 0
    local_hit: int = 0
    local_read: int = 0
    local_dirtied: int = 0
    local_written: int = 0
    temp_read: int = 0
    temp_written: int = 0

    @property
    def total(self) -> int:
        """All blocks touched, for ranking nodes by I/O."""
        return (
            self.shared_hit
            + self.shared_read
            + self.local_hit
            + self.local_read
            + self.temp_read
            + self.temp_written
        )


@dataclass(frozen=True)
class PlanNode:
    """One node of a plan tree.

    Times are wall-clock milliseconds; ``None`` means "not measured" (a plain
    EXPLAIN without ANALYZE, or an engine that has no timings, like SQLite).

    Attributes:
        node_type: The engine's operator name ("Seq Scan", "IXSCAN", "SCAN").
        label: One-line description: node type with relation, index, join type.
        children: Child nodes in plan order (InitPlans and SubPlans included).
        relation: Table or collection the node reads, if any.
        index: Index the node uses, if any.
        parent_relationship: "Outer", "Inner", "InitPlan", "SubPlan"..., if known.
        subplan_name: Name of the InitPlan/SubPlan/CTE this node starts, if any.
        inclusive_ms: Time of this node and its subtree.
        exclusive_ms: Time spent in this node alone.
        time_share: ``exclusive_ms`` as a share (0..1) of the whole execution.
        actual_rows: Rows produced in total (per-loop rows x loops).
        estimated_rows: Rows the planner expected in total.
        loops: How many times the node ran.
        misestimate: Factor between actual and estimated rows (>= 1).
        misestimate_under: True when the planner under-estimated.
        total_cost: Planner cost of the subtree.
        exclusive_cost: Planner cost of this node alone.
        cost_share: ``exclusive_cost`` as a share (0..1) of the root's cost.
        buffers: Exclusive buffer counts, when BUFFERS was requested.
        rows_removed: Rows removed by filters and join filters, in total.
        removed_share: ``rows_removed`` as a share (0..1) of rows read.
        never_executed: The node was planned but never ran.
        stopped_early: The node returned fewer rows than planned because the node above
            stopped reading it (a Limit, a Merge Join, a semi join): not a misestimate,
            so ``misestimate`` is ``None``.
        findings: Warnings about this node.
        severity: Highest severity of the node's metrics and findings.
        raw: Every field the engine reported for this node, for the detail pane.
    """

    node_type: str
    label: str
    children: tuple[PlanNode, ...] = ()
    relation: str | None = None
    index: str | None = None
    parent_relationship: str | None = None
    subplan_name: str | None = None
    inclusive_ms: float | None = None
    exclusive_ms: float | None = None
    time_share: float | None = None
    actual_rows: float | None = None
    estimated_rows: float | None = None
    loops: int | None = None
    misestimate: float | None = None
    misestimate_under: bool | None = None
    total_cost: float | None = None
    exclusive_cost: float | None = None
    cost_share: float | None = None
    buffers: Buffers | None = None
    rows_removed: float | None = None
    removed_share: float | None = None
    never_executed: bool = False
    stopped_early: bool = False
    findings: tuple[Finding, ...] = ()
    severity: Severity = Severity.NONE
    raw: Mapping[str, object] = field(default_factory=dict)

    def walk(self) -> Iterator[PlanNode]:
        """This node and all its descendants, depth first, in plan order.

        Iterative, so a plan thousands of levels deep does not hit Python's
        recursion limit.
        """
        stack: list[PlanNode] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(frozen=True)
class TriggerTime:
    """Time spent in one trigger during EXPLAIN ANALYZE."""

    name: str
    relation: str | None
    time_ms: float
    calls: int
    constraint: str | None = None
    """Constraint the trigger enforces (foreign-key triggers), if the engine says."""


@dataclass(frozen=True)
class PlanSummary:
    """Facts about the whole plan. ``None`` means the engine did not report it."""

    planning_ms: float | None = None
    execution_ms: float | None = None
    triggers: tuple[TriggerTime, ...] = ()
    jit_ms: float | None = None
    jit_functions: int | None = None
    settings: Mapping[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Plan:
    """An analysed plan: the tree plus its summary.

    Attributes:
        engine: Driver name that produced it ("sqlite", "postgresql", "mongodb").
        statement: The statement that was explained.
        root: Top node of the tree.
        summary: Whole-plan facts.
        analysed: True when the statement really ran (timings are real).
    """

    engine: str
    statement: str
    root: PlanNode
    summary: PlanSummary = field(default_factory=PlanSummary)
    analysed: bool = False

    def nodes(self) -> Iterator[PlanNode]:
        """Every node, depth first."""
        return self.root.walk()
