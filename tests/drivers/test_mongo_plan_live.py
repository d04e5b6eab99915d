"""Explains from the harness MongoDB-compatible server (SecantusDB).

That server invents its plans, so these tests only check that whatever it answers parses
into a tree consistent with its own raw document; plan semantics are tested on the real
server outputs in test_mongo_plan.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest

from dbtui.drivers.mongo.plans.parse import parse_mongo_explain
from dbtui.render.plan import render_text

pytestmark = pytest.mark.mongo


@pytest.fixture
def orders(mongo_url: str) -> Iterator[Any]:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    db = client[f"plans_{uuid.uuid4().hex[:8]}"]
    db.orders.insert_many([{"status": "A" if i % 3 else "B", "n": i} for i in range(300)])
    db.orders.create_index("status")
    yield db
    client.drop_database(db.name)
    client.close()


def index_names(value: object) -> set[str]:
    """Every ``indexName`` anywhere in a raw explain document."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("indexName"), str):
                found.add(item["indexName"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_find_explain_parses_consistently(orders: Any) -> None:
    command = {"find": "orders", "filter": {"status": "A"}, "sort": {"n": 1}}
    raw = orders.command("explain", command, verbosity="executionStats")
    plan = parse_mongo_explain(raw)
    stages = raw["executionStats"]["executionStages"]
    assert plan.root.node_type == stages["stage"]
    assert plan.root.actual_rows == stages.get("nReturned")
    assert plan.summary.execution_ms == raw["executionStats"]["executionTimeMillis"]
    used = {n.index for n in plan.root.walk() if n.index}
    assert used <= index_names(raw)
    assert plan.analysed
    assert render_text(plan).splitlines()[1].endswith(plan.root.label)


def test_unindexed_filter_and_aggregate(orders: Any) -> None:
    raw = orders.command("explain", {"find": "orders", "filter": {"n": {"$gt": 5}}},
                         verbosity="queryPlanner")  # fmt: skip
    plan = parse_mongo_explain(raw)
    collscan = raw["queryPlanner"]["winningPlan"]["stage"] == "COLLSCAN"
    assert ("collscan" in {f.code for f in plan.root.findings}) == collscan
    assert not plan.analysed
    pipeline = [{"$match": {"status": "A"}}, {"$group": {"_id": "$n"}}]
    raw = orders.command(
        "explain", {"aggregate": "orders", "pipeline": pipeline, "cursor": {}},
        verbosity="executionStats",
    )  # fmt: skip
    plan = parse_mongo_explain(raw)
    if "stages" in raw:
        names = [next(k for k in s if k.startswith("$")) for s in raw["stages"]]
        assert plan.root.node_type == names[-1]
        assert len(list(plan.root.walk())) >= len(names)
    assert plan.statement.startswith('{"aggregate": "orders"')
