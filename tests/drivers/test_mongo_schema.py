"""Schema inference from documents (pure: no server)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from bson import Int64, ObjectId

from dbtui.drivers.mongo import inference
from dbtui.drivers.mongo.inference import bson_type_name, infer_schema

DOCS: list[dict[str, object]] = [
    {
        "_id": 1,
        "name": "Ada",
        "age": 36,
        "address": {"city": "London", "zip": "N1"},
        "tags": ["a", "b"],
        "orders": [{"sku": "x1", "qty": 2}, {"sku": "x2", "qty": 1, "gift": True}],
    },
    {
        "_id": 2,
        "name": "Grace",
        "age": 45.5,
        "address": {"city": "NYC"},
        "tags": [],
        "orders": [{"sku": "y1", "qty": 5}],
    },
    {"_id": 3, "name": None, "address": "unknown", "tags": ["c", 3]},
    {"_id": 4, "name": "Linus", "age": Int64(2**40)},
]


def test_top_level_fields_presence_and_types() -> None:
    report = infer_schema(DOCS)
    assert report.sampled == 4
    assert [f.name for f in report.fields] == ["_id", "address", "age", "name", "orders", "tags"]
    name = report.field("name")
    assert name is not None
    assert name.probability == 1.0
    assert name.type_names == ("String", "Null")
    assert name.types[0].count == 3
    assert name.types[0].share == pytest.approx(0.75)
    assert name.types[0].samples == ("Ada", "Grace", "Linus")
    age = report.field("age")
    assert age is not None
    assert age.documents == 3
    assert age.probability == pytest.approx(0.75)
    assert set(age.type_names) == {"Int32", "Double", "Int64"}


def test_nested_document_fields_are_children() -> None:
    report = infer_schema(DOCS)
    address = report.field("address")
    assert address is not None
    assert address.type_names == ("Document", "String")
    city = report.field("address.city")
    zip_code = report.field("address.zip")
    assert city is not None
    assert zip_code is not None
    assert city.probability == pytest.approx(0.5)
    assert zip_code.probability == pytest.approx(0.25)
    assert [f.name for f in address.fields] == ["city", "zip"]


def test_arrays_record_element_types_lengths_and_document_fields() -> None:
    report = infer_schema(DOCS)
    tags = report.field("tags")
    assert tags is not None
    assert tags.type_names == ("Array",)
    assert {t.name: t.count for t in tags.element_types} == {"String": 3, "Int32": 1}
    assert tags.array_lengths is not None
    assert (tags.array_lengths.minimum, tags.array_lengths.maximum) == (0, 2)
    assert tags.array_lengths.average == pytest.approx(4 / 3)
    sku = report.field("orders.sku")
    gift = report.field("orders.gift")
    assert sku is not None
    assert gift is not None
    assert sku.count == 3
    assert sku.documents == 2
    assert sku.probability == pytest.approx(0.5)
    assert gift.count == 1
    assert gift.type_names == ("Boolean",)
    orders = report.field("orders")
    assert orders is not None
    assert [t.name for t in orders.element_types] == ["Document"]


def test_walk_lists_every_path_depth_first() -> None:
    paths = [f.path for f in infer_schema(DOCS).walk()]
    assert paths.index("address") < paths.index("address.city") < paths.index("age")
    assert "orders.qty" in paths


def test_empty_sample() -> None:
    report = infer_schema([])
    assert report.sampled == 0
    assert report.fields == ()


def test_samples_are_distinct_limited_and_truncated() -> None:
    docs = [{"s": "x" * 200} for _ in range(3)] + [{"s": str(i)} for i in range(10)]
    field = infer_schema(docs).field("s")
    assert field is not None
    samples = field.types[0].samples
    assert len(samples) == inference.SAMPLES_PER_TYPE
    assert samples[0] == "x" * (inference.SAMPLE_TEXT_LIMIT - 1) + "…"
    assert len(set(samples)) == len(samples)


def test_non_string_samples_use_shell_syntax() -> None:
    oid = ObjectId("65f1a2b3c4d5e6f708192a3b")
    when = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    report = infer_schema([{"_id": oid, "at": when}])
    assert report.fields[0].types[0].samples == (f'ObjectId("{oid}")',)
    at = report.field("at")
    assert at is not None
    assert at.types[0].samples == ('ISODate("2024-01-02T00:00:00.000Z")',)


def test_runaway_field_count_is_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inference, "MAX_FIELDS", 5)
    report = infer_schema([{f"k{i}": i for i in range(10)}])
    assert report.truncated
    assert len(report.fields) == 5


def test_report_is_frozen() -> None:
    report = infer_schema(DOCS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.sampled = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (1, "Int32"),
        (2**40, "Int64"),
        (Int64(1), "Int64"),
        (1.0, "Double"),
        (True, "Boolean"),
        (None, "Null"),
        ({}, "Document"),
        ([], "Array"),
        ("s", "String"),
    ],
)
def test_type_names(value: object, name: str) -> None:
    assert bson_type_name(value) == name
