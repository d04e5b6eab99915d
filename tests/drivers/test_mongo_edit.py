"""Writes on the MongoDB-compatible harness server: editing API, shell writes, read-only, confirmations."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from bson import Decimal128, Int64, ObjectId
from drivertools import connected

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.results import Result, StatusResult
from dbtui.drivers.mongo import MongoDriver, to_shell
from dbtui.drivers.mongo.syntax import MongoSyntaxError

pytestmark = pytest.mark.mongo

Client = pymongo.MongoClient[dict[str, Any]]


@pytest.fixture
def client(mongo_url: str) -> Iterator[Client]:
    c: Client = pymongo.MongoClient(mongo_url, tz_aware=True)
    yield c
    c.close()


@pytest.fixture
def shop(client: Client) -> Iterator[str]:
    name = f"edit_{uuid.uuid4().hex[:8]}"
    client[name].users.insert_many([{"_id": i, "name": f"u{i}", "age": 20 + i} for i in range(5)])
    client[name].users.create_index("name", name="name_1")
    yield name
    client.drop_database(name)


def _driver(mongo_url: str, shop: str, read_only: bool) -> Iterator[MongoDriver]:
    for d in connected(MongoDriver, f"{mongo_url}{shop}", read_only=read_only):
        d.set_current_collection(shop, "users")
        yield d


@pytest.fixture
def driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from _driver(mongo_url, shop, False)


@pytest.fixture
def ro_driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from _driver(mongo_url, shop, True)


def run(driver: MongoDriver, text: str) -> Result:
    return next(iter(driver.execute(text)))


def test_insert_edit_delete_a_document(driver: MongoDriver, client: Client, shop: str) -> None:
    new_id = driver.insert_document(shop, "users", '{name: "Zoe", joined: ISODate("2024-02-03")}')
    assert isinstance(new_id, ObjectId)
    stored = client[shop].users.find_one({"_id": new_id})
    assert stored is not None
    assert stored["joined"] == dt.datetime(2024, 2, 3, tzinfo=dt.UTC)
    current = driver.find_document(shop, "users", new_id)
    assert current is not None
    text = to_shell(current, indent=2).replace('"Zoe"', '"Zoé"')
    text = text.replace("\n}", ',\n  score: NumberDecimal("9.50"),\n  visits: NumberLong(3)\n}')
    driver.replace_document(shop, "users", new_id, text)
    edited = client[shop].users.find_one({"_id": new_id})
    assert edited is not None
    assert edited["name"] == "Zoé"
    assert edited["score"] == Decimal128("9.50")
    assert isinstance(edited["visits"], Int64)
    assert edited["joined"] == dt.datetime(2024, 2, 3, tzinfo=dt.UTC)
    assert driver.delete_document(shop, "users", new_id)
    assert not driver.delete_document(shop, "users", new_id)
    assert client[shop].users.count_documents({}) == 5


def test_edit_is_validated_before_sending(driver: MongoDriver, client: Client, shop: str) -> None:
    with pytest.raises(MongoSyntaxError) as info:
        driver.replace_document(shop, "users", 1, "{name: 'x', age: }")
    assert info.value.position == 17
    with pytest.raises(QueryError, match="_id cannot change"):
        driver.replace_document(shop, "users", 1, "{_id: 99, name: 'x'}")
    with pytest.raises(QueryError, match="cannot hold operators"):
        driver.replace_document(shop, "users", 1, "{$set: {name: 'x'}}")
    with pytest.raises(QueryError, match="no document with _id"):
        driver.replace_document(shop, "users", 12345, "{name: 'x'}")
    assert client[shop].users.find_one({"_id": 1}) == {"_id": 1, "name": "u1", "age": 21}


def test_duplicate_key_is_a_query_error(driver: MongoDriver, shop: str) -> None:
    with pytest.raises(QueryError, match=r"duplicate key|E11000"):
        driver.insert_document(shop, "users", {"_id": 1})


def test_create_and_drop_indexes(driver: MongoDriver, client: Client, shop: str) -> None:
    name = driver.create_index(
        shop, "users", "{age: 1, name: -1}", "{unique: true, name: 'age_name'}"
    )
    assert name == "age_name"
    ttl = driver.create_index(shop, "users", [("seen", 1)], {"expireAfterSeconds": 60})
    partial = driver.create_index(
        shop, "users", {"name": 1, "age": 1}, {"partialFilterExpression": {"age": {"$gt": 21}}}
    )
    info = client[shop].users.index_information()
    assert info["age_name"]["unique"] is True
    assert info[ttl]["expireAfterSeconds"] == 60
    assert info[partial]["partialFilterExpression"] == {"age": {"$gt": 21}}
    with pytest.raises(QueryError, match="direction"):
        driver.create_index(shop, "users", {"age": "up"})
    driver.drop_index(shop, "users", "age_name")
    assert "age_name" not in client[shop].users.index_information()
    with pytest.raises(QueryError, match="_id index"):
        driver.drop_index(shop, "users", "_id_")


def test_shell_writes(driver: MongoDriver, client: Client, shop: str) -> None:
    inserted = run(driver, "db.users.insertMany([{_id: 10}, {_id: 11, tag: 'x'}])")
    assert isinstance(inserted, StatusResult)
    assert (inserted.status, inserted.rowcount) == ("inserted 2 documents", 2)
    updated = run(driver, "db.users.updateMany({age: {$gte: 23}}, {$set: {senior: true}})")
    assert isinstance(updated, StatusResult)
    assert updated.status == "matched 2, modified 2"
    upsert = run(driver, "db.users.updateOne({_id: 50}, {$set: {a: 1}}, {upsert: true})")
    assert isinstance(upsert, StatusResult)
    assert upsert.notices == ("upserted _id: 50",)
    deleted = run(driver, "db.users.deleteMany({_id: {$gte: 10}})")
    assert isinstance(deleted, StatusResult)
    assert deleted.rowcount == 3
    run(driver, "db.users.createIndex({age: -1}, {name: 'by_age'})")
    assert "by_age" in client[shop].users.index_information()
    run(driver, 'db.users.dropIndex("by_age")')
    assert "by_age" not in client[shop].users.index_information()
    assert client[shop].users.count_documents({"senior": True}) == 2


def test_drop_collection_and_database(driver: MongoDriver, client: Client, shop: str) -> None:
    client[shop].temp.insert_one({"a": 1})
    run(driver, "db.temp.drop()")
    assert "temp" not in client[shop].list_collection_names()
    run(driver, "db.dropDatabase()")
    assert shop not in client.list_database_names()


@pytest.mark.parametrize(
    "text",
    [
        "db.users.insertOne({a: 1})",
        "db.users.insertMany([{a: 1}])",
        "db.users.updateOne({_id: 1}, {$set: {age: 0}})",
        "db.users.updateMany({}, {$set: {age: 0}})",
        "db.users.replaceOne({_id: 1}, {age: 0})",
        "db.users.deleteOne({_id: 1})",
        "db.users.deleteMany({})",
        "db.users.createIndex({age: 1})",
        'db.users.dropIndex("name_1")',
        "db.users.dropIndexes()",
        "db.users.drop()",
        "db.dropDatabase()",
        "db.users.aggregate([{$match: {}}, {$out: 'copy'}])",
        "db.users.aggregate([{$merge: {into: 'copy'}}])",
        "[{$project: {name: 1}}, {$out: 'copy'}]",
        "db.users.aggregate([{$facet: {a: [{$match: {}}]}}, {$out: 'copy'}])",
    ],
)
def test_read_only_refuses_every_write_before_sending(
    ro_driver: MongoDriver, client: Client, shop: str, text: str
) -> None:
    before = list(client[shop].users.find().sort("_id"))
    indexes = client[shop].users.index_information()
    with pytest.raises(ReadOnlyError) as info:
        run(ro_driver, text)
    assert "read-only" in info.value.message
    assert list(client[shop].users.find().sort("_id")) == before
    assert client[shop].users.index_information() == indexes
    assert sorted(client[shop].list_collection_names()) == ["users"]


def test_read_only_refuses_the_editing_api(
    ro_driver: MongoDriver, client: Client, shop: str
) -> None:
    with pytest.raises(ReadOnlyError):
        ro_driver.insert_document(shop, "users", {"a": 1})
    with pytest.raises(ReadOnlyError):
        ro_driver.replace_document(shop, "users", 1, {"a": 1})
    with pytest.raises(ReadOnlyError):
        ro_driver.delete_document(shop, "users", 1)
    with pytest.raises(ReadOnlyError):
        ro_driver.create_index(shop, "users", {"a": 1})
    with pytest.raises(ReadOnlyError):
        ro_driver.drop_index(shop, "users", "name_1")
    assert client[shop].users.count_documents({}) == 5
    assert "name_1" in client[shop].users.index_information()


def test_read_only_still_reads(ro_driver: MongoDriver) -> None:
    result = run(ro_driver, "db.users.aggregate([{$group: {_id: null, n: {$sum: 1}}}])")
    assert list(result.documents.fetch(10)) == [{"_id": None, "n": 5}]  # type: ignore[union-attr]
    assert run(ro_driver, "db.users.countDocuments({})").reply == 5  # type: ignore[union-attr]


def test_destructive_commands_need_the_name_typed(driver: MongoDriver, shop: str) -> None:
    assert driver.typed_confirmation("db.users.deleteMany({})") == "users"
    assert driver.typed_confirmation("{}") is None
    assert driver.typed_confirmation("db.users.drop()") == "users"
    assert driver.typed_confirmation("db.dropDatabase()") == shop
    assert driver.typed_confirmation('db.getSiblingDB("other").dropDatabase()') == "other"
    assert driver.typed_confirmation("db.users.deleteMany({age: 1})") is None
    question = driver.needs_confirmation("db.users.deleteMany({})")
    assert question is not None
    assert question.typed == "users"
    assert f"{shop}.users" in question.question
    dropped = driver.needs_confirmation("db.getSiblingDB('other').dropDatabase()")
    assert dropped is not None
    assert dropped.typed == "other"
    update_all = driver.needs_confirmation("db.users.updateMany({}, {$set: {a: 1}})")
    assert update_all is not None
    assert update_all.typed is None
    assert driver.needs_confirmation("db.users.updateMany({}, {$set: {a: 1}})") is not None
    assert driver.needs_confirmation("db.users.find()") is None
    assert driver.needs_confirmation("db.users.find(") is None
