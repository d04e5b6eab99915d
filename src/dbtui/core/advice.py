"""Index suggestions and health findings, for every engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum

from dbtui.core.plan import Plan, Severity


class Confidence(Enum):
    """How a suggestion was checked."""

    VERIFIED = "verified"
    """The planner used the (hypothetical) index in a what-if plan."""
    HEURISTIC = "heuristic"
    """Derived from statistics or query shape only; not checked by a planner."""


HIGH_SAVING = 0.9
"""A verified suggestion saving this share of the cost or more is of high severity."""


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
        plan_before: The plan without the index, for a plan compare; ``None`` when
            there was none (heuristic advice).
        plan_after: The what-if plan with the index; ``None`` when not verified.
        columns: The index keys as written in ``ddl`` (columns or expressions).
        method: Index access method ("btree", "gin", "hnsw"; SQLite and MongoDB
            use "btree").
        note: What the user should know about how it was checked (e.g. how to
            enable verification, or that the plan was generic); empty when nothing.
        benefit_ms: Estimated execution time saved in total, in milliseconds, over
            the recorded workload; ``None`` outside workload mode.
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
    plan_before: Plan | None = None
    plan_after: Plan | None = None
    columns: tuple[str, ...] = ()
    method: str = "btree"
    note: str = ""
    benefit_ms: float | None = None

    @property
    def saving(self) -> float | None:
        """Share (0..1) of the cost the index saves, when both costs are known."""
        if self.cost_before is None or self.cost_after is None or self.cost_before <= 0:
            return None
        return max(0.0, 1.0 - self.cost_after / self.cost_before)

    @property
    def severity(self) -> Severity:
        """How much it matters, for ``dbtui advise --fail-on``: HIGH when verified to save
        :data:`HIGH_SAVING` of the cost or more, MEDIUM when verified at all (it saves at
        least half), LOW when heuristic (not checked by a planner)."""
        saving = self.saving
        if self.confidence is not Confidence.VERIFIED or saving is None:
            return Severity.LOW
        return Severity.HIGH if saving >= HIGH_SAVING else Severity.MEDIUM

    @property
    def saving_label(self) -> str:
        """The saving as a positive percentage ("99%"; "<1%" for a tiny one); empty when
        it was not measured. A saving is never shown as a negative number."""
        saving = self.saving
        if saving is None:
            return ""
        return "<1%" if 0.0 < saving < 0.005 else f"{saving:.0%}"


class Advice(list[Suggestion]):
    """Suggestions for a statement, plus what was tried (and why each candidate was
    rejected) so that an empty answer can say so. Compares equal to a plain list.

    Attributes:
        tried: Plain-words lines: the statement's cost, each candidate and why it was
            not suggested, tables that could not be indexed.
    """

    def __init__(self, suggestions: Iterable[Suggestion] = (), tried: Iterable[str] = ()) -> None:
        super().__init__(suggestions)
        self.tried: tuple[str, ...] = tuple(tried)


class HealthKind(StrEnum):
    """What an index-health finding is about."""

    UNUSED_INDEX = "unused-index"
    """No scan since statistics were reset, and it backs no constraint."""
    DUPLICATE_INDEX = "duplicate-index"
    """Same keys, operator classes, expressions and predicate as another index."""
    REDUNDANT_INDEX = "redundant-index"
    """Its keys are a leading prefix of another index's keys."""
    UNINDEXED_FOREIGN_KEY = "unindexed-foreign-key"
    """No index starts with the referencing columns of a foreign key."""
    STATS_WINDOW = "stats-window"
    """Since when the usage statistics count (information: it decides what "unused" means)."""
    INVALID_INDEX = "invalid-index"
    """Left invalid by a failed CREATE INDEX CONCURRENTLY; never used, still maintained."""
    SEQ_SCANS = "seq-scans"
    """A big table read mostly by sequential scans."""
    TABLE_BLOAT = "table-bloat"
    """Much more space than its live rows need (estimated)."""
    INDEX_BLOAT = "index-bloat"
    """Much more space than its entries need (estimated)."""
    BIG_KEY = "big-key"
    """Redis: one of the biggest keys by memory."""
    BIG_NAMESPACE = "big-namespace"
    """Redis: one of the key prefixes holding the most memory."""
    MISSING_TTL = "missing-ttl"
    """Redis: keys without an expiry in a namespace where most keys have one."""
    PAST_COMPACT_LIMIT = "past-compact-limit"
    """Redis: collections just past the listpack/intset limits of the server's config."""
    COMPRESSIBLE = "compressible"
    """Redis: big string values that compress well."""


@dataclass(frozen=True)
class HealthFinding:
    """One index-health problem, with its fix.

    Attributes:
        engine: Driver name.
        kind: What kind of problem it is.
        target: The table it is about (schema-qualified where the engine has schemas).
        subject: The index or constraint concerned; the table itself when none.
        detail: What was found, in plain words.
        ddl: The fix to apply (``DROP INDEX CONCURRENTLY ...``), empty when there is
            no single statement for it. Never run without the user's confirmation.
        severity: How much it matters.
        frees_bytes: Space the fix frees (a dropped index, removed bloat); ``None``
            when it frees nothing or it is unknown.
        costs_bytes: Estimated size of what the fix creates (a new index);
            ``None`` when it creates nothing or it is unknown.
        facts: Supporting numbers as (label, value) pairs, for the detail view.
    """

    engine: str
    kind: HealthKind
    target: str
    subject: str
    detail: str
    ddl: str = ""
    severity: Severity = Severity.LOW
    frees_bytes: int | None = None
    costs_bytes: int | None = None
    facts: tuple[tuple[str, str], ...] = ()
