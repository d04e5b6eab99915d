"""Index suggestions and health findings, for every engine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Confidence(Enum):
    """How a suggestion was checked."""

    VERIFIED = "verified"
    """The planner used the (hypothetical) index in a what-if plan."""
    HEURISTIC = "heuristic"
    """Derived from statistics or query shape only; not checked by a planner."""


@dataclass(frozen=True)
class Suggestion:
    """One piece of index advice.

    Attributes:
        engine: Driver name.
        target: Table or collection the advice is about.
        ddl: Exact statement or index spec to apply (``CREATE INDEX ...``).
        reason: Which predicates, sort or join it serves, in plain words.
        confidence: Whether a planner confirmed it.
        evidence: Supporting facts (plan lines before and after, ratios).
        cost_before: Planner cost (or engine-specific measure) without the index.
        cost_after: The same with the index; ``None`` when not measured.
        size_bytes: Estimated index size; ``None`` when unknown.
        queries: The statements it helps.
    """

    engine: str
    target: str
    ddl: str
    reason: str
    confidence: Confidence
    evidence: tuple[str, ...] = ()
    cost_before: float | None = None
    cost_after: float | None = None
    size_bytes: int | None = None
    queries: tuple[str, ...] = ()

    @property
    def saving(self) -> float | None:
        """Share (0..1) of the cost the index saves, when both costs are known."""
        if self.cost_before is None or self.cost_after is None or self.cost_before <= 0:
            return None
        return max(0.0, 1.0 - self.cost_after / self.cost_before)
