"""Standalone Redis and a three-master Redis Cluster, as redis-server children in temp dirs.

Persistence is off (``--save "" --appendonly no``) so nothing outlives the session.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import redis as redis_py
from redis.client import Monitor
from redis.cluster import ClusterNode, ClusterPipeline

from harness.common import (
    LOOPBACK,
    START_TIMEOUT,
    HarnessError,
    free_port,
    log_tail,
    make_owned_dir,
    reap_orphaned_dirs,
    register_cleanup,
    require_binary,
    spawn,
    stop_process,
    unregister_cleanup,
    wait_until,
)

SLOTS = 16384
CLUSTER_SIZE = 3


# Typed views of the redis-py methods that the tests use but redis-py leaves unannotated
# (under strict mypy a call to an unannotated function is an error).


def execute_command(client: redis_py.Redis | redis_py.RedisCluster, *args: str) -> object:
    """``client.execute_command(*args)``: the raw reply, as redis-py parsed it."""
    execute: Callable[..., object] = client.execute_command
    return execute(*args)


def node_from_key(cluster: redis_py.RedisCluster, key: str | bytes) -> ClusterNode:
    """The master that holds ``key``'s slot (``cluster.get_node_from_key(key)``)."""
    find: Callable[[str | bytes], ClusterNode] = cluster.get_node_from_key
    return find(key)


def cluster_nodes(cluster: redis_py.RedisCluster) -> list[ClusterNode]:
    """Every node the cluster client knows (``cluster.get_nodes()``)."""
    get_nodes: Callable[[], list[ClusterNode]] = cluster.get_nodes
    return get_nodes()


def cluster_pipeline(cluster: redis_py.RedisCluster) -> ClusterPipeline:
    """A (non-transactional) cluster pipeline (``cluster.pipeline()``)."""
    pipeline: Callable[[], ClusterPipeline] = cluster.pipeline
    return pipeline()


def monitor(client: redis_py.Redis) -> Monitor:
    """A MONITOR session on its own connection (``client.monitor()``)."""
    start: Callable[[], Monitor] = client.monitor
    return start()


def _answers(port: int, pid: int) -> bool:
    """True when the redis-server with process id ``pid`` answers on ``port``.

    Checking the pid guards against a port race with some other Redis on the machine.
    """
    client = redis_py.Redis(host=LOOPBACK, port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        return int(client.info("server")["process_id"]) == pid
    except redis_py.RedisError:
        return False
    finally:
        client.close()


def _as_fields(reply: object) -> dict[str, str]:
    """CLUSTER INFO as ``{field: value}`` strings, whether redis-py parsed it or not."""
    if isinstance(reply, dict):
        return {str(k): str(v) for k, v in reply.items()}
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    return dict(line.split(":", 1) for line in text.split() if ":" in line)


class RedisServer:
    """One redis-server child on a free port; ``cluster=True`` enables cluster mode.

    Attributes:
        port: TCP port on 127.0.0.1 (0 until started).
        url: ``redis://127.0.0.1:PORT``.
    """

    def __init__(self, workdir: Path | None = None, *, cluster: bool = False) -> None:
        self._own_dir = workdir is None
        if workdir is None:
            reap_orphaned_dirs("dbtui-redis-")
        self.workdir = workdir or make_owned_dir("dbtui-redis-")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.cluster = cluster
        self.log_path = self.workdir / "redis.log"
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://`` URL of this server (database 0, no password)."""
        return f"redis://{LOOPBACK}:{self.port}"

    def _argv(self, binary: str, port: int) -> list[str]:
        argv = [
            binary,
            "--port",
            str(port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
            "--daemonize",
            "no",
            "--logfile",
            str(self.log_path),
        ]
        if self.cluster:
            argv += [
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "5000",
            ]
        return argv

    def start(self) -> None:
        """Start redis-server and wait until it answers PING.

        Raises:
            HarnessError: redis-server is missing or did not come up (message has its log tail).
        """
        binary = require_binary("redis-server", "install the redis-server package")
        register_cleanup(self.cleanup)
        for _ in range(3):
            port = free_port(below=55535) if self.cluster else free_port()
            if self._launch(binary, port):
                self.port = port
                return
            if "Address already in use" not in log_tail(self.log_path, 10):
                break
        raise HarnessError(
            f"redis-server did not start; log {self.log_path}:\n" + log_tail(self.log_path)
        )

    def _launch(self, binary: str, port: int) -> bool:
        """Spawn redis-server on ``port``; True once it answers PING, else stop it."""
        proc = spawn(self._argv(binary, port), log=self.log_path, cwd=self.workdir)
        self._proc = proc
        if wait_until(lambda: _answers(port, proc.pid), alive=lambda: proc.poll() is None):
            return True
        stop_process(proc)
        return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        stop_process(self._proc)
        self._proc = None

    def cleanup(self) -> None:
        """Stop the server and delete its temp dir (if the harness created it)."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        unregister_cleanup(self.cleanup)


class RedisCluster:
    """Three cluster-mode redis-servers joined by ``redis-cli --cluster create``, no replicas.

    Attributes:
        nodes: the member servers.
    """

    def __init__(self) -> None:
        reap_orphaned_dirs("dbtui-redis-")
        self.base = make_owned_dir("dbtui-redis-cluster-")
        self.nodes = [
            RedisServer(self.base / f"node{i}", cluster=True) for i in range(CLUSTER_SIZE)
        ]

    @property
    def ports(self) -> list[int]:
        """TCP ports of the member nodes."""
        return [node.port for node in self.nodes]

    @property
    def urls(self) -> list[str]:
        """``redis://`` URLs of the member nodes."""
        return [node.url for node in self.nodes]

    @property
    def url(self) -> str:
        """URL of the first node (a cluster client discovers the others from it)."""
        return self.nodes[0].url

    def start(self) -> None:
        """Start the nodes, assign all slots, and wait for ``cluster_state:ok`` everywhere.

        Raises:
            HarnessError: a node did not start or the cluster did not form.
        """
        register_cleanup(self.cleanup)
        cli = require_binary("redis-cli", "install the redis-tools package")
        for node in self.nodes:
            node.start()
        argv = [
            cli,
            "--cluster",
            "create",
            *(f"{LOOPBACK}:{p}" for p in self.ports),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        ]
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            raise HarnessError(f"redis-cli --cluster create failed:\n{proc.stdout}{proc.stderr}")
        if not wait_until(self._healthy, timeout=START_TIMEOUT):
            raise HarnessError(
                "Redis Cluster did not reach cluster_state:ok; last CLUSTER INFO:\n"
                + self._info_text()
            )

    def _healthy(self) -> bool:
        """True when every node reports state ok, all slots assigned and all nodes known."""
        for node in self.nodes:
            client = redis_py.Redis(host=LOOPBACK, port=node.port, socket_timeout=2)
            try:
                info = execute_command(client, "CLUSTER INFO")
            except redis_py.RedisError:
                return False
            finally:
                client.close()
            fields = _as_fields(info)
            if (
                fields.get("cluster_state") != "ok"
                or fields.get("cluster_slots_assigned") != str(SLOTS)
                or fields.get("cluster_known_nodes") != str(CLUSTER_SIZE)
            ):
                return False
        return True

    def _info_text(self) -> str:
        with contextlib.suppress(redis_py.RedisError):
            client = redis_py.Redis(host=LOOPBACK, port=self.nodes[0].port, socket_timeout=2)
            return str(execute_command(client, "CLUSTER INFO"))
        return "(unreachable)"

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            node.stop()

    def cleanup(self) -> None:
        """Stop every node and delete the cluster's temp dir."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
        unregister_cleanup(self.cleanup)


class ExternalRedisCluster:
    """A cluster named by ``DBTUI_TEST_REDIS_CLUSTER_URL``; member nodes are discovered."""

    def __init__(self, url: str) -> None:
        self.url = url
        client = redis_py.RedisCluster.from_url(url)
        try:
            nodes = cluster_nodes(client)
            self.ports = sorted(int(n.port) for n in nodes)
            self.urls = [f"redis://{n.host}:{n.port}" for n in nodes]
        finally:
            client.close()
