"""The numbers of a PostgreSQL plan: wall-clock times, rows, costs and buffers per node.

Rules (from ``plans-and-advisors.md`` A.3/A.4/A.10, with PEV2's two weak spots fixed):

* Times and rows in EXPLAIN are per-loop averages. Inclusive wall time is
  ``Actual Total Time x loops / d`` where ``d`` is the number of processes that ran the
  node concurrently: ``workers launched + 1`` of the nearest Gather above, but never more
  than ``loops`` (a node run by one process only, e.g. a Single Copy Gather's child or a
  non-partial Parallel Append member, is not divided).
* Exclusive = inclusive minus the children's inclusive, except InitPlan children (an
  InitPlan's time lands in whichever node first reads its value, not in its parent).
  SubPlans are evaluated by their parent's expressions, so they are subtracted.
* Each InitPlan is then charged to the node that uses it: a ``CTE x`` InitPlan is split
  over the ``CTE Scan``s of ``x`` in proportion to their exclusive times (PEV2 used the
  inclusive time in the numerator); any other InitPlan goes to the deepest node whose
  text references its ``$k`` or ``InitPlan N`` token (whole numbers only, so ``$1`` never
  matches ``$10`` and ``InitPlan 10`` is not ``InitPlan 1``), or to its parent when nothing
  references it. A charge larger than the target's exclusive time continues up the
  target's ancestors, so the exclusive times never add up to more than the root's
  inclusive time.
* The Gather's worker count is reset inside InitPlans (only the leader runs them) but,
  unlike PEV2, kept inside SubPlans: a SubPlan runs in the processes of the node that
  evaluates it, and the ``min(..., loops)`` cap keeps leader-only cases right.
* Buffers get the same treatment (PostgreSQL reports them inclusive of children).
* A node that may have stopped early (:func:`stop_early`: under a Limit that reached its
  count, an input of a Merge Join, the inner side of a semi or anti join) returning fewer
  rows than planned is not over-estimated: its misestimate is dropped and
  ``stopped_early`` set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dbtui.core.plan import Buffers, Finding, PlanNode, Severity
from dbtui.core.plans.format import trivial

BUFFER_KEYS: dict[str, str] = {
    "shared_hit": "Shared Hit Blocks",
    "shared_read": "Shared Read Blocks",
    "shared_dirtied": "Shared Dirtied Blocks",
    "shared_written": "Shared Written Blocks",
    "local_hit": "Local Hit Blocks",
    "local_read": "Local Read Blocks",
    "local_dirtied": "Local Dirtied Blocks",
    "local_written": "Local Written Blocks",
    "temp_read": "Temp Read Blocks",
    "temp_written": "Temp Written Blocks",
}
REMOVED_KEYS = (
    "Rows Removed by Filter",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
)
GATHERS = frozenset({"Gather", "Gather Merge"})
_TOKEN = re.compile(r"\$[0-9]+|InitPlan\s+[0-9]+")
"""A parameter or InitPlan reference; ``[0-9]+`` is greedy, so ``$1`` never matches ``$10``."""
_INITPLAN_NAME = re.compile(r"(InitPlan\s+[0-9]+)(?:\s+\(returns\s+([^)]*)\))?")
_NOT_SEARCHED = frozenset({"Node Type", "Parent Relationship", "Subplan Name", "Plans"})


@dataclass(slots=True, eq=False)
class Work:
    """Mutable per-node scratch record used while analysing; frozen into a PlanNode later.

    Times are wall-clock ms, rows are totals over all loops; ``None`` = not reported.
    """

    raw: Mapping[str, Any]
    parent: int | None
    depth: int
    workers: int
    children: list[int] = field(default_factory=list)
    end: int = 0
    loops: int | None = None
    incl: float | None = None
    excl: float | None = None
    rows: float | None = None
    est: float | None = None
    misestimate: float | None = None
    under: bool | None = None
    excl_cost: float | None = None
    buffers: dict[str, float] | None = None
    removed: float | None = None
    removed_share: float | None = None
    time_share: float | None = None
    cost_share: float | None = None
    never_executed: bool = False
    stopped_early: bool = False
    trivial: bool = False
    """The whole plan is too small for shares to mean anything (``SELECT 1``)."""
    findings: tuple[Finding, ...] = ()
    severity: Severity = Severity.NONE

    @property
    def relationship(self) -> str | None:
        """The node's ``Parent Relationship`` (``InitPlan``, ``SubPlan``, ``Outer``...)."""
        value = self.raw.get("Parent Relationship")
        return str(value) if value is not None else None


def num(value: object) -> float | None:
    """A JSON number as float; ``None`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def flatten(root: Mapping[str, Any]) -> list[Work]:
    """All nodes in pre-order (parents before children), without recursion.

    Each record knows its parent, depth and the workers launched by the nearest Gather
    above it (reset to 0 inside InitPlans, which only the leader runs).
    """
    works: list[Work] = []
    stack: list[tuple[Mapping[str, Any], int | None, int, int]] = [(root, None, 0, 0)]
    while stack:
        raw, parent, depth, workers = stack.pop()
        index = len(works)
        works.append(Work(raw=raw, parent=parent, depth=depth, workers=workers))
        if parent is not None:
            works[parent].children.append(index)
        below = workers
        if raw.get("Node Type") in GATHERS:
            below = int(num(raw.get("Workers Launched")) or 0)
        kids = [kid for kid in raw.get("Plans") or () if isinstance(kid, Mapping)]
        for kid in reversed(kids):
            kid_workers = 0 if kid.get("Parent Relationship") == "InitPlan" else below
            stack.append((kid, index, depth + 1, kid_workers))
    for index in range(len(works) - 1, -1, -1):
        work = works[index]
        work.end = works[work.children[-1]].end if work.children else index + 1
    return works


def analyse(works: list[Work], execution_ms: float | None) -> None:
    """Fill every computed field of ``works`` in place (findings excepted).

    Args:
        works: The output of :func:`flatten`.
        execution_ms: The plan's ``Execution Time``; the denominator of time shares
            (the root's inclusive time is used when it is missing or zero).
    """
    for work in works:
        _per_node(work, execution_ms is not None)
    charges = _charges(works)
    _exclusive_times(works, charges)
    _exclusive_buffers(works, charges)
    _exclusive_costs(works)
    total = execution_ms if execution_ms else works[0].incl
    max_cost = max((num(w.raw.get("Total Cost")) or 0.0 for w in works), default=0.0)
    small = trivial(total, max_cost)
    for work, early in zip(works, stop_early(works), strict=True):
        work.trivial = small
        if total and work.excl is not None:
            work.time_share = work.excl / total
        if max_cost > 0 and work.excl_cost is not None:
            work.cost_share = work.excl_cost / max_cost
        if early and work.under is False:  # fewer rows because it was stopped, not misjudged
            work.misestimate, work.under, work.stopped_early = None, None, True


def _per_node(work: Work, has_execution_time: bool) -> None:
    """Loops, inclusive time, row totals, misestimate and filter losses of one node."""
    raw = work.raw
    loops_value = num(raw.get("Actual Loops"))
    work.loops = int(loops_value) if loops_value is not None else None
    loops = work.loops
    plan_rows = num(raw.get("Plan Rows"))
    if plan_rows is not None:
        work.est = plan_rows * max(loops or 1, 1)
    if loops is None:
        return
    work.never_executed = loops == 0 and (has_execution_time or "Actual Rows" in raw)
    total_time = num(raw.get("Actual Total Time"))
    if total_time is not None:
        processes = min(work.workers + 1, loops) if work.workers and loops else 1
        work.incl = total_time * loops / max(processes, 1)
    actual = num(raw.get("Actual Rows"))
    if actual is not None:
        work.rows = actual * loops
        if plan_rows is not None and loops > 0:
            work.misestimate, work.under = misestimate(actual, plan_rows)
    removed_values = [num(raw.get(key)) for key in REMOVED_KEYS if key in raw]
    if removed_values:
        work.removed = sum(v or 0.0 for v in removed_values) * loops
        read = work.removed + (work.rows or 0.0)
        work.removed_share = work.removed / read if read > 0 else 0.0


def misestimate(actual: float, planned: float) -> tuple[float, bool | None]:
    """Factor (>= 1) between per-loop actual and planned rows, and its direction.

    Row counts below one count as one, so "expected 1 row, found 0" (or a per-loop
    average of 0.5) is not a misestimate. Direction: ``True`` = under-estimated
    (more rows than planned), ``False`` = over-estimated, ``None`` = exact.
    """
    low = max(min(actual, planned), 1.0)
    high = max(actual, planned)
    if high <= low:
        return 1.0, None
    return high / low, actual > planned


# -- nodes stopped before their end -----------------------------------------------------------

_READS_ALL = frozenset({"Sort", "Hash"})
"""Node types that read their whole input before returning a row."""
_READS_ALL_STRATEGIES = frozenset({"Hashed", "Plain", "Mixed"})
"""Aggregate / SetOp strategies that read their whole input first."""
_JOINS = frozenset({"Nested Loop", "Hash Join", "Merge Join"})


def stop_early(works: list[Work]) -> list[bool]:
    """For each node (pre-order), whether its parent may have stopped reading it early.

    Such a node returns fewer rows than planned without any misestimate. It may when:
    its parent is a Limit that returned its full count; it is an input of a Merge Join
    (which stops when the other input ends); it is the inner side of a semi or anti join
    (which stops at the first match); or its parent may stop early and streams its rows
    from this child (not a Sort, a Hash or a hashed/plain Aggregate or SetOp, and for a
    join only its outer side). InitPlans and SubPlans run on their own; a Hash reports the
    rows it read, so it is never cut short.
    """
    early = [False] * len(works)
    for index, work in enumerate(works):
        if work.parent is None or work.relationship in ("InitPlan", "SubPlan"):
            continue
        if work.raw.get("Node Type") == "Hash":
            continue
        parent = works[work.parent]
        early[index] = _cuts_input(parent, work) or (early[work.parent] and _streams(parent, work))
    return early


def _cuts_input(parent: Work, child: Work) -> bool:
    """Whether ``parent`` itself may stop reading ``child`` before its end."""
    kind = parent.raw.get("Node Type")
    if kind == "Limit":
        actual, planned = num(parent.raw.get("Actual Rows")), num(parent.raw.get("Plan Rows"))
        return actual is not None and planned is not None and actual >= planned
    if kind == "Merge Join":
        return True
    joins_inner = kind in _JOINS and child.relationship == "Inner"
    return joins_inner and parent.raw.get("Join Type") in ("Semi", "Anti")


def _streams(parent: Work, child: Work) -> bool:
    """Whether ``parent`` returns rows while still reading ``child`` (so stopping it
    stops the child)."""
    kind = parent.raw.get("Node Type")
    if kind in _READS_ALL:
        return False
    if kind in ("Aggregate", "SetOp") and parent.raw.get("Strategy") in _READS_ALL_STRATEGIES:
        return False
    return kind not in _JOINS or kind == "Merge Join" or child.relationship == "Outer"


# -- InitPlan and CTE charges ------------------------------------------------------------------


def _charges(works: list[Work]) -> list[tuple[int, int, float]]:
    """Where each InitPlan's inclusive time (and buffers) went: (source, target, fraction)."""
    charges: list[tuple[int, int, float]] = []
    users: dict[str, list[int]] | None = None
    scans: dict[str, list[int]] = {}
    for index, work in enumerate(works):
        if work.raw.get("Node Type") == "CTE Scan":
            scans.setdefault(str(work.raw.get("CTE Name")), []).append(index)
    for index, work in enumerate(works):
        if work.relationship != "InitPlan" or work.parent is None:
            continue
        name = str(work.raw.get("Subplan Name") or "")
        if name.startswith("CTE "):
            charges.extend(_cte_charges(works, index, scans.get(name[4:], [])))
            continue
        if users is None:
            users = _token_users(works)
        target = _initplan_user(works, users, index, name)
        charges.append((index, work.parent if target is None else target, 1.0))
    return charges


def _cte_charges(works: list[Work], source: int, scans: list[int]) -> list[tuple[int, int, float]]:
    """Split a CTE over the CTE Scans that read it, by their exclusive time (or rows)."""
    parent = works[source].parent
    if not scans:
        return [] if parent is None else [(source, parent, 1.0)]
    weights = [_scan_weight(works, i) for i in scans]
    total = sum(weights)
    if total <= 0:
        return [(source, i, 1.0 / len(scans)) for i in scans]
    return [(source, i, weight / total) for i, weight in zip(scans, weights, strict=True)]


def _scan_weight(works: list[Work], index: int) -> float:
    """A CTE Scan's own time before the CTE is taken off it (rows when untimed)."""
    work = works[index]
    own = work.incl
    if own is not None:
        for child in work.children:
            if works[child].relationship != "InitPlan":
                own -= works[child].incl or 0.0
        return max(own, 0.0)
    return work.rows or 0.0


def _token_users(works: list[Work]) -> dict[str, list[int]]:
    """Which nodes mention each ``$k`` / ``InitPlan N`` token in their text (whole numbers)."""
    users: dict[str, list[int]] = {}
    for index, work in enumerate(works):
        for token in set(_TOKEN.findall(_searchable(work.raw))):
            users.setdefault(_normal(token), []).append(index)
    return users


def _initplan_user(
    works: list[Work], users: dict[str, list[int]], source: int, name: str
) -> int | None:
    """The deepest node outside the InitPlan whose text references one of its tokens."""
    match = _INITPLAN_NAME.search(name)
    if match is None:
        return None
    tokens = [match.group(1)]
    if match.group(2):
        tokens += [t.strip() for t in match.group(2).split(",") if t.strip()]
    start, end = source, works[source].end
    best: int | None = None
    for token in tokens:
        for index in users.get(_normal(token), ()):
            if start <= index < end:
                continue
            if best is None or (works[index].depth, -index) > (works[best].depth, -best):
                best = index
    return best


def _normal(token: str) -> str:
    return re.sub(r"\s+", " ", token)


def _searchable(raw: Mapping[str, Any]) -> str:
    """Every text value of a node (conditions, filters, outputs), joined for searching."""
    parts: list[str] = []
    for key, value in raw.items():
        if key in _NOT_SEARCHED:
            continue
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(v for v in value if isinstance(v, str))
    return "\n".join(parts)


def _apply_charges(
    works: list[Work],
    values: list[float | None],
    charges: list[tuple[int, int, float]],
    inclusive: list[float | None],
) -> None:
    """Take each charge off its target, passing what does not fit up to the ancestors."""
    for source, target, fraction in charges:
        remaining = (inclusive[source] or 0.0) * fraction
        node: int | None = target
        while remaining > 1e-12 and node is not None:
            current = values[node]
            if current is None:
                break
            taken = min(current, remaining)
            values[node] = current - taken
            remaining -= taken
            node = works[node].parent


# -- exclusive values --------------------------------------------------------------------------


def _children_removed(works: list[Work], index: int, inclusive: list[float | None]) -> float | None:
    """``inclusive[index]`` minus that of its non-InitPlan children, floored at 0."""
    own = inclusive[index]
    if own is None:
        return None
    for child in works[index].children:
        if works[child].relationship != "InitPlan":
            own -= inclusive[child] or 0.0
    return max(own, 0.0)


def _exclusive_times(works: list[Work], charges: list[tuple[int, int, float]]) -> None:
    """Exclusive wall time of every node, InitPlan and CTE corrections included."""
    inclusive = [w.incl for w in works]
    values = [_children_removed(works, i, inclusive) for i in range(len(works))]
    _apply_charges(works, values, charges, inclusive)
    for work, value in zip(works, values, strict=True):
        work.excl = value


def _exclusive_buffers(works: list[Work], charges: list[tuple[int, int, float]]) -> None:
    """Exclusive block counts per kind, corrected like the times."""
    if not any(key in works[0].raw for key in BUFFER_KEYS.values()):
        return
    for work in works:
        work.buffers = {}
    for attr, key in BUFFER_KEYS.items():
        inclusive = [num(w.raw.get(key)) for w in works]
        values = [_children_removed(works, i, inclusive) for i in range(len(works))]
        _apply_charges(works, values, charges, inclusive)
        for work, value in zip(works, values, strict=True):
            if work.buffers is not None and value is not None:
                work.buffers[attr] = value


def _exclusive_costs(works: list[Work]) -> None:
    """``Total Cost`` minus every child's ``Total Cost`` (planner units), floored at 0."""
    for work in works:
        cost = num(work.raw.get("Total Cost"))
        if cost is None:
            continue
        for child in work.children:
            cost -= num(works[child].raw.get("Total Cost")) or 0.0
        work.excl_cost = max(cost, 0.0)


# -- freezing ----------------------------------------------------------------------------------


def build_tree(works: list[Work], label: Callable[[Mapping[str, Any]], str]) -> PlanNode:
    """Freeze the analysed records into PlanNodes, children first, without recursion."""
    built: list[PlanNode | None] = [None] * len(works)
    for index in range(len(works) - 1, -1, -1):
        work = works[index]
        raw = work.raw
        children = tuple(node for c in work.children if (node := built[c]) is not None)
        built[index] = PlanNode(
            node_type=str(raw.get("Node Type") or "?"),
            label=label(raw),
            children=children,
            relation=_text(raw.get("Relation Name")),
            index=_text(raw.get("Index Name")),
            parent_relationship=work.relationship,
            subplan_name=_text(raw.get("Subplan Name")),
            inclusive_ms=work.incl,
            exclusive_ms=work.excl,
            time_share=work.time_share,
            actual_rows=work.rows,
            estimated_rows=work.est,
            loops=work.loops,
            misestimate=work.misestimate,
            misestimate_under=work.under,
            total_cost=num(raw.get("Total Cost")),
            exclusive_cost=work.excl_cost,
            cost_share=work.cost_share,
            buffers=_buffers(work.buffers),
            rows_removed=work.removed,
            removed_share=work.removed_share,
            never_executed=work.never_executed,
            stopped_early=work.stopped_early,
            findings=work.findings,
            severity=work.severity,
            raw={k: v for k, v in raw.items() if k != "Plans"},
        )
    root = built[0]
    assert root is not None
    return root


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _buffers(values: dict[str, float] | None) -> Buffers | None:
    if values is None:
        return None
    return Buffers(**{attr: round(value) for attr, value in values.items()})
