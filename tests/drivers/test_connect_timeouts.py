"""One connect timeout for every engine: the spec's (10 s by default), unless the URL sets one."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict

from dbtui.core.spec import (
    DEFAULT_CONNECT_TIMEOUT_S,
    connect_timeout,
    spec_from_url,
    with_connect_timeout,
)
from dbtui.drivers.postgres.connection import build_conninfo


def test_default_and_override() -> None:
    spec = spec_from_url("postgresql://u@h/db")
    assert connect_timeout(spec) == DEFAULT_CONNECT_TIMEOUT_S == 10.0
    assert connect_timeout(with_connect_timeout(spec, 2.5)) == 2.5
    twice = with_connect_timeout(with_connect_timeout(spec, 2.5), 4)
    assert connect_timeout(twice) == 4.0
    assert [key for key, _ in twice.options].count("connect_timeout") == 1


def test_postgres_gets_the_timeout_rounded_up() -> None:
    spec = with_connect_timeout(spec_from_url("postgresql://u@h/db"), 2.5)
    assert conninfo_to_dict(build_conninfo(spec))["connect_timeout"] == "3"
    default = conninfo_to_dict(build_conninfo(spec_from_url("postgresql://u@h/db")))
    assert default["connect_timeout"] == "10"


def test_a_timeout_in_the_url_wins() -> None:
    spec = with_connect_timeout(spec_from_url("postgresql://u@h/db?connect_timeout=7"), 2)
    assert conninfo_to_dict(build_conninfo(spec))["connect_timeout"] == "7"
