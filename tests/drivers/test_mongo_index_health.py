"""MongoDB index health: ``$indexStats`` parsing from real outputs, and the pure checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from bson import json_util

from dbtui.core.advice import HealthKind
from dbtui.drivers.mongo.index_health import (
    SAMPLED_QUERIES_NOTE,
    collection_health,
    redundant_findings,
    stats_window,
    unused_findings,
)
from dbtui.drivers.mongo.indexes import IndexInfo, parse_index_spec, parse_index_stats

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mongo-indexstats"


def load(name: str) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = json_util.loads((FIXTURES / name).read_text())
    return documents


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_real_standalone_output_from_mongodb_3_2() -> None:
    usage = parse_index_stats(load("zips-3.2.json"))
    assert set(usage) == {"pop_1", "state_1_city_1_pop_1", "_id_", "state_1_pop_1"}
    assert usage["pop_1"].ops == 15
    assert usage["state_1_pop_1"].ops == 18
    unused = usage["state_1_city_1_pop_1"]
    assert unused.ops == 0
    assert unused.since == utc("2016-04-19T06:49:11.765")
    assert unused.hosts == ("rhhost00.grid:27017",)
    assert unused.counted


def test_unused_findings_from_the_real_output_say_since_when() -> None:
    docs = load("zips-3.2.json")
    specs = [{"name": d["name"], "key": d["key"]} for d in docs]
    findings = collection_health("zips", specs, docs)
    unused = [f for f in findings if f.kind is HealthKind.UNUSED_INDEX]
    assert [f.subject for f in unused] == ["state_1_city_1_pop_1"], "_id_ is never proposed"
    assert "since 2016-04-19 06:49 UTC" in unused[0].detail
    assert unused[0].ddl == 'db.getCollection("zips").dropIndex("state_1_city_1_pop_1")'
    assert ("since", "2016-04-19 06:49 UTC") in unused[0].facts
    assert not [f for f in findings if f.kind is HealthKind.REDUNDANT_INDEX], (
        "state_1_pop_1 is not a prefix of state_1_city_1_pop_1"
    )


def test_every_index_unused_in_a_real_output() -> None:
    docs = load("poblacion.json")
    specs = [{"name": d["name"], "key": d["key"]} for d in docs]
    unused = collection_health("poblacion", specs, docs)
    assert sorted(f.subject for f in unused) == [
        "COD_PROVINCIA_1_COD_MUNICIPIO_1",
        "NOM_MUNICIPIO_1",
    ]
    assert all(f.kind is HealthKind.UNUSED_INDEX for f in unused)


def test_integer_ops_and_epoch_dates_from_a_shard_member() -> None:
    usage = parse_index_stats(load("manual-shard-member.json"))
    assert usage["_id_"].ops == 12
    assert usage["_id_"].since == dt.datetime(2020, 9, 16, 13, 14, 5, 88000, tzinfo=dt.UTC)


def test_compatible_server_extra_fields_are_ignored() -> None:
    usage = parse_index_stats(load("documentdb.json"))
    assert usage["_id_"].ops == 40000
    assert usage["_id_"].since == utc("2025-04-03T21:44:51.251")


def test_sharded_output_combines_nodes_and_keeps_the_latest_since() -> None:
    usage = parse_index_stats(load("manual-sharded.json"))
    both = usage["item_1_quantity_1"]
    assert both.ops == 1, "used on shardA: not unused even though shardB says 0"
    assert both.hosts == ("shardA/examplehost.local:27018", "shardB/examplehost.local:27019")
    item = usage["item_1"]
    assert item.ops == 0
    assert item.since == utc("2020-02-12T09:30:00"), "the claim must hold on every node"
    assert usage["status_1"].building
    spec = usage["sku_1"].spec
    assert spec is not None
    assert spec.unique


def test_unused_skips_unique_ttl_building_and_used_indexes() -> None:
    docs = load("manual-sharded.json")
    usage = parse_index_stats(docs)
    indexes = [u.spec for u in usage.values() if u.spec is not None]
    findings = unused_findings("orders", indexes, usage)
    assert [f.subject for f in findings] == ["item_1"]
    assert "since 2020-02-12 09:30 UTC" in findings[0].detail
    assert "2 node(s)" in findings[0].detail


def test_no_since_date_means_no_unused_claim() -> None:
    stats = [{"name": "a_1", "key": {"a": 1}, "host": "x", "accesses": {"ops": 0, "since": None}}]
    usage = parse_index_stats(stats)
    assert not usage["a_1"].counted
    assert unused_findings("c", [IndexInfo("a_1", (("a", 1),))], usage) == []


def test_malformed_documents_are_skipped() -> None:
    usage = parse_index_stats([{"key": {"a": 1}}, {"name": "b_1", "accesses": "?"}, {"name": ""}])
    assert list(usage) == ["b_1"]
    assert usage["b_1"].ops == 0
    assert usage["b_1"].since is None


def spec(name: str, key: dict[str, Any], **options: Any) -> IndexInfo:
    return parse_index_spec({"v": 2, "key": key, "name": name, **options})


def test_prefix_is_redundant_and_the_longer_is_kept() -> None:
    indexes = [
        spec("_id_", {"_id": 1}),
        spec("a_1", {"a": 1}),
        spec("a_-1_b_-1", {"a": -1, "b": -1}),
        spec("a_1_b_1_c_1", {"a": 1, "b": 1, "c": 1}),
    ]
    findings = redundant_findings("c", indexes)
    assert [(f.subject, dict(f.facts)["kept"]) for f in findings] == [
        ("a_1", "a_1_b_1_c_1"),
        ("a_-1_b_-1", "a_1_b_1_c_1"),
    ]
    assert "keep a_1_b_1_c_1, drop a_1" in findings[0].detail
    kept = {dict(f.facts)["kept"] for f in findings}
    assert not kept & {f.subject for f in findings}, "never keep one that is also dropped"


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"unique": True}, "unique enforces a rule"),
        ({"partialFilterExpression": {"a": {"$gt": 1}}}, "partial"),
        ({"expireAfterSeconds": 60}, "TTL"),
        ({"sparse": True}, "sparse"),
        ({"collation": {"locale": "fr"}}, "collation"),
        ({"hidden": True}, "hidden"),
    ],
)
def test_special_short_indexes_are_not_redundant(options: dict[str, Any], why: str) -> None:
    indexes = [spec("a_1", {"a": 1}, **options), spec("a_1_b_1", {"a": 1, "b": 1})]
    assert redundant_findings("c", indexes) == [], why


@pytest.mark.parametrize(
    "options",
    [{"partialFilterExpression": {"b": 1}}, {"sparse": True}, {"collation": {"locale": "fr"}}],
)
def test_a_longer_index_that_holds_fewer_documents_does_not_replace(
    options: dict[str, Any],
) -> None:
    indexes = [spec("a_1", {"a": 1}), spec("a_1_b_1", {"a": 1, "b": 1}, **options)]
    assert redundant_findings("c", indexes) == []


def test_mixed_directions_and_special_keys_are_not_prefixes() -> None:
    indexes = [
        spec("a_1_b_1", {"a": 1, "b": 1}),
        spec("a_1_b_-1_c_1", {"a": 1, "b": -1, "c": 1}),
        spec("t", {"t": "text"}),
        spec("t_text_x", {"t": "text", "x": 1}),
        spec("h", {"h": "hashed"}),
        spec("h2", {"h": 1, "y": 1}),
    ]
    assert redundant_findings("c", indexes) == []


def test_sampled_query_check_is_declared_skipped() -> None:
    assert "not checked" in SAMPLED_QUERIES_NOTE


def test_stats_window_from_real_outputs() -> None:
    usage = [*parse_index_stats(load("zips-3.2.json")).values()]
    usage += parse_index_stats(load("poblacion.json")).values()
    window = stats_window("test_db", usage)
    assert window.kind is HealthKind.STATS_WINDOW
    assert dict(window.facts) == {
        "counting since": "2016-04-19 05:32 UTC",
        "newest counter since": "2018-04-09 10:24 UTC",
    }
    assert "no query sample" in window.detail


def test_stats_window_without_counters() -> None:
    usage = parse_index_stats([{"name": "_id_", "accesses": {"ops": 0, "since": None}}])
    window = stats_window("db", list(usage.values()))
    assert "no $indexStats counters" in window.detail
