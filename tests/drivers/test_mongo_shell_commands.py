"""mongosh commands beyond find/insert/update: runCommand, adminCommand, findOneAnd*, bulkWrite,
renameCollection, counts, distinct and indexes: parsed, run on SecantusDB, refused when the
connection is read-only, and confirmed before destructive ones run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from bson import ObjectId
from drivertools import connected

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.results import DocumentsResult, ReplyResult, Result, StatusResult
from dbtui.core.values import DOCUMENT_FIELD, format_value
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.mongo.commands import MongoCommand, parse_command
from dbtui.drivers.mongo.dbcommands import is_read_only
from dbtui.drivers.mongo.literals import LiteralError, read_regex, regex_end
from dbtui.drivers.mongo.safety import confirmation, plain_question, write_reason
from dbtui.drivers.mongo.splitting import split_commands
from dbtui.drivers.mongo.syntax import MongoSyntaxError

pytestmark = pytest.mark.mongo
Client = pymongo.MongoClient[dict[str, Any]]


# -- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "operation", "database", "collection", "args"),
    [
        ("db.runCommand({ping: 1})", "runCommand", None, None, ({"ping": 1},)),
        ('db.runCommand("buildInfo")', "runCommand", None, None, ({"buildInfo": 1},)),
        (
            "db.adminCommand({listDatabases: 1})",
            "adminCommand",
            "admin",
            None,
            ({"listDatabases": 1},),
        ),
        (
            'db.getSiblingDB("x").runCommand({dbStats: 1})',
            "runCommand",
            "x",
            None,
            ({"dbStats": 1},),
        ),
        (
            "db.c.findOneAndUpdate({a: 1}, {$inc: {n: 1}}, {returnDocument: 'after'})",
            "findOneAndUpdate",
            None,
            "c",
            ({"a": 1}, {"$inc": {"n": 1}}, {"returnDocument": "after"}),
        ),
        (
            "db.c.findOneAndUpdate({}, [{$set: {n: 1}}])",
            "findOneAndUpdate",
            None,
            "c",
            ({}, [{"$set": {"n": 1}}]),
        ),
        (
            "db.c.findOneAndReplace({a: 1}, {b: 2})",
            "findOneAndReplace",
            None,
            "c",
            ({"a": 1}, {"b": 2}),
        ),
        ("db.c.findOneAndDelete({a: 1})", "findOneAndDelete", None, "c", ({"a": 1},)),
        (
            "db.c.bulkWrite([{insertOne: {document: {a: 1}}}], {ordered: false})",
            "bulkWrite",
            None,
            "c",
            ([{"insertOne": {"document": {"a": 1}}}], {"ordered": False}),
        ),
        ('db.c.renameCollection("d")', "renameCollection", None, "c", ("d",)),
        ('db.c.renameCollection("d", true)', "renameCollection", None, "c", ("d", True)),
        (
            'db.orders.countDocuments({status: "open"})',
            "countDocuments",
            None,
            "orders",
            ({"status": "open"},),
        ),
        ('db.c.distinct("f")', "distinct", None, "c", ("f",)),
        ("db.c.estimatedDocumentCount()", "estimatedDocumentCount", None, "c", ()),
        ("db.c.createIndex({a: 1})", "createIndex", None, "c", ({"a": 1},)),
        ('db.c.dropIndex("a_1")', "dropIndex", None, "c", ("a_1",)),
        ("db.c.getIndexes()", "getIndexes", None, "c", ()),
    ],
)
def test_parse(
    text: str,
    operation: str,
    database: str | None,
    collection: str | None,
    args: tuple[object, ...],
) -> None:
    command = parse_command(text)
    assert (command.operation, command.database, command.collection) == (
        operation,
        database,
        collection,
    )
    assert command.args == args


@pytest.mark.parametrize(
    ("text", "words", "position"),
    [
        ("db.runCommand({})", "must be a command document", 13),
        ("db.runCommand(1)", "must be a command document", 13),
        ("db.runCommand()", "takes 1 argument", 13),
        ("db.c.runCommand({ping: 1})", "runCommand() is not supported", 5),
        ("db.c.bulkWrite([])", "at least one operation", 14),
        (
            "db.c.bulkWrite([{insertOne: {doc: {}}}])",
            "operation 1 of bulkWrite() (insertOne) needs document",
            14,
        ),
        ("db.c.bulkWrite([{upsertOne: {}}])", "operation 1 of bulkWrite() must be one of", 14),
        ("db.c.bulkWrite([{deleteOne: {filter: {}, limit: 1}}])", "has unknown limit", 14),
        ("db.c.bulkWrite([{updateOne: {filter: {}, update: 1}}])", "update must be a document", 14),
        ("db.c.findOneAndUpdate({a: 1})", "takes 2 to 3 argument", 21),
        ("db.c.renameCollection(1)", "must be a string", 21),
        ("db.c.renameCollection('d', 'yes')", "must be true or false", 21),
    ],
)
def test_bad_forms_are_syntax_errors(text: str, words: str, position: int) -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_command(text)
    assert words in info.value.message
    assert info.value.position == position


def test_run_command_errors_say_how_to_write_one() -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_command("db.runCommand([])")
    assert info.value.hint is not None
    assert "runCommand({ping: 1})" in info.value.hint


# -- read or write ------------------------------------------------------------------------------


READS = [
    "db.runCommand({ping: 1})",
    'db.runCommand("serverStatus")',
    "db.runCommand({buildInfo: 1})",
    "db.runCommand({listCollections: 1})",
    "db.runCommand({dbStats: 1})",
    "db.runCommand({collStats: 'c'})",
    "db.runCommand({count: 'c', query: {a: 1}})",
    "db.runCommand({distinct: 'c', key: 'a'})",
    "db.runCommand({find: 'c', filter: {a: 1}})",
    "db.runCommand({aggregate: 'c', pipeline: [{$match: {}}], cursor: {}})",
    "db.runCommand({explain: {find: 'c'}, verbosity: 'queryPlanner'})",
    "db.runCommand({hello: 1})",
    "db.runCommand({isMaster: 1})",
    "db.runCommand({ismaster: 1})",
    "db.runCommand({connectionStatus: 1})",
    "db.runCommand({listIndexes: 'c'})",
    "db.adminCommand({hostInfo: 1})",
    "db.adminCommand({listDatabases: 1})",
    "db.adminCommand({getParameter: '*'})",
    "db.adminCommand({currentOp: 1})",
]
WRITES = [
    "db.runCommand({aggregate: 'c', pipeline: [{$out: 'd'}], cursor: {}})",
    "db.runCommand({aggregate: 'c', pipeline: [{$facet: {x: [{$merge: 'd'}]}}], cursor: {}})",
    "db.runCommand({explain: {delete: 'c', deletes: [{q: {}, limit: 0}]}})",
    "db.runCommand({explain: {aggregate: 'c', pipeline: [{$out: 'd'}], cursor: {}}})",
    "db.runCommand({insert: 'c', documents: [{a: 1}]})",
    "db.runCommand({delete: 'c', deletes: [{q: {}, limit: 0}]})",
    "db.runCommand({findAndModify: 'c', query: {}, remove: true})",
    "db.runCommand({drop: 'c'})",
    "db.runCommand({dropDatabase: 1})",
    "db.runCommand({createIndexes: 'c', indexes: [{key: {a: 1}, name: 'a_1'}]})",
    "db.runCommand({create: 'v', viewOn: 'c', pipeline: []})",
    "db.runCommand({profile: 2})",
    "db.adminCommand({setParameter: 1, logLevel: 5})",
    "db.adminCommand({renameCollection: 's.c', to: 's.d'})",
    "db.adminCommand({shutdown: 1})",
    "db.adminCommand({killOp: 1, op: 12})",
    "db.runCommand({noSuchCommand: 1})",
    "db.c.findOneAndUpdate({a: 1}, {$set: {b: 1}})",
    "db.c.findOneAndReplace({a: 1}, {b: 1})",
    "db.c.findOneAndDelete({a: 1})",
    "db.c.bulkWrite([{insertOne: {document: {}}}])",
    "db.c.renameCollection('d')",
    "db.c.createIndex({a: 1})",
    "db.c.dropIndex('a_1')",
]


@pytest.mark.parametrize("text", READS)
def test_known_reads(text: str) -> None:
    assert write_reason(parse_command(text)) is None


@pytest.mark.parametrize("text", WRITES)
def test_everything_else_writes(text: str) -> None:
    reason = write_reason(parse_command(text))
    assert reason


@pytest.mark.parametrize(
    "text", ["db.c.countDocuments({})", "db.c.distinct('a')", "db.c.getIndexes()"]
)
def test_counts_and_index_lists_are_reads(text: str) -> None:
    assert write_reason(parse_command(text)) is None


def test_explain_of_an_empty_command_is_not_a_read() -> None:
    assert not is_read_only({"explain": {}})
    assert not is_read_only({"explain": "find"})


def _cmd(text: str) -> MongoCommand:
    return parse_command(text)


@pytest.mark.parametrize(
    ("text", "typed", "words"),
    [
        ("db.runCommand({drop: 'orders'})", "orders", "s.orders"),
        ("db.runCommand({dropDatabase: 1})", "s", "'s'"),
        ("db.adminCommand({dropDatabase: 1})", "admin", "'admin'"),
        ("db.runCommand({dropIndexes: 'orders', index: '*'})", "orders", "'*'"),
        (
            "db.adminCommand({renameCollection: 's.a', to: 's.b', dropTarget: true})",
            "s.b",
            "DROPPING",
        ),
        ("db.orders.renameCollection('old', true)", "old", "DROPPING"),
        (
            "db.orders.bulkWrite([{insertOne: {document: {}}}, {deleteMany: {filter: {}}}])",
            "orders",
            "EVERY",
        ),
    ],
)
def test_destructive_commands_need_a_name_typed(text: str, typed: str, words: str) -> None:
    command = _cmd(text)
    database = command.database or "s"
    needed = confirmation(command, database, command.collection)
    assert needed is not None
    assert needed.typed == typed
    assert words in needed.question


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "db.runCommand({insert: 'c', documents: [{}]})",
            "'insert' command is not a known read-only",
        ),
        ("db.runCommand({aggregate: 'c', pipeline: [{$out: 'x'}], cursor: {}})", "$out or $merge"),
        ("db.adminCommand({shutdown: 1})", "'shutdown'"),
        ("db.runCommand({dropIndexes: 'orders', index: 'a_1'})", "'dropIndexes'"),
        (
            "db.adminCommand({renameCollection: 's.a', to: 's.b'})",
            "Rename the collection s.a to s.b",
        ),
        ("db.orders.renameCollection('old')", "Rename the collection s.orders to s.old"),
        ("db.orders.findOneAndDelete({})", "arbitrary document"),
        ("db.orders.findOneAndUpdate({}, {$set: {a: 1}})", "arbitrary document"),
        ("db.orders.bulkWrite([{deleteOne: {filter: {a: 1}}}])", "1 deleteOne"),
        (
            "db.orders.bulkWrite([{updateMany: {filter: {a: 1}, update: {$set: {b: 1}}}}])",
            "1 updateMany",
        ),
        ("db.orders.bulkWrite([{updateOne: {filter: {}, update: {$set: {b: 1}}}}])", "1 updateOne"),
    ],
)
def test_risky_commands_ask_yes_or_no(text: str, words: str) -> None:
    command = _cmd(text)
    database = command.database or "s"
    assert confirmation(command, database, command.collection) is None
    question = plain_question(command, database, command.collection)
    assert question is not None
    assert words in question


@pytest.mark.parametrize(
    "text",
    [
        "db.runCommand({ping: 1})",
        "db.orders.findOneAndUpdate({a: 1}, {$set: {b: 1}})",
        "db.orders.bulkWrite([{insertOne: {document: {}}}, {updateOne: {filter: {a: 1}, update: {$set: {b: 1}}}}])",
        "db.orders.countDocuments({})",
    ],
)
def test_ordinary_commands_ask_nothing(text: str) -> None:
    command = _cmd(text)
    assert confirmation(command, "s", command.collection) is None
    assert plain_question(command, "s", command.collection) is None


# -- the one /regex/ scanner --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("/a/", 2),
        ("/a\\/b/i", 5),
        ("/[/]x/", 5),
        ("/a[\\]/]/", 7),
        ("/abc", -1),
        ("/a\n/", -1),
        ("/a\r/", -1),
    ],
)
def test_regex_end(text: str, end: int) -> None:
    assert regex_end(text, 0) == end


def test_parser_and_splitter_agree_on_regexes() -> None:
    text = "db.c.find({a: /x;y[/;]/i}); db.c.find({b: /\\/;/})"
    statements = [s.text for s in split_commands(text)]
    assert statements == ["db.c.find({a: /x;y[/;]/i})", "db.c.find({b: /\\/;/})"]
    first = parse_command(statements[0]).arg(0)
    assert isinstance(first, dict)
    assert first["a"].pattern == "x;y[/;]"
    with pytest.raises(LiteralError):
        read_regex("/open;\n/", 0)
    # an unterminated regex ends at its line: the ';' inside it does not split
    assert [s.text for s in split_commands("/open;\ndb.c.find()")] == ["/open;", "db.c.find()"]


# -- arrays as cells ----------------------------------------------------------------------------


def test_document_fields_render_arrays_as_json() -> None:
    assert format_value([], DOCUMENT_FIELD) == "[]"
    assert format_value([{"sku": "a", "qty": 1}], DOCUMENT_FIELD) == '[{"sku":"a","qty":1}]'
    assert format_value([[1, 2], None, "x"], DOCUMENT_FIELD) == '[[1,2],null,"x"]'
    assert format_value({"a": []}, DOCUMENT_FIELD) == '{"a":[]}'
    assert format_value("text", DOCUMENT_FIELD) == "text"
    assert format_value(2, DOCUMENT_FIELD) == "2"
    oid = ObjectId()
    assert format_value([oid], DOCUMENT_FIELD) == f'["{oid}"]'
    assert format_value([], "") == "{}", "a SQL array keeps its own syntax"


# -- against the server -------------------------------------------------------------------------


@pytest.fixture
def shop(mongo_url: str) -> Iterator[str]:
    name = f"shell_{uuid.uuid4().hex[:8]}"
    client: Client = pymongo.MongoClient(mongo_url)
    client[name].orders.insert_many(
        [
            {"_id": 1, "status": "open", "n": 1, "items": []},
            {"_id": 2, "status": "open", "n": 2, "items": [{"sku": "a", "qty": 2}]},
            {"_id": 3, "status": "closed", "n": 3, "items": [{"sku": "b", "qty": 1}]},
        ]
    )
    yield name
    client.drop_database(name)
    client.close()


@pytest.fixture
def client(mongo_url: str) -> Iterator[Client]:
    found: Client = pymongo.MongoClient(mongo_url)
    yield found
    found.close()


@pytest.fixture
def driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from connected(MongoDriver, f"{mongo_url}{shop}")


@pytest.fixture
def ro_driver(mongo_url: str, shop: str) -> Iterator[MongoDriver]:
    yield from connected(MongoDriver, f"{mongo_url}{shop}", read_only=True)


def run(driver: MongoDriver, text: str) -> Result:
    (result,) = list(driver.execute(text))
    return result


def docs(driver: MongoDriver, text: str) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    result = run(driver, text)
    assert isinstance(result, DocumentsResult)
    found = [dict(d) for d in result.documents.fetch(1000)]
    result.documents.close()
    return found, result.notices


def test_run_command_replies(driver: MongoDriver, shop: str) -> None:
    assert docs(driver, "db.runCommand({ping: 1})")[0] == [{"ok": 1.0}]
    (info,), _ = docs(driver, 'db.runCommand("buildInfo")')
    assert info["version"]
    assert "$clusterTime" not in info
    (count,), _ = docs(driver, "db.runCommand({count: 'orders', query: {status: 'open'}})")
    assert count["n"] == 2
    (stats,), _ = docs(driver, "db.runCommand({collStats: 'orders'})")
    assert stats["count"] == 3
    assert stats["ns"] == f"{shop}.orders"
    (listing,), _ = docs(driver, "db.adminCommand({listDatabases: 1})")
    assert shop in [d["name"] for d in listing["databases"]]
    (hello,), _ = docs(driver, "db.adminCommand('hello')")
    assert "maxBsonObjectSize" in hello


def test_run_command_cursors_show_their_first_batch(
    driver: MongoDriver, client: Client, shop: str
) -> None:
    found, notices = docs(
        driver, "db.runCommand({find: 'orders', filter: {status: 'open'}, sort: {_id: 1}})"
    )
    assert [d["_id"] for d in found] == [1, 2]
    assert notices == ("2 document(s) in the first batch",)
    client[shop].many.insert_many([{"i": i} for i in range(20)])
    found, notices = docs(driver, "db.runCommand({find: 'many', batchSize: 5})")
    assert len(found) == 5
    assert "cursor was closed" in notices[0]
    names, _ = docs(driver, "db.runCommand({listCollections: 1, nameOnly: true})")
    assert {"orders", "many"} <= {d["name"] for d in names}


def test_run_command_errors_are_query_errors(driver: MongoDriver) -> None:
    with pytest.raises(QueryError) as info:
        run(driver, "db.runCommand({noSuchCommand: 1})")
    assert "noSuchCommand" in info.value.message


def test_find_one_and_update_replace_delete(driver: MongoDriver, client: Client, shop: str) -> None:
    before, notices = docs(driver, "db.orders.findOneAndUpdate({_id: 1}, {$inc: {n: 10}})")
    assert before == [{"_id": 1, "status": "open", "n": 1, "items": []}]
    assert "1 document" in notices[0]
    after, _ = docs(
        driver,
        "db.orders.findOneAndUpdate({_id: 1}, {$inc: {n: 10}}, {returnDocument: 'after', projection: {n: 1}})",
    )
    assert after == [{"_id": 1, "n": 21}]
    new, _ = docs(
        driver,
        "db.orders.findOneAndUpdate({_id: 9}, {$set: {n: 9}}, {upsert: true, returnNewDocument: true})",
    )
    assert new == [{"_id": 9, "n": 9}]
    top, _ = docs(
        driver, "db.orders.findOneAndReplace({status: 'open'}, {status: 'x'}, {sort: {n: -1}})"
    )
    assert top[0]["_id"] == 1
    assert client[shop].orders.find_one({"_id": 1}) == {"_id": 1, "status": "x"}
    gone, _ = docs(driver, "db.orders.findOneAndDelete({_id: 3})")
    assert gone[0]["_id"] == 3
    assert client[shop].orders.find_one({"_id": 3}) is None
    nothing, notices = docs(driver, "db.orders.findOneAndDelete({_id: 3})")
    assert nothing == []
    assert "no document matched" in notices[0]
    with pytest.raises(QueryError, match="no upsert option"):
        run(driver, "db.orders.findOneAndDelete({_id: 1}, {upsert: true})")
    with pytest.raises(QueryError, match="returnDocument"):
        run(
            driver,
            "db.orders.findOneAndUpdate({_id: 1}, {$set: {a: 1}}, {returnDocument: 'later'})",
        )


def test_bulk_write(driver: MongoDriver, client: Client, shop: str) -> None:
    result = run(
        driver,
        "db.orders.bulkWrite(["
        "{insertOne: {document: {_id: 10, status: 'new'}}},"
        "{updateOne: {filter: {_id: 10}, update: {$set: {n: 1}}}},"
        "{updateMany: {filter: {status: 'open'}, update: {$inc: {n: 100}}}},"
        "{replaceOne: {filter: {_id: 3}, replacement: {status: 'r'}}},"
        "{deleteOne: {filter: {_id: 2}}},"
        "{deleteMany: {filter: {status: 'nothing'}}},"
        "{updateOne: {filter: {_id: 11}, update: {$set: {n: 0}}, upsert: true}}"
        "])",
    )
    assert isinstance(result, StatusResult)
    assert result.status == "inserted 1, matched 4, modified 4, deleted 1, upserted 1"
    orders = client[shop].orders
    assert orders.find_one({"_id": 1}, {"n": 1}) == {"_id": 1, "n": 101}
    assert orders.find_one({"_id": 3}) == {"_id": 3, "status": "r"}
    assert orders.find_one({"_id": 2}) is None
    assert orders.find_one({"_id": 11}) == {"_id": 11, "n": 0}
    with pytest.raises(QueryError, match="write"):
        run(
            driver,
            "db.orders.bulkWrite([{insertOne: {document: {_id: 1}}}, {insertOne: {document: {_id: 50}}}], {ordered: false})",
        )
    assert orders.find_one({"_id": 50}) == {"_id": 50}, "unordered: the next one still ran"


def test_rename_collection(driver: MongoDriver, client: Client, shop: str) -> None:
    client[shop].other.insert_one({"x": 1})
    result = run(driver, "db.orders.renameCollection('archive')")
    assert isinstance(result, StatusResult)
    assert result.status == f"renamed {shop}.orders to {shop}.archive"
    assert set(client[shop].list_collection_names()) == {"archive", "other"}
    with pytest.raises(QueryError):
        run(driver, "db.other.renameCollection('archive')")
    run(driver, "db.other.renameCollection('archive', true)")
    assert client[shop].list_collection_names() == ["archive"]
    assert client[shop].archive.find_one({}, {"_id": 0}) == {"x": 1}
    run(driver, f"db.adminCommand({{renameCollection: '{shop}.archive', to: '{shop}.back'}})")
    assert client[shop].list_collection_names() == ["back"]


def test_counts_distinct_and_indexes(driver: MongoDriver, client: Client, shop: str) -> None:
    count = run(driver, 'db.orders.countDocuments({status: "open"})')
    assert isinstance(count, ReplyResult)
    assert count.reply == 2
    estimated = run(driver, "db.orders.estimatedDocumentCount()")
    assert isinstance(estimated, ReplyResult)
    assert estimated.reply == 3
    values = run(driver, "db.orders.distinct('status')")
    assert isinstance(values, ReplyResult)
    assert isinstance(values.reply, list)
    assert sorted(values.reply) == ["closed", "open"]
    created = run(driver, "db.orders.createIndex({status: 1, n: -1})")
    assert isinstance(created, StatusResult)
    assert created.status == "created index status_1_n_-1"
    indexes, _ = docs(driver, "db.orders.getIndexes()")
    assert [i["name"] for i in indexes] == ["_id_", "status_1_n_-1"]
    run(driver, 'db.orders.dropIndex("status_1_n_-1")')
    assert list(client[shop].orders.index_information()) == ["_id_"]


def test_read_only_refuses_writes_before_sending(
    ro_driver: MongoDriver, client: Client, shop: str
) -> None:
    for text in [
        "db.orders.findOneAndUpdate({_id: 1}, {$set: {n: 0}})",
        "db.orders.findOneAndReplace({_id: 1}, {n: 0})",
        "db.orders.findOneAndDelete({_id: 1})",
        "db.orders.bulkWrite([{deleteOne: {filter: {_id: 1}}}])",
        "db.orders.renameCollection('gone')",
        "db.orders.createIndex({n: 1})",
        "db.runCommand({delete: 'orders', deletes: [{q: {}, limit: 0}]})",
        "db.runCommand({drop: 'orders'})",
        "db.runCommand({aggregate: 'orders', pipeline: [{$out: 'copy'}], cursor: {}})",
        "db.runCommand({createIndexes: 'orders', indexes: [{key: {n: 1}, name: 'n_1'}]})",
        "db.adminCommand({renameCollection: 'a.b', to: 'a.c'})",
    ]:
        with pytest.raises(ReadOnlyError) as info:
            run(ro_driver, text)
        assert "read-only" in info.value.message
        assert ro_driver.needs_confirmation(text) is None, "refused at once: nothing to ask"
    assert client[shop].list_collection_names() == ["orders"]
    assert list(client[shop].orders.find({}, {"n": 1}).sort("_id", 1)) == [
        {"_id": 1, "n": 1},
        {"_id": 2, "n": 2},
        {"_id": 3, "n": 3},
    ]
    assert list(client[shop].orders.index_information()) == ["_id_"]


def test_read_only_still_runs_read_commands(ro_driver: MongoDriver) -> None:
    assert docs(ro_driver, "db.runCommand({ping: 1})")[0] == [{"ok": 1.0}]
    (count,), _ = docs(ro_driver, "db.runCommand({count: 'orders'})")
    assert count["n"] == 3
    found, _ = docs(
        ro_driver, "db.runCommand({aggregate: 'orders', pipeline: [{$match: {n: 2}}], cursor: {}})"
    )
    assert [d["_id"] for d in found] == [2]
    assert docs(ro_driver, "db.adminCommand({listDatabases: 1})")[0]
    result = run(ro_driver, "db.orders.countDocuments({status: 'open'})")
    assert isinstance(result, ReplyResult)
    assert result.reply == 2


def test_the_driver_asks_before_destructive_commands(driver: MongoDriver, shop: str) -> None:
    assert driver.typed_confirmation("db.runCommand({drop: 'orders'})") == "orders"
    assert driver.typed_confirmation("db.runCommand({dropDatabase: 1})") == shop
    asked = driver.question_before("db.runCommand({insert: 'orders', documents: [{}]})")
    assert asked is not None
    assert asked.typed is None
    assert "insert" in asked.question
    asked = driver.question_before("db.orders.bulkWrite([{deleteMany: {filter: {}}}])")
    assert asked is not None
    assert asked.typed == "orders"
    assert driver.question_before("db.runCommand({ping: 1})") is None
    assert driver.needs_confirmation("db.orders.findOneAndUpdate({_id: 1}, {$set: {a: 1}})") is None
