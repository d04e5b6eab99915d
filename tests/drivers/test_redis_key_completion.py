"""Console key-name completion on a real Redis: key positions from COMMAND INFO, quoting.

Issue 16: after a command that takes a key (``GET us``, ``HGETALL``, ``TYPE``...) the
console offers the key names starting with the typed prefix (a bounded SCAN), typed
as they must be (hostile names quoted, so they stay one inert argument).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_py
from drivertools import connected

from dbtui.core.capabilities import CommandCompletion, CommandHelp, KeyNameCompletion
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.commands import quote_argument, split_command_line, typed_arguments

pytestmark = pytest.mark.redis

HOSTILE = b'user:\x1b[31m[b]x[/b] "q"\x00\xe2\x80\xaeevil'


@pytest.fixture
def driver(redis_clean: str) -> Iterator[RedisDriver]:
    client = redis_py.Redis.from_url(redis_clean)
    client.mset({b"user:1": b"a", b"user:2": b"b", b"user:10": b"c", b"other": b"d"})
    client.set(HOSTILE, b"e")
    client.close()
    yield from connected(RedisDriver, redis_clean)


def names(driver: RedisDriver, line: str) -> tuple[str, ...] | None:
    found = driver.key_name_candidates(line)
    return None if found is None else found.candidates


def test_the_redis_driver_offers_its_console_capabilities(driver: RedisDriver) -> None:
    assert isinstance(driver, KeyNameCompletion)
    assert isinstance(driver, CommandHelp)
    assert isinstance(driver, CommandCompletion)
    assert "CONFIG" in driver.container_commands
    hint = driver.command_help("LRANGE ")
    assert hint is not None
    assert hint.syntax == "key start stop"


def test_key_arguments_complete_from_the_typed_prefix(driver: RedisDriver) -> None:
    found = driver.key_name_candidates("GET us")
    assert found is not None
    assert found.start == len("GET ")
    assert found.complete
    assert found.kind == "key"
    plain = [name for name in found.candidates if not name.startswith('"')]
    assert plain == ["user:1", "user:10", "user:2"]  # sorted; the hostile one is quoted
    assert names(driver, "hgetall user:1") == ("user:1", "user:10")
    assert names(driver, "TYPE o") == ("other",)
    assert names(driver, "OBJECT ENCODING us") is not None  # a subcommand's key
    assert names(driver, "MSET a 1 us") is not None  # every second argument is a key
    assert names(driver, "GET nosuch") == ()


def test_other_positions_offer_no_key_names(driver: RedisDriver) -> None:
    assert names(driver, "MSET a us") is None  # a value
    assert names(driver, "HGET user:1 f") is None  # a field
    assert names(driver, "LRANGE user:1 0") is None
    assert names(driver, "PING us") is None  # no key at all
    assert names(driver, "NOSUCHCOMMAND us") is None
    assert names(driver, "GET") is None  # still typing the command
    assert names(driver, 'GET "a"b') is None  # does not parse


def test_hostile_names_are_offered_quoted_and_read_back_as_one_argument(
    driver: RedisDriver,
) -> None:
    offered = names(driver, "GET user:")
    assert offered is not None
    quoted = [name for name in offered if name.startswith('"')]
    assert len(quoted) == 1
    assert not any(c in quoted[0] for c in "\x1b\x00\u202e")
    assert split_command_line(f"GET {quoted[0]}") == [b"GET", HOSTILE]
    assert names(driver, 'GET "user:\\x1b') == (quoted[0],)  # a quoted prefix still matches


def test_quoting_and_the_argument_being_typed() -> None:
    assert quote_argument(b"user:1") == "user:1"
    assert quote_argument(b"a b") == '"a b"'
    assert quote_argument("café".encode()) == '"café"'
    assert quote_argument(b"\xff") == '"\\xff"'
    assert typed_arguments("GET ") == ([b"GET", b""], 4)
    assert typed_arguments('GET "a b') == ([b"GET", b"a b"], 4)
