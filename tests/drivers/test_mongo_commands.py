"""Shell command lines, editor-buffer splitting and write/confirmation rules (pure)."""

from __future__ import annotations

import pytest
from bson import ObjectId

from dbtui.drivers.mongo.commands import MongoCommand, parse_command
from dbtui.drivers.mongo.safety import (
    confirmation,
    plain_question,
    without_writing_stages,
    write_reason,
)
from dbtui.drivers.mongo.splitting import split_commands
from dbtui.drivers.mongo.syntax import MongoSyntaxError


def test_find_with_every_modifier() -> None:
    command = parse_command(
        "db.users.find({age: {$gt: 30}}, {name: 1}).sort({age: -1, name: 1}).skip(10).limit(5)"
        '.hint("age_1").maxTimeMS(500).batchSize(20).collation({locale: "fr"}).comment("mine")'
        ".pretty();"
    )
    assert command.operation == "find"
    assert command.collection == "users"
    assert command.args == ({"age": {"$gt": 30}}, {"name": 1})
    assert command.modifier("sort") == {"age": -1, "name": 1}
    assert list(command.modifier("sort")) == ["age", "name"]  # type: ignore[call-overload]
    assert (command.modifier("skip"), command.modifier("limit")) == (10, 5)
    assert command.modifier("hint") == "age_1"
    assert command.modifier("maxTimeMS") == 500
    assert command.modifier("comment") == "mine"
    assert command.has_modifier("pretty")


@pytest.mark.parametrize(
    ("text", "operation", "collection", "args"),
    [
        ("db.c.find()", "find", "c", ()),
        ("db.c.findOne({a: 1})", "findOne", "c", ({"a": 1},)),
        (
            "db.c.aggregate([{$match: {}}], {allowDiskUse: true})",
            "aggregate",
            "c",
            ([{"$match": {}}], {"allowDiskUse": True}),
        ),
        ("db.c.countDocuments({a: 1})", "countDocuments", "c", ({"a": 1},)),
        ("db.c.count()", "countDocuments", "c", ()),
        ("db.c.estimatedDocumentCount()", "estimatedDocumentCount", "c", ()),
        ('db.c.distinct("f", {a: 1})', "distinct", "c", ("f", {"a": 1})),
        ("db.c.insertOne({a: 1})", "insertOne", "c", ({"a": 1},)),
        ("db.c.insertMany([{a: 1}, {a: 2}])", "insertMany", "c", ([{"a": 1}, {"a": 2}],)),
        (
            "db.c.updateOne({a: 1}, {$set: {b: 2}})",
            "updateOne",
            "c",
            ({"a": 1}, {"$set": {"b": 2}}),
        ),
        ("db.c.updateMany({}, [{$set: {b: 2}}])", "updateMany", "c", ({}, [{"$set": {"b": 2}}])),
        ("db.c.replaceOne({a: 1}, {a: 2})", "replaceOne", "c", ({"a": 1}, {"a": 2})),
        ("db.c.deleteOne({a: 1})", "deleteOne", "c", ({"a": 1},)),
        ("db.c.deleteMany({})", "deleteMany", "c", ({},)),
        (
            "db.c.createIndex({a: 1, b: -1}, {unique: true})",
            "createIndex",
            "c",
            ({"a": 1, "b": -1}, {"unique": True}),
        ),
        ('db.c.dropIndex("a_1")', "dropIndex", "c", ("a_1",)),
        ("db.c.dropIndexes()", "dropIndexes", "c", ()),
        ("db.c.drop()", "drop", "c", ()),
        ("db.c.getIndexes()", "getIndexes", "c", ()),
        ("db.c.stats()", "collStats", "c", ()),
        ("db.dropDatabase()", "dropDatabase", None, ()),
        ("db.getCollectionNames()", "getCollectionNames", None, ()),
        ("db.stats()", "dbStats", None, ()),
        ("db.system.profile.find()", "find", "system.profile", ()),
        ('db.getCollection("name with spaces").find({})', "find", "name with spaces", ({},)),
        ("db['my-coll'].countDocuments()", "countDocuments", "my-coll", ()),
        ("{a: 1}", "find", None, ({"a": 1},)),
        ("[{$group: {_id: '$a'}}]", "aggregate", None, ([{"$group": {"_id": "$a"}}],)),
    ],
)
def test_command_forms(
    text: str, operation: str, collection: str | None, args: tuple[object, ...]
) -> None:
    command = parse_command(text)
    assert (command.operation, command.collection, command.args) == (operation, collection, args)
    assert command.text == text


def test_keywords() -> None:
    assert parse_command("show dbs").operation == "showDatabases"
    assert parse_command("show databases").operation == "showDatabases"
    assert parse_command("show collections;").operation == "showCollections"
    use = parse_command("use my-db")
    assert (use.operation, use.database, use.args) == ("use", "my-db", ("my-db",))


def test_sibling_database() -> None:
    command = parse_command('db.getSiblingDB("other").users.find()')
    assert (command.database, command.collection) == ("other", "users")
    drop = parse_command('db.getSiblingDB("other").dropDatabase()')
    assert (drop.operation, drop.database) == ("dropDatabase", "other")


def test_multi_line_command() -> None:
    text = "db.orders.find(\n  {status: 'A'},   // open ones\n  {total: 1}\n)\n  .sort({total: -1})"
    command = parse_command(text)
    assert command.args == ({"status": "A"}, {"total": 1})
    assert command.modifier("sort") == {"total": -1}


def test_object_ids_in_filters() -> None:
    oid = "65f1a2b3c4d5e6f708192a3b"
    command = parse_command(f'db.c.find({{_id: ObjectId("{oid}")}})')
    assert command.args == ({"_id": ObjectId(oid)},)


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("db.c.find({}).forEach(printjson)", 14, "forEach() is not supported"),
        ("db.c.find({$where: function(){ return true }})", 19, "functions are not allowed"),
        ('db.c.find(eval("x"))', 10, "calling eval() is not allowed"),
        ('require("fs")', 0, "expected db."),
        ("db.c.find(`x`)", 10, "backticks"),
        ("db.c.find({}); db.dropDatabase()", 15, "after the command"),
        ("db.c.find({}) db.c.drop()", 14, "after the command"),
        ("db.c.mapReduce(function(){}, function(){})", 5, "mapReduce() is not supported"),
        ('db.eval("1")', 3, "eval() is not supported"),
        ("db.c.find({}).count()", 14, "count() is not supported"),
        ("db.c.aggregate([]).sort({a: 1})", 19, "sort() is not supported"),
        ("db.c.insertOne()", 14, "takes 1 to 2 argument(s), got 0"),
        ("db.c.find('x')", 9, "must be a document"),
        ("db.c.aggregate({$match: {}})", 14, "must be a pipeline"),
        ("db.c.insertMany([1, 2])", 15, "must be an array of documents"),
        ("db.c.find().limit(-1)", 17, "must be an integer"),
        ("db.c.find().limit(true)", 17, "must be an integer"),
        ("db.c.find().sort('a')", 16, "must be a document"),
        ('db.getCollection("")', 3, "non-empty name"),
        ("db.getCollection(x)", 17, "'x' is not a value"),
        ("db.c.find(", 10, "')' is missing"),
        ("db", 2, "expected '.'"),
        ("db.", 3, "expected a collection or method name"),
        ("show users", 5, "expected 'show dbs'"),
        ("use", 3, "expected a database name"),
        ("[1, 2]", 0, "a bare pipeline must be"),
        ("this.constructor", 0, "expected db."),
        ("", 0, "empty command"),
        ("  // only a comment", 19, "empty command"),
    ],
)
def test_bad_commands(text: str, position: int, words: str) -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_command(text)
    assert words in info.value.message
    assert info.value.position == position
    assert info.value.hint is None or info.value.hint


def test_unsupported_method_hint_lists_what_is_supported() -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_command("db.c.mapReduce([])")
    assert info.value.hint is not None
    assert "insertMany" in info.value.hint


def test_split_buffer_into_commands() -> None:
    script = (
        "// a comment line\n"
        "show dbs\n"
        "use shop\n"
        "\n"
        "db.users.find({\n  age: {$gt: 1}\n})\n"
        "  .sort({age: 1})\n"
        "  .limit(3);db.users.countDocuments({note: 'a;b // not a comment'})\n"
        "db.users.find({name: /x;y\\/z/})\n"
        "{a: 1}   /* block\n comment */\n"
        "db.users.\n  find()\n"
    )
    statements = split_commands(script)
    texts = [s.text for s in statements]
    assert texts == [
        "// a comment line\nshow dbs",
        "use shop",
        "db.users.find({\n  age: {$gt: 1}\n})\n  .sort({age: 1})\n  .limit(3)",
        "db.users.countDocuments({note: 'a;b // not a comment'})",
        "db.users.find({name: /x;y\\/z/})",
        "{a: 1}   /* block\n comment */",
        "db.users.\n  find()",
    ]
    for statement in statements:
        assert script[statement.start : statement.end] == statement.text
        parse_command(statement.text)


def test_split_drops_blank_and_comment_only_input() -> None:
    assert split_commands("  \n// nothing\n/* at all */\n;;") == []


def _cmd(text: str) -> MongoCommand:
    return parse_command(text)


@pytest.mark.parametrize(
    "text",
    [
        "db.c.insertOne({a: 1})",
        "db.c.insertMany([{a: 1}])",
        "db.c.updateOne({}, {$set: {a: 1}})",
        "db.c.updateMany({}, {$set: {a: 1}})",
        "db.c.replaceOne({}, {a: 1})",
        "db.c.deleteOne({})",
        "db.c.deleteMany({a: 1})",
        "db.c.createIndex({a: 1})",
        'db.c.dropIndex("a_1")',
        "db.c.dropIndexes()",
        "db.c.drop()",
        "db.dropDatabase()",
        "db.c.aggregate([{$match: {}}, {$out: 'x'}])",
        "db.c.aggregate([{$merge: {into: 'x'}}, {$match: {}}])",
        "[{$out: 'x'}]",
        "db.c.aggregate([{$facet: {a: [{$out: 'x'}]}}])",
        "db.c.aggregate([{$lookup: {from: 'o', pipeline: [{$merge: 'x'}], as: 'o'}}])",
        "db.c.aggregate([{$out: 'x'}]).explain()",
    ],
)
def test_writes_are_recognised(text: str) -> None:
    assert write_reason(_cmd(text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        "db.c.find({$where: 'this.a > 1'})",
        "db.c.aggregate([{$match: {out: 1}}, {$group: {_id: '$out'}}])",
        "db.c.countDocuments()",
        "db.c.distinct('a')",
        "db.c.getIndexes()",
        "show dbs",
        "use x",
        "{a: 1}",
    ],
)
def test_reads_are_not_writes(text: str) -> None:
    assert write_reason(_cmd(text)) is None


def test_out_and_merge_are_stripped_for_explain() -> None:
    pipeline: list[object] = [{"$match": {}}, {"$out": "x"}, {"$merge": {"into": "y"}}]
    assert without_writing_stages(pipeline) == [{"$match": {}}]


def test_typed_confirmations() -> None:
    wipe = confirmation(_cmd("db.users.deleteMany({})"), "shop", "users")
    assert wipe is not None
    assert wipe.typed == "users"
    assert "EVERY document of shop.users" in wipe.question
    drop = confirmation(_cmd("db.users.drop()"), "shop", "users")
    assert drop is not None
    assert drop.typed == "users"
    database = confirmation(_cmd("db.dropDatabase()"), "shop", None)
    assert database is not None
    assert database.typed == "shop"
    assert confirmation(_cmd("db.users.deleteMany({a: 1})"), "shop", "users") is None
    assert confirmation(_cmd("db.users.find()"), "shop", "users") is None


def test_plain_questions() -> None:
    assert plain_question(_cmd("db.users.updateMany({}, {$set: {a: 1}})"), "s", "users")
    assert plain_question(_cmd('db.users.dropIndex("a_1")'), "s", "users")
    assert plain_question(_cmd("db.users.updateMany({a: 1}, {$set: {a: 2}})"), "s", "users") is None
