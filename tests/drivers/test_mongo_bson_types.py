"""Every BSON type gets its own name in schema inference, read back from the compatible server."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from bson import (
    Binary,
    Code,
    DatetimeMS,
    DBRef,
    Decimal128,
    Int64,
    MaxKey,
    MinKey,
    ObjectId,
    Regex,
    Timestamp,
)
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions

from dbtui.drivers.mongo.inference import bson_type_name, infer_schema
from dbtui.drivers.mongo.schema import sample_schema

EXPECTED: dict[str, tuple[object, str]] = {
    "code": (Code("function () { return 1; }"), "Code"),
    "scoped": (Code("return x;", {"x": 1}), "CodeWithScope"),
    "regex": (Regex("^ab", "i"), "Regex"),
    "long": (Int64(5), "Int64"),
    "big": (2**40, "Int64"),
    "int": (7, "Int32"),
    "double": (1.5, "Double"),
    "decimal": (Decimal128("1.25"), "Decimal128"),
    "bin_generic": (Binary(b"\x01\x02", 0), "Binary"),
    "bin_function": (Binary(b"\x01", 1), "Binary"),
    "bin_uuid_legacy": (Binary(b"\x11" * 16, 3), "Binary"),
    "bin_uuid": (Binary(uuid.UUID(int=1).bytes, 4), "UUID"),
    "bin_md5": (Binary(b"\x00" * 16, 5), "Binary"),
    "bin_user": (Binary(b"q", 128), "Binary"),
    "uuid": (uuid.UUID(int=2), "UUID"),
    "ts": (Timestamp(1_700_000_000, 3), "Timestamp"),
    "min": (MinKey(), "MinKey"),
    "max": (MaxKey(), "MaxKey"),
    "ref": (DBRef("users", 1, "shop"), "DBRef"),
    "oid": (ObjectId("65a000000000000000000001"), "ObjectId"),
    "when": (dt.datetime(2024, 1, 2, 3, 4, 5), "Date"),
    "flag": (True, "Boolean"),
    "nothing": (None, "Null"),
    "text": ("plain", "String"),
    "doc": ({"a": 1}, "Document"),
    "list": ([1], "Array"),
}


@pytest.mark.parametrize(("value", "name"), list(EXPECTED.values()), ids=list(EXPECTED))
def test_each_decoded_value_has_its_bson_name(value: object, name: str) -> None:
    assert bson_type_name(value) == name


def test_out_of_range_dates_are_dates() -> None:
    assert bson_type_name(DatetimeMS(2**62)) == "Date"


def test_code_samples_are_not_shown_as_plain_strings() -> None:
    report = infer_schema([{"code": Code("f()"), "ref": DBRef("users", 7)}])
    code, ref = report.field("code"), report.field("ref")
    assert code is not None
    assert ref is not None
    assert code.types[0].samples == ('Code("f()")',)
    assert ref.types[0].samples == ('DBRef("users", 7)',)
    assert ref.fields == (), "a DBRef is a value, not a sub-document"


@pytest.fixture
def typed(mongo_url: str) -> Iterator[pymongo.collection.Collection[dict[str, Any]]]:
    name = f"types_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    standard: CodecOptions[dict[str, Any]] = CodecOptions(
        uuid_representation=UuidRepresentation.STANDARD
    )
    writer = client[name].get_collection("all", codec_options=standard)
    writer.insert_one({key: value for key, (value, _) in EXPECTED.items()})
    yield client[name]["all"]
    client.drop_database(name)
    client.close()


def test_types_read_back_from_the_server(
    typed: pymongo.collection.Collection[dict[str, Any]],
) -> None:
    report = sample_schema(typed)
    assert report.sampled == 1
    got = {f.path: f.type_names for f in report.fields}
    for key, (_, name) in EXPECTED.items():
        assert got[key] == (name,), key
    stored = typed.find_one()
    assert stored is not None
    assert isinstance(stored["code"], str), "the trap: pymongo's Code is a str"
