"""MongoDB ``explain`` output (find and aggregate) turned into an analysed :class:`Plan`.

Shapes (``redis-mongo-peers.md`` 2.5 and 4.1, ``plans-and-advisors.md`` A.8):

* classic engine: ``queryPlanner.winningPlan`` and, with ``executionStats``,
  ``executionStats.executionStages`` (same tree, with numbers); children via
  ``inputStage``, ``inputStages``, ``outerStage``, ``innerStage``, ``thenStage``,
  ``elseStage``;
* slot-based engine (``explainVersion: "2"``): ``winningPlan.queryPlan`` is the tree (with
  ``planNodeId``); the SBE ``executionStages`` are folded onto it by ``planNodeId``: time and
  ``nReturned`` from the shallowest SBE stage with that id, documents examined as the sum
  of ``numReads`` of its ``seek``/``scan`` stages, keys examined from its ``ixseek``/``ixscan``
  stages (their ``keysExamined`` when present, else ``numReads``);
* aggregate: a ``stages`` list, shown as a chain (each stage reads the previous one; the
  first is usually ``$cursor`` holding a whole query plan);
* sharded: ``SHARD_MERGE``/``SINGLE_SHARD`` with ``shards[]`` (find) or a top-level
  ``shards`` object (aggregate), one child per shard.

Stage times are cumulative (inclusive); exclusive = the stage's time minus its largest
child's, as MongoDB Compass does (children may run in parallel, as shards do).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dbtui.core.plan import Plan, PlanNode, PlanSummary
from dbtui.core.plans.errors import PlanFormatError, clean_errors
from dbtui.core.plans.format import share_level, trivial
from dbtui.drivers.mongo.plans.findings import (
    Stage,
    mapping,
    mapping_list,
    num,
    planners,
    ratio_findings,
    rejected_plans,
    stage_findings,
)

ENGINE = "mongodb"
CHILD_KEYS = ("inputStage", "inputStages", "outerStage", "innerStage", "thenStage", "elseStage")
_NOT_RAW = frozenset({*CHILD_KEYS, "shards", "executionStages"})
_INDEX_STAGES = frozenset({"IXSCAN", "EXPRESS_IXSCAN", "COUNT_SCAN", "DISTINCT_SCAN"})
_COMMAND_NOISE = frozenset({"$db", "maxTimeMS", "cursor", "lsid", "$clusterTime", "allowDiskUse"})


@clean_errors("MongoDB explain output this parser understands")
def parse_mongo_explain(doc: Mapping[str, Any], statement: str = "") -> Plan:
    """Parse and analyse one MongoDB explain document.

    Args:
        doc: What ``explain`` returned (``find``/``aggregate``, any verbosity, classic or
            slot-based engine, sharded or not), e.g. from pymongo's ``Cursor.explain()``
            or ``db.command("explain", ...)``.
        statement: The command that was explained; when empty, the document's own
            ``command`` is shown in compact JSON.

    Returns:
        The analysed plan: cumulative and exclusive stage times (ms), nReturned, findings.

    Raises:
        PlanFormatError: The document is not an explain output.
    """
    if not isinstance(doc, Mapping):
        raise PlanFormatError("a MongoDB explain must be a document (an object)")
    namespace = _namespace(doc)
    root = _explain_tree(doc, namespace)
    total = _total_ms(doc, root)
    nodes = _freeze(root, total)
    planning = [num(p.get("optimizationTimeMillis")) for p in planners(doc)]
    summary = PlanSummary(
        planning_ms=max((v for v in planning if v is not None), default=None),
        execution_ms=total,
        findings=rejected_plans(doc),
    )
    analysed = any(s.incl is not None or s.rows is not None for s in root.walk())
    text = statement or _command_text(doc)
    return Plan(engine=ENGINE, statement=text, root=nodes, summary=summary, analysed=analysed)


# -- tree building -----------------------------------------------------------------------------


def _explain_tree(doc: Mapping[str, Any], namespace: str | None) -> Stage:
    """Dispatch on the explain's shape: sharded aggregate, pipeline, or query plan."""
    shards = doc.get("shards")
    if isinstance(shards, Mapping) and "stages" not in doc and "queryPlanner" not in doc:
        merge = Stage("SHARD_MERGE", _raw(doc, skip=("shards", "command", "serverInfo")))
        merge.label = f"SHARD_MERGE ({doc.get('mergeType', 'merge')})"
        for name, shard_doc in shards.items():
            child = _explain_tree(mapping(shard_doc), namespace)
            merge.children.append(_shard(str(name), child, mapping(shard_doc)))
        merge.incl = max((c.incl for c in merge.children if c.incl is not None), default=None)
        return merge
    if isinstance(doc.get("stages"), list):
        return _pipeline(doc["stages"], namespace)
    if isinstance(doc.get("queryPlanner"), Mapping):
        stats = doc.get("executionStats")
        return _query_tree(doc["queryPlanner"], mapping(stats) or None, namespace)
    raise PlanFormatError("this is not MongoDB explain output (no queryPlanner or stages)")


def _pipeline(stages: list[Any], namespace: str | None) -> Stage:
    """Aggregate stages as a chain whose root is the last stage."""
    previous: Stage | None = None
    for item in stages:
        entry = mapping(item)
        name = next((k for k in entry if k.startswith("$")), "?")
        body = entry.get(name)
        node = Stage(name, _raw(entry, skip=(name,)))
        node.incl, node.rows = _time(entry), num(entry.get("nReturned"))
        if previous is not None:
            node.children.append(previous)
        if name == "$cursor" and isinstance(body, Mapping):
            planner = mapping(body.get("queryPlanner"))
            node.raw.update({k: planner[k] for k in ("namespace", "parsedQuery") if k in planner})
            stats = mapping(body.get("executionStats")) or None
            node.children.append(_query_tree(planner, stats, namespace))
            node.relation = _collection(planner.get("namespace")) or namespace
        elif isinstance(body, Mapping):
            node.raw[name] = dict(body)
        else:
            node.raw[name] = body
        _describe_pipeline(node, name, body)
        previous = node
    if previous is None:
        raise PlanFormatError("the aggregate explain has an empty stages list")
    return previous


def _query_tree(
    planner: Mapping[str, Any], stats: Mapping[str, Any] | None, namespace: str | None
) -> Stage:
    """One query's plan: classic or SBE, sharded or not, with ratio findings."""
    namespace = _collection(planner.get("namespace")) or namespace
    winning = mapping(planner.get("winningPlan"))
    executed = mapping(stats.get("executionStages")) if stats else {}
    top = executed or winning
    if isinstance(top.get("shards"), list):
        return _sharded(top, winning, stats, namespace)
    if isinstance(winning.get("queryPlan"), Mapping):
        root = _classic(winning["queryPlan"], namespace)
        if executed:
            _fold_sbe(root, executed)
    else:
        root = _classic(_with_planned(executed, winning) if executed else winning, namespace)
    if stats:
        ratio_findings(root, stats)
    return root


def _with_planned(executed: Mapping[str, Any], planned: Mapping[str, Any]) -> dict[str, Any]:
    """The executed stage tree with fields it lacks filled in from the winning plan.

    A real server repeats every winning-plan field in ``executionStages``, so this changes
    nothing there; MongoDB-compatible servers may report bare executed stages (no index
    name, no sort pattern). Stages are paired by name, skipping planned stages that did not
    run; the input is not modified.
    """
    twin = _same_stage(planned, executed.get("stage"))
    merged = {k: v for k, v in twin.items() if k not in CHILD_KEYS}
    merged.update(executed)
    for key in CHILD_KEYS:
        value, planned_value = executed.get(key), twin.get(key)
        if isinstance(value, Mapping):
            merged[key] = _with_planned(value, mapping(planned_value))
        elif isinstance(value, list):
            others = planned_value if isinstance(planned_value, list) else []
            merged[key] = [
                _with_planned(v, mapping(others[i]) if i < len(others) else {})
                for i, v in enumerate(value)
                if isinstance(v, Mapping)
            ]
    return merged


def _same_stage(planned: Mapping[str, Any], stage: object) -> Mapping[str, Any]:
    """``planned`` or its first descendant with the given stage name; ``{}`` if none."""
    stack = [planned]
    while stack:
        node = stack.pop(0)
        if node.get("stage") == stage:
            return node
        for key in CHILD_KEYS:
            value = node.get(key)
            stack.extend(v for v in (value if isinstance(value, list) else [value]) if v)
    return {}


def _sharded(
    top: Mapping[str, Any],
    winning: Mapping[str, Any],
    stats: Mapping[str, Any] | None,
    namespace: str | None,
) -> Stage:
    """SHARD_MERGE / SINGLE_SHARD: pair planner and execution entries by shard name."""
    merge = Stage(str(top.get("stage") or "SHARD_MERGE"), _raw(top))
    merge.incl, merge.rows = _time(top), num(top.get("nReturned"))
    planned = {str(s.get("shardName")): s for s in mapping_list(winning.get("shards"))}
    executed = mapping(stats.get("executionStages")) if stats else {}
    ran = {str(s.get("shardName")): s for s in mapping_list(executed.get("shards"))}
    for name in dict.fromkeys([*planned, *ran]):
        planner, shard_stats = planned.get(name, {}), ran.get(name)
        child = _query_tree(planner, shard_stats, namespace)
        merge.children.append(_shard(name, child, shard_stats or planner))
    return merge


def _shard(name: str, child: Stage, entry: Mapping[str, Any]) -> Stage:
    shard = Stage("SHARD", _raw(entry, skip=("stages", "queryPlanner", "executionStats")))
    shard.label, shard.subplan_name, shard.children = f"shard {name}", name, [child]
    shard.incl = _time(entry) if _time(entry) is not None else child.incl
    shard.rows = num(entry.get("nReturned"))
    return shard


def _classic(stage: Mapping[str, Any], namespace: str | None) -> Stage:
    """A classic (or SBE ``queryPlan``) stage tree, children in their plan order."""
    node = Stage(str(stage.get("stage") or "?"), _raw(stage))
    node.incl, node.rows = _time(stage), num(stage.get("nReturned"))
    for key in CHILD_KEYS:
        value = stage.get(key)
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, Mapping):
                node.children.append(_classic(child, namespace))
    _describe(node, namespace)
    return node


def _fold_sbe(root: Stage, sbe: Mapping[str, Any]) -> None:
    """Attach SBE execution numbers to the ``queryPlan`` nodes by ``planNodeId``."""
    by_id: dict[Any, list[Mapping[str, Any]]] = {}
    queue: list[Mapping[str, Any]] = [sbe]
    while queue:  # breadth first, so the first stage seen per id is the shallowest
        stage = queue.pop(0)
        by_id.setdefault(stage.get("planNodeId"), []).append(stage)
        for key in CHILD_KEYS:
            value = stage.get(key)
            queue.extend(v for v in (value if isinstance(value, list) else [value]) if v)
    for node in root.walk():
        stages = by_id.get(node.raw.get("planNodeId"), [])
        if not stages:
            continue
        node.incl, node.rows = _time(stages[0]), num(stages[0].get("nReturned"))
        node.raw["sbeStages"] = [str(s.get("stage")) for s in stages]
        reads = [s for s in stages if s.get("stage") in ("seek", "scan")]
        if reads:
            node.raw["docsExamined"] = sum(num(s.get("numReads")) or 0 for s in reads)
        keyed = [s for s in stages if s.get("stage") in ("ixseek", "ixscan")]
        if keyed:
            field_name = "keysExamined" if any("keysExamined" in s for s in keyed) else "numReads"
            node.raw["keysExamined"] = sum(num(s.get(field_name)) or 0 for s in keyed)
        if any(s.get("usedDisk") for s in stages):
            node.raw["usedDisk"] = True
        node.raw["spills"] = sum(num(s.get("spills")) or 0 for s in stages)


# -- labels ------------------------------------------------------------------------------------


def _describe(node: Stage, namespace: str | None) -> None:
    """Label, collection and index of a query stage."""
    raw, stage = node.raw, node.node_type
    if stage in _INDEX_STAGES or "indexName" in raw:
        node.index = str(raw.get("indexName") or "") or None
        node.relation = namespace
        node.label = f"{stage} using {node.index}" if node.index else stage
    elif stage in ("COLLSCAN", "FETCH", "CLUSTERED_IXSCAN", "IDHACK", "EXPRESS_IDHACK"):
        node.relation = namespace
        node.label = f"{stage} on {namespace}" if namespace and stage != "FETCH" else stage
    elif stage in ("SORT", "SORT_KEY_GENERATOR"):
        limit = raw.get("limitAmount")
        node.label = f"{stage} {_pattern(raw.get('sortPattern'))}".rstrip()
        node.label += f" limit {limit}" if limit else ""
    elif stage == "EQ_LOOKUP":
        node.relation = _collection(raw.get("foreignCollection"))
        node.label = f"EQ_LOOKUP from {node.relation} ({raw.get('strategy', '?')})"
    else:
        node.label = stage


def _describe_pipeline(node: Stage, name: str, body: object) -> None:
    """Label of an aggregate stage: ``$lookup from x``, ``$sort {a: 1}``, ``$cursor``."""
    spec = mapping(body)
    if name == "$lookup":
        node.relation = str(spec.get("from") or "") or None
        node.label = f"$lookup from {node.relation}"
    elif name == "$sort":
        node.label = f"$sort {_pattern(spec.get('sortKey', spec))}".rstrip()
    elif name == "$cursor" and node.relation:
        node.label = f"$cursor on {node.relation}"
    else:
        node.label = name


def _pattern(value: object) -> str:
    """``{baseFare: 1, _id: -1}`` from a key or sort pattern."""
    spec = mapping(value)
    return "{" + ", ".join(f"{k}: {v}" for k, v in spec.items()) + "}" if spec else ""


# -- freezing ----------------------------------------------------------------------------------


def _freeze(root: Stage, total: float | None) -> PlanNode:
    """Exclusive times, shares, findings and severities; then frozen PlanNodes."""
    order = list(root.walk())
    built: dict[int, PlanNode] = {}
    for stage in reversed(order):
        child_times = [c.incl for c in stage.children if c.incl is not None]
        excl = None if stage.incl is None else max(stage.incl - max(child_times, default=0), 0)
        share = excl / total if excl is not None and total else None
        findings = (*stage.findings, *stage_findings(stage))
        level = share_level(None if trivial(total, None) else share)
        severity = max([level, *(f.severity for f in findings)])
        built[id(stage)] = PlanNode(
            node_type=stage.node_type,
            label=stage.label or stage.node_type,
            children=tuple(built.pop(id(c)) for c in stage.children),
            relation=stage.relation,
            index=stage.index,
            parent_relationship="Shard" if stage.node_type == "SHARD" else None,
            subplan_name=stage.subplan_name,
            inclusive_ms=stage.incl,
            exclusive_ms=excl,
            time_share=share,
            actual_rows=stage.rows,
            findings=findings,
            severity=severity,
            raw=stage.raw,
        )
    return built[id(root)]


def _total_ms(doc: Mapping[str, Any], root: Stage) -> float | None:
    """The whole run: executionStats.executionTimeMillis, or the root's cumulative time."""
    stats = mapping(doc.get("executionStats"))
    values = [v for v in (num(stats.get("executionTimeMillis")), root.incl) if v is not None]
    return max(values) if values else None


# -- small helpers -----------------------------------------------------------------------------


def _raw(stage: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in stage.items() if k not in _NOT_RAW and k not in skip}


def _time(stage: Mapping[str, Any] | None) -> float | None:
    if not stage:
        return None
    value = num(stage.get("executionTimeMillisEstimate"))
    return value if value is not None else num(stage.get("executionTimeMillis"))


def _collection(namespace: object) -> str | None:
    """``db.coll.name`` -> ``coll.name``."""
    if not isinstance(namespace, str) or not namespace:
        return None
    return namespace.split(".", 1)[1] if "." in namespace else namespace


def _namespace(doc: Mapping[str, Any]) -> str | None:
    command = mapping(doc.get("command"))
    for key in ("find", "aggregate", "count", "distinct"):
        if isinstance(command.get(key), str):
            return str(command[key])
    return _collection(mapping(doc.get("queryPlanner")).get("namespace"))


def _command_text(doc: Mapping[str, Any]) -> str:
    command = {k: v for k, v in mapping(doc.get("command")).items() if k not in _COMMAND_NOISE}
    return json.dumps(command, default=str, separators=(", ", ": ")) if command else ""
