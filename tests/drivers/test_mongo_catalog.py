"""Catalog tree and details on the MongoDB-compatible harness server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from drivertools import connected

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.drivers.mongo import MongoDriver

pytestmark = pytest.mark.mongo


@pytest.fixture
def client(mongo_url: str) -> Iterator[pymongo.MongoClient[dict[str, Any]]]:
    c: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url, tz_aware=True)
    yield c
    c.close()


@pytest.fixture
def shop(client: pymongo.MongoClient[dict[str, Any]]) -> Iterator[str]:
    """A fresh database with a collection (several kinds of index), a view and a time-series."""
    name = f"cat_{uuid.uuid4().hex[:8]}"
    db = client[name]
    db.users.insert_many(
        [{"name": f"u{i}", "age": i, "address": {"city": "Paris"}} for i in range(30)]
    )
    db.users.create_index([("email", 1)], unique=True, sparse=True, name="email_unique")
    db.users.create_index(
        [("name", 1), ("age", -1)], partialFilterExpression={"age": {"$gt": 5}}, name="name_age"
    )
    db.users.create_index("createdAt", expireAfterSeconds=3600)
    db.create_collection("adults", viewOn="users", pipeline=[{"$match": {"age": {"$gte": 18}}}])
    db.create_collection("metrics", timeseries={"timeField": "t", "metaField": "m"})
    yield name
    client.drop_database(name)


@pytest.fixture
def driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from connected(MongoDriver, f"{mongo_url}{shop}")


def _child(driver: MongoDriver, node: CatalogNode | None, label: str) -> CatalogNode:
    children = driver.children(node)
    found = [c for c in children if c.label == label]
    assert found, f"{label!r} not in {[c.label for c in children]}"
    return found[0]


def test_databases_are_listed(driver: MongoDriver, shop: str) -> None:
    node = _child(driver, None, shop)
    assert node.kind == Kind.DATABASE
    assert node.expandable
    assert node.key == ("db", shop)


def test_collections_views_and_time_series(driver: MongoDriver, shop: str) -> None:
    database = _child(driver, None, shop)
    nodes = {n.label: n for n in driver.children(database)}
    assert {"users", "adults", "metrics"} <= set(nodes)
    assert nodes["users"].kind == Kind.COLLECTION
    assert nodes["adults"].kind == Kind.VIEW
    assert nodes["adults"].detail == "view on users"
    assert ("pipeline", "[{$match: {age: {$gte: 18}}}]") in nodes["adults"].meta
    assert nodes["metrics"].kind == "timeseries"
    assert nodes["users"].insert_text == "db.users"
    assert [c.label for c in driver.children(nodes["users"])] == ["Indexes", "Schema"]
    assert [c.label for c in driver.children(nodes["adults"])] == ["Schema"]


def test_indexes_with_their_properties(driver: MongoDriver, shop: str) -> None:
    users = _child(driver, _child(driver, None, shop), "users")
    indexes = {n.label: n for n in driver.children(_child(driver, users, "Indexes"))}
    assert set(indexes) == {"_id_", "email_unique", "name_age", "createdAt_1"}
    unique = dict(indexes["email_unique"].meta)
    assert unique["key"] == "{email: 1}"
    assert unique["unique"] == "yes"
    assert unique["sparse"] == "yes"
    compound = dict(indexes["name_age"].meta)
    assert compound["key"] == "{name: 1, age: -1}"
    assert compound["partial filter"] == "{age: {$gt: 5}}"
    assert "partial" in indexes["name_age"].detail
    ttl = dict(indexes["createdAt_1"].meta)
    assert ttl["TTL"] == "3600 s after the indexed date"
    assert indexes["_id_"].kind == Kind.INDEX
    assert "size" in dict(indexes["_id_"].meta)


def test_collection_details(driver: MongoDriver, shop: str) -> None:
    users = _child(driver, _child(driver, None, shop), "users")
    facts = dict(driver.details(users))
    assert facts["documents (estimated)"] == "30"
    assert "data size" in facts
    assert facts["type"] == "collection"
    assert driver.count_documents(shop, "users") == 30
    assert driver.count_documents(shop, "users", "{age: {$lt: 10}}") == 10


def test_database_details(driver: MongoDriver, shop: str) -> None:
    facts = dict(driver.details(_child(driver, None, shop)))
    assert facts["database"] == shop
    assert facts["objects"] == "30"


def test_validator_is_shown(
    driver: MongoDriver, client: pymongo.MongoClient[dict[str, Any]], shop: str
) -> None:
    client[shop].create_collection("checked", validator={"$jsonSchema": {"required": ["a"]}})
    node = _child(driver, _child(driver, None, shop), "checked")
    assert dict(node.meta)["validator"] == '{$jsonSchema: {required: ["a"]}}'


def test_schema_node_samples_and_nests(driver: MongoDriver, shop: str) -> None:
    users = _child(driver, _child(driver, None, shop), "users")
    schema = _child(driver, users, "Schema")
    fields = {n.label: n for n in driver.children(schema)}
    assert set(fields) == {"_id", "name", "age", "address"}
    assert fields["age"].detail.startswith("Int32")
    assert fields["address"].expandable
    city = _child(driver, fields["address"], "city")
    assert city.key[-1] == "address.city"
    assert ("path", "address.city") in city.meta
    facts = dict(driver.details(schema))
    assert facts["sampled"] == "30 documents"


def test_schema_of_a_view(driver: MongoDriver, shop: str) -> None:
    report = driver.sample_schema(shop, "adults")
    assert report.sampled == 12
    assert report.source.startswith("first")
