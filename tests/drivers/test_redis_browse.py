"""Key browser machinery on a real standalone Redis: scanner, key facts, value readers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import redis as redis_py

from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.core.keytree import KeyTree, format_key, parse_key
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver, server, values
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.meta import key_info, memory_usage, sort_infos
from dbtui.drivers.redis.scanner import (
    MAX_COUNT,
    MIN_COUNT,
    KeyScanner,
    ScanState,
    wants_lookup,
)

pytestmark = pytest.mark.redis

BINARY_KEY = b"bin:\xff\xfe\x00:\x80key"


@pytest.fixture
def client(redis_clean: str) -> Iterator[redis_py.Redis]:
    c = redis_py.Redis.from_url(redis_clean)
    yield c
    c.close()


@pytest.fixture
def keyspace(redis_clean: str) -> Iterator[Keyspace]:
    driver = RedisDriver(spec_from_url(redis_clean))
    driver.connect()
    yield driver.keyspace()
    driver.close()


def load(client: redis_py.Redis, count: int, prefix: str = "k") -> None:
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"{prefix}:{i % 10}:{i}", i)
        if len(pipe) >= 5000:
            pipe.execute()
    pipe.execute()


def make_every_type(client: redis_py.Redis) -> None:
    client.set("t:string", "hello world")
    client.hset("t:hash", mapping={f"f{i}": f"v{i}" for i in range(250)})
    client.rpush("t:list", *[f"e{i}" for i in range(300)])
    client.sadd("t:set", *[f"m{i}" for i in range(150)])
    client.zadd("t:zset", {f"z{i}": i / 2 for i in range(200)})
    for i in range(120):
        client.xadd("t:stream", {"n": str(i)}, id=f"{1000 + i}-0")
    client.xgroup_create("t:stream", "workers", id="0")
    client.xreadgroup("workers", "alice", {"t:stream": ">"}, count=5)
    client.set(BINARY_KEY, b"\x00binary\xff", px=600_000)


def scan_all(scanner: KeyScanner, **kwargs: object) -> list[bytes]:
    keys: list[bytes] = []
    for batch in scanner.scan_batches(**kwargs):  # type: ignore[arg-type]
        keys += batch.keys
    return keys


def test_scan_finds_every_key_with_progress(client: redis_py.Redis, keyspace: Keyspace) -> None:
    load(client, 20_000)
    scanner = KeyScanner(keyspace)
    batches = list(scanner.scan_batches())
    keys = {k for b in batches for k in b.keys}
    assert len(keys) == 20_000
    assert batches[0].count == 100
    assert all(b.total == 20_000 for b in batches)
    assert all(MIN_COUNT <= b.count <= MAX_COUNT for b in batches)
    assert [b.done for b in batches] == [False] * (len(batches) - 1) + [True]
    assert batches[-1].progress == 1.0
    progress = [b.progress for b in batches]
    assert progress == sorted(progress)
    assert scanner.done


def test_count_adapts_to_the_budget(client: redis_py.Redis, keyspace: Keyspace) -> None:
    load(client, 30_000)
    generous = [b.count for b in KeyScanner(keyspace).scan_batches(budget_ms=1000.0)]
    assert max(generous) > 100  # fast calls let COUNT grow
    tiny = [b.count for b in KeyScanner(keyspace).scan_batches(budget_ms=0.000_1)]
    assert tiny[-1] == MIN_COUNT  # every call is over budget: COUNT shrinks to the floor


def test_cancel_then_resume_from_saved_state(client: redis_py.Redis, keyspace: Keyspace) -> None:
    load(client, 5_000)
    cancelled = threading.Event()
    scanner = KeyScanner(keyspace)
    first: set[bytes] = set()
    for batch in scanner.scan_batches(cancelled=cancelled):
        first.update(batch.keys)
        if len(first) >= 1_000:
            cancelled.set()
    assert not scanner.done
    saved = json.loads(json.dumps(scanner.state.to_dict()))
    resumed = KeyScanner(keyspace, ScanState.from_dict(saved))
    rest = set(scan_all(resumed))
    assert resumed.done
    assert first | rest == set(client.scan_iter(count=1000))
    assert len(rest) < 5_000  # really resumed rather than restarted


def test_match_and_type_filters(client: redis_py.Redis, keyspace: Keyspace) -> None:
    load(client, 1_000)
    make_every_type(client)
    matched = set(scan_all(KeyScanner(keyspace), match=b"k:3:*"))
    assert len(matched) == 100
    assert all(k.startswith(b"k:3:") for k in matched)
    hashes = scan_all(KeyScanner(keyspace), type_="hash")
    assert hashes == [b"t:hash"]
    state = KeyScanner(keyspace)
    filtered = list(state.scan_batches(match=b"t:*"))
    assert filtered[-1].progress == 1.0
    assert all(0.0 <= b.progress <= 1.0 for b in filtered)


def test_lookup_exact_name_without_scanning(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    scanner = KeyScanner(keyspace)
    info = scanner.lookup(b"t:hash")
    assert info is not None
    assert (info.type, info.length) == ("hash", 250)
    assert scanner.lookup(b"nope") is None
    assert scanner.state.keys_seen == 0
    assert wants_lookup(b"t:hash")
    assert not wants_lookup(b"t:*")
    assert not wants_lookup(b"")


def test_key_info_every_type(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    names = [b"t:string", b"t:hash", b"t:list", b"t:set", b"t:zset", b"t:stream", BINARY_KEY]
    infos = key_info(keyspace, [*names, b"gone"])
    got = {i.key: (i.type, i.length) for i in infos}
    assert got == {
        b"t:string": ("string", 11),
        b"t:hash": ("hash", 250),
        b"t:list": ("list", 300),
        b"t:set": ("set", 150),
        b"t:zset": ("zset", 200),
        b"t:stream": ("stream", 120),
        BINARY_KEY: ("string", 8),
        b"gone": ("none", None),
    }
    by_key = {i.key: i for i in infos}
    assert by_key[b"t:hash"].ttl_ms is None
    ttl = by_key[BINARY_KEY].ttl_ms
    assert ttl is not None
    assert 0 < ttl <= 600_000
    assert all(i.memory and i.memory > 0 for i in infos if i.exists)
    assert not by_key[b"gone"].exists
    # With types known, the lengths come from the same single pipeline.
    typed = key_info(keyspace, [b"t:list"], types={b"t:list": "list"})
    assert typed[0].length == 300
    assert [i.key for i in sort_infos(infos, "length")][:2] == [b"t:list", b"t:hash"]
    assert sort_infos(infos, "ttl")[0].key == BINARY_KEY


def test_binary_key_round_trip(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    found = [k for k in scan_all(KeyScanner(keyspace)) if k.startswith(b"bin:")]
    assert found == [BINARY_KEY]
    shown = format_key(found[0])
    assert shown == "bin:\\xff\\xfe\\x00:\\x80key"
    typed_back = parse_key(shown)
    assert typed_back == BINARY_KEY
    assert values.read_string(keyspace, typed_back).data == b"\x00binary\xff"
    tree = KeyTree()
    tree.add(found)
    folder = tree.folder(b"bin:\xff\xfe\x00")
    assert folder is not None
    assert list(folder.leaves) == [BINARY_KEY]


def test_string_chunks(client: redis_py.Redis, keyspace: Keyspace) -> None:
    big = bytes(range(256)) * 1024  # 256 KiB
    client.set("big", big)
    first = values.read_string(keyspace, b"big")
    assert (len(first.data), first.total, first.more) == (64 * 1024, len(big), True)
    tail = values.read_string(keyspace, b"big", offset=len(big) - 10, size=64 * 1024)
    assert tail.data == big[-10:]
    assert not tail.more
    client.rpush("alist", "x")
    with pytest.raises(QueryError, match="WRONGTYPE"):
        values.read_string(keyspace, b"alist")


def test_hash_pages_with_filter(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    fields: dict[bytes, bytes] = {}
    page = values.scan_hash(keyspace, b"t:hash", count=50)
    fields.update(page.items)
    while not page.done:
        page = values.scan_hash(keyspace, b"t:hash", page.cursor, count=50)
        fields.update(page.items)
    assert len(fields) == 250
    assert fields[b"f7"] == b"v7"
    filtered = values.scan_hash(keyspace, b"t:hash", match=b"f1?", count=1000)
    assert sorted(f for f, _ in filtered.items) == [f"f1{i}".encode() for i in range(10)]


def test_list_windows_from_both_ends(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    head = values.read_list(keyspace, b"t:list", 0, 10)
    assert head.items == [f"e{i}".encode() for i in range(10)]
    assert (head.start, head.total) == (0, 300)
    tail = values.read_list(keyspace, b"t:list", 0, 10, from_end=True)
    assert tail.items == [f"e{i}".encode() for i in range(290, 300)]
    assert tail.start == 290
    middle = values.read_list(keyspace, b"t:list", 100, 5)
    assert middle.items[0] == b"e100"


def test_set_and_zset_pages(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    members: set[bytes] = set()
    page = values.scan_set(keyspace, b"t:set", count=40)
    members.update(page.items)
    while not page.done:
        page = values.scan_set(keyspace, b"t:set", page.cursor, count=40)
        members.update(page.items)
    assert len(members) == 150
    zpage = values.scan_zset(keyspace, b"t:zset", count=1000)
    assert dict(zpage.items)[b"z10"] == 5.0
    ranked = values.zset_by_rank(keyspace, b"t:zset", 0, 3, reverse=True)
    assert ranked.items == [(b"z199", 99.5), (b"z198", 99.0), (b"z197", 98.5)]
    assert ranked.total == 200
    window = values.zset_by_score(keyspace, b"t:zset", b"10", b"(12", count=100)
    assert window == [(b"z20", 10.0), (b"z21", 10.5), (b"z22", 11.0), (b"z23", 11.5)]
    second = values.zset_by_score(keyspace, b"t:zset", b"-inf", b"+inf", offset=2, count=2)
    assert [m for m, _ in second] == [b"z2", b"z3"]
    top = values.zset_by_score(keyspace, b"t:zset", b"-inf", b"+inf", count=1, reverse=True)
    assert top == [(b"z199", 99.5)]


def test_stream_pages_groups_consumers_pending(client: redis_py.Redis, keyspace: Keyspace) -> None:
    make_every_type(client)
    page = values.read_stream(keyspace, b"t:stream", count=50)
    assert len(page.entries) == 50
    assert page.entries[0].id == b"1000-0"
    assert page.entries[0].fields == [(b"n", b"0")]
    assert page.total == 120
    assert page.next_from == b"(1049-0"
    second = values.read_stream(keyspace, b"t:stream", start=page.next_from, count=50)
    assert second.entries[0].id == b"1050-0"
    newest = values.read_stream(keyspace, b"t:stream", count=2, reverse=True)
    assert [e.id for e in newest.entries] == [b"1119-0", b"1118-0"]
    last = values.read_stream(keyspace, b"t:stream", start=b"1100", count=50)
    assert last.next_from is None
    groups = values.stream_groups(keyspace, b"t:stream")
    assert [(g.name, g.consumers, g.pending) for g in groups] == [(b"workers", 1, 5)]
    assert groups[0].last_delivered_id == b"1004-0"
    consumers = values.stream_consumers(keyspace, b"t:stream", b"workers")
    assert [(c.name, c.pending) for c in consumers] == [(b"alice", 5)]
    pending = values.stream_pending(keyspace, b"t:stream", b"workers")
    assert (pending.count, pending.smallest_id, pending.largest_id) == (5, b"1000-0", b"1004-0")
    assert pending.consumers == [(b"alice", 5)]


def test_json_without_module_is_unsupported(keyspace: Keyspace) -> None:
    assert not values.json_available(keyspace)
    with pytest.raises(UnsupportedError, match="RedisJSON"):
        values.read_json(keyspace, b"doc")


def test_memory_pass_fills_namespace_bytes(client: redis_py.Redis, keyspace: Keyspace) -> None:
    load(client, 2_000)
    client.set("k:big", "x" * 100_000)
    tree = KeyTree(leaf_cap=10)
    for batch in KeyScanner(keyspace).scan_batches():
        tree.add_measured(memory_usage(keyspace, batch.keys))
    assert tree.root.count == tree.root.measured == 2_001
    assert tree.biggest()[0][0] == b"k:big"
    assert tree.biggest()[0][1] > 100_000
    k3 = tree.folder(b"k:3")
    assert k3 is not None
    assert k3.count == 200
    assert k3.bytes_total > 200 * 40
    assert memory_usage(keyspace, [b"gone"]) == {b"gone": None}


def test_server_panels(client: redis_py.Redis, keyspace: Keyspace) -> None:
    client.config_set("slowlog-log-slower-than", 0)
    try:
        client.set("slow:key", "v")
        node = keyspace.nodes()[0]
        info = server.server_info(node)
        assert {"server", "clients", "memory", "stats"} <= set(info)
        assert server.keyspace_counts(server.server_info(node, "keyspace"))[0]["keys"] >= 1
        entries = server.slowlog(keyspace, 50)
        assert any([a.lower() for a in e.args[:2]] == [b"set", b"slow:key"] for e in entries)
        assert all(e.node == node.name for e in entries)
        durations = [e.duration_us for e in entries]
        assert durations == sorted(durations, reverse=True)
        clients = server.client_list(keyspace)
        assert any(c.get("name") == "dbtui" for c in clients)
        assert all(c["node"] == node.name for c in clients)
    finally:
        client.config_set("slowlog-log-slower-than", 10_000)
        client.slowlog_reset()
