"""MongoDB explain parsing: the four real server outputs in tests/fixtures/mongo-explain/,
plus small synthetic documents (each says so) for shapes no fixture covers."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from dbtui.core.errors import DbtuiError
from dbtui.core.plan import Plan, PlanNode, Severity
from dbtui.core.plans.text import to_json
from dbtui.drivers.mongo.plans.parse import parse_mongo_explain
from dbtui.render.plan import render_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mongo-explain"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def chain(plan: Plan) -> list[PlanNode]:
    """The nodes of a plan that is a single chain, top first (fails on a branch)."""
    nodes = list(plan.root.walk())
    for parent, child in itertools.pairwise(nodes):
        assert parent.children == (child,)
    assert nodes[-1].children == ()
    return nodes


def codes(node: PlanNode) -> list[str]:
    return [f.code for f in node.findings]


def test_find_collscan_classic() -> None:
    plan = parse_mongo_explain(load("find-collscan-classic-5.0.json"))
    (scan,) = chain(plan)
    assert scan.label == "COLLSCAN on air_airlines"
    assert scan.relation == "air_airlines"
    assert scan.actual_rows == 6048
    assert (scan.inclusive_ms, scan.exclusive_ms) == (1.0, 1.0)
    assert scan.time_share == pytest.approx(1 / 4)  # executionTimeMillis 4
    assert scan.raw["docsExamined"] == 6048
    assert [(f.code, f.severity) for f in scan.findings] == [("collscan", Severity.LOW)]
    assert plan.summary.execution_ms == 4.0
    assert plan.summary.findings == ()
    assert plan.analysed
    assert plan.engine == "mongodb"
    assert plan.statement.startswith('{"find": "air_airlines"')


def test_find_ixscan_fetch_sort_classic() -> None:
    plan = parse_mongo_explain(load("find-ixscan-fetch-sort-classic-6.0.json"))
    projection, sort, fetch, ixscan = chain(plan)
    assert [n.label for n in (projection, sort, fetch, ixscan)] == [
        "PROJECTION_DEFAULT",
        "SORT {baseFare: 1} limit 10",
        "FETCH",
        "IXSCAN using startingAirport_1_destinationAirport_1",
    ]
    # cumulative 5, 5, 4, 2 ms: exclusive = own - largest child
    assert [n.inclusive_ms for n in (projection, sort, fetch, ixscan)] == [5, 5, 4, 2]
    assert [n.exclusive_ms for n in (projection, sort, fetch, ixscan)] == [0, 1, 2, 2]
    assert fetch.time_share == pytest.approx(2 / 131)
    assert [n.actual_rows for n in (projection, sort, fetch, ixscan)] == [10, 10, 128466, 128466]
    assert (ixscan.index, ixscan.relation) == ("startingAirport_1_destinationAirport_1", "tickets")
    assert codes(sort) == ["sort-in-memory"]
    assert codes(fetch) == ["docs-examined-ratio"]  # 128,466 examined for 10 returned
    assert codes(ixscan) == ["keys-examined-ratio"]  # 128,467 keys for 10 returned
    assert fetch.severity == ixscan.severity == Severity.HIGH  # over 1000 per document
    assert "12,847 per document" in fetch.findings[0].message


def test_aggregate_pushed_into_sbe_is_folded_by_plan_node_id() -> None:
    plan = parse_mongo_explain(load("aggregate-match-count-sbe-8.0.json"))
    project, cursor, group, count_scan = chain(plan)
    assert [n.label for n in (project, cursor, group, count_scan)] == [
        "$project",
        "$cursor on count_scan",
        "GROUP",
        "COUNT_SCAN using a_1",
    ]
    assert count_scan.raw["planNodeId"] == 1
    assert count_scan.raw["sbeStages"] == ["unique", "ixseek"]
    assert count_scan.actual_rows == 2  # the shallowest SBE stage of id 1 (unique)
    assert count_scan.raw["keysExamined"] == 2  # ixseek's keysExamined, not its numReads 3
    assert group.raw["sbeStages"] == ["project", "project", "group"]
    assert group.actual_rows == 1
    assert (cursor.inclusive_ms, cursor.exclusive_ms) == (2.0, 2.0)
    assert project.exclusive_ms == 0.0  # 2 - 2
    assert plan.summary.execution_ms == 2.0
    assert plan.summary.planning_ms == 1.0  # optimizationTimeMillis inside $cursor
    assert all(not n.findings for n in (project, cursor, group, count_scan))


def test_aggregate_lookup_with_index() -> None:
    plan = parse_mongo_explain(load("aggregate-lookup-classic-5.0.json"))
    lookup, cursor, scan = chain(plan)
    assert lookup.label == "$lookup from districts"
    assert lookup.relation == "districts"
    assert lookup.raw["indexesUsed"] == ["_id_"]
    assert codes(lookup) == []
    assert cursor.label == "$cursor on folks"
    assert codes(scan) == ["collscan"]
    assert plan.summary.execution_ms == 0.0
    assert lookup.time_share is None  # nothing to share out of 0 ms


def test_lookup_scanning_the_foreign_collection() -> None:
    """The lookup fixture, modified here to report 499 collection scans and no index."""
    doc = load("aggregate-lookup-classic-5.0.json")
    doc["stages"][1].update(collectionScans=499, indexesUsed=[], totalDocsExamined=871254)
    lookup = parse_mongo_explain(doc).root
    (finding,) = lookup.findings
    assert finding.code == "lookup-collscan"
    assert finding.severity == Severity.HIGH
    assert "871,254 documents" in finding.message
    assert "districts._id" in finding.advice


def test_query_planner_verbosity_has_no_numbers() -> None:
    doc = load("find-ixscan-fetch-sort-classic-6.0.json")
    del doc["executionStats"]
    plan = parse_mongo_explain(doc)
    assert [n.node_type for n in chain(plan)] == ["PROJECTION_DEFAULT", "SORT", "FETCH", "IXSCAN"]
    assert not plan.analysed
    assert all(n.exclusive_ms is None and n.actual_rows is None for n in plan.root.walk())
    text = render_text(plan)
    assert "excl ms" not in text
    assert "└─ IXSCAN using startingAirport_1_destinationAirport_1" in text


def sharded_find() -> dict[str, Any]:
    """Synthetic (written for this test): a find on two shards, s1 without an index."""

    def planner(name: str, winning: dict[str, Any], rejected: int = 0) -> dict[str, Any]:
        return {"shardName": name, "namespace": "shop.orders", "winningPlan": winning,
                "rejectedPlans": [{"stage": "COLLSCAN"}] * rejected}  # fmt: skip

    ixscan = {"stage": "IXSCAN", "indexName": "status_1"}
    s0_exec = {"stage": "FETCH", "nReturned": 40, "executionTimeMillisEstimate": 5,
               "docsExamined": 40, "inputStage": dict(ixscan, nReturned=40,
               executionTimeMillisEstimate=3, keysExamined=40)}  # fmt: skip
    s1_exec = {"stage": "COLLSCAN", "filter": {"status": {"$eq": "A"}}, "nReturned": 5,
               "executionTimeMillisEstimate": 10, "docsExamined": 1000}  # fmt: skip
    return {
        "queryPlanner": {
            "mongosPlannerVersion": 1,
            "winningPlan": {
                "stage": "SHARD_MERGE",
                "shards": [
                    planner("s0", {"stage": "FETCH", "inputStage": ixscan}, rejected=1),
                    planner("s1", {"stage": "COLLSCAN"}),
                ],
            },
        },
        "executionStats": {
            "nReturned": 45, "executionTimeMillis": 12, "totalDocsExamined": 1040,
            "executionStages": {
                "stage": "SHARD_MERGE", "nReturned": 45, "executionTimeMillis": 12,
                "shards": [
                    {"shardName": "s0", "nReturned": 40, "executionTimeMillis": 5,
                     "totalDocsExamined": 40, "totalKeysExamined": 40,
                     "executionStages": s0_exec},
                    {"shardName": "s1", "nReturned": 5, "executionTimeMillis": 10,
                     "totalDocsExamined": 1000, "totalKeysExamined": 0,
                     "executionStages": s1_exec},
                ],
            },
        },
        "command": {"find": "orders", "filter": {"status": "A"}, "$db": "shop"},
    }  # fmt: skip


def test_sharded_find() -> None:
    """Synthetic sharded example (see :func:`sharded_find`): no real fixture has shards."""
    plan = parse_mongo_explain(sharded_find())
    merge = plan.root
    assert merge.label == "SHARD_MERGE"
    s0, s1 = merge.children
    assert [(s.label, s.subplan_name, s.parent_relationship) for s in (s0, s1)] == [
        ("shard s0", "s0", "Shard"),
        ("shard s1", "s1", "Shard"),
    ]
    assert merge.exclusive_ms == 2.0  # 12 - max(5, 10): shards run in parallel
    assert (s0.exclusive_ms, s1.exclusive_ms) == (0.0, 0.0)  # same time as their child
    (fetch,) = s0.children
    assert [n.label for n in fetch.walk()] == ["FETCH", "IXSCAN using status_1"]
    assert fetch.exclusive_ms == 2.0  # 5 - 3
    (scan,) = s1.children
    assert scan.label == "COLLSCAN on orders"
    # 1000 documents examined for 5 returned on s1: ratio 200; a filter, so MEDIUM
    assert codes(scan) == ["docs-examined-ratio", "collscan"]
    assert scan.severity == Severity.MEDIUM
    assert scan.time_share == pytest.approx(10 / 12)
    assert [f.code for f in plan.summary.findings] == ["rejected-plans"]
    assert "1 other plan" in plan.summary.findings[0].message
    assert plan.summary.execution_ms == 12.0


def test_sharded_aggregate() -> None:
    """Synthetic: an aggregate explained through mongos (top-level ``shards`` object)."""

    def shard(ms: int, rows: int) -> dict[str, Any]:
        cursor = {
            "queryPlanner": {
                "namespace": "shop.orders",
                "winningPlan": {"stage": "COLLSCAN"},
                "rejectedPlans": [],
            },
            "executionStats": {
                "nReturned": rows,
                "executionTimeMillis": ms,
                "totalDocsExamined": rows,
                "executionStages": {
                    "stage": "COLLSCAN",
                    "nReturned": rows,
                    "executionTimeMillisEstimate": ms,
                },
            },
        }
        return {"host": "h:27018", "stages": [
            {"$cursor": cursor, "nReturned": rows, "executionTimeMillisEstimate": ms},
            {"$group": {"_id": "$status"}, "usedDisk": True, "nReturned": 3,
             "executionTimeMillisEstimate": ms + 4}]}  # fmt: skip

    doc = {"mergeType": "mongos", "splitPipeline": {"shardsPart": [], "mergerPart": []},
           "shards": {"a": shard(6, 100), "b": shard(9, 200)},
           "command": {"aggregate": "orders", "pipeline": []}}  # fmt: skip
    plan = parse_mongo_explain(doc)
    assert plan.root.label == "SHARD_MERGE (mongos)"
    assert [c.label for c in plan.root.children] == ["shard a", "shard b"]
    group_b = plan.root.children[1].children[0]
    assert group_b.label == "$group"
    assert (group_b.inclusive_ms, group_b.exclusive_ms) == (13.0, 4.0)
    assert codes(group_b) == ["group-spill"]
    assert plan.root.inclusive_ms == 13.0  # the slowest shard
    assert plan.summary.execution_ms == 13.0


def test_sbe_find_with_spilled_sort_and_nested_loop_lookup() -> None:
    """Synthetic SBE find: queryPlan SORT(2) <- EQ_LOOKUP(1); SBE nodes carry the numbers."""
    query_plan = {"stage": "SORT", "planNodeId": 2, "sortPattern": {"a": 1},
                  "inputStage": {"stage": "EQ_LOOKUP", "planNodeId": 1,
                                 "foreignCollection": "shop.items", "strategy": "NestedLoopJoin",
                                 "inputStage": {"stage": "COLLSCAN", "planNodeId": 3}}}  # fmt: skip
    sbe = {"stage": "sort", "planNodeId": 2, "nReturned": 50, "executionTimeMillisEstimate": 30,
           "usedDisk": True, "spills": 3,
           "inputStage": {"stage": "nlj", "planNodeId": 1, "nReturned": 50,
                          "executionTimeMillisEstimate": 20,
                          "outerStage": {"stage": "scan", "planNodeId": 3, "nReturned": 60,
                                         "executionTimeMillisEstimate": 4, "numReads": 60},
                          "innerStage": {"stage": "seek", "planNodeId": 1, "numReads": 900,
                                         "nReturned": 50, "executionTimeMillisEstimate": 15}}}  # fmt: skip
    doc = {"explainVersion": "2",
           "queryPlanner": {"namespace": "shop.orders", "optimizationTimeMillis": 1,
                            "winningPlan": {"queryPlan": query_plan, "slotBasedPlan": {}},
                            "rejectedPlans": []},
           "executionStats": {"nReturned": 50, "executionTimeMillis": 31,
                              "totalDocsExamined": 960, "executionStages": sbe}}  # fmt: skip
    plan = parse_mongo_explain(doc)
    sort, lookup, scan = chain(plan)
    assert [n.exclusive_ms for n in (sort, lookup, scan)] == [10.0, 16.0, 4.0]
    assert codes(sort) == ["sort-spill"]
    assert lookup.label == "EQ_LOOKUP from items (NestedLoopJoin)"
    assert codes(lookup) == ["docs-examined-ratio", "lookup-collscan"]  # 900 of 960 reads
    assert lookup.raw["docsExamined"] == 900
    assert scan.raw["docsExamined"] == 60
    assert plan.summary.planning_ms == 1.0


@pytest.mark.parametrize("bad", [{}, {"ok": 1}, {"stages": []}, []])
def test_not_an_explain(bad: Any) -> None:
    with pytest.raises(DbtuiError):
        parse_mongo_explain(bad)


def test_json_export_of_mongo_plan_is_valid_json() -> None:
    plan = parse_mongo_explain(load("find-ixscan-fetch-sort-classic-6.0.json"))
    data = to_json(plan)
    text = json.dumps(data, allow_nan=False)
    assert data["root"]["children"][0]["label"] == "SORT {baseFare: 1} limit 10"
    assert data["root"]["children"][0]["children"][0]["findings"][0]["severity"] == 3
    assert "exclusive_ms" in text


def test_input_is_not_modified() -> None:
    doc = load("aggregate-match-count-sbe-8.0.json")
    before = copy.deepcopy(doc)
    parse_mongo_explain(doc)
    assert doc == before


def test_bare_executed_stages_get_the_winning_plan_fields() -> None:
    """Synthetic, shaped like a MongoDB-compatible server's output: the executed stages
    carry only numbers, and the planned SORT did not show up among them."""
    ixscan = {"stage": "IXSCAN", "indexName": "status_1", "keyPattern": {"status": 1}}
    doc = {
        "queryPlanner": {
            "namespace": "shop.orders",
            "winningPlan": {"stage": "SORT", "sortPattern": {"n": 1},
                            "inputStage": {"stage": "FETCH", "inputStage": ixscan}},
        },
        "executionStats": {
            "nReturned": 133, "executionTimeMillis": 3,
            "executionStages": {"stage": "FETCH", "nReturned": 133,
                                "inputStage": {"stage": "IXSCAN", "nReturned": 133}},
        },
    }  # fmt: skip
    fetch, index_scan = chain(parse_mongo_explain(doc))
    assert (fetch.label, fetch.actual_rows) == ("FETCH", 133)
    assert index_scan.label == "IXSCAN using status_1"
    assert index_scan.raw["keyPattern"] == {"status": 1}
    assert index_scan.actual_rows == 133
