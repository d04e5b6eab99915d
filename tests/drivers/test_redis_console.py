"""Redis console: redis-cli line splitting, COMMAND INFO classification, refusals, cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import redis as redis_py
from drivertools import connected

from dbtui.core.confirmation import Confirmation
from dbtui.core.errors import (
    CancelledError,
    ConnectError,
    PasswordRequired,
    QueryError,
    ReadOnlyError,
)
from dbtui.core.replies import ErrorReply
from dbtui.core.results import ReplyResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.commands import (
    is_dangerous,
    parse_command_info,
    split_command_line,
)

pytestmark = pytest.mark.redis


@pytest.fixture
def driver(redis_clean: str) -> Iterator[RedisDriver]:
    yield from connected(RedisDriver, redis_clean)


@pytest.fixture
def ro_driver(redis_clean: str) -> Iterator[RedisDriver]:
    yield from connected(RedisDriver, redis_clean, read_only=True)


def run(driver: RedisDriver, line: str) -> object:
    results = list(driver.execute(line))
    assert len(results) == 1
    result = results[0]
    assert isinstance(result, ReplyResult)
    assert result.statement == line
    return result.reply


# -- pure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        ("GET key", [b"GET", b"key"]),
        ('  SET "a b"   c  ', [b"SET", b"a b", b"c"]),
        ('SET k "\\x00\\xff\\n\\t\\"q\\\\"', [b"SET", b"k", b'\x00\xff\n\t"q\\']),
        ("SET k 'it\\'s \\x41'", [b"SET", b"k", b"it's \\x41"]),
        ('SET k ""', [b"SET", b"k", b""]),
        ('SET pre"fix"', [b"SET", b"prefix"]),
        ("SET k caf\u00e9", [b"SET", b"k", "caf\u00e9".encode()]),
        ("", []),
    ],
)
def test_split_like_redis_cli(line: str, argv: list[bytes]) -> None:
    assert split_command_line(line) == argv


@pytest.mark.parametrize("line", ['GET "open', "GET 'open", 'GET "a"b'])
def test_split_rejects_bad_quotes(line: str) -> None:
    with pytest.raises(QueryError) as info:
        split_command_line(line)
    assert info.value.position is not None


def test_is_dangerous_names_the_risk() -> None:
    assert "every key" in (is_dangerous([b"flushall"]) or "")
    assert is_dangerous([b"FLUSHDB", b"ASYNC"]) is not None
    assert is_dangerous([b"DEL", b"a", b"b", b"c"]) == "DEL deletes 3 keys"
    assert is_dangerous([b"UNLINK", b"a"]) == "UNLINK deletes 1 key"
    assert "SCAN" in (is_dangerous([b"KEYS", b"*"]) or "")
    assert is_dangerous([b"CONFIG", b"SET", b"x", b"y"]) is not None
    assert is_dangerous([b"config", b"rewrite"]) is not None
    assert is_dangerous([b"SHUTDOWN"]) is not None
    assert is_dangerous([b"DEBUG", b"SLEEP", b"1"]) is not None
    assert is_dangerous([b"CLUSTER", b"RESET"]) is not None
    assert is_dangerous([b"CONFIG", b"GET", b"*"]) is None
    assert is_dangerous([b"CLUSTER", b"INFO"]) is None
    assert is_dangerous([b"GET", b"k"]) is None
    assert is_dangerous([]) is None


def test_parse_command_info_with_subcommands() -> None:
    entry = [
        b"config",
        -2,
        [],
        0,
        0,
        0,
        [b"@slow"],
        [],
        [],
        [[b"config|get", -3, [b"admin", b"loading"], 0, 0, 0, [b"@admin"], [], [], []]],
    ]
    specs = {spec.name: spec for spec in parse_command_info(entry)}
    assert specs["config"].subcommands == {"config|get"}
    assert specs["config|get"].flags == {"admin", "loading"}
    assert parse_command_info(None) == []


# -- against the server -------------------------------------------------------------------------


def test_replies_are_raw_and_binary_safe(driver: RedisDriver) -> None:
    assert run(driver, 'SET "bin\\xff" "\\x00\\x01"') == b"OK"
    assert run(driver, 'GET "bin\\xff"') == b"\x00\x01"
    assert run(driver, "HSET h a 1 b 2") == 2
    assert run(driver, "HGETALL h") == [b"a", b"1", b"b", b"2"]
    assert run(driver, "GET missing") is None
    assert run(driver, "MULTI") == b"OK"
    assert run(driver, "INCR h") == b"QUEUED"
    reply = run(driver, "EXEC")
    assert isinstance(reply, list)
    assert isinstance(reply[0], ErrorReply)  # marked for display (core.replies)
    assert "WRONGTYPE" in reply[0].message


def test_server_error_becomes_query_error(driver: RedisDriver) -> None:
    run(driver, "SET s text")
    with pytest.raises(QueryError) as info:
        run(driver, "INCR s")
    assert "not an integer" in info.value.message
    with pytest.raises(QueryError, match="unknown command"):
        run(driver, "NOSUCHCOMMAND x")
    assert run(driver, "PING") == b"PONG"  # the connection survived


def test_select_switches_console_database(driver: RedisDriver, redis_clean: str) -> None:
    run(driver, "SELECT 3")
    run(driver, "SET only-in-3 x")
    assert driver.console.db == 3
    client = redis_py.Redis.from_url(redis_clean, db=3)
    try:
        assert client.get("only-in-3") == b"x"
    finally:
        client.close()


@pytest.mark.parametrize(
    "line",
    [
        "MONITOR",
        "SUBSCRIBE news",
        "PSUBSCRIBE n*",
        "SSUBSCRIBE news",
        "BLPOP q 0",
        "BRPOP q 1",
        "BZPOPMIN z 0",
        "XREAD BLOCK 0 STREAMS s $",
        "XREADGROUP GROUP g c BLOCK 10 STREAMS s >",
        "WAIT 0 0",
        "HELLO 3",
    ],
)
def test_blocking_and_streaming_commands_are_refused(driver: RedisDriver, line: str) -> None:
    with pytest.raises(QueryError) as info:
        run(driver, line)
    assert not isinstance(info.value, ReadOnlyError)
    assert info.value.title == "Not a console command"
    assert run(driver, "PING") == b"PONG"


def test_xread_without_block_runs(driver: RedisDriver) -> None:
    run(driver, "XADD s 1-1 f v")
    assert run(driver, "XREAD COUNT 1 STREAMS s 0") == [[b"s", [[b"1-1", [b"f", b"v"]]]]]


def test_read_only_allows_reads_by_server_flags(ro_driver: RedisDriver, redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    client.set("k", "v")
    client.close()
    assert run(ro_driver, "GET k") == b"v"
    assert run(ro_driver, "MEMORY USAGE k") is not None
    assert run(ro_driver, "EVAL_RO 'return 7' 0") == 7
    assert isinstance(run(ro_driver, "CONFIG GET maxmemory"), list)
    assert isinstance(run(ro_driver, "INFO server"), bytes)
    assert run(ro_driver, "PING") == b"PONG"


@pytest.mark.parametrize(
    "line",
    [
        "SET k v",
        "DEL k",
        "FLUSHALL",
        "EVAL 'return 1' 0",
        "CONFIG SET maxmemory 0",
        "CLIENT KILL ID 1",
        "PUBLISH ch msg",
        "NOSUCHCOMMAND",
    ],
)
def test_read_only_refuses_everything_else(
    ro_driver: RedisDriver, redis_clean: str, line: str
) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    client.set("k", "v")
    name = line.split()[0].lower()

    def sent() -> tuple[int, int]:
        """Calls of the refused command and error replies, as the server counts them."""
        calls = client.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0)
        return calls, client.info("stats")["total_error_replies"]

    before = sent()
    try:
        with pytest.raises(ReadOnlyError):
            run(ro_driver, line)
        assert sent() == before  # never reached the server
        assert client.get("k") == b"v"
    finally:
        client.close()


def test_needs_confirmation(driver: RedisDriver, redis_clean: str) -> None:
    flush = driver.needs_confirmation("FLUSHDB")
    assert flush is not None
    assert flush.typed == "FLUSHDB"
    assert (driver.needs_confirmation("flushall async") or Confirmation("")).typed == "FLUSHALL"
    several = driver.needs_confirmation("DEL a b")
    assert several is not None
    assert several.question.startswith("DEL deletes 2 keys")
    assert several.typed == "2"
    assert (driver.needs_confirmation("DEL a") or Confirmation("", typed="?")).typed is None
    assert (driver.needs_confirmation("REPLICAOF NO ONE") or Confirmation("")).typed is None
    assert driver.needs_confirmation("GET a") is None
    assert driver.needs_confirmation('GET "unbalanced') is None
    client = redis_py.Redis.from_url(redis_clean)
    try:
        client.sadd("small", *range(10))
        pipe = client.pipeline(transaction=False)
        for start in range(0, 12_000, 1000):
            pipe.sadd("big", *range(start, start + 1000))
        pipe.execute()
    finally:
        client.close()
    assert driver.needs_confirmation("SMEMBERS small") is None
    reason = driver.needs_confirmation("SMEMBERS big")
    assert reason is not None
    assert "12,000" in reason.question
    assert reason.typed is None


def test_cancel_interrupts_a_waiting_command(driver: RedisDriver) -> None:
    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            run(driver, "WAIT 1 20000")  # no replica will ever acknowledge: waits 20 s
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.3)
    driver.cancel()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], CancelledError)
    assert run(driver, "PING") == b"PONG"


def test_connect_error_is_one_line_without_password() -> None:
    driver = RedisDriver(spec_from_url("redis://:s3cret@127.0.0.1:1/0"))
    with pytest.raises(ConnectError) as info:
        driver.connect()
    line = info.value.one_line()
    assert "s3cret" not in line
    assert "\n" not in line
    assert "127.0.0.1:1" in line


def test_catalog_lists_databases_and_panels(driver: RedisDriver, redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean, db=2)
    client.set("a", 1)
    client.set("b", 2)
    client.close()
    databases = driver.children(None)
    assert [n.label for n in databases] == ["db0", "db2"]  # the URL's db0 and the one with keys
    db2 = databases[1]
    assert (db2.label, db2.detail, db2.expandable) == ("db2", "2 keys", True)
    assert ("keys", "2") in db2.meta
    labels = [(n.label, n.kind) for n in driver.children(db2)]
    assert labels == [
        ("Keys", "keyspace"),
        ("Server info", "info"),
        ("Slowlog", "info"),
        ("Clients", "info"),
    ]
    assert driver.server_version.count(".") == 2


def test_split_keeps_offsets(driver: RedisDriver) -> None:
    script = "GET a\n\n  SET b 1\n# comment\n"
    statements = driver.split(script)
    assert [s.text for s in statements] == ["GET a", "SET b 1"]
    assert script[statements[1].start : statements[1].end] == "SET b 1"


def test_command_names_and_hints_come_from_the_server(driver: RedisDriver) -> None:
    names = driver.command_names()
    assert {"HSET", "GET", "CONFIG", "XREAD"} <= set(names)
    assert not any("|" in n for n in names)
    hint = driver.command_hint("hset")
    assert hint is not None
    assert (hint.name, hint.since, hint.group) == ("HSET", "2.0.0", "hash")
    assert hint.syntax == "key field value [field value ...]"
    assert hint.complexity.startswith("O(1)")
    xread = driver.command_hint("XREAD")
    assert xread is not None
    assert "STREAMS key [key ...]" in xread.syntax
    assert "[BLOCK milliseconds]" in xread.syntax
    config = driver.command_hint("config")
    assert config is not None
    assert {"GET", "SET"} <= set(config.subcommands)
    config_get = driver.command_hint("config|get")
    assert config_get is not None
    assert config_get.name == "CONFIG GET"
    assert driver.command_hint("nosuchcommand") is None


def test_password_required_then_set_password(redis_clean: str) -> None:
    admin = redis_py.Redis.from_url(redis_clean)
    admin.config_set("requirepass", "pw-for-test")
    try:
        driver = RedisDriver(spec_from_url(redis_clean))
        with pytest.raises(PasswordRequired) as missing:
            driver.connect()
        assert not missing.value.rejected
        wrong = RedisDriver(spec_from_url(redis_clean.replace("://", "://:nope@")))
        with pytest.raises(PasswordRequired) as refused:
            wrong.connect()
        assert refused.value.rejected
        assert "nope" not in refused.value.one_line()
        wrong.set_password("pw-for-test")  # replaces the URL's wrong password
        wrong.connect()
        assert run(wrong, "PING") == b"PONG"
        wrong.close()
    finally:
        admin = redis_py.Redis.from_url(redis_clean, password="pw-for-test")
        admin.config_set("requirepass", "")
        admin.close()
