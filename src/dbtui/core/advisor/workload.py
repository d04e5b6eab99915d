"""Merging per-statement suggestions into one ranked workload list. No I/O.

Each statement of the workload (from ``pg_stat_statements``) was advised on
its own; the same index suggested for several statements becomes one
suggestion that lists them all. Its benefit is the execution time it is
estimated to save over the recorded workload: for each statement, the
statement's total time times the share of its planner cost the index saves
(the planner cost stands in for time). A one-key btree suggestion whose key
leads a suggested two-key index on the same table is folded into that one
(Dexter's last step): the two-key index serves its statements too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dbtui.core.advice import Suggestion


@dataclass(frozen=True)
class WorkloadStatement:
    """One statement of the workload.

    Attributes:
        query: Its text (normalised: constants may be ``$n`` parameters).
        calls: How many times it ran.
        total_ms: Total execution (and planning) time, in milliseconds.
        queryid: The server's fingerprint of the statement.
    """

    query: str
    calls: int
    total_ms: float
    queryid: int | None = None


def benefit_ms(statement: WorkloadStatement, suggestion: Suggestion) -> float:
    """Time ``suggestion`` is estimated to save for ``statement`` over its recorded runs."""
    return statement.total_ms * (suggestion.saving or 0.0)


def merge(
    advised: Iterable[tuple[WorkloadStatement, Sequence[Suggestion]]],
) -> list[Suggestion]:
    """One suggestion per distinct DDL, ranked by estimated time saved (most first).

    Suggestions without costs (heuristic ones) rank after the verified ones, by the
    total time of the statements they would help.
    """
    merged: dict[str, Suggestion] = {}
    weight: dict[str, float] = {}
    for statement, suggestions in advised:
        for suggestion in suggestions:
            gain = benefit_ms(statement, suggestion)
            current = merged.get(suggestion.ddl)
            weight[suggestion.ddl] = weight.get(suggestion.ddl, 0.0) + statement.total_ms
            if current is None:
                merged[suggestion.ddl] = replace(
                    suggestion, benefit_ms=gain, queries=(statement.query,)
                )
                continue
            best = suggestion if gain > (current.benefit_ms or 0.0) else current
            merged[suggestion.ddl] = replace(
                best,
                benefit_ms=(current.benefit_ms or 0.0) + gain,
                queries=(*current.queries, statement.query),
            )
    folded = _fold_leading(list(merged.values()))
    return sorted(folded, key=lambda s: (s.benefit_ms or 0.0, weight.get(s.ddl, 0.0)), reverse=True)


def _fold_leading(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Fold one-key btree suggestions into a suggested multi-key index they lead."""
    kept = list(suggestions)
    for short in suggestions:
        if short.method != "btree" or len(short.columns) != 1:
            continue
        longer = next(
            (
                s for s in kept
                if s is not short and s.target == short.target and s.method == "btree"
                and len(s.columns) > 1 and s.columns[0] == short.columns[0]
            ),
            None,
        )  # fmt: skip
        if longer is None:
            continue
        index = kept.index(longer)
        kept[index] = replace(
            longer,
            benefit_ms=(longer.benefit_ms or 0.0) + (short.benefit_ms or 0.0),
            queries=(*longer.queries, *(q for q in short.queries if q not in longer.queries)),
            evidence=(*longer.evidence, f"also serves the statements of: {short.ddl}"),
        )
        kept.remove(short)
    return kept


@dataclass(frozen=True)
class WorkloadReport:
    """The result of advising a recorded workload.

    Attributes:
        suggestions: Merged suggestions, most time saved first.
        statements: The statements that were advised (with their recorded time).
        skipped: Statements that were not advised, with the reason, as (query, reason).
        note: How the suggestions were checked (empty when verified with HypoPG).
    """

    suggestions: tuple[Suggestion, ...]
    statements: tuple[WorkloadStatement, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    note: str = ""
