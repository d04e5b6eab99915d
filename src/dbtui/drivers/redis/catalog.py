"""Catalog nodes of a Redis connection: databases, and per database the panels to open.

Top level (standalone): the databases that hold keys per ``INFO keyspace``
plus the URL's own database, in order, with their key counts; or only
``db0`` for a cluster with its masters in the details. Under each
database: "Keys" (:attr:`Kind.KEYSPACE`, opens the key browser), "Server
info", "Slowlog" and "Clients" (:attr:`Kind.INFO`, open server panels).
The key browser itself is a widget, not catalog children.
"""

from __future__ import annotations

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.errors import QueryError
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Connector
from dbtui.drivers.redis.server import keyspace_counts, server_info

DEFAULT_DATABASES = 16

#: (key suffix, label, kind) of the entries under a database.
PANELS = (
    ("keys", "Keys", Kind.KEYSPACE),
    ("info", "Server info", Kind.INFO),
    ("slowlog", "Slowlog", Kind.INFO),
    ("clients", "Clients", Kind.INFO),
)


def _plural(count: int) -> str:
    return f"{count:,} key{'s' if count != 1 else ''}"


def database_count(connector: Connector) -> int:
    """How many logical databases the standalone server has (16 if CONFIG GET is denied)."""
    try:
        reply = raw.call(connector.client(connector.default_db), b"CONFIG", b"GET", b"databases")
    except QueryError:
        return DEFAULT_DATABASES
    if isinstance(reply, list) and len(reply) == 2 and isinstance(reply[1], bytes):
        return int(reply[1])
    return DEFAULT_DATABASES


def database_nodes(connector: Connector) -> list[CatalogNode]:
    """The top-level catalog: the databases with keys plus the URL's own one."""
    if connector.cluster is not None:
        return [_cluster_database(connector)]
    node = connector.keyspace(connector.default_db, False).nodes()[0]
    counts = keyspace_counts(server_info(node, "keyspace"))
    shown = sorted(
        {*(db for db, facts in counts.items() if facts.get("keys")), connector.default_db}
    )
    nodes = []
    for db in shown:
        facts = counts.get(db, {})
        meta = tuple((name, f"{value:,}") for name, value in facts.items())
        nodes.append(
            CatalogNode(
                key=("db", str(db)),
                label=f"db{db}",
                kind=Kind.DATABASE,
                detail=_plural(facts.get("keys", 0)),
                expandable=True,
                meta=(("server", node.name), *meta),
            )
        )
    return nodes


def _cluster_database(connector: Connector) -> CatalogNode:
    keyspace = connector.keyspace(0, False)
    meta: list[tuple[str, str]] = []
    total = 0
    for node in keyspace.nodes():
        keys = raw.call(node.client, b"DBSIZE")
        count = keys if isinstance(keys, int) else 0
        total += count
        meta.append((f"master {node.name}", _plural(count)))
    return CatalogNode(
        key=("db", "0"),
        label="db0",
        kind=Kind.DATABASE,
        detail=f"{_plural(total)} on {len(meta)} masters",
        expandable=True,
        meta=(("keys", f"{total:,}"), *meta),
    )


def database_entries(db: str) -> list[CatalogNode]:
    """The panels under database ``db`` (its number as text)."""
    return [
        CatalogNode(key=("db", db, suffix), label=label, kind=kind)
        for suffix, label, kind in PANELS
    ]
