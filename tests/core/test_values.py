"""format_value: one faithful text rendering of database values for every engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

import pytest
from psycopg.types.multirange import Multirange
from psycopg.types.range import Range

from dbtui.core.values import NULL_TEXT, format_interval, format_value, to_json

UTC = dt.UTC


def test_null_and_the_string_null_render_alike_but_only_none_is_null() -> None:
    assert format_value(None) == NULL_TEXT
    assert format_value("NULL") == "NULL"
    # Inside an array the difference is visible: the string is quoted.
    assert format_value([None, "NULL"]) == '{NULL,"NULL"}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-12345678901234567890, "-12345678901234567890"),
        ("héllo", "héllo"),
        ("", ""),
        (0.1, "0.1"),
        (1e300, "1e+300"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (b"\x00\xff\x10", "\\x00ff10"),
        (bytearray(b"ab"), "\\x6162"),
        (memoryview(b"\x01"), "\\x01"),
        (b"", "\\x"),
        (UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    ],
)
def test_scalars(value: object, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.50"), "1.50"),
        (Decimal("0.1"), "0.1"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("1E+3"), "1000"),
        (
            Decimal("123456789012345678901234567890.123456789"),
            "123456789012345678901234567890.123456789",
        ),
        (Decimal("-0.00"), "-0.00"),
        (Decimal("NaN"), "NaN"),
        (Decimal("Infinity"), "Infinity"),
        (Decimal("-Infinity"), "-Infinity"),
    ],
)
def test_decimal_is_exact_and_positional(value: Decimal, expected: str) -> None:
    assert format_value(value) == expected


def test_dates_and_times_are_iso() -> None:
    assert format_value(dt.date(2024, 2, 29)) == "2024-02-29"
    assert format_value(dt.time(13, 5, 0, 250000)) == "13:05:00.250000"
    assert format_value(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert format_value(aware) == "2024-01-02 03:04:05.123456+00:00"
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert format_value(dt.datetime(2024, 1, 2, tzinfo=plus_two)) == "2024-01-02 00:00:00+02:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.timedelta(0), "00:00:00"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=3), "3 days"),
        (dt.timedelta(days=1, hours=2, minutes=3, seconds=4), "1 day 02:03:04"),
        (dt.timedelta(seconds=1.5), "00:00:01.5"),
        (dt.timedelta(microseconds=1), "00:00:00.000001"),
        (dt.timedelta(hours=-1), "-01:00:00"),
        (dt.timedelta(days=-1), "-1 days"),
        (-dt.timedelta(days=1, hours=2), "-1 days -02:00:00"),
        (dt.timedelta(hours=30), "1 day 06:00:00"),
    ],
)
def test_interval_text_like_postgres(value: dt.timedelta, expected: str) -> None:
    assert format_interval(value) == expected
    assert format_value(value) == expected


def test_ranges() -> None:
    assert format_value(Range(1, 10)) == "[1,10)"
    assert format_value(Range(1, 10, "[]")) == "[1,10]"
    assert format_value(Range(None, 5, "(]")) == "(,5]"
    assert format_value(Range(3, None)) == "[3,)"
    assert format_value(Range(empty=True)) == "empty"
    assert format_value(Range(Decimal("1.5"), Decimal("2.50"))) == "[1.5,2.50)"
    stamps = Range(dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 2))
    assert format_value(stamps) == '["2020-01-01 00:00:00","2020-01-02 00:00:00")'
    assert format_value(Multirange([Range(1, 3), Range(5, 6)])) == "{[1,3),[5,6)}"


def test_arrays_use_postgres_literal_syntax() -> None:
    assert format_value([1, 2, 3]) == "{1,2,3}"
    assert format_value([]) == "{}"
    assert format_value([[1, 2], [3, 4]]) == "{{1,2},{3,4}}"
    assert format_value(["a", "b c", "", 'q"t', "x,y", "{z}", "back\\slash"]) == (
        '{a,"b c","","q\\"t","x,y","{z}","back\\\\slash"}'
    )
    assert format_value([Decimal("1.10"), None]) == "{1.10,NULL}"
    assert format_value([dt.date(2024, 1, 1)]) == "{2024-01-01}"
    assert format_value([b"\x01"]) == '{"\\\\x01"}'


def test_dicts_are_compact_json_and_decimals_stay_exact() -> None:
    value = {"a": [1, Decimal("1.10"), None], "b": {"c": True}, "é": "ü"}
    assert format_value(value) == '{"a":[1,1.10,null],"b":{"c":true},"é":"ü"}'


def test_json_columns_render_lists_and_scalars_as_json() -> None:
    assert format_value([1, 2], "jsonb") == "[1,2]"
    assert format_value([1, 2]) == "{1,2}"
    assert format_value("text", "json") == '"text"'
    assert format_value(None, "jsonb") == NULL_TEXT
    assert format_value([{"a": 1}, None], "jsonb[]") == '{"{\\"a\\":1}",NULL}'


def test_pretty_json_for_the_cell_viewer() -> None:
    assert format_value({"a": {"b": [1, 2]}, "c": {}}, "jsonb", pretty=True) == (
        '{\n  "a": {\n    "b": [\n      1,\n      2\n    ]\n  },\n  "c": {}\n}'
    )


def test_json_of_non_json_values_uses_their_text() -> None:
    stamp = dt.datetime(2024, 1, 2, tzinfo=UTC)
    assert to_json({"t": stamp, "b": b"\x01", "n": float("nan")}) == (
        '{"t":"2024-01-02 00:00:00+00:00","b":"\\\\x01","n":"NaN"}'
    )


def test_unknown_objects_fall_back_to_str() -> None:
    class ObjectId:
        def __str__(self) -> str:
            return "65f0c0ffee"

    assert format_value(ObjectId()) == "65f0c0ffee"
    assert format_value({"_id": ObjectId()}) == '{"_id":"65f0c0ffee"}'
