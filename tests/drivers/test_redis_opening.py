"""Opening Redis: the catalog lists only databases with keys plus the URL's, TLS verifies."""

from __future__ import annotations

import ssl

import pytest
import redis as redis_py
from drivertools import connected

from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.connection import Connector, tls_options

pytestmark = pytest.mark.redis


def test_catalog_lists_databases_with_keys_and_the_urls_own(redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean, db=0)
    client.set("a", 1)
    client.close()
    for driver in connected(RedisDriver, f"{redis_clean}/3"):
        databases = driver.children(None)
        assert [(n.label, n.detail) for n in databases] == [("db0", "1 key"), ("db3", "0 keys")]
        assert driver.default_db == 3


def test_catalog_of_db0_url_with_keys_elsewhere(redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean, db=5)
    client.set("x", 1)
    client.set("y", 2)
    client.close()
    for driver in connected(RedisDriver, redis_clean):
        assert [(n.label, n.detail) for n in driver.children(None)] == [
            ("db0", "0 keys"),
            ("db5", "2 keys"),
        ]


def test_cluster_keeps_its_only_database(redis_cluster_url: str) -> None:
    for driver in connected(RedisDriver, redis_cluster_url):
        assert [n.label for n in driver.children(None)] == ["db0"]


def test_rediss_verifies_against_the_system_store_by_default() -> None:
    options, warning = tls_options("rediss://cache.example.com:6380/0")
    paths = ssl.get_default_verify_paths()
    assert options["ssl_cert_reqs"] == "required"
    assert options.get("ssl_ca_certs") == paths.cafile
    assert options.get("ssl_ca_path") == paths.capath
    assert paths.cafile or paths.capath, "this machine has a system CA store"
    assert warning is None
    # redis-py takes these keyword arguments for the connection it will open.
    kwargs = redis_py.Redis.from_url("rediss://h", **options).connection_pool.connection_kwargs
    assert kwargs["ssl_cert_reqs"] == "required"
    assert kwargs.get("ssl_ca_certs") == paths.cafile


def test_skip_verify_warns_and_the_url_wins() -> None:
    url = "rediss://h:6380?ssl_cert_reqs=none"
    options, warning = tls_options(url)
    assert warning is not None
    assert "verification is OFF" in warning
    kwargs = redis_py.Redis.from_url(url, **options).connection_pool.connection_kwargs
    assert kwargs["ssl_cert_reqs"] == "none"
    assert Connector(url, url).tls_warning == warning


def test_hostname_check_off_warns() -> None:
    _options, warning = tls_options("rediss://h?ssl_check_hostname=false")
    assert warning is not None
    assert "host name" in warning


def test_own_ca_replaces_the_system_store() -> None:
    options, warning = tls_options("rediss://h?ssl_ca_certs=/etc/my-ca.pem")
    assert "ssl_ca_certs" not in options
    assert "ssl_ca_path" not in options
    assert options["ssl_cert_reqs"] == "required"
    assert warning is None


def test_plain_redis_gets_no_tls_options(redis_url: str) -> None:
    assert tls_options(redis_url) == ({}, None)
    assert Connector(redis_url, redis_url).tls_warning is None
