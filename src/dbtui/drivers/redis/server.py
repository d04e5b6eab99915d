"""Server panels: INFO sections, SLOWLOG, CLIENT LIST and the keyspace per database.

Read-only inspection commands sent on the browser's pooled connections; in a
cluster every function covers every master and says which node each row
comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Keyspace, Node


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def parse_info(text: str) -> dict[str, dict[str, str]]:
    """Split an INFO reply into ``{section: {field: value}}`` (section names lower case).

    Values stay text; ``db0:keys=1,expires=0`` stays one value ``keys=1,expires=0``.
    """
    sections: dict[str, dict[str, str]] = {}
    current = sections.setdefault("", {})
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            current = sections.setdefault(line.lstrip("# ").lower(), {})
        elif ":" in line:
            name, _, value = line.partition(":")
            current[name] = value
    if not sections[""]:
        del sections[""]
    return sections


def server_info(node: Node, section: str | None = None) -> dict[str, dict[str, str]]:
    """INFO of one node (``section`` e.g. "memory"; ``None`` for the default sections)."""
    argv = (b"INFO",) if section is None else (b"INFO", section.encode())
    return parse_info(_text(raw.call(node.client, *argv)))


def keyspace_counts(info: dict[str, dict[str, str]]) -> dict[int, dict[str, int]]:
    """``{db number: {"keys": n, "expires": n, "avg_ttl": ms}}`` from a parsed INFO keyspace."""
    counts: dict[int, dict[str, int]] = {}
    for name, value in info.get("keyspace", {}).items():
        if not name.startswith("db") or not name[2:].isdigit():
            continue
        fields = dict(part.partition("=")[::2] for part in value.split(","))
        counts[int(name[2:])] = {k: int(v) for k, v in fields.items() if v.lstrip("-").isdigit()}
    return counts


@dataclass(frozen=True)
class SlowlogEntry:
    """One SLOWLOG entry.

    Attributes:
        id: Entry number (grows by one per logged command).
        started: Unix time (seconds) when the command started.
        duration_us: Execution time in microseconds.
        args: The command and its arguments (the server truncates long ones).
        client: ``ip:port`` of the client ("" before Redis 4).
        client_name: CLIENT SETNAME of the client ("" when unnamed).
        node: The server that logged it.
    """

    id: int
    started: int
    duration_us: int
    args: list[bytes]
    client: str
    client_name: str
    node: str


def slowlog(keyspace: Keyspace, count: int = 128) -> list[SlowlogEntry]:
    """The latest ``count`` SLOWLOG entries of every node, slowest first."""
    entries = []
    for node in keyspace.nodes():
        reply = raw.call(node.client, b"SLOWLOG", b"GET", count)
        for item in reply if isinstance(reply, list) else []:
            if not isinstance(item, list) or len(item) < 4:
                continue
            args = [a if isinstance(a, bytes) else _text(a).encode() for a in item[3]]
            entries.append(
                SlowlogEntry(
                    id=int(item[0]),
                    started=int(item[1]),
                    duration_us=int(item[2]),
                    args=args,
                    client=_text(item[4]) if len(item) > 4 else "",
                    client_name=_text(item[5]) if len(item) > 5 else "",
                    node=node.name,
                )
            )
    entries.sort(key=lambda e: e.duration_us, reverse=True)
    return entries


def client_list(keyspace: Keyspace) -> list[dict[str, str]]:
    """CLIENT LIST of every node: one dict per client (``id``, ``addr``, ``name``, ``cmd``...).

    Each dict also has ``node``, the server the client is connected to.
    """
    clients = []
    for node in keyspace.nodes():
        for line in _text(raw.call(node.client, b"CLIENT", b"LIST")).splitlines():
            fields = dict(part.partition("=")[::2] for part in line.split(" ") if part)
            fields["node"] = node.name
            clients.append(fields)
    return clients
