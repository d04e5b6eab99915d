"""Running shell commands on the MongoDB-compatible harness server: reads, streaming, explain, cancel."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from bson import ObjectId
from drivertools import connected
from pymongo.errors import AutoReconnect, ExecutionTimeout, OperationFailure

from dbtui.core.errors import CancelledError, ConnectionLostError, QueryError
from dbtui.core.results import DocumentsResult, ReplyResult, Result, StatusResult
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.mongo.connection import translate
from dbtui.drivers.mongo.syntax import MongoSyntaxError

pytestmark = pytest.mark.mongo


@pytest.fixture
def shop(mongo_url: str) -> Iterator[str]:
    name = f"run_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    db = client[name]
    db.users.insert_many(
        [
            {"_id": i, "name": f"user{i:03}", "age": i % 50, "city": ["Paris", "Oslo"][i % 2]}
            for i in range(250)
        ]
    )
    db.orders.insert_many(
        [{"user": i % 5, "total": 10 * (i + 1), "items": [{"sku": "a"}]} for i in range(12)]
    )
    yield name
    client.drop_database(name)
    client.close()


@pytest.fixture
def driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from connected(MongoDriver, f"{mongo_url}{shop}")


def run(driver: MongoDriver, text: str) -> Result:
    results = list(driver.execute(text))
    assert len(results) == 1
    return results[0]


def docs(driver: MongoDriver, text: str, size: int = 1000) -> list[dict[str, Any]]:
    result = run(driver, text)
    assert isinstance(result, DocumentsResult)
    page = result.documents.fetch(size)
    result.documents.close()
    return [dict(d) for d in page]


def test_find_with_filter_projection_sort_skip_limit(driver: MongoDriver) -> None:
    found = docs(
        driver,
        "db.users.find({age: {$gte: 40}, city: 'Oslo'}, {name: 1, age: 1, _id: 0})"
        ".sort({age: -1, name: 1}).skip(1).limit(3)",
    )
    assert found == [
        {"name": "user099", "age": 49},
        {"name": "user149", "age": 49},
        {"name": "user199", "age": 49},
    ]


def test_find_one_and_object_ids(driver: MongoDriver, shop: str) -> None:
    oid = ObjectId()
    run(driver, f'db.things.insertOne({{_id: ObjectId("{oid}"), n: 1}})')
    assert docs(driver, f'db.things.findOne({{_id: ObjectId("{oid}")}})') == [{"_id": oid, "n": 1}]


def test_results_stream_page_by_page(driver: MongoDriver) -> None:
    result = run(driver, "db.users.find().sort({_id: 1})")
    assert isinstance(result, DocumentsResult)
    stream = result.documents
    first = stream.fetch(100)
    second = stream.fetch(100)
    third = stream.fetch(100)
    assert [d["_id"] for d in first] == list(range(100))
    assert [d["_id"] for d in second] == list(range(100, 200))
    assert len(third) == 50
    assert stream.exhausted
    assert stream.fetch(100) == []


def test_aggregate_with_group_and_lookup(driver: MongoDriver) -> None:
    grouped = docs(
        driver,
        "db.orders.aggregate([{$group: {_id: '$user', spent: {$sum: '$total'}, n: {$sum: 1}}},"
        " {$sort: {_id: 1}}])",
    )
    assert grouped[0] == {"_id": 0, "spent": 10 + 60 + 110, "n": 3}
    assert len(grouped) == 5
    joined = docs(
        driver,
        "db.orders.aggregate([{$match: {total: {$lte: 20}}}, {$sort: {total: 1}},"
        " {$lookup: {from: 'users', localField: 'user', foreignField: '_id', as: 'buyer'}},"
        " {$project: {_id: 0, total: 1, 'buyer.name': 1}}], {allowDiskUse: true})",
    )
    assert joined == [
        {"total": 10, "buyer": [{"name": "user000"}]},
        {"total": 20, "buyer": [{"name": "user001"}]},
    ]


def test_counts_and_distinct_are_replies(driver: MongoDriver) -> None:
    count = run(driver, "db.users.countDocuments({city: 'Paris'})")
    assert isinstance(count, ReplyResult)
    assert count.reply == 125
    estimated = run(driver, "db.users.estimatedDocumentCount()")
    assert isinstance(estimated, ReplyResult)
    assert estimated.reply == 250
    distinct = run(driver, "db.users.distinct('city', {age: {$lt: 2}})")
    assert isinstance(distinct, ReplyResult)
    assert sorted(distinct.reply) == ["Oslo", "Paris"]  # type: ignore[call-overload]


def test_bare_filter_and_pipeline_use_the_current_collection(
    driver: MongoDriver, shop: str
) -> None:
    with pytest.raises(QueryError, match="no collection is selected"):
        run(driver, "{age: 3}")
    driver.set_current_collection(shop, "users")
    assert [d["_id"] for d in docs(driver, "{age: 3}")] == [3, 53, 103, 153, 203]
    assert docs(driver, "[{$match: {_id: 7}}, {$project: {name: 1}}]") == [
        {"_id": 7, "name": "user007"}
    ]


def test_use_switches_database(driver: MongoDriver, shop: str) -> None:
    status = run(driver, "use elsewhere_db")
    assert isinstance(status, StatusResult)
    assert driver.current_database == "elsewhere_db"
    assert docs(driver, "db.users.find()") == []
    assert len(docs(driver, f'db.getSiblingDB("{shop}").users.find().limit(2)')) == 2


def test_show_commands(driver: MongoDriver, shop: str) -> None:
    assert shop in [d["name"] for d in docs(driver, "show dbs")]
    assert [d["name"] for d in docs(driver, "show collections")] == ["orders", "users"]
    assert [d["name"] for d in docs(driver, "db.users.getIndexes()")] == ["_id_"]
    names = run(driver, "db.getCollectionNames()")
    assert isinstance(names, ReplyResult)
    assert names.reply == ["orders", "users"]


def test_syntax_error_is_raised_before_sending(driver: MongoDriver) -> None:
    with pytest.raises(MongoSyntaxError) as info:
        run(driver, "db.users.find({age: {$gt: 30}).limit(5)")
    assert info.value.position == 29


def test_server_error_is_a_query_error(driver: MongoDriver) -> None:
    with pytest.raises(QueryError) as info:
        docs(driver, "db.users.find({age: {$bogus: 1}})")
    assert "$bogus" in info.value.message
    assert "Traceback" not in info.value.message


def test_unknown_aggregate_option_is_refused(driver: MongoDriver) -> None:
    with pytest.raises(QueryError, match="unknown option"):
        run(driver, "db.users.aggregate([], {allowDiskUs: true})")


def test_explain_raw_for_find_and_aggregate(driver: MongoDriver) -> None:
    raw = driver.explain_raw("db.users.find({age: 3}).sort({name: 1})")
    assert "queryPlanner" in raw
    assert raw["queryPlanner"]["namespace"].endswith(".users")
    assert "$clusterTime" not in raw
    aggregate = driver.explain_raw(
        "db.orders.aggregate([{$group: {_id: '$user'}}, {$out: 'copy'}])"
    )
    assert aggregate.get("ok") == 1.0
    assert "copy" not in run_names(driver)


def run_names(driver: MongoDriver) -> list[str]:
    result = run(driver, "db.getCollectionNames()")
    assert isinstance(result, ReplyResult)
    assert isinstance(result.reply, list)
    return [str(n) for n in result.reply]


def test_explain_modifier_returns_the_document(driver: MongoDriver) -> None:
    found = docs(driver, "db.users.find({age: 3}).explain('executionStats')")
    assert len(found) == 1
    assert "queryPlanner" in found[0]


def test_explain_gives_a_plan(driver: MongoDriver) -> None:
    plan = driver.explain("db.users.find({age: 3})", analyze=True)
    assert plan.engine == "mongodb"
    assert plan.root.node_type
    assert plan.statement == "db.users.find({age: 3})"
    planned = driver.explain("db.orders.aggregate([{$group: {_id: '$user'}}])")
    assert planned.root.node_type


def test_explain_refuses_writes(driver: MongoDriver) -> None:
    with pytest.raises(Exception, match="cannot be explained"):
        driver.explain_raw("db.users.insertOne({a: 1})")


def test_cancel_stops_the_stream_and_kills_the_cursor(
    driver: MongoDriver, shop: str, mongo_url: str
) -> None:
    result = run(driver, "db.users.find().batchSize(10)")
    assert isinstance(result, DocumentsResult)
    assert len(result.documents.fetch(5)) == 5
    driver.cancel()
    with pytest.raises(CancelledError):
        result.documents.fetch(5)
    result.documents.close()
    driver.cancel()  # nothing running: a no-op
    assert len(docs(driver, "db.users.find().limit(3)")) == 3


def test_time_limit_and_interruption_are_translated() -> None:
    timeout = translate(
        ExecutionTimeout(
            "operation exceeded time limit",
            50,
            {"codeName": "MaxTimeMSExpired", "errmsg": "operation exceeded time limit"},
        ),
        "db.c.find()",
    )
    assert isinstance(timeout, QueryError)
    assert timeout.title == "Time limit exceeded"
    assert timeout.hint is not None
    assert "maxTimeMS" in timeout.hint
    killed = translate(OperationFailure("operation was interrupted", 11601), "db.c.find()")
    assert isinstance(killed, CancelledError)
    assert isinstance(translate(AutoReconnect("connection reset")), ConnectionLostError)


def test_split_buffer(driver: MongoDriver) -> None:
    statements = driver.split("show dbs\ndb.users.find()\n  .limit(2)\n")
    assert [s.text for s in statements] == ["show dbs", "db.users.find()\n  .limit(2)"]


def _running_aggregates(client: pymongo.MongoClient[dict[str, Any]]) -> int:
    ops = client.admin.command({"currentOp": 1, "$all": True}).get("inprog", [])
    return sum(
        1
        for op in ops
        if op.get("op") == "aggregate"
        and (op.get("clientMetadata") or {}).get("application", {}).get("name") == "dbtui"
    )


def test_cancel_frees_a_caller_blocked_on_a_slow_command(
    driver: MongoDriver, shop: str, mongo_url: str
) -> None:
    """A quadratic $lookup keeps the server busy; cancel must return control to the caller."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    client[shop].slow.insert_many([{"i": i} for i in range(600)])
    outcome: dict[str, BaseException | Result] = {}

    def work() -> None:
        try:
            outcome["result"] = run(
                driver,
                "db.slow.aggregate([{$lookup: {from: 'slow', pipeline: [{$match: {i: {$gte: 0}}}],"
                " as: 'x'}}, {$group: {_id: null, n: {$sum: {$size: '$x'}}}}])",
            )
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    deadline = time.monotonic() + 60
    while not _running_aggregates(client) and "result" not in outcome:
        assert time.monotonic() < deadline, "the aggregate never showed up in currentOp"
        time.sleep(0.02)
    driver.cancel()
    worker.join(timeout=60)
    client.close()
    assert not worker.is_alive()
    assert isinstance(outcome.get("error"), CancelledError), outcome


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("db.users.insertOne({'a\\u0000b': 1})", "NULL byte"),
        ("db.users.updateOne({}, {a: 1})", "$ operators"),
        ("db.users.replaceOne({}, {$set: {a: 1}})", "$ operators"),
        ("db['bad$name'].find()", "must not contain '$'"),
        ("db.getSiblingDB('a b').x.find()", "cannot contain the character ' '"),
        ("db.users.find().sort({age: 'up'})", "sort"),
        ("db.users.aggregate([{$nope: 1}])", "$nope"),
        ("db.users.dropIndex('nope')", "nope"),
    ],
)
def test_client_and_server_rejections_are_query_errors(
    driver: MongoDriver, text: str, words: str
) -> None:
    with pytest.raises(QueryError) as info:
        docs(driver, text) if ".find(" in text or "aggregate" in text else run(driver, text)
    assert words in info.value.message


def test_editing_api_rejects_bad_names(driver: MongoDriver, shop: str) -> None:
    with pytest.raises(QueryError, match="cannot be empty"):
        driver.insert_document(shop, "", {"a": 1})
    with pytest.raises(QueryError, match="at least 1"):
        driver.sample_schema(shop, "users", size=0)
