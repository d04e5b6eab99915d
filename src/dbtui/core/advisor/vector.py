"""pgvector index advice, engine-neutral parts: operator classes, recall@k, reports. No I/O.

A k-nearest-neighbour query ``ORDER BY embedding <=> $1 LIMIT k`` can only use an HNSW or
IVFFlat index whose operator class belongs to its distance operator: ``<->`` (L2)
``vector_l2_ops``, ``<=>`` (cosine) ``vector_cosine_ops``, ``<#>`` (negative inner product)
``vector_ip_ops``, ``<+>`` (L1, HNSW only) ``vector_l1_ops``; ``halfvec_*`` and
``sparsevec_*`` likewise. An index with another class is simply not used.

Approximate indexes trade recall for speed. Recall@k of one query is the share of the exact
k nearest rows that the index returned; :class:`RecallReport` holds it (averaged over sample
query vectors) with the time of the exact and of the index query for each setting of
``hnsw.ef_search`` / ``ivfflat.probes``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

VECTOR_TYPES = ("vector", "halfvec", "sparsevec")
"""pgvector column types (``format_type`` base names)."""
_SUFFIX_OF_OPERATOR = {"<->": "l2_ops", "<=>": "cosine_ops", "<#>": "ip_ops", "<+>": "l1_ops"}
_OPERATOR_NAMES = {"<->": "L2 distance", "<=>": "cosine distance", "<#>": "negative inner product",
                   "<+>": "L1 distance"}  # fmt: skip
_IVFFLAT_TYPES = ("vector", "halfvec")
HNSW_DEFAULTS = {"m": 16, "ef_construction": 64}
"""pgvector's defaults for an HNSW index's storage parameters."""
IVFFLAT_DEFAULTS = {"lists": 100}
"""pgvector's default number of IVFFlat lists."""
EF_SEARCH_STEPS = (10, 20, 40, 100, 200, 400)
"""``hnsw.ef_search`` values the recall check tries (pgvector's default is 40)."""
PROBES_STEPS = (1, 2, 5, 10, 20, 50)
"""``ivfflat.probes`` values the recall check tries (pgvector's default is 1)."""


def vector_type(type_name: str) -> str | None:
    """``vector`` for ``vector(128)`` (any pgvector type); ``None`` for other types."""
    base = type_name.split("(", 1)[0].strip().lower()
    return base if base in VECTOR_TYPES else None


def dimensions(type_name: str) -> int | None:
    """128 for ``vector(128)``; ``None`` when the type has no declared dimension."""
    if vector_type(type_name) is None or "(" not in type_name:
        return None
    digits = type_name.split("(", 1)[1].rstrip(") ")
    return int(digits) if digits.isdigit() else None


def operator_name(operator: str) -> str:
    """``cosine distance`` for ``<=>``; the operator itself when unknown."""
    return _OPERATOR_NAMES.get(operator, operator)


def opclass_for(type_base: str, operator: str, method: str = "hnsw") -> str | None:
    """The operator class an index of ``method`` needs to serve ``operator`` on ``type_base``.

    ``None`` when no such class exists (L1 with IVFFlat, sparsevec with IVFFlat...).
    """
    suffix = _SUFFIX_OF_OPERATOR.get(operator)
    if suffix is None or type_base not in VECTOR_TYPES:
        return None
    if method == "ivfflat" and (type_base not in _IVFFLAT_TYPES or suffix == "l1_ops"):
        return None
    return f"{type_base}_{suffix}"


def operator_of(opclass: str) -> str | None:
    """The distance operator an operator class serves (``<=>`` for ``vector_cosine_ops``)."""
    for operator, suffix in _SUFFIX_OF_OPERATOR.items():
        if opclass.endswith("_" + suffix) and opclass.split("_", 1)[0] in VECTOR_TYPES:
            return operator
    return None


def ivfflat_lists(rows: float) -> int:
    """pgvector's advice for ``lists``: rows / 1000 up to 1M rows, sqrt(rows) above; >= 1."""
    if rows <= 1_000_000:
        return max(1, round(rows / 1000))
    return max(1, round(math.sqrt(rows)))


def with_clause(options: dict[str, int]) -> str:
    """`` WITH (m = 16, ef_construction = 64)``; empty for no options."""
    if not options:
        return ""
    return " WITH (" + ", ".join(f"{name} = {int(value)}" for name, value in options.items()) + ")"


def recall_at_k(exact: Collection[object], approximate: Collection[object]) -> float:
    """Share of the exact neighbours the approximate answer found (1.0 when none exist)."""
    if not exact:
        return 1.0
    return len(set(exact) & set(approximate)) / len(exact)


@dataclass(frozen=True)
class RecallPoint:
    """Recall and speed at one value of the search setting.

    Attributes:
        value: The setting's value (``hnsw.ef_search`` or ``ivfflat.probes``).
        recall: Mean recall@k over the sample queries (0..1).
        index_ms: Mean time of one query through the index, in milliseconds.
        rows: Mean number of rows the index query returned (fewer than k when the index
            search ended early, e.g. a filter that removed most candidates).
    """

    value: int
    recall: float
    index_ms: float
    rows: float


@dataclass(frozen=True)
class RecallReport:
    """What the recall check measured for one k-NN query.

    Attributes:
        index: The index measured (its name, or the DDL of the one built for the check).
        method: ``hnsw`` or ``ivfflat``.
        setting: ``hnsw.ef_search`` or ``ivfflat.probes``.
        k: The LIMIT of the query.
        samples: How many query vectors were drawn from the table.
        exact_ms: Mean time of one exact query (index scans off), in milliseconds.
        points: Recall and time at each setting value, in increasing order.
        planner_uses_index: Plain EXPLAIN (default settings) chose the index.
        built: The index was created for the check inside a transaction that was rolled back.
        build_ms: Time to build it (``None`` when it already existed).
        size_bytes: Its size on disk.
        notes: Anything else worth saying (a filter, an index the planner ignored).
    """

    index: str
    method: str
    setting: str
    k: int
    samples: int
    exact_ms: float
    points: tuple[RecallPoint, ...]
    planner_uses_index: bool
    built: bool = False
    build_ms: float | None = None
    size_bytes: int | None = None
    notes: tuple[str, ...] = ()

    def speedup(self, point: RecallPoint) -> float | None:
        """How many times faster than the exact query the index query was at ``point``."""
        return self.exact_ms / point.index_ms if point.index_ms > 0 else None

    def lowest_value_reaching(self, target: float) -> RecallPoint | None:
        """The first point whose recall is at least ``target`` (e.g. 0.95), if any."""
        return next((p for p in self.points if p.recall >= target), None)

    def lines(self) -> list[str]:
        """The report as plain lines for an evidence list or a terminal."""
        head = (
            f"recall@{self.k} over {self.samples} sample vectors from the table; exact "
            f"query {self.exact_ms:.1f} ms (index scans off)"
        )
        out = [head]
        for point in self.points:
            speed = self.speedup(point)
            times = f"{speed:.1f}x faster" if speed is not None else "time not measured"
            short = f", {point.rows:.1f} rows returned" if point.rows < self.k else ""
            out.append(
                f"  {self.setting} = {point.value}: recall {point.recall:.2f}, "
                f"{point.index_ms:.2f} ms ({times}{short})"
            )
        good = self.lowest_value_reaching(0.95)
        if good is not None:
            out.append(f"recall >= 0.95 from {self.setting} = {good.value}")
        elif self.points:
            out.append(f"recall stays below 0.95 up to {self.setting} = {self.points[-1].value}")
        if not self.planner_uses_index:
            out.append("the planner does not choose this index by itself (plain EXPLAIN)")
        if self.built:
            built = f" in {self.build_ms / 1000:.1f} s" if self.build_ms is not None else ""
            out.append(f"the index was built{built} inside a transaction and rolled back")
        out += list(self.notes)
        return out


def steps_for(method: str, values: Sequence[int] | None = None) -> tuple[str, tuple[int, ...]]:
    """(setting name, values to try) for an index method."""
    if method == "ivfflat":
        return "ivfflat.probes", tuple(values or PROBES_STEPS)
    return "hnsw.ef_search", tuple(values or EF_SEARCH_STEPS)
