"""Dexter's decision rule for hypothetical indexes (``plans-and-advisors.md`` B.2).

The driver supplies a :class:`WhatIf`: "plan the statement with exactly these
hypothetical indexes" (HypoPG reset, create, plain EXPLAIN). :func:`select` then

1. drops the statement when its cost without new indexes is under :data:`MIN_COST`;
2. plans it with every single-key candidate (pass 1), then with the two-key
   candidates added (pass 2);
3. keeps pass 1's indexes when they cut the cost by :data:`MIN_SAVING` or more;
   pass 2's when pass 1's plan still costs over :data:`MIN_COST` and pass 2 cuts
   *that* cost by :data:`MIN_SAVING` again (a two-key index must beat the best
   one-key plan by as much again);
4. when that leaves several indexes, tries each alone and keeps the cheapest, if
   it alone still passes the test against the original cost (pass 3);
5. plans the statement once more with only the chosen indexes, so the evidence
   (cost and plan "after") is exactly what the suggestion would give.

Costs are the planner's total cost of the statement's top plan node. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dbtui.core.advisor.indexes import IndexSpec

MIN_COST = 100.0
"""Statements cheaper than this (planner cost units) are not worth an index."""
MIN_SAVING = 0.5
"""Share of the cost an index must save (Dexter's ``--min-cost-savings-pct 50``)."""


@dataclass(frozen=True)
class Outcome:
    """One what-if plan.

    Attributes:
        cost: The statement's total planner cost.
        used: The hypothetical indexes the plan uses, in plan order.
        plan: The engine's plan (PostgreSQL: the EXPLAIN JSON), for the evidence.
    """

    cost: float
    used: tuple[IndexSpec, ...]
    plan: object = None


class WhatIf(Protocol):
    """Plans the statement with exactly ``specs`` as hypothetical indexes."""

    def __call__(self, specs: Sequence[IndexSpec]) -> Outcome:
        """Return the plan's cost and the hypothetical indexes it used."""
        ...


@dataclass(frozen=True)
class Selection:
    """What :func:`select` decided.

    Attributes:
        indexes: The indexes to suggest (empty when none passes).
        before: The plan without any new index.
        after: The plan with exactly ``indexes``; ``None`` when nothing is suggested.
        reason: Why nothing is suggested, or which pass chose the indexes.
    """

    indexes: tuple[IndexSpec, ...]
    before: Outcome
    after: Outcome | None
    reason: str


def saves(cost: float, baseline: float) -> bool:
    """True when ``cost`` is at least :data:`MIN_SAVING` below ``baseline``."""
    return cost < baseline * (1.0 - MIN_SAVING)


def select(
    before: Outcome,
    singles: Sequence[IndexSpec],
    pairs: Sequence[IndexSpec],
    what_if: WhatIf,
) -> Selection:
    """Run passes 1-3 and the final check (see the module notes)."""
    if before.cost < MIN_COST:
        return Selection((), before, None, f"cost {before.cost:,.0f} is under {MIN_COST:,.0f}")
    if not singles and not pairs:
        return Selection((), before, None, "no candidate that an index does not already serve")
    first = what_if(singles)
    second = what_if([*singles, *pairs]) if pairs else first
    if first.cost > MIN_COST and saves(second.cost, first.cost) and second.used:
        chosen, reason = second.used, "two-key pass"
    elif saves(first.cost, before.cost) and first.used:
        chosen, reason = first.used, "one-key pass"
    else:
        best = min(first.cost, second.cost)
        return Selection((), before, None, _not_enough(before.cost, best))
    if len(chosen) > 1:
        alone = [what_if([spec]) for spec in chosen]
        best_alone = min(alone, key=lambda outcome: outcome.cost)
        if not saves(best_alone.cost, before.cost) or len(best_alone.used) != 1:
            return Selection((), before, None, _not_enough(before.cost, best_alone.cost))
        chosen, reason = best_alone.used, reason + ", best single index"
    after = what_if(chosen)
    used = tuple(spec for spec in chosen if spec in after.used)
    if not used or not saves(after.cost, before.cost):
        return Selection((), before, None, _not_enough(before.cost, after.cost))
    return Selection(used, before, after, reason)


def _not_enough(before: float, best: float) -> str:
    saving = 1.0 - best / before if before > 0 else 0.0
    return (
        f"the best what-if plan saves {max(saving, 0.0):.0%} of the cost "
        f"(at least {MIN_SAVING:.0%} is needed)"
    )
