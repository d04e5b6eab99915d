"""Advice for one PostgreSQL statement inside an open advisor transaction.

Steps: load the tables the statement names, place its column uses, plan it
with plain EXPLAIN for the cost "before"; then either Dexter's HypoPG passes
over single- and two-key btree candidates (columns and one-column
expressions), or PgHero's ``pg_stats`` heuristic. GIN (jsonb/array
containment) and HNSW (pgvector distance) candidates cannot be simulated by
HypoPG: they are added as heuristic advice when the statement is expensive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.advisor import dexter, heuristic
from dbtui.core.advisor.candidates import (
    btree_keys,
    dexter_candidates,
    gin_candidates,
    vector_candidates,
)
from dbtui.core.advisor.evidence import cost_line, describe_uses, plan_lines, size_text
from dbtui.core.advisor.indexes import IndexKey, IndexSpec, covering_index, parse_index_keys
from dbtui.core.advisor.shape import ColumnUse, QueryShape, resolve
from dbtui.core.plan import Plan
from dbtui.drivers.postgres.advisor_catalog import TableCache, TableFacts
from dbtui.drivers.postgres.advisor_session import Hypo, PrivateSession, plan_cost
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan

ENGINE = "postgresql"
ADVISABLE = frozenset({"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"})
UNVERIFIABLE_MIN_ROWS = 1_000
"""GIN/HNSW advice (never verified) needs a table at least this big."""

NOTE_SIZE = "The size is HypoPG's estimate, an upper bound (it ignores btree deduplication)."
NOTE_GENERIC = "Planned as a generic plan: the statement has $n parameters with unknown values."
NOTE_UNVERIFIABLE = (
    "HypoPG cannot simulate {method} indexes, so this is not verified: create it and "
    "compare the plans."
)

Targets = Sequence[tuple[TableFacts, list[ColumnUse]]]
"""The statement's indexable tables with the uses of their columns."""


@dataclass
class Context:
    """One advisor transaction.

    Attributes:
        session: The private session.
        version: ``server_version_num``.
        hypo: HypoPG on this transaction; ``None`` means heuristic advice only.
        tables: Table facts, cached for the transaction.
        note: Why suggestions are heuristic and how to enable verification.
    """

    session: PrivateSession
    version: int
    hypo: Hypo | None
    tables: TableCache
    note: str = ""


def advise_in(context: Context, text: str, shape: QueryShape) -> list[Suggestion]:
    """Suggestions for one statement (verified first, then heuristic ones).

    Args:
        context: The open advisor transaction.
        text: The statement (one, without EXPLAIN and without a trailing ``;``).
        shape: Its shape (:func:`dbtui.drivers.postgres.sqlwalk.extract_shape`).

    Raises:
        QueryError: the server cannot plan the statement.
    """
    facts = context.tables.load(shape.tables)
    uses = resolve(shape, lambda ref: facts[ref.key].columns if ref.key in facts else ())
    merged: dict[int, tuple[TableFacts, list[ColumnUse]]] = {}
    for key, table_uses in uses.items():  # "orders" and "public.orders" are one table
        if key in facts and facts[key].indexable:
            merged.setdefault(facts[key].oid, (facts[key], []))[1].extend(table_uses)
    targets = list(merged.values())
    raw = context.session.explain(text, shape.params, context.version)
    before = dexter.Outcome(plan_cost(raw), (), raw)
    plan_before = parse_postgres_plan(raw, text)
    notes = [NOTE_GENERIC] if shape.has_params else []
    if context.hypo is not None:
        try:
            with context.session.savepoint("dbtui_whatif"):
                found = _verified(context, context.hypo, text, shape, before, targets, notes)
        finally:
            context.hypo.reset()  # after the savepoint: the transaction is usable again
    else:
        found = _heuristic(context, text, shape, plan_before, targets, [*notes, context.note])
    found = [replace(s, plan_before=plan_before) for s in found]
    if before.cost >= dexter.MIN_COST:
        found += _unverifiable(text, plan_before, targets, notes)
    return found


def _verified(
    context: Context,
    hypo: Hypo,
    text: str,
    shape: QueryShape,
    before: dexter.Outcome,
    targets: Targets,
    notes: list[str],
) -> list[Suggestion]:
    """Dexter's passes over the btree candidates; suggestions carry the "after" plan."""
    singles, pairs = _btree_candidates(targets)

    def what_if(specs: Sequence[IndexSpec]) -> dexter.Outcome:
        hypo.ensure(specs)
        return hypo.outcome(context.session.explain(text, shape.params, context.version))

    selection = dexter.select(before, singles, pairs, what_if)
    if selection.after is None:
        return []
    after = selection.after
    plan_after = parse_postgres_plan(after.plan, text)
    found: list[Suggestion] = []
    for spec in selection.indexes:
        table, table_uses = next(
            (t, u) for t, u in targets if (t.schema, t.name) == (spec.schema, spec.table)
        )
        if _already_served(hypo, spec, table):
            continue
        found.append(
            _verified_suggestion(spec, text, table_uses, (before, after), plan_after, hypo, notes)
        )
    return found


def _verified_suggestion(
    spec: IndexSpec,
    text: str,
    uses: Sequence[ColumnUse],
    outcomes: tuple[dexter.Outcome, dexter.Outcome],
    plan_after: Plan,
    hypo: Hypo,
    notes: Sequence[str],
) -> Suggestion:
    """A verified suggestion: costs before and after, HypoPG's size, the "after" plan."""
    before, after = outcomes
    size = hypo.size(spec)
    evidence = [cost_line(before.cost, after.cost)]
    if size is not None:
        evidence.append(f"estimated size up to {size_text(size)}")
    evidence += ["plan after:", *plan_lines(plan_after)]
    return replace(
        _suggestion(spec, text, uses, Confidence.VERIFIED, evidence),
        cost_before=before.cost,
        cost_after=after.cost,
        size_bytes=size,
        plan_after=plan_after,
        note=" ".join([*notes, NOTE_SIZE] if size is not None else notes),
    )


def _btree_candidates(targets: Targets) -> tuple[list[IndexSpec], list[IndexSpec]]:
    """Single- and two-key btree candidates over all the statement's tables."""
    singles: list[IndexSpec] = []
    pairs: list[IndexSpec] = []
    for table, table_uses in targets:
        keys = btree_keys(table_uses, table.columns)
        one, two = dexter_candidates(table.name, table.schema, keys, table.indexes)
        singles += one
        pairs += two
    return singles, pairs


def _already_served(hypo: Hypo, spec: IndexSpec, table: TableFacts) -> bool:
    """Check, with the server's own rendering of the keys, that no index already serves it."""
    definition = hypo.definition(spec)
    if definition is None:
        return False
    method, keys = parse_index_keys(definition)
    rendered = IndexSpec(
        spec.table, spec.schema, tuple(IndexKey(expression=k) for k in keys), method
    )
    return covering_index(rendered, table.indexes) is not None


def _heuristic(
    context: Context,
    text: str,
    shape: QueryShape,
    plan: Plan,
    targets: Targets,
    notes: list[str],
) -> list[Suggestion]:
    """PgHero's pick per table, unless an existing index already serves it."""
    found: list[Suggestion] = []
    for table, table_uses in targets:
        stats = context.tables.stats(table)
        choice = heuristic.choose(
            table_uses, stats, table.reltuples, limited=shape.limit is not None
        )
        if choice is None:
            continue
        if choice.trigram:
            key = IndexKey(column=choice.keys[0].column, opclass="gist_trgm_ops")
            spec = IndexSpec(table.name, table.schema, (key,), method="gist")
        else:
            spec = IndexSpec(table.name, table.schema, choice.keys)
        if covering_index(spec, table.indexes) is not None:
            continue
        evidence = [
            f"estimated rows: {choice.rows_before:,.0f} in the table, "
            f"about {choice.rows_after:,.0f} after these conditions (from pg_stats)",
            "plan now:",
            *plan_lines(plan),
        ]
        suggestion = _suggestion(spec, text, table_uses, Confidence.HEURISTIC, evidence)
        found.append(replace(suggestion, note=" ".join(n for n in notes if n)))
    return found


def _unverifiable(text: str, plan: Plan, targets: Targets, notes: list[str]) -> list[Suggestion]:
    """GIN and HNSW advice for big tables (HypoPG cannot simulate either)."""
    found: list[Suggestion] = []
    for table, table_uses in targets:
        if table.reltuples < UNVERIFIABLE_MIN_ROWS:
            continue
        specs = gin_candidates(
            table.name, table.schema, table_uses, table.columns, table.indexes
        ) + vector_candidates(table.name, table.schema, table_uses, table.columns, table.indexes)
        for spec in specs:
            evidence = [f"table rows (estimate): {table.reltuples:,.0f}", "plan now:"]
            suggestion = _suggestion(
                spec, text, table_uses, Confidence.HEURISTIC, [*evidence, *plan_lines(plan)]
            )
            note = NOTE_UNVERIFIABLE.format(method=spec.method.upper())
            found.append(replace(suggestion, plan_before=plan, note=" ".join([*notes, note])))
    return found


def _suggestion(
    spec: IndexSpec,
    text: str,
    uses: Sequence[ColumnUse],
    confidence: Confidence,
    evidence: Sequence[str],
) -> Suggestion:
    return Suggestion(
        engine=ENGINE,
        target=f"{spec.schema}.{spec.table}" if spec.schema else spec.table,
        ddl=spec.ddl(concurrently=True),
        reason=f"Serves {describe_uses(spec.keys, uses)}.",
        confidence=confidence,
        evidence=tuple(evidence),
        queries=(text,),
        columns=spec.labels,
        method=spec.method,
    )
