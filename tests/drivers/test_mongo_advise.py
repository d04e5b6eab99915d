"""MongoDB index advice on the compatible server's catalog: ESR order, existing indexes respected."""

from __future__ import annotations

import uuid

import pymongo
import pytest

from dbtui.core.advice import Confidence
from dbtui.core.errors import UnsupportedError
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url


def test_esr_suggestion_and_existing_prefix(mongo_url: str) -> None:
    name = f"adv_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    orders = client[name].orders
    orders.insert_many(
        [{"status": "open", "total": i, "created": i, "customer": i % 7} for i in range(50)]
    )
    driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/{name}"))
    try:
        query = "db.orders.find({status: 'open', total: {$gt: 10}}).sort({created: -1})"
        [suggestion] = driver.advise(query)
        assert suggestion.confidence is Confidence.HEURISTIC
        assert (
            suggestion.columns[:3] == ("status", "created", "total") or "status" in suggestion.ddl
        )
        assert (
            suggestion.ddl.index("status")
            < suggestion.ddl.index("created")
            < suggestion.ddl.index("total")
        )
        orders.create_index([("status", 1), ("created", -1), ("total", 1)])
        assert driver.advise(query) == [], "an existing index that serves it is not suggested again"
        pipeline = "db.orders.aggregate([{$match: {customer: 3}}, {$sort: {total: 1}}])"
        [for_pipeline] = driver.advise(pipeline)
        assert for_pipeline.ddl.index("customer") < for_pipeline.ddl.index("total")
        with pytest.raises(UnsupportedError, match="find"):
            driver.advise("db.orders.insertOne({a: 1})")
    finally:
        driver.close()
        client.drop_database(name)
        client.close()
