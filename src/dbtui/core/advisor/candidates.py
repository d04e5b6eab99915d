"""Candidate indexes for one table, from the column uses a statement makes of it.

PostgreSQL (Dexter's method, ``plans-and-advisors.md`` B.2): every column or
one-column expression the statement filters, joins, sorts or groups by becomes a
single-key btree candidate, and every ordered pair of them a two-key candidate;
the planner, given them all as hypothetical indexes, decides which are worth it.
Columns a btree cannot index usefully (json, jsonb, geometric types, vectors) are
left out. jsonb and array containment give GIN candidates and pgvector distance
ordering gives HNSW candidates; those cannot be simulated with HypoPG.

SQLite (``.expert``, B.6): per table, all equality columns as one index, the
equality columns plus each range column, and the equality columns followed by
the ORDER BY columns. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import permutations

from dbtui.core.advisor.indexes import ExistingIndex, IndexKey, IndexSpec, covering_index
from dbtui.core.advisor.shape import FILTER_USES, ColumnUse, Use

MAX_CANDIDATES = 400
"""Hypothetical indexes per statement at most (HypoPG has room for about 2,500 per session)."""
BTREE_USES = FILTER_USES | {Use.JOIN, Use.ORDER, Use.GROUP}
NOT_BTREE_TYPES = frozenset(
    {"json", "jsonb", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle",
     "tsvector", "tsquery", "vector", "halfvec", "sparsevec"}
)  # fmt: skip
_VECTOR_OPCLASS = {"<->": "l2_ops", "<=>": "cosine_ops", "<#>": "ip_ops", "<+>": "l1_ops"}


def base_type(type_name: str) -> str:
    """``character varying(20)`` -> ``character varying``; ``vector(3)`` -> ``vector``."""
    return type_name.split("(", 1)[0].strip().lower()


def use_key(use: ColumnUse) -> IndexKey:
    """The index key that serves ``use``: its expression, or its column."""
    if use.expression is not None:
        return IndexKey(expression=use.expression)
    return IndexKey(column=use.column)


def btree_keys(uses: Iterable[ColumnUse], types: Mapping[str, str]) -> list[IndexKey]:
    """Distinct btree-indexable keys of ``uses``, in first-use order.

    Args:
        uses: One table's column uses.
        types: Column name -> type name (``format_type`` output); unknown columns are skipped.
    """
    keys: list[IndexKey] = []
    for use in uses:
        if use.use not in BTREE_USES or use.column not in types:
            continue
        if use.expression is None and base_type(types[use.column]) in NOT_BTREE_TYPES:
            continue
        key = use_key(use)
        if key not in keys:
            keys.append(key)
    return keys


def dexter_candidates(
    table: str,
    schema: str | None,
    keys: Sequence[IndexKey],
    existing: Sequence[ExistingIndex],
    budget: int = MAX_CANDIDATES,
) -> tuple[list[IndexSpec], list[IndexSpec]]:
    """(single-key candidates, ordered two-key candidates) for one table.

    Candidates an existing valid index already serves as a prefix are left out (the
    planner can use the real index). Pairs stop at ``budget`` candidates in total.
    """
    singles = [IndexSpec(table, schema, (key,)) for key in keys]
    singles = [spec for spec in singles if covering_index(spec, existing) is None]
    pairs: list[IndexSpec] = []
    for first, second in permutations(keys, 2):
        if len(singles) + len(pairs) >= budget:
            break
        spec = IndexSpec(table, schema, (first, second))
        if covering_index(spec, existing) is None:
            pairs.append(spec)
    return singles, pairs


def gin_candidates(
    table: str,
    schema: str | None,
    uses: Iterable[ColumnUse],
    types: Mapping[str, str],
    existing: Sequence[ExistingIndex],
) -> list[IndexSpec]:
    """GIN indexes for jsonb and array containment (``@>``, ``?``, ``&&``...)."""
    found: list[IndexSpec] = []
    for use in uses:
        type_name = types.get(use.column, "")
        if use.use is not Use.CONTAINS or not (type_name == "jsonb" or type_name.endswith("[]")):
            continue
        spec = IndexSpec(table, schema, (IndexKey(column=use.column),), method="gin")
        if spec not in found and covering_index(spec, existing) is None:
            found.append(spec)
    return found


def vector_candidates(
    table: str,
    schema: str | None,
    uses: Iterable[ColumnUse],
    types: Mapping[str, str],
    existing: Sequence[ExistingIndex],
) -> list[IndexSpec]:
    """HNSW indexes for pgvector ``ORDER BY col <=> constant`` (operator class by operator)."""
    found: list[IndexSpec] = []
    for use in uses:
        kind = base_type(types.get(use.column, ""))
        suffix = _VECTOR_OPCLASS.get(use.operator)
        if use.use is not Use.DISTANCE or suffix is None or kind not in ("vector", "halfvec"):
            continue
        key = IndexKey(column=use.column, opclass=f"{kind}_{suffix}")
        spec = IndexSpec(table, schema, (key,), method="hnsw")
        served = any(
            index.method in ("hnsw", "ivfflat") and index.valid and index.keys[:1] == (use.column,)
            for index in existing
        )
        if spec not in found and not served:
            found.append(spec)
    return found


def expert_candidates(
    table: str,
    uses: Sequence[ColumnUse],
    existing: Sequence[ExistingIndex],
) -> list[IndexSpec]:
    """SQLite ``.expert`` candidates for one table (see the module notes).

    Join columns count as equality (the inner loop of a join looks rows up by
    them); ``IN`` and ``IS NULL`` too, as SQLite's planner treats them so.
    """
    equality: list[IndexKey] = []
    ranges: list[IndexKey] = []
    order: list[IndexKey] = []
    for use in uses:
        key = use_key(use)
        if use.use in (Use.EQUALITY, Use.JOIN, Use.NULL_TEST):
            bucket = equality
        elif use.use in (Use.RANGE, Use.LIKE):
            bucket = ranges
        elif use.use in (Use.ORDER, Use.GROUP):
            bucket = order
        else:
            continue
        if key not in bucket:
            bucket.append(key)
    shapes: list[tuple[IndexKey, ...]] = []
    if equality:
        shapes.append(tuple(equality))
    shapes += [(*equality, key) for key in ranges if key not in equality]
    if order:
        shapes.append((*[k for k in equality if k not in order], *order))
    specs: list[IndexSpec] = []
    for keys in shapes:
        spec = IndexSpec(table, None, keys)
        if spec not in specs and covering_index(spec, existing) is None:
            specs.append(spec)
    return specs
