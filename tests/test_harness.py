"""The harness servers really work: each one answers a real round trip."""

from __future__ import annotations

import psycopg
import pymongo
import pytest
import redis as redis_py
from harness.postgres import PASSWORD, PASSWORD_ROLE, PostgresServer
from harness.redis import RedisCluster as HarnessCluster
from harness.redis import execute_command, node_from_key
from redis.cluster import RedisCluster


def test_postgres_select_version(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("select version()").fetchone()
    assert row is not None
    assert str(row[0]).startswith("PostgreSQL ")


def test_postgres_hypopg_creates_hypothetical_index(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION hypopg")
        conn.execute("CREATE TABLE t (id int, v text)")
        row = conn.execute("SELECT * FROM hypopg_create_index('CREATE INDEX ON t (v)')").fetchone()
        assert row is not None
        assert "t_v" in str(row[1])
        listed = conn.execute("SELECT count(*) FROM hypopg_list_indexes").fetchone()
    assert listed == (1,)


def test_postgres_pg_stat_statements_queryable(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements")
        conn.execute("SELECT 42 AS marker_pgss")
        rows = conn.execute(
            "SELECT calls FROM pg_stat_statements WHERE query LIKE %s", ("%marker_pgss%",)
        ).fetchall()
    assert rows, "pg_stat_statements recorded nothing; is it in shared_preload_libraries?"


def test_postgres_password_role(postgres_server: PostgresServer) -> None:
    ok = postgres_server.url_for(user=PASSWORD_ROLE, password=PASSWORD)
    with psycopg.connect(ok) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (PASSWORD_ROLE,)
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(postgres_server.url_for(user=PASSWORD_ROLE), connect_timeout=5)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres_server.url_for(user=PASSWORD_ROLE, password="wrong"))


def test_postgres_restart_drops_connections(postgres_server: PostgresServer) -> None:
    conn = psycopg.connect(postgres_server.url, autocommit=True)
    try:
        postgres_server.restart()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    finally:
        conn.close()
    with psycopg.connect(postgres_server.url) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_redis_set_get(redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    try:
        assert client.dbsize() == 0
        client.set("harness:key", "value")
        assert client.get("harness:key") == b"value"
        assert client.config_get("save") == {"save": ""}
    finally:
        client.close()


def test_redis_cluster_has_three_masters(redis_cluster: HarnessCluster) -> None:
    assert len(redis_cluster.urls) == 3
    client = redis_py.Redis.from_url(redis_cluster.urls[0])
    try:
        nodes = execute_command(client, "CLUSTER NODES")
    finally:
        client.close()
    assert isinstance(nodes, dict), nodes
    flags = [set(str(info["flags"]).split(",")) for info in nodes.values()]
    assert sum("master" in f for f in flags) == 3
    assert all("fail" not in f for f in flags)


def test_redis_cluster_routes_keys(redis_cluster_url: str) -> None:
    client = RedisCluster.from_url(redis_cluster_url)
    try:
        keys = [f"harness:{i}" for i in range(20)]
        for key in keys:
            client.set(key, key)
        assert [client.get(k) for k in keys] == [k.encode() for k in keys]
        owners = {node_from_key(client, k).port for k in keys}
        assert len(owners) > 1, "20 keys all hashed to one node; slots are not spread"
        client.delete(*keys)
    finally:
        client.close()


def test_mongo_insert_find_round_trip(mongo_url: str) -> None:
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        mongo_url, serverSelectionTimeoutMS=10_000
    )
    try:
        coll = client["harness"]["round_trip"]
        coll.drop()
        coll.insert_many([{"n": i, "tag": "even" if i % 2 == 0 else "odd"} for i in range(10)])
        found = sorted(int(str(doc["n"])) for doc in coll.find({"tag": "odd"}, {"_id": 0}))
        assert found == [1, 3, 5, 7, 9]
        assert coll.count_documents({}) == 10
        coll.drop()
    finally:
        client.close()


def test_postgres_terminate_connections(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.url, autocommit=True) as victim:
        assert postgres_server.terminate_connections() >= 1
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
