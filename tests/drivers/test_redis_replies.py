"""Redis console replies against the real server (issue 16, "The console").

Replies read like redis-cli (every RESP type, pairs, nested, INFO sections), big reads are
measured and asked about first, command help comes from COMMAND DOCS, and key names for
completion come from a bounded SCAN.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import msgpack  # type: ignore[import-untyped]
import pytest
import redis as redis_py
from drivertools import connected
from redis.cluster import RedisCluster

from dbtui.core.errors import QueryError
from dbtui.core.replies import ErrorReply, Pairs, Sections, Status, TextBlock, reply_lines
from dbtui.core.results import ReplyResult
from dbtui.core.value_formats import decode_value
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.big_reads import BIG_COLLECTION, read_plan
from dbtui.drivers.redis.docs import hint_text, typed_command
from dbtui.drivers.redis.key_names import glob_escaped

pytestmark = pytest.mark.redis


@pytest.fixture
def driver(redis_clean: str) -> Iterator[RedisDriver]:
    yield from connected(RedisDriver, redis_clean)


@pytest.fixture
def client(redis_clean: str) -> Iterator[redis_py.Redis]:
    server = redis_py.Redis.from_url(redis_clean)
    yield server
    server.close()


def reply(driver: RedisDriver, line: str) -> object:
    (result,) = list(driver.execute(line))
    assert isinstance(result, ReplyResult)
    return result.reply


def shown(driver: RedisDriver, line: str) -> list[str]:
    return [each.plain for each in reply_lines(reply(driver, line))]


# -- every RESP type ------------------------------------------------------------------------------


def test_scalars(driver: RedisDriver) -> None:
    assert shown(driver, "SET foo bar") == ["OK"]
    assert isinstance(reply(driver, "SET foo bar"), Status)
    assert shown(driver, "GET foo") == ['"bar"']
    assert shown(driver, "SET foo bar GET") == ['"bar"']  # SET ... GET answers a bulk string
    assert shown(driver, "PING") == ["PONG"]
    assert shown(driver, 'PING "hi there"') == ['"hi there"']
    assert shown(driver, "TYPE foo") == ["string"]
    assert shown(driver, "INCR n") == ["(integer) 1"]
    assert shown(driver, "GET missing") == ["(nil)"]
    assert shown(driver, 'SET bin "\\x89PNG\\x00\\x01\\x02\\x03"') == ["OK"]
    assert shown(driver, "GET bin") == ["(binary) 89 50 4e 47 00 01 02 03"]
    assert shown(driver, 'SET t "caf\\xc3\\xa9\\nline"') == ["OK"]
    assert shown(driver, "GET t") == ['"café\\nline"']
    assert shown(driver, "LRANGE nolist 0 -1") == ["(empty array)"]


def test_arrays_pairs_and_nested(driver: RedisDriver) -> None:
    reply(driver, "RPUSH l a b c")
    assert shown(driver, "LRANGE l 0 -1") == ['1) "a"', '2) "b"', '3) "c"']
    reply(driver, "HSET h name Ada age 36")
    hgetall = reply(driver, "HGETALL h")
    assert isinstance(hgetall, Pairs)
    assert hgetall == [b"name", b"Ada", b"age", b"36"]  # still the raw reply
    assert shown(driver, "HGETALL h") == ['1# "name" => "Ada"', '2# "age" => "36"']
    assert shown(driver, "CONFIG GET maxmemory-policy") == ['1# "maxmemory-policy" => "noeviction"']
    reply(driver, "ZADD z 1 one 2.5 two")
    assert shown(driver, "ZRANGE z 0 -1 WITHSCORES") == ['1# "one" => "1"', '2# "two" => "2.5"']
    assert shown(driver, "ZRANGE z 0 -1") == ['1) "one"', '2) "two"']
    reply(driver, "XADD s 1-1 f v g w")
    assert shown(driver, "XRANGE s - +") == [
        '1) 1) "1-1"',
        '   2) 1# "f" => "v"',
        '      2# "g" => "w"',
    ]
    assert shown(driver, "XREAD STREAMS s 0")[:3] == [
        '1) 1# "s" =>',
        '        1) 1) "1-1"',
        '           2) 1# "f" => "v"',
    ]
    info = shown(driver, "XINFO STREAM s")
    assert ' 1# "length" => (integer) 1' in info
    assert any(line.endswith('"first-entry" =>') for line in info)


def test_errors_inside_exec_are_red_and_replies_shaped(driver: RedisDriver) -> None:
    reply(driver, "SET s text")
    assert shown(driver, "MULTI") == ["OK"]
    assert shown(driver, "INCR s") == ["QUEUED"]
    assert shown(driver, "HSET h2 a 1") == ["QUEUED"]
    assert shown(driver, "HGETALL h2") == ["QUEUED"]
    assert shown(driver, "SET x y") == ["QUEUED"]
    lines = reply_lines(reply(driver, "EXEC"))
    assert [line.plain for line in lines] == [
        "1) (error) value is not an integer or out of range",  # redis-py drops "ERR "
        "2) (integer) 1",
        '3) 1# "a" => "1"',
        "4) OK",
    ]
    assert lines[0].pieces[-1].kind == "error"
    assert isinstance(reply(driver, "GET s"), bytes)
    # A transaction the server aborts (EXECABORT) leaves nothing queued behind.
    reply(driver, "MULTI")
    with pytest.raises(QueryError):
        reply(driver, "NOSUCHCOMMAND")
    with pytest.raises(QueryError, match="Transaction discarded"):
        reply(driver, "EXEC")
    reply(driver, "MULTI")
    reply(driver, "HGETALL h2")
    assert shown(driver, "EXEC") == ['1) 1# "a" => "1"']


def test_info_reads_as_sections(driver: RedisDriver) -> None:
    info = reply(driver, "INFO server")
    assert isinstance(info, Sections)
    lines = reply_lines(info)
    assert lines[0].plain == "# Server"
    assert lines[0].pieces[0].kind == "section"
    assert any(line.plain.startswith("redis_version:") for line in lines)
    client_list = reply(driver, "CLIENT LIST")
    assert isinstance(client_list, TextBlock)
    assert all(line.plain.startswith("id=") for line in reply_lines(client_list))


def test_resp3_maps_and_sets_from_a_resp3_connection(
    client: redis_py.Redis, redis_clean: str
) -> None:
    client.hset("h3", mapping={"a": "1", "b": "2"})
    client.sadd("s3", "m")
    resp3 = redis_py.Redis.from_url(redis_clean, protocol=3)
    conn = resp3.connection_pool.get_connection()
    try:
        conn.send_command("HGETALL", "h3")  # type: ignore[no-untyped-call]
        hash_reply = conn.read_response()
        conn.send_command("SMEMBERS", "s3")  # type: ignore[no-untyped-call]
        set_reply = conn.read_response()
    finally:
        resp3.connection_pool.release(conn)
        resp3.close()
    assert isinstance(hash_reply, dict)
    assert sorted(line.plain for line in reply_lines(hash_reply)) == [
        '1# "a" => "1"',
        '2# "b" => "2"',
    ]
    assert [line.plain for line in reply_lines(set_reply)] in (['1~ "m"'], ['1) "m"'])


def test_cluster_fan_out_is_one_pair_per_master(redis_cluster_url: str) -> None:
    cluster = RedisCluster.from_url(redis_cluster_url)
    cluster.flushall(target_nodes=RedisCluster.PRIMARIES)
    cluster.close()
    for driver in connected(RedisDriver, redis_cluster_url):
        lines = [line.plain for line in reply_lines(reply(driver, "DBSIZE"))]
        assert len(lines) == 3
        assert all(line.endswith("=> (integer) 0") for line in lines)
        info = [line.plain for line in reply_lines(reply(driver, "INFO keyspace"))]
        assert sum(line.endswith("=>") for line in info) == 3
        assert sum("# Keyspace" in line for line in info) == 3
        assert driver.console.key_names(b"nothing-") == []


# -- the big-read guard ---------------------------------------------------------------------------


def fill_list(client: redis_py.Redis, key: str, count: int) -> None:
    pipe = client.pipeline(transaction=False)
    batch = 10_000
    for start in range(0, count, batch):
        pipe.rpush(key, *range(start, min(start + batch, count)))
    pipe.execute()


def test_lrange_over_a_million_elements_asks_first(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    fill_list(client, "big", 1_000_000)
    assert client.llen("big") == 1_000_000
    question = driver.needs_confirmation("LRANGE big 0 499999")
    assert question is not None
    assert question.question.startswith("LRANGE big returns 500,000 elements, about ")
    assert "LRANGE big 0 999" in question.detail
    assert f"{BIG_COLLECTION:,} elements" in question.detail
    whole = driver.needs_confirmation("LRANGE big 0 -1")
    assert whole is not None
    assert "1,000,000 elements" in whole.question
    assert driver.needs_confirmation("LRANGE big 0 999") is None
    assert driver.needs_confirmation("LRANGE big -100 -1") is None
    assert driver.needs_confirmation("LRANGE missing 0 -1") is None
    # Read anyway: the reply is shown bounded, at once.
    started = time.perf_counter()
    lines = reply_lines(reply(driver, "LRANGE big 0 499999"))
    assert time.perf_counter() - started < 10
    assert len(lines) == 10_001
    assert lines[-1].plain.startswith("… only the first 10,000 lines of a reply of 500,000")


def test_other_big_reads_ask_first(driver: RedisDriver, client: redis_py.Redis) -> None:
    pipe = client.pipeline(transaction=False)
    for start in range(0, 20_000, 1000):
        pipe.xadd("s", {"n": start})  # 20 entries, then many more below
    for i in range(12_000):
        pipe.xadd("s", {"i": i})
    for start in range(0, 30_000, 1000):
        pipe.zadd("z", {f"m{i}": i for i in range(start, start + 1000)})
    pipe.execute()
    client.set("huge", b"x" * (5 * 1024 * 1024))
    client.hset("fat", mapping={f"f{i}": b"v" * 200_000 for i in range(100)})  # ~20 MB, 100 fields
    xrange = driver.needs_confirmation("XRANGE s - +")
    assert xrange is not None
    assert "12,020 entries" in xrange.question
    assert "COUNT 1000" in xrange.detail
    assert driver.needs_confirmation("XRANGE s - + COUNT 100") is None
    xread = driver.needs_confirmation("XREAD STREAMS s 0")
    assert xread is not None
    assert "entries" in xread.question
    assert driver.needs_confirmation("XREAD COUNT 10 STREAMS s 0") is None
    get = driver.needs_confirmation("GET huge")
    assert get is not None
    assert "5.0 MiB (5,242,880 bytes)" in get.question
    assert "GETRANGE huge 0 65535" in get.detail
    assert driver.needs_confirmation("GETRANGE huge 0 1000") is None
    fat = driver.needs_confirmation("HGETALL fat")
    assert fat is not None
    assert "100 fields, about" in fat.question
    assert driver.needs_confirmation("ZRANGE z 0 -1") is not None
    assert driver.needs_confirmation("ZRANGEBYSCORE z 10 20") is None  # exact: ZCOUNT
    assert driver.needs_confirmation("ZRANGE z 0 +inf BYSCORE LIMIT 0 50") is None
    assert driver.needs_confirmation("ZREVRANGEBYSCORE z +inf -inf") is not None
    assert driver.needs_confirmation("SCAN 0 COUNT 1000000") is not None
    assert driver.needs_confirmation("SCAN 0 COUNT 100") is None
    assert driver.needs_confirmation("SRANDMEMBER z -50000") is not None
    assert driver.needs_confirmation("GET s") is None  # wrong type: the command will say so


def test_read_plans_are_pure() -> None:
    assert read_plan([b"GET"]) is None
    assert read_plan([b"PING", b"x"]) is None
    plan = read_plan([b"LRANGE", b"k", b"0", b"9"])
    assert plan is not None
    assert plan.sizing == ([b"LLEN", b"k"], [b"MEMORY", b"USAGE", b"k"])
    assert plan.count([5, 100]) == 5
    assert plan.count([3, 100]) == 3
    assert plan.count([ErrorReply("WRONGTYPE"), None]) is None


# -- command help and key names -------------------------------------------------------------------


def test_command_help_follows_the_line_being_typed(driver: RedisDriver) -> None:
    console = driver.console
    hset = console.command_help("hset k ")
    assert hset is not None
    assert hint_text(hset).startswith("HSET key field value [field value ...] · since 2.0.0 · O(1)")
    config = console.command_help("CONFIG ")
    assert config is not None
    assert config.name == "CONFIG"
    assert hint_text(config).startswith("CONFIG <")
    get = console.command_help("config get max")
    assert get is not None
    assert get.name == "CONFIG GET"
    assert "parameter" in get.syntax
    assert console.command_help("") is None
    assert console.command_help("nosuchcommand x") is None
    assert console.command_help("\x1b]0;x\x07 a") is None  # not a command word: not sent
    assert typed_command("config ge") == ("config", None)
    assert typed_command("  xinfo stream s") == ("xinfo", "stream")


def test_key_names_for_completion(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.mset({"user:1": 1, "user:2": 2, "user*x": 3, "order:1": 4, "u[1]": 5})
    assert driver.console.key_names(b"user:") == [b"user:1", b"user:2"]
    assert driver.console.key_names(b"user*") == [b"user*x"]  # glob characters are literal
    assert driver.console.key_names(b"u[") == [b"u[1]"]
    assert driver.console.key_names(b"") == sorted(
        [b"user:1", b"user:2", b"user*x", b"order:1", b"u[1]"]
    )
    assert len(driver.console.key_names(b"", limit=2)) == 2
    assert glob_escaped(b"a*b?[c]\\") == b"a\\*b\\?\\[c\\]\\\\"
    reply(driver, "SELECT 1")
    assert driver.console.key_names(b"user:") == []  # the console's database


def test_encoded_values_read_back_and_decode(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("mp", msgpack.packb({"id": 1, "tags": ["x"]}))
    value = reply(driver, "GET mp")
    assert isinstance(value, bytes)
    assert decode_value(value).format == "msgpack"
    assert reply_lines(value)[0].plain.startswith("(binary) 82")
