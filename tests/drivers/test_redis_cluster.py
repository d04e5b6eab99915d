"""The Redis driver against the harness's real 3-master Redis Cluster."""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterator
from typing import cast

import pytest
from drivertools import connected
from harness.redis import cluster_pipeline, node_from_key
from redis.cluster import RedisCluster

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.results import ReplyResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver, edits, values
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.meta import key_info
from dbtui.drivers.redis.scanner import KeyScanner, ScanBatch

pytestmark = pytest.mark.redis


@pytest.fixture
def cluster(redis_cluster_url: str) -> Iterator[RedisCluster]:
    """A plain redis-py cluster client on emptied masters (test setup, not the driver)."""
    client = RedisCluster.from_url(redis_cluster_url)
    client.flushall(target_nodes=RedisCluster.PRIMARIES)
    yield client
    client.close()


@pytest.fixture
def driver(cluster: RedisCluster, redis_cluster_url: str) -> Iterator[RedisDriver]:
    yield from connected(RedisDriver, redis_cluster_url)


@pytest.fixture
def keyspace(driver: RedisDriver) -> Keyspace:
    return driver.keyspace()


def load(cluster: RedisCluster, count: int) -> None:
    pipe = cluster_pipeline(cluster)
    for i in range(count):
        pipe.set(f"c:{i}", i)
    pipe.execute()


def reply(driver: RedisDriver, line: str) -> object:
    (result,) = list(driver.execute(line))
    assert isinstance(result, ReplyResult)
    return result.reply


def test_detects_cluster_and_lists_masters(driver: RedisDriver, cluster: RedisCluster) -> None:
    load(cluster, 300)
    assert driver.is_cluster
    (db0,) = driver.children(None)
    assert db0.label == "db0"
    assert db0.detail == "300 keys on 3 masters"
    masters = [name for name, _ in db0.meta if name.startswith("master ")]
    assert len(masters) == 3
    assert next(n.label for n in driver.children(db0)) == "Keys"
    with pytest.raises(QueryError):
        driver.keyspace(1)


def test_scan_covers_all_three_masters(cluster: RedisCluster, keyspace: Keyspace) -> None:
    load(cluster, 3_000)
    scanner = KeyScanner(keyspace)
    per_node: Counter[str] = Counter()
    keys: set[bytes] = set()
    for batch in scanner.scan_batches():
        per_node[batch.node] += len(batch.keys)
        keys.update(batch.keys)
        assert batch.total == 3_000
    assert keys == {f"c:{i}".encode() for i in range(3_000)}
    assert len(per_node) == 3
    assert all(n > 500 for n in per_node.values())
    assert scanner.done
    assert set(scanner.state.finished) == set(per_node)
    # Each key was reported by the node that really holds it.
    owners = {i.key: i.node for i in key_info(keyspace, [b"c:1", b"c:2", b"c:3", b"c:4"])}
    for key, node in owners.items():
        assert node_from_key(cluster, key).name == node


def test_resume_per_node_cursors(cluster: RedisCluster, keyspace: Keyspace) -> None:
    load(cluster, 2_000)
    first = KeyScanner(keyspace)
    seen: set[bytes] = set()
    # A generator (closed below so its node session is released); annotated as an Iterator.
    batches = cast(Generator[ScanBatch, None, None], first.scan_batches())
    for batch in batches:
        seen.update(batch.keys)
        if first.state.finished:  # stop right after the first master is done
            break
    batches.close()
    assert len(first.state.finished) == 1
    resumed = KeyScanner(keyspace, first.state)
    for batch in resumed.scan_batches():
        seen.update(batch.keys)
    assert len(seen) == 2_000
    assert len(resumed.state.finished) == 3


def test_values_and_meta_across_nodes(cluster: RedisCluster, keyspace: Keyspace) -> None:
    cluster.hset("h1", mapping={"a": "1"})
    cluster.rpush("l1", "x", "y")
    cluster.zadd("z1", {"m": 3})
    cluster.xadd("x1", {"f": "v"}, id="1-1")
    cluster.sadd("s1", "m")
    cluster.set(b"b\xff", b"v")
    infos = key_info(keyspace, [b"h1", b"l1", b"z1", b"x1", b"s1", b"b\xff"])
    assert [i.type for i in infos] == ["hash", "list", "zset", "stream", "set", "string"]
    assert len({i.node for i in infos}) > 1
    assert values.scan_hash(keyspace, b"h1").items == [(b"a", b"1")]
    assert values.read_list(keyspace, b"l1").items == [b"x", b"y"]
    assert values.zset_by_rank(keyspace, b"z1").items == [(b"m", 3.0)]
    assert values.read_stream(keyspace, b"x1").entries[0].id == b"1-1"
    assert values.scan_set(keyspace, b"s1").items == [b"m"]
    assert values.read_string(keyspace, b"b\xff").data == b"v"


def test_edits_in_cluster(cluster: RedisCluster, keyspace: Keyspace) -> None:
    cluster.set("{u}a", "1")
    cluster.set("{u}b", "2")
    with pytest.raises(QueryError, match="exists"):
        edits.rename(keyspace, b"{u}a", b"{u}b")
    with pytest.raises(QueryError, match="hash slot"):
        edits.rename(keyspace, b"{u}a", b"elsewhere")
    edits.rename(keyspace, b"{u}a", b"{u}c")
    assert cluster.get("{u}c") == b"1"
    assert edits.set_ttl(keyspace, b"{u}c", 100_000)
    load(cluster, 600)
    assert edits.delete(keyspace, [b"c:1", b"c:2", b"c:3", b"{u}c"]) == 4
    dry = list(edits.bulk_delete(keyspace, b"c:*"))
    assert dry[-1].matched == 597
    done = list(edits.bulk_delete(keyspace, b"c:*", dry_run=False))
    assert done[-1].deleted == 597
    assert cluster.dbsize(target_nodes=RedisCluster.PRIMARIES) == 1  # summed by redis-py


def test_console_routes_by_slot_and_fans_out(driver: RedisDriver, cluster: RedisCluster) -> None:
    load(cluster, 90)
    assert reply(driver, "GET c:7") == b"7"
    assert reply(driver, "SET {t}x 1") == b"OK"
    assert reply(driver, "MGET {t}x {t}y") == [b"1", None]
    sizes = reply(driver, "DBSIZE")
    assert isinstance(sizes, dict)
    assert len(sizes) == 3
    assert sum(sizes.values()) == 91
    with pytest.raises(QueryError, match="slots"):
        reply(driver, "MGET c:1 c:2 c:3 c:4 c:5")


def test_read_only_console_in_cluster(cluster: RedisCluster, redis_cluster_url: str) -> None:
    drv = RedisDriver(spec_from_url(redis_cluster_url, read_only=True))
    drv.connect()
    try:
        with pytest.raises(ReadOnlyError):
            reply(drv, "SET k v")
        assert cluster.get("k") is None
        assert reply(drv, "GET k") is None
    finally:
        drv.close()
