"""MongoDB ESR index advice on filter/sort shapes (pure)."""

from __future__ import annotations

import re
from typing import Any

from dbtui.core.advice import Confidence
from dbtui.drivers.mongo.esr import classify, esr_keys, pipeline_shape, serves, suggest


def test_equality_then_sort_then_range() -> None:
    query = {"created": {"$gte": 5}, "status": "A", "customer": {"$eq": 7}}
    assert esr_keys(query, {"score": -1, "name": 1}) == (
        ("status", 1),
        ("customer", 1),
        ("score", -1),
        ("name", 1),
        ("created", 1),
    )


def test_roles_of_operators() -> None:
    roles = classify(
        {
            "a": 1,
            "b": {"$in": [1]},
            "c": {"$in": [1, 2]},
            "d": {"$ne": 3},
            "e": {"$regex": "^x"},
            "f": re.compile("^y"),
            "g": {"$exists": True},
            "h": {"$elemMatch": {"x": 1}},
            "i": {"sub": 1},
        }
    )
    assert roles.equality == ("a", "b", "h", "i")
    assert roles.range == ("c", "d", "e", "f")
    assert roles.other == ("g",)


def test_and_branches_are_one_filter_and_or_is_left_out() -> None:
    query = {"$and": [{"a": 1}, {"b": {"$lt": 3}}], "$or": [{"x": 1}, {"y": 2}]}
    assert esr_keys(query) == (("a", 1), ("b", 1))


def test_sort_field_that_is_also_an_equality_is_not_repeated() -> None:
    assert esr_keys({"a": 1, "b": {"$gt": 1}}, {"a": 1, "c": -1}) == (
        ("a", 1),
        ("c", -1),
        ("b", 1),
    )


def test_id_alone_needs_no_index() -> None:
    assert esr_keys({"_id": 5}) == ()
    assert suggest("orders", {"_id": 5}) is None


def test_existing_prefix_serves_it_in_either_direction() -> None:
    wanted = (("a", 1), ("b", -1))
    assert serves((("a", 1), ("b", -1), ("c", 1)), wanted)
    assert serves((("a", -1), ("b", 1)), wanted)  # all reversed: a backward scan
    assert not serves((("a", 1), ("b", 1)), wanted)  # mixed directions differ
    assert not serves((("b", -1), ("a", 1)), wanted)
    assert not serves((("a", 1),), wanted)


def test_suggest_builds_the_create_index_call() -> None:
    found = suggest(
        "orders",
        {"status": "A", "qty": {"$gt": 3}},
        {"date": -1},
        projection={"status": 1, "date": 1, "_id": 0},
        existing=((("_id", 1),), (("status", 1),)),
    )
    assert found is not None
    assert (
        found.ddl == 'db.getCollection("orders").createIndex({"status": 1, "date": -1, "qty": 1})'
    )
    assert found.confidence is Confidence.HEURISTIC
    assert found.columns == ("status", "date", "qty")
    assert any(line.startswith("covered") for line in found.evidence)
    assert suggest("orders", {"status": "A"}, existing=((("status", 1), ("x", 1)),)) is None


def test_pipeline_leading_match_and_sort() -> None:
    pipeline: list[dict[str, Any]] = [
        {"$match": {"a": 1}},
        {"$match": {"b": {"$gt": 2}}},
        {"$sort": {"c": -1}},
        {"$group": {}},
    ]
    query, sort = pipeline_shape(pipeline)
    assert esr_keys(query, sort) == (("a", 1), ("c", -1), ("b", 1))
    assert pipeline_shape([{"$group": {}}, {"$match": {"a": 1}}]) == ({}, {})
