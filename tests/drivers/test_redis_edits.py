"""Explicit writes of the key browser on a real standalone Redis, and their read-only refusal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import redis as redis_py

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver, edits, values
from dbtui.drivers.redis.connection import Keyspace

pytestmark = pytest.mark.redis


@pytest.fixture
def client(redis_clean: str) -> Iterator[redis_py.Redis]:
    c = redis_py.Redis.from_url(redis_clean)
    yield c
    c.close()


def _keyspace(url: str, read_only: bool) -> Iterator[Keyspace]:
    driver = RedisDriver(spec_from_url(url, read_only=read_only))
    driver.connect()
    yield driver.keyspace()
    driver.close()


@pytest.fixture
def keyspace(redis_clean: str) -> Iterator[Keyspace]:
    yield from _keyspace(redis_clean, False)


@pytest.fixture
def ro_keyspace(redis_clean: str) -> Iterator[Keyspace]:
    yield from _keyspace(redis_clean, True)


def test_ttl_set_and_persist(client: redis_py.Redis, keyspace: Keyspace) -> None:
    client.set("k", "v")
    assert edits.set_ttl(keyspace, b"k", 50_000)
    assert 0 < client.pttl("k") <= 50_000
    assert edits.persist(keyspace, b"k")
    assert client.pttl("k") == -1
    assert not edits.persist(keyspace, b"k")
    assert not edits.set_ttl(keyspace, b"missing", 1000)
    with pytest.raises(QueryError):
        edits.set_ttl(keyspace, b"k", 0)


def test_rename_refuses_overwrite_unless_asked(client: redis_py.Redis, keyspace: Keyspace) -> None:
    client.set("a", "1")
    client.set("b", "2")
    with pytest.raises(QueryError) as info:
        edits.rename(keyspace, b"a", b"b")
    assert info.value.title == "Key exists"
    assert (client.get("a"), client.get("b")) == (b"1", b"2")
    edits.rename(keyspace, b"a", b"b", overwrite=True)
    assert (client.get("a"), client.get("b")) == (None, b"1")
    edits.rename(keyspace, b"b", b"c\xff")
    assert client.get(b"c\xff") == b"1"
    with pytest.raises(QueryError, match="no such key"):
        edits.rename(keyspace, b"missing", b"other")


def test_delete_with_unlink(client: redis_py.Redis, keyspace: Keyspace) -> None:
    client.mset({"x": 1, "y": 2, "z": 3})
    assert edits.delete(keyspace, [b"x", b"y", b"nope"]) == 2
    assert client.exists("x", "y", "z") == 1


def test_field_member_element_edits(client: redis_py.Redis, keyspace: Keyspace) -> None:
    edits.set_string(keyspace, b"s", b"\x00raw")
    client.pexpire("s", 100_000)
    edits.set_string(keyspace, b"s", b"new")
    assert client.get("s") == b"new"
    assert client.pttl("s") > 0  # KEEPTTL
    edits.set_hash_field(keyspace, b"h", b"f", b"v")
    assert values.scan_hash(keyspace, b"h").items == [(b"f", b"v")]
    assert edits.delete_hash_field(keyspace, b"h", b"f")
    assert edits.push_list(keyspace, b"l", b"b") == 1
    assert edits.push_list(keyspace, b"l", b"a", head=True) == 2
    edits.set_list_element(keyspace, b"l", -1, b"B")
    assert client.lrange("l", 0, -1) == [b"a", b"B"]
    assert edits.remove_list_value(keyspace, b"l", b"a") == 1
    assert edits.add_set_member(keyspace, b"st", b"m")
    assert not edits.add_set_member(keyspace, b"st", b"m")
    assert edits.remove_set_member(keyspace, b"st", b"m")
    edits.set_zset_score(keyspace, b"z", b"m", 2.5)
    edits.set_zset_score(keyspace, b"z", b"m", -1.25)
    assert client.zscore("z", "m") == -1.25
    assert edits.remove_zset_member(keyspace, b"z", b"m")
    entry = edits.add_stream_entry(keyspace, b"x", [(b"f", b"v")])
    assert values.read_stream(keyspace, b"x").entries[0].id == entry


def test_bulk_delete_dry_run_then_delete(client: redis_py.Redis, keyspace: Keyspace) -> None:
    pipe = client.pipeline(transaction=False)
    for i in range(3_000):
        pipe.set(f"tmp:{i}", i)
    for i in range(500):
        pipe.set(f"keep:{i}", i)
    pipe.execute()
    dry = list(edits.bulk_delete(keyspace, b"tmp:*", sample_size=5))
    assert dry[-1].phase == "done"
    assert (dry[-1].matched, dry[-1].deleted) == (3_000, 0)
    assert len(dry[-1].sample) == 5
    assert all(k.startswith(b"tmp:") for k in dry[-1].sample)
    assert {p.phase for p in dry} == {"counting", "done"}
    assert client.dbsize() == 3_500  # the dry run deleted nothing
    real = list(edits.bulk_delete(keyspace, b"tmp:*", dry_run=False))
    assert real[-1].phase == "done"
    assert (real[-1].matched, real[-1].deleted) == (3_000, 3_000)
    deleting = [p.deleted for p in real if p.phase == "deleting"]
    assert deleting == sorted(deleting)
    assert client.dbsize() == 500
    assert client.exists("keep:1")


def test_bulk_delete_can_be_cancelled(client: redis_py.Redis, keyspace: Keyspace) -> None:
    pipe = client.pipeline(transaction=False)
    for i in range(2_000):
        pipe.set(f"tmp:{i}", i)
    pipe.execute()
    cancelled = threading.Event()
    cancelled.set()
    progress = list(edits.bulk_delete(keyspace, b"tmp:*", dry_run=False, cancelled=cancelled))
    assert progress[-1].phase == "cancelled"
    assert client.dbsize() == 2_000


def test_read_only_refuses_every_edit_before_sending(
    client: redis_py.Redis, ro_keyspace: Keyspace
) -> None:
    client.set("k", "v")
    client.hset("h", "f", "v")
    calls_before = client.info("stats")["total_commands_processed"]
    attempts: list[Callable[[], object]] = [
        lambda: edits.set_ttl(ro_keyspace, b"k", 1000),
        lambda: edits.persist(ro_keyspace, b"k"),
        lambda: edits.rename(ro_keyspace, b"k", b"k2"),
        lambda: edits.delete(ro_keyspace, [b"k"]),
        lambda: edits.set_string(ro_keyspace, b"k", b"x"),
        lambda: edits.set_hash_field(ro_keyspace, b"h", b"f", b"x"),
        lambda: edits.add_set_member(ro_keyspace, b"s", b"x"),
        lambda: edits.set_zset_score(ro_keyspace, b"z", b"x", 1),
        lambda: list(edits.bulk_delete(ro_keyspace, b"*", dry_run=False)),
    ]
    for attempt in attempts:
        with pytest.raises(ReadOnlyError):
            attempt()
    # One INFO call (this one) and nothing else reached the server.
    assert client.info("stats")["total_commands_processed"] - calls_before == 1
    assert client.get("k") == b"v"
    assert client.pttl("k") == -1
    dry = list(edits.bulk_delete(ro_keyspace, b"*"))  # a dry run only reads: allowed
    assert dry[-1].matched == 2
