"""Warnings for MongoDB explain stages, and the mutable stage record the parser builds.

Rules (``plans-and-advisors.md`` A.8, ``redis-mongo-peers.md`` 2.5): a COLLSCAN (low when
the query has no filter), a SORT done in memory (low) or spilled to disk (medium), a
``$group`` that spilled, documents or index keys examined per document returned over 10,
a ``$lookup`` (or SBE ``EQ_LOOKUP``) that scanned the foreign collection, and a plan-wide
note when rejected plans are available.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dbtui.core.plan import Finding, Severity

RATIO_LIMIT = 10.0
"""Documents or keys examined per document returned above which a finding is raised."""


@dataclass(eq=False)
class Stage:
    """Mutable stage while analysing; ``incl`` in ms (cumulative), ``rows`` = nReturned."""

    node_type: str
    raw: dict[str, Any]
    children: list[Stage] = field(default_factory=list)
    incl: float | None = None
    rows: float | None = None
    label: str = ""
    relation: str | None = None
    index: str | None = None
    subplan_name: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def walk(self) -> Iterator[Stage]:
        """This stage and its descendants, depth first, without recursion."""
        stack = [self]
        while stack:
            stage = stack.pop()
            yield stage
            stack.extend(reversed(stage.children))


def ratio_findings(root: Stage, stats: Mapping[str, Any]) -> None:
    """Documents / keys examined per document returned, on the stage that examined most."""
    returned = max(num(stats.get("nReturned")) or 0.0, 1.0)
    for total_key, stage_key, code, what in (
        ("totalDocsExamined", "docsExamined", "docs-examined-ratio", "documents"),
        ("totalKeysExamined", "keysExamined", "keys-examined-ratio", "index keys"),
    ):
        examined = num(stats.get(total_key)) or 0.0
        ratio = examined / returned
        if ratio <= RATIO_LIMIT:
            continue
        stages = [s for s in root.walk() if num(s.raw.get(stage_key))]
        target = max(stages, key=lambda s: num(s.raw.get(stage_key)) or 0.0, default=root)
        target.findings.append(
            Finding(
                code,
                Severity.HIGH if ratio > 1000 else Severity.MEDIUM,
                f"The query examined {examined:,.0f} {what} to return {returned:,.0f} "
                f"({ratio:,.0f} per document returned).",
                "An index matching the filter and then the sort (equality, sort, range "
                "order) would examine far fewer.",
            )
        )


def stage_findings(stage: Stage) -> list[Finding]:
    """COLLSCAN, SORT in memory or spilled, $lookup/EQ_LOOKUP scanning the foreign side."""
    raw, kind = stage.raw, stage.node_type
    found: list[Finding] = []
    if kind == "COLLSCAN":
        found.append(_collscan(stage))
    if kind in ("SORT", "$sort", "group", "GROUP", "$group") or raw.get("usedDisk"):
        spilled = bool(raw.get("usedDisk")) or (num(raw.get("spills")) or 0) > 0
        if spilled:
            found.append(
                Finding(
                    "sort-spill" if "sort" in kind.lower() else "group-spill",
                    Severity.MEDIUM,
                    f"{stage.label} exceeded its memory limit and spilled to disk.",
                    "An index that returns documents in order avoids a blocking sort; "
                    "otherwise reduce the documents reaching this stage.",
                )
            )
        elif kind in ("SORT", "$sort"):
            found.append(
                Finding(
                    "sort-in-memory",
                    Severity.LOW,
                    f"{stage.label} sorted the documents in memory (a blocking sort).",
                    "An index whose keys end with the sort fields would return them in order.",
                )
            )
    if kind == "$lookup" or kind == "EQ_LOOKUP":
        lookup = _lookup(stage)
        if lookup is not None:
            found.append(lookup)
    return found


def _collscan(stage: Stage) -> Finding:
    examined = num(stage.raw.get("docsExamined"))
    seen = f" and examined {examined:,.0f} documents" if examined is not None else ""
    filtered = bool(stage.raw.get("filter"))
    return Finding(
        "collscan",
        Severity.MEDIUM if filtered else Severity.LOW,
        f"Collection scan of {stage.relation or 'the collection'}: no index was used{seen}.",
        "Create an index on the filtered fields (equality first, then sort, then range)."
        if filtered
        else "There is no filter, so reading the whole collection is expected.",
    )


def _lookup(stage: Stage) -> Finding | None:
    raw = stage.raw
    if stage.node_type == "EQ_LOOKUP":
        strategy = raw.get("strategy")
        if strategy not in ("NestedLoopJoin", "HashJoin"):
            return None
        level = Severity.MEDIUM if strategy == "NestedLoopJoin" else Severity.LOW
        scans = f"with a {strategy} (no index on the foreign field)"
    else:
        count = num(raw.get("collectionScans")) or 0.0
        used = raw.get("indexesUsed")
        if count <= 0 and not (isinstance(used, list) and not used and "indexesUsed" in raw):
            return None
        level = Severity.HIGH if count > 100 else Severity.MEDIUM
        docs = num(raw.get("totalDocsExamined")) or 0.0
        scans = f"{count:,.0f} time(s), examining {docs:,.0f} documents"
    spec = mapping(raw.get("$lookup"))
    foreign = spec.get("foreignField") or raw.get("foreignField")
    target = f"{stage.relation}.{foreign}" if foreign else f"the foreign field of {stage.relation}"
    return Finding(
        "lookup-collscan",
        level,
        f"{stage.label} scanned the foreign collection {scans}.",
        f"Create an index on {target}.",
    )


def rejected_plans(doc: Mapping[str, Any]) -> tuple[Finding, ...]:
    """One plan-wide note when the planner compared the winner with other plans."""
    count = sum(len(mapping_list(p.get("rejectedPlans"))) for p in planners(doc))
    if not count:
        return ()
    return (
        Finding(
            "rejected-plans",
            Severity.NONE,
            f"The planner rejected {count} other plan(s); they are in queryPlanner.rejectedPlans.",
            "Explain with verbosity allPlansExecution to compare their numbers.",
        ),
    )


def planners(value: object) -> Iterator[Mapping[str, Any]]:
    """Every queryPlanner-like object (with rejectedPlans) anywhere in the document."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            if "rejectedPlans" in item:
                yield item
            stack.extend(v for k, v in item.items() if k != "rejectedPlans")
        elif isinstance(item, list):
            stack.extend(item)


# -- helpers -----------------------------------------------------------------------------------


def num(value: object) -> float | None:
    """A number (also bson Int64/Decimal128) as float; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:  # bson Int64 / Decimal128 and the like
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def mapping_list(value: object) -> list[Mapping[str, Any]]:
    """The mappings in ``value`` if it is a list, else an empty list."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
