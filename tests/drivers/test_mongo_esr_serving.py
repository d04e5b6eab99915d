"""ESR advice is not offered when an existing index already serves the query (pure and live)."""

from __future__ import annotations

import uuid
from typing import Any

import pymongo
import pytest

from dbtui.core.advice import Advice, HealthKind
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.mongo.advising import advise_outcome
from dbtui.drivers.mongo.commands import parse_command
from dbtui.drivers.mongo.driver import MongoDriver
from dbtui.drivers.mongo.esr import serving_index, suggest
from dbtui.drivers.mongo.indexes import IndexInfo, parse_index_spec

QUERY = {"status": "A", "customer": 7, "total": {"$gt": 10}, "age": {"$lt": 3}}
SORT = {"created": -1}


def index(name: str, key: dict[str, Any], **options: Any) -> IndexInfo:
    return parse_index_spec({"v": 2, "key": key, "name": name, **options})


@pytest.mark.parametrize(
    "key",
    [
        {"status": 1, "customer": 1, "created": -1, "total": 1, "age": 1},
        {"customer": -1, "status": 1, "created": -1, "age": -1, "total": 1},  # E and R any order
        {"status": 1, "customer": 1, "created": 1, "total": 1, "age": 1, "x": 1},  # sort reversed
    ],
)
def test_an_equivalent_index_serves_and_is_named(key: dict[str, Any]) -> None:
    existing = [index("_id_", {"_id": 1}), index("mine", key)]
    served = serving_index(QUERY, SORT, existing)
    assert served is not None
    assert served.name == "mine"
    assert suggest("orders", QUERY, SORT, existing=existing) is None


@pytest.mark.parametrize(
    ("key", "options"),
    [
        ({"created": -1, "status": 1, "customer": 1, "total": 1, "age": 1}, {}),  # sort first
        ({"status": 1, "total": 1, "customer": 1, "created": -1, "age": 1}, {}),  # range in E
        ({"status": 1, "customer": 1, "created": -1, "total": 1, "age": 1}, {"hidden": True}),
        (
            {"status": 1, "customer": 1, "created": -1, "total": 1, "age": 1},
            {"partialFilterExpression": {"deleted": False}},
        ),
        (
            {"status": 1, "customer": 1, "created": -1, "total": 1, "age": 1},
            {"collation": {"locale": "fr"}},
        ),
    ],
)
def test_indexes_that_do_not_serve(key: dict[str, Any], options: dict[str, Any]) -> None:
    existing = [index("other", key, **options)]
    assert serving_index(QUERY, SORT, existing) is None
    assert suggest("orders", QUERY, SORT, existing=existing) is not None


def test_partial_index_serves_a_filter_that_repeats_its_expression() -> None:
    query = {"status": "A", "deleted": False}
    existing = [index("p", {"status": 1, "deleted": 1}, partialFilterExpression={"deleted": False})]
    assert serving_index(query, None, existing) is not None


def test_collation_index_serves_a_query_with_that_collation() -> None:
    existing = [index("fr", {"status": 1}, collation={"locale": "fr", "strength": 2})]
    assert serving_index({"status": "A"}, None, existing) is None
    assert serving_index({"status": "A"}, None, existing, collation={"locale": "fr"}) is not None


def test_a_shorter_existing_prefix_is_mentioned_in_the_evidence() -> None:
    found = suggest("orders", {"status": "A"}, SORT, existing=[index("status_1", {"status": 1})])
    assert found is not None
    assert any("status_1" in line and "prefix" in line for line in found.evidence)


def test_live_advice_names_the_serving_index_and_health_finds_the_prefix(mongo_url: str) -> None:
    name = f"esr_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    orders = client[name].orders
    orders.insert_many(
        [{"status": "open", "customer": i % 5, "total": i, "ref": i} for i in range(30)]
    )
    driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/{name}"))
    assert isinstance(driver, MongoDriver)
    try:
        text = "db.orders.find({customer: 3, status: 'open', total: {$gt: 5}})"
        command = parse_command(text)
        first = advise_outcome(command, orders)
        assert first.suggestion is not None
        orders.create_index([("customer", -1), ("status", 1), ("total", 1)], name="cst")
        orders.create_index([("customer", 1)], name="customer_1")
        orders.create_index([("ref", 1)], name="ref_u", unique=True)
        orders.create_index([("ref", 1), ("total", 1)], name="ref_total")
        orders.create_index([("status", 1), ("customer", 1)], name="sc")
        outcome = advise_outcome(command, orders)
        assert outcome.suggestion is None
        assert "cst" in outcome.message
        assert "already serves" in outcome.message
        advice = driver.advise(text)
        assert advice == []
        assert isinstance(advice, Advice)
        assert any("cst" in line for line in advice.tried), "the empty answer names the index"
        window, *findings = driver.health()
        assert window.kind is HealthKind.STATS_WINDOW
        assert "no $indexStats counters" in window.detail
        assert "no query sample" in window.detail, "the skipped check is said"
        redundant = {f.subject: dict(f.facts)["kept"] for f in findings}
        assert redundant == {"customer_1": "cst"}, "the unique ref_u is kept"
        assert all(f.kind is HealthKind.REDUNDANT_INDEX for f in findings)
        stats = list(orders.aggregate([{"$indexStats": {}}]))
        assert {s["name"] for s in stats} >= {"_id_", "cst", "customer_1", "sc"}
        # The compatible server answers $indexStats without a since date: no unused claim.
        assert not [f for f in findings if f.kind is HealthKind.UNUSED_INDEX]
    finally:
        driver.close()
        client.drop_database(name)
        client.close()
