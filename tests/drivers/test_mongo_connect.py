"""Connecting to the MongoDB-compatible harness server, and one-line connection errors."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from dbtui.core.errors import ConnectError
from dbtui.core.registry import load_driver
from dbtui.core.spec import DEFAULT_CONNECT_TIMEOUT_S, spec_from_url, with_connect_timeout
from dbtui.drivers.mongo import MongoDriver

pytestmark = pytest.mark.mongo


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_entry_point_loads_the_driver() -> None:
    assert load_driver("mongodb") is MongoDriver
    # "javascript" would be right, but Textual's TextArea segfaults on it here (see the driver).
    assert MongoDriver.language == "text"


def test_connect_reads_the_database_from_the_url(mongo_url: str) -> None:
    driver = MongoDriver(spec_from_url(f"{mongo_url}inventory?directConnection=true"))
    driver.connect()
    try:
        assert driver.current_database == "inventory"
        assert driver.server_version
    finally:
        driver.close()
    driver.close()  # safe twice


def test_default_database_is_test(mongo_url: str) -> None:
    driver = MongoDriver(spec_from_url(mongo_url))
    driver.connect()
    try:
        assert driver.current_database == "test"
    finally:
        driver.close()


def test_unreachable_port_is_one_line_without_password() -> None:
    url = f"mongodb://alice:hunter2@127.0.0.1:{_unused_port()}/db?serverSelectionTimeoutMS=300"
    driver = MongoDriver(spec_from_url(url))
    with pytest.raises(ConnectError) as info:
        driver.connect()
    message = info.value.one_line()
    assert "\n" not in info.value.message
    assert "hunter2" not in message
    assert "alice:***@" in message
    assert "Connection refused" in message
    assert "Topology Description" not in message


def test_refused_login_is_one_line_without_password(mongo_url: str) -> None:
    parts = urlsplit(mongo_url)
    url = f"mongodb://bob:pa%40ss@{parts.netloc}/shop?authSource=admin"
    with pytest.raises(ConnectError) as info:
        MongoDriver(spec_from_url(url)).connect()
    message = info.value.message
    assert "authentication failed for user 'bob'" in message
    assert "pa%40ss" not in message
    assert "pa@ss" not in message
    assert "\n" not in message


def test_unusable_url() -> None:
    with pytest.raises(ConnectError) as info:
        MongoDriver(spec_from_url("mongodb://host:notaport/")).connect()
    assert "unusable URL" in info.value.message


def test_options_must_be_integers() -> None:
    spec = spec_from_url("mongodb://127.0.0.1/")
    spec = type(spec)(spec.url, spec.engine, spec.name, options=(("max_time_ms", "soon"),))
    with pytest.raises(ConnectError, match="max_time_ms"):
        MongoDriver(spec)


def test_url_options_reach_the_client(mongo_url: str) -> None:
    url = f"{mongo_url}?appname=custom&serverSelectionTimeoutMS=1234&directConnection=true&authSource=admin"
    driver = MongoDriver(spec_from_url(url))
    driver.connect()
    try:
        options = driver.client.options
        assert options.server_selection_timeout == pytest.approx(1.234)
        assert options.pool_options.metadata["application"] == {"name": "custom"}
        assert driver.client.topology_description.topology_type_name == "Single"
    finally:
        driver.close()


def test_dbtui_defaults_when_the_url_sets_none(mongo_url: str) -> None:
    driver = MongoDriver(spec_from_url(mongo_url))
    driver.connect()
    try:
        options = driver.client.options
        assert options.server_selection_timeout == pytest.approx(DEFAULT_CONNECT_TIMEOUT_S)
        assert options.pool_options.connect_timeout == pytest.approx(DEFAULT_CONNECT_TIMEOUT_S)
        assert options.pool_options.metadata["application"] == {"name": "dbtui"}
    finally:
        driver.close()


def test_the_specs_connect_timeout_is_used(mongo_url: str) -> None:
    driver = MongoDriver(with_connect_timeout(spec_from_url(mongo_url), 2.5))
    driver.connect()
    try:
        options = driver.client.options
        assert options.server_selection_timeout == pytest.approx(2.5)
        assert options.pool_options.connect_timeout == pytest.approx(2.5)
    finally:
        driver.close()


def test_wrong_replica_set_name_is_one_line(mongo_url: str) -> None:
    url = f"{mongo_url}?replicaSet=nosuchset&serverSelectionTimeoutMS=500"
    with pytest.raises(ConnectError) as info:
        MongoDriver(spec_from_url(url)).connect()
    assert 'replica set name "nosuchset"' in info.value.message
    assert "\n" not in info.value.message


def test_tls_against_a_plain_server_is_one_line(mongo_url: str) -> None:
    url = f"{mongo_url}?tls=true&tlsAllowInvalidCertificates=true&serverSelectionTimeoutMS=500"
    with pytest.raises(ConnectError) as info:
        MongoDriver(spec_from_url(url)).connect()
    assert "TLS" in info.value.message or "SSL" in info.value.message
    assert "Topology" not in info.value.message
