"""Pure parts of the Redis driver: Sentinel URLs, scan state, cursor progress, INFO parsing."""

from __future__ import annotations

import json

import pytest

from dbtui.core.errors import ConnectError
from dbtui.drivers.redis.connection import parse_sentinel_url
from dbtui.drivers.redis.meta import KeyInfo, sort_infos
from dbtui.drivers.redis.scanner import ScanState, cursor_position
from dbtui.drivers.redis.server import keyspace_counts, parse_info


def test_sentinel_url_with_hosts_service_db_and_passwords() -> None:
    target = parse_sentinel_url(
        "redis+sentinel://app:p%40ss@s1:26380,s2,[::1]:26381/my%20master/4?sentinel_password=sp"
    )
    assert target.hosts == [("s1", 26380), ("s2", 26379), ("::1", 26381)]
    assert (target.service, target.db) == ("my master", 4)
    assert (target.username, target.password) == ("app", "p@ss")
    assert target.sentinel_password == "sp"
    plain = parse_sentinel_url("redis+sentinel://127.0.0.1:26379/mymaster")
    assert (plain.db, plain.username, plain.password) == (0, None, None)


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://127.0.0.1:26379/",
        "redis+sentinel:///mymaster",
        "redis+sentinel://host:port/mymaster",
        "redis+sentinel://host/mymaster/notadb",
    ],
)
def test_bad_sentinel_urls(url: str) -> None:
    with pytest.raises(ConnectError):
        parse_sentinel_url(url)


def test_scan_state_survives_json() -> None:
    state = ScanState(
        match=b"user:\xff*",
        type_="hash",
        cursors={"a:1": 123},
        finished={"b:2"},
        keys_seen=42,
        count=800,
        progress={"a:1": 0.5, "b:2": 1.0},
    )
    again = ScanState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert ScanState.from_dict({}) == ScanState()


def test_cursor_position_grows_with_reverse_binary_cursor() -> None:
    assert cursor_position(0) == 0.0
    # Redis visits buckets in reverse-binary order: 0, 2^63-bit-reversed, ...
    half = int("1" + "0" * 63, 2)
    assert cursor_position(1) == pytest.approx(0.5)
    assert cursor_position(half) == pytest.approx(2.0**-64)
    assert cursor_position(3) == pytest.approx(0.75)


def test_parse_info_sections_and_keyspace() -> None:
    text = (
        "# Server\r\nredis_version:7.0.15\r\n\r\n"
        "# Keyspace\r\ndb0:keys=10,expires=1,avg_ttl=3596849\r\ndb3:keys=2,expires=0,avg_ttl=0\r\n"
    )
    info = parse_info(text)
    assert info["server"]["redis_version"] == "7.0.15"
    assert keyspace_counts(info) == {
        0: {"keys": 10, "expires": 1, "avg_ttl": 3596849},
        3: {"keys": 2, "expires": 0, "avg_ttl": 0},
    }


def test_sort_infos_orders_unknown_last() -> None:
    rows = [
        KeyInfo(b"b", "hash", None, 100, 5, "n"),
        KeyInfo(b"a", "string", 5000, None, 1, "n"),
        KeyInfo(b"c", "list", 10, 900, None, "n"),
    ]
    assert [r.key for r in sort_infos(rows)] == [b"a", b"b", b"c"]
    assert [r.key for r in sort_infos(rows, "type")] == [b"b", b"c", b"a"]
    assert [r.key for r in sort_infos(rows, "ttl")] == [b"c", b"a", b"b"]
    assert [r.key for r in sort_infos(rows, "memory")] == [b"c", b"b", b"a"]
    assert [r.key for r in sort_infos(rows, "length")] == [b"b", b"a", b"c"]
    assert [r.key for r in sort_infos(rows, "name", reverse=True)] == [b"c", b"b", b"a"]
    with pytest.raises(ValueError, match="unknown"):
        sort_infos(rows, "colour")
