"""Dexter's decision rule for hypothetical indexes (``plans-and-advisors.md`` B.2).

The driver supplies a :class:`WhatIf`: "plan the statement with exactly these
hypothetical indexes" (HypoPG reset, create, plain EXPLAIN). :func:`select` then

1. drops the statement when its cost without new indexes is under :data:`MIN_COST`;
2. plans it with every single-key candidate (pass 1), then with the two-key
   candidates added (pass 2);
3. plans every candidate the passes used on its own (pass 3): a candidate passes
   when, alone, it cuts the cost "before" by :data:`MIN_SAVING` or more; a
   candidate that passes is never dropped because a wider one was compared with
   a narrower one (the bug of a strict two-step rule: ``tenant_id = ? AND state
   = ?`` where neither column alone passes but the pair cuts 90%);
4. picks the best passing candidate: the narrowest cheapest one, unless a wider
   one (more keys, INCLUDE columns) cuts *its* cost by :data:`MIN_SAVING` again
   while it still costs over :data:`MIN_COST` (Dexter's two-key rule); a partial
   index replaces it when it is about as cheap and much smaller (:func:`partial_slack`);
5. says for every other candidate why it was not chosen (:attr:`Selection.tried`),
   so "nothing found" can say what was tried.

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
        size: Estimated size in bytes of the only hypothetical index, when exactly one
            was planned and the engine knows it.
    """

    cost: float
    used: tuple[IndexSpec, ...]
    plan: object = None
    size: int | None = None


class WhatIf(Protocol):
    """Plans the statement with exactly ``specs`` as hypothetical indexes."""

    def __call__(self, specs: Sequence[IndexSpec]) -> Outcome:
        """Return the plan's cost and the hypothetical indexes it used."""
        ...


@dataclass(frozen=True)
class Rejection:
    """A candidate that was tried and not suggested, with the reason in plain words."""

    spec: IndexSpec
    reason: str


@dataclass(frozen=True)
class Selection:
    """What :func:`select` decided.

    Attributes:
        indexes: The indexes to suggest (empty when none passes).
        before: The plan without any new index.
        after: The plan with exactly ``indexes``; ``None`` when nothing is suggested.
        reason: Why nothing is suggested, or why the chosen index was chosen.
        tried: Every other candidate, with why it was not chosen.
    """

    indexes: tuple[IndexSpec, ...]
    before: Outcome
    after: Outcome | None
    reason: str
    tried: tuple[Rejection, ...] = ()


PARTIAL_COST_SLACK = 0.05
"""A partial index may save this share of the original cost less than the full one it
replaces (97% instead of 98%)..."""
PARTIAL_SIZE_SHARE = 0.5
"""... when it is at most this share of its size."""
PARTIAL_TINY_SLACK = 0.10
"""A much smaller partial index may save this share less (88% instead of 98%)..."""
PARTIAL_TINY_SHARE = 0.1
"""... when it is at most this share of the size. Once both indexes leave only a few
percent of the cost, the gap between them is mostly the planner's guess at where the rows
lie (``pg_stats.correlation``, from ANALYZE's random sample; a column whose non-null values
are all equal reads as perfectly correlated even when its NULLs sit on every page), while a
tenth of the size is a real saving in writes, cache and disk; without this margin a partial
index on 1% of the rows lost or won by ANALYZE's sample."""


def partial_slack(share: float) -> float | None:
    """How much less of the original cost a partial index of ``share`` of the full one's size
    may save and still replace it; ``None`` when it is not small enough to replace it."""
    if share <= PARTIAL_TINY_SHARE:
        return PARTIAL_TINY_SLACK
    return PARTIAL_COST_SLACK if share <= PARTIAL_SIZE_SHARE else None


def saves(cost: float, baseline: float) -> bool:
    """True when ``cost`` is at least :data:`MIN_SAVING` below ``baseline``."""
    return cost < baseline * (1.0 - MIN_SAVING)


def share_saved(cost: float, baseline: float) -> float:
    """``1 - cost / baseline`` (0 when the baseline is not positive), never negative."""
    return max(0.0, 1.0 - cost / baseline) if baseline > 0 else 0.0


def label(spec: IndexSpec) -> str:
    """``(a, b) INCLUDE (c) WHERE p``: a candidate in a few words."""
    text = "(" + ", ".join(spec.labels) + ")"
    if spec.method != "btree":
        text = f"{spec.method} {text}"
    if spec.include:
        text += " INCLUDE (" + ", ".join(spec.include) + ")"
    if spec.where:
        text += f" WHERE {spec.where}"
    return text


def select(
    before: Outcome,
    singles: Sequence[IndexSpec],
    pairs: Sequence[IndexSpec],
    what_if: WhatIf,
    extra: Sequence[IndexSpec] = (),
) -> Selection:
    """Run the passes and the decision (see the module notes).

    Args:
        before: The plan without new indexes.
        singles: One-key candidates.
        pairs: Two-key candidates.
        what_if: Plans the statement with exactly the given hypothetical indexes.
        extra: Partial and covering (INCLUDE) candidates; each is only planned alone.
    """
    if before.cost < MIN_COST:
        return Selection(
            (), before, None, f"its cost {before.cost:,.0f} is under {MIN_COST:,.0f}: "
            "too cheap to be worth an index"
        )  # fmt: skip
    if not singles and not pairs and not extra:
        return Selection((), before, None, "no candidate that an index does not already serve")
    first = what_if(singles) if singles else before
    second = what_if([*singles, *pairs]) if pairs else first
    used = list(dict.fromkeys([*second.used, *first.used]))
    if pairs and not any(len(spec.keys) > 1 for spec in used):
        used += [spec for spec in what_if(pairs).used if spec not in used]
    used += [spec for spec in extra if spec not in used]
    alone = {spec: what_if([spec]) for spec in used}
    tried = [
        Rejection(
            spec,
            "the what-if plan with every candidate did not use it (the planner "
            "preferred another index, or none)",
        )
        for spec in [*singles, *pairs]
        if spec not in alone
    ]
    passing: list[IndexSpec] = []
    for spec, outcome in alone.items():
        if spec not in outcome.used:
            tried.append(Rejection(spec, "the planner did not use it on its own"))
        elif not saves(outcome.cost, before.cost):
            tried.append(Rejection(spec, _too_little(before.cost, outcome.cost)))
        else:
            passing.append(spec)
    if not passing:
        return Selection((), before, None, "no candidate passed", tuple(tried))
    chosen, reason = _decide(passing, alone, before, tried)
    return Selection((chosen,), before, alone[chosen], reason, tuple(tried))


def _decide(
    passing: list[IndexSpec],
    alone: dict[IndexSpec, Outcome],
    before: Outcome,
    tried: list[Rejection],
) -> tuple[IndexSpec, str]:
    """The best of the passing candidates, and why; the others go to ``tried``."""
    full = sorted(
        (s for s in passing if not s.where),
        key=lambda s: (len(s.keys) + len(s.include), alone[s].cost),
    )
    partial = sorted((s for s in passing if s.where), key=lambda s: alone[s].cost)
    best = full[0] if full else partial.pop(0)
    cost = alone[best].cost
    reason = f"it alone cuts the cost by {share_saved(cost, before.cost):.0%}"
    for wider in full[1:]:
        other = alone[wider].cost
        if cost > MIN_COST and saves(other, cost):
            tried.append(Rejection(best, f"{label(wider)} costs {MIN_SAVING:.0%} less again"))
            reason = (
                f"it cuts the cost by {share_saved(other, before.cost):.0%}, and "
                f"{share_saved(other, cost):.0%} more than {label(best)}"
            )
            best, cost = wider, other
        else:
            tried.append(Rejection(wider, _not_better(best, cost, other)))
    for spec in partial:
        other, size, best_size = alone[spec].cost, alone[spec].size, alone[best].size
        share = size / best_size if size is not None and best_size else None
        slack = partial_slack(share) if share is not None else None
        cheap = slack is not None and (
            share_saved(other, before.cost) >= share_saved(cost, before.cost) - slack
        )
        if cheap and not best.where:
            tried.append(Rejection(best, f"partial {label(spec)} is as cheap and smaller"))
            reason = (
                f"it cuts the cost by {share_saved(other, before.cost):.0%}, about as much as "
                f"{label(best)}, and is {share:.0%} of its size"
            )
            best, cost = spec, other
        else:
            tried.append(Rejection(spec, _not_smaller(alone[best], alone[spec], label(best))))
    return best, reason


def _not_smaller(best: Outcome, partial: Outcome, name: str) -> str:
    """Why a partial candidate did not replace ``best``."""
    sizes = (
        f", size {partial.size:,} against {best.size:,} bytes"
        if partial.size is not None and best.size is not None
        else ""
    )
    return (
        f"cost {partial.cost:,.0f} against {best.cost:,.0f} for {name}{sizes}: a partial "
        f"index must save about as much (within {PARTIAL_COST_SLACK:.0%} of the cost before, "
        f"{PARTIAL_TINY_SLACK:.0%} at {PARTIAL_TINY_SHARE:.0%} of the size or less) and be at "
        f"most {PARTIAL_SIZE_SHARE:.0%} of the size"
    )


def _too_little(before: float, cost: float) -> str:
    return (
        f"alone it cuts the cost from {before:,.0f} to {cost:,.0f} "
        f"({share_saved(cost, before):.0%} less; at least {MIN_SAVING:.0%} is needed)"
    )


def _not_better(best: IndexSpec, cost: float, other: float) -> str:
    if cost <= MIN_COST:
        return f"{label(best)} already brings the cost to {cost:,.0f} (under {MIN_COST:,.0f})"
    return (
        f"cost {other:,.0f} against {cost:,.0f} for {label(best)}: not "
        f"{MIN_SAVING:.0%} less, so the narrower index is enough"
    )
