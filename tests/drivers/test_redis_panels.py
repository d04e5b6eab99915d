"""Redis server panels (INFO dashboard, SLOWLOG, CLIENT LIST) on the real servers."""

from __future__ import annotations

import redis

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis.panels import hit_rate


def panel(driver: object, name: str) -> list[tuple[str, str]]:
    from dbtui.drivers.redis.driver import RedisDriver

    assert isinstance(driver, RedisDriver)
    database = driver.children(None)[0]
    node = next(n for n in driver.children(database) if n.key[-1] == name)
    return list(driver.details(node))


def test_dashboard_slowlog_and_clients(redis_clean: str) -> None:
    raw = redis.Redis.from_url(redis_clean)
    raw.set("k", "v")
    raw.get("k")
    raw.get("missing")
    before = raw.config_get("slowlog-log-slower-than")["slowlog-log-slower-than"]
    assert before is not None
    raw.config_set("slowlog-log-slower-than", 0)
    raw.slowlog_reset()
    try:
        raw.hset("h", mapping={"f": "x" * 10})
        driver = open_driver(spec_from_url(redis_clean))
        try:
            info = dict(panel(driver, "info"))
            slow = panel(driver, "slowlog")
            clients = dict(panel(driver, "clients"))
        finally:
            driver.close()
    finally:
        raw.config_set("slowlog-log-slower-than", before)
        raw.close()
    assert info["role"] == "master"
    assert info["version"].count(".") == 2
    assert info["hit rate"].endswith("%")
    assert any("hset h f" in value.lower() for _, value in slow)
    assert any("dbtui" in address for address in clients)


def test_cluster_dashboard_names_every_master(redis_cluster_url: str) -> None:
    driver = open_driver(spec_from_url(redis_cluster_url))
    try:
        info = dict(panel(driver, "info"))
    finally:
        driver.close()
    roles = [label for label in info if label.endswith(" role")]
    assert len(roles) == 3


def test_hit_rate() -> None:
    assert hit_rate({}) == "n/a"
    assert hit_rate({"keyspace_hits": "3", "keyspace_misses": "1"}) == "75.0%"
