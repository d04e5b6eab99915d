"""Safety proof: MONITOR records everything the browser sends; only read commands may appear.

A separate connection runs MONITOR while the browser machinery lists 100,000
keys to the end, fetches key facts and opens a value of every type. Every
recorded command must be on the allow-list of reads below; KEYS, FLUSH*,
DEBUG and any write must never appear. A read-only console's refused SET must
not appear either.
"""

from __future__ import annotations

import threading

import pytest
import redis as redis_py
from harness.redis import monitor as start_monitor

from dbtui.core.errors import ReadOnlyError
from dbtui.core.keytree import KeyTree
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver, server, values
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.meta import key_info
from dbtui.drivers.redis.scanner import KeyScanner

pytestmark = pytest.mark.redis

KEY_COUNT = 100_000
STOP = "dbtui-monitor-stop"

#: Commands the browser may send (subcommand-qualified where it matters).
ALLOWED = frozenset(
    {
        "SCAN", "DBSIZE", "EXISTS", "TYPE", "PTTL", "TTL", "MEMORY USAGE",
        "STRLEN", "HLEN", "LLEN", "SCARD", "ZCARD", "XLEN",
        "GETRANGE", "HSCAN", "SSCAN", "ZSCAN", "LRANGE", "ZRANGE", "ZREVRANGE",
        "XRANGE", "XREVRANGE", "XINFO GROUPS", "XINFO CONSUMERS", "XPENDING",
        "INFO", "CONFIG GET", "COMMAND INFO", "COMMAND DOCS", "SLOWLOG GET", "CLIENT LIST",
        "CLIENT SETNAME", "CLIENT SETINFO", "SELECT", "PING",
    }
)  # fmt: skip
FORBIDDEN_WORDS = ("KEYS", "FLUSHALL", "FLUSHDB", "DEBUG", "DEL", "UNLINK", "SET", "MONITOR")
SUBCOMMANDS = frozenset({"MEMORY", "XINFO", "CONFIG", "COMMAND", "CLIENT", "SLOWLOG"})


def _name(command: str) -> str:
    words = command.split()
    if not words:
        return ""
    name = words[0].upper()
    if name in SUBCOMMANDS and len(words) > 1:
        return f"{name} {words[1].upper()}"
    return name


class Recorder:
    """Runs MONITOR on its own connection and keeps every command line it reports."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.commands: list[str] = []
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        client = redis_py.Redis.from_url(self.url)
        with start_monitor(client) as monitor:
            self._ready.set()
            for event in monitor.listen():
                command = str(event["command"])
                if command == f"ECHO {STOP}":
                    break
                self.commands.append(command)
        client.close()

    def __enter__(self) -> Recorder:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        # RESP2 so that the stop client sends no HELLO of its own before its ECHO.
        client = redis_py.Redis.from_url(self.url, protocol=2)
        client.echo(STOP)
        client.close()
        self._thread.join(timeout=30)
        assert not self._thread.is_alive()


def load(client: redis_py.Redis) -> None:
    """100,000 keys of mixed types, loaded with pipelines (never through the driver)."""
    pipe = client.pipeline(transaction=False)
    for i in range(KEY_COUNT - 6):
        pipe.set(f"user:{i % 100}:{i}", "x" * (i % 50))
        if len(pipe) >= 10_000:
            pipe.execute()
    pipe.execute()
    client.set(b"t:string\xff", b"\x00" * 100_000)
    client.hset("t:hash", mapping={f"f{i}": i for i in range(1000)})
    client.rpush("t:list", *range(1000))
    client.sadd("t:set", *range(1000))
    client.zadd("t:zset", {f"m{i}": i for i in range(1000)})
    for i in range(200):
        client.xadd("t:stream", {"i": i})
    client.xgroup_create("t:stream", "g", id="0")
    client.xreadgroup("g", "c", {"t:stream": ">"}, count=3)
    assert client.dbsize() == KEY_COUNT


@pytest.fixture
def loaded(redis_clean: str) -> str:
    client = redis_py.Redis.from_url(redis_clean)
    load(client)
    client.close()
    return redis_clean


def browse(driver: RedisDriver) -> int:
    """What a user does in the key browser; returns how many keys the scan listed."""
    driver.children(None)
    keyspace = driver.keyspace()
    tree = KeyTree()
    scanner = KeyScanner(keyspace)
    listed = 0
    for batch in scanner.scan_batches():
        tree.add(batch.keys)
        listed += len(batch.keys)
        if listed <= 200:
            key_info(keyspace, batch.keys[:50])
    assert scanner.lookup(b"t:hash") is not None
    open_every_type(keyspace)
    server.slowlog(keyspace, 10)
    server.client_list(keyspace)
    return tree.root.count


def open_every_type(keyspace: Keyspace) -> None:
    names = [b"t:string\xff", b"t:hash", b"t:list", b"t:set", b"t:zset", b"t:stream"]
    assert [i.type for i in key_info(keyspace, names)] == [
        "string", "hash", "list", "set", "zset", "stream",
    ]  # fmt: skip
    chunk = values.read_string(keyspace, names[0])
    values.read_string(keyspace, names[0], offset=len(chunk.data))
    values.scan_hash(keyspace, b"t:hash", match=b"f1*")
    values.read_list(keyspace, b"t:list", 0, 50)
    values.read_list(keyspace, b"t:list", 0, 50, from_end=True)
    values.scan_set(keyspace, b"t:set")
    values.scan_zset(keyspace, b"t:zset")
    values.zset_by_rank(keyspace, b"t:zset", reverse=True)
    values.zset_by_score(keyspace, b"t:zset", b"10", b"20")
    page = values.read_stream(keyspace, b"t:stream", count=50)
    assert page.next_from is not None
    values.read_stream(keyspace, b"t:stream", start=page.next_from, count=50)
    values.read_stream(keyspace, b"t:stream", count=50, reverse=True)
    values.stream_groups(keyspace, b"t:stream")
    values.stream_consumers(keyspace, b"t:stream", b"g")
    values.stream_pending(keyspace, b"t:stream", b"g")
    values.json_available(keyspace)


def test_browsing_sends_only_allow_listed_reads(loaded: str) -> None:
    with Recorder(loaded) as recorder:
        driver = RedisDriver(spec_from_url(loaded))
        driver.connect()
        try:
            counted = browse(driver)
        finally:
            driver.close()
    assert counted >= KEY_COUNT
    names = [_name(c) for c in recorder.commands]
    assert names.count("SCAN") >= 10  # the recorder really saw the browser
    for expected in ("GETRANGE", "HSCAN", "LRANGE", "SSCAN", "ZSCAN", "XRANGE", "MEMORY USAGE"):
        assert expected in names
    unexpected = sorted({n for n in names if n not in ALLOWED})
    assert unexpected == [], unexpected
    assert not any(n.split()[0] in FORBIDDEN_WORDS for n in names)


def test_read_only_console_write_never_reaches_the_server(redis_clean: str) -> None:
    driver = RedisDriver(spec_from_url(redis_clean, read_only=True))
    driver.connect()
    try:
        with Recorder(redis_clean) as recorder:
            with pytest.raises(ReadOnlyError):
                list(driver.execute("SET ro-key 1"))
            (result,) = list(driver.execute("GET ro-key"))
            assert result.reply is None  # type: ignore[union-attr]
    finally:
        driver.close()
    names = [_name(c) for c in recorder.commands]
    assert "GET" in names  # the read went through while recording
    assert "SET" not in names
    client = redis_py.Redis.from_url(redis_clean)
    try:
        assert client.exists("ro-key") == 0
    finally:
        client.close()
