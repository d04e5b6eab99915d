"""The relaxed mongosh value parser: good values, bad values, and attempts to run code (pure)."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid

import pytest
from bson import BSON, Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp

from dbtui.core.errors import QueryError
from dbtui.drivers.mongo.export import to_extended_json, to_shell
from dbtui.drivers.mongo.syntax import MongoSyntaxError, parse_document, parse_value

OID = "65f1a2b3c4d5e6f708192a3b"
UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{age: {$gt: 30}}", {"age": {"$gt": 30}}),
        ("{'a.b': 1, \"c\": 2}", {"a.b": 1, "c": 2}),
        ("{a.b.c: 1}", {"a.b.c": 1}),
        ("{tags.$: 1, _id: 0}", {"tags.$": 1, "_id": 0}),
        ("{1: 'one'}", {"1": "one"}),
        ("{a: [1, 2, ], b: {c: null, }, }", {"a": [1, 2], "b": {"c": None}}),
        ("[]", []),
        ("{}", {}),
        ("true", True),
        ("false", False),
        ("null", None),
        ("42", 42),
        ("-7", -7),
        ("3.25", 3.25),
        ("-1.5e3", -1500.0),
        ("2E-2", 0.02),
        (".5", 0.5),
        ("0x1f", 31),
        ("'it\\'s'", "it's"),
        ('"tab\\tnew\\nline"', "tab\tnew\nline"),
        ('"\\u00e9\\x41\\u{1F600}"', "éA\U0001f600"),
        ('"\\ud83d\\ude00"', "\U0001f600"),
        ("'a\\\nb'", "ab"),
        ("'\\q'", "q"),
        ('"$where is just text: this.a > 1"', "$where is just text: this.a > 1"),
        ("{a: 1 /* block */, // line\n b: 2}", {"a": 1, "b": 2}),
        ("{ünïcode: 1}", {"ünïcode": 1}),
    ],
)
def test_plain_values(text: str, expected: object) -> None:
    assert parse_value(text) == expected


def test_key_order_is_kept_for_sort_and_index_specs() -> None:
    assert list(parse_document("{b: 1, a: -1, c: 1}")) == ["b", "a", "c"]


def test_duplicate_key_keeps_the_last_value_like_javascript() -> None:
    assert parse_value("{a: 1, a: 2}") == {"a": 2}


def test_integers_beyond_64_bits_become_floats_like_javascript() -> None:
    assert parse_value("9223372036854775807") == 2**63 - 1
    assert isinstance(parse_value("99999999999999999999"), float)


def test_special_floats() -> None:
    assert math.isnan(parse_value("NaN"))  # type: ignore[arg-type]
    assert parse_value("Infinity") == math.inf
    assert parse_value("-Infinity") == -math.inf


def test_constructors() -> None:
    value = parse_value(
        f'{{id: ObjectId("{OID}"), d: ISODate("2024-05-01T12:30:00Z"), n: NumberLong(5), '
        'big: NumberLong("9007199254740993"), i: NumberInt("7"), m: NumberDecimal("12.50"), '
        'u: UUID("00112233-4455-6677-8899-aabbccddeeff"), t: Timestamp(10, 2), '
        "lo: MinKey(), hi: MaxKey, bin: BinData(0, 'AAEC'), hex: HexData(5, '0a0b')}"
    )
    assert value == {
        "id": ObjectId(OID),
        "d": dt.datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "n": Int64(5),
        "big": Int64(9007199254740993),
        "i": 7,
        "m": Decimal128("12.50"),
        "u": Binary.from_uuid(uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")),
        "t": Timestamp(10, 2),
        "lo": MinKey(),
        "hi": MaxKey(),
        "bin": Binary(b"\x00\x01\x02", 0),
        "hex": Binary(b"\x0a\x0b", 5),
    }
    assert isinstance(value["n"], Int64)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('ISODate("2024-05-01")', dt.datetime(2024, 5, 1, tzinfo=UTC)),
        ('ISODate("2024-05-01T12:00:00")', dt.datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ('new Date("2024-05-01T12:00:00+02:00")', dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (
            'new ISODate("2024-05-01T00:00:00.250Z")',
            dt.datetime(2024, 5, 1, 0, 0, 0, 250000, tzinfo=UTC),
        ),
        ("new Date(0)", dt.datetime(1970, 1, 1, tzinfo=UTC)),
        ("Date(86400000)", dt.datetime(1970, 1, 2, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: dt.datetime) -> None:
    assert parse_value(text) == expected


def test_constructors_without_arguments_make_fresh_values() -> None:
    assert isinstance(parse_value("ObjectId()"), ObjectId)
    assert isinstance(parse_value("new Date()"), dt.datetime)
    assert parse_value("UUID()") != parse_value("UUID()")


def test_timestamp_object_form() -> None:
    assert parse_value("Timestamp({t: 5, i: 1})") == Timestamp(5, 1)


@pytest.mark.parametrize(
    ("text", "pattern", "flags"),
    [
        ("/^ab+c$/", "^ab+c$", 0),
        ("/a\\/b/i", "a\\/b", re.IGNORECASE),
        ("/[/]x/ms", "[/]x", re.MULTILINE | re.DOTALL),
        ('RegExp("^x", "i")', "^x", re.IGNORECASE),
        ('new RegExp("y")', "y", 0),
    ],
)
def test_regular_expressions(text: str, pattern: str, flags: int) -> None:
    value = parse_value(text)
    assert isinstance(value, Regex)
    assert (value.pattern, value.flags) == (pattern, flags)


def test_regex_inside_a_filter() -> None:
    value = parse_document("{name: /^jo/i, tags: {$in: [/a/, /b/]}}")
    assert isinstance(value["name"], Regex)
    assert len(value["tags"]["$in"]) == 2  # type: ignore[index]


def test_extended_json_wrappers_are_understood() -> None:
    text = (
        f'{{"_id": {{"$oid": "{OID}"}}, "d": {{"$date": "2024-05-01T00:00:00Z"}}, '
        '"n": {"$numberLong": "12"}, "m": {"$numberDecimal": "1.5"}}'
    )
    assert parse_value(text) == {
        "_id": ObjectId(OID),
        "d": dt.datetime(2024, 5, 1, tzinfo=UTC),
        "n": Int64(12),
        "m": Decimal128("1.5"),
    }


def test_query_operators_are_not_taken_for_extended_json() -> None:
    assert parse_value("{$regex: 'a', $options: 'i'}") == {"$regex": "a", "$options": "i"}


def test_values_encode_to_bson() -> None:
    doc = parse_document(f'{{a: ObjectId("{OID}"), b: [1, 2.5, "x", /re/i, NumberDecimal("1")]}}')
    assert BSON.encode(doc).decode()["a"] == ObjectId(OID)


def test_round_trip_through_shell_text_keeps_every_type() -> None:
    original = {
        "_id": ObjectId(OID),
        "when": dt.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
        "int": 5,
        "long": Int64(7),
        "float": 2.0,
        "dec": Decimal128("3.10"),
        "uuid": uuid.UUID("00112233-4455-6677-8899-aabbccddeeff"),
        "bin": Binary(b"\x01\x02", 0),
        "re": Regex("a/b", "i"),
        "ts": Timestamp(1, 2),
        "nested": {"a b": [None, True, 'quote"d'], "min": MinKey()},
    }
    text = to_shell(original, indent=2)
    back = parse_document(text)
    assert isinstance(back["long"], Int64)
    assert isinstance(back["float"], float)
    assert back["uuid"] == Binary.from_uuid(original["uuid"])  # type: ignore[arg-type]
    assert back["re"] == Regex("a/b", "i")
    for key in ("_id", "when", "int", "float", "dec", "bin", "ts", "nested"):
        assert back[key] == original[key], key


def test_extended_json_export_is_relaxed_and_parses_back() -> None:
    docs = [{"_id": ObjectId(OID), "n": 1, "d": dt.datetime(2024, 1, 1, tzinfo=UTC)}]
    text = to_extended_json(docs)
    assert '"$oid"' in text
    assert '"n": 1' in text
    assert parse_value(text) == docs


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("{a: 1", 5, "expected '}'"),
        ("{a 1}", 3, "expected ':'"),
        ("{a: }", 4, "a value was expected"),
        ("'abc", 0, "unterminated string"),
        ('"a\nb"', 0, "unterminated string"),
        ("{a: x}", 4, "'x' is not a value"),
        ("{a: 12abc}", 6, "after the number"),
        ("[1,,2]", 3, "a value was expected"),
        ("/abc", 0, "unterminated regular expression"),
        ("/abc/g", 5, "flag 'g'"),
        ('ObjectId("123")', 0, "24-character hex"),
        ('ObjectId("zzzzzzzzzzzzzzzzzzzzzzzz")', 0, "not hexadecimal"),
        ('ISODate("yesterday")', 0, "not an ISO-8601 date"),
        ("NumberInt(3000000000)", 0, "out of range"),
        ('NumberDecimal("abc")', 0, "not a decimal"),
        ('UUID("nope")', 0, "not a UUID"),
        ('BinData(0, "***")', 0, "not base64"),
        ("{a: 1} {b: 2}", 7, "after the value"),
        ("/* open", 0, "unterminated comment"),
        ('"\\ud800"', 0, "lone UTF-16 surrogate"),
        ('"\\u12"', 1, "invalid \\u escape"),
        ("", 0, "unexpected end of input"),
        ("{$oid: 'zz'}", 0, "invalid Extended JSON"),
        ("Date.now()", 4, "expected '('"),
    ],
)
def test_bad_input_points_at_the_problem(text: str, position: int, words: str) -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_value(text)
    error = info.value
    assert isinstance(error, QueryError)
    assert words in error.message
    assert error.position == position
    assert error.detail is not None
    assert (
        error.detail.splitlines()[-1] == " " * (position - text.rfind("\n", 0, position) - 1) + "^"
    )


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("{$where: function() { return true }}", 9, "functions are not allowed"),
        ("{a: this.x}", 4, "'this' is not allowed"),
        ('eval("db.dropDatabase()")', 0, "calling eval() is not allowed"),
        ('require("child_process")', 0, "calling require() is not allowed"),
        ("{a: `${process.exit()}`}", 4, "backticks"),
        ("{a: () => 1}", 4, "unexpected '('"),
        ("{a: process.env}", 4, "'process' is not a value"),
        ("{a: new Function('x')}", 8, "'new Function' is not allowed"),
        ("{a: async function(){}}", 4, "functions are not allowed"),
        ("{a: constructor.constructor('x')()}", 4, "'constructor' is not a value"),
        ("{a: globalThis}", 4, "'globalThis' is not a value"),
        ("{a: 1 + 1}", 6, "expected '}'"),
        ("{['a' + 'b']: 1}", 1, "expected a key"),
    ],
)
def test_code_is_refused_with_its_position(text: str, position: int, words: str) -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_value(text)
    assert words in info.value.message
    assert info.value.position == position


def test_where_string_stays_a_string() -> None:
    assert parse_document("{$where: 'sleep(1000) || true'}") == {"$where": "sleep(1000) || true"}


def test_line_and_column_for_multi_line_input() -> None:
    with pytest.raises(MongoSyntaxError) as info:
        parse_value("{\n  a: 1,\n  b: ?\n}")
    assert info.value.position == 15
    assert "(line 3, column 6)" in info.value.message
    assert info.value.detail == "  b: ?\n     ^"


def test_nesting_is_limited_instead_of_recursing() -> None:
    with pytest.raises(MongoSyntaxError, match="nested more than"):
        parse_value("[" * 200 + "]" * 200)


def test_parse_document_requires_an_object() -> None:
    with pytest.raises(MongoSyntaxError, match="expected a document"):
        parse_document("[1]")
    with pytest.raises(MongoSyntaxError, match="Extended JSON value"):
        parse_document(f'{{"$oid": "{OID}"}}')
