"""Sampled schema inference on the MongoDB-compatible harness server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from drivertools import connected

from dbtui.drivers.mongo import MongoDriver

pytestmark = pytest.mark.mongo


@pytest.fixture
def shop(mongo_url: str) -> Iterator[str]:
    name = f"schema_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    docs: list[dict[str, Any]] = []
    for i in range(300):
        doc: dict[str, Any] = {"_id": i, "sku": f"p{i}", "price": i * 1.5 if i % 3 else i}
        if i % 2 == 0:
            doc["dims"] = {"w": i, "h": i + 1, **({"unit": "cm"} if i % 4 == 0 else {})}
        if i % 5 == 0:
            doc["tags"] = ["sale", i] if i % 10 == 0 else []
        doc["reviews"] = [{"stars": 5, "by": "a"}, {"stars": 3}] if i % 6 == 0 else []
        docs.append(doc)
    client[name].products.insert_many(docs)
    yield name
    client.drop_database(name)
    client.close()


@pytest.fixture
def driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from connected(MongoDriver, f"{mongo_url}{shop}")


def test_whole_small_collection_is_read_with_a_limited_find(driver: MongoDriver, shop: str) -> None:
    report = driver.sample_schema(shop, "products", size=1000)
    assert report.sampled == 300
    assert report.source.startswith("all 300 documents")
    price = report.field("price")
    assert price is not None
    assert {t.name for t in price.types} == {"Int32", "Double"}
    assert price.probability == 1.0
    dims = report.field("dims")
    unit = report.field("dims.unit")
    assert dims is not None
    assert unit is not None
    assert dims.probability == pytest.approx(0.5)
    assert unit.probability == pytest.approx(0.25)
    assert unit.types[0].samples == ("cm",)
    tags = report.field("tags")
    assert tags is not None
    assert tags.probability == pytest.approx(0.2)
    assert {t.name for t in tags.element_types} == {"String", "Int32"}
    stars = report.field("reviews.stars")
    by = report.field("reviews.by")
    assert stars is not None
    assert by is not None
    assert stars.count == 100
    assert stars.documents == 50
    assert by.count == 50


def test_larger_collection_is_sampled_with_sample(driver: MongoDriver, shop: str) -> None:
    report = driver.sample_schema(shop, "products", size=50)
    assert report.sampled == 50
    assert report.source == "$sample of 50 from about 300 documents"
    sku = report.field("sku")
    assert sku is not None
    assert sku.probability == 1.0
    assert len(sku.types[0].samples) == 5


def test_empty_collection(driver: MongoDriver, shop: str) -> None:
    report = driver.sample_schema(shop, "nothing_here")
    assert report.sampled == 0
    assert report.fields == ()
