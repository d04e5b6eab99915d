"""Server panels shown in the Details pane: an INFO dashboard, SLOWLOG and CLIENT LIST.

Each panel is a list of (label, value) facts, computed from read-only commands
(INFO, SLOWLOG GET, CLIENT LIST) on every node of the keyspace.
"""

from __future__ import annotations

import time

from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.server import client_list, server_info, slowlog

Facts = list[tuple[str, str]]

#: (label, INFO section, INFO field) shown as they are.
_PLAIN = (
    ("version", "server", "redis_version"),
    ("mode", "server", "redis_mode"),
    ("uptime (days)", "server", "uptime_in_days"),
    ("memory used", "memory", "used_memory_human"),
    ("memory peak", "memory", "used_memory_peak_human"),
    ("maxmemory", "memory", "maxmemory_human"),
    ("eviction policy", "memory", "maxmemory_policy"),
    ("fragmentation ratio", "memory", "mem_fragmentation_ratio"),
    ("clients connected", "clients", "connected_clients"),
    ("clients blocked", "clients", "blocked_clients"),
    ("ops/s", "stats", "instantaneous_ops_per_sec"),
    ("commands processed", "stats", "total_commands_processed"),
    ("evicted keys", "stats", "evicted_keys"),
    ("expired keys", "stats", "expired_keys"),
    ("role", "replication", "role"),
    ("replicas", "replication", "connected_slaves"),
    ("master link", "replication", "master_link_status"),
    ("RDB changes since save", "persistence", "rdb_changes_since_last_save"),
    ("last RDB save", "persistence", "rdb_last_bgsave_status"),
    ("AOF enabled", "persistence", "aof_enabled"),
)


def hit_rate(stats: dict[str, str]) -> str:
    """keyspace_hits / (hits + misses) as a percentage; "n/a" before any read."""
    hits = int(stats.get("keyspace_hits", "0") or 0)
    misses = int(stats.get("keyspace_misses", "0") or 0)
    return "n/a" if hits + misses == 0 else f"{hits / (hits + misses):.1%}"


def dashboard(keyspace: Keyspace) -> Facts:
    """The INFO dashboard of every node (prefixed with the node's name on a cluster)."""
    nodes = keyspace.nodes()
    facts: Facts = []
    for node in nodes:
        info = server_info(node)
        prefix = f"{node.name} " if len(nodes) > 1 else ""
        for label, section, field in _PLAIN:
            value = info.get(section, {}).get(field)
            if value not in (None, ""):
                facts.append((prefix + label, str(value)))
        facts.append((prefix + "hit rate", hit_rate(info.get("stats", {}))))
        saved = info.get("persistence", {}).get("rdb_last_save_time")
        if saved and saved.isdigit():
            facts.append((prefix + "last RDB save age", f"{int(time.time()) - int(saved)} s"))
    return facts


def slowlog_facts(keyspace: Keyspace, count: int = 50) -> Facts:
    """The slowest logged commands, arguments decoded (binary bytes shown escaped)."""
    entries = slowlog(keyspace, count)
    if not entries:
        return [("slowlog", "empty")]
    facts: Facts = []
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.started))
        args = " ".join(arg.decode("utf-8", "backslashreplace") for arg in entry.args)
        who = entry.client_name or entry.client
        facts.append((f"{entry.duration_us:,} µs", f"{args}  ({when}, {who}, {entry.node})"))
    return facts


def client_facts(keyspace: Keyspace) -> Facts:
    """One line per connected client: address, name, age, idle time, last command."""
    facts: Facts = []
    for client in client_list(keyspace):
        name = f" {client['name']}" if client.get("name") else ""
        detail = (
            f"age {client.get('age', '?')} s · idle {client.get('idle', '?')} s · "
            f"db {client.get('db', '?')} · last {client.get('cmd', '?')}"
        )
        facts.append((f"{client.get('addr', '?')}{name}", detail))
    return facts or [("clients", "none")]


PANELS = {"info": dashboard, "slowlog": slowlog_facts, "clients": client_facts}
