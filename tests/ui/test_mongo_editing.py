"""Editing MongoDB documents from the Results tab and the document viewer (real server).

Also the source namespace of document results and the pipeline editor.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pymongo
import pytest

from dbtui.core.registry import open_driver
from dbtui.core.results import DocumentsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.mongo import MongoDriver

Client = pymongo.MongoClient[dict[str, object]]


@pytest.fixture
def database(mongo_url: str) -> Iterator[tuple[str, Client]]:
    """A fresh database name and a client to check the server with; dropped afterwards."""
    name = f"edit_{uuid.uuid4().hex[:8]}"
    client: Client = pymongo.MongoClient(mongo_url)
    try:
        yield name, client
    finally:
        client.drop_database(name)
        client.close()


def test_find_results_name_their_collection_and_aggregations_do_not(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    client[name].people.insert_many([{"name": "a", "age": 1}, {"name": "b", "age": 2}])
    driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/{name}"))
    assert isinstance(driver, MongoDriver)
    try:
        found = next(iter(driver.execute("db.people.find({age: {$gt: 0}})")))
        assert isinstance(found, DocumentsResult)
        assert found.namespace == (name, "people")
        found.documents.close()
        one = next(iter(driver.execute("db.people.findOne({})")))
        assert isinstance(one, DocumentsResult)
        assert one.namespace == (name, "people")
        one.documents.close()
        grouped = next(iter(driver.execute("db.people.aggregate([{$match: {}}])")))
        assert isinstance(grouped, DocumentsResult)
        assert grouped.namespace is None
        grouped.documents.close()
    finally:
        driver.close()
