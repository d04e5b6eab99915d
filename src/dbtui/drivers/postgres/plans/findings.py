"""Warnings and severities for analysed PostgreSQL plan nodes, and index candidates.

Thresholds (``plans-and-advisors.md`` A.4/A.10, the ladders of :mod:`.format`): a share
over 10 / 40 / 90 % and a row misestimate over 10 / 100 / 1000x give severity 1 / 2 / 3.
The share is the node's share of the execution time when the plan was timed, else its
share of the total cost (a cost share next to real times would flag nodes that took no
time); it does not count in a trivial plan (under 1 ms, or under cost 10: ``SELECT 1``).
A node's severity is the highest of those levels and of its findings' severities;
never-executed nodes get 0. A node that stopped early (see
:func:`.postgres_analysis.stop_early`) has no over-estimate to report. Sort spills count
the workers' sorts and incremental sort groups too; a Memoize is flagged when its cache
evicted entries or served under 10 % of 1,000+ lookups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbtui.core.plan import Finding, Plan, PlanNode, Severity, TriggerTime
from dbtui.core.plans.format import misestimate_level, share_level
from dbtui.drivers.postgres.plans.analysis import GATHERS, Work, num

SEQ_SCAN_MIN_ROWS = 10_000
"""A seq scan must read at least this many rows to be an index candidate."""
SEQ_SCAN_MIN_REMOVED = 0.9
"""... and its filter must remove more than this share of them."""
SUMMARY_SHARE = 0.1
"""Trigger or JIT time above this share of the execution time is reported."""

_WORK_MEM = "Raise work_mem for this query (SET work_mem = '...') or make the input smaller."


def assess(work: Work) -> None:
    """Set ``work.findings`` and ``work.severity`` from its computed numbers."""
    findings = [f for check in _CHECKS if (f := check(work)) is not None]
    work.findings = tuple(findings)
    if work.never_executed:
        work.severity = Severity.NONE
        return
    share = work.time_share if work.time_share is not None else work.cost_share
    if work.trivial:  # SELECT 1 is 100 % of nothing
        share = None
    levels = [share_level(share), misestimate_level(work.misestimate)]
    work.severity = max([*levels, *(f.severity for f in findings)])


def _sort_spill(work: Work) -> Finding | None:
    raw = work.raw
    places = [raw, *(w for w in raw.get("Workers") or () if isinstance(w, Mapping))]
    disk_kb = 0.0
    spilled = False
    for place in places:
        method = str(place.get("Sort Method") or "")
        if place.get("Sort Space Type") == "Disk" or method.startswith("external"):
            spilled = True
            disk_kb += num(place.get("Sort Space Used")) or 0.0
        for groups in ("Full-sort Groups", "Pre-sorted Groups"):
            group = place.get(groups)
            if isinstance(group, Mapping) and isinstance(group.get("Sort Space Disk"), Mapping):
                spilled = True
                disk_kb += num(group["Sort Space Disk"].get("Peak Sort Space Used")) or 0.0
    if not spilled:
        return None
    size = f" ({disk_kb:,.0f} kB)" if disk_kb else ""
    return Finding(
        "sort-spill",
        Severity.MEDIUM,
        f"The sort did not fit in work_mem and spilled to disk{size}.",
        _WORK_MEM + " An index on the sort key can avoid the sort altogether.",
    )


def _hash_spill(work: Work) -> Finding | None:
    raw = work.raw
    batches = num(raw.get("Hash Batches"))
    if batches is None or batches <= 1:
        return None
    original = num(raw.get("Original Hash Batches")) or batches
    if batches > original:
        return Finding(
            "hash-batches-grew",
            Severity.MEDIUM,
            f"The hash table grew from {original:.0f} to {batches:.0f} batches at run time: "
            "the planner under-estimated its size and it spilled to temporary files.",
            "Check the row estimate of the hashed input (ANALYZE the table); " + _WORK_MEM,
        )
    return Finding(
        "hash-spill",
        Severity.MEDIUM,
        f"The hash table was split into {batches:.0f} batches written to temporary files.",
        _WORK_MEM,
    )


def _hashagg_spill(work: Work) -> Finding | None:
    raw = work.raw
    batches = num(raw.get("HashAgg Batches")) or 0.0
    disk = num(raw.get("Disk Usage")) or 0.0
    if batches <= 1 and disk <= 0:
        return None
    return Finding(
        "hashagg-spill",
        Severity.MEDIUM,
        f"The hash aggregate spilled to disk ({batches:.0f} batches, {disk:,.0f} kB).",
        _WORK_MEM + " hash_mem_multiplier also raises the limit for hash tables only.",
    )


def _temp_spill(work: Work) -> Finding | None:
    written = (work.buffers or {}).get("temp_written", 0.0)
    spill_keys = ("Sort Method", "Hash Batches", "HashAgg Batches")
    if written <= 0 or any(key in work.raw for key in spill_keys):
        return None
    if work.raw.get("Node Type") == "Hash Join":  # its batch files belong to the Hash spill
        return None
    return Finding(
        "temp-spill",
        Severity.LOW,
        f"The node wrote {written:,.0f} temporary blocks ({written * 8:,.0f} kB) to disk.",
        _WORK_MEM,
    )


def _lossy_bitmap(work: Work) -> Finding | None:
    lossy = num(work.raw.get("Lossy Heap Blocks")) or 0.0
    if lossy <= 0:
        return None
    return Finding(
        "lossy-bitmap",
        Severity.MEDIUM,
        f"The bitmap became lossy for {lossy:,.0f} heap blocks: every row on them was rechecked.",
        "Raise work_mem so the bitmap keeps exact row positions.",
    )


def _heap_fetches(work: Work) -> Finding | None:
    fetches = num(work.raw.get("Heap Fetches")) or 0.0  # a total, not a per-loop average
    if work.raw.get("Node Type") != "Index Only Scan" or fetches <= 0:
        return None
    ratio = fetches / max((work.rows or 0.0) + (work.removed or 0.0), 1.0)
    level = Severity.HIGH if ratio > 0.9 else Severity.MEDIUM if ratio > 0.4 else Severity.LOW
    return Finding(
        "heap-fetches",
        level,
        f"The index-only scan had to visit the table {fetches:,.0f} times ({ratio:.0%} of "
        "its rows) because the visibility map is not current.",
        "VACUUM the table (or tune autovacuum) so index-only scans can skip the heap.",
    )


def _fewer_workers(work: Work) -> Finding | None:
    raw = work.raw
    planned = num(raw.get("Workers Planned"))
    launched = num(raw.get("Workers Launched"))
    if raw.get("Node Type") not in GATHERS or planned is None or launched is None:
        return None
    if launched >= planned:
        return None
    return Finding(
        "fewer-workers",
        Severity.MEDIUM if launched == 0 else Severity.LOW,
        f"Only {launched:.0f} of {planned:.0f} planned parallel workers were launched.",
        "The server ran out of background workers: check max_parallel_workers and "
        "max_worker_processes, or the load at the time.",
    )


def _seq_scan_filter(work: Work) -> Finding | None:
    raw = work.raw
    if raw.get("Node Type") != "Seq Scan" or work.removed is None or not raw.get("Filter"):
        return None
    read = work.removed + (work.rows or 0.0)
    if read < SEQ_SCAN_MIN_ROWS or (work.removed_share or 0.0) <= SEQ_SCAN_MIN_REMOVED:
        return None
    relation = _qualified(raw)
    level = Severity.HIGH if (work.time_share or 0.0) > 0.4 else Severity.MEDIUM
    return Finding(
        "seq-scan-filter",
        level,
        f"Seq Scan on {relation} read {read:,.0f} rows and its filter removed "
        f"{work.removed_share or 0.0:.1%} of them; filter: {raw['Filter']}",
        f"An index on the filtered column(s) of {relation} may avoid reading the whole "
        "table; the index advisor can try one.",
    )


def _row_misestimate(work: Work) -> Finding | None:
    factor = work.misestimate
    if factor is None or factor <= 100:
        return None
    way = "under" if work.under else "over"
    return Finding(
        "row-misestimate",
        misestimate_level(factor),
        f"The planner {way}-estimated the rows by {factor:,.0f}x "
        f"({work.est or 0:,.0f} planned, {work.rows or 0:,.0f} actual in total).",
        "ANALYZE the tables involved; for correlated columns try CREATE STATISTICS.",
    )


MEMOIZE_MIN_LOOKUPS = 1_000
"""A Memoize must be probed this often before its hit ratio is judged."""
MEMOIZE_POOR_HITS = 0.1
"""... and serve fewer than this share of the probes from its cache to be flagged."""


def _memoize(work: Work) -> Finding | None:
    """A Memoize whose cache evicted entries, or that almost never hit."""
    raw = work.raw
    if raw.get("Node Type") != "Memoize":
        return None
    hits, misses = num(raw.get("Cache Hits")) or 0.0, num(raw.get("Cache Misses")) or 0.0
    evictions = num(raw.get("Cache Evictions")) or 0.0
    overflows = num(raw.get("Cache Overflows")) or 0.0
    if evictions > 0 or overflows > 0:
        return Finding(
            "memoize-evictions",
            Severity.LOW,
            f"The Memoize cache was too small: {evictions:,.0f} entries evicted, "
            f"{overflows:,.0f} overflows ({hits:,.0f} hits, {misses:,.0f} misses).",
            "Raise work_mem or hash_mem_multiplier so the cache keeps every key.",
        )
    lookups = hits + misses
    if lookups < MEMOIZE_MIN_LOOKUPS or hits / lookups >= MEMOIZE_POOR_HITS:
        return None
    return Finding(
        "memoize-misses",
        Severity.LOW,
        f"The Memoize cache answered only {hits / lookups:.0%} of {lookups:,.0f} lookups: "
        "the planner expected far more repeated keys.",
        "ANALYZE the outer table (n_distinct of the cache key); SET enable_memoize = off "
        "shows whether the plan is better without it.",
    )


def _pruned(work: Work) -> Finding | None:
    removed = num(work.raw.get("Subplans Removed")) or 0.0
    if removed <= 0:
        return None
    return Finding(
        "runtime-pruning",
        Severity.NONE,
        f"{removed:.0f} partition subplan(s) were pruned when execution started.",
    )


_CHECKS = (
    _sort_spill,
    _hash_spill,
    _hashagg_spill,
    _temp_spill,
    _lossy_bitmap,
    _heap_fetches,
    _fewer_workers,
    _seq_scan_filter,
    _row_misestimate,
    _memoize,
    _pruned,
)


def _qualified(raw: Mapping[str, Any]) -> str:
    relation = str(raw.get("Relation Name") or raw.get("Alias") or "?")
    schema = raw.get("Schema")
    return f"{schema}.{relation}" if schema else relation


def summary_findings(
    triggers: Sequence[TriggerTime], jit_ms: float | None, total_ms: float | None
) -> tuple[Finding, ...]:
    """Plan-wide warnings: a trigger or JIT taking over 10 % of the execution time."""
    if not total_ms:
        return ()
    found: list[Finding] = []
    for trigger in triggers:
        share = trigger.time_ms / total_ms
        if share <= SUMMARY_SHARE:
            continue
        what = f"constraint {trigger.constraint}" if trigger.constraint else trigger.name
        advice = (
            "A foreign-key check this slow usually means the referencing column has no index: "
            "index it."
            if trigger.name.startswith("RI_ConstraintTrigger") or trigger.constraint
            else "Look at what the trigger function does per row."
        )
        found.append(
            Finding(
                "trigger-time",
                max(share_level(share), Severity.LOW),
                f"Trigger {trigger.name} ({what}) took {trigger.time_ms:,.3f} ms over "
                f"{trigger.calls} call(s), {share:.0%} of the execution time.",
                advice,
            )
        )
    if jit_ms and jit_ms / total_ms > SUMMARY_SHARE:
        share = jit_ms / total_ms
        found.append(
            Finding(
                "jit-time",
                max(share_level(share), Severity.LOW),
                f"JIT compilation took {jit_ms:,.3f} ms, {share:.0%} of the execution time.",
                "For short queries, raise jit_above_cost or SET jit = off.",
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class IndexCandidate:
    """A sequential scan whose filter throws away most rows: input for the index advisor.

    Attributes:
        relation: Table name as in the plan (``Relation Name``).
        schema: Its schema, when the plan was VERBOSE.
        alias: The alias the filter's column references use.
        filter: The ``Filter`` text, e.g. ``(orders.amount > '10'::numeric)``.
        rows_read: Rows the scan read in total (returned + removed).
        removed_share: Share (0..1) of them the filter removed.
        node: The plan node itself.
    """

    relation: str
    schema: str | None
    alias: str | None
    filter: str
    rows_read: float
    removed_share: float
    node: PlanNode


def index_candidates(plan: Plan) -> list[IndexCandidate]:
    """Every node of ``plan`` flagged ``seq-scan-filter``, in plan order."""
    found: list[IndexCandidate] = []
    for node in plan.root.walk():
        if not any(f.code == "seq-scan-filter" for f in node.findings):
            continue
        raw = node.raw
        schema, alias = raw.get("Schema"), raw.get("Alias")
        found.append(
            IndexCandidate(
                relation=node.relation or str(alias or "?"),
                schema=str(schema) if schema is not None else None,
                alias=str(alias) if alias is not None else None,
                filter=str(raw.get("Filter") or ""),
                rows_read=(node.actual_rows or 0.0) + (node.rows_removed or 0.0),
                removed_share=node.removed_share or 0.0,
                node=node,
            )
        )
    return found
