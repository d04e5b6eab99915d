"""Advice for one PostgreSQL statement inside an open advisor transaction.

Steps: load the tables the statement names, place its column uses, plan it
with plain EXPLAIN for the cost "before"; then either Dexter's HypoPG passes
over single- and two-key btree candidates (columns and one-column
expressions), or PgHero's ``pg_stats`` heuristic. GIN (jsonb/array
containment) and HNSW (pgvector distance) candidates cannot be simulated by
HypoPG: GIN containment advice is added when the statement is expensive; pgvector
k-NN advice (operator class, wrong-class warning) comes from :mod:`.vector_advice` and
full-text / trigram advice from :mod:`.text_advice`.

Views are followed to their base tables (:mod:`.advisor_views`); a partitioned parent
gets a plain ``CREATE INDEX`` (CONCURRENTLY is refused there). Partial and covering
(INCLUDE) candidates come from :mod:`.advisor_partial`. What was tried and why each
candidate was rejected is kept (:mod:`.advisor_tried`) and returned with the
suggestions as :class:`~dbtui.core.advice.Advice`, so an empty answer can say it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from dbtui.core.advice import Advice, Confidence, Suggestion
from dbtui.core.advisor import dexter, heuristic
from dbtui.core.advisor.candidates import (
    btree_keys,
    dexter_candidates,
    gin_candidates,
)
from dbtui.core.advisor.evidence import cost_line, describe_uses, plan_lines, size_text
from dbtui.core.advisor.indexes import IndexKey, IndexSpec, covering_index, parse_index_keys
from dbtui.core.advisor.shape import ColumnUse, QueryShape, resolve
from dbtui.core.plan import Plan
from dbtui.drivers.postgres.advisor_catalog import PARTITIONED, TableCache, TableFacts
from dbtui.drivers.postgres.advisor_partial import extra_candidates
from dbtui.drivers.postgres.advisor_session import Hypo, PrivateSession, plan_cost
from dbtui.drivers.postgres.advisor_tried import candidate_lines, served_lines, table_lines
from dbtui.drivers.postgres.advisor_views import expand_views
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.drivers.postgres.text_advice import text_suggestions
from dbtui.drivers.postgres.vector_advice import vector_suggestions

ENGINE = "postgresql"
ADVISABLE = frozenset({"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"})
UNVERIFIABLE_MIN_ROWS = 1_000
"""GIN/HNSW advice (never verified) needs a table at least this big."""

NOTE_SIZE = "The size is HypoPG's estimate, an upper bound (it ignores btree deduplication)."
NOTE_GENERIC = "Planned as a generic plan: the statement has $n parameters with unknown values."
NOTE_PARTITIONED = (
    "The table is partitioned: CREATE INDEX on it builds one index per partition and "
    "cannot be CONCURRENTLY; to avoid blocking writes, create it ON ONLY the parent, then "
    "CONCURRENTLY on each partition and ATTACH PARTITION each one."
)
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
        tried: What the current statement's advice tried, for an empty answer
            (:class:`~dbtui.core.advice.Advice`).
    """

    session: PrivateSession
    version: int
    hypo: Hypo | None
    tables: TableCache
    note: str = ""
    tried: list[str] = field(default_factory=list)


def advise_in(context: Context, text: str, shape: QueryShape) -> Advice:
    """Suggestions for one statement (verified first, then heuristic ones).

    Args:
        context: The open advisor transaction.
        text: The statement (one, without EXPLAIN and without a trailing ``;``).
        shape: Its shape (:func:`dbtui.drivers.postgres.sqlwalk.extract_shape`).

    Raises:
        QueryError: the server cannot plan the statement.
    """
    context.tried = []
    shape = expand_views(context.session, context.tables, text, shape)
    facts = context.tables.load(shape.tables)
    uses = resolve(shape, lambda ref: facts[ref.key].columns if ref.key in facts else ())
    merged: dict[int, tuple[TableFacts, list[ColumnUse]]] = {}
    for key, table_uses in uses.items():  # "orders" and "public.orders" are one table
        if key in facts and facts[key].indexable:
            merged.setdefault(facts[key].oid, (facts[key], []))[1].extend(table_uses)
    targets = list(merged.values())
    context.tried += table_lines(shape, facts, uses)
    raw = context.session.explain(text, shape.params, context.version)
    before = dexter.Outcome(plan_cost(raw), (), raw)
    context.tried.append(f"the statement's planner cost now: {before.cost:,.0f}")
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
    searches = text_suggestions(context.session.rows, text, plan_before)
    trigram = {(s.target, s.columns) for s in searches if "_trgm_ops" in s.ddl}
    found = [s for s in found if "_trgm_ops" not in s.ddl or (s.target, s.columns) not in trigram]
    found += vector_suggestions(context.session.rows, text, plan_before) + searches
    return Advice(found, context.tried)


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
    extra = [
        spec
        for table, table_uses in targets
        for spec in extra_candidates(context.session.rows, text, table, table_uses)
    ]

    def what_if(specs: Sequence[IndexSpec]) -> dexter.Outcome:
        hypo.ensure(specs)
        outcome = hypo.outcome(context.session.explain(text, shape.params, context.version))
        if len(specs) == 1:
            outcome = replace(outcome, size=hypo.size(specs[0]))
        return outcome

    selection = dexter.select(before, singles, pairs, what_if, extra)
    tried = {*singles, *pairs, *extra}
    failed = {spec: why for spec, why in hypo.failed.items() if spec in tried}
    context.tried += served_lines(targets) + candidate_lines(selection, failed)
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
            context.tried.append(f"{dexter.label(spec)}: an existing index already serves it")
            continue
        suggestion = _verified_suggestion(
            spec, text, table_uses, (before, after), plan_after, hypo, notes
        )
        evidence = (*suggestion.evidence[:1], f"chosen because {selection.reason}")
        suggestion = replace(suggestion, evidence=evidence + suggestion.evidence[1:])
        if table.relkind == PARTITIONED:
            suggestion = replace(
                suggestion,
                ddl=spec.ddl(concurrently=False),
                note=" ".join(filter(None, [suggestion.note, NOTE_PARTITIONED])),
            )
        found.append(suggestion)
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
            context.tried.append(
                f"{table.schema}.{table.name}: no column of the statement is selective enough "
                f"by pg_stats ({table.reltuples:,.0f} rows) for an index (heuristic, no HypoPG)"
            )
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
    """GIN containment advice for big tables (HypoPG cannot simulate GIN)."""
    found: list[Suggestion] = []
    for table, table_uses in targets:
        if table.reltuples < UNVERIFIABLE_MIN_ROWS:
            continue
        specs = gin_candidates(table.name, table.schema, table_uses, table.columns, table.indexes)
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
