"""Opening Redis connections from URLs, and the :class:`Keyspace` every browser module uses.

Supported URLs: ``redis://``, ``rediss://`` (TLS), ``unix://`` and
``redis+sentinel://[user:password@]host[:port][,host2[:port2]...]/service_name[/db]``
(``?sentinel_password=...`` when the sentinels need their own password).
A server answering ``cluster_enabled:1`` in ``INFO cluster`` is reopened as a
:class:`redis.cluster.RedisCluster`. Every client uses ``decode_responses=False``:
key names and values stay ``bytes``, and replies use RESP2 (redis-cli's shapes).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.sentinel import Sentinel

from dbtui.core.errors import (
    ConnectError,
    ConnectionLostError,
    PasswordRequired,
    QueryError,
    ReadOnlyError,
)
from dbtui.core.spec import mask_password, require_parsable, scrub


class _Sentinel(Protocol):
    """The part of redis-py's :class:`Sentinel` used here, typed on every redis-py version
    (older releases ship it unannotated, newer ones annotated)."""

    def master_for(self, service_name: str, **kwargs: Any) -> redis.Redis: ...

    def discover_master(self, service_name: str) -> tuple[str, int]: ...


_new_sentinel: Callable[..., _Sentinel] = Sentinel
"""redis-py's Sentinel class seen through :class:`_Sentinel`."""

CLIENT_NAME = "dbtui"
CONNECT_TIMEOUT_S = 10.0
"""Seconds to wait for a TCP/TLS connection and for the first reply (the handshake),
unless the :class:`Connector` is given another ``connect_timeout``."""
SOCKET_TIMEOUT_S = 30.0
"""Seconds to wait for a reply to a browser command before giving up."""

_COMMON: dict[str, Any] = {
    "decode_responses": False,
    "socket_connect_timeout": CONNECT_TIMEOUT_S,
    "socket_timeout": SOCKET_TIMEOUT_S,
    "client_name": CLIENT_NAME,
    # redis-py 8 defaults to RESP3; the parsers here expect RESP2 reply shapes.
    "protocol": 2,
}


_CA_OPTIONS = ("ssl_ca_certs", "ssl_ca_path", "ssl_ca_data")
_OFF = ("none", "optional", "false", "0", "no")


def tls_options(url: str) -> tuple[dict[str, Any], str | None]:
    """Client keyword arguments for a ``rediss://`` URL, and a warning when it skips checks.

    Certificates are verified by default (``ssl_cert_reqs="required"``) against the
    system's CA store (:func:`ssl.get_default_verify_paths`) unless the URL names its
    own CA (``ssl_ca_certs``, ``ssl_ca_path`` or ``ssl_ca_data``). Options written in
    the URL win over these (redis-py applies the URL's query last). The warning is
    set when the URL turns verification (``ssl_cert_reqs=none|optional``) or the host
    name check (``ssl_check_hostname=false``) off. Other schemes: ``({}, None)``.
    """
    if not url.lower().startswith("rediss://"):
        return {}, None
    query = {k.lower(): v[-1] for k, v in parse_qs(url.partition("?")[2].partition("#")[0]).items()}
    options: dict[str, Any] = {"ssl_cert_reqs": "required"}
    if not any(name in query for name in _CA_OPTIONS):
        paths = ssl.get_default_verify_paths()
        if paths.cafile:
            options["ssl_ca_certs"] = paths.cafile
        if paths.capath:
            options["ssl_ca_path"] = paths.capath
    warning = None
    if query.get("ssl_cert_reqs", "required").lower() in _OFF:
        warning = (
            "TLS certificate verification is OFF (ssl_cert_reqs): the server is not authenticated"
        )
    elif query.get("ssl_check_hostname", "true").lower() in _OFF:
        warning = (
            "TLS host name check is OFF (ssl_check_hostname): any valid certificate is accepted"
        )
    return options, warning


@dataclass(frozen=True)
class Node:
    """One server that holds keys: the only one (standalone) or a cluster master.

    Attributes:
        name: ``host:port`` (or the socket path), as shown to the user.
        client: A plain client to that server, on the keyspace's database.
    """

    name: str
    client: redis.Redis


class Keyspace:
    """The keys of one logical database: one server, or every master of a cluster.

    Browser modules (scanner, meta, values, edits) take a Keyspace and never
    care which topology is behind it. Thread-safe: clients use connection pools.

    Attributes:
        db: Database number (always 0 for a cluster).
        read_only: Writes are refused before anything is sent.
    """

    def __init__(
        self,
        *,
        db: int,
        read_only: bool,
        client: redis.Redis | None = None,
        name: str = "",
        cluster: RedisCluster | None = None,
    ) -> None:
        if (client is None) == (cluster is None):
            raise ValueError("a Keyspace needs exactly one of client and cluster")
        self.db = db
        self.read_only = read_only
        self._client = client
        self._name = name
        self.cluster = cluster

    @property
    def is_cluster(self) -> bool:
        """True for a Redis Cluster (several masters)."""
        return self.cluster is not None

    def _node(self, node: ClusterNode) -> Node:
        assert self.cluster is not None
        return Node(node.name, self.cluster.get_redis_connection(node))

    def nodes(self) -> list[Node]:
        """Every server holding keys of this database, in a stable order (by name)."""
        if self.cluster is None:
            assert self._client is not None
            return [Node(self._name, self._client)]
        primaries: list[ClusterNode] = self.cluster.get_primaries()  # type: ignore[no-untyped-call]
        return [self._node(n) for n in sorted(primaries, key=lambda n: n.name)]

    def node_for(self, key: bytes) -> Node:
        """The server that holds ``key`` (its slot's master in a cluster)."""
        if self.cluster is None:
            return self.nodes()[0]
        with translate_errors():
            node: ClusterNode = self.cluster.get_node_from_key(key)  # type: ignore[no-untyped-call]
            return self._node(node)

    def client_for(self, key: bytes) -> redis.Redis:
        """A client on the server holding ``key``."""
        return self.node_for(key).client

    def group(self, keys: Sequence[bytes]) -> list[tuple[Node, list[int]]]:
        """Positions of ``keys`` grouped by the node that holds them (for pipelines)."""
        if self.cluster is None:
            return [(self.nodes()[0], list(range(len(keys))))]
        groups: dict[str, tuple[Node, list[int]]] = {}
        for index, key in enumerate(keys):
            node = self.node_for(key)
            groups.setdefault(node.name, (node, []))[1].append(index)
        return list(groups.values())

    def check_writable(self, action: str) -> None:
        """Raise :class:`ReadOnlyError` (before sending anything) on a read-only connection."""
        if self.read_only:
            raise ReadOnlyError(f"{action} is refused: the connection is read-only")


@contextmanager
def translate_errors(statement: str | None = None) -> Iterator[None]:
    """Turn redis-py exceptions raised inside the block into dbtui errors."""
    try:
        yield
    except redis.exceptions.ResponseError as exc:
        raise QueryError(str(exc), "Redis error", statement=statement) from exc
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise ConnectionLostError(f"lost the connection to Redis: {exc}") from exc
    except redis.exceptions.RedisError as exc:
        raise QueryError(str(exc), "Redis error", statement=statement) from exc


def strip_password(url: str) -> str:
    """``url`` without the password of its userinfo (the user name stays)."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if not at:
        return url
    user = userinfo.split(":", 1)[0]
    return (
        f"{scheme}{sep}{user}@{hosts}{slash}{path}"
        if user
        else f"{scheme}{sep}{hosts}{slash}{path}"
    )


@dataclass(frozen=True)
class SentinelTarget:
    """A parsed ``redis+sentinel://`` URL."""

    hosts: list[tuple[str, int]]
    service: str
    db: int
    username: str | None
    password: str | None
    sentinel_password: str | None


def parse_sentinel_url(url: str) -> SentinelTarget:
    """Parse ``redis+sentinel://[user:pw@]host[:port][,host:port...]/service[/db]``.

    Raises:
        ConnectError: no host or no service name, or a port/db that is not a number.
    """
    rest = url.split("://", 1)[1]
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    userinfo, _, hostlist = netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    parts = [p for p in path.split("/") if p]
    if not hostlist or not parts:
        raise ConnectError("a Sentinel URL needs redis+sentinel://host:port/service_name")
    try:
        hosts = [_host_port(h, 26379) for h in hostlist.split(",") if h]
        db = int(parts[1]) if len(parts) > 1 else 0
    except ValueError as exc:
        raise ConnectError(f"bad Sentinel URL: {exc}") from exc
    options = parse_qs(query)
    return SentinelTarget(
        hosts=hosts,
        service=unquote(parts[0]),
        db=db,
        username=unquote(user) or None,
        password=unquote(password) or None,
        sentinel_password=options.get("sentinel_password", [None])[0],
    )


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    if text.startswith("["):  # [ipv6]:port
        host, _, port = text[1:].partition("]")
        return host, int(port.lstrip(":") or default_port)
    host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    return host, int(port) if port else default_port


class Connector:
    """Builds the clients of one connection: per-database clients or one cluster client.

    Args:
        url: The connection URL (may hold a password: never shown).
        display_url: The same URL with the password masked, for messages.
        password: A password typed by the user after :class:`PasswordRequired`;
            it replaces any password in the URL.
        connect_timeout: Seconds to wait for the TCP/TLS connection and for the
            server's first reply; later replies wait :data:`SOCKET_TIMEOUT_S`.
    """

    def __init__(
        self,
        url: str,
        display_url: str,
        password: str | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self._given_url = url
        self.url = url if password is None else strip_password(url)
        self.display_url = display_url
        self._password = password
        self._common = dict(_COMMON, **({} if password is None else {"password": password}))
        self._common["socket_connect_timeout"] = connect_timeout
        tls, self.tls_warning = tls_options(self.url)
        """A warning to show while connected when TLS checks are off (see :func:`tls_options`)."""
        self._common.update(tls)
        self._connect_timeout = connect_timeout
        self.cluster: RedisCluster | None = None
        self.default_db = 0
        self._sentinel: _Sentinel | None = None
        self._sentinel_target: SentinelTarget | None = None
        self._clients: dict[int, redis.Redis] = {}
        self._server_name: str | None = None

    def open(self) -> None:
        """Connect, detect cluster mode and check the server answers.

        Raises:
            PasswordRequired: the server wants a password, or refused the one given.
            ConnectError: one line saying why (unreachable, bad URL...).
        """
        require_parsable(self._given_url)
        from dbtui.drivers.redis.urls import require_numeric_database  # urls imports this module

        require_numeric_database(self._given_url)
        try:
            self._open()
        except ConnectError:
            raise
        except redis.exceptions.AuthenticationError as exc:
            self.close()
            raise self._password_error(exc) from exc
        except (redis.exceptions.RedisError, ValueError, OSError) as exc:
            self.close()
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConnectError(f"{self.display_url}: {scrub(reason, self._given_url)}") from exc

    def _password_error(self, exc: Exception) -> PasswordRequired:
        given = self._password is not None or mask_password(self.url) != self.url
        if self._sentinel_target is not None:
            given = given or self._sentinel_target.password is not None
        return PasswordRequired(f"{self.display_url}: {exc}", rejected=given)

    def _open(self) -> None:
        if self.url.lower().startswith("redis+sentinel://"):
            target = parse_sentinel_url(self.url)
            self._sentinel_target = target
            self._sentinel = _new_sentinel(
                target.hosts,
                sentinel_kwargs={
                    "password": target.sentinel_password,
                    "socket_connect_timeout": self._connect_timeout,
                    "socket_timeout": self._connect_timeout,
                },
                **self._common,
            )
            self.default_db = target.db
        # The handshake waits only the connect timeout for a reply (a server that accepts
        # and never answers must not hold the tree for SOCKET_TIMEOUT_S); the client kept
        # for browsing is a second one with the normal reply timeout.
        probe = self._new_client(None, socket_timeout=self._connect_timeout)
        try:
            cluster_info = probe.info("cluster")
        finally:
            probe.close()
        client = self._new_client(None)
        if cluster_info.get("cluster_enabled") in (1, "1"):
            db = client.connection_pool.connection_kwargs.get("db", 0)
            client.close()
            if db not in (0, None):
                raise ConnectError(f"{self.display_url}: a Redis Cluster has only database 0")
            self.cluster = RedisCluster.from_url(self.url, **self._common)
            for node in self.keyspace(0, False).nodes():
                node.client.ping()
            return
        self.default_db = int(client.connection_pool.connection_kwargs.get("db", 0) or 0)
        self._clients[self.default_db] = client

    def _new_client(self, db: int | None, socket_timeout: float | None = None) -> redis.Redis:
        timeouts = {} if socket_timeout is None else {"socket_timeout": socket_timeout}
        if self._sentinel is not None and self._sentinel_target is not None:
            target = self._sentinel_target
            client: redis.Redis = self._sentinel.master_for(
                target.service,
                db=target.db if db is None else db,
                username=target.username,
                password=target.password if self._password is None else self._password,
                **timeouts,
            )
            return client
        client = redis.Redis.from_url(self.url, **dict(self._common, **timeouts))
        if db is not None:
            kwargs = dict(client.connection_pool.connection_kwargs, db=db)
            pool = redis.ConnectionPool(
                connection_class=client.connection_pool.connection_class, **kwargs
            )
            client.close()
            client = redis.Redis(connection_pool=pool)
        return client

    def client(self, db: int) -> redis.Redis:
        """The (cached) client of database ``db``; standalone and Sentinel only."""
        if db not in self._clients:
            self._clients[db] = self._new_client(db)
        return self._clients[db]

    def server_name(self) -> str:
        """``host:port`` or the socket path of the standalone server, for display (cached)."""
        if self._server_name is None:
            self._server_name = self._find_server_name()
        return self._server_name

    def _find_server_name(self) -> str:
        if self._sentinel is not None and self._sentinel_target is not None:
            service = self._sentinel_target.service
            try:
                host, port = self._sentinel.discover_master(service)
            except redis.exceptions.RedisError:
                return service
            return f"{host}:{port} ({service})"
        kwargs = self.client(self.default_db).connection_pool.connection_kwargs
        if "path" in kwargs:
            return str(kwargs["path"])
        return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"

    def keyspace(self, db: int, read_only: bool) -> Keyspace:
        """A :class:`Keyspace` on database ``db`` (must be 0 for a cluster)."""
        if self.cluster is not None:
            if db != 0:
                raise QueryError("a Redis Cluster has only database 0", "No such database")
            return Keyspace(db=0, read_only=read_only, cluster=self.cluster)
        return Keyspace(db=db, read_only=read_only, client=self.client(db), name=self.server_name())

    def close(self) -> None:
        """Close every client; safe to call twice."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
